/* SPDX-License-Identifier: MIT */
/*
 * A recursive walk of a local folder that yields its files in the order
 * S3 lists keys: the byte order of the whole path under the folder (a
 * folder "a" sorts as "a/", so "a-b" comes before "a/x", as on S3).
 *
 * Regular files (and symbolic links to them) are yielded; folders are
 * entered (symbolic links too, but never one already being walked).
 * An entry that cannot be followed (a dangling link, a loop of links)
 * or is neither (a fifo, a socket, a device) is an error in its place:
 * it is named, and the walk goes on.
 *
 * Hidden names, those starting with '_' or '.', are passed over below
 * the root, as Hadoop's hidden-file filter does (_SUCCESS, .crc files,
 * _temporary and .spark-staging folders, which are not even entered);
 * the root is walked whatever its name.
 */
#ifndef WALK_H
#define WALK_H

#include <stdint.h>

#include "buf.h"

struct walk;

/* Starts at the folder root (its name is kept as given).  Never NULL. */
struct walk *walk_open(const char *root);
/*
 * Sets path to the next file ("root/sub/file") and, unless size is NULL,
 * *size to its size in bytes when its folder was read; returns 1; 0
 * at the end; returns -1 when a folder could not be read or an entry is
 * no file (path says which, and why is appended to err: "No such file or
 * directory", "not a regular file"): the walk goes on after it.
 */
int walk_next(struct walk *w, struct buf *path, int64_t *size,
	      struct buf *err);
void walk_close(struct walk *w);

#endif
