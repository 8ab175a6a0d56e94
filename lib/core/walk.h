/* SPDX-License-Identifier: MIT */
/*
 * A recursive walk of a local folder that yields its files in the order
 * S3 lists keys: the byte order of the whole path under the folder (a
 * folder "a" sorts as "a/", so "a-b" comes before "a/x", as on S3).
 *
 * Regular files (and symbolic links to them) are yielded; folders are
 * entered (symbolic links too, but never one already being walked);
 * anything else is passed over.  Nothing is skipped by name: that is
 * the caller's rule (s3_skip_key).
 */
#ifndef WALK_H
#define WALK_H

#include "buf.h"

struct walk;

/* Starts at the folder root (its name is kept as given).  Never NULL. */
struct walk *walk_open(const char *root);
/*
 * Sets path to the next file ("root/sub/file") and returns 1; returns 0
 * at the end; returns -1 when a folder could not be read (path says
 * which, err why): the walk goes on after it.
 */
int walk_next(struct walk *w, struct buf *path, struct buf *err);
void walk_close(struct walk *w);

#endif
