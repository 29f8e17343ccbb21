#!/usr/bin/env bash
# One command that passes the tests from a fresh clone: services, install, lint, type check, unit and e2e tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jiaoying_test}"
DATABASE_URL="$TEST_DATABASE_URL" WITH_BROWSER=1 bash scripts/services.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: npm 11 writes locks without other platforms' optional packages, which npm ci refuses.
  npm install --no-audit --no-fund
fi
echo "== lint (formatting, then eslint)"; npm run --silent lint
echo "== type check"; npx tsc --noEmit -p tsconfig.json
echo "== build"; npm run --silent build
echo "== console build"; bash scripts/console-build.sh
echo "== unit tests"; npx jest --selectProjects unit --ci
# --forceExit: once every spec has reported, a handle a spec leaked (the teardown names it) must not hold the run
# open until CI's limit, as one did.
# Every spec runs in jest's one process (--runInBand: they share the test database), whose heap grows with each
# spec's module registry: give it room (a run stopped out of memory at Node's default 4 GB), and print the heap
# after each spec so growth shows in the log.
echo "== e2e tests"; NODE_OPTIONS="${NODE_OPTIONS:-} --max-old-space-size=12288" npx jest --selectProjects e2e --ci --runInBand --forceExit --logHeapUsage
