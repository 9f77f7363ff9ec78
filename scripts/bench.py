#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""make bench: every figure of issue 5's table next to its baseline, measured
side by side in one run, printed as a table and written to build/bench.json.

Micro figures come from the bench programs linked with lib/ (build/bench/*),
the pipeline and idle figures from the real build/cgnf on the pcap PMD.
Benchmarks, not tests: nothing here asserts on time."""

import argparse
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
SHARED = os.environ.get("SHARED") or os.path.join(ROOT, "..", "shared")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from cgnf_pcap import decode_frame, read_pcap, write_pcap  # noqa: E402 (scripts/ is on the path now)

OLD_SYSTEM_REPORTS_PER_S = 9300  # ../shared/FACTS.md: the Python system, 5 workers, 2 cores

# issue 5's targets: (figure, target, True when lower is better)
TARGETS = {
    "parse_features_ns": (120, True),
    "tree_batch_ns": (10, True),
    "pair_table_update_ns": (40, True),
    "pipeline_reports_per_s": (3e6, False),
    "bytes_per_pair": (128, True),
    "idle_cpu_percent": (5, True),
}


def last_json_line(output):
    return json.loads([line for line in output.splitlines() if line.startswith("{")][-1])


def run_json(command):
    print("  $", " ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return last_json_line(result.stdout)


def spread(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def model_paths(work):
    """The real model when ../shared has it (exported to build/), else ours."""
    joblib = os.path.join(SHARED, "models", "DT_0.033.model")
    if os.path.exists(joblib):
        exported = os.path.join(work, "DT_0.033.json")
        subprocess.run([PYTHON, os.path.join(ROOT, "scripts", "export_model.py"), joblib, exported],
                       check=True, stderr=subprocess.DEVNULL)
        return exported, joblib, "DT_0.033.model (../shared)"
    default = os.path.join(ROOT, "model", "default.json")
    return default, default, "model/default.json"


def real_report_texts(work):
    """The texts of ../shared's real probe reports, one a line (in build/ only)."""
    pcap = os.path.join(SHARED, "parity", "probe_reports.pcap")
    if not os.path.exists(pcap):
        return None
    out = os.path.join(work, "real-reports.txt")
    with open(out, "wb") as f:
        for packet in read_pcap(pcap):
            decoded = decode_frame(packet.data)
            if decoded.reason is None:
                f.write(decoded.payload + b"\n")
    return out


def bench_micro(work, model_json, model_sklearn, pairs):
    def generate(name, ipv6_share):
        texts, pcap = os.path.join(work, name + ".txt"), os.path.join(work, name + ".pcap")
        subprocess.run([PYTHON, os.path.join(ROOT, "scripts", "gen_reports.py"), "--pairs", str(pairs),
                        "--ipv6-share", ipv6_share, "--seed", "1", "--texts", texts, "-o", pcap],
                       check=True, stdout=subprocess.DEVNULL)
        return texts, pcap

    texts, pcap = generate("reports", "0.2")
    texts_v4, _ = generate("reports-ipv4", "0")
    vectors = os.path.join(work, "vectors.bin")
    sklearn = run_json([PYTHON, os.path.join(ROOT, "scripts", "bench_sklearn.py"), model_sklearn,
                        "--write-vectors", vectors, "--runs", "5"])
    parse_bench = os.path.join(BUILD, "bench", "bench_parse")
    real = real_report_texts(work)
    return {
        "parse": run_json([parse_bench, texts]),
        "parse_ipv4": run_json([parse_bench, texts_v4]),
        "parse_real": run_json([parse_bench, real]) if real else None,
        "tree": run_json([os.path.join(BUILD, "bench", "bench_tree"), model_json, vectors]),
        "sklearn": sklearn,
        "pair_table": run_json([os.path.join(BUILD, "bench", "bench_pair_table")]),
    }, pcap


def cgnf_command(prefix, pcap, model, lcores, options, memory=1024):
    return [os.path.join(BUILD, "cgnf"), "--no-huge", "-m", str(memory), "--no-pci", "--file-prefix", prefix,
            "--lcores", lcores, "--log-level", "*:warning",
            "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--"] + \
        ["--model", model, "--quiet", "--stats-interval", "0", "--mbufs", "131072"] + options


def run_for_stats(command, stats_path, show):
    """Runs cgnf to its end (--duration) and returns its --stats-json."""
    if show:
        print("  $", " ".join(command), flush=True)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with open(stats_path) as f:
        return json.load(f)


def bench_pipeline(work, pcap, model, runs, seconds):
    """1 RX + 1 classifier + the aggregator on 2 CPUs: RX alone on CPU 1."""
    rates = []
    for index in range(runs):
        stats_path = os.path.join(work, f"pipeline-{index}.json")
        command = cgnf_command(f"cgnf-bench-{os.getpid()}-{index}", pcap, model, "0@0,1@1,2@0",
                               ["--rx", "1", "--classifiers", "1", "--lossless", "--duration", str(seconds),
                                "--lan", "192.168.0.0/16", "--stats-json", stats_path])
        stats = run_for_stats(command, stats_path, index == 0)
        rates.append(stats["reports"] / (stats["elapsed_ns"] / 1e9))
    return spread(rates)


def telemetry_hammer(prefix, command, stop, pause_s=0.001):
    """Asks command over the telemetry socket of the run in a loop, a
    millisecond apart (a client as busy as any monitoring: flat out, the
    client and telemetry's thread would measure their own CPU use on 2
    shared CPUs), until stop is set; returns how many answers came."""
    path = os.path.join("/var/run" if os.getuid() == 0 else os.environ.get("XDG_RUNTIME_DIR", "/tmp"),
                        "dpdk", prefix, "dpdk_telemetry.v2")
    deadline = time.monotonic() + 30
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    answers = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as client:
        try:
            client.connect(path)
            client.recv(1024)  # the server's greeting
            while not stop.is_set():
                client.send(command.encode())
                answers += b'"error"' not in client.recv(16384)
                time.sleep(pause_s)
        except OSError:
            pass  # cgnf ended its run (--duration) under the client's feet
    return answers


def bench_pairs_query(work, model, runs, seconds, pairs=100000):
    """The pipeline on a table of `pairs` pairs: alone, with /cgnf/lcores asked
    in a loop (what any telemetry client costs on 2 shared CPUs), and with
    /cgnf/pairs,1 asked in a loop (issue 10: it used to walk the table on the
    aggregator)."""
    pcap = os.path.join(work, "query.pcap")
    subprocess.run([PYTHON, os.path.join(ROOT, "scripts", "gen_reports.py"), "--pairs", str(pairs),
                    "--reports", str(2 * pairs), "--seed", "2", "-o", pcap], check=True, stdout=subprocess.DEVNULL)
    modes = {"plain": None, "telemetry": "/cgnf/lcores", "pairs": "/cgnf/pairs,1"}
    rates = {mode: [] for mode in modes}
    answers = []
    for index in range(runs):
        for mode, query in modes.items():
            prefix = f"cgnf-bench-query-{os.getpid()}-{index}-{mode}"
            stats_path = os.path.join(work, f"query-{index}-{mode}.json")
            command = cgnf_command(prefix, pcap, model, "0@0,1@1,2@0",
                                   ["--rx", "1", "--classifiers", "1", "--lossless", "--duration", str(seconds),
                                    "--lan", "192.168.0.0/16", "--stats-json", stats_path,
                                    "--mbufs", str(4 * pairs)], memory=2048)
            if index == 0:
                print("  $", " ".join(command), flush=True)
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            if query is not None:
                stop = threading.Event()
                result = []
                hammer = threading.Thread(target=lambda: result.append(telemetry_hammer(prefix, query, stop)))
                hammer.start()
            process.wait()
            if query is not None:
                stop.set()
                hammer.join()
                if mode == "pairs":
                    answers.append(result[0] / seconds if result else 0)
            with open(stats_path) as f:
                stats = json.load(f)
            rates[mode].append(stats["reports"] / (stats["elapsed_ns"] / 1e9))
    return {mode: spread(values) for mode, values in rates.items()}, spread(answers)


PROBE_PACKETS_PER_S = 2.4e6  # ../shared/FACTS.md: the upstream probe on this machine kind (not run here)


def testpmd_rxonly(pcap, mbufs, seconds):
    """The pcap PMD's own rate on the file (dpdk-testpmd --forward-mode=rxonly,
    one forwarding lcore alone on CPU 1): the limit any input stage shares."""
    command = ["dpdk-testpmd", "--no-huge", "-m", "2048", "--no-pci", "--file-prefix",
               f"cgnf-bench-testpmd-{os.getpid()}", "--lcores", "0@0,1@1", "--log-level", "*:warning",
               "--vdev", f"net_pcap0,rx_pcap={pcap},infinite_rx=1", "--", "--forward-mode=rxonly",
               "--stats-period", "1", "--total-num-mbufs", str(mbufs), "--auto-start"]
    print("  $", " ".join(command), flush=True)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(seconds + 4)  # its start-up copies the file into mbufs first
    process.send_signal(signal.SIGINT)  # testpmd's own clean stop: its output is flushed
    output = process.communicate(timeout=30)[0]
    rates = [int(m) for m in re.findall(r"Rx-pps:\s+(\d+)", output)]
    rates = [rate for rate in rates if rate > 0]
    return rates[1:] if len(rates) > 1 else rates  # the first period is partly start-up


def bench_traffic(work, model, runs, seconds, conversations=1000):
    """--input traffic on one RX lcore (alone on CPU 1), the file replayed from
    memory, beside the pcap PMD's rx-only rate on the same file."""
    pcap = os.path.join(work, "traffic.pcap")
    subprocess.run([PYTHON, os.path.join(ROOT, "scripts", "gen_traffic.py"), "-o", pcap, "--conversations",
                    str(conversations), "--seconds", "0.3"], check=True, stdout=subprocess.DEVNULL)
    mbufs = len(read_pcap(pcap)) + 16384
    rates, pmd = [], []
    for index in range(runs):
        stats_path = os.path.join(work, f"traffic-{index}.json")
        command = cgnf_command(f"cgnf-bench-traffic-{os.getpid()}-{index}", pcap, model, "0@0,1@1,2@0",
                               ["--input", "traffic", "--rx", "1", "--classifiers", "1", "--duration",
                                str(seconds), "--lan", "192.168.0.0/16", "--stats-json", stats_path,
                                "--mbufs", str(mbufs)], memory=2048)
        stats = run_for_stats(command, stats_path, index == 0)
        rates.append(stats["rx_packets"] / (stats["elapsed_ns"] / 1e9))
        pmd += testpmd_rxonly(pcap, mbufs, seconds)
    return spread(rates), spread(pmd or [0])


def bench_window_micro():
    """lib/window.c alone (tests/bench/bench_window.c): ns a packet with 1 000
    and 1 000 000 conversations, and the memory per conversation."""
    command = [os.path.join(BUILD, "bench", "bench_window"), "3", "1000000"]
    print("  $", " ".join(command), flush=True)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = {}
    for conversations, name in (("1000", "window_1k_ns"), ("1000000", "window_1m_ns")):
        match = re.search(rf"^\s*{conversations} conversations, bursts of 32: min\s+([\d.]+)\s+median\s+([\d.]+)"
                          rf"\s+max\s+([\d.]+)", output, re.M)
        figures[name] = {"min": float(match[1]), "median": float(match[2]), "max": float(match[3])}
    figures["window_bytes_per_flow_probe"] = float(re.findall(r"([\d.]+) bytes/conversation", output)[1])
    figures["window_bytes_per_flow_exact"] = float(re.search(r"exact mode.*?(\d+) bytes/conversation", output)[1])
    return figures


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_idle(work, model, seconds):
    """CPU used with no traffic: back-off against --busy-poll."""
    empty = os.path.join(work, "empty.pcap")
    write_pcap(empty, [])
    figures = {}
    for name, extra in (("idle_cpu_percent", []), ("busy_poll_cpu_percent", ["--busy-poll"])):
        command = cgnf_command(f"cgnf-idle-{os.getpid()}-{name}", empty, model, "(0-2)@(0-1)",
                               ["--idle-timeout", "1000"] + extra)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)  # start-up is not idle time
        before = cpu_seconds(process.pid)
        time.sleep(seconds)
        used = cpu_seconds(process.pid) - before
        process.terminate()
        process.wait(timeout=30)
        figures[name] = 100.0 * used / seconds
    return figures


def row(name, figure, baseline_name, baseline, ratio, target):
    def cell(value):
        if isinstance(value, dict):
            return f"{value['min']:>10.1f} {value['median']:>10.1f} {value['max']:>10.1f}"
        return f"{'':>10} {value:>10.1f} {'':>10}"
    print(f"{name:<34} {cell(figure)}   {baseline_name:<30} {baseline:>12}   {ratio:>8}   {target}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="pipeline runs (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=4, help="each pipeline run (default %(default)s)")
    parser.add_argument("--pairs", type=int, default=10000, help="distinct pairs in the inputs")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="bench-", dir=BUILD)
    model_json, model_sklearn, model_name = model_paths(work)
    print(f"cgnf bench on {platform.node()}: {os.cpu_count()} CPUs, model {model_name}")
    micro, pcap = bench_micro(work, model_json, model_sklearn, args.pairs)
    pipeline = bench_pipeline(work, pcap, model_json, args.runs, args.seconds)
    query_rates, query_answers = bench_pairs_query(work, model_json, 3, args.seconds)
    traffic, traffic_pmd = bench_traffic(work, model_json, 3, args.seconds)
    window_micro = bench_window_micro()
    idle = bench_idle(work, model_json, 3)

    parse, tree, sklearn, table = micro["parse"], micro["tree"], micro["sklearn"], micro["pair_table"]
    figures = {
        "parse_features_ns": parse["parse_features_ns"],
        "parse_features_ipv4_ns": micro["parse_ipv4"]["parse_features_ns"],
        "jansson_ns": parse["jansson_ns"],
        "tree_batch_ns": tree["burst32"],
        "tree_single_ns": tree["single"],
        "sklearn_batch_ns": sklearn["batch_float32"],
        "sklearn_single_ns": sklearn["single"],
        "pair_table_update_ns": table["update_burst_ns"],
        "pair_table_update_cyclic_ns": table["update_burst_cyclic_ns"],
        "pair_table_baseline_ns": table["baseline_ns"],
        "pipeline_reports_per_s": pipeline,
        "pipeline_100k_pairs_reports_per_s": query_rates["plain"],
        "pipeline_telemetry_loop_reports_per_s": query_rates["telemetry"],
        "pipeline_pairs_query_reports_per_s": query_rates["pairs"],
        "pairs_query_answers_per_s": query_answers,
        "traffic_packets_per_s": traffic,
        "pcap_pmd_rxonly_packets_per_s": traffic_pmd,
        **window_micro,
        "bytes_per_pair": table["bytes_per_pair"],
        **idle,
    }
    if micro["parse_real"]:
        figures["parse_features_real_ns"] = micro["parse_real"]["parse_features_ns"]

    def median(name):
        value = figures[name]
        return value["median"] if isinstance(value, dict) else value

    print()
    print(f"{'figure':<34} {'min':>10} {'median':>10} {'max':>10}   {'baseline (same run)':<30} "
          f"{'median':>12}   {'ratio':>8}   target")
    row("parse + features, ns (20% IPv6)", figures["parse_features_ns"], "jansson json_loadb + values",
        f"{median('jansson_ns'):.1f}", f"{median('jansson_ns') / median('parse_features_ns'):.1f}x",
        "<= 120 ns, >= 15x")
    row("  the same, IPv4 reports only", figures["parse_features_ipv4_ns"], "", "", "", "")
    if "parse_features_real_ns" in figures:
        row("  the same, real probe reports", figures["parse_features_real_ns"], "", "", "", "")
    row("tree predict, ns/report (bursts)", figures["tree_batch_ns"], "sklearn predict, batch 100k",
        f"{median('sklearn_batch_ns'):.1f}", f"{median('sklearn_batch_ns') / median('tree_batch_ns'):.1f}x",
        "<= 10 ns")
    row("tree predict, ns/report (single)", figures["tree_single_ns"], "sklearn predict, one row",
        f"{median('sklearn_single_ns'):.0f}",
        f"{median('sklearn_single_ns') / median('tree_single_ns'):.0f}x", "")
    row("pair table update, ns (1M, random)", figures["pair_table_update_ns"], "plain open addressing",
        f"{median('pair_table_baseline_ns'):.1f}",
        f"{median('pair_table_update_ns') / median('pair_table_baseline_ns'):.2f}x", "<= 40 ns")
    row("  the same, probe's cycle", figures["pair_table_update_cyclic_ns"], "", "", "", "")
    row("pipeline, reports/s", figures["pipeline_reports_per_s"], "old Python system",
        f"{OLD_SYSTEM_REPORTS_PER_S}", f"{median('pipeline_reports_per_s') / OLD_SYSTEM_REPORTS_PER_S:.0f}x",
        ">= 3 M/s, >= 320x")
    row("  100k pairs, nothing asked", figures["pipeline_100k_pairs_reports_per_s"], "", "", "", "")
    row("  100k pairs, /cgnf/lcores looped", figures["pipeline_telemetry_loop_reports_per_s"], "nothing asked",
        f"{median('pipeline_100k_pairs_reports_per_s'):.0f}",
        f"{median('pipeline_telemetry_loop_reports_per_s') / median('pipeline_100k_pairs_reports_per_s'):.2f}x",
        "")
    row("  100k pairs, /cgnf/pairs,1 looped", figures["pipeline_pairs_query_reports_per_s"], "nothing asked",
        f"{median('pipeline_100k_pairs_reports_per_s'):.0f}",
        f"{median('pipeline_pairs_query_reports_per_s') / median('pipeline_100k_pairs_reports_per_s'):.2f}x",
        ">= 0.83x (time <= 1.2x)")
    row("  /cgnf/pairs,1 answers/s meanwhile", figures["pairs_query_answers_per_s"], "", "", "", "")
    row("traffic input, packets/s (1 RX)", figures["traffic_packets_per_s"], "pcap PMD rx-only (testpmd)",
        f"{median('pcap_pmd_rxonly_packets_per_s'):.0f}",
        f"{median('traffic_packets_per_s') / max(median('pcap_pmd_rxonly_packets_per_s'), 1):.2f}x",
        ">= 0.6x")
    row("  the same against the probe", figures["traffic_packets_per_s"], "probe (FACTS.md, not run)",
        f"{PROBE_PACKETS_PER_S:.0f}", f"{median('traffic_packets_per_s') / PROBE_PACKETS_PER_S:.1f}x", "3-4x")
    row("window update, ns/packet, 1k flows", figures["window_1k_ns"], "", "", "", "")
    row("window update, ns/packet, 1M flows", figures["window_1m_ns"], "", "", "", "")
    row("memory, bytes per flow (probe)", figures["window_bytes_per_flow_probe"], "exact mode",
        f"{figures['window_bytes_per_flow_exact']:.0f}", "", "")
    row("memory, bytes per pair", figures["bytes_per_pair"], "", "", "", "<= 128 B")
    row("idle CPU, % of one core", figures["idle_cpu_percent"], "--busy-poll",
        f"{median('busy_poll_cpu_percent'):.1f}", "", "< 5 %")

    verdicts = {}
    for name, (target, lower_is_better) in TARGETS.items():
        value = median(name)
        verdicts[name] = {"median": value, "target": target,
                          "met": value <= target if lower_is_better else value >= target}
    missed = [name for name, verdict in verdicts.items() if not verdict["met"]]
    print()
    print("targets met:", len(verdicts) - len(missed), "of", len(verdicts),
          ("(missed: " + ", ".join(missed) + ")") if missed else "")
    result = {"machine": {"host": platform.node(), "cpus": os.cpu_count(), "kernel": platform.release()},
              "model": model_name, "figures": figures, "targets": verdicts,
              "old_system_reports_per_s": OLD_SYSTEM_REPORTS_PER_S}
    with open(os.path.join(BUILD, "bench.json"), "w") as f:
        json.dump(result, f, indent=2)
    print(f"written: {os.path.relpath(os.path.join(BUILD, 'bench.json'), ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
