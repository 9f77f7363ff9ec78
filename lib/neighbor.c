/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP replies and Neighbor Advertisements for cgnf's own addresses.  Only
 * frames already refused as reports get here, so none of this is on the
 * path of a probe report.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ether.h"
#include "neighbor.h"

#define ETHER_MIN_LEN 60 /* 64 bytes on the wire, less the FCS the NIC appends */

#define ARP_LEN 28
#define ARP_HARDWARE_ETHERNET 1
#define ARP_PROTOCOL_IPV4 0x0800
#define ARP_REQUEST 1
#define ARP_REPLY 2

#define IPV6_ADDR_LEN 16
/* A router would have decremented it: 255 proves the sender is on our link. */
#define ND_HOP_LIMIT 255

#define ICMPV6_ROUTER_SOLICITATION 133
#define ICMPV6_NEIGHBOR_SOLICITATION 135
#define ICMPV6_NEIGHBOR_ADVERTISEMENT 136
#define ICMPV6_REDIRECT 137

#define ND_MESSAGE_LEN 24 /* type, code, checksum, flags or reserved, target */
#define ND_OPTION_UNIT 8
#define ND_OPTION_SOURCE_LINK_ADDR 1
#define ND_OPTION_TARGET_LINK_ADDR 2
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE 0x20
#define NA_LEN (ND_MESSAGE_LEN + ND_OPTION_UNIT)

static const uint8_t all_nodes[IPV6_ADDR_LEN] = {0xff, 0x02, [15] = 0x01};
static const uint8_t all_nodes_mac[NEIGHBOR_MAC_LEN] = {0x33, 0x33, 0, 0, 0, 0x01};
/* ff02::1:ff00:0/104 */
static const uint8_t solicited_node_prefix[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

static inline void write_be16(uint8_t *p, uint16_t value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

static inline bool is_multicast_mac(const uint8_t *mac)
{
	return (mac[0] & 0x01) != 0;
}

/*
 * Offset of what follows the Ethernet header and its tag, if any, with the
 * inner Ethernet type in *ether_type; 0 for a runt or two tags.  Only the
 * link layer is walked: what follows is judged here, not by ether_parse.
 */
static size_t ether_payload_offset(const uint8_t *frame, size_t len, uint16_t *ether_type)
{
	struct ether_headers headers;

	if (ether_parse_link(frame, len, 0, &headers) != DROP_NONE)
		return 0;
	*ether_type = headers.ether_type;
	return headers.l3_offset;
}

enum neighbor_kind neighbor_classify(const uint8_t *frame, size_t len)
{
	uint16_t ether_type;
	size_t offset = ether_payload_offset(frame, len, &ether_type);
	const uint8_t *ip = frame + offset;
	uint8_t icmp_type;

	if (offset == 0)
		return NEIGHBOR_NONE;
	if (ether_type == ETHER_TYPE_ARP)
		return NEIGHBOR_ARP;
	if (ether_type != ETHER_TYPE_IPV6 || len - offset <= IPV6_HEADER_LEN ||
	    ip[6] != IP_PROTO_ICMPV6)
		return NEIGHBOR_NONE;
	icmp_type = ip[IPV6_HEADER_LEN];
	return icmp_type >= ICMPV6_ROUTER_SOLICITATION && icmp_type <= ICMPV6_REDIRECT
		       ? NEIGHBOR_NDP
		       : NEIGHBOR_NONE;
}

static bool is_local_v4(const struct neighbor_config *config, const uint8_t v4[4])
{
	struct ip_addr wanted;

	ip_from_v4(&wanted, v4);
	for (unsigned int i = 0; i < config->addr_count; i++)
		if (memcmp(&config->addrs[i], &wanted, sizeof(wanted)) == 0)
			return true;
	return false;
}

/* IPv4-mapped entries are IPv4 addresses: ND never answers for them. */
static bool is_local_v6(const struct neighbor_config *config, const uint8_t v6[IPV6_ADDR_LEN])
{
	for (unsigned int i = 0; i < config->addr_count; i++)
		if (!ip_is_v4(&config->addrs[i]) &&
		    memcmp(config->addrs[i].bytes, v6, IPV6_ADDR_LEN) == 0)
			return true;
	return false;
}

/* The request's Ethernet header turned round; its tag, if any, is kept as is. */
static void write_ether_header(uint8_t *out, const uint8_t *frame, size_t offset,
			       const uint8_t *destination, const uint8_t *source)
{
	memcpy(out, destination, NEIGHBOR_MAC_LEN);
	memcpy(out + NEIGHBOR_MAC_LEN, source, NEIGHBOR_MAC_LEN);
	memcpy(out + 12, frame + 12, offset - 12);
}

static int build_arp_reply(const uint8_t *frame, size_t len, size_t offset,
			   const struct neighbor_config *config, uint8_t *out)
{
	const uint8_t *arp = frame + offset;
	const uint8_t *sender_mac = arp + 8, *sender_ip = arp + 14, *target_ip = arp + 24;
	uint8_t *reply = out + offset;

	if (len - offset < ARP_LEN)
		return 0;
	if (ether_read_be16(arp) != ARP_HARDWARE_ETHERNET ||
	    ether_read_be16(arp + 2) != ARP_PROTOCOL_IPV4 || arp[4] != NEIGHBOR_MAC_LEN ||
	    arp[5] != 4 || ether_read_be16(arp + 6) != ARP_REQUEST)
		return 0;
	/* Sender = target is an announcement of that address, not a question. */
	if (is_multicast_mac(sender_mac) || memcmp(sender_ip, target_ip, 4) == 0 ||
	    !is_local_v4(config, target_ip))
		return 0;

	memset(out, 0, ETHER_MIN_LEN);
	write_ether_header(out, frame, offset, sender_mac, config->mac);
	memcpy(reply, arp, 6); /* hardware and protocol types and lengths */
	write_be16(reply + 6, ARP_REPLY);
	memcpy(reply + 8, config->mac, NEIGHBOR_MAC_LEN);
	memcpy(reply + 14, target_ip, 4);
	memcpy(reply + 18, sender_mac, NEIGHBOR_MAC_LEN);
	memcpy(reply + 24, sender_ip, 4);
	return offset + ARP_LEN < ETHER_MIN_LEN ? ETHER_MIN_LEN : (int)(offset + ARP_LEN);
}

/* One's complement sum of the pseudo-header (ip's addresses) and the message. */
static uint16_t icmpv6_checksum(const uint8_t *ip, const uint8_t *message, size_t len)
{
	uint64_t sum = (uint64_t)len + IP_PROTO_ICMPV6;
	size_t i;

	for (i = 8; i < IPV6_HEADER_LEN; i += 2)
		sum += ether_read_be16(ip + i);
	for (i = 0; i + 1 < len; i += 2)
		sum += ether_read_be16(message + i);
	if (len % 2 != 0)
		sum += (uint64_t)message[len - 1] << 8;
	while (sum >> 16 != 0)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Checks that the options fill the rest of the message exactly, none of
 * length 0 (RFC 4861 7.1.1), and finds the source link-layer address.
 */
static bool walk_nd_options(const uint8_t *option, size_t remaining, const uint8_t **source_mac)
{
	size_t option_len;

	*source_mac = NULL;
	while (remaining > 0) {
		if (remaining < 2 || option[1] == 0)
			return false;
		option_len = (size_t)option[1] * ND_OPTION_UNIT;
		if (option_len > remaining)
			return false;
		/* On Ethernet the option is one unit: type, length and the MAC (RFC 2464). */
		if (option[0] == ND_OPTION_SOURCE_LINK_ADDR && option[1] == 1 &&
		    *source_mac == NULL)
			*source_mac = option + 2;
		option += option_len;
		remaining -= option_len;
	}
	return true;
}

static bool is_unspecified(const uint8_t address[IPV6_ADDR_LEN])
{
	static const uint8_t zero[IPV6_ADDR_LEN];

	return memcmp(address, zero, IPV6_ADDR_LEN) == 0;
}

static int build_neighbor_advertisement(const uint8_t *frame, size_t len, size_t offset,
					const struct neighbor_config *config, uint8_t *out)
{
	const uint8_t *ip = frame + offset, *message = ip + IPV6_HEADER_LEN;
	const uint8_t *source = ip + 8, *destination = ip + 24, *target = message + 8;
	const uint8_t *source_mac, *reply_mac;
	uint8_t *reply_ip = out + offset, *reply = reply_ip + IPV6_HEADER_LEN;
	size_t message_len;
	bool duplicate_detection;

	if (len - offset < IPV6_HEADER_LEN || (ip[0] >> 4) != 6 || ip[6] != IP_PROTO_ICMPV6 ||
	    ip[7] != ND_HOP_LIMIT)
		return 0;
	message_len = ether_read_be16(ip + 4);
	if (message_len < ND_MESSAGE_LEN || message_len > len - offset - IPV6_HEADER_LEN)
		return 0;
	if (message[0] != ICMPV6_NEIGHBOR_SOLICITATION || message[1] != 0)
		return 0;
	/* Cheap refusals first: most solicitations on a shared link are for others. */
	if (target[0] == 0xff || source[0] == 0xff || !is_local_v6(config, target))
		return 0;
	if (icmpv6_checksum(ip, message, message_len) != 0)
		return 0;
	if (!walk_nd_options(message + ND_MESSAGE_LEN, message_len - ND_MESSAGE_LEN, &source_mac))
		return 0;

	/* Duplicate address detection: the asker has no address yet (RFC 4861 7.2.4). */
	duplicate_detection = is_unspecified(source);
	if (duplicate_detection) {
		if (source_mac != NULL ||
		    memcmp(destination, solicited_node_prefix, sizeof(solicited_node_prefix)) != 0)
			return 0;
		reply_mac = all_nodes_mac;
	} else {
		reply_mac = source_mac != NULL ? source_mac : frame + NEIGHBOR_MAC_LEN;
		if (is_multicast_mac(reply_mac))
			return 0;
	}

	write_ether_header(out, frame, offset, reply_mac, config->mac);
	memset(reply_ip, 0, IPV6_HEADER_LEN + NA_LEN);
	reply_ip[0] = 0x60;
	write_be16(reply_ip + 4, NA_LEN);
	reply_ip[6] = IP_PROTO_ICMPV6;
	reply_ip[7] = ND_HOP_LIMIT;
	memcpy(reply_ip + 8, target, IPV6_ADDR_LEN);
	memcpy(reply_ip + 24, duplicate_detection ? all_nodes : source, IPV6_ADDR_LEN);

	reply[0] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
	/* Nobody solicited a reply to duplicate detection: S must be 0 there. */
	reply[4] = duplicate_detection ? NA_FLAG_OVERRIDE : NA_FLAG_SOLICITED | NA_FLAG_OVERRIDE;
	memcpy(reply + 8, target, IPV6_ADDR_LEN);
	reply[ND_MESSAGE_LEN] = ND_OPTION_TARGET_LINK_ADDR;
	reply[ND_MESSAGE_LEN + 1] = 1;
	memcpy(reply + ND_MESSAGE_LEN + 2, config->mac, NEIGHBOR_MAC_LEN);
	write_be16(reply + 2, icmpv6_checksum(reply_ip, reply, NA_LEN));
	return (int)(offset + IPV6_HEADER_LEN + NA_LEN);
}

int neighbor_build_reply(const uint8_t *frame, size_t len, const struct neighbor_config *config,
			 uint8_t *out, size_t out_size)
{
	uint16_t ether_type;
	size_t offset;

	if (out_size < NEIGHBOR_REPLY_MAX)
		return -ENOSPC;
	offset = ether_payload_offset(frame, len, &ether_type);
	if (offset == 0)
		return 0;
	if (ether_type == ETHER_TYPE_ARP)
		return build_arp_reply(frame, len, offset, config, out);
	if (ether_type == ETHER_TYPE_IPV6)
		return build_neighbor_advertisement(frame, len, offset, config, out);
	return 0;
}
