/* SPDX-License-Identifier: BSD-3-Clause */
/* See eal_advice.h.  Runs before EAL or after it failed: plain libc only. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_errno.h>

#include "eal_advice.h"

#define ADVICE_PREFIX "cgnf: EAL initialisation failed: "

/* The EAL options: argv[1] up to "--". */
static int eal_argc(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		;
	return i;
}

static bool eal_has_flag(int argc, char **argv, const char *flag)
{
	int end = eal_argc(argc, argv);

	for (int i = 1; i < end; i++)
		if (strcmp(argv[i], flag) == 0)
			return true;
	return false;
}

/*
 * The value of the last "--name VALUE", "--name=VALUE", "-c VALUE" or
 * "-cVALUE" (short != 0) among the EAL options, or NULL.  *which gets the
 * spelling found, for the message.
 */
static const char *eal_option(int argc, char **argv, const char *name, char short_name,
			      const char **which)
{
	size_t len = strlen(name);
	int end = eal_argc(argc, argv);
	const char *value = NULL;

	for (int i = 1; i < end; i++) {
		const char *arg = argv[i];

		if (strncmp(arg, name, len) == 0 && arg[len] == '=') {
			value = arg + len + 1;
			*which = name;
		} else if (strcmp(arg, name) == 0 && i + 1 < end) {
			value = argv[++i];
			*which = name;
		} else if (short_name != 0 && arg[0] == '-' && arg[1] == short_name) {
			if (arg[2] != '\0')
				value = arg + 2;
			else if (i + 1 < end)
				value = argv[++i];
			*which = short_name == 'l' ? "-l" : "-c";
		}
	}
	return value;
}

/* The largest number of a CPU list "0-3,5" (parentheses ignored), or -1. */
static long max_in_list(const char *list, size_t len)
{
	long max = -1;

	for (size_t i = 0; i < len;) {
		if (isdigit((unsigned char)list[i])) {
			long value = 0;

			while (i < len && isdigit((unsigned char)list[i]))
				value = value * 10 + (list[i++] - '0');
			if (value > max)
				max = value;
		} else {
			i++;
		}
	}
	return max;
}

/*
 * The highest CPU the lcore option names: -l LIST, -c MASK, or --lcores
 * where "LCORES@CPUS" maps lcores onto CPUs and a bare "LCORES" runs each
 * lcore on the CPU of the same number.  *lcores_max gets the highest lcore.
 */
static long highest_cpu(const char *option, const char *value, long *lcores_max)
{
	long max = -1;

	*lcores_max = -1;
	if (strcmp(option, "-c") == 0) {
		unsigned long long mask = strtoull(value, NULL, 16);

		for (long bit = 0; bit < 64; bit++)
			if (mask >> bit & 1)
				max = bit;
		*lcores_max = max;
		return max;
	}
	/* Top-level elements are separated by commas outside parentheses. */
	for (const char *start = value; *start != '\0';) {
		const char *end = start, *at;
		int depth = 0;
		long cpu, lcore;

		while (*end != '\0' && (depth > 0 || *end != ',')) {
			depth += (*end == '(') - (*end == ')');
			end++;
		}
		at = memchr(start, '@', (size_t)(end - start));
		lcore = max_in_list(start, (size_t)((at ? at : end) - start));
		cpu = at ? max_in_list(at + 1, (size_t)(end - at - 1)) : lcore;
		if (cpu > max)
			max = cpu;
		if (lcore > *lcores_max)
			*lcores_max = lcore;
		start = *end == ',' ? end + 1 : end;
	}
	return max;
}

/* One line when the lcore option names a CPU that is not online; true then. */
static bool explain_lcores(int argc, char **argv, const char *prefix)
{
	const char *which = NULL, *value;
	long online = sysconf(_SC_NPROCESSORS_ONLN), cpu, lcores_max;

	value = eal_option(argc, argv, "--lcores", 'l', &which);
	if (value == NULL)
		value = eal_option(argc, argv, "-c", 'c', &which);
	if (value == NULL || online < 1)
		return false;
	cpu = highest_cpu(which, value, &lcores_max);
	if (cpu < online)
		return false;
	fprintf(stderr,
		"%s%s %s names CPU %ld but this machine has %ld CPU(s) online (0-%ld): use "
		"-l 0-%ld, or run %ld lcores on them with --lcores '(0-%ld)@(0-%ld)'\n",
		prefix, which, value, cpu, online, online - 1, online - 1, lcores_max + 1,
		lcores_max, online - 1);
	return true;
}

/* The runtime directory EAL locks (eal_create_runtime_dir()). */
static void runtime_config_path(const char *file_prefix, char *path, size_t len)
{
	const char *base = "/var/run";

	if (getuid() != 0) {
		base = getenv("XDG_RUNTIME_DIR");
		if (base == NULL)
			base = "/tmp";
	}
	snprintf(path, len, "%s/dpdk/%s/config", base, file_prefix);
}

static bool explain_file_prefix(int argc, char **argv)
{
	const char *which = NULL, *prefix;
	struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char path[512];
	int fd;

	if (eal_has_flag(argc, argv, "--in-memory") || eal_has_flag(argc, argv, "--no-shconf"))
		return false;
	prefix = eal_option(argc, argv, "--file-prefix", 0, &which);
	if (prefix == NULL)
		prefix = "rte";
	runtime_config_path(prefix, path, sizeof(path));
	fd = open(path, O_RDWR);
	if (fd < 0)
		return false;
	if (fcntl(fd, F_GETLK, &lock) != 0 || lock.l_type == F_UNLCK) {
		close(fd);
		return false;
	}
	close(fd);
	fprintf(stderr,
		ADVICE_PREFIX "--file-prefix %s is in use by another DPDK process (pid %ld, "
			      "%s): give each cgnf a --file-prefix of its own (telemetry finds "
			      "it by that name), or stop the other one\n",
		prefix, (long)lock.l_pid, path);
	return true;
}

/* Reserved and free hugepages of every size, from sysfs. */
static void count_hugepages(unsigned long *total, unsigned long *free_pages)
{
	glob_t found;

	*total = 0;
	*free_pages = 0;
	if (glob("/sys/kernel/mm/hugepages/hugepages-*", 0, NULL, &found) != 0)
		return;
	for (size_t i = 0; i < found.gl_pathc; i++) {
		const char *names[2] = {"nr_hugepages", "free_hugepages"};
		unsigned long *sums[2] = {total, free_pages};

		for (int k = 0; k < 2; k++) {
			char path[512];
			unsigned long value = 0;
			FILE *file;

			snprintf(path, sizeof(path), "%s/%s", found.gl_pathv[i], names[k]);
			file = fopen(path, "r");
			if (file == NULL)
				continue;
			if (fscanf(file, "%lu", &value) == 1)
				*sums[k] += value;
			fclose(file);
		}
	}
	globfree(&found);
}

static bool hugetlbfs_mounted(void)
{
	char line[1024];
	bool found = false;
	FILE *mounts = fopen("/proc/mounts", "r");

	if (mounts == NULL)
		return true; /* cannot tell: do not blame it */
	while (!found && fgets(line, sizeof(line), mounts) != NULL)
		found = strstr(line, " hugetlbfs ") != NULL;
	fclose(mounts);
	return found;
}

static bool explain_memory(int argc, char **argv)
{
	unsigned long total, free_pages;

	if (eal_has_flag(argc, argv, "--no-huge")) {
		if (!eal_has_flag(argc, argv, "--in-memory"))
			return false;
		fprintf(stderr, ADVICE_PREFIX "--no-huge cannot be combined with --in-memory: drop "
					      "--in-memory and give a --file-prefix of its own\n");
		return true;
	}
	count_hugepages(&total, &free_pages);
	if (total == 0) {
		fprintf(stderr, ADVICE_PREFIX
			"no hugepages are reserved: reserve some (echo 1024 > "
			"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages) or run "
			"without them: add --no-huge -m 512 to the EAL options\n");
		return true;
	}
	if (free_pages == 0) {
		fprintf(stderr,
			ADVICE_PREFIX
			"all %lu hugepages are in use (another DPDK process?): "
			"reserve more in /sys/kernel/mm/hugepages/, or add --no-huge -m "
			"512 to the EAL options\n",
			total);
		return true;
	}
	if (!hugetlbfs_mounted()) {
		fprintf(stderr,
			ADVICE_PREFIX "%lu hugepages are free but no hugetlbfs is mounted: "
				      "mount -t hugetlbfs nodev /dev/hugepages, or add --no-huge "
				      "-m 512 to the EAL options\n",
			free_pages);
		return true;
	}
	return false;
}

void eal_explain_failure(int argc, char **argv, int rte_errno_value)
{
	if (explain_lcores(argc, argv, ADVICE_PREFIX) || explain_file_prefix(argc, argv) ||
	    explain_memory(argc, argv))
		return;
	if (rte_errno_value == EACCES && geteuid() != 0) {
		fprintf(stderr,
			ADVICE_PREFIX "%s: run cgnf as root (DPDK locks memory and opens "
				      "devices), or with the capabilities cgnf.service gives\n",
			rte_strerror(rte_errno_value));
		return;
	}
	fprintf(stderr, ADVICE_PREFIX "%s (the EAL lines above say why)\n",
		rte_strerror(rte_errno_value));
}

int eal_check_lcores(int argc, char **argv)
{
	return explain_lcores(argc, argv, "cgnf: ") ? -EINVAL : 0;
}
