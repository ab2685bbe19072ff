#!/usr/bin/env bash
# The web app's tests in real browsers, against the dev build's server:
# Debian's chromium driven by playwright-core (the whole suite) and Debian's
# firefox-esr driven by puppeteer-core over WebDriver BiDi (the main path).
# The browsers are installed when missing (apt); the npm packages are pinned
# by tests/browser's lockfile, and no browser is downloaded.
# Usage: scripts/browser.sh [path/to/ticketing]
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:-build/dev/app/ticketing}
bash scripts/setup.sh chromium firefox-esr
# Installs exactly the lockfile's packages, again only when it changed.
stamp=tests/browser/node_modules/.lock-installed
if [[ ! -f $stamp ]] || ! cmp -s tests/browser/package-lock.json "$stamp"; then
  (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp tests/browser/package-lock.json "$stamp"
fi
timeout 300 node tests/browser/run.mjs "$binary"
timeout 120 node tests/browser/firefox.mjs "$binary"
