/* SPDX-License-Identifier: MIT */
/*
 * The credential services' answers, as a hostile or broken endpoint
 * could send them: aws_sts_parse (STS's XML), aws_sso_token_parse (the
 * SSO token cache) and aws_sso_creds_parse (the portal's JSON), on any
 * bytes.  Checks, beyond the sanitizers: the result is one of those
 * documented; an answer with credentials has all four parts; a failure
 * says why, on one line, and leaves nothing behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws_creds.h"
#include "aws_sso.h"
#include "aws_sts.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* err, when not empty, is one line without control characters */
static void
oneline(const struct buf *err)
{
	size_t i;

	for (i = 0; i < err->len; i++)
		if ((unsigned char)err->p[i] < 0x20 || err->p[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct aws_sts_answer a = AWS_STS_ANSWER_INIT;
	static struct buf err, tok;
	struct aws_creds c;
	int64_t exp;
	char *copy;
	int r;

	/* an exact-size copy, so reading past the answer is caught */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);

	buf_reset(&err);
	r = aws_sts_parse(copy, size, &a, &err);
	if (r < -1 || r > 1)
		abort();
	if (r == 0 && (!a.akid.len || !a.secret.len || !a.token.len ||
	    !a.expiration.len))
		abort();
	if (r == 1 && !a.code.len)
		abort();
	if (r == -1 && (!err.len || a.akid.len || a.secret.len || a.token.len))
		abort();
	oneline(&err);

	buf_reset(&err);
	buf_reset(&tok);
	r = aws_sso_token_parse(copy, size, &tok, &exp, &err);
	if (r != 0 && r != -1)
		abort();
	if ((r == 0 && !tok.len) || (r == -1 && (!err.len || tok.len)))
		abort();
	oneline(&err);

	buf_reset(&err);
	r = aws_sso_creds_parse(copy, size, &c, 1767225600, "SSO", &err);
	if (r == 0 && (!c.akid || !c.secret || !c.token || !c.expires))
		abort();
	if (r != 0 && (r != -1 || !err.len || c.akid || c.secret))
		abort();
	oneline(&err);
	aws_creds_free(&c);
	free(copy);
	return 0;
}
