#!/usr/bin/env bash
# Installs web/node_modules exactly as package-lock.json pins them, once per
# lock: several build directories (and CMake runs) share the one folder, so
# the install holds a lock and is skipped when the lock file is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>node_modules.lock
flock 9
want=$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)
have=$(cat node_modules/.openmps-lock-hash 2>/dev/null || true)
if [[ "$want" == "$have" && -d node_modules ]]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > node_modules/.openmps-lock-hash
