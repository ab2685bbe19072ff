#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test ticketing,
# and the packages named as arguments.
# Idempotent: installs only the packages that are missing. Never installs
# libboost-dev (Boost 1.74), which conflicts with the Boost 1.81 packages.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev
  librocksdb-dev librdkafka-dev libsimdjson-dev libsodium-dev doctest-dev libssl-dev libicu-dev libjemalloc-dev libpq-dev
  python3-jsonschema
  clang libclang-rt-14-dev clang-tidy
)
packages+=("$@")  # what a caller needs besides (the browser tests: chromium firefox-esr)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
