#!/usr/bin/python3
"""Figures of the exporters (--metrics, --redis), from the real build/cgnf on
the pcap PMD replaying a file from memory, and a local redis-server started
here (no persistence).  Prints figures; asserts nothing.

  1. pipeline reports/s with and without --redis, runs alternated (the
     bench.py pipeline command: 1 RX lcore alone on CPU 1, classifier and
     aggregator on CPU 0, --lossless --duration S);
  2. Redis sink pair updates/s: 100 000 pairs replayed, every pair changed
     between two snapshots, --redis-interval 0.1: redis_pair_updates per
     second between two scrapes of /metrics;
  3. Redis sink events/s: 2 000 pairs through a table of 100 with
     --verdict-min-reports 1: each report evicts a pair and gives the new
     one a verdict, two events, more than the sink sends: redis_events per
     second (its capacity), and redis_dropped per second beside it.

  In 2 and 3 every lcore is on CPU 0 ('(0-2)@0'), so that DPDK puts the
  control threads (the Redis sink's among them) on CPU 1, which they share
  with redis-server: the sink's figure, not the datapath's;
  4. /metrics scrapes/s: one client, keep-alive, for 2 s, during a replay,
     and the CPU time of the server's thread (MHD-single) per scrape.

    scripts/bench_exporters.py [--runs N] [--seconds S]"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
PYTHON = os.environ.get("PYTHON", sys.executable)
MODEL = os.path.join(ROOT, "model", "default.json")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate(work, name, *args):
    pcap = os.path.join(work, name + ".pcap")
    subprocess.run([PYTHON, os.path.join(ROOT, "scripts", "gen_reports.py"), "-o", pcap] + list(args),
                   check=True, stdout=subprocess.DEVNULL)
    return pcap


def cgnf_command(prefix, pcap, lcores, options, memory=1024, mbufs=131072):
    return [os.path.join(BUILD, "cgnf"), "--no-huge", "-m", str(memory), "--no-pci", "--file-prefix", prefix,
            "--lcores", lcores, "--log-level", "*:warning",
            "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--"] + \
        ["--model", MODEL, "--quiet", "--stats-interval", "0", "--mbufs", str(mbufs)] + options


def scrape(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    connection.close()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "{" not in line:
            name, value = line.split(" ")
            values[name] = float(value)
    return time.monotonic(), values


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"no /healthz on port {port}")


class RedisServer:
    def __init__(self, work):
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="redis-", dir=work)
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--dir", self.directory, "--save", "", "--appendonly", "no"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def flush(self):
        subprocess.run(["redis-cli", "-p", str(self.port), "FLUSHALL"], check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


def pipeline(work, pcap, redis, runs, seconds):
    """reports/s with and without --redis, alternated."""
    rates = {"off": [], "on": []}
    for index in range(runs):
        for mode in ("off", "on"):
            stats_path = os.path.join(work, f"pipeline-{mode}-{index}.json")
            options = ["--rx", "1", "--classifiers", "1", "--lossless", "--duration", str(seconds),
                       "--lan", "192.168.0.0/16", "--stats-json", stats_path]
            if mode == "on":
                options += ["--redis", f"127.0.0.1:{redis.port}", "--instance", "bench"]
            command = cgnf_command(f"cgnf-bx-{os.getpid()}-{mode}-{index}", pcap, "0@0,1@1,2@0", options)
            if index == 0:
                print("  $", " ".join(command), flush=True)
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            with open(stats_path) as f:
                stats = json.load(f)
            rates[mode].append(stats["reports"] / (stats["elapsed_ns"] / 1e9))
            if mode == "on":
                print(f"    run {index}: redis_pair_updates {stats['redis_pair_updates']}, "
                      f"redis_events {stats['redis_events']}, redis_dropped {stats['redis_dropped']}")
            redis.flush()
    return rates


def sink_rate(work, pcap, redis, extra, seconds, label, mbufs, memory):
    """Counters per second between two scrapes, seconds apart, after a warm-up."""
    port = free_port()
    command = cgnf_command(f"cgnf-bx-{os.getpid()}-{label}", pcap, "(0-2)@0",
                           ["--rx", "1", "--classifiers", "1", "--lan", "192.168.0.0/16",
                            "--redis", f"127.0.0.1:{redis.port}", "--instance", "bench",
                            "--metrics", str(port)] + extra, memory=memory, mbufs=mbufs)
    print("  $", " ".join(command), flush=True)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        time.sleep(3)
        t0, v0 = scrape(port)
        time.sleep(seconds)
        t1, v1 = scrape(port)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    redis.flush()
    elapsed = t1 - t0
    return {name: (v1[name] - v0[name]) / elapsed for name in
            ("cgnf_redis_pair_updates_total", "cgnf_redis_events_total", "cgnf_redis_dropped_total",
             "cgnf_reports_total", "cgnf_redis_errors_total")}


def thread_cpu_seconds(pid, name):
    """CPU seconds of the threads of pid called name (/proc/PID/task/*/stat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.index("(") + 1:stat.rindex(")")] == name:
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def scrape_rate(work, pcap, seconds=2.0):
    port = free_port()
    command = cgnf_command(f"cgnf-bx-{os.getpid()}-scrape", pcap, "0@0,1@1,2@0",
                           ["--rx", "1", "--classifiers", "1", "--metrics", str(port)])
    print("  $", " ".join(command), flush=True)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        time.sleep(1)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        count, size = 0, 0
        server_before = thread_cpu_seconds(process.pid, "MHD-single")
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            connection.request("GET", "/metrics")
            response = connection.getresponse()
            size = len(response.read())
            if response.status != 200:
                raise RuntimeError(f"/metrics: {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            count += 1
        elapsed = time.monotonic() - start
        server = thread_cpu_seconds(process.pid, "MHD-single") - server_before
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return count / elapsed, size, server / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="pipeline runs of each kind (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=4, help="each pipeline run (default %(default)s)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-exporters-", dir=BUILD)
    redis = RedisServer(work)
    try:
        print("1. pipeline with and without --redis (10 000 pairs, 20% IPv6)")
        pcap = generate(work, "reports", "--pairs", "10000", "--ipv6-share", "0.2", "--seed", "1")
        rates = pipeline(work, pcap, redis, args.runs, args.seconds)
        for mode in ("off", "on"):
            values = sorted(rates[mode])
            print(f"   --redis {mode:<3}: reports/s min {values[0]:.0f}  median {values[len(values) // 2]:.0f}"
                  f"  max {values[-1]:.0f}")
        print(f"   ratio on/off (medians): "
              f"{sorted(rates['on'])[len(rates['on']) // 2] / sorted(rates['off'])[len(rates['off']) // 2]:.3f}")

        print("2. Redis sink, pair updates/s (100 000 pairs, all changed between snapshots)")
        many = generate(work, "many", "--pairs", "100000", "--reports", "200000", "--seed", "2")
        figures = sink_rate(work, many, redis, ["--redis-interval", "0.1", "--max-pairs", "200000"], 5,
                            "pairs", mbufs=262144, memory=1536)
        print(f"   redis_pair_updates/s {figures['cgnf_redis_pair_updates_total']:.0f}  "
              f"(reports/s {figures['cgnf_reports_total']:.0f}, errors/s {figures['cgnf_redis_errors_total']:.1f})")

        print("3. Redis sink, events/s (2 000 pairs through a table of 100: an eviction and a verdict a report)")
        churn = generate(work, "churn", "--pairs", "2000", "--reports", "40000", "--seed", "3")
        figures = sink_rate(work, churn, redis, ["--verdict-window", "1", "--verdict-min-reports", "1",
                                                 "--max-pairs", "100", "--redis-interval", "1"], 5, "events",
                            mbufs=131072, memory=1024)
        print(f"   redis_events/s {figures['cgnf_redis_events_total']:.0f}  "
              f"(redis_dropped/s {figures['cgnf_redis_dropped_total']:.0f}, "
              f"reports/s {figures['cgnf_reports_total']:.0f})")

        print("4. /metrics scrapes/s (one client, keep-alive, 2 s, during a replay)")
        per_second, size, server = scrape_rate(work, pcap)
        print(f"   {per_second:.0f} scrapes/s ({1e6 / per_second:.0f} us each with the client, "
              f"{1e6 * server:.0f} us of the server thread's CPU; {size} bytes a page)")
    finally:
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
