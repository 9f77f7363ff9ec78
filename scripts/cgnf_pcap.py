# SPDX-License-Identifier: BSD-3-Clause
"""Classic pcap files and the frames that carry probe reports, in plain struct.

    packets = read_pcap("in.pcap")          # [Packet(time_us, data), ...]
    write_pcap("out.pcap", packets)
    frame = udp_frame(src, dst, 40000, 5000, payload, vlan=10)
    decoded = decode_frame(frame, udp_port=5000, probes=parse_prefixes(["127.0.0.1"]))

decode_frame is the Python twin of cgnf's RX acceptance rules (lib/packet.h):
Ethernet II with at most one 802.1Q / 802.1ad tag, IPv4 with or without
options, IPv6 with UDP after at most 8 hop-by-hop / routing / destination
options headers, no fragments, a sane UDP length, the report port and an
allowed probe source; ARP and neighbour discovery are counted apart
(lib/neighbor.h).  It is written from those rules, not translated from the C
code, so that the two can check each other; where the headers leave a reason
open (a length beyond the frame), it takes cgnf's.
"""

import collections
import ipaddress
import struct

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1
SNAPLEN = 65535

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
ETHERTYPE_IPV6 = 0x86DD
ETHERTYPE_VLAN = 0x8100
ETHERTYPE_QINQ = 0x88A8
VLAN_ETHERTYPES = (ETHERTYPE_VLAN, ETHERTYPE_QINQ)

IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_HOP_BY_HOP = 0
IPPROTO_ROUTING = 43
IPPROTO_FRAGMENT = 44
IPPROTO_DEST_OPTIONS = 60
IPPROTO_ICMPV6 = 58
ICMPV6_ROUTER_SOLICITATION = 133
ICMPV6_NEIGHBOR_SOLICITATION = 135
ICMPV6_REDIRECT = 137
IPV6_EXTENSIONS = (IPPROTO_HOP_BY_HOP, IPPROTO_ROUTING, IPPROTO_DEST_OPTIONS)
# Real traffic has one or two; cgnf refuses longer chains.
IPV6_EXTENSIONS_MAX = 8

ETHER_HEADER_LEN = 14
VLAN_TAG_LEN = 4
IPV4_HEADER_LEN = 20
IPV6_HEADER_LEN = 40
UDP_HEADER_LEN = 8

# Locally administered addresses, as the probe's virtual interface would use.
PROBE_MAC = bytes.fromhex("020000000010")
CGNF_MAC = bytes.fromhex("020000000020")

Packet = collections.namedtuple("Packet", "time_us data")

_RECORD = struct.Struct("<IIII")


def write_pcap(path, packets):
    """Writes packets (Packet, (time_us, bytes) or bare bytes, time 0) to a
    little-endian microsecond pcap of Ethernet frames."""
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))
        chunk = []
        for packet in packets:
            if isinstance(packet, (bytes, bytearray)):
                time_us, data = 0, packet
            else:
                time_us, data = packet
            seconds, micros = divmod(int(time_us), 1000000)
            chunk.append(_RECORD.pack(seconds, micros, len(data), len(data)))
            chunk.append(data)
            if len(chunk) >= 8192:
                out.write(b"".join(chunk))
                chunk.clear()
        out.write(b"".join(chunk))


def read_pcap(path):
    """Reads a classic pcap (either byte order, micro or nanosecond stamps)
    into a list of Packet(time_us, data)."""
    with open(path, "rb") as source:
        blob = source.read()
    if len(blob) < 24:
        raise ValueError(f"{path}: too short for a pcap header")
    for order in "<>":
        magic = struct.unpack_from(order + "I", blob)[0]
        if magic in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
            break
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    linktype = struct.unpack_from(order + "I", blob, 20)[0]
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError(f"{path}: link type {linktype}, expected Ethernet")
    divisor = 1000 if magic == PCAP_MAGIC_NS else 1
    record = struct.Struct(order + "IIII")
    packets = []
    offset = 24
    while offset + 16 <= len(blob):
        seconds, fraction, caplen, _ = record.unpack_from(blob, offset)
        offset += 16
        if offset + caplen > len(blob):
            raise ValueError(f"{path}: last record truncated")
        packets.append(Packet(seconds * 1000000 + fraction // divisor, blob[offset:offset + caplen]))
        offset += caplen
    return packets


def internet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ethernet_header(ethertype, vlan=None, vlan_tpid=ETHERTYPE_VLAN, src_mac=PROBE_MAC, dst_mac=CGNF_MAC):
    if vlan is None:
        return dst_mac + src_mac + struct.pack("!H", ethertype)
    return dst_mac + src_mac + struct.pack("!HHH", vlan_tpid, vlan & 0x0FFF, ethertype)


def ipv4_header(src, dst, protocol, payload_len, options=b"", ident=0, flags_fragment=0x4000, ttl=64):
    """A checksummed IPv4 header; options are padded to a multiple of 4."""
    options += b"\0" * (-len(options) % 4)
    header_len = IPV4_HEADER_LEN + len(options)
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | header_len // 4, 0, header_len + payload_len, ident,
                         flags_fragment, ttl, protocol, 0, ipaddress.IPv4Address(src).packed,
                         ipaddress.IPv4Address(dst).packed) + options
    checksum = internet_checksum(header)
    return header[:10] + struct.pack("!H", checksum) + header[12:]


def ipv6_header(src, dst, next_header, payload_len, hop_limit=64):
    return struct.pack("!IHBB16s16s", 0x60000000, payload_len, next_header, hop_limit,
                       ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed)


def udp_header(src_port, dst_port, payload, src=None, dst=None):
    """UDP header; with IPv6 addresses the checksum is computed (mandatory
    there), with IPv4 it is left 0 as the probe does."""
    length = UDP_HEADER_LEN + len(payload)
    header = struct.pack("!HHHH", src_port, dst_port, length, 0)
    if src is not None and ipaddress.ip_address(src).version == 6:
        pseudo = (ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed
                  + struct.pack("!IxxxB", length, IPPROTO_UDP))
        checksum = internet_checksum(pseudo + header + payload) or 0xFFFF
        header = header[:6] + struct.pack("!H", checksum)
    return header


def udp_frame(src, dst, src_port, dst_port, payload, vlan=None, vlan_tpid=ETHERTYPE_VLAN, ip_options=b""):
    """One Ethernet frame carrying payload in UDP over IPv4 or IPv6 (chosen by
    the source address)."""
    segment = udp_header(src_port, dst_port, payload, src, dst) + payload
    if ipaddress.ip_address(src).version == 6:
        network = ipv6_header(src, dst, IPPROTO_UDP, len(segment))
        ethertype = ETHERTYPE_IPV6
    else:
        network = ipv4_header(src, dst, IPPROTO_UDP, len(segment), options=ip_options)
        ethertype = ETHERTYPE_IPV4
    return ethernet_header(ethertype, vlan, vlan_tpid) + network + segment


class FrameBuilder:
    """Fast path for many IPv4 report frames from one probe: the headers only
    differ by their lengths (and the checksum that follows), so they are
    cached by payload length."""

    def __init__(self, src, dst, src_port, dst_port):
        self.src, self.dst = src, dst
        self.src_port, self.dst_port = src_port, dst_port
        self._ipv6 = ipaddress.ip_address(src).version == 6
        self._plain = {}

    def frame(self, payload, vlan=None, ip_options=b""):
        if vlan is not None or ip_options or self._ipv6:
            return udp_frame(self.src, self.dst, self.src_port, self.dst_port, payload, vlan=vlan,
                             ip_options=ip_options)
        headers = self._plain.get(len(payload))
        if headers is None:
            headers = udp_frame(self.src, self.dst, self.src_port, self.dst_port, b"\0" * len(payload))
            headers = headers[:len(headers) - len(payload)]
            self._plain[len(payload)] = headers
        return headers + payload


# Acceptance rules ---------------------------------------------------------


def address_key(text_or_address):
    """The 16-byte form cgnf keys every address by: IPv6 as is, IPv4 as
    ::ffff:a.b.c.d.  Returns an int (128 bits)."""
    address = ipaddress.ip_address(text_or_address)
    if address.version == 4:
        return 0xFFFF00000000 | int(address)
    return int(address)


def key_text(key):
    """Canonical text of a 16-byte key: dotted quad for IPv4-mapped keys."""
    if key >> 32 == 0xFFFF:
        return str(ipaddress.IPv4Address(key & 0xFFFFFFFF))
    return str(ipaddress.IPv6Address(key))


def parse_prefix(text):
    """'a.b.c.d/n', 'x::/n' or a bare address -> (network key, bits, version)
    on the 128-bit space (IPv4 prefixes under ::ffff:0:0/96).  Host bits must
    be 0.  The version is the notation's: a prefix holds only addresses of its
    own family (lib/prefix.h), as ipaddress does."""
    network = ipaddress.ip_network(text, strict=True)
    bits = network.prefixlen + (96 if network.version == 4 else 0)
    return address_key(network.network_address), bits, network.version


def parse_prefixes(texts):
    return [parse_prefix(text) for text in texts]


def prefixes_contain(prefixes, key, version):
    """Whether a prefix of the address's family (4 or 6) holds the key."""
    for network, bits, prefix_version in prefixes:
        if prefix_version == version and (key ^ network) >> (128 - bits) == 0:
            return True
    return False


Decoded = collections.namedtuple("Decoded", "reason payload source")


def _drop(reason):
    return Decoded(reason, None, None)


def _skip_ipv6_extensions(frame, next_header, start, end):
    """Steps over hop-by-hop (only first), routing and destination options
    headers, at most IPV6_EXTENSIONS_MAX of them, to UDP.  Returns (reason
    or None, where UDP starts)."""
    for count in range(IPV6_EXTENSIONS_MAX + 1):
        if next_header == IPPROTO_UDP:
            return None, start
        if next_header == IPPROTO_FRAGMENT:
            return "ip_fragment", start
        if next_header == IPPROTO_HOP_BY_HOP and count > 0:
            return "ipv6_bad_header", start  # RFC 8200: right after the fixed header only
        if next_header not in IPV6_EXTENSIONS:
            return "not_udp", start
        if count == IPV6_EXTENSIONS_MAX or end - start < 8:
            return "ipv6_bad_header", start
        length = (frame[start + 1] + 1) * 8
        if length > end - start:
            return "ipv6_bad_header", start
        next_header = frame[start]
        start += length
    raise AssertionError("unreachable")


def neighbor_kind(frame):
    """"arp" for any ARP frame, "neighbor_discovery" for ICMPv6 router or
    neighbour solicitations, advertisements and redirects right after the
    IPv6 header (behind at most one tag), else None: cgnf counts a frame its
    report rules call not_ip or not_udp under these instead (lib/neighbor.h)."""
    offset = ETHER_HEADER_LEN
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    if ethertype in VLAN_ETHERTYPES:
        ethertype = struct.unpack_from("!H", frame, 16)[0]
        offset += VLAN_TAG_LEN
    if ethertype == ETHERTYPE_ARP:
        return "arp"
    if (ethertype == ETHERTYPE_IPV6 and len(frame) - offset > IPV6_HEADER_LEN
            and frame[offset + 6] == IPPROTO_ICMPV6
            and ICMPV6_ROUTER_SOLICITATION <= frame[offset + IPV6_HEADER_LEN] <= ICMPV6_REDIRECT):
        return "neighbor_discovery"
    return None


def decode_frame(frame, udp_port=5000, probes=()):
    """Applies cgnf's RX rules to one Ethernet frame.  Returns Decoded with
    reason None and the UDP payload and source key when accepted, else the
    drop reason's name (lib/drop_reason.h)."""
    decoded = _find_report(frame, udp_port, probes)
    if decoded.reason in ("not_ip", "not_udp"):
        return _drop(neighbor_kind(frame) or decoded.reason)
    return decoded


def _find_report(frame, udp_port, probes):
    if len(frame) < ETHER_HEADER_LEN:
        return _drop("frame_runt")
    offset = ETHER_HEADER_LEN
    ethertype = struct.unpack_from("!H", frame, 12)[0]
    if ethertype in VLAN_ETHERTYPES:
        if len(frame) < ETHER_HEADER_LEN + VLAN_TAG_LEN:
            return _drop("frame_runt")
        ethertype = struct.unpack_from("!H", frame, 16)[0]
        offset += VLAN_TAG_LEN
        if ethertype in VLAN_ETHERTYPES:
            return _drop("vlan_nested")

    if ethertype == ETHERTYPE_IPV4:
        available = len(frame) - offset
        if available < IPV4_HEADER_LEN:
            return _drop("ipv4_truncated")
        first, _, total_len, _, flags_fragment, _, protocol = struct.unpack_from("!BBHHHBB", frame, offset)
        header_len = (first & 0x0F) * 4
        if first >> 4 != 4 or header_len < IPV4_HEADER_LEN:
            return _drop("ipv4_bad_header")
        if header_len > available:
            return _drop("ipv4_truncated")
        # A total length the frame cannot hold is a lie of the header, as
        # cgnf counts it, not a short capture.
        if not header_len <= total_len <= available:
            return _drop("ipv4_bad_header")
        # More-fragments flag or a non-zero offset: a piece of a datagram.
        if flags_fragment & 0x3FFF:
            return _drop("ip_fragment")
        if protocol != IPPROTO_UDP:
            return _drop("not_udp")
        source = 0xFFFF00000000 | int.from_bytes(frame[offset + 12:offset + 16], "big")
        version = 4
        segment_start, segment_end = offset + header_len, offset + total_len
    elif ethertype == ETHERTYPE_IPV6:
        available = len(frame) - offset
        if available < IPV6_HEADER_LEN:
            return _drop("ipv6_truncated")
        first, payload_len, next_header = struct.unpack_from("!IHB", frame, offset)
        if first >> 28 != 6:
            return _drop("ipv6_bad_header")
        if IPV6_HEADER_LEN + payload_len > available:
            return _drop("ipv6_bad_header")
        source = int.from_bytes(frame[offset + 8:offset + 24], "big")
        version = 6
        segment_start = offset + IPV6_HEADER_LEN
        segment_end = segment_start + payload_len
        reason, segment_start = _skip_ipv6_extensions(frame, next_header, segment_start, segment_end)
        if reason is not None:
            return _drop(reason)
    else:
        return _drop("not_ip")

    if segment_end - segment_start < UDP_HEADER_LEN:
        return _drop("udp_truncated")
    dst_port, udp_len = struct.unpack_from("!HH", frame, segment_start + 2)
    if udp_len < UDP_HEADER_LEN or udp_len > segment_end - segment_start:
        return _drop("udp_bad_length")
    if dst_port != udp_port:
        return _drop("wrong_port")
    if probes and not prefixes_contain(probes, source, version):
        return _drop("unknown_probe")
    return Decoded(None, frame[segment_start + UDP_HEADER_LEN:segment_start + udp_len], source)
