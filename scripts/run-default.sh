#!/usr/bin/env bash
# What `make run` runs: cgnf on the bundled demo pcap with the pcap PMD (no NIC,
# no hugepages), then the plot of its table and verdict events.
# Extra arguments go to cgnf, e.g. scripts/run-default.sh --classifiers 1
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}

command=(
	"$BUILD/cgnf" --no-huge -m 512 --no-pci --file-prefix "cgnf-run-$$"
	--lcores '(0-3)@(0-1)' --vdev net_pcap0,rx_pcap=config/demo-reports.pcap
	--
	--config config/cgnf.json --exit-on-idle --idle-timeout 2 --lossless
	--csv "$BUILD/cgnf.csv" --events "$BUILD/events.jsonl" --stats-json "$BUILD/stats.json"
	"$@"
)
# --events appends: start from an empty file so that the plot shows this run only.
rm -f "$BUILD/events.jsonl"
echo "run-default: ${command[*]}"
"${command[@]}"

if [[ -f scripts/plot.py ]]; then
	plot=("$PYTHON" scripts/plot.py "$BUILD/cgnf.csv" --events "$BUILD/events.jsonl" -o "$BUILD/cgnf.png")
	echo "run-default: ${plot[*]}"
	"${plot[@]}"
else
	echo "run-default: scripts/plot.py is absent: no plot"
fi
