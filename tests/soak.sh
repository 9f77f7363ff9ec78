#!/usr/bin/env bash
# Soak test (make soak, not make test): cgnf at full rate for SOAK_SECONDS
# (default 60) on a small pcap of many pairs replayed forever, without
# --lossless, with a status line every second.  Every 5 s it samples the
# process's VmRSS and CPU time, and counts the reports of the status lines
# so far; then it stops cgnf with SIGTERM and prints the samples.
#
# Fails when RSS grew more than 5 % after the first 10 s, when throughput
# fell more than 30 % from the first third of the run to the last, when
# cgnf exits non-zero or leaves mbufs out of its pool, or when
# rx_packets != reports + sum(dropped) or the table does not hold exactly
# the reports.  Throughput is judged in reports per CPU second of cgnf, so
# that other work on a shared machine, which takes CPU from cgnf, is not
# taken for a slowdown of cgnf, and compared as the median of each third, so
# that a few seconds of contention do not decide; reports per wall second
# are printed too.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
SOAK_SECONDS=${SOAK_SECONDS:-60}
SAMPLE_SECONDS=5

work=$BUILD/soak
mkdir -p "$work"
pcap=$work/pairs.pcap
status_log=$work/status.log
samples=$work/samples.txt
log=$work/cgnf.log
rm -f "$status_log" "$samples" "$log" "$work/stats.json" "$work/pairs.csv"

"$PYTHON" scripts/gen_reports.py --pairs 2000 --seed 12 -o "$pcap" >/dev/null || exit 1
# 8000 packets: the pcap PMD's infinite_rx needs as many mbufs as the file has packets.
command=(
	"$BUILD/cgnf" --no-huge -m 1024 --no-pci --file-prefix "cgnf-soak-$$"
	--lcores '(0-3)@(0-1)' --log-level '*:warning' --log-level 'cgnf.port:info'
	--vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1"
	--
	--model model/default.json --lan 192.168.0.0/16 --rx 1 --classifiers 2
	--mbufs 16384 --max-pairs 100000 --stats-interval 1 --quiet
	--csv "$work/pairs.csv" --stats-json "$work/stats.json"
)
echo "soak: ${command[*]}"
"${command[@]}" >"$status_log" 2>"$log" &
pid=$!

# One sample: seconds since start, VmRSS kB, CPU ticks (utime + stime), status lines so far.
sample() {
	local rss ticks
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || return 1
	# Fields after the command name, which is in parentheses: utime and stime are 12 and 13.
	ticks=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || return 1
	[[ -n $rss && -n $ticks ]] || return 1
	echo "$((SECONDS - start)) $rss $ticks $(wc -l <"$status_log")" >>"$samples"
}

start=$SECONDS
sleep 1
sample || { echo "soak: FAIL cgnf ended early"; tail -n 20 "$log"; exit 1; }
while ((SECONDS - start < SOAK_SECONDS)); do
	sleep "$SAMPLE_SECONDS"
	sample || { echo "soak: FAIL cgnf ended early"; tail -n 20 "$log"; exit 1; }
done
kill -TERM "$pid"
wait "$pid"
rc=$?

"$PYTHON" - "$samples" "$status_log" "$work/stats.json" "$work/pairs.csv" "$log" "$rc" "$(getconf CLK_TCK)" <<'EOF'
import csv, json, os, re, statistics, sys

samples_path, status_path, stats_path, csv_path, log_path, rc, clk_tck = sys.argv[1:]
RSS_GROWTH_MAX, THROUGHPUT_FALL_MAX = 5.0, 30.0
failures = []

rates = [int(m.group(1)) for m in map(re.compile(r"reports (\d+)/s").search, open(status_path)) if m]
samples = [tuple(int(v) for v in line.split()) for line in open(samples_path)]
# Each status line covers one second: its rate is that second's reports.
cumulative = [sum(rates[:lines]) for _, _, _, lines in samples]
rows = []
print(f"{'t (s)':>6} {'VmRSS (kB)':>11} {'CPU %':>6} {'reports/s':>10} {'reports/CPU s':>14}")
for i in range(1, len(samples)):
    (t0, _, ticks0, _), (t1, rss, ticks1, _) = samples[i - 1], samples[i]
    reports = cumulative[i] - cumulative[i - 1]
    cpu_s = (ticks1 - ticks0) / int(clk_tck)
    rows.append((t1, rss, reports / max(t1 - t0, 1), reports / cpu_s if cpu_s else 0))
    print(f"{t1:6d} {rss:11d} {cpu_s * 100 / max(t1 - t0, 1):6.0f} {rows[-1][2]:10.0f} {rows[-1][3]:14.0f}")

late = [rss for t, rss, _, _ in samples if t >= 10]
if late:
    growth = (max(late) - late[0]) * 100 / late[0]
    print(f"soak: VmRSS {late[0]} kB at 10 s, {max(late)} kB at most after: {growth:+.2f} % (max {RSS_GROWTH_MAX} %)")
    if growth > RSS_GROWTH_MAX:
        failures.append(f"RSS grew {growth:.2f} %")
else:
    failures.append("no RSS sample after 10 s: SOAK_SECONDS too short")

third = len(rows) // 3
if third:
    for column, name in ((2, "reports/s"), (3, "reports per CPU second")):
        first = statistics.median(r[column] for r in rows[:third])
        last = statistics.median(r[column] for r in rows[-third:])
        fall = (first - last) * 100 / first if first else 100.0
        print(f"soak: {name}, median of the first third {first:.0f}, of the last third {last:.0f}: {-fall:+.2f} %")
    if fall > THROUGHPUT_FALL_MAX:
        failures.append(f"throughput per CPU second fell {fall:.2f} % (max {THROUGHPUT_FALL_MAX} %)")
else:
    failures.append("too few samples to compare throughput: SOAK_SECONDS too short")

if rc != "0":
    failures.append(f"cgnf exited {rc}")
if "every mbuf is back in the pool" not in open(log_path).read():
    failures.append("cgnf did not report every mbuf back in its pool")
if os.path.exists(stats_path) and os.path.exists(csv_path):
    stats = json.load(open(stats_path))
    table = sum(int(r["cg"]) + int(r["ncg"]) for r in csv.DictReader(open(csv_path)))
    dropped = sum(stats["dropped"].values())
    print(f"soak: rx_packets {stats['rx_packets']}, reports {stats['reports']}, dropped {dropped} "
          f"(ring_full {stats['dropped']['ring_full']}), table {table}, pairs {stats['pairs']}")
    if stats["rx_packets"] != stats["reports"] + dropped or table != stats["reports"]:
        failures.append("accounting broken")
else:
    failures.append("no stats JSON or CSV written")

for failure in failures:
    print(f"soak: FAIL {failure}")
print("soak: passed" if not failures else "soak: failed")
sys.exit(1 if failures else 0)
EOF
