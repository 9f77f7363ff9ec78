#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Raw mirrored traffic for --input traffic benchmarks and tests: a pcap of
Ethernet frames with many conversations of a realistic mix, interleaved in
time order:

  cloud gaming   60 fps video down (1 200-byte packets in bursts), 100-byte
                 inputs up every 4 ms;
  VoIP           a 200-byte packet every 20 ms each way;
  online game    80-byte updates every 30 ms down, 60-byte every 15 ms up;
  DNS            a query and its answer, now and then;
  noise          TCP segments and ARP requests (not UDP: dropped by cgnf).

    gen_traffic.py -o traffic.pcap --conversations 4000 --seconds 2 [--seed N]

Addresses: clients in 192.168.0.0/16, servers in 198.18.0.0/15 (the
benchmarking range), so --lan 192.168.0.0/16 orients them."""

import argparse
import ipaddress
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cgnf_pcap import ethernet_header, ipv4_header, udp_frame, write_pcap  # noqa: E402

# (kind, share of conversations, [(direction, size, period_us, burst)])
KINDS = [
    ("cloud_gaming", 0.25, [("down", 1200, 16667, 12), ("up", 100, 4000, 1)]),
    ("voip", 0.25, [("down", 200, 20000, 1), ("up", 200, 20000, 1)]),
    ("online_game", 0.25, [("down", 80, 30000, 1), ("up", 60, 15000, 1)]),
    ("dns", 0.25, [("up", 70, 500000, 1), ("down", 150, 500000, 1)]),
]


def address(base, index):
    return str(ipaddress.IPv4Address(int(ipaddress.IPv4Address(base)) + index))


def tcp_frame(src, dst):
    segment = struct.pack("!HHIIBBHHH", 443, 50000, 1, 1, 0x50, 0x10, 65535, 0, 0) + b"x" * 40
    return ethernet_header(0x0800) + ipv4_header(src, dst, 6, len(segment)) + segment


def arp_frame(sender, target):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, b"\x02" * 6,
                       ipaddress.IPv4Address(sender).packed, b"\0" * 6, ipaddress.IPv4Address(target).packed)
    return b"\xff" * 6 + b"\x02" * 6 + struct.pack("!H", 0x0806) + body


def generate(conversations, seconds, rng):
    end_us = int(seconds * 1e6)
    events = []  # (time_us, order, frame)
    order = 0
    for index in range(conversations):
        kind, _, flows = KINDS[index % len(KINDS)]
        client, server = address("192.168.0.1", index), address("198.18.0.1", index)
        for direction, size, period_us, burst in flows:
            src, dst = (server, client) if direction == "down" else (client, server)
            start = rng.randrange(period_us)
            frame = udp_frame(src, dst, 40000 + index % 20000, 3478, b"\0" * (size - 8))
            for time_us in range(start, end_us, period_us):
                for packet in range(burst):
                    events.append((time_us + packet * 50 + rng.randrange(20), order, frame))
                    order += 1
        if index % 20 == 0:  # some TCP and ARP beside the UDP
            for time_us in range(rng.randrange(50000), end_us, 50000):
                events.append((time_us, order, tcp_frame(server, client)))
                events.append((time_us + 7, order + 1, arp_frame(client, address("192.168.0.1", 0))))
                order += 2
    return [(time_us, frame) for time_us, _, frame in sorted(events)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    packets = generate(args.conversations, args.seconds, random.Random(args.seed))
    write_pcap(args.output, [(1_700_000_000_000_000 + t, frame) for t, frame in packets])
    print(f"{args.output}: {len(packets)} frames, {args.conversations} conversations, {args.seconds} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
