/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ddb.h"
#include "http.h"

static const struct {
	const char *type;
	enum ddb_class cls;
} types[] = {
	{ "ConditionalCheckFailedException", DDB_CONDITION },
	/* throttling: the SDKs' list for DynamoDB */
	{ "ProvisionedThroughputExceededException", DDB_THROTTLED },
	{ "ThrottlingException", DDB_THROTTLED },
	{ "Throttling", DDB_THROTTLED },
	{ "ThrottledException", DDB_THROTTLED },
	{ "RequestThrottledException", DDB_THROTTLED },
	{ "RequestLimitExceeded", DDB_THROTTLED },
	{ "TooManyRequestsException", DDB_THROTTLED },
	{ "SlowDown", DDB_THROTTLED },
	/* too many table operations at once */
	{ "LimitExceededException", DDB_THROTTLED },
	{ "InternalServerError", DDB_TRANSIENT },
	{ "InternalFailure", DDB_TRANSIENT },
	{ "InternalError", DDB_TRANSIENT },
	{ "ServiceUnavailable", DDB_TRANSIENT },
	{ "ServiceUnavailableException", DDB_TRANSIENT },
	{ "TransactionConflictException", DDB_TRANSIENT },
	{ "TransactionInProgressException", DDB_TRANSIENT },
	{ "ResourceNotFoundException", DDB_NOTFOUND },
	{ "ResourceInUseException", DDB_REFUSED },
	/* credentials, signature, permission: every request fails alike */
	{ "UnrecognizedClientException", DDB_FATAL },
	{ "InvalidSignatureException", DDB_FATAL },
	{ "SignatureDoesNotMatch", DDB_FATAL },
	{ "IncompleteSignatureException", DDB_FATAL },
	{ "IncompleteSignature", DDB_FATAL },
	{ "MissingAuthenticationToken", DDB_FATAL },
	{ "MissingAuthenticationTokenException", DDB_FATAL },
	{ "AccessDeniedException", DDB_FATAL },
	{ "AccessDenied", DDB_FATAL },
	{ "InvalidClientTokenId", DDB_FATAL },
	{ "ExpiredTokenException", DDB_FATAL },
	{ "ExpiredToken", DDB_FATAL },
	{ "RequestExpired", DDB_FATAL },
	{ "InvalidAccessKeyId", DDB_FATAL },
	{ "UnknownOperationException", DDB_FATAL },
};

enum ddb_class
ddb_class_of(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(type, types[i].type))
			return types[i].cls;
	return DDB_REFUSED;
}

/* A control character as a space: the server's strings go into
 * one-line messages. */
static char
flat(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f ? ' ' : c;
}

/* The body of an error: __type (after its '#') and message. */
static void
body(const char *p, size_t n, struct ddb_error *e)
{
	json_t *root, *m;
	const char *t, *hash;
	size_t i;

	if (!n || !(root = json_loadb(p, n, 0, NULL)))
		return;
	if ((t = json_string_value(json_object_get(root, "__type")))) {
		if ((hash = strrchr(t, '#')))
			t = hash + 1;
		snprintf(e->type, sizeof e->type, "%s", t);
		for (i = 0; e->type[i]; i++)
			e->type[i] = flat(e->type[i]);
	}
	if ((m = json_object_get(root, "message")) ||
	    (m = json_object_get(root, "Message")))
		if (json_is_string(m))
			for (i = 0; i < json_string_length(m); i++)
				buf_addc(&e->msg,
					 flat(json_string_value(m)[i]));
	json_decref(root);
}

/* Transport errors that no other attempt cures (an unknown host, a
 * certificate not trusted) stop everything; the rest are transient. */
static enum ddb_class
transport(const struct http_req *r)
{
	/* over a size limit: this request, not another try of it */
	if (r->limit == HTTP_LIMIT_HEADER || r->limit == HTTP_LIMIT_BODY)
		return DDB_REFUSED;
	if (r->limit == HTTP_LIMIT_NOFD)
		return DDB_FATAL;
	if (http_transient(r))
		return DDB_TRANSIENT;
	switch (r->cc) {
	case CURLE_ABORTED_BY_CALLBACK:	/* prepare failed: signing */
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return DDB_FATAL;
	default:
		return DDB_TRANSIENT;
	}
}

enum ddb_class
ddb_classify(const struct http_req *r, struct ddb_error *e)
{
	struct buf tmp = BUF_INIT;

	e->type[0] = '\0';
	buf_reset(&e->msg);
	e->noanswer = r->cc != CURLE_OK;
	if (r->cc != CURLE_OK) {
		buf_adds(&e->msg, http_strerror(r, &tmp));
		buf_free(&tmp);
		return e->cls = transport(r);
	}
	if (r->status >= 200 && r->status < 300)
		return e->cls = DDB_DONE;
	if (http_redirect(r)) {
		/* DynamoDB sends none: a wrong endpoint or region */
		buf_adds(&e->msg, http_strerror(r, &tmp));
		buf_free(&tmp);
		return e->cls = DDB_FATAL;
	}
	body(r->resp.p, r->resp.len, e);
	if (e->type[0]) {
		e->cls = ddb_class_of(e->type);
		/* a 5xx is worth another try whatever it is called */
		if (r->status >= 500 && e->cls == DDB_REFUSED)
			e->cls = DDB_TRANSIENT;
		return e->cls;
	}
	if (!e->msg.len)
		buf_adds(&e->msg, http_strerror(r, &tmp));
	buf_free(&tmp);
	if (r->status == 429)
		return e->cls = DDB_THROTTLED;
	if (http_transient(r))
		return e->cls = DDB_TRANSIENT;
	if (r->status == 401 || r->status == 403)
		return e->cls = DDB_FATAL;
	return e->cls = DDB_REFUSED;
}

int
ddb_sig_problem(const struct http_req *r)
{
	struct ddb_error e = DDB_ERROR_INIT;
	int p = DDB_SIG_OK;

	if (r->cc != CURLE_OK || (r->status != 400 && r->status != 403))
		return DDB_SIG_OK;
	body(r->resp.p, r->resp.len, &e);
	if (!strcmp(e.type, "InvalidSignatureException") &&
	    (strstr(buf_str(&e.msg), "Signature expired") ||
	     strstr(buf_str(&e.msg), "Signature not yet current")))
		p = DDB_SIG_CLOCK;
	else if (!strcmp(e.type, "ExpiredTokenException"))
		p = DDB_SIG_TOKEN;
	ddb_error_free(&e);
	return p;
}

const char *
ddb_strerror(const struct ddb_error *e, struct buf *b)
{
	buf_reset(b);
	if (e->type[0] && e->msg.len)
		buf_printf(b, "%s: %s", e->type, e->msg.p);
	else if (e->type[0])
		buf_adds(b, e->type);
	else
		buf_adds(b, buf_str(&e->msg));
	return buf_str(b);
}

void
ddb_error_free(struct ddb_error *e)
{
	buf_free(&e->msg);
}
