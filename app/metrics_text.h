/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /metrics page, rendered from the counter registry (counters.h) in
 * the Prometheus text exposition format 0.0.4 or OpenMetrics 1.0.0.  Pure:
 * it takes plain values (no EAL, no lock), so a unit test renders it and
 * the metrics sink calls it on its server thread.
 *
 * Names, by one mechanical rule on the registry (never a second list):
 *
 *   - every name gets the prefix cgnf_;
 *   - a counter's unit "nanoseconds" becomes seconds: the value is divided
 *     by 1e9 (printed exactly, 9 decimals at most) and the name's _ns
 *     suffix becomes _seconds, put before a final _sum, _max or _mean:
 *     latency_max_ns -> cgnf_latency_seconds_max, elapsed_ns ->
 *     cgnf_elapsed_seconds;
 *   - counters get _total (reports -> cgnf_reports_total); gauges do not;
 *   - a counter X_sum_ns is the _sum of the histogram cgnf_X_seconds, whose
 *     buckets are the aggregator's latency buckets (counters.h) and whose
 *     _count is their total: latency_sum_ns -> cgnf_latency_seconds_sum;
 *   - the derived dropped_total is its breakdown:
 *     cgnf_dropped_total{reason="..."}, a sample per drop reason
 *     (lib/drop_reason.h), summed over the RX lcores;
 *   - RX and classifier counters are per lcore only, labelled lcore and
 *     role (sum() them for the total); the others have no label.
 *
 * Besides the registry: per-port counters from rte_eth_stats
 * (METRICS_PORT_STATS below, label port and name), cgnf_port_link_up,
 * cgnf_build_info{version} and cgnf_model_info{checksum,source,path,
 * loaded_at}, both 1.
 */
#ifndef CGNF_METRICS_TEXT_H
#define CGNF_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"

/* X(field of struct metrics_port = of rte_eth_stats, metric name after cgnf_, help) */
#define METRICS_PORT_STATS(X)                                                                 \
	X(ipackets, port_rx_packets, "Packets received by the port (rte_eth_stats ipackets)") \
	X(opackets, port_tx_packets, "Packets sent by the port (rte_eth_stats opackets)")     \
	X(ibytes, port_rx_bytes, "Bytes received by the port (rte_eth_stats ibytes)")         \
	X(obytes, port_tx_bytes, "Bytes sent by the port (rte_eth_stats obytes)")             \
	X(imissed, port_rx_missed, "Packets the NIC dropped for want of room (imissed)")      \
	X(ierrors, port_rx_errors, "Erroneous received packets (rte_eth_stats ierrors)")      \
	X(oerrors, port_tx_errors, "Failed transmissions (rte_eth_stats oerrors)")            \
	X(rx_nombuf, port_rx_nombuf, "Receive failures for want of an mbuf (rx_nombuf)")

enum metrics_format {
	METRICS_FORMAT_PROMETHEUS, /* text/plain; version=0.0.4 */
	METRICS_FORMAT_OPENMETRICS,
};

#define METRICS_CONTENT_TYPE_PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CONTENT_TYPE_OPENMETRICS \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"

struct metrics_lcore {
	unsigned int lcore_id;
	enum counter_role role; /* COUNTER_ROLE_RX or COUNTER_ROLE_CLASSIFIER */
	const char *role_name;	/* "rx", "classifier" */
	struct counter_values values;
};

struct metrics_port {
	unsigned int port_id;
	const char *name;
	bool link_known;
	bool link_up;
#define METRICS_PORT_FIELD(field, metric, help) uint64_t field;
	METRICS_PORT_STATS(METRICS_PORT_FIELD)
#undef METRICS_PORT_FIELD
};

struct metrics_input {
	const struct counter_values *totals; /* cgnf_read_counters */
	const struct metrics_lcore *lcores;
	unsigned int n_lcores;
	const struct metrics_port *ports;
	unsigned int n_ports;
	const char *version;
	const char *model_checksum; /* 16 hex digits */
	const char *model_source;
	const char *model_path;
	const char *model_loaded_at; /* "2026-11-27T11:43:19.123456+0000" */
};

/*
 * A registry name as exposed: "cgnf_latency_seconds_max" for latency_max_ns
 * (the family name: without _total).  *in_seconds tells that values are
 * nanoseconds shown as seconds.  0, or -ENOSPC.
 */
int metrics_family_name(const struct counter_spec *spec, char *out, size_t size, bool *in_seconds);

/* Upper bound of latency bucket b in nanoseconds; UINT64_MAX for the last one (+Inf). */
uint64_t metrics_latency_bucket_le_ns(unsigned int bucket);

/*
 * The whole page into *text (malloc'd, NUL-terminated; free it), its length
 * in *length.  0 or -ENOMEM.
 */
int metrics_render(const struct metrics_input *input, enum metrics_format format, char **text,
		   size_t *length);

/* Which format an Accept header asks for (NULL: Prometheus text). */
enum metrics_format metrics_negotiate(const char *accept);

#endif
