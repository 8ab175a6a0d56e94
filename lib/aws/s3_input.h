/* SPDX-License-Identifier: MIT */
/*
 * What one input of s3cat's names (an operand, or a line of stdin): an
 * S3 object, an S3 prefix to list, a local file or a local folder.
 *
 *	struct s3_input in;
 *	switch (s3_input_read(&in, s, n)) {
 *	case S3_INPUT_NONE: ...		// blank: nothing to read
 *	case S3_INPUT_BAD: ...		// in.name cannot be read: in.why
 *	case S3_INPUT_OBJECT: case S3_INPUT_PREFIX: ...	// in.bucket, in.key
 *	case S3_INPUT_FILE: case S3_INPUT_FOLDER: ...	// in.name, in.size
 *	}
 *	s3_input_free(&in);
 *
 * Carriage returns at the end are no part of the name; a name of only
 * spaces and tabs, or none, is blank.  An s3://, s3a:// or s3n:// URL
 * (s3_url_parse) names a prefix when its key does (s3_is_prefix), else
 * an object; anything else is a local path, looked at (stat) once,
 * here: a path stat cannot read is a file of unknown size, and err says
 * why (the caller decides whether that fails now or when it is opened).
 */
#ifndef S3_INPUT_H
#define S3_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum {
	S3_INPUT_NONE,		/* blank */
	S3_INPUT_BAD,		/* no input s3cat can read: why says why */
	S3_INPUT_OBJECT,	/* s3://bucket/key */
	S3_INPUT_PREFIX,	/* s3://bucket/prefix/, or s3://bucket/ */
	S3_INPUT_FILE,		/* a local path that is no folder */
	S3_INPUT_FOLDER,	/* a local folder */
};

struct s3_input {
	int kind;		/* S3_INPUT_* */
	char *name;		/* a URL as "s3://bucket/key", else the input
				 * as given (up to a NUL byte in it) */
	char *bucket, *key;	/* a URL's; NULL for a path.  The caller may
				 * take them (and set them NULL) */
	int64_t size;		/* a local path's size; -1: not known */
	int err;		/* the errno of a path stat could not read */
	struct buf why;		/* S3_INPUT_BAD's reason */
};

/* Reads the input s (n bytes, not NUL-terminated); returns in->kind. */
int s3_input_read(struct s3_input *in, const char *s, size_t n);
void s3_input_free(struct s3_input *in);

#endif
