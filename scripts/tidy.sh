#!/usr/bin/env bash
# clang-tidy (.clang-tidy: a wide set of checks, every warning an error) over
# the project's sources, with the compile commands of the dev build
# (configure it first: cmake --preset dev). Runs on every core.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${TIDY_BUILD_DIR:-build/dev}
if [[ ! -f $build/compile_commands.json ]]; then
  echo "tidy: $build/compile_commands.json is missing; run cmake --preset dev first" >&2
  exit 2
fi
jobs=$(nproc 2>/dev/null || echo 2)
git ls-files 'domain/*.cpp' 'encoding/*.cpp' 'eventstore/*.cpp' 'application/*.cpp' 'projections/*.cpp' \
  'processes/*.cpp' 'analysis/*.cpp' 'api/*.cpp' 'app/*.cpp' 'tools/*.cpp' |
  xargs -P "$jobs" -n 1 clang-tidy -p "$build" --quiet --extra-arg=-Wno-unknown-warning-option \
    2> >(grep -v 'warnings\? generated\.$' >&2)
echo "tidy: clean"
