/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading and writing whole files safely: size caps against huge input,
 * no blocking on FIFOs, atomic replacement for everything aalevel
 * persists. All functions return 0 or a negative errno. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Policy files and configuration are small; anything bigger is refused. */
#define READ_FULL_FILE_MAX (16U * 1024U * 1024U)

/* Reads a regular file into a NUL-terminated buffer. -EFBIG when larger
 * than max_size, -EISDIR for a directory, -EBADFD for any other
 * non-regular file. ret_size may be NULL. */
int read_full_file_at(int dirfd, const char *path, size_t max_size, char **ret, size_t *ret_size);
static inline int read_full_file(const char *path, size_t max_size, char **ret, size_t *ret_size) {
        return read_full_file_at(-100 /* AT_FDCWD */, path, max_size, ret, ret_size);
}
int read_full_fd(int fd, size_t max_size, char **ret, size_t *ret_size);

/* Writes data to a temporary file next to path, fsyncs it, renames it over
 * path and fsyncs the directory: readers see the old or the new file,
 * never a torn one, even after a crash. */
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);

/* Writes all of buf to fd, retrying short writes and EINTR. */
int loop_write(int fd, const void *buf, size_t size);

/* Creates path and its missing parents. */
int mkdir_p(const char *path, mode_t mode);
/* fsync() of a directory by path: its entries (files created, renamed,
 * removed in it) are on disk. */
int fsync_directory(const char *dir);

/* Removes the files of the directory open as dfd, but directories, dot
 * files and the names in keep (may be NULL). Goes on past a file it
 * cannot remove, and returns the first such failure, with the file's name
 * in *ret_failed when ret_failed is not NULL. */
int dir_remove_files_at(int dfd, char * const *keep, char **ret_failed);

/* True when buf holds a NUL byte (binary data in a text file). */
bool memory_has_nul(const char *buf, size_t size);
