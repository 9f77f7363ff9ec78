/* SPDX-License-Identifier: BSD-3-Clause */
/* See pcap_file.h.  Classic pcap: a 24-byte file header, then records of a
 * 16-byte header (seconds, fraction, captured length, original length) and
 * the captured bytes; either byte order, micro- or nanosecond stamps. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "pcap_file.h"

#define PCAP_MAGIC_US 0xA1B2C3D4u
#define PCAP_MAGIC_NS 0xA1B23C4Du
#define PCAPNG_MAGIC 0x0A0D0D0Au
#define PCAP_FILE_HEADER_LEN 24
#define PCAP_RECORD_HEADER_LEN 16
/* Beyond this a record length is not a length: the file is damaged. */
#define PCAP_RECORD_MAX (256u << 20)

static uint32_t read_u32(const unsigned char *bytes, bool swapped)
{
	uint32_t value;

	memcpy(&value, bytes, sizeof(value));
	return swapped ? __builtin_bswap32(value) : value;
}

const char *pcap_link_type_name(uint32_t link_type)
{
	switch (link_type) {
	case 0:
		return "BSD loopback";
	case 1:
		return "Ethernet";
	case 101:
		return "raw IP";
	case 105:
		return "IEEE 802.11";
	case 113:
		return "Linux cooked capture, SLL";
	case 127:
		return "IEEE 802.11 radiotap";
	case 228:
		return "raw IPv4";
	case 229:
		return "raw IPv6";
	case 276:
		return "Linux cooked capture v2, SLL2";
	default:
		return NULL;
	}
}

int pcap_file_inspect(const char *path, struct pcap_file_info *info, char *err, size_t err_len)
{
	unsigned char header[PCAP_FILE_HEADER_LEN];
	unsigned char record[PCAP_RECORD_HEADER_LEN];
	bool swapped;
	uint32_t magic;
	struct stat st;
	off_t offset = PCAP_FILE_HEADER_LEN, size;
	size_t got;
	FILE *file;
	int rc = 0;

	memset(info, 0, sizeof(*info));
	file = fopen(path, "rb");
	if (file == NULL) {
		rc = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fileno(file), &st) != 0) {
		rc = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		goto out;
	}
	size = st.st_size;
	if (fread(header, 1, sizeof(header), file) != sizeof(header)) {
		snprintf(err, err_len, "%s: shorter than a pcap file header", path);
		rc = -EINVAL;
		goto out;
	}
	memcpy(&magic, header, sizeof(magic));
	if (magic == PCAPNG_MAGIC) {
		info->pcapng = true;
		goto out;
	}
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS) {
		swapped = false;
	} else if (__builtin_bswap32(magic) == PCAP_MAGIC_US ||
		   __builtin_bswap32(magic) == PCAP_MAGIC_NS) {
		swapped = true;
	} else {
		snprintf(err, err_len, "%s: not a pcap file (magic %08x)", path, magic);
		rc = -EINVAL;
		goto out;
	}
	info->link_type = read_u32(header + 20, swapped) & 0x0FFFFFFF; /* high bits: FCS info */

	for (;;) {
		uint32_t caplen;

		got = fread(record, 1, sizeof(record), file);
		if (got == 0)
			break;
		if (got < sizeof(record)) {
			info->last_truncated = true;
			info->last_have = (uint32_t)got;
			info->last_needed = PCAP_RECORD_HEADER_LEN;
			break;
		}
		caplen = read_u32(record + 8, swapped);
		if (caplen > PCAP_RECORD_MAX) {
			snprintf(err, err_len,
				 "%s: record %llu claims %u bytes: the file is damaged", path,
				 (unsigned long long)info->records + 1, caplen);
			rc = -EINVAL;
			goto out;
		}
		offset += PCAP_RECORD_HEADER_LEN;
		if ((uint64_t)offset + caplen > (uint64_t)size) {
			info->last_truncated = true;
			info->last_have = (uint32_t)(size - offset) + PCAP_RECORD_HEADER_LEN;
			info->last_needed = PCAP_RECORD_HEADER_LEN + caplen;
			break;
		}
		offset += caplen;
		if (fseeko(file, offset, SEEK_SET) != 0)
			break;
		info->records++;
	}
	if (ferror(file)) {
		rc = -EIO;
		snprintf(err, err_len, "%s: read error", path);
	}
out:
	fclose(file);
	return rc;
}
