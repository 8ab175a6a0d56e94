/* SPDX-License-Identifier: MIT */
/*
 * -S FILE, in every stage: what the run did, as one JSON object of
 * counts on one line, for a program (populate) to read instead of the
 * words on stderr:
 *
 *	{"prog":"eventcut","lines":12,"items":5,"rejected":7,...}
 *
 * The file is written whole or not at all (a temporary file renamed
 * over it), readable by its owner only.
 */
#ifndef SUMMARY_H
#define SUMMARY_H

#include "buf.h"

struct summary {
	struct buf b;
};

void summary_init(struct summary *s);
void summary_count(struct summary *s, const char *key, unsigned long long v);
void summary_text(struct summary *s, const char *key, const char *v);
/* Writes it to path; 0, or -1 with a message already given. */
int summary_write(struct summary *s, const char *path);
void summary_free(struct summary *s);

#endif
