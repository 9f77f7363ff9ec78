/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up: every available port, one RX queue and one TX queue per RX
 * lcore (RX lcore i owns queue i of every port, both ways), promiscuous,
 * RSS on the IP pair when there are several RX queues and the device offers
 * it, IPv4 / UDP checksum checks by the NIC when it offers them.  Without
 * RSS each queue gets what the device puts there (the pcap PMD: one file per
 * queue); without checksum offload nothing is checked (lib/packet.c says why).
 *
 * Also the ports' state for --stats-json and telemetry: link, rte_eth_stats
 * and xstats, read on demand from the control thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "app.h"
#include "port.h"
#include "log.h"

RTE_LOG_REGISTER(cgnf_logtype_port, cgnf.port, INFO);

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 512
#define MBUF_CACHE 256

/* Checked by the NIC when it can; the RX lcore drops what it flags bad. */
#define PORT_RX_CHECKSUM_OFFLOADS (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)

/* Enough mbufs to fill every ring of every port, plus what lcores hold. */
static unsigned int mbuf_pool_size(const struct cgnf_app *app)
{
	unsigned int per_port = app->n_rx * (PORT_RX_DESC + PORT_TX_DESC);
	unsigned int per_lcore = CGNF_BURST + MBUF_CACHE * 3 / 2;

	if (app->config.mbufs != 0)
		return app->config.mbufs;
	return app->n_ports * per_port + rte_lcore_count() * per_lcore;
}

static void port_log_link(const struct cgnf_port *port)
{
	struct rte_eth_link link;
	int rc;

	rc = rte_eth_link_get_nowait(port->port_id, &link);
	if (rc != 0) {
		CGNF_LOG(port, WARNING, "port %u (%s): link status unknown: %s", port->port_id,
			 port->name, rte_strerror(-rc));
		return;
	}
	if (!link.link_status)
		CGNF_LOG(port, INFO, "port %u (%s): link down", port->port_id, port->name);
	else
		CGNF_LOG(port, INFO, "port %u (%s): link up, %u Mbps, %s-duplex", port->port_id,
			 port->name, link.link_speed,
			 link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX ? "full" : "half");
}

/* The port's MAC and the --ip addresses, for the RX lcores' ARP / ND replies. */
static void port_set_up_neighbor(const struct cgnf_app *app, struct cgnf_port *port)
{
	int rc = rte_eth_macaddr_get(port->port_id, &port->mac);

	if (rc != 0) {
		CGNF_LOG(port, WARNING, "port %u (%s): no MAC address (%s): ARP/ND not answered",
			 port->port_id, port->name, rte_strerror(-rc));
		port->neighbor.addr_count = 0;
		return;
	}
	memcpy(port->neighbor.mac, port->mac.addr_bytes, sizeof(port->neighbor.mac));
	port->neighbor.addrs = app->config.local_ips;
	port->neighbor.addr_count = app->config.local_ip_count;
	if (app->config.local_ip_count != 0 && port->tx_queues != 0)
		CGNF_LOG(port, INFO, "port %u (%s): answers ARP/ND for %u address(es)",
			 port->port_id, port->name, app->config.local_ip_count);
}

static int port_init(struct cgnf_app *app, struct cgnf_port *port)
{
	uint16_t port_id = port->port_id;
	uint16_t rx_desc = PORT_RX_DESC, tx_desc = PORT_TX_DESC;
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint64_t rss_hf;
	unsigned int q;
	int socket = rte_eth_dev_socket_id(port_id);
	int rc;

	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0) {
		CGNF_LOG(port, ERR, "port %u (%s): no device info: %s", port_id, port->name,
			 rte_strerror(-rc));
		return rc;
	}
	if (info.max_rx_queues < app->n_rx) {
		CGNF_LOG(port, ERR,
			 "port %u (%s) has %u RX queue(s) but the %u RX lcores need one each: "
			 "use --rx %u or give the port more queues (pcap PMD: one rx_pcap= per "
			 "queue)",
			 port_id, port->name, info.max_rx_queues, app->n_rx,
			 info.max_rx_queues ? info.max_rx_queues : 1);
		return -EINVAL;
	}
	/* TX only carries ARP/ND replies: without a queue per RX lcore, go without. */
	port->tx_queues = info.max_tx_queues >= app->n_rx ? app->n_rx : 0;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = info.rx_offload_capa & PORT_RX_CHECKSUM_OFFLOADS;
	port->rx_checksum = conf.rxmode.offloads != 0;
	rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
	port->rss = app->n_rx > 1 && rss_hf != 0;
	if (port->rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = rss_hf;
		CGNF_LOG(port, INFO, "port %u (%s): RSS on the IP pair over %u queues", port_id,
			 port->name, app->n_rx);
	} else if (app->n_rx > 1) {
		CGNF_LOG(port, INFO,
			 "port %u (%s): no RSS on this device; each of the %u queues "
			 "gets what the device gives it",
			 port_id, port->name, app->n_rx);
	}

	rc = rte_eth_dev_configure(port_id, app->n_rx, port->tx_queues, &conf);
	if (rc != 0) {
		CGNF_LOG(port, ERR, "port %u (%s): configure with %u RX / %u TX queues: %s",
			 port_id, port->name, app->n_rx, port->tx_queues, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc);
	if (rc != 0) {
		CGNF_LOG(port, ERR, "port %u (%s): descriptor counts: %s", port_id, port->name,
			 rte_strerror(-rc));
		return rc;
	}
	for (q = 0; q < app->n_rx; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, rx_desc, socket, NULL, app->pool);
		if (rc != 0) {
			CGNF_LOG(port, ERR, "port %u (%s): RX queue %u: %s", port_id, port->name, q,
				 rte_strerror(-rc));
			return rc;
		}
	}
	for (q = 0; q < port->tx_queues; q++) {
		rc = rte_eth_tx_queue_setup(port_id, q, tx_desc, socket, NULL);
		if (rc != 0) {
			CGNF_LOG(port, ERR, "port %u (%s): TX queue %u: %s", port_id, port->name, q,
				 rte_strerror(-rc));
			return rc;
		}
	}
	if (port->tx_queues == 0)
		CGNF_LOG(
			port, WARNING,
			"port %u (%s) has %u TX queue(s), fewer than the %u RX lcores: it will not "
			"answer ARP/ND",
			port_id, port->name, info.max_tx_queues, app->n_rx);
	rc = rte_eth_dev_start(port_id);
	if (rc != 0) {
		CGNF_LOG(port, ERR, "port %u (%s): start: %s", port_id, port->name,
			 rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_promiscuous_enable(port_id);
	if (rc != 0) {
		CGNF_LOG(port, WARNING, "port %u (%s): promiscuous mode: %s", port_id, port->name,
			 rte_strerror(-rc));
		/* Neighbor Solicitations go to a multicast group. */
		if (app->config.local_ip_count != 0 && rte_eth_allmulticast_enable(port_id) != 0)
			CGNF_LOG(port, WARNING,
				 "port %u (%s): no multicast: IPv6 ND may go unheard", port_id,
				 port->name);
	}
	port_set_up_neighbor(app, port);
	CGNF_LOG(port, INFO, "port %u (%s): MAC " RTE_ETHER_ADDR_PRT_FMT ", checksum offload %s",
		 port_id, port->name, RTE_ETHER_ADDR_BYTES(&port->mac),
		 port->rx_checksum ? "on" : "not offered");
	port_log_link(port);
	return 0;
}

int port_init_all(struct cgnf_app *app)
{
	unsigned int mbufs;
	uint16_t port_id;
	int rc;

	app->n_ports = 0;
	RTE_ETH_FOREACH_DEV (port_id) {
		struct cgnf_port *port = &app->ports[app->n_ports++];

		port->port_id = port_id;
		port->tx_queues = 0;
		if (rte_eth_dev_get_name_by_port(port_id, port->name) != 0)
			snprintf(port->name, sizeof(port->name), "port%u", port_id);
	}
	if (app->n_ports == 0) {
		CGNF_LOG(port, ERR,
			 "no Ethernet port available: bind a NIC to a DPDK driver or "
			 "add one, e.g. --vdev net_pcap0,rx_pcap=FILE.pcap");
		return -ENODEV;
	}

	mbufs = mbuf_pool_size(app);
	app->pool = rte_pktmbuf_pool_create("cgnf_mbufs", mbufs, MBUF_CACHE, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (app->pool == NULL) {
		CGNF_LOG(port, ERR,
			 "cannot create a pool of %u mbufs: %s (give EAL more memory, "
			 "e.g. -m 512)",
			 mbufs, rte_strerror(rte_errno));
		return -rte_errno;
	}
	CGNF_LOG(port, INFO, "%u port(s), %u mbufs", app->n_ports, mbufs);

	for (unsigned int p = 0; p < app->n_ports; p++) {
		rc = port_init(app, &app->ports[p]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void port_close_all(struct cgnf_app *app)
{
	unsigned int in_use;

	for (unsigned int p = 0; p < app->n_ports; p++) {
		uint16_t port_id = app->ports[p].port_id;
		int rc = rte_eth_dev_stop(port_id);

		if (rc != 0)
			CGNF_LOG(port, WARNING, "port %u: stop: %s", port_id, rte_strerror(-rc));
		rte_eth_dev_close(port_id);
	}
	app->n_ports = 0;
	if (app->pool == NULL)
		return;
	in_use = rte_mempool_in_use_count(app->pool);
	if (in_use == 0)
		CGNF_LOG(port, INFO, "every mbuf is back in the pool");
	else
		CGNF_LOG(port, WARNING, "%u mbufs still in use at exit", in_use);
	rte_mempool_free(app->pool);
	app->pool = NULL;
}

int port_read_status(const struct cgnf_port *port, struct port_status *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = rte_eth_link_get_nowait(port->port_id, &out->link);
	out->link_known = rc == 0;
	return rte_eth_stats_get(port->port_id, &out->stats);
}

/* Every extended statistic of the port, by name; NULL when it has none. */
static json_t *port_xstats_to_json(uint16_t port_id)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *values = NULL;
	json_t *object = NULL;
	int count, i;

	count = rte_eth_xstats_get_names(port_id, NULL, 0);
	if (count <= 0)
		return NULL;
	names = rte_calloc(NULL, (size_t)count, sizeof(*names), 0);
	values = rte_calloc(NULL, (size_t)count, sizeof(*values), 0);
	if (names == NULL || values == NULL ||
	    rte_eth_xstats_get_names(port_id, names, (unsigned int)count) != count ||
	    rte_eth_xstats_get(port_id, values, (unsigned int)count) != count)
		goto out;
	object = json_object();
	for (i = 0; i < count && object != NULL; i++)
		if (values[i].id < (uint64_t)count)
			json_object_set_new(object, names[values[i].id].name,
					    json_integer((json_int_t)values[i].value));
out:
	rte_free(names);
	rte_free(values);
	return object;
}

json_t *port_to_json(const struct cgnf_port *port, bool xstats)
{
	struct port_status status;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	json_t *object;

	rte_ether_format_addr(mac, sizeof(mac), &port->mac);
	port_read_status(port, &status);
	object = json_pack(
		"{s:I, s:s, s:s, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "port_id",
		(json_int_t)port->port_id, "name", port->name, "mac", mac, "rss", port->rss,
		"rx_checksum_offload", port->rx_checksum, "tx_queues", (json_int_t)port->tx_queues,
		"ipackets", (json_int_t)status.stats.ipackets, "opackets",
		(json_int_t)status.stats.opackets, "ibytes", (json_int_t)status.stats.ibytes,
		"obytes", (json_int_t)status.stats.obytes, "imissed",
		(json_int_t)status.stats.imissed, "ierrors", (json_int_t)status.stats.ierrors,
		"oerrors", (json_int_t)status.stats.oerrors, "rx_nombuf",
		(json_int_t)status.stats.rx_nombuf);
	if (object == NULL)
		return NULL;
	if (status.link_known) {
		json_object_set_new(object, "link_up", json_boolean(status.link.link_status));
		json_object_set_new(object, "speed_mbps", json_integer(status.link.link_speed));
		json_object_set_new(object, "duplex",
				    json_string(status.link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX
							? "full"
							: "half"));
	}
	if (xstats)
		json_object_set_new(object, "xstats",
				    port_xstats_to_json(port->port_id) ?: json_null());
	return object;
}
