/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A quick look at a capture file given to the pcap PMD (rx_pcap=), before
 * the port starts: its link type and how many whole records it holds.
 * Reads the record headers only (no libpcap, no EAL), so a gigabyte file
 * takes a fraction of a second.
 *
 * The pcap PMD hands cgnf every record as an Ethernet frame whatever the
 * file's link type, and counts a record cut short at the end of the file as
 * an input error: both would otherwise go by with no word.
 */
#ifndef CGNF_PCAP_FILE_H
#define CGNF_PCAP_FILE_H

#include <stdbool.h>
#include <stdint.h>

#define PCAP_LINKTYPE_ETHERNET 1

struct pcap_file_info {
	bool pcapng;	      /* pcapng: only the format is known, nothing counted */
	uint32_t link_type;   /* LINKTYPE_* of the file header */
	uint64_t records;     /* whole records */
	bool last_truncated;  /* the last record is cut short */
	uint32_t last_have;   /* its bytes in the file (header included) */
	uint32_t last_needed; /* the bytes its header announces (header included) */
};

/* 0, or -errno (-EINVAL: not a capture file; the message says why in err). */
int pcap_file_inspect(const char *path, struct pcap_file_info *info, char *err, size_t err_len);

/* "Linux cooked capture (SLL)" and the like, or NULL when unknown. */
const char *pcap_link_type_name(uint32_t link_type);

#endif
