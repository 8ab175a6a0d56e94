/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "s3.h"
#include "s3_input.h"
#include "xalloc.h"

int
s3_input_read(struct s3_input *in, const char *s, size_t n)
{
	struct buf name = BUF_INIT;
	struct stat st;
	size_t i;
	int rc;

	*in = (struct s3_input){ .kind = S3_INPUT_NONE, .size = -1,
				 .why = BUF_INIT };
	while (n && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i == n)
		return in->kind;
	in->name = xstrndup(s, n);
	if (memchr(s, '\0', n)) {
		in->kind = S3_INPUT_BAD;
		buf_adds(&in->why, "a NUL byte in the name");
	} else if ((rc = s3_url_parse(in->name, &in->bucket, &in->key,
				      &in->why)) < 0) {
		in->kind = S3_INPUT_BAD;
	} else if (rc == 1) {
		in->kind = s3_is_prefix(in->key) ? S3_INPUT_PREFIX :
			   S3_INPUT_OBJECT;
		buf_printf(&name, "s3://%s/%s", in->bucket, in->key);
		free(in->name);
		in->name = buf_detach(&name);
	} else if (stat(in->name, &st) < 0) {
		in->kind = S3_INPUT_FILE;
		in->err = errno;
	} else {
		in->kind = S_ISDIR(st.st_mode) ? S3_INPUT_FOLDER :
			   S3_INPUT_FILE;
		in->size = st.st_size;
	}
	return in->kind;
}

void
s3_input_free(struct s3_input *in)
{
	free(in->name);
	free(in->bucket);
	free(in->key);
	buf_free(&in->why);
}
