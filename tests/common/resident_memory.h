/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CGNF_RESIDENT_MEMORY_H
#define CGNF_RESIDENT_MEMORY_H

#include <stdio.h>
#include <unistd.h>

/* The process's resident set in bytes (from /proc/self/statm), or a negative number. */
static inline long resident_bytes(void)
{
	long pages_total, pages_resident = -1;
	FILE *file = fopen("/proc/self/statm", "r");

	if (file == NULL)
		return -1;
	if (fscanf(file, "%ld %ld", &pages_total, &pages_resident) != 2)
		pages_resident = -1;
	fclose(file);
	return pages_resident * sysconf(_SC_PAGESIZE);
}

#endif /* CGNF_RESIDENT_MEMORY_H */
