#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The catalogue of bad and edge-case packets, each with the outcome cgnf owes.

    scripts/bad_packets.py -o cases.pcap [--expected cases.json] [--list]

Expected outcomes: "accepted" (a report, classified), a drop reason name from
lib/drop_reason.h for frame-level cases, or "report_*" for a payload that
must be refused under some report_ reason (the exact one depends on where the
parser notices the fault first).  Cases flagged needs_probe_filter expect
cgnf (or the reference) to run with --probe set to the probe's address:
without a probe filter any source is accepted.

Accepted cases carry reports of their own pairs (192.168.250.x with
198.51.100.x), so that they can be told apart from the traffic around them.
"""

import argparse
import collections
import ipaddress
import json
import struct
import sys

import cgnf_pcap as pcap

Case = collections.namedtuple("Case", "name expected frames needs_probe_filter")

ANY_REPORT_REASON = "report_*"

STATS_UP = "[9,118.5,1024.25,3640.5,48211.75]"
STATS_DOWN = "[61,1233.125,70215.5,540.25,2871450.5]"


def valid_report(host=1, stats_up=STATS_UP, stats_down=STATS_DOWN):
    """A well-formed report of the edge pair 192.168.250.host, 198.51.100.host."""
    return '["192.168.250.%d",0,"198.51.100.%d",0,%s,%s]' % (host, host, stats_up, stats_down)


def outcome_matches(expected, reason):
    """reason is None for an accepted packet, else the drop reason name."""
    if expected == "accepted":
        return reason is None
    if expected == ANY_REPORT_REASON:
        return reason is not None and reason.startswith("report_")
    return reason == expected


class Catalogue:
    def __init__(self, probe="127.0.0.1", target="127.0.0.1", udp_port=5000, stranger="203.0.113.77",
                 probe6="fd00::10", target6="fd00::20"):
        self.probe, self.target, self.udp_port = probe, target, udp_port
        self.probe6, self.target6, self.stranger = probe6, target6, stranger
        self.cases = []
        self._last_host = 1  # host 1: the pair of the cases that are dropped

    def add(self, name, expected, frames, needs_probe_filter=False):
        if isinstance(frames, (bytes, bytearray)):
            frames = [bytes(frames)]
        self.cases.append(Case(name, expected, list(frames), needs_probe_filter))

    def frame(self, payload, **options):
        return pcap.udp_frame(self.probe, self.target, 40000, self.udp_port, payload, **options)

    def frame6(self, payload, **options):
        return pcap.udp_frame(self.probe6, self.target6, 40000, self.udp_port, payload, **options)

    def next_host(self):
        """The last octet of a new edge pair, one per accepted case."""
        self._last_host += 1
        return self._last_host

    def next_report(self):
        return valid_report(self.next_host()).encode()

    def payload(self, name, text, expected=ANY_REPORT_REASON):
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        self.add(name, expected, self.frame(data))


def _patch(frame, offset, fmt, *values):
    frame = bytearray(frame)
    struct.pack_into(fmt, frame, offset, *values)
    return bytes(frame)


def _ipv4_checksum_fixed(frame, ip_offset=14):
    frame = bytearray(frame)
    header_len = (frame[ip_offset] & 0x0F) * 4
    frame[ip_offset + 10:ip_offset + 12] = b"\0\0"
    end = min(len(frame), ip_offset + header_len)
    checksum = pcap.internet_checksum(bytes(frame[ip_offset:end]))
    frame[ip_offset + 10:ip_offset + 12] = struct.pack("!H", checksum)
    return bytes(frame)


def _ipv4_packet(cat, protocol, segment, flags_fragment=0x4000, options=b""):
    network = pcap.ipv4_header(cat.probe, cat.target, protocol, len(segment), options=options,
                               flags_fragment=flags_fragment, ident=0x1234)
    return pcap.ethernet_header(pcap.ETHERTYPE_IPV4) + network + segment


def _ipv6_packet(cat, next_header, segment):
    return (pcap.ethernet_header(pcap.ETHERTYPE_IPV6)
            + pcap.ipv6_header(cat.probe6, cat.target6, next_header, len(segment)) + segment)


def _udp_segment(cat, payload, length=None):
    length = pcap.UDP_HEADER_LEN + len(payload) if length is None else length
    return struct.pack("!HHHH", 40000, cat.udp_port, length, 0) + payload


def _frame_cases(cat):
    report = valid_report().encode()
    good = cat.frame(report)
    eth = pcap.ethernet_header

    cat.add("runt_frame", "frame_runt", good[:10])
    cat.add("runt_13_bytes", "frame_runt", good[:13])
    cat.add("runt_vlan_tag", "frame_runt", eth(pcap.ETHERTYPE_IPV4, vlan=5)[:16])
    arp = struct.pack("!HHBBH6s4s6s4s", 1, pcap.ETHERTYPE_IPV4, 6, 4, 1, pcap.PROBE_MAC,
                      bytes([127, 0, 0, 1]), b"\0" * 6, bytes([127, 0, 0, 1]))
    cat.add("arp_request", "arp", b"\xff" * 6 + pcap.PROBE_MAC + struct.pack("!H", pcap.ETHERTYPE_ARP) + arp)
    cat.add("lldp_frame", "not_ip", eth(0x88CC) + b"\x02\x07\x04" + b"\0" * 40)
    cat.add("vlan_then_arp", "arp", eth(pcap.ETHERTYPE_ARP, vlan=7) + arp)
    inner = eth(pcap.ETHERTYPE_IPV4, vlan=20)[12:]
    cat.add("qinq_two_tags", "vlan_nested", eth(pcap.ETHERTYPE_VLAN, vlan=10, vlan_tpid=pcap.ETHERTYPE_QINQ)
            + inner[2:] + good[14:])

    cat.add("ipv4_header_cut", "ipv4_truncated", good[:14 + 12])
    cat.add("ipv4_version_5", "ipv4_bad_header", _ipv4_checksum_fixed(_patch(good, 14, "!B", 0x55)))
    cat.add("ipv4_ihl_3", "ipv4_bad_header", _ipv4_checksum_fixed(_patch(good, 14, "!B", 0x43)))
    cat.add("ipv4_options_cut", "ipv4_truncated", _ipv4_checksum_fixed(_patch(good, 14, "!B", 0x4F))[:14 + 40])
    total = struct.unpack_from("!H", good, 16)[0]
    cat.add("ipv4_total_length_over", "ipv4_bad_header",
            _ipv4_checksum_fixed(_patch(good, 16, "!H", total + 100)))
    cat.add("ipv4_total_length_under", "ipv4_bad_header", _ipv4_checksum_fixed(_patch(good, 16, "!H", 16)))
    segment = _udp_segment(cat, report)
    cat.add("ipv4_first_fragment", "ip_fragment", _ipv4_packet(cat, pcap.IPPROTO_UDP, segment, 0x2000))
    cat.add("ipv4_later_fragment", "ip_fragment", _ipv4_packet(cat, pcap.IPPROTO_UDP, report, 0x00B9))
    tcp = struct.pack("!HHIIBBHHH", 40000, cat.udp_port, 1, 0, 0x50, 0x18, 1024, 0, 0) + report
    cat.add("tcp_to_report_port", "not_udp", _ipv4_packet(cat, pcap.IPPROTO_TCP, tcp))
    cat.add("icmp_echo", "not_udp", _ipv4_packet(cat, 1, struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"))

    good6 = cat.frame6(report)
    cat.add("ipv6_header_cut", "ipv6_truncated", good6[:14 + 30])
    cat.add("ipv6_version_4", "ipv6_bad_header", _patch(good6, 14, "!B", 0x40))
    cat.add("ipv6_payload_length_over", "ipv6_bad_header",
            _patch(good6, 18, "!H", len(good6) - 14 - 40 + 64))
    fragment_header = struct.pack("!BBHI", pcap.IPPROTO_UDP, 0, 0x0001, 0xABCD)
    cat.add("ipv6_fragment_header", "ip_fragment",
            _ipv6_packet(cat, pcap.IPPROTO_FRAGMENT, fragment_header + _udp_segment(cat, report)))
    def extension(next_header):
        return struct.pack("!BB6s", next_header, 0, b"\x01\x04\0\0\0\0")  # PadN: 8 bytes in all

    udp = _udp_segment(cat, report)
    cat.add("ipv6_hop_by_hop_second", "ipv6_bad_header",
            _ipv6_packet(cat, pcap.IPPROTO_DEST_OPTIONS, extension(pcap.IPPROTO_HOP_BY_HOP)
                         + extension(pcap.IPPROTO_UDP) + udp))
    chain = b"".join(extension(pcap.IPPROTO_DEST_OPTIONS) for _ in range(8)) + extension(pcap.IPPROTO_UDP)
    cat.add("ipv6_nine_extensions", "ipv6_bad_header", _ipv6_packet(cat, pcap.IPPROTO_DEST_OPTIONS, chain + udp))
    cat.add("ipv6_extension_overrun", "ipv6_bad_header",
            _ipv6_packet(cat, pcap.IPPROTO_HOP_BY_HOP, struct.pack("!BB", pcap.IPPROTO_UDP, 3) + b"\0" * 6 + udp[:8]))
    cat.add("ipv6_no_next_header", "not_udp", _ipv6_packet(cat, 59, udp))
    cat.add("ipv6_tcp", "not_udp", _ipv6_packet(cat, pcap.IPPROTO_TCP, tcp))
    solicitation = struct.pack("!BBHI16s", pcap.ICMPV6_NEIGHBOR_SOLICITATION, 0, 0, 0,
                               ipaddress.IPv6Address(cat.target6).packed)
    cat.add("icmpv6_neighbor_solicitation", "neighbor_discovery", _ipv6_packet(cat, pcap.IPPROTO_ICMPV6, solicitation))
    cat.add("icmpv6_echo_request", "not_udp", _ipv6_packet(cat, pcap.IPPROTO_ICMPV6, struct.pack("!BBHHH", 128, 0, 0, 1, 1)))

    cat.add("udp_header_cut", "udp_truncated", _ipv4_packet(cat, pcap.IPPROTO_UDP, segment[:5]))
    cat.add("udp_length_over", "udp_bad_length",
            _ipv4_packet(cat, pcap.IPPROTO_UDP, _udp_segment(cat, report, len(report) + 8 + 40)))
    cat.add("udp_length_under_8", "udp_bad_length", _ipv4_packet(cat, pcap.IPPROTO_UDP, _udp_segment(cat, report, 4)))
    cat.add("udp_wrong_port", "wrong_port",
            pcap.udp_frame(cat.probe, cat.target, 40000, cat.udp_port + 1, report))
    cat.add("udp6_wrong_port", "wrong_port",
            pcap.udp_frame(cat.probe6, cat.target6, 40000, 53, report))
    cat.add("unknown_probe", "unknown_probe",
            pcap.udp_frame(cat.stranger, cat.target, 40000, cat.udp_port, report), needs_probe_filter=True)
    # IPv6 from ::ffff:<the IPv4 probe>: the same 16 bytes, another family (lib/prefix.h).
    cat.add("ipv4_mapped_probe_over_ipv6", "unknown_probe",
            pcap.udp_frame("::ffff:" + cat.probe, cat.target6, 40000, cat.udp_port, report),
            needs_probe_filter=True)

    # Edge cases that are fine.
    cat.add("ipv4_router_alert_option", "accepted", cat.frame(cat.next_report(), ip_options=b"\x94\x04\0\0"))
    cat.add("ipv4_40_bytes_of_options", "accepted", cat.frame(cat.next_report(), ip_options=b"\x01" * 39 + b"\0"))
    cat.add("vlan_8021q", "accepted", cat.frame(cat.next_report(), vlan=100))
    cat.add("vlan_8021ad", "accepted", cat.frame(cat.next_report(), vlan=200, vlan_tpid=pcap.ETHERTYPE_QINQ))
    cat.add("vlan_ipv6", "accepted", cat.frame6(cat.next_report(), vlan=300))
    cat.add("ipv6_transport", "accepted", cat.frame6(cat.next_report()))
    cat.add("ipv6_hop_by_hop_header", "accepted",
            _ipv6_packet(cat, pcap.IPPROTO_HOP_BY_HOP, extension(pcap.IPPROTO_UDP) + _udp_segment(cat, cat.next_report())))
    cat.add("ipv6_routing_and_dest_options", "accepted",
            _ipv6_packet(cat, pcap.IPPROTO_ROUTING, extension(pcap.IPPROTO_DEST_OPTIONS) + extension(pcap.IPPROTO_UDP)
                         + _udp_segment(cat, cat.next_report())))
    cat.add("ipv6_eight_extensions", "accepted",
            _ipv6_packet(cat, pcap.IPPROTO_HOP_BY_HOP, b"".join(extension(pcap.IPPROTO_DEST_OPTIONS) for _ in range(7))
                         + extension(pcap.IPPROTO_UDP) + _udp_segment(cat, cat.next_report())))
    cat.add("ethernet_trailer", "accepted", cat.frame(cat.next_report()) + b"\xde\xad\xbe\xef")
    cat.add("ipv4_no_df", "accepted", _ipv4_checksum_fixed(_patch(cat.frame(cat.next_report()), 20, "!H", 0)))


def _payload_cases(cat):
    good = valid_report()
    up, down = STATS_UP, STATS_DOWN

    cat.payload("empty_payload", b"")
    cat.payload("whitespace_only", b" \n\t ")
    cat.payload("binary_garbage", bytes(range(256)))
    cat.payload("nul_bytes", b"\0" * 32)
    cat.payload("invalid_utf8_in_string", good.replace("250", "2\xff0").encode("latin-1"))
    cat.payload("overlong_utf8_slash", good.replace("192.168", "192\xc0\xaf168").encode("latin-1"))
    cat.payload("utf8_bom", b"\xef\xbb\xbf" + good.encode())
    positions = sorted(set(range(1, 12)) | set(range(12, len(good), 7)) | {len(good) - 1})
    cat.add("truncated", ANY_REPORT_REASON, [cat.frame(good[:cut].encode()) for cut in positions])

    cat.payload("object_not_array", '{"src":"192.168.250.1","dst":"198.51.100.1"}')
    cat.payload("number_not_array", "42")
    cat.payload("string_not_array", '"192.168.250.1"')
    cat.payload("empty_array", "[]")
    cat.payload("arity_5", '["192.168.250.1",0,"198.51.100.1",0,%s]' % up)
    cat.payload("arity_7", good[:-1] + ",0]")
    cat.payload("stats_of_4", good.replace(up, "[9,118.5,1024.25,3640.5]"))
    cat.payload("stats_of_6", good.replace(down, down[:-1] + ",1]"))
    cat.payload("stats_empty", good.replace(up, "[]"))
    cat.payload("stats_object", good.replace(up, '{"n":9}'))
    cat.payload("string_for_number", good.replace("[9,", '["9",'))
    cat.payload("true_for_number", good.replace("[9,", "[true,"))
    cat.payload("null_for_number", good.replace("[9,", "[null,"))
    cat.payload("nested_array_for_number", good.replace("[9,", "[[9],"))
    cat.payload("nan", good.replace("1024.25", "NaN"))
    cat.payload("infinity", good.replace("1024.25", "Infinity"))
    cat.payload("minus_infinity", good.replace("1024.25", "-Infinity"))
    cat.payload("exponent_1e400", good.replace("1024.25", "1e400"))
    cat.payload("integer_over_int64", good.replace("[9,", "[9223372036854775808,"))
    cat.payload("integer_under_int64", good.replace("48211.75", "-9223372036854775809"))
    cat.payload("leading_zero", good.replace("[9,", "[09,"))
    cat.payload("plus_sign", good.replace("[9,", "[+9,"))
    cat.payload("bare_fraction", good.replace("118.5", ".5"))
    cat.payload("trailing_dot", good.replace("118.5", "118."))
    cat.payload("exponent_without_digits", good.replace("118.5", "1e"))
    cat.payload("hex_number", good.replace("[9,", "[0x9,"))
    cat.payload("negative_count", good.replace("[9,", "[-9,"))
    cat.payload("negative_size_mean", good.replace("118.5", "-118.5"))
    cat.payload("negative_iat_mean", good.replace("3640.5", "-3640.5"))
    cat.payload("bad_ipv4_address", good.replace("198.51.100.1", "300.51.100.1"))
    cat.payload("short_ipv4_address", good.replace("198.51.100.1", "198.51.100"))
    cat.payload("empty_address", good.replace("198.51.100.1", ""))
    cat.payload("hostname_address", good.replace("198.51.100.1", "example.com"))
    cat.payload("address_with_port", good.replace("198.51.100.1", "198.51.100.1:443"))
    cat.payload("address_with_prefix", good.replace("198.51.100.1", "198.51.100.0/24"))
    cat.payload("address_leading_zero", good.replace("198.51.100.1", "198.051.100.1"))
    cat.payload("ipv6_scope_id", good.replace("198.51.100.1", "fe80::1%eth0"))
    cat.payload("number_for_address", good.replace('"198.51.100.1"', "3325256705"))
    cat.payload("array_for_address", good.replace('"198.51.100.1"', '["198.51.100.1"]'))
    cat.payload("port_70000", good.replace(',0,"198', ',70000,"198'))
    cat.payload("port_negative", good.replace(',0,"198', ',-1,"198'))
    cat.payload("port_fraction", good.replace(',0,"198', ',1.5,"198'))
    cat.payload("port_string", good.replace(',0,"198', ',"443","198'))
    cat.payload("port_true", good.replace(',0,"198', ',true,"198'))
    cat.payload("nested_600_deep", "[" * 600 + "]" * 600)
    cat.payload("nested_600_deep_unclosed", "[" * 600)
    cat.payload("long_string", good.replace("198.51.100.1", "1" * 5000))
    cat.payload("control_character", good.replace("198.51.100.1", "198.51.100.1\x01"))
    cat.payload("raw_newline_in_string", good.replace("198.51.100.1", "198.51.\n100.1"))
    cat.payload("escaped_nul_in_address", good.replace("198.51.100.1", "198.51.100.1\\u0000"))
    cat.payload("lone_surrogate_escape", good.replace("198.51.100.1", "198.51.100.1\\ud800"))
    cat.payload("bad_escape", good.replace("198.51.100.1", "198.51.100.1\\x41"))
    cat.payload("trailing_garbage", good + "xyz")
    cat.payload("two_texts", good + good)
    cat.payload("two_texts_newline", good + "\n" + good)
    cat.payload("trailing_nul", good.encode() + b"\0")
    cat.payload("trailing_comma", good[:-1] + ",]")
    cat.payload("single_quotes", good.replace('"', "'"))
    cat.payload("missing_comma", good.replace(',0,"198', ' 0,"198'))
    # Finite numbers that a float32 feature cannot hold: sklearn refuses them, so does cgnf.
    cat.payload("size_mean_1e39", good.replace("118.5", "1e39"), expected="report_beyond_float")
    cat.payload("size_mean_double_max", good.replace("1233.125", "1.7976931348623157e308"),
                expected="report_beyond_float")
    cat.payload("variance_minus_1e300", good.replace("1024.25", "-1e300"), expected="report_beyond_float")
    cat.payload("mean_times_count_beyond_float", good.replace("[9,118.5", "[100,1e37"),
                expected="report_beyond_float")

    # Unusual but well-formed texts: cgnf must take them.
    def accepted(name, text):
        cat.payload(name, text, expected="accepted")

    def pair(host):
        return '"192.168.250.%d",0,"198.51.100.%d",0' % (host, host)

    host = cat.next_host()
    accepted("whitespace_everywhere", ' \r\n\t[ "192.168.250.%d" ,\t0 ,\n"198.51.100.%d", 0 , %s , %s ] \n'
             % (host, host, up.replace(",", " , "), down))
    accepted("exponents_and_zero_forms", "[%s,[9,1.185E2,1.02425e+3,3640.5e0,0.0],[6.1e1,1233.125,70215.5,540.25,-0]]"
             % pair(cat.next_host()))
    host = cat.next_host()
    escaped = "".join("\\u%04x" % ord(c) for c in "192.168.250.%d" % host)
    accepted("escaped_address", '["%s",0,"198.51.100.%d",0,%s,%s]' % (escaped, host, up, down))
    host = cat.next_host()
    accepted("ipv4_mapped_address", '["::ffff:192.168.250.%d",0,"198.51.100.%d",0,%s,%s]' % (host, host, up, down))
    host = cat.next_host()
    accepted("ipv6_addresses", '["FD00::250:%d",0,"2001:DB8::%x",0,%s,%s]' % (host, host, up, down))
    host = cat.next_host()
    accepted("real_ports", '["192.168.250.%d",50123,"198.51.100.%d",443,%s,%s]' % (host, host, up, down))
    accepted("big_exact_integers", "[%s,%s,[61,1233,9007199254740993,540,9223372036854775807]]"
             % (pair(cat.next_host()), up))
    host = cat.next_host()
    # FLT_MAX itself, as a mean with a count of 1: the largest feature there is.
    accepted("float_max_mean", "[%s,[1,3.4028234663852886e38,0,3640.5,0],%s]" % (pair(cat.next_host()), down))
    accepted("server_first", '["198.51.100.%d",0,"192.168.250.%d",0,%s,%s]' % (host, host, down, up))


def build_catalogue(**addresses):
    """Every case, in a fixed order."""
    cat = Catalogue(**addresses)
    _frame_cases(cat)
    _payload_cases(cat)
    names = [case.name for case in cat.cases]
    assert len(names) == len(set(names)), "case names must be unique"
    return cat.cases


def dropped_frames(cases, probe_filter=False):
    """(case name, expected, frame) of every packet that must be dropped;
    with probe_filter, also those only a --probe filter drops."""
    return [(case.name, case.expected, frame) for case in cases
            if case.expected != "accepted" and (probe_filter or not case.needs_probe_filter)
            for frame in case.frames]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", help="pcap of every case's packets, in catalogue order")
    parser.add_argument("--expected", help="JSON: one {case, expected, packets, needs_probe_filter} per case")
    parser.add_argument("--probe", default="127.0.0.1", help="IPv4 source of the reports (default %(default)s)")
    parser.add_argument("--udp-port", type=int, default=5000)
    parser.add_argument("--list", action="store_true", help="print the cases")
    args = parser.parse_args()

    cases = build_catalogue(probe=args.probe, udp_port=args.udp_port)
    if args.list:
        for case in cases:
            print(f"{case.name:32} {case.expected:20} {len(case.frames)} packet(s)")
    if args.output:
        pcap.write_pcap(args.output, [pcap.Packet(1700000000000000 + index, frame) for index, frame in
                                      enumerate(frame for case in cases for frame in case.frames)])
    if args.expected:
        with open(args.expected, "w") as out:
            json.dump([{"case": case.name, "expected": case.expected, "packets": len(case.frames),
                        "needs_probe_filter": case.needs_probe_filter} for case in cases], out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
