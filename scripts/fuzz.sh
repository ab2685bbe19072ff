#!/usr/bin/env bash
# Builds the libFuzzer targets (the `fuzz` preset: clang with AddressSanitizer
# and UBSan) and runs each for FUZZ_SECONDS (default 60) from its seeds. Any
# crash, sanitizer report, leak or timeout fails the run; the input that
# caused it is kept in build/fuzz-findings/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

declare -A seeds=(
  [http_request]="fuzz/seeds/http_request"
  [json_body]="fuzz/seeds/json_body"
  [event_decoder]="tests/golden"
  [session_token]="fuzz/seeds/session_token"
)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The targets keep their stores in a directory under TMPDIR; this run's
# directory goes when the run ends, however it ends.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ticketing-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=0
for target in http_request json_body event_decoder session_token; do
  corpus=build/fuzz-corpus/$target
  findings=build/fuzz-findings/$target
  mkdir -p "$corpus" "$findings"
  echo "== fuzz $target for ${seconds}s"
  # -close_fd_mask=1: the target's own log lines (stdout) are not wanted here.
  if ! TMPDIR=$scratch build/fuzz/fuzz/fuzz_$target -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -close_fd_mask=1 -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" ${seeds[$target]} \
      >"build/fuzz-$target.log" 2>&1; then
    echo "fuzz $target FAILED; the last lines of build/fuzz-$target.log:"
    tail -n 40 "build/fuzz-$target.log"
    failed=1
  else
    grep -E "stat::number_of_executed_units|Done " "build/fuzz-$target.log" | tail -n 2 || true
  fi
done
exit $failed
