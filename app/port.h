/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: every available port, one RX and one TX queue per RX lcore (RX
 * lcore i owns queue i of every port, both ways), and their state for
 * --stats-json and telemetry, read on demand from a control thread.
 */
#ifndef CGNF_PORT_H
#define CGNF_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_ethdev.h>

#include "neighbor.h"

struct cgnf_app;

/* The longest RSS hash key a device may ask for (52 bytes on some NICs). */
#define PORT_RSS_KEY_MAX 64

struct cgnf_port {
	uint16_t port_id;
	uint16_t tx_queues; /* n_rx (queue i: RX lcore i's), or 0 when too few */
	bool rx_checksum;   /* the NIC checks IPv4 / UDP checksums and flags bad ones */
	bool rss;	    /* RSS spreads the IP pairs over the RX queues */
	bool started;	    /* rte_eth_dev_start succeeded: stop it at exit */
	bool rx_timestamp;  /* the port gives each packet's capture time */
	bool is_pcap;	    /* the pcap PMD: a capture file, not a NIC */
	uint8_t rss_key[PORT_RSS_KEY_MAX]; /* --input traffic: the symmetric key given */
	struct rte_ether_addr mac;
	struct neighbor_config neighbor; /* the port's MAC and --ip addresses */
	char name[RTE_ETH_NAME_MAX_LEN];
};

/* Every available port, the mempool, one RX and one TX queue per RX lcore. */
int port_init_all(struct cgnf_app *app);
void port_close_all(struct cgnf_app *app);

/* A port's link and counters, from any thread while the ports are up. */
struct port_status {
	bool link_known;
	struct rte_eth_link link;
	struct rte_eth_stats stats;
};

/* 0, or -errno when the driver gives no counters (status->stats is then zero). */
int port_read_status(const struct cgnf_port *port, struct port_status *out);

/*
 * The port as one flat JSON object (identity, link, rte_eth_stats) and,
 * with xstats, every extended statistic under "xstats".  --stats-json and
 * telemetry both render this object, so their names are the same.
 */
json_t *port_to_json(const struct cgnf_port *port, bool xstats);

#endif
