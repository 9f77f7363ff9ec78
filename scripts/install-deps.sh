#!/usr/bin/env bash
# Installs, with apt, the Debian 12 packages cgnf needs that are missing.
#
#   scripts/install-deps.sh run    what building and running cgnf needs (make run, make install)
#   scripts/install-deps.sh test   that and what the tests, fuzzing and lint need (make test)
#
# No argument: test (everything).  Idempotent: when everything is there it only says so.
set -euo pipefail

run_packages=(
	build-essential pkg-config
	libdpdk-dev dpdk                   # DPDK 22.11: headers, PMDs (the pcap PMD too)
	libjansson-dev                     # config, model and outputs
	libsystemd-dev                     # sd_notify for cgnf.service (app/notify.c)
	python3 python3-sklearn python3-joblib python3-numpy
	python3-matplotlib                 # make run's plot
	libmicrohttpd-dev libhiredis-dev    # --metrics and --redis (linked into cgnf)
	libnftables-dev                     # --nft-set (linked into cgnf)
)
test_packages=(
	dpdk-dev                           # dpdk-telemetry.py, dpdk-test
	libcunit1-dev libpcap-dev          # unit tests; the test tools read pcaps
	clang libclang-rt-14-dev           # libFuzzer and the sanitizer runtimes
	cppcheck clang-format              # make lint
	systemd                            # systemd-analyze verify (test_install)
	# The next steps' exporters and sinks, and what their tests drive.
	prometheus redis-server libmicrohttpd-dev libhiredis-dev python3-redis
	nftables libnftables-dev iproute2 tcpdump
)

set_name=${1:-test}
case $set_name in
run) packages=("${run_packages[@]}") ;;
test) packages=("${run_packages[@]}" "${test_packages[@]}") ;;
*) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#packages[@]} packages of the $set_name set present"
	exit 0
fi

sudo=()
if ((EUID != 0)); then
	command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	sudo=(sudo)
fi

echo "install-deps: installing the $set_name set's missing packages with apt: ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
