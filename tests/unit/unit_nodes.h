/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Special files for the output path tests: a character device like
 * /dev/null (only root may make one), a FIFO and a listening-less UNIX
 * socket, each created at a path of the test's temporary directory.
 */
#ifndef CGNF_UNIT_NODES_H
#define CGNF_UNIT_NODES_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>

/* mknod PATH c 1 3 (a /dev/null); false, with a message, when not allowed. */
static inline bool make_char_device(const char *path)
{
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) == 0)
		return true;
	printf("skipped: mknod %s c 1 3: %s (needs root)\n", path, strerror(errno));
	return false;
}

static inline void make_fifo(const char *path)
{
	CU_ASSERT_EQUAL_FATAL(mkfifo(path, 0600), 0);
}

/* A UNIX socket bound at path; the socket itself is closed, its file stays. */
static inline void make_socket_file(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(fd >= 0 && strlen(path) < sizeof(addr.sun_path));
	strcpy(addr.sun_path, path);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
}

/* The type bits of what is at path itself (a symlink is not followed); 0 if nothing. */
static inline mode_t node_type(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0;
}

#endif /* CGNF_UNIT_NODES_H */
