/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output_path.h"

/* As the kernel's own limit on symlinks followed in one lookup. */
#define SYMLINK_HOPS_MAX 40

__attribute__((format(printf, 4, 5))) static int refuse(int ret, char *reason, size_t reason_size,
							const char *format, ...)
{
	va_list args;

	if (reason != NULL && reason_size > 0) {
		va_start(args, format);
		vsnprintf(reason, reason_size, format, args);
		va_end(args);
	}
	return ret;
}

static const char *file_type_name(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static int copy_path(char out[PATH_MAX], const char *path)
{
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(out, path);
	return 0;
}

/* current becomes the file its symlink names: link is relative to current's directory. */
static int follow(char current[PATH_MAX], const char *link)
{
	const char *slash = strrchr(current, '/');
	char joined[PATH_MAX];
	int len;

	if (link[0] == '/' || slash == NULL)
		return copy_path(current, link);
	len = snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - current), current, link);
	if (len < 0 || len >= (int)sizeof(joined))
		return -ENAMETOOLONG;
	strcpy(current, joined);
	return 0;
}

/* "a/b/c" -> "a/b" and "c"; "c" -> "." and "c"; "/c" -> "/" and "c". */
static const char *split_directory(const char *path, char dir[PATH_MAX])
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		strcpy(dir, ".");
		return path;
	}
	if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
	return slash + 1;
}

/* What an existing file may be for this kind of output: 0 or -errno with the reason. */
static int check_existing(const char *path, const struct stat *st, enum output_kind kind,
			  char *reason, size_t reason_size)
{
	if (S_ISDIR(st->st_mode))
		return refuse(-EISDIR, reason, reason_size, "is a directory");
	if (kind == OUTPUT_REPLACED && !S_ISREG(st->st_mode))
		/* rename() would put a regular file in its place: /dev/null included. */
		return refuse(-EINVAL, reason, reason_size,
			      "is %s, not a regular file (refusing to replace it)",
			      file_type_name(st->st_mode));
	if (kind == OUTPUT_APPENDED && (S_ISSOCK(st->st_mode) || S_ISBLK(st->st_mode)))
		return refuse(-EINVAL, reason, reason_size,
			      "is %s (expected a file, a FIFO or a character device)",
			      file_type_name(st->st_mode));
	if (kind == OUTPUT_APPENDED && access(path, W_OK) != 0)
		return refuse(-errno, reason, reason_size, "cannot write to it: %s",
			      strerror(errno));
	return 0;
}

int output_target_resolve(const char *path, enum output_kind kind, struct output_target *target,
			  char *reason, size_t reason_size)
{
	char current[PATH_MAX], link[PATH_MAX], dir[PATH_MAX], canonical[PATH_MAX];
	struct stat st, dir_st;
	unsigned int hops;
	const char *name;
	ssize_t len;
	int ret;

	memset(target, 0, sizeof(*target));
	if (copy_path(current, path) < 0)
		return refuse(-ENAMETOOLONG, reason, reason_size, "path too long");
	for (hops = 0;; hops++) {
		strcpy(target->path, current);
		if (lstat(current, &st) != 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				break; /* absent, or its directory is: told below */
			return refuse(-errno, reason, reason_size, "%s", strerror(errno));
		}
		if (!S_ISLNK(st.st_mode)) {
			target->exists = true;
			break;
		}
		if (hops == SYMLINK_HOPS_MAX)
			return refuse(-ELOOP, reason, reason_size,
				      "too many levels of symbolic links");
		len = readlink(current, link, sizeof(link) - 1);
		if (len < 0)
			return refuse(-errno, reason, reason_size, "readlink: %s", strerror(errno));
		link[len] = '\0';
		target->through_symlink = true;
		if (follow(current, link) < 0)
			return refuse(-ENAMETOOLONG, reason, reason_size, "path too long");
	}

	name = split_directory(current, dir);
	if (name[0] == '\0')
		return refuse(-EISDIR, reason, reason_size, "is a directory (ends with '/')");
	if (stat(dir, &dir_st) != 0) {
		if (errno == ENOENT)
			return refuse(-ENOENT, reason, reason_size, "no such directory %s", dir);
		if (errno == ENOTDIR)
			return refuse(-ENOTDIR, reason, reason_size, "%s is not a directory", dir);
		return refuse(-errno, reason, reason_size, "directory %s: %s", dir,
			      strerror(errno));
	}
	if (!S_ISDIR(dir_st.st_mode))
		return refuse(-ENOTDIR, reason, reason_size, "%s is not a directory", dir);
	if (realpath(dir, canonical) == NULL)
		return refuse(-errno, reason, reason_size, "directory %s: %s", dir,
			      strerror(errno));
	len = snprintf(target->path, sizeof(target->path), "%s/%s",
		       strcmp(canonical, "/") == 0 ? "" : canonical, name);
	if (len < 0 || len >= (ssize_t)sizeof(target->path))
		return refuse(-ENAMETOOLONG, reason, reason_size, "path too long");

	if (target->exists) {
		ret = check_existing(current, &st, kind, reason, reason_size);
		if (ret < 0)
			return ret;
		target->dev = st.st_dev;
		target->ino = st.st_ino;
		target->mode = st.st_mode;
	} else {
		target->dev = dir_st.st_dev;
		target->ino = dir_st.st_ino;
	}
	/* A replaced file's temporary file and rename, or a new file, need the directory. */
	if ((kind == OUTPUT_REPLACED || !target->exists) && access(canonical, W_OK | X_OK) != 0)
		return refuse(-errno, reason, reason_size, "cannot create files in %s: %s",
			      canonical, strerror(errno));
	return 0;
}

bool output_target_same(const struct output_target *a, const struct output_target *b)
{
	if (a->exists != b->exists || a->dev != b->dev || a->ino != b->ino)
		return false;
	/* Absent: the same directory; then the same name in it. */
	return a->exists || strcmp(strrchr(a->path, '/'), strrchr(b->path, '/')) == 0;
}

static bool given(const struct output_option *option)
{
	return option->path != NULL && option->path[0] != '\0' &&
	       !(option->kind == OUTPUT_APPENDED && strcmp(option->path, "-") == 0);
}

int output_paths_check(const struct output_option *options, unsigned int count, char *err,
		       size_t err_size)
{
	struct output_target *targets;
	char reason[PATH_MAX + 128];
	unsigned int i, j;
	int ret = 0;

	targets = calloc(count > 0 ? count : 1, sizeof(*targets));
	if (targets == NULL)
		return refuse(-ENOMEM, err, err_size, "out of memory");
	for (i = 0; i < count && ret == 0; i++) {
		if (!given(&options[i]))
			continue;
		ret = output_target_resolve(options[i].path, options[i].kind, &targets[i], reason,
					    sizeof(reason));
		if (ret < 0 && targets[i].through_symlink)
			refuse(ret, err, err_size, "%s %s -> %s: %s", options[i].option,
			       options[i].path, targets[i].path, reason);
		else if (ret < 0)
			refuse(ret, err, err_size, "%s %s: %s", options[i].option, options[i].path,
			       reason);
		for (j = 0; j < i && ret == 0; j++)
			if (given(&options[j]) && output_target_same(&targets[i], &targets[j]))
				ret = refuse(-EINVAL, err, err_size,
					     "%s %s: the same file as %s %s (outputs must be "
					     "different files)",
					     options[i].option, options[i].path, options[j].option,
					     options[j].path);
	}
	free(targets);
	return ret;
}
