/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every reason cgnf can refuse a packet for, in one list.  The enum, the
 * names printed in the table, --stats-json and telemetry, and the README all
 * come from here, so a new reason only needs to be added once.
 *
 * Each received packet ends either as one classified report or as exactly one
 * drop under one of these reasons.
 */
#ifndef CGNF_DROP_REASON_H
#define CGNF_DROP_REASON_H

#define CGNF_DROP_REASONS(X)                                                  \
	/* Frame and network headers (lib/packet.c). */                       \
	X(FRAME_RUNT, "frame_runt")                                           \
	X(NOT_IP, "not_ip")                                                   \
	X(VLAN_NESTED, "vlan_nested")                                         \
	X(IPV4_TRUNCATED, "ipv4_truncated")                                   \
	X(IPV4_BAD_HEADER, "ipv4_bad_header")                                 \
	X(IPV6_TRUNCATED, "ipv6_truncated")                                   \
	X(IPV6_BAD_HEADER, "ipv6_bad_header")                                 \
	X(IP_FRAGMENT, "ip_fragment")                                         \
	X(NOT_UDP, "not_udp")                                                 \
	X(UDP_TRUNCATED, "udp_truncated")                                     \
	X(UDP_BAD_LENGTH, "udp_bad_length")                                   \
	X(WRONG_PORT, "wrong_port")                                           \
	X(UNKNOWN_PROBE, "unknown_probe")                                     \
	X(BAD_CHECKSUM, "bad_checksum") /* flagged by the NIC's RX offload */ \
	/* Raw traffic for the windows (lib/window_frame.c). */               \
	X(TRAFFIC_LATER_FRAGMENT, "traffic_later_fragment")                   \
	X(TRAFFIC_TRUNCATED, "traffic_truncated") /* cut before UDP's end */  \
	/* Not reports: ARP and neighbour discovery (lib/neighbor.c). */      \
	X(NEIGHBOR_ARP, "arp")                                                \
	X(NEIGHBOR_NDP, "neighbor_discovery")                                 \
	/* Report payload (lib/report.c). */                                  \
	X(REPORT_EMPTY, "report_empty")                                       \
	X(REPORT_NOT_ARRAY, "report_not_array")                               \
	X(REPORT_TRUNCATED, "report_truncated")                               \
	X(REPORT_TRAILING_BYTES, "report_trailing_bytes")                     \
	X(REPORT_BAD_SYNTAX, "report_bad_syntax")                             \
	X(REPORT_WRONG_ARITY, "report_wrong_arity")                           \
	X(REPORT_STATS_ARITY, "report_stats_arity")                           \
	X(REPORT_NOT_A_STRING, "report_not_a_string")                         \
	X(REPORT_NOT_A_NUMBER, "report_not_a_number")                         \
	X(REPORT_NOT_A_LIST, "report_not_a_list")                             \
	X(REPORT_BAD_NUMBER, "report_bad_number")                             \
	X(REPORT_NAN_OR_INFINITY, "report_nan_or_infinity")                   \
	X(REPORT_NUMBER_OVERFLOW, "report_number_overflow")                   \
	X(REPORT_NEGATIVE_VALUE, "report_negative_value")                     \
	X(REPORT_BAD_PORT, "report_bad_port")                                 \
	X(REPORT_BAD_ADDRESS, "report_bad_address")                           \
	X(REPORT_BAD_STRING, "report_bad_string")                             \
	X(REPORT_CONTROL_CHARACTER, "report_control_character")               \
	X(REPORT_STRING_TOO_LONG, "report_string_too_long")                   \
	X(REPORT_TOO_DEEP, "report_too_deep")                                 \
	/* Features (lib/features.c). */                                      \
	X(REPORT_BEYOND_FLOAT, "report_beyond_float")                         \
	/* Pipeline (app/). */                                                \
	X(RING_FULL, "ring_full")

enum drop_reason {
	DROP_NONE = 0,
#define CGNF_DROP_ENUM(id, name) DROP_##id,
	CGNF_DROP_REASONS(CGNF_DROP_ENUM)
#undef CGNF_DROP_ENUM
		DROP_REASON_COUNT
};

/* "report_truncated" for DROP_REPORT_TRUNCATED; "none" for DROP_NONE. */
const char *drop_reason_name(enum drop_reason reason);

#endif
