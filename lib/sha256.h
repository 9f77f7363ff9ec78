/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SHA-256 (FIPS 180-4) of a buffer: what names a model file everywhere a
 * verdict is written (its first 12 hex digits are the model id), the same
 * as `sha256sum` prints.  Plain C, no dependency.
 */
#ifndef CGNF_SHA256_H
#define CGNF_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN (2 * SHA256_DIGEST_LEN + 1)

void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_LEN]);

/* The digest as lower-case hex, NUL-terminated. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN]);

#endif
