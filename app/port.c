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
 *
 * Ports of the pcap PMD are looked at before they start (pcap_file.h): a
 * capture that is not Ethernet is refused, a record cut short at the end of
 * a file is reported, and the pool grows by the packets that infinite_rx
 * keeps in memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_kvargs.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "app.h"
#include "port.h"
#include "log.h"
#include "pcap_file.h"

RTE_LOG_REGISTER(cgnf_logtype_port, cgnf.port, INFO);

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 512
#define MBUF_CACHE 256

/* Checked by the NIC when it can; the RX lcore drops what it flags bad. */
#define PORT_RX_CHECKSUM_OFFLOADS (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)

/* The pcap PMD's own arguments of one --vdev (drivers/net/pcap/pcap_ethdev.c). */
#define PCAP_FILES_MAX 64

struct pcap_devargs {
	struct rte_kvargs *kvlist; /* owns the strings below */
	unsigned int n_files;
	const char *files[PCAP_FILES_MAX]; /* rx_pcap=, in queue order */
	bool infinite_rx;
};

static int collect_rx_pcap(const char *key, const char *value, void *opaque)
{
	struct pcap_devargs *pcap = opaque;

	(void)key;
	if (pcap->n_files < PCAP_FILES_MAX)
		pcap->files[pcap->n_files++] = value;
	return 0;
}

static int read_infinite_rx(const char *key, const char *value, void *opaque)
{
	(void)key;
	*(bool *)opaque = atoi(value) > 0; /* the PMD's reading of it */
	return 0;
}

/* 0 (nothing found is not an error), or -EINVAL when args do not parse. */
static int pcap_devargs_parse(const char *args, struct pcap_devargs *pcap)
{
	memset(pcap, 0, sizeof(*pcap));
	if (args == NULL || args[0] == '\0')
		return 0;
	pcap->kvlist = rte_kvargs_parse(args, NULL);
	if (pcap->kvlist == NULL)
		return -EINVAL;
	rte_kvargs_process(pcap->kvlist, "rx_pcap", collect_rx_pcap, pcap);
	rte_kvargs_process(pcap->kvlist, "infinite_rx", read_infinite_rx, &pcap->infinite_rx);
	return 0;
}

static void pcap_devargs_free(struct pcap_devargs *pcap)
{
	rte_kvargs_free(pcap->kvlist);
	pcap->kvlist = NULL;
}

/*
 * One rx_pcap file of a port: refuses a link type other than Ethernet (the
 * PMD would hand every record over as an Ethernet frame, all dropped as
 * not_ip), warns of a record cut short at the end.  Adds to *replayed the
 * packets infinite_rx will keep in mbufs.
 */
static int port_check_rx_pcap(const struct cgnf_port *port, const char *path, bool replays,
			      uint64_t *replayed)
{
	struct pcap_file_info info;
	char err[512];
	const char *name;
	int rc;

	rc = pcap_file_inspect(path, &info, err, sizeof(err));
	if (rc < 0) {
		CGNF_LOG(port, ERR, "port %u (%s): rx_pcap=%s", port->port_id, port->name, err);
		return rc;
	}
	if (info.pcapng) {
		if (replays)
			CGNF_LOG(port, WARNING,
				 "port %u (%s): rx_pcap=%s is pcapng: its packets are not "
				 "counted, so the pool is not sized for infinite_rx; if nothing "
				 "is received, give --mbufs above its packet count",
				 port->port_id, port->name, path);
		return 0;
	}
	if (info.link_type != PCAP_LINKTYPE_ETHERNET) {
		name = pcap_link_type_name(info.link_type);
		CGNF_LOG(port, ERR,
			 "port %u (%s): rx_pcap=%s: link type %u (%s) is not supported: cgnf "
			 "reads Ethernet frames; capture on the interface itself (tcpdump -i eth0; "
			 "-i any writes Linux cooked captures) or convert the file (tcprewrite "
			 "--dlt=enet)",
			 port->port_id, port->name, path, info.link_type, name ? name : "unknown");
		return -EINVAL;
	}
	if (info.last_truncated)
		CGNF_LOG(port, WARNING,
			 "port %u (%s): rx_pcap=%s: 1 truncated record: the last one is cut short "
			 "(%u of %u bytes); the pcap PMD counts it in ierrors, not as a packet",
			 port->port_id, port->name, path, info.last_have, info.last_needed);
	if (replays)
		*replayed += info.records;
	return 0;
}

/* The rx_pcap files of every pcap PMD port: see port_check_rx_pcap(). */
static int port_check_pcap_inputs(const struct cgnf_app *app, uint64_t *replayed)
{
	*replayed = 0;
	for (unsigned int p = 0; p < app->n_ports; p++) {
		const struct cgnf_port *port = &app->ports[p];
		const struct rte_devargs *devargs;
		struct rte_eth_dev_info info;
		struct pcap_devargs pcap;
		int rc;

		if (rte_eth_dev_info_get(port->port_id, &info) != 0 || info.device == NULL ||
		    info.driver_name == NULL || strcmp(info.driver_name, "net_pcap") != 0)
			continue;
		devargs = rte_dev_devargs(info.device);
		if (devargs == NULL || pcap_devargs_parse(devargs->args, &pcap) != 0)
			continue;
		rc = 0;
		/* Only the first n_rx files become queues: the others are never read. */
		for (unsigned int q = 0; q < pcap.n_files && q < app->n_rx && rc == 0; q++)
			rc = port_check_rx_pcap(port, pcap.files[q], pcap.infinite_rx, replayed);
		pcap_devargs_free(&pcap);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Enough mbufs to fill every ring of every port, plus what lcores hold,
 * plus the packets infinite_rx keeps: it copies its whole file into mbufs
 * when the queue is set up and takes a fresh mbuf for every packet it
 * hands out, so a pool of exactly the file's packets starts and then
 * receives nothing, and a smaller one fails the queue set-up.
 */
static int mbuf_pool_size(const struct cgnf_app *app, uint64_t replayed, unsigned int *mbufs)
{
	uint64_t per_port = (uint64_t)app->n_rx * (PORT_RX_DESC + PORT_TX_DESC);
	uint64_t in_flight = (uint64_t)rte_lcore_count() * (CGNF_BURST + MBUF_CACHE * 3 / 2);
	uint64_t sized = app->n_ports * per_port + in_flight + replayed;

	if (app->config.mbufs != 0) {
		if (replayed != 0 && app->config.mbufs < replayed + in_flight) {
			CGNF_LOG(port, ERR,
				 "--mbufs %u is too few for infinite_rx: the pcap PMD keeps the "
				 "%" PRIu64 " packets of its file(s) in mbufs and needs %" PRIu64
				 " more in flight: give --mbufs %" PRIu64
				 " (or leave --mbufs out: the pool is then sized by itself)",
				 app->config.mbufs, replayed, in_flight, sized);
			return -EINVAL;
		}
		*mbufs = app->config.mbufs;
		return 0;
	}
	if (sized > UINT32_MAX) {
		CGNF_LOG(port, ERR, "infinite_rx: %" PRIu64 " packets are too many to replay",
			 replayed);
		return -E2BIG;
	}
	*mbufs = (unsigned int)sized;
	return 0;
}

/*
 * No port: say which --vdev or -a gave none and why when it can be told
 * (the usual one: an rx_pcap file that is not there).
 */
static void explain_no_port(void)
{
	struct rte_devargs *devargs;
	bool any = false;

	RTE_EAL_DEVARGS_FOREACH("vdev", devargs)
	{
		struct pcap_devargs pcap;
		bool told = false;

		any = true;
		if (pcap_devargs_parse(devargs->args, &pcap) == 0) {
			for (unsigned int q = 0; q < pcap.n_files && !told; q++) {
				if (access(pcap.files[q], R_OK) == 0)
					continue;
				CGNF_LOG(port, ERR,
					 "--vdev %s gave no port: rx_pcap=%s: %s (check the path)",
					 devargs->name, pcap.files[q], strerror(errno));
				told = true;
			}
			pcap_devargs_free(&pcap);
		}
		if (!told)
			CGNF_LOG(port, ERR,
				 "--vdev %s gave no port: see the EAL lines above (vdev_probe)",
				 devargs->name);
	}
	RTE_EAL_DEVARGS_FOREACH("pci", devargs)
	{
		any = true;
		CGNF_LOG(port, ERR,
			 "-a %s gave no port: bind the NIC to a DPDK driver "
			 "(dpdk-devbind.py --status) and do not give --no-pci",
			 devargs->name);
	}
	if (!any)
		CGNF_LOG(port, ERR,
			 "no Ethernet port available: bind a NIC to a DPDK driver or "
			 "add one, e.g. --vdev net_pcap0,rx_pcap=FILE.pcap");
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

/* 0x6d5a repeated: the symmetric Toeplitz key (hash(a, b) == hash(b, a)). */
static void port_symmetric_rss_key(uint8_t *key, unsigned int size)
{
	for (unsigned int i = 0; i < size; i++)
		key[i] = i % 2 ? 0x5a : 0x6d;
}

/*
 * --input traffic: the port must have taken the symmetric key, or the two
 * directions of a conversation could reach two lcores.
 */
static int port_check_rss(const struct cgnf_port *port, unsigned int key_size)
{
	uint8_t key[PORT_RSS_KEY_MAX] = {0};
	struct rte_eth_rss_conf rss = {.rss_key = key, .rss_key_len = (uint8_t)key_size};
	int rc = rte_eth_dev_rss_hash_conf_get(port->port_id, &rss);

	if (rc == 0 && memcmp(key, port->rss_key, key_size) == 0)
		return 0;
	CGNF_LOG(port, ERR,
		 "port %u (%s): the symmetric RSS key was not taken (%s): the two directions "
		 "of a conversation could reach two RX lcores; use --rx 1",
		 port->port_id, port->name, rc != 0 ? rte_strerror(-rc) : "another key is in use");
	return -ENOTSUP;
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
	port->is_pcap = strcmp(info.driver_name, "net_pcap") == 0;
	/* TX only carries ARP/ND replies: without a queue per RX lcore, go without. */
	port->tx_queues = info.max_tx_queues >= app->n_rx ? app->n_rx : 0;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = info.rx_offload_capa & PORT_RX_CHECKSUM_OFFLOADS;
	port->rx_checksum = conf.rxmode.offloads != 0;
	/* Windows and the outputs' times run on the capture time, where the port gives it. */
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
		port->rx_timestamp = true;
	}
	rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
	port->rss = app->n_rx > 1 && rss_hf != 0;
	if (port->rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = rss_hf;
		/*
		 * Both directions of a conversation must reach one RX lcore (its
		 * windows): a Toeplitz key of one repeated 16-bit word hashes
		 * (a, b) and (b, a) alike, and the IP types hash the addresses only.
		 */
		if (app->config.input == CONFIG_INPUT_TRAFFIC) {
			if (info.hash_key_size > PORT_RSS_KEY_MAX) {
				CGNF_LOG(port, ERR,
					 "port %u (%s): an RSS key of %u bytes: use --rx 1",
					 port_id, port->name, info.hash_key_size);
				return -ENOTSUP;
			}
			port_symmetric_rss_key(port->rss_key, info.hash_key_size);
			conf.rx_adv_conf.rss_conf.rss_key = port->rss_key;
			conf.rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size;
		}
		CGNF_LOG(port, INFO, "port %u (%s): RSS on the IP pair over %u queues", port_id,
			 port->name, app->n_rx);
	} else if (app->n_rx > 1 && app->config.input == CONFIG_INPUT_TRAFFIC &&
		   strcmp(info.driver_name, "net_pcap") != 0) {
		CGNF_LOG(port, ERR,
			 "port %u (%s): --input traffic with --rx %u needs RSS on the IP pair, "
			 "which this device does not offer: use --rx 1",
			 port_id, port->name, app->n_rx);
		return -ENOTSUP;
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
	port->started = true;
	if (app->config.input == CONFIG_INPUT_TRAFFIC && port->rss &&
	    port_check_rss(port, info.hash_key_size) != 0)
		return -ENOTSUP;
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

/* What runs on the packet time, for the start-up log. */
static const char *timed_things(const struct cgnf_app *app)
{
	return app->config.input == CONFIG_INPUT_TRAFFIC ? "windows and reports" : "reports";
}

/*
 * Where the ports that give capture times put them (registered by the PMD
 * when the offload is on).  Every port must give them, or none is used: a
 * mix of capture times and the lcore's clock would make no packet clock.
 */
static void port_find_timestamps(struct cgnf_app *app)
{
	int offset, flag;

	app->timestamp_flag = 0;
	/*
	 * A NIC's timestamp unit is its own (nanoseconds, cycles of its clock):
	 * only the pcap PMD's is known.  DPDK 22.11's stamps every packet, in
	 * microseconds (tv_sec x 10^6 + tv_usec, a nanosecond capture truncated
	 * as libpcap's microsecond precision does), offload bit or not.
	 */
	/* infinite_rx copies the file's frames again and again, without their times. */
	if (app->replays_from_memory) {
		CGNF_LOG(
			port, INFO,
			"infinite_rx replays carry no capture time: %s run on the RX lcores' clock",
			timed_things(app));
		return;
	}
	for (unsigned int p = 0; p < app->n_ports; p++)
		if (!app->ports[p].is_pcap) {
			CGNF_LOG(port, INFO,
				 "port %u (%s) is a NIC: %s run on the RX lcores' clock",
				 app->ports[p].port_id, app->ports[p].name, timed_things(app));
			return;
		}
	offset = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	flag = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, NULL);
	if (offset < 0 || flag < 0) {
		CGNF_LOG(port, INFO, "no capture times: %s run on the RX lcores' clock",
			 timed_things(app));
		return;
	}
	app->timestamp_offset = offset;
	app->timestamp_flag = UINT64_C(1) << flag;
	app->timestamp_unit_ns = 1000;
	CGNF_LOG(port, INFO,
		 "%s run on the packets' capture times: the events and the CSV print them",
		 timed_things(app));
}

int port_init_all(struct cgnf_app *app)
{
	unsigned int mbufs;
	uint64_t replayed;
	uint16_t port_id;
	int rc;

	app->n_ports = 0;
	RTE_ETH_FOREACH_DEV (port_id) {
		struct cgnf_port *port = &app->ports[app->n_ports++];

		port->port_id = port_id;
		port->tx_queues = 0;
		port->started = false;
		if (rte_eth_dev_get_name_by_port(port_id, port->name) != 0)
			snprintf(port->name, sizeof(port->name), "port%u", port_id);
	}
	if (app->n_ports == 0) {
		explain_no_port();
		return -ENODEV;
	}

	rc = port_check_pcap_inputs(app, &replayed);
	if (rc == 0)
		rc = mbuf_pool_size(app, replayed, &mbufs);
	if (rc != 0)
		return rc;
	if (replayed != 0)
		CGNF_LOG(port, INFO, "infinite_rx keeps %" PRIu64 " packets in mbufs", replayed);
	app->replays_from_memory = replayed != 0;
	/* A per-lcore cache may hold at most two thirds of a pool (rte_mempool's rule). */
	app->pool = rte_pktmbuf_pool_create("cgnf_mbufs", mbufs,
					    mbufs * 2 / 3 < MBUF_CACHE ? mbufs * 2 / 3 : MBUF_CACHE,
					    0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (app->pool == NULL) {
		CGNF_LOG(port, ERR, "cannot create a pool of %u mbufs: %s%s", mbufs,
			 rte_strerror(rte_errno),
			 rte_errno == ENOMEM ? " (give EAL more memory, e.g. -m 1024)" : "");
		return -rte_errno;
	}
	CGNF_LOG(port, INFO, "%u port(s), %u mbufs", app->n_ports, mbufs);

	for (unsigned int p = 0; p < app->n_ports; p++) {
		rc = port_init(app, &app->ports[p]);
		if (rc != 0)
			return rc;
	}
	port_find_timestamps(app);
	return 0;
}

void port_close_all(struct cgnf_app *app)
{
	unsigned int in_use;

	for (unsigned int p = 0; p < app->n_ports; p++) {
		uint16_t port_id = app->ports[p].port_id;
		int rc;

		/* A port whose set-up failed was never started: stopping it only logs noise. */
		if (app->ports[p].started) {
			rc = rte_eth_dev_stop(port_id);
			if (rc != 0)
				CGNF_LOG(port, WARNING, "port %u: stop: %s", port_id,
					 rte_strerror(-rc));
			app->ports[p].started = false;
		}
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
