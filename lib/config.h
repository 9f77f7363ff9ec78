/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cgnf's own options (after EAL's "--"): defaults, an optional JSON config
 * file (--config), and the command line, which overrides the file.
 */
#ifndef CGNF_CONFIG_H
#define CGNF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "prefix.h"

#define CONFIG_PATH_MAX 512
#define CONFIG_LOCAL_IP_MAX 16

/* What the RX lcores take in (--input). */
enum config_input {
	CONFIG_INPUT_REPORTS, /* the probe's UDP reports */
	CONFIG_INPUT_TRAFFIC, /* raw mirrored traffic: cgnf computes the windows itself */
};

/* How traffic windows are computed (--window-stats, lib/window.h). */
enum config_window_stats {
	CONFIG_WINDOW_STATS_PROBE, /* bit for bit the probe's float32, quirks included */
	CONFIG_WINDOW_STATS_EXACT, /* exact statistics, no lost window */
};

/* Which packets of a CG pair get --cg-dscp (--cg-mark-only). */
enum config_mark_only {
	CONFIG_MARK_BOTH, /* both directions */
	CONFIG_MARK_DOWN, /* toward the pair's client (LAN) side */
	CONFIG_MARK_UP,	  /* from the pair's client side */
};

/* --forward P:Q: every frame received on port P leaves on port Q. */
#define CONFIG_FORWARD_MAX 32
#define CONFIG_PORT_ID_MAX 65534
struct config_forward {
	uint16_t from;
	uint16_t to;
};

/* Bits of cgnf_config.given: one per option of the table, set when given. */
#define CONFIG_OPTIONS_MAX 128

struct cgnf_config {
	char model_path[CONFIG_PATH_MAX];
	unsigned int input;		    /* enum config_input */
	unsigned int window_stats;	    /* enum config_window_stats */
	char windows_path[CONFIG_PATH_MAX]; /* --windows: every closed window as text; "-": stdout
					     */
	uint32_t max_flows;		    /* traffic conversations tracked at once */
	uint32_t window_values;		    /* probe mode: packet values kept for open windows */
	uint16_t udp_port;
	struct prefix_list probes; /* empty: any source */
	struct prefix_list lan;
	unsigned int rx_lcores;
	unsigned int classifiers; /* 0: every remaining worker lcore */
	double idle_timeout_s;
	bool exit_on_idle;
	double duration_s; /* 0: no limit */
	bool lossless;
	bool busy_poll;
	char csv_path[CONFIG_PATH_MAX];
	char stats_json_path[CONFIG_PATH_MAX];
	char events_path[CONFIG_PATH_MAX]; /* "-": stdout */
	double stats_interval_s;	   /* 0: no live status line */
	double snapshot_interval_s;	   /* 0: files only at idle timeout and exit */
	unsigned int verdict_window;
	unsigned int verdict_min_reports;
	double verdict_threshold;
	uint32_t max_pairs;
	double pair_timeout_s;	     /* 0: never expire */
	unsigned int ring_size;	     /* records per ring, power of two */
	unsigned int mbufs;	     /* mempool size; 0: computed from the ports */
	unsigned int local_ip_count; /* --ip: addresses answered for ARP / ND */
	struct ip_addr local_ips[CONFIG_LOCAL_IP_MAX];
	bool quiet;		    /* no table on stdout */
	unsigned int forward_count; /* --forward: inline, a bump in the wire */
	struct config_forward forwards[CONFIG_FORWARD_MAX];
	int cg_dscp;		   /* DSCP of the packets of CG pairs; -1: no marking */
	unsigned int cg_mark_only; /* enum config_mark_only */

	/* The exporters (--metrics, --redis). */
	char metrics_listen[128];		   /* --metrics [ADDR:]PORT; "": no server */
	char redis_address[CONFIG_PATH_MAX];	   /* --redis HOST:PORT | unix:PATH; "": none */
	char redis_password_file[CONFIG_PATH_MAX]; /* else $CGNF_REDIS_PASSWORD, else none */
	char redis_user[128];			   /* ACL user; "": the default user */
	char instance[128];			   /* "": the host name */
	unsigned int redis_stream_maxlen;	   /* XADD MAXLEN ~ N */
	double redis_interval_s;		   /* pair counts refreshed at most this often */

	/* --nft-set, --nft-set6 FAMILY/TABLE/SET: sets of the IPv4 / IPv6 CG pairs ("": none). */
	char nft_set[CONFIG_PATH_MAX];
	char nft_set6[CONFIG_PATH_MAX];

	char config_path[CONFIG_PATH_MAX];
	uint64_t given[CONFIG_OPTIONS_MAX / 64]; /* options set by the file or the command line */
};

void config_set_defaults(struct cgnf_config *config);

/*
 * Applies a JSON config file on top of *config.  Unknown keys and wrong types
 * are refused: returns -EINVAL with "FILE: key: reason" in err.
 */
int config_load_file(struct cgnf_config *config, const char *path, char *err, size_t err_size);

/*
 * Parses cgnf's arguments (argv[0] is the program name): defaults, then
 * --config FILE if given, then every other option.  Returns 0, 1 when --help
 * was printed, or -EINVAL with the reason in err.
 */
int config_parse_args(struct cgnf_config *config, int argc, char **argv, char *err,
		      size_t err_size);

/*
 * Checks ranges and combinations (e.g. a model path is set), and the output
 * paths as output_path.h says: each directory exists and is writable, what
 * is already at --csv and --stats-json is a regular file (or nothing), at
 * --events a file, a FIFO or a character device, symlinks followed, and no
 * two options name the same file.  Returns 0, or -EINVAL (-errno for an
 * output path) with one line in err naming the option and why.
 */
int config_validate(const struct cgnf_config *config, char *err, size_t err_size);

void config_print_usage(const char *program);

/*
 * Every option in force, keyed as in a config file ("udp_port"...), from
 * the same table as the parser: what telemetry's /cgnf/config shows.
 * NULL when out of memory.
 */
json_t *config_to_json(const struct cgnf_config *config);

#endif
