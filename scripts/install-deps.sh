#!/usr/bin/env bash
# Installs, with apt, the Debian 12 packages cgnf needs that are missing.
# Idempotent: when everything is there it only says so.
set -euo pipefail

packages=(
	build-essential pkg-config
	libdpdk-dev dpdk dpdk-dev          # DPDK 22.11: headers, PMDs, dpdk-telemetry.py
	libjansson-dev libcunit1-dev libpcap-dev
	python3 python3-sklearn python3-joblib python3-numpy python3-matplotlib
	clang libclang-rt-14-dev           # libFuzzer and the sanitizer runtimes
	cppcheck clang-format
	libmicrohttpd-dev libhiredis-dev prometheus redis-server python3-redis   # exporters and their tests
)

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi

echo "install-deps: installing with apt: ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
