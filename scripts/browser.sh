#!/usr/bin/env bash
# The web app's tests in a real browser: Debian's chromium (installed when
# missing) driven by playwright-core (npm, pinned by tests/browser's
# lockfile; no browser download), against the dev build's server.
# Usage: scripts/browser.sh [path/to/ticketing]
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-build/dev/app/ticketing}
if ! command -v chromium >/dev/null; then
  echo "browser: installing chromium" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends chromium
fi
# Installs exactly the lockfile's packages, again only when it changed.
stamp=tests/browser/node_modules/.lock-installed
if [[ ! -f $stamp ]] || ! cmp -s tests/browser/package-lock.json "$stamp"; then
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp tests/browser/package-lock.json "$stamp"
fi
timeout 300 node tests/browser/run.mjs "$binary"
