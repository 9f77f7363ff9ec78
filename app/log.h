/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cgnf's log types, one per file of app/, each registered where it is used
 * with RTE_LOG_REGISTER (RTE_LOG_REGISTER_DEFAULT needs a define that only
 * DPDK's own build sets).  Levels can be changed at start-up, e.g.
 * --log-level 'cgnf.rx:debug'.
 *
 * Nothing is logged per packet: the datapath only counts.
 */
#ifndef CGNF_LOG_H
#define CGNF_LOG_H

#include <rte_log.h>

extern int cgnf_logtype_main;
extern int cgnf_logtype_port;
extern int cgnf_logtype_rx;
extern int cgnf_logtype_cls;
extern int cgnf_logtype_agg;
extern int cgnf_logtype_control;
extern int cgnf_logtype_sink;
extern int cgnf_logtype_reload;
extern int cgnf_logtype_telemetry;
extern int cgnf_logtype_nft;

/* CGNF_LOG(rx, ERR, "port %u: %s", ...) logs "cgnf.rx: function: port 0: ..." */
#define CGNF_LOG(type, level, fmt, ...)                                                          \
	rte_log(RTE_LOG_##level, cgnf_logtype_##type, "cgnf." #type ": %s: " fmt "\n", __func__, \
		##__VA_ARGS__)

#endif
