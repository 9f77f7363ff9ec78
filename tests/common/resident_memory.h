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

/*
 * The process's peak resident set in bytes (VmHWM in /proc/self/status), or a
 * negative number.  Memory freed again still shows here, so a test can bound
 * what a call took at its worst.
 */
static inline long peak_resident_bytes(void)
{
	char line[128];
	long kilobytes = -1;
	FILE *file = fopen("/proc/self/status", "r");

	if (file == NULL)
		return -1;
	while (fgets(line, sizeof(line), file) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kilobytes) == 1)
			break;
	fclose(file);
	return kilobytes < 0 ? -1 : kilobytes * 1024;
}

#endif /* CGNF_RESIDENT_MEMORY_H */
