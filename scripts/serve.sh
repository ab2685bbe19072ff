#!/usr/bin/env bash
# Builds the release configuration and starts `ticketing serve` on the
# embedded store. Installs missing Debian packages first. Arguments are passed
# to `ticketing serve` (see `ticketing serve --help`); by default it listens on
# 127.0.0.1:3000 and keeps its data in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}
cmake --preset release >/dev/null
cmake --build --preset release --target ticketing
exec build/release/app/ticketing serve "$@"
