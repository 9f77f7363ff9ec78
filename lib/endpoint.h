/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where an exporter listens or connects, as given on the command line:
 * "PORT", "HOST:PORT", "[IPV6]:PORT" or "unix:PATH".
 */
#ifndef CGNF_ENDPOINT_H
#define CGNF_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENDPOINT_HOST_MAX 512

struct endpoint {
	bool is_unix;		      /* host holds the socket's path */
	char host[ENDPOINT_HOST_MAX]; /* name or address, brackets removed */
	uint16_t port;		      /* 1..65535; 0 for unix */
};

/*
 * Parses text.  default_host: taken for a bare "PORT" (NULL: a host is
 * required); allow_unix: "unix:PATH" accepted.  0, or -EINVAL with the
 * reason in err.
 */
int endpoint_parse(const char *text, const char *default_host, bool allow_unix,
		   struct endpoint *out, char *err, size_t err_size);

#endif
