#!/usr/bin/env bash
# Builds the release preset and runs the benchmarks. Installs what they use
# when missing: wrk and nginx-light (Debian), besides the build packages.
#   bench/run.sh [TICKETS]    (default 100000 tickets for the HTTP benchmark)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
missing=()
for p in wrk nginx-light; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
cmake --preset release >/dev/null
cmake --build --preset release --target eventstore_bench log_compare_bench http_bench analysis_bench snapshot_bench saga_bench live_bench ticketing
echo "== event log"
build/release/bench/eventstore_bench
echo "== embedded log and Kafka side by side"
build/release/bench/log_compare_bench
echo "== what analysts run over the log"
build/release/bench/analysis_bench
echo "== a long stream with write-side snapshots and without"
build/release/bench/snapshot_bench
echo "== the saga ending holds that fell due while the server was down"
build/release/bench/saga_bench
echo "== the live page: listings while 500 viewers read every change"
build/release/bench/live_bench build/release/app/ticketing
echo "== HTTP"
build/release/bench/http_bench build/release/app/ticketing --tickets "${1:-100000}"
