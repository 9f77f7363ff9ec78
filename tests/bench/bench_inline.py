#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Inline forwarding rate, three ways in one run, on one forwarding lcore:

  cgnf --forward 0:1 --cg-dscp EF   windows, classification and marking
  cgnf --forward 0:1                the same binary, no marking
  dpdk-testpmd --forward-mode=io    plain forwarding

Port 0 replays a generated capture from memory (pcap PMD, infinite_rx),
port 1 is the null PMD (no RX; TX frees).  cgnf's RX lcore and testpmd's
forwarding lcore both get CPU 1 to themselves; cgnf's aggregator and
classifier share CPU 0 (--lcores '0@0,1@1,2@0').  Each figure is the median
of the per-second rates (cgnf's status line, testpmd's Tx-pps of port 1),
the first seconds left out; the runs alternate, --rounds times.  On a
shared machine the rates swing with the other processes: the forwarding
thread's own CPU time per packet (/proc, user + system) does not, and says
what each way costs.

    tests/bench/bench_inline.py [--conversations 400] [--seconds 8] [--rounds 2]

A benchmark prints figures; it asserts nothing (compare figures of one run
only: the machines differ by 2x)."""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from cgnf_pcap import read_pcap  # noqa: E402

WARMUP = 2
# The EAL names lcore 1's thread so: cgnf's RX lcore, testpmd's forwarding lcore.
FORWARDING_THREAD = "rte-worker-1"


def thread_cpu_s(pid, name):
    """CPU seconds (user + system) of the process's thread called name, or None."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                if f.read().strip() != name:
                    continue
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return None
    return None


def run_for(command, seconds, cpu):
    """Runs command, SIGINT after `seconds`; returns its stdout.  cpu: a dict
    given the forwarding thread's CPU seconds from WARMUP s to the end."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(WARMUP + 0.5)
    start = thread_cpu_s(process.pid, FORWARDING_THREAD)
    time.sleep(seconds - WARMUP - 0.5)
    end = thread_cpu_s(process.pid, FORWARDING_THREAD)
    cpu["seconds"] = end - start if start is not None and end is not None else None
    cpu["wall"] = seconds - WARMUP - 0.5
    process.send_signal(signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    if process.returncode not in (0, -signal.SIGINT, 130):
        sys.stderr.write(f"{command[0]} exited {process.returncode}:\n{stderr[-1500:]}\n")
    return stdout


def eal(prefix, pcap, lcores):
    return ["--no-huge", "-m", "1536", "--no-pci", "--file-prefix", prefix, "--lcores", lcores,
            "--log-level", "*:warning", "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1",
            "--vdev", "net_null0,no-rx=1"]


def cgnf_rate(pcap, seconds, marking, stats_path):
    command = [os.path.join(BUILD, "cgnf"), *eal(f"bench-inline-{os.getpid()}", pcap, "0@0,1@1,2@0"), "--",
               "--model", os.path.join(ROOT, "model", "default.json"), "--input", "traffic",
               "--lan", "192.168.0.0/16", "--forward", "0:1", "--quiet", "--stats-interval", "1",
               "--stats-json", stats_path, "--verdict-min-reports", "5", "--verdict-window", "10"]
    if marking:
        command += ["--cg-dscp", "EF"]
    cpu = {}
    out = run_for(command, seconds, cpu)
    rates = [int(m.group(1)) for m in re.finditer(r"rx_packets (\d+)/s", out)][WARMUP:]
    with open(stats_path) as f:
        stats = json.load(f)
    return statistics.median(rates) if rates else 0, cpu_ns_per_packet(cpu, rates), stats


def cpu_ns_per_packet(cpu, rates):
    """The forwarding thread's CPU time per packet over the measured seconds
    (at the median rate): what other processes on the CPU take is not counted."""
    if not cpu.get("seconds") or not rates:
        return 0
    return cpu["seconds"] * 1e9 / (statistics.median(rates) * cpu["wall"])


def testpmd_rate(pcap, seconds, mbufs):
    command = ["dpdk-testpmd", *eal(f"bench-testpmd-{os.getpid()}", pcap, "0@0,1@1"), "--",
               "--forward-mode=io", "--auto-start", "--stats-period", "1", f"--total-num-mbufs={mbufs}"]
    cpu = {}
    out = run_for(command, seconds, cpu)
    # Each period prints port 0's then port 1's block; port 1's Tx-pps is what left.
    tx = [int(v) for v in re.findall(r"Tx-pps:\s+(\d+)", out)][1::2][WARMUP:]
    return (statistics.median(tx) if tx else 0), cpu_ns_per_packet(cpu, tx)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=400)
    parser.add_argument("--traffic-seconds", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = os.path.join(BUILD, "bench-inline")
    os.makedirs(work, exist_ok=True)
    pcap = os.path.join(work, "traffic.pcap")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_traffic.py"), "-o", pcap,
                    "--conversations", str(args.conversations), "--seconds", str(args.traffic_seconds)],
                   check=True, stdout=subprocess.DEVNULL)
    frames = len(read_pcap(pcap))
    figures = {"marking": [], "no_marking": [], "testpmd_io": []}
    cpu = {key: [] for key in figures}
    last = {}
    for _ in range(args.rounds):
        for key, marking in (("marking", True), ("no_marking", False)):
            rate, ns, last[key] = cgnf_rate(pcap, args.seconds, marking, os.path.join(work, f"{key}.json"))
            figures[key].append(rate)
            cpu[key].append(ns)
        rate, ns = testpmd_rate(pcap, args.seconds, frames + 32768)
        figures["testpmd_io"].append(rate)
        cpu["testpmd_io"].append(ns)
    print(f"capture: {frames} frames, {args.conversations} conversations ({pcap}), infinite_rx; "
          f"{args.seconds:g} s a run, {args.rounds} round(s)")
    best = {key: max(values) for key, values in figures.items()}
    least = {key: min((v for v in values if v > 0), default=0) for key, values in cpu.items()}
    for key, values in figures.items():
        ratio = best[key] / best["testpmd_io"] if best["testpmd_io"] else 0
        cpu_ratio = least["testpmd_io"] / least[key] if least[key] else 0
        print(f"{key:12s} {best[key] / 1e6:7.3f} Mpps best (runs: {', '.join(f'{v / 1e6:.3f}' for v in values)}) "
              f"= {ratio * 100:5.1f} % of testpmd io; CPU {least[key]:6.1f} ns a packet "
              f"(runs: {', '.join(f'{v:.1f}' for v in cpu[key])}) = {cpu_ratio * 100:5.1f} % of testpmd io's rate")
    for key in ("marking", "no_marking"):
        stats = last[key]
        print(f"{key:12s} last run: forwarded {stats['forwarded']}, marked {stats['marked']}, "
              f"tx_full {stats['tx_full']}, cg_pairs {stats['cg_pairs']}, windows_closed {stats['windows_closed']}, "
              f"mark_delay_mean_ns {stats['mark_delay_mean_ns']}, mark_delay_max_ns {stats['mark_delay_max_ns']}")


if __name__ == "__main__":
    main()
