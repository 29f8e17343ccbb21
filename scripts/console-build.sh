#!/usr/bin/env bash
# Builds the duty desk (console/, Vue + Element Plus + ECharts) into console/dist, which the api serves at /console/.
# Installs its packages when missing or older than its lock; builds only when a source is newer than the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d console/node_modules ] || [ console/package-lock.json -nt console/node_modules/.package-lock.json ]; then
  npm --prefix console install --no-audit --no-fund
fi
if [ ! -f console/dist/index.html ] || [ -n "$(find console/src console/index.html console/vite.config.js console/package-lock.json -newer console/dist/index.html 2>/dev/null | head -1)" ]; then
  npm --prefix console run build
fi
