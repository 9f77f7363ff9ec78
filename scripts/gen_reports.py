#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes a pcap of synthetic probe reports (scripts/traffic.py's models).

    scripts/gen_reports.py -o OUT.pcap [--conversations N | --pairs N]
                           [--duration S | --reports N] [options]

One UDP datagram per conversation per 33 ms window with traffic, from the
probe's address to the report port, the JSON text printed as the probe
prints it.  The same options and seed give the same bytes.
"""

import argparse
import collections
import csv
import ipaddress
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bad_packets  # noqa: E402
import cgnf_pcap as pcap  # noqa: E402
import traffic  # noqa: E402

EPILOG = """\
kinds: %s

The bundled config/demo-reports.pcap was made with:
  scripts/gen_reports.py --conversations 30 --duration 9 --ipv6-share 0.1 \\
      --reverse-share 0.2 --vlan-share 0.05 --ip-options-share 0.02 --bad 6 \\
      --seed 2024 -o config/demo-reports.pcap
""" % ", ".join(traffic.KINDS)

DEFAULT_MIX = "cloud_gaming=2,voip,online_game,visio,vod_streaming,bulk_download,dns"
DEFAULT_LAN = ["192.168.0.0/16", "fd00::/8"]
EPOCH_US = 1700000000 * 1000000
PROBE_SOURCE_PORT = 40000

# Rough share of a conversation's windows that carry a report, to size the
# conversations when a number of reports is asked for (kind_reports).
ACTIVITY = {"vod_streaming": 0.5, "dns": 0.06}

# Above this many windows per kind, conversations replay stretches of a
# simulated pool instead of being simulated one by one (memory and time).
POOL_WINDOWS = 20000
POOL_CONVERSATIONS = 64

# Public-looking IPv4 servers avoid these (and the LAN prefixes).
RESERVED_V4 = [ipaddress.ip_network(text) for text in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/3")]
SERVER_V6_PREFIX = ipaddress.ip_network("2a00::/12")


def parse_mix(text):
    """'cloud_gaming=2,voip,dns=0.5' -> {kind: weight}."""
    mix = {}
    for item in text.split(","):
        name, _, weight = item.strip().partition("=")
        if name not in traffic.KINDS:
            raise ValueError(f"unknown kind {name!r} (kinds: {', '.join(traffic.KINDS)})")
        mix[name] = float(weight) if weight else 1.0
        if mix[name] < 0:
            raise ValueError(f"negative weight for {name}")
    if sum(mix.values()) <= 0:
        raise ValueError("the mix has no weight")
    return mix


def assign_kinds(mix, n, rng):
    """n kinds in the mix's proportions (largest remainder, so that a small n
    still sees every kind with a fair weight), shuffled."""
    names = list(mix)
    weights = np.array([mix[name] for name in names])
    exact = weights / weights.sum() * n
    counts = np.floor(exact).astype(np.int64)
    for index in np.argsort(-(exact - counts), kind="stable")[:n - counts.sum()]:
        counts[index] += 1
    kinds = np.repeat(np.arange(len(names)), counts)
    rng.shuffle(kinds)
    return [names[index] for index in kinds]


# Addresses ---------------------------------------------------------------------


def _v4_text(values):
    return ["%d.%d.%d.%d" % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255) for v in values.tolist()]


def _in_networks_v4(values, networks):
    inside = np.zeros(values.size, dtype=bool)
    for network in networks:
        mask = int(network.netmask)
        inside |= (values & mask) == int(network.network_address)
    return inside


def _random_below(rng, bound):
    """A Python int in [0, bound), for bounds beyond 64 bits."""
    value = 0
    for word in rng.integers(0, 1 << 32, 5).tolist():
        value = value << 32 | word
    return value % bound


def draw_clients(rng, networks, n):
    """n host addresses (text) inside the networks, all distinct while the
    networks hold enough of them."""
    sizes = np.array([min(network.num_addresses, 1 << 62) for network in networks], dtype=np.float64)
    choice = rng.choice(len(networks), n, p=sizes / sizes.sum())
    texts = [None] * n
    for index, network in enumerate(networks):
        where = np.flatnonzero(choice == index)
        hosts = network.num_addresses - 2
        if hosts < 1:
            raise ValueError(f"--lan {network} holds no host address")
        base = int(network.network_address)
        if network.version == 4:
            offsets = (rng.choice(hosts, where.size, replace=False) if where.size <= hosts
                       else rng.integers(0, hosts, where.size)) + 1
            values = _v4_text(base + offsets)
        else:
            values = [str(ipaddress.IPv6Address(base + 1 + _random_below(rng, hosts))) for _ in range(where.size)]
        for slot, text in zip(where.tolist(), values):
            texts[slot] = text
    return texts


def draw_servers_v4(rng, n, lan):
    """n distinct public-looking IPv4 addresses outside the LAN."""
    avoid = RESERVED_V4 + [network for network in lan if network.version == 4]
    found = np.zeros(0, dtype=np.int64)
    while found.size < n:
        values = rng.integers(0x01000000, 0xE0000000, int(n * 1.3) + 64)
        values = values[~_in_networks_v4(values, avoid)]
        values = np.concatenate([found, values])
        _, first = np.unique(values, return_index=True)
        found = values[np.sort(first)]
    return _v4_text(found[:n])


def draw_servers_v6(rng, n):
    base = int(SERVER_V6_PREFIX.network_address)
    servers, seen = [], set()
    while len(servers) < n:
        value = base + (int(rng.integers(0, 1 << 52)) << 64 | int(rng.integers(1, 1 << 62)))
        if value not in seen:
            seen.add(value)
            servers.append(str(ipaddress.IPv6Address(value)))
    return servers


# Windows -----------------------------------------------------------------------


class Pool:
    """Long simulated conversations of one kind whose stretches large sets of
    conversations replay (the time and memory of a packet-level simulation
    grow with the windows simulated)."""

    def __init__(self, kind, spans_windows, rng):
        self.count = len(spans_windows)
        self.length = np.asarray(spans_windows, dtype=np.int64)
        self.stats = traffic.simulate(kind, self.length * traffic.WINDOW_US, rng)
        # Rows of pool conversation p: first_row[p] .. first_row[p + 1] - 1.
        self.first_row = np.searchsorted(self.stats.conv, np.arange(self.count + 1))

    @classmethod
    def shared(cls, kind, rng):
        count = POOL_CONVERSATIONS
        return cls(kind, np.full(count, math.ceil(POOL_WINDOWS / count)), rng)

    def random_starts(self, rng, n):
        """For n conversations: a pool conversation each and the rank of a
        window with traffic in it to start from."""
        source = rng.integers(0, self.count, n)
        rows = self.first_row[source + 1] - self.first_row[source]
        return source, (rng.random(n) * rows).astype(np.int64)

    def replay_span(self, source, start_rank, spans_windows):
        """Every window of the span from the start, wrapping around the pool
        conversation; silent windows give no row."""
        length = self.length[source]
        start_window = self.stats.window[self.first_row[source] + start_rank]
        row_of_window = np.full(int(self.length.sum()), -1, dtype=np.int64)
        base = np.cumsum(self.length) - self.length
        row_of_window[base[self.stats.conv] + self.stats.window] = np.arange(self.stats.conv.size)
        conv, index = traffic.positions(spans_windows)
        rows = row_of_window[base[source[conv]] + (start_window[conv] + index) % length[conv]]
        keep = rows >= 0
        return traffic.WindowStats(conv[keep], index[keep], self.stats.up[rows[keep]], self.stats.down[rows[keep]])

    def replay_reports(self, source, start_rank, targets):
        """targets[c] consecutive windows with traffic, wrapping around."""
        first = self.first_row[source]
        rows_in = self.first_row[source + 1] - first
        conv, index = traffic.positions(targets)
        laps, rank = np.divmod(start_rank[conv] + index, rows_in[conv])
        rows = first[conv] + rank
        window = (self.stats.window[rows] - self.stats.window[first[conv] + start_rank[conv]]
                  + laps * self.length[source[conv]])
        return traffic.WindowStats(conv, window, self.stats.up[rows], self.stats.down[rows])


def kind_windows(kind, spans_windows, rng):
    """Non-silent windows of conversations of one kind, each spans_windows
    long.  Small sets are simulated as they are; large ones replay stretches
    of a shared pool, each from a window with traffic."""
    if spans_windows.sum() <= POOL_WINDOWS:
        return traffic.simulate(kind, spans_windows * traffic.WINDOW_US, rng)
    pool = Pool.shared(kind, rng)
    return pool.replay_span(*pool.random_starts(rng, spans_windows.size), spans_windows)


def kind_reports(kind, targets, rng):
    """Exactly targets[c] reports for each conversation of one kind.  The
    conversations are sized from the kind's activity; the rare one that is
    still short replays its own beginning."""
    spans = np.ceil(targets / ACTIVITY.get(kind, 1.0) * 1.3).astype(np.int64) + 1
    if spans.sum() <= POOL_WINDOWS:
        pool = Pool(kind, spans, rng)
        source, start_rank = np.arange(targets.size), np.zeros(targets.size, dtype=np.int64)
    else:
        pool = Pool.shared(kind, rng)
        source, start_rank = pool.random_starts(rng, targets.size)
    return pool.replay_reports(source, start_rank, targets)


def simulate_all(kinds, sizes, seed_sequences, per_kind):
    """Windows of every conversation, sorted by (conv, window): per_kind is
    kind_windows (sizes are spans) or kind_reports (sizes are report counts)."""
    kinds = np.array(kinds)
    parts = []
    for kind_index, kind in enumerate(traffic.KINDS):
        members = np.flatnonzero(kinds == kind)
        if members.size == 0:
            continue
        stats = per_kind(kind, sizes[members], np.random.default_rng(seed_sequences[kind_index]))
        parts.append(traffic.WindowStats(members[stats.conv], stats.window, stats.up, stats.down))
    conv = np.concatenate([p.conv for p in parts])
    window = np.concatenate([p.window for p in parts])
    order = np.lexsort((window, conv))
    return traffic.WindowStats(conv[order], window[order], np.concatenate([p.up for p in parts])[order],
                               np.concatenate([p.down for p in parts])[order])


# Output ------------------------------------------------------------------------


Reports = collections.namedtuple("Reports", "kinds clients servers reversed conv times first_half second_half")


def plan_reports(args, plan_rng, address_rng, time_rng, kind_seeds):
    """Every report of the run, in time order, as numbers (texts come later,
    a chunk at a time)."""
    lan = [ipaddress.ip_network(text) for text in args.lan]
    n = args.pairs or args.conversations
    kinds = assign_kinds(parse_mix(args.kinds), n, plan_rng)
    is_v6 = plan_rng.random(n) < args.ipv6_share
    reversed_ = plan_rng.random(n) < args.reverse_share
    clients = [None] * n
    servers = [None] * n
    for version, members in ((4, np.flatnonzero(~is_v6)), (6, np.flatnonzero(is_v6))):
        if members.size == 0:
            continue
        networks = [network for network in lan if network.version == version]
        if not networks:
            raise ValueError(f"IPv{version} conversations need an IPv{version} --lan prefix")
        drawn_clients = draw_clients(address_rng, networks, members.size)
        drawn_servers = (draw_servers_v4(address_rng, members.size, lan) if version == 4
                         else draw_servers_v6(address_rng, members.size))
        for slot, client, server in zip(members.tolist(), drawn_clients, drawn_servers):
            clients[slot], servers[slot] = client, server

    if args.reports is not None:
        targets = np.full(n, args.reports // n, dtype=np.int64)
        targets[:args.reports % n] += 1
        starts = plan_rng.uniform(0, traffic.WINDOW_US, n)
        stats = simulate_all(kinds, targets, kind_seeds, kind_reports)
    else:
        duration_us = args.duration * 1e6
        starts = plan_rng.uniform(0, min(1e6, duration_us / 10), n)
        spans = np.maximum(np.floor((duration_us - starts) / traffic.WINDOW_US), 1).astype(np.int64)
        stats = simulate_all(kinds, spans, kind_seeds, kind_windows)

    # The probe flushes every conversation at the end of its window, a few
    # microseconds apart.
    times = (EPOCH_US + np.rint(starts[stats.conv] + (stats.window + 1) * traffic.WINDOW_US
                                + time_rng.uniform(0, 300, stats.conv.size))).astype(np.int64)
    order = np.argsort(times, kind="stable")
    conv = stats.conv[order]
    # A reversed report names the server first: its first half is what the
    # server sent.
    flip = reversed_[conv][:, None]
    up, down = stats.up[order], stats.down[order]
    return Reports(kinds, clients, servers, reversed_, conv, times[order],
                   np.where(flip, down, up), np.where(flip, up, down))


def iter_texts(reports, chunk=65536):
    for start in range(0, reports.conv.size, chunk):
        part = slice(start, start + chunk)
        halves = traffic.format_halves(reports.first_half[part], reports.second_half[part])
        for conv, text in zip(reports.conv[part].tolist(), halves):
            src, dst = reports.clients[conv], reports.servers[conv]
            if reports.reversed[conv]:
                src, dst = dst, src
            yield traffic.report_text(src, 0, dst, 0, text)


def _written(texts, path):
    """Passes the texts on, writing each as a line of path."""
    with open(path, "w") as out:
        for text in texts:
            out.write(text + "\n")
            yield text


def iter_packets(args, reports, texts, frame_rng, bad_rng):
    """The report frames in time order, with the --bad packets among them."""
    target = "::1" if ipaddress.ip_address(args.probe).version == 6 else "127.0.0.1"
    builder = pcap.FrameBuilder(args.probe, target, PROBE_SOURCE_PORT, args.udp_port)
    count = reports.conv.size
    vlan_of_conv = frame_rng.integers(1, 4095, len(reports.kinds)).tolist()
    tagged = (frame_rng.random(count) < args.vlan_share).tolist()
    with_options = (frame_rng.random(count) < args.ip_options_share).tolist()
    options = b"\x94\x04\x00\x00"  # Router Alert, the option most often seen on the wire

    bad_at = {}
    if args.bad:
        probe = ipaddress.ip_address(args.probe)
        addresses = {"udp_port": args.udp_port, "probe6" if probe.version == 6 else "probe": args.probe}
        bad = bad_packets.dropped_frames(bad_packets.build_catalogue(**addresses))
        # Fewer than the catalogue: spread over it, so that a handful still
        # shows many reasons.  More: every case in turn.
        for number, position in enumerate(np.sort(bad_rng.integers(0, count + 1, args.bad)).tolist()):
            pick = number * len(bad) // args.bad if args.bad <= len(bad) else number % len(bad)
            bad_at.setdefault(position, []).append(bad[pick][2])

    time_us = EPOCH_US
    for index, (text, conv) in enumerate(zip(texts, reports.conv.tolist())):
        for frame in bad_at.get(index, ()):
            yield pcap.Packet(time_us, frame)
        time_us = int(reports.times[index])
        yield pcap.Packet(time_us, builder.frame(text.encode(), vlan=vlan_of_conv[conv] if tagged[index] else None,
                                                 ip_options=options if with_options[index] else b""))
    for frame in bad_at.get(count, ()):
        yield pcap.Packet(time_us, frame)


def write_labels(path, kinds, clients, servers):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        # scripts/train_model.py's and evaluate_model.py's label format.
        writer.writerow(["client", "server", "label", "kind"])
        for kind, client, server in zip(kinds, clients, servers):
            writer.writerow([client, server, "cg" if traffic.KINDS[kind] else "ncg", kind])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", help="pcap to write")
    parser.add_argument("--conversations", type=int, default=30, help="conversations (default %(default)s)")
    parser.add_argument("--pairs", type=int, help="big benches: N distinct pairs, few reports each "
                        "(--reports, default 4 per pair)")
    parser.add_argument("--kinds", default=DEFAULT_MIX, help="mix: kind[=weight],... (default %(default)s)")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--duration", type=float, help="seconds of probe time (default 10)")
    length.add_argument("--reports", type=int, help="exactly N reports in all")
    parser.add_argument("--ipv6-share", type=float, default=0.0, help="share of IPv6 conversations")
    parser.add_argument("--reverse-share", type=float, default=0.0,
                        help="share of conversations whose reports name the server first")
    parser.add_argument("--lan", action="append", help="client prefix, repeatable "
                        f"(default {' and '.join(DEFAULT_LAN)})")
    parser.add_argument("--probe", default="127.0.0.1", help="source address of the datagrams (default %(default)s)")
    parser.add_argument("--udp-port", type=int, default=5000)
    parser.add_argument("--vlan-share", type=float, default=0.0, help="share of 802.1Q-tagged report frames")
    parser.add_argument("--ip-options-share", type=float, default=0.0,
                        help="share of IPv4 report frames with an IP option")
    parser.add_argument("--bad", type=int, default=0,
                        help="mix in N packets cgnf must drop (scripts/bad_packets.py's cases that "
                        "need no --probe filter)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--labels", help="CSV to write: client,server,label,kind (label cg or ncg)")
    parser.add_argument("--texts", help="file to write: the reports' JSON texts, one a line")
    args = parser.parse_args(argv)
    if args.lan is None:
        args.lan = list(DEFAULT_LAN)
    if args.pairs is not None and args.reports is None and args.duration is None:
        args.reports = 4 * args.pairs
    if args.reports is None and args.duration is None:
        args.duration = 10.0
    n = args.pairs or args.conversations
    if n < 1:
        parser.error("need at least one conversation")
    if args.reports is not None and args.reports < n:
        parser.error("--reports must be at least the number of conversations")
    if args.duration is not None and args.duration * 1e6 < 2 * traffic.WINDOW_US:
        parser.error("--duration too short")
    if not args.output and not args.texts:
        parser.error("nothing to write: give -o and/or --texts")
    for name in ("ipv6_share", "reverse_share", "vlan_share", "ip_options_share"):
        if not 0 <= getattr(args, name) <= 1:
            parser.error(f"--{name.replace('_', '-')} must be within 0..1")
    return args


def main(argv=None):
    args = parse_args(argv)
    seeds = np.random.SeedSequence(args.seed).spawn(5 + len(traffic.KINDS))
    plan_rng, address_rng, time_rng, frame_rng, bad_rng = (np.random.default_rng(s) for s in seeds[:5])
    try:
        reports = plan_reports(args, plan_rng, address_rng, time_rng, seeds[5:])
    except ValueError as error:
        print(f"gen_reports: {error}", file=sys.stderr)
        return 2
    texts = iter_texts(reports)
    if args.texts:
        texts = _written(texts, args.texts)
    if args.output:
        pcap.write_pcap(args.output, iter_packets(args, reports, texts, frame_rng, bad_rng))
    else:
        collections.deque(texts, maxlen=0)
    if args.labels:
        write_labels(args.labels, reports.kinds, reports.clients, reports.servers)
    print(f"gen_reports: {reports.conv.size} reports of {len(reports.kinds)} conversations"
          + (f", {args.bad} bad packets" if args.bad else "")
          + (f" -> {args.output}" if args.output else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
