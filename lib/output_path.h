/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where an output really goes, checked at start-up so that a bad path ends
 * the run before any traffic (not after it, with the table lost), and again
 * at each atomic write so that nothing but a regular file is ever replaced.
 *
 * Two kinds of output:
 *  - replaced (--csv, --stats-json): written to a temporary file in the
 *    target's directory, then renamed over the target.  The target must be
 *    a regular file or absent, and its directory writable (W_OK | X_OK).
 *    A device, FIFO, socket or directory is refused, never replaced.
 *  - appended (--events): opened for appending.  A regular file (or none,
 *    in a writable directory), a FIFO or a character device (/dev/null);
 *    not a directory, a socket or a block device.  "-" is stdout.
 *
 * Symlinks are followed, chains and relative links included, to the file
 * they name: that file is checked, replaced or appended to, and the link
 * stays as it was.  A dangling symlink names a file still to create: it is
 * accepted when that file's directory exists and is writable, the file is
 * created there and the link then resolves (as `ln -s /var/lib/cgnf/x.csv`
 * before the first run expects).
 *
 * Two outputs may not name one file: existing files are compared by device
 * and inode (so D/x, D/./x, a symlink to it and a hard link are one file),
 * absent ones by their directory's device and inode and their name.
 */
#ifndef CGNF_OUTPUT_PATH_H
#define CGNF_OUTPUT_PATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum output_kind {
	OUTPUT_REPLACED, /* temporary file and rename: --csv, --stats-json */
	OUTPUT_APPENDED, /* a stream opened for appending: --events */
};

/* The file an output path leads to. */
struct output_target {
	char path[PATH_MAX]; /* symlinks followed, directory canonical (realpath) */
	bool exists;
	bool through_symlink; /* path is not the one given: say both in errors */
	dev_t dev;	      /* the file's, or its directory's when absent */
	ino_t ino;
	mode_t mode; /* the existing file's st_mode, else 0 */
};

/*
 * Follows path's symlinks and checks what is there for an output of this
 * kind.  Returns 0, or -errno with the reason in reason ("no such directory
 * /x", "is a character device, not a regular file ...").  On failure
 * target->path still holds the file reached so far, for the message.
 */
int output_target_resolve(const char *path, enum output_kind kind, struct output_target *target,
			  char *reason, size_t reason_size);

/* Whether two resolved targets are one file. */
bool output_target_same(const struct output_target *a, const struct output_target *b);

/* One output option, as config_validate passes them. */
struct output_option {
	const char *option; /* "--csv", for messages */
	const char *path;   /* "" or NULL: not given; "-" for an appended one: stdout */
	enum output_kind kind;
};

/*
 * Checks every given output and that no two name the same file.  Returns 0
 * or -errno with one line in err: "--csv PATH: reason", "--csv LINK ->
 * TARGET: reason", or "--events B: the same file as --csv A (...)".
 */
int output_paths_check(const struct output_option *options, unsigned int count, char *err,
		       size_t err_size);

#endif
