#!/usr/bin/env bash
# One command from a fresh clone: install what is missing, bring up PostgreSQL/PostGIS and Redis,
# build, migrate, load the demo district and start every app.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && { set -a; . ./.env; set +a; }
bash scripts/services.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm install, not npm ci: npm 11 writes locks without other platforms' optional packages, which npm ci refuses.
  npm install --no-audit --no-fund
fi
npm run --silent build
bash scripts/console-build.sh
exec node dist/apps/cli/src/main.js up
