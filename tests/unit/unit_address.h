/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CGNF_UNIT_ADDRESS_H
#define CGNF_UNIT_ADDRESS_H

#include <string.h>

#include <CUnit/Basic.h>

#include "ip.h"

/* The address a text names; the test stops if it names none. */
static inline struct ip_addr address(const char *text)
{
	struct ip_addr addr;

	CU_ASSERT_EQUAL_FATAL(ip_parse(&addr, text, strlen(text)), 0);
	return addr;
}

#endif /* CGNF_UNIT_ADDRESS_H */
