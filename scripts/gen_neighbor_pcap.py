#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes a pcap of ARP requests and IPv6 Neighbor Solicitations, for the
addresses cgnf answers for (--ip) and for a few others it must ignore.

    scripts/gen_neighbor_pcap.py -o OUT.pcap --ip 192.0.2.1 --ip 2001:db8::1
                                 [--other 192.0.2.2 --other 2001:db8::2] [--vlan 100]

For each IPv4 address: an ARP request, the same behind an 802.1Q tag, and an
RFC 5227 probe (sender 0.0.0.0).  For each IPv6 address: a solicitation to
its solicited-node group with a source link-layer option, the same tagged,
a unicast one without the option, and a duplicate address detection one
(source ::).  For each --other address the plain request, which must be
left unanswered, and for our addresses a few that must be ignored too: an
ARP reply, a gratuitous ARP, a solicitation with a bad checksum and one
with hop limit 64.  requests() returns the same list with what is expected
of each, for tests.
"""

import argparse
import collections
import ipaddress
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cgnf_pcap as pcap  # noqa: E402

ETHERTYPE_ARP = 0x0806
IPPROTO_ICMPV6 = 58
ND_NEIGHBOR_SOLICITATION = 135
ND_OPTION_SOURCE_LINK_ADDR = 1
BROADCAST_MAC = b"\xff" * 6
ASKER_MAC = bytes.fromhex("020000000031")
ASKER_V4 = "192.0.2.200"
ASKER_V6 = "2001:db8::c8"
DEFAULT_VLAN = 100

# answered: whether cgnf must reply; kind: "arp" or "ndp" (its drop reason's
# family); what: a short label for messages.
Request = collections.namedtuple("Request", "frame kind answered what target vlan asker_ip asker_mac dad")


def arp_request(target, sender_ip=ASKER_V4, sender_mac=ASKER_MAC, vlan=None, operation=1):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, operation, sender_mac,
                       ipaddress.IPv4Address(sender_ip).packed, b"\0" * 6,
                       ipaddress.IPv4Address(target).packed)
    return pcap.ethernet_header(ETHERTYPE_ARP, vlan, src_mac=sender_mac, dst_mac=BROADCAST_MAC) + body


def solicited_node(address):
    low = ipaddress.IPv6Address(address).packed[13:]
    return ipaddress.IPv6Address(bytes.fromhex("ff0200000000000000000001ff") + low)


def multicast_mac(address):
    return b"\x33\x33" + ipaddress.IPv6Address(address).packed[12:]


def icmpv6_checksum(source, destination, message):
    pseudo = (ipaddress.IPv6Address(source).packed + ipaddress.IPv6Address(destination).packed
              + struct.pack("!IxxxB", len(message), IPPROTO_ICMPV6))
    return pcap.internet_checksum(pseudo + message)


def neighbor_solicitation(target, source=ASKER_V6, destination=None, source_mac=ASKER_MAC,
                          link_option=True, vlan=None, hop_limit=255, break_checksum=False):
    """destination defaults to the target's solicited-node group."""
    destination = str(destination or solicited_node(target))
    message = struct.pack("!BBHI16s", ND_NEIGHBOR_SOLICITATION, 0, 0, 0,
                          ipaddress.IPv6Address(target).packed)
    if link_option:
        message += struct.pack("!BB6s", ND_OPTION_SOURCE_LINK_ADDR, 1, source_mac)
    checksum = icmpv6_checksum(source, destination, message) ^ (1 if break_checksum else 0)
    message = message[:2] + struct.pack("!H", checksum) + message[4:]
    ethernet_destination = multicast_mac(destination) if destination.startswith("ff") else BROADCAST_MAC
    return (pcap.ethernet_header(pcap.ETHERTYPE_IPV6, vlan, src_mac=source_mac, dst_mac=ethernet_destination)
            + pcap.ipv6_header(source, destination, IPPROTO_ICMPV6, len(message), hop_limit=hop_limit)
            + message)


def _requests_for_v4(address, vlan, answered):
    out = [Request(arp_request(address), "arp", answered, f"ARP for {address}", address, None,
                   ASKER_V4, ASKER_MAC, False)]
    if answered:
        out += [
            Request(arp_request(address, vlan=vlan), "arp", True, f"ARP for {address}, VLAN {vlan}",
                    address, vlan, ASKER_V4, ASKER_MAC, False),
            Request(arp_request(address, sender_ip="0.0.0.0"), "arp", True, f"ARP probe for {address}",
                    address, None, "0.0.0.0", ASKER_MAC, False),
            Request(arp_request(address, operation=2), "arp", False, f"ARP reply about {address}",
                    address, None, ASKER_V4, ASKER_MAC, False),
            Request(arp_request(address, sender_ip=address), "arp", False, f"gratuitous ARP for {address}",
                    address, None, address, ASKER_MAC, False),
        ]
    return out


def _requests_for_v6(address, vlan, answered):
    out = [Request(neighbor_solicitation(address), "ndp", answered, f"NS for {address}", address, None,
                   ASKER_V6, ASKER_MAC, False)]
    if answered:
        out += [
            Request(neighbor_solicitation(address, vlan=vlan), "ndp", True, f"NS for {address}, VLAN {vlan}",
                    address, vlan, ASKER_V6, ASKER_MAC, False),
            Request(neighbor_solicitation(address, destination=address, link_option=False), "ndp", True,
                    f"unicast NS for {address} without link-layer option", address, None, ASKER_V6,
                    ASKER_MAC, False),
            Request(neighbor_solicitation(address, source="::", link_option=False), "ndp", True,
                    f"DAD NS for {address}", address, None, "::", ASKER_MAC, True),
            Request(neighbor_solicitation(address, break_checksum=True), "ndp", False,
                    f"NS for {address} with a bad checksum", address, None, ASKER_V6, ASKER_MAC, False),
            Request(neighbor_solicitation(address, hop_limit=64), "ndp", False,
                    f"NS for {address} with hop limit 64", address, None, ASKER_V6, ASKER_MAC, False),
        ]
    return out


def requests(local, others=(), vlan=DEFAULT_VLAN):
    """Every request for the addresses in local (answered, but for the
    deliberately wrong ones) and others (never answered), in file order."""
    out = []
    for addresses, answered in ((local, True), (others, False)):
        for address in addresses:
            if ipaddress.ip_address(address).version == 4:
                out += _requests_for_v4(address, vlan, answered)
            else:
                out += _requests_for_v6(address, vlan, answered)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", required=True, help="pcap to write")
    parser.add_argument("--ip", action="append", default=[], required=True,
                        help="an address cgnf answers for (repeatable)")
    parser.add_argument("--other", action="append", default=[], help="an address it must not answer for")
    parser.add_argument("--vlan", type=int, default=DEFAULT_VLAN, help="VLAN id of the tagged requests")
    args = parser.parse_args()
    for address in args.ip + args.other:
        ipaddress.ip_address(address)  # refuses a bad one with a clear message
    frames = [(1000 * i, r.frame) for i, r in enumerate(requests(args.ip, args.other, args.vlan))]
    pcap.write_pcap(args.output, frames)
    print(f"{args.output}: {len(frames)} requests")


if __name__ == "__main__":
    main()
