#!/usr/bin/env bash
# Builds and runs every test: installs missing Debian packages, then the `dev`
# workflow (warnings as errors; unit and integration tests), the web app in
# Chromium (scripts/browser.sh; npm packages for it only), clang-tidy
# (scripts/tidy.sh, warnings as errors), the `asan`
# workflow (AddressSanitizer + UBSan; unit tests), the `tsan` workflow
# (ThreadSanitizer; the unit tests of the domain, the embedded log, the
# application (the command runner with snapshots), the read
# models and the saga) and the fuzzers (each for FUZZ_SECONDS, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

jobs=$(nproc 2>/dev/null || echo 2)
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$jobs}
export CTEST_PARALLEL_LEVEL=${CTEST_PARALLEL_LEVEL:-$jobs}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

echo "== dev: configure, build, test"
cmake --workflow --preset dev
echo "== browser: the web app in Chromium against the dev build"
bash scripts/browser.sh build/dev/app/ticketing
echo "== tidy: clang-tidy over the project's sources, warnings as errors"
bash scripts/tidy.sh
echo "== asan: configure, build, unit tests under AddressSanitizer and UBSan"
cmake --workflow --preset asan
echo "== tsan: configure, build, unit tests under ThreadSanitizer"
cmake --workflow --preset tsan
echo "== fuzz: libFuzzer targets under AddressSanitizer and UBSan"
bash scripts/fuzz.sh
