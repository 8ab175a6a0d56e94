/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "aws_conf.h"
#include "buf.h"
#include "aws_creds.h"
#include "aws_fetch.h"
#include "aws_sso.h"
#include "aws_sts.h"
#include "err.h"
#include "tstamp.h"
#include "xalloc.h"

#define BODY_MAX AWS_FETCH_MAX
#define STALE_WINDOW 600	/* refresh this long before expiry */
#define ECS_HOST "http://169.254.170.2"
#define IMDS_TOKEN_PATH "/latest/api/token"
#define IMDS_ROLE_PATH "/latest/meta-data/iam/security-credentials/"


static void
wipe_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Keys and tokens go into HTTP headers: printable ASCII, no spaces. */
static int
keychars_ok(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

/* The name (from names) of the first of id, secret, token that has a
 * character keys cannot have, or NULL. */
static const char *
badkey(const char *id, const char *sk, const char *tok,
    const char *const names[3])
{
	if (!keychars_ok(id))
		return names[0];
	if (!keychars_ok(sk))
		return names[1];
	if (tok && !keychars_ok(tok))
		return names[2];
	return NULL;
}

static void
set_creds(struct aws_creds *c, const char *source, const char *akid,
    const char *secret, const char *token, int64_t expires)
{
	c->akid = xstrdup(akid);
	c->secret = xstrdup(secret);
	c->token = token && *token ? xstrdup(token) : NULL;
	c->expires = expires;
	snprintf(c->source, sizeof c->source, "%s", source);
}

/* "... expired at 2026-11-25T12:00:00Z" */
static void
add_expired(struct buf *err, int64_t t)
{
	char iso[25];

	if (tstamp_iso(t, 0, iso) < 0)
		buf_printf(err, "the credentials expired at %lld",
		    (long long)t);
	else
		buf_printf(err, "the credentials expired at %.19sZ", iso);
}

int
aws_creds_fill(struct aws_creds *c, const char *akid, const char *secret,
    const char *token, int64_t expires, int64_t now, const char *what,
    struct buf *err)
{
	static const char *const names[3] = { "the access key id",
		"the secret access key", "the session token" };
	const char *bad;

	memset(c, 0, sizeof *c);
	if (!akid || !*akid || !secret || !*secret) {
		buf_printf(err, "%s: %s is empty", what, names[!akid || !*akid ?
		    0 : 1]);
		return -1;
	}
	if ((bad = badkey(akid, secret, token, names))) {
		buf_printf(err, "%s: %s has a space or a control character",
		    what, bad);
		return -1;
	}
	if (expires && expires <= now) {
		buf_printf(err, "%s: ", what);
		add_expired(err, expires);
		return -1;
	}
	set_creds(c, "", akid, secret, token, expires);
	return 0;
}

/* 1. the environment */
static int
from_env(struct aws_creds *c, aws_conf_env env, int64_t now, struct buf *err)
{
	const char *id = aws_conf_env_get(env, "AWS_ACCESS_KEY_ID");
	const char *sk = aws_conf_env_get(env, "AWS_SECRET_ACCESS_KEY");
	const char *tok = aws_conf_env_get(env, "AWS_SESSION_TOKEN");
	const char *exp = aws_conf_env_get(env, "AWS_CREDENTIAL_EXPIRATION");
	static const char *const vars[3] = { "AWS_ACCESS_KEY_ID",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN" };
	const char *bad;
	int64_t t = 0;

	if (!id && !sk)
		return 0;
	if (!id || !sk) {
		buf_printf(err, "environment: %s is set but %s is not",
		    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return AWS_CREDS_BROKEN;
	}
	if ((bad = badkey(id, sk, tok, vars))) {
		buf_printf(err, "environment: %s has a space or a control "
		    "character", bad);
		return AWS_CREDS_BROKEN;
	}
	if (exp && tstamp_parse(exp, strlen(exp), &t) < 0) {
		buf_printf(err, "environment: AWS_CREDENTIAL_EXPIRATION '%s' "
		    "is not a timestamp", exp);
		return AWS_CREDS_BROKEN;
	}
	if (exp && t <= now) {
		buf_adds(err, "environment: ");
		add_expired(err, t);
		buf_adds(err, " (AWS_CREDENTIAL_EXPIRATION)");
		return AWS_CREDS_BROKEN;
	}
	set_creds(c, "environment", id, sk, tok, t);
	return 1;
}

/* 2 and 4: keys in one of the shared files */
static int
from_file(struct aws_creds *c, const struct aws_conf *conf,
    enum aws_conf_which w, const char *profile, struct buf *err)
{
	const char *what = w == AWS_CONF_CONFIG ? "config file" :
	    "credentials file";
	const char *path = w == AWS_CONF_CONFIG ? conf->config_path :
	    conf->cred_path;
	const char *id = aws_conf_profile_file_get(conf, w, profile,
	    "aws_access_key_id");
	const char *sk = aws_conf_profile_file_get(conf, w, profile,
	    "aws_secret_access_key");
	const char *tok = aws_conf_profile_file_get(conf, w, profile,
	    "aws_session_token");
	static const char *const keys[3] = { "aws_access_key_id",
		"aws_secret_access_key", "aws_session_token" };
	const char *bad;

	if (!tok || !*tok)
		tok = aws_conf_profile_file_get(conf, w, profile,
		    "aws_security_token");
	if (id && !*id)
		id = NULL;
	if (sk && !*sk)
		sk = NULL;
	if (!id && !sk)
		return 0;
	if (!id || !sk) {
		buf_printf(err, "%s %s: profile %s has %s but no %s", what,
		    path, profile,
		    id ? "aws_access_key_id" : "aws_secret_access_key",
		    id ? "aws_secret_access_key" : "aws_access_key_id");
		return AWS_CREDS_BROKEN;
	}
	if ((bad = badkey(id, sk, tok, keys))) {
		buf_printf(err, "%s %s: profile %s: %s has a space or a "
		    "control character", what, path, profile, bad);
		return AWS_CREDS_BROKEN;
	}
	set_creds(c, what, id, sk, tok, 0);
	return 1;
}

/* Appends at most max bytes of a document's field, its control
 * characters as spaces: a message is one line. */
static void
add_field(struct buf *err, const char *s, size_t max)
{
	for (; *s && max; s++, max--)
		buf_addc(err, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' :
		    *s);
}

/* A credential document (credential_process, container, IMDS) into c:
 * aws_creds.h says how. */
int
aws_creds_doc(struct aws_creds *c, const char *source, const char *what,
    const char *doc, size_t n, int version, const char *tokkey,
    int64_t now, int fail, struct buf *err)
{
	static const char *const names[] = { "AccessKeyId",
		"SecretAccessKey" };
	const char *val[3] = { 0 };
	json_error_t je;
	json_t *root, *v;
	int64_t t = 0;
	size_t i;
	int rc = fail;

	memset(c, 0, sizeof *c);
	/* no flags that echo input: jansson's messages may quote it */
	root = json_loadb(doc, n, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		buf_printf(err, "%s: the answer is not JSON (line %d, "
		    "column %d)", what, je.line, je.column);
		return fail;
	}
	if (!json_is_object(root)) {
		buf_printf(err, "%s: the answer is not a JSON object", what);
		goto out;
	}
	if (version) {
		v = json_object_get(root, "Version");
		if (!json_is_integer(v) || json_integer_value(v) != 1) {
			if (json_is_integer(v))
				buf_printf(err, "%s: Version %lld is not "
				    "supported (only 1)", what,
				    (long long)json_integer_value(v));
			else
				buf_printf(err, "%s: %s", what, v ?
				    "Version is not a number" :
				    "no Version in the answer");
			goto out;
		}
	}
	v = json_object_get(root, "Code");
	if (json_is_string(v) && strcmp(json_string_value(v), "Success")) {
		buf_printf(err, "%s: Code is '", what);
		add_field(err, json_string_value(v), 64);
		buf_adds(err, "', not Success");
		goto out;
	}
	for (i = 0; i < 3; i++) {
		const char *k = i < 2 ? names[i] : tokkey;

		v = json_object_get(root, k);
		if (i == 2 && (!v || json_is_null(v) || (json_is_string(v) &&
		    !*json_string_value(v))))
			break;
		if (!json_is_string(v) || !*json_string_value(v) ||
		    strlen(json_string_value(v)) != json_string_length(v) ||
		    !keychars_ok(json_string_value(v))) {
			buf_printf(err, "%s: %s %s", what, k, !v ?
			    "is missing" : !json_is_string(v) ?
			    "is not a string" :
			    "is empty or has a space or control character");
			goto out;
		}
		val[i] = json_string_value(v);
	}
	v = json_object_get(root, "Expiration");
	if (v && !json_is_null(v)) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";

		if (tstamp_parse(s, strlen(s), &t) < 0) {
			buf_printf(err, "%s: Expiration '", what);
			add_field(err, s, 40);
			buf_adds(err, "' is not a timestamp");
			goto out;
		}
		if (t <= now) {
			buf_printf(err, "%s: ", what);
			add_expired(err, t);
			goto out;
		}
	}
	set_creds(c, source, val[0], val[1], val[2], t);
	rc = 1;
out:
	json_decref(root);
	return rc;
}

/* Splits s into words as POSIX shlex does: '...', "..." (\" and \\
 * inside), \x outside quotes.  NULL-terminated; -1 on bad quoting. */
static int
shsplit(const char *s, char ***argvp, size_t *argcp)
{
	char **argv = NULL;
	size_t argc = 0;
	struct buf w = BUF_INIT;
	int inword;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		buf_reset(&w);
		inword = 0;
		while (*s && !isspace((unsigned char)*s)) {
			inword = 1;
			if (*s == '\'') {
				const char *q = strchr(s + 1, '\'');

				if (!q)
					goto bad;
				buf_add(&w, s + 1, (size_t)(q - s - 1));
				s = q + 1;
			} else if (*s == '"') {
				for (s++; *s != '"'; s++) {
					if (!*s)
						goto bad;
					if (*s == '\\' &&
					    (s[1] == '"' || s[1] == '\\'))
						s++;
					buf_addc(&w, *s);
				}
				s++;
			} else if (*s == '\\') {
				if (!s[1])
					goto bad;
				buf_addc(&w, s[1]);
				s += 2;
			} else {
				buf_addc(&w, *s++);
			}
		}
		if (inword) {
			argv = xreallocarray(argv, argc + 2, sizeof *argv);
			argv[argc++] = xstrdup(buf_str(&w));
			argv[argc] = NULL;
		}
	}
	buf_free(&w);
	*argvp = argv;
	*argcp = argc;
	return 0;
bad:
	buf_free(&w);
	while (argc)
		free(argv[--argc]);
	free(argv);
	return -1;
}

static void
cloexec(int fd)
{
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

/*
 * Runs argv with stdin from /dev/null, stdout into out (at most
 * BODY_MAX bytes), stderr passed through.  Returns 0 when it exited 0,
 * else -1 with "credential_process: why" in err.
 */
static int
run_process(char *const argv[], struct buf *out, struct buf *err)
{
	int pfd[2], efd[2], status, e = 0, big = 0;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(pfd) < 0)
		goto syserr;
	if (pipe(efd) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		goto syserr;
	}
	cloexec(pfd[0]);
	cloexec(pfd[1]);
	cloexec(efd[0]);
	cloexec(efd[1]);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		close(efd[0]);
		close(efd[1]);
		errno = e;
		goto syserr;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul < 0 || dup2(nul, 0) < 0 || dup2(pfd[1], 1) < 0)
			e = errno;
		else {
			execvp(argv[0], argv);
			e = errno;
		}
		if (write(efd[1], &e, sizeof e) < 0)
			_exit(126);
		_exit(127);
	}
	close(pfd[1]);
	close(efd[1]);
	for (;;) {
		n = read(pfd[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > BODY_MAX)
			big = 1;
		else
			buf_add(out, chunk, (size_t)n);
	}
	explicit_bzero(chunk, sizeof chunk);
	close(pfd[0]);
	e = 0;
	while ((n = read(efd[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(efd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			goto syserr;
	if (n == (ssize_t)sizeof e) {
		buf_printf(err, "credential_process: cannot run %s: %s",
		    argv[0], strerror(e));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		buf_printf(err, "credential_process: killed by signal %d",
		    WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) != 0) {
		buf_printf(err, "credential_process: exited %d",
		    WEXITSTATUS(status));
		return -1;
	}
	if (big) {
		buf_printf(err, "credential_process: more than %d KB of "
		    "output", BODY_MAX / 1024);
		return -1;
	}
	return 0;
syserr:
	buf_printf(err, "credential_process: %s", strerror(errno));
	return -1;
}

/* 3. credential_process */
static int
from_process(struct aws_creds *c, const struct aws_conf *conf,
    const char *profile, int64_t now, struct buf *err)
{
	const char *cmd = aws_conf_profile_get(conf, profile,
	    "credential_process");
	struct buf out = BUF_INIT;
	char **argv = NULL;
	size_t argc = 0;
	int rc;

	if (!cmd || !*cmd)
		return 0;
	if ((rc = shsplit(cmd, &argv, &argc)) < 0 || argc == 0 ||
	    !*argv[0]) {
		buf_printf(err, "credential_process: %s in profile %s",
		    rc < 0 ? "unbalanced quotes" : "no command", profile);
		rc = AWS_CREDS_BROKEN;
		goto out;
	}
	rc = run_process(argv, &out, err) < 0 ? AWS_CREDS_BROKEN :
	    aws_creds_doc(c, "credential_process", "credential_process", out.p ?
	    out.p : "", out.len, 1, "SessionToken", now, AWS_CREDS_BROKEN, err);
out:
	aws_fetch_wipe(&out);
	while (argc)
		free(argv[--argc]);
	free(argv);
	return rc;
}

/* method url with the headers in hdrs; direct: no proxy */
static void
fetch(struct aws_fetch *f, const char *method, const char *url,
    struct curl_slist *hdrs, long conn_ms, long total_ms,
    const char *cafile, int direct)
{
	struct aws_fetch_req r = {
		.method = method, .url = url, .headers = hdrs,
		.conn_ms = conn_ms, .total_ms = total_ms, .cafile = cafile,
		.direct = direct,
	};

	aws_fetch_run(f, &r);
}

/* http is allowed to these only: loopback and the container agents */
static int
container_host_ok(const char *host)
{
	unsigned char a[16], b[16];

	if (aws_fetch_loopback(host))
		return 1;
	if (inet_pton(AF_INET, host, a) == 1)
		return strcmp(host, "169.254.170.2") == 0 ||
		    strcmp(host, "169.254.170.23") == 0;
	if (inet_pton(AF_INET6, host, a) != 1)
		return 0;
	inet_pton(AF_INET6, "fd00:ec2::23", b);
	return memcmp(a, b, 16) == 0;
}

/* The Authorization value, from the token file (read each time: it is
 * rotated) or the variable; 0 with none, -1 with the reason in err. */
static int
container_auth(aws_conf_env env, struct buf *auth, struct buf *err)
{
	const char *file = aws_conf_env_get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = aws_conf_env_get(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
	struct buf t = BUF_INIT;
	char chunk[1024];
	ssize_t n;
	size_t i;
	int fd;

	if (file) {
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			goto fail;
		while ((n = read(fd, chunk, sizeof chunk)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 || t.len > 16384) {
				if (n > 0)
					errno = EFBIG;
				close(fd);
				goto fail;
			}
			buf_add(&t, chunk, (size_t)n);
		}
		explicit_bzero(chunk, sizeof chunk);
		close(fd);
		while (t.len && (t.p[t.len - 1] == '\n' ||
		    t.p[t.len - 1] == '\r'))
			t.p[--t.len] = '\0';
	} else if (tok) {
		buf_adds(&t, tok);
	} else {
		return 0;
	}
	for (i = 0; i < t.len; i++)
		if ((unsigned char)t.p[i] < 0x20 || t.p[i] == 0x7f) {
			buf_printf(err, "container credentials: the "
			    "authorization token%s has a control character",
			    file ? " file" : "");
			aws_fetch_wipe(&t);
			return -1;
		}
	buf_printf(auth, "Authorization: %s", buf_str(&t));
	aws_fetch_wipe(&t);
	return 1;
fail:
	buf_printf(err, "container credentials: "
	    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s: %s", file,
	    strerror(errno));
	aws_fetch_wipe(&t);
	return -1;
}

/* 5. the container credential endpoint */
static int
from_container(struct aws_creds *c, const struct aws_conf *conf,
    aws_conf_env env, int64_t now, struct buf *err)
{
	const char *rel = aws_conf_env_get(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = aws_conf_env_get(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct buf url = BUF_INIT, what = BUF_INIT, auth = BUF_INIT;
	struct buf why = BUF_INIT;
	struct curl_slist h[2] = { { 0 } };
	struct aws_fetch f = AWS_FETCH_INIT;
	struct aws_conf_url u = { 0 };
	int rc = AWS_CREDS_BROKEN, https = 0, i, direct = 1;

	if (!rel && !full)
		return 0;
	if (rel) {
		if (*rel != '/') {
			buf_adds(err, "container credentials: "
			    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start "
			    "with /");
			return AWS_CREDS_BROKEN;
		}
		buf_printf(&url, "%s%s", ECS_HOST, rel);
	} else {
		if (aws_conf_url_parse(full, &u, &why) < 0) {
			buf_printf(err, "container credentials: "
			    "AWS_CONTAINER_CREDENTIALS_FULL_URI: %s", why.p);
			goto out;
		}
		https = u.https;
		if (!https && !container_host_ok(u.host)) {
			buf_printf(err, "container credentials: %.*s: http "
			    "is allowed only to a loopback address, "
			    "169.254.170.2, 169.254.170.23 or fd00:ec2::23; "
			    "use https", (int)strcspn(full, "?#"), full);
			goto out;
		}
		direct = !https;
		buf_adds(&url, full);
	}
	/* messages name the URL without its query */
	buf_printf(&what, "container credentials: %.*s",
	    (int)strcspn(url.p, "?#"), url.p);
	h[0].data = (char *)"Accept: application/json";
	switch (container_auth(env, &auth, err)) {
	case -1:
		goto out;
	case 1:
		h[0].next = &h[1];
		h[1].data = auth.p;
		break;
	}
	for (i = 0; i < 3; i++) {
		if (i)
			aws_fetch_sleep_ms(200, NULL, NULL);
		fetch(&f, "GET", url.p, h, 1000, 2000,
		    https ? conf->ca_bundle : NULL, direct);
		if (!aws_fetch_retry(&f))
			break;
	}
	rc = AWS_CREDS_REMOTE;
	if (f.cc != CURLE_OK)
		buf_printf(err, "%s: %s", what.p, aws_fetch_why(&f));
	else if (f.status != 200)
		buf_printf(err, "%s: HTTP %ld", what.p, f.status);
	else
		rc = aws_creds_doc(c, "container", what.p, buf_str(&f.body),
		    f.body.len, 0, "Token", now, AWS_CREDS_REMOTE, err);
out:
	free(u.host);
	aws_fetch_wipe(&auth);
	aws_fetch_wipe(&f.body);
	buf_free(&url);
	buf_free(&what);
	buf_free(&why);
	return rc;
}

/* IMDS settings: the variable, else the profile's key */
static const char *
imds_opt(const struct aws_conf *conf, aws_conf_env env, const char *var,
    const char *key)
{
	const char *v = aws_conf_env_get(env, var);

	return v ? v : aws_conf_get(conf, key);
}

struct imds {
	struct buf base;	/* scheme://host[:port], no trailing / */
	long conn_ms, total_ms;
	int attempts;
	struct buf tokhdr;	/* "X-aws-ec2-metadata-token: ..." */
	struct aws_fetch f;
};

static int
imds_setup(struct imds *m, const struct aws_conf *conf, aws_conf_env env,
    struct buf *err)
{
	const char *ep, *mode, *v;
	struct aws_conf_url u;
	struct buf why = BUF_INIT;
	char *end;
	double secs = 1;
	long n = 1;

	ep = imds_opt(conf, env, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
	    "ec2_metadata_service_endpoint");
	mode = imds_opt(conf, env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
	    "ec2_metadata_service_endpoint_mode");
	if (ep && *ep) {
		if (aws_conf_url_parse(ep, &u, &why) == 0) {
			free(u.host);
			if (*u.rest && strcmp(u.rest, "/") != 0)
				buf_adds(&why, "a path or query is not "
				    "allowed");
		}
		if (why.len) {
			buf_printf(err, "EC2 instance metadata: endpoint '%s': "
			    "%s", ep, why.p);
			buf_free(&why);
			return -1;
		}
		buf_add(&m->base, ep, strlen(ep) - (*u.rest == '/'));
	} else if (!mode || !*mode || strcasecmp(mode, "IPv4") == 0) {
		buf_adds(&m->base, "http://169.254.169.254");
	} else if (strcasecmp(mode, "IPv6") == 0) {
		buf_adds(&m->base, "http://[fd00:ec2::254]");
	} else {
		buf_printf(err, "EC2 instance metadata: endpoint mode '%s': "
		    "not IPv4 or IPv6", mode);
		return -1;
	}
	v = imds_opt(conf, env, "AWS_METADATA_SERVICE_TIMEOUT",
	    "metadata_service_timeout");
	if (v && *v) {
		secs = strtod(v, &end);
		if (end == v || *end || !(secs > 0 && secs <= 60)) {
			buf_printf(err, "EC2 instance metadata: timeout '%s': "
			    "not a number of seconds up to 60", v);
			return -1;
		}
	}
	v = imds_opt(conf, env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
	    "metadata_service_num_attempts");
	if (v && *v) {
		n = strtol(v, &end, 10);
		if (end == v || *end || n < 1 || n > 10) {
			buf_printf(err, "EC2 instance metadata: attempts '%s': "
			    "not a number 1 to 10", v);
			return -1;
		}
	}
	m->conn_ms = (long)(secs * 1000);
	if (m->conn_ms < 1)
		m->conn_ms = 1;
	m->total_ms = 2 * m->conn_ms;
	m->attempts = (int)n;
	return 0;
}

/* method path with the token when there is one, tried m->attempts
 * times while fetch_retry says so */
static void
imds_get(struct imds *m, const char *method, const char *path, int ttl)
{
	struct curl_slist h[2] = { { 0 } }, *hp = NULL;
	struct buf url = BUF_INIT;
	int i;

	buf_printf(&url, "%s%s", m->base.p, path);
	if (ttl) {
		h[0].data = (char *)"x-aws-ec2-metadata-token-ttl-seconds: "
		    "21600";
		h[0].next = &h[1];
		h[1].data = (char *)"Content-Type:";
		hp = h;
	} else if (m->tokhdr.len) {
		h[0].data = m->tokhdr.p;
		hp = h;
	}
	for (i = 0; i < m->attempts; i++) {
		fetch(&m->f, method, url.p, hp, m->conn_ms, m->total_ms, NULL,
		    1);
		if (!aws_fetch_retry(&m->f))
			break;
	}
	buf_free(&url);
}

/* "EC2 instance metadata: URL: why" */
static int
imds_fail(struct imds *m, const char *path, struct buf *err)
{
	buf_printf(err, "EC2 instance metadata: %s%s: ", m->base.p, path);
	if (m->f.cc != CURLE_OK)
		buf_adds(err, aws_fetch_why(&m->f));
	else
		buf_printf(err, "HTTP %ld", m->f.status);
	return AWS_CREDS_REMOTE;
}

/* 6. EC2 instance metadata; note says why there were none */
static int
from_imds(struct aws_creds *c, const struct aws_conf *conf, aws_conf_env env,
    int64_t now, struct buf *err, struct buf *note)
{
	struct imds m = { BUF_INIT, 0, 0, 0, BUF_INIT, AWS_FETCH_INIT };
	struct buf path = BUF_INIT, what = BUF_INIT;
	char fallback[CURL_ERROR_SIZE + 32] = "";
	size_t n;
	int rc = AWS_CREDS_BROKEN, v1off;

	if (aws_conf_is_true(aws_conf_env_get(env, "AWS_EC2_METADATA_DISABLED"))) {
		buf_adds(note, "disabled by AWS_EC2_METADATA_DISABLED");
		return 0;
	}
	if (imds_setup(&m, conf, env, err) < 0)
		goto out;
	v1off = aws_conf_is_true(imds_opt(conf, env, "AWS_EC2_METADATA_V1_DISABLED",
	    "ec2_metadata_v1_disabled"));

	imds_get(&m, "PUT", IMDS_TOKEN_PATH, 1);
	if (!m.f.connected) {
		/* nothing there: not on EC2 */
		buf_printf(note, "%s: %s", m.base.p, aws_fetch_why(&m.f));
		rc = 0;
		goto out;
	}
	if (m.f.cc == CURLE_OK && m.f.status == 200) {
		n = m.f.body.len;
		while (n && isspace((unsigned char)m.f.body.p[n - 1]))
			n--;
		if (n)
			m.f.body.p[n] = '\0';
		if (!n || !keychars_ok(m.f.body.p)) {
			buf_printf(err, "EC2 instance metadata: %s%s: %s",
			    m.base.p, IMDS_TOKEN_PATH, n ? "the token has "
			    "a space or control character" : "an empty token");
			rc = AWS_CREDS_REMOTE;
			goto out;
		}
		buf_printf(&m.tokhdr, "X-aws-ec2-metadata-token: %s",
		    m.f.body.p);
	} else if (m.f.cc == CURLE_OK && m.f.status == 400) {
		rc = imds_fail(&m, IMDS_TOKEN_PATH, err);
		goto out;
	} else {
		/* the CLI's IMDSv1 fallback: 403, 404, 405, a 5xx, or no
		 * answer after connecting */
		if (m.f.cc == CURLE_OK)
			snprintf(fallback, sizeof fallback, "HTTP %ld",
			    m.f.status);
		else
			snprintf(fallback, sizeof fallback, "%s",
			    aws_fetch_why(&m.f));
		if (v1off) {
			rc = imds_fail(&m, IMDS_TOKEN_PATH, err);
			buf_adds(err, ", and IMDSv1 is disabled");
			goto out;
		}
	}

	imds_get(&m, "GET", IMDS_ROLE_PATH, 0);
	if (m.f.cc == CURLE_OK && m.f.status == 404) {
		buf_printf(note, "no IAM role at %s%s", m.base.p,
		    IMDS_ROLE_PATH);
		rc = 0;
		goto out;
	}
	if ((m.f.cc != CURLE_OK || m.f.status != 200) && *fallback) {
		/* neither IMDSv2 nor IMDSv1 answered: whatever is there is
		 * no instance metadata service, as the CLI concludes too */
		buf_printf(note, "%s: token: %s; IMDSv1: ", m.base.p,
		    fallback);
		if (m.f.cc != CURLE_OK)
			buf_adds(note, aws_fetch_why(&m.f));
		else
			buf_printf(note, "answered HTTP %ld", m.f.status);
		rc = 0;
		goto out;
	}
	if (m.f.cc != CURLE_OK || m.f.status != 200) {
		rc = imds_fail(&m, IMDS_ROLE_PATH, err);
		goto out;
	}
	n = strcspn(buf_str(&m.f.body), "\r\n");
	while (n && isspace((unsigned char)m.f.body.p[n - 1]))
		n--;
	if (n == 0 || strspn(m.f.body.p, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-") < n) {
		buf_printf(err, "EC2 instance metadata: %s%s: %s", m.base.p,
		    IMDS_ROLE_PATH, n ? "not a role name" : "no role name");
		rc = AWS_CREDS_REMOTE;
		goto out;
	}
	buf_printf(&path, "%s%.*s", IMDS_ROLE_PATH, (int)n, m.f.body.p);
	imds_get(&m, "GET", path.p, 0);
	if (m.f.cc != CURLE_OK || m.f.status != 200) {
		rc = imds_fail(&m, path.p, err);
		goto out;
	}
	buf_printf(&what, "EC2 instance metadata: %s%s", m.base.p, path.p);
	rc = aws_creds_doc(c, "EC2 instance metadata", what.p,
	    buf_str(&m.f.body), m.f.body.len, 0, "Token", now, AWS_CREDS_REMOTE,
	    err);
out:
	buf_free(&m.base);
	aws_fetch_wipe(&m.tokhdr);
	aws_fetch_wipe(&m.f.body);
	buf_free(&path);
	buf_free(&what);
	return rc;
}

/* ---- the profile's own sources: assume role, web identity, SSO ---- */

#define CHAIN_MAX 32		/* source profiles followed at most */
#define TOKEN_MAX (64 * 1024)	/* a web identity token, an SSO cache */

/* One run of the chain. */
struct chain {
	const struct aws_conf *conf;
	aws_conf_env env;
	int64_t now;
	const struct aws_creds_opts *o;
	struct buf *err;
	const char *visited[CHAIN_MAX];	/* the profiles assume role
					 * went through, the first first */
	size_t nvisited;
	struct aws_sts_ep ep;		/* STS's endpoint, once resolved */
	int have_ep;
};

/* profile's value for key; "" counts as unset */
static const char *
pget(const struct chain *ch, const char *profile, const char *key)
{
	const char *v = aws_conf_profile_get(ch->conf, profile, key);

	return v && *v ? v : NULL;
}

static int
has_static(const struct chain *ch, const char *profile)
{
	return pget(ch, profile, "aws_access_key_id") ||
	    pget(ch, profile, "aws_secret_access_key");
}

/* what the CLI's assume-role provider takes: role_arn, and no
 * web_identity_token_file (that profile is web identity's) */
static int
is_role(const struct chain *ch, const char *profile)
{
	return pget(ch, profile, "role_arn") &&
	    !pget(ch, profile, "web_identity_token_file");
}

static int
sts_ep(struct chain *ch)
{
	struct buf why = BUF_INIT;

	if (ch->have_ep)
		return 0;
	if (aws_sts_endpoint(&ch->ep, ch->conf, ch->env, &why) < 0) {
		buf_printf(ch->err, "STS: %s", why.p);
		buf_free(&why);
		return -1;
	}
	ch->have_ep = 1;
	return 0;
}

/*
 * Reads a small file (a token) into b, without its trailing white
 * space.  Returns 0, or -1 with errno set (EFBIG: over TOKEN_MAX).
 */
static int
read_small(const char *path, struct buf *b)
{
	char chunk[4096];
	ssize_t n;
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (b->len + (size_t)n > TOKEN_MAX) {
			n = -1;
			errno = EFBIG;
			break;
		}
		buf_add(b, chunk, (size_t)n);
	}
	e = errno;
	explicit_bzero(chunk, sizeof chunk);
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	while (b->len && isspace((unsigned char)b->p[b->len - 1]))
		b->p[--b->len] = '\0';
	return 0;
}

static int profile_chain(struct chain *ch, const char *profile, int noenv,
    struct aws_creds *c);

/* The default RoleSessionName, as botocore makes it. */
static void
session_name(struct chain *ch, char out[48])
{
	snprintf(out, 48, "botocore-session-%lld", (long long)ch->now);
}

/* web identity: the environment's trio (unless noenv) over the
 * profile's web_identity_token_file, role_arn, role_session_name */
static int
from_web_identity(struct chain *ch, const char *profile, int noenv,
    struct aws_creds *c)
{
	const char *file = NULL, *arn = NULL, *name = NULL;
	struct aws_sts_call call = { 0 };
	struct buf what = BUF_INIT, tok = BUF_INIT;
	char defname[48];
	size_t i;
	int rc = AWS_CREDS_BROKEN;

	if (!noenv) {
		file = aws_conf_env_get(ch->env, "AWS_WEB_IDENTITY_TOKEN_FILE");
		arn = aws_conf_env_get(ch->env, "AWS_ROLE_ARN");
		name = aws_conf_env_get(ch->env, "AWS_ROLE_SESSION_NAME");
	}
	if (file)
		buf_adds(&what, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)");
	else if ((file = pget(ch, profile, "web_identity_token_file")))
		buf_printf(&what, "profile %s: web identity", profile);
	else
		return 0;
	if (!arn)
		arn = pget(ch, profile, "role_arn");
	if (!name)
		name = pget(ch, profile, "role_session_name");
	if (!name) {
		session_name(ch, defname);
		name = defname;
	}
	if (!arn) {
		buf_printf(ch->err, "%s: no role to assume: set AWS_ROLE_ARN, "
		    "or role_arn in profile %s", what.p, profile);
		goto out;
	}
	if (read_small(file, &tok) < 0) {
		buf_printf(ch->err, "%s: token file %s: %s", what.p, file,
		    strerror(errno));
		goto out;
	}
	for (i = 0; i < tok.len; i++)
		if ((unsigned char)tok.p[i] < 0x21 || tok.p[i] == 0x7f)
			break;
	if (!tok.len || i < tok.len) {
		buf_printf(ch->err, "%s: token file %s: %s", what.p, file,
		    tok.len ? "a space or control character in the token" :
		    "empty");
		goto out;
	}
	if (sts_ep(ch) < 0)
		goto out;
	buf_printf(&what, " %s", arn);
	call.role_arn = arn;
	call.session_name = name;
	call.web_token = tok.p;
	call.what = what.p;
	rc = aws_sts_assume(c, &ch->ep, NULL, &call, ch->conf, ch->o, ch->now,
	    ch->err);
	if (rc == AWS_CREDS_OK) {
		snprintf(c->source, sizeof c->source, "web identity");
		rc = 1;
	}
out:
	aws_fetch_wipe(&tok);
	buf_free(&what);
	return rc;
}

/* SSO: a profile with sso_account_id or sso_role_name */
static int
from_sso(struct chain *ch, const char *profile, struct aws_creds *c)
{
	static const char *const need[] = { "sso_role_name", "sso_account_id",
		"sso_start_url", "sso_region" };
	const char *acct = pget(ch, profile, "sso_account_id");
	const char *role = pget(ch, profile, "sso_role_name");
	const char *sess = pget(ch, profile, "sso_session");
	const char *val[4], *home, *v;
	struct buf what = BUF_INIT, path = BUF_INIT, doc = BUF_INIT;
	struct buf tok = BUF_INIT, base = BUF_INIT, why = BUF_INIT;
	struct aws_sso_call call = { 0 };
	char name[46];
	int64_t exp = 0;
	size_t i, nmiss = 0;
	int rc = AWS_CREDS_BROKEN, found;

	if (!acct && !role)
		return 0;
	for (i = 0; i < 4; i++)
		val[i] = pget(ch, profile, need[i]);
	if (sess) {
		buf_printf(&what, "profile %s: SSO session %s", profile, sess);
		if (!aws_conf_sso_session_exists(ch->conf, sess)) {
			buf_printf(ch->err, "%s: there is no [sso-session %s] "
			    "in %s", what.p, sess, ch->conf->config_path ?
			    ch->conf->config_path : "the config file");
			goto out;
		}
		for (i = 2; i < 4; i++) {
			v = aws_conf_sso_session_get(ch->conf, sess, need[i]);
			if (v && *v && val[i] && strcmp(v, val[i]) != 0) {
				buf_printf(ch->err, "%s: %s differs between "
				    "the profile and [sso-session %s]", what.p,
				    need[i], sess);
				goto out;
			}
			if (v && *v)
				val[i] = v;
		}
	} else {
		buf_printf(&what, "profile %s: SSO", profile);
	}
	for (i = 0; i < 4; i++)
		if (!val[i])
			buf_printf(&why, "%s%s", nmiss++ ? ", " : "", need[i]);
	if (nmiss) {
		buf_printf(ch->err, "%s: missing %s", what.p, why.p);
		goto out;
	}
	if (!sess)
		buf_printf(&what, " %s", val[2]);
	if (!aws_conf_region_ok(val[3])) {
		buf_printf(ch->err, "%s: sso_region '%s': not a region name",
		    what.p, val[3]);
		goto out;
	}

	/* the token aws sso login cached */
	if (!(home = aws_conf_env_get(ch->env, "HOME"))) {
		buf_printf(ch->err, "%s: HOME is not set, so there is no "
		    "SSO token cache", what.p);
		goto out;
	}
	aws_sso_cache_name(sess ? sess : val[2], name);
	buf_printf(&path, "%s/.aws/sso/cache/%s", home, name);
	if (read_small(path.p, &doc) < 0) {
		rc = AWS_CREDS_REMOTE;
		if (errno == ENOENT)
			buf_printf(ch->err, "%s: no SSO token (%s): run aws "
			    "sso login --profile %s", what.p, path.p, profile);
		else
			buf_printf(ch->err, "%s: %s: %s", what.p, path.p,
			    strerror(errno));
		goto out;
	}
	if (aws_sso_token_parse(doc.p ? doc.p : "", doc.len, &tok, &exp,
	    &why) < 0) {
		buf_printf(ch->err, "%s: %s: %s: run aws sso login --profile "
		    "%s", what.p, path.p, why.p, profile);
		rc = AWS_CREDS_REMOTE;
		goto out;
	}
	if (exp <= ch->now) {
		buf_printf(ch->err, "%s: the SSO token has expired: run aws "
		    "sso login --profile %s", what.p, profile);
		rc = AWS_CREDS_REMOTE;
		goto out;
	}

	/* the portal */
	if ((found = aws_conf_service_endpoint(ch->conf, "sso", ch->env,
	    &base, &why)) < 0) {
		buf_printf(ch->err, "SSO: %s", why.p);
		goto out;
	}
	if (!found)
		aws_sso_default_endpoint(&base, val[3]);
	call.base = base.p;
	call.account_id = val[1];
	call.role_name = val[0];
	call.token = tok.p;
	call.what = what.p;
	call.login = profile;
	rc = aws_sso_get_role_credentials(c, &call, ch->conf, ch->o, ch->now,
	    ch->err);
	if (rc == AWS_CREDS_OK) {
		snprintf(c->source, sizeof c->source, "SSO");
		rc = 1;
	}
out:
	aws_fetch_wipe(&tok);
	aws_fetch_wipe(&doc);
	buf_free(&what);
	buf_free(&path);
	buf_free(&base);
	buf_free(&why);
	return rc;
}

/* credential_source: one of the chain's own sources, by the CLI's
 * names for them */
static int
from_named(struct chain *ch, const char *profile, const char *name,
    struct aws_creds *c)
{
	struct buf note = BUF_INIT;
	int r;

	if (strcasecmp(name, "Environment") == 0) {
		if ((r = from_env(c, ch->env, ch->now, ch->err)) == 0) {
			buf_printf(ch->err, "profile %s: credential_source "
			    "%s: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
			    "are not set", profile, name);
			r = AWS_CREDS_BROKEN;
		}
	} else if (strcasecmp(name, "EcsContainer") == 0) {
		if ((r = from_container(c, ch->conf, ch->env, ch->now,
		    ch->err)) == 0) {
			buf_printf(ch->err, "profile %s: credential_source "
			    "%s: neither AWS_CONTAINER_CREDENTIALS_"
			    "RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_"
			    "FULL_URI is set", profile, name);
			r = AWS_CREDS_BROKEN;
		}
	} else if (strcasecmp(name, "Ec2InstanceMetadata") == 0) {
		if ((r = from_imds(c, ch->conf, ch->env, ch->now, ch->err,
		    &note)) == 0) {
			buf_printf(ch->err, "profile %s: credential_source "
			    "%s: no credentials (%s)", profile, name, note.p);
			r = AWS_CREDS_REMOTE;
		}
	} else {
		buf_printf(ch->err, "profile %s: credential_source '%s' is not "
		    "Environment, Ec2InstanceMetadata or EcsContainer",
		    profile, name);
		r = AWS_CREDS_BROKEN;
	}
	buf_free(&note);
	return r;
}

/* "a -> b -> a" */
static void
add_loop(struct chain *ch, const char *again)
{
	size_t i;

	for (i = 0; i < ch->nvisited; i++)
		buf_printf(ch->err, "%s -> ", ch->visited[i]);
	buf_adds(ch->err, again);
}

/* assume role: role_arn with source_profile or credential_source */
static int
from_role(struct chain *ch, const char *profile, struct aws_creds *c)
{
	const char *arn = pget(ch, profile, "role_arn");
	const char *src = pget(ch, profile, "source_profile");
	const char *named = pget(ch, profile, "credential_source");
	const char *name = pget(ch, profile, "role_session_name");
	const char *ext = pget(ch, profile, "external_id");
	const char *dur = pget(ch, profile, "duration_seconds");
	struct aws_creds sc = AWS_CREDS_INIT;
	struct aws_sts_call call = { 0 };
	struct buf what = BUF_INIT;
	char defname[48], *end;
	long secs = 0;
	size_t i;
	int r = AWS_CREDS_BROKEN;

	if (src && named) {
		buf_printf(ch->err, "profile %s: source_profile and "
		    "credential_source are both set: one of them says where "
		    "the credentials to assume role_arn with come from",
		    profile);
		return r;
	}
	if (!src && !named) {
		buf_printf(ch->err, "profile %s: role_arn needs source_profile "
		    "or credential_source", profile);
		return r;
	}
	if (pget(ch, profile, "mfa_serial")) {
		buf_printf(ch->err, "profile %s: mfa_serial is set, and a "
		    "pipeline cannot prompt for an MFA code: use a role "
		    "without MFA, or credential_process", profile);
		return r;
	}
	if (dur) {
		errno = 0;
		secs = strtol(dur, &end, 10);
		if (end == dur || *end || errno || secs < 1) {
			buf_printf(ch->err, "profile %s: duration_seconds '%s' "
			    "is not a number of seconds", profile, dur);
			return r;
		}
	}

	/* the source credentials, fetched anew each time */
	if (named) {
		r = from_named(ch, profile, named, &sc);
	} else {
		if (!aws_conf_profile_exists(ch->conf, src)) {
			buf_printf(ch->err, "profile %s: source_profile %s: no "
			    "such profile", profile, src);
			return r;
		}
		for (i = 0; i < ch->nvisited; i++)
			if (strcmp(ch->visited[i], src) == 0)
				break;
		if (i < ch->nvisited && (strcmp(src, profile) != 0 ||
		    !has_static(ch, src))) {
			buf_printf(ch->err, "profile %s: source_profile %s "
			    "makes a loop: ", profile, src);
			add_loop(ch, src);
			return r;
		}
		if (ch->nvisited == CHAIN_MAX) {
			buf_printf(ch->err, "profile %s: more than %d "
			    "source profiles in a row", profile, CHAIN_MAX);
			return r;
		}
		ch->visited[ch->nvisited++] = src;
		if (has_static(ch, src) || !is_role(ch, src)) {
			r = profile_chain(ch, src, 1, &sc);
			if (r == 0) {
				buf_printf(ch->err, "profile %s: "
				    "source_profile %s has no credentials",
				    profile, src);
				r = AWS_CREDS_BROKEN;
			}
		} else {
			r = from_role(ch, src, &sc);
		}
	}
	if (r <= 0)
		goto out;

	if (!name) {
		session_name(ch, defname);
		name = defname;
	}
	if ((r = sts_ep(ch)) < 0) {
		r = AWS_CREDS_BROKEN;
		goto out;
	}
	buf_printf(&what, "profile %s: assume role %s", profile, arn);
	call.role_arn = arn;
	call.session_name = name;
	call.external_id = ext;
	call.duration = secs;
	call.what = what.p;
	r = aws_sts_assume(c, &ch->ep, &sc, &call, ch->conf, ch->o, ch->now,
	    ch->err);
	if (r == AWS_CREDS_OK) {
		snprintf(c->source, sizeof c->source, "assume role");
		r = 1;
	}
out:
	aws_creds_free(&sc);
	buf_free(&what);
	return r;
}

/*
 * aws login's session (the CLI's newest source, between the credentials
 * file and credential_process): an error where the CLI would use it, so
 * that a run never goes on with another identity.
 */
static int
from_login(struct chain *ch, const char *profile)
{
	if (!pget(ch, profile, "login_session"))
		return 0;
	buf_printf(ch->err, "profile %s: login_session (aws login) is not "
	    "supported; a profile with credential_process = aws configure "
	    "export-credentials --profile %s --format process can stand in "
	    "for it", profile, profile);
	return AWS_CREDS_BROKEN;
}

/*
 * The sources that live in a profile, in the CLI's order: web identity,
 * SSO, the credentials file, (aws login,) credential_process, the config
 * file.  noenv: a source profile's, where the environment's web identity
 * settings do not count.
 */
static int
profile_chain(struct chain *ch, const char *profile, int noenv,
    struct aws_creds *c)
{
	int r;

	if ((r = from_web_identity(ch, profile, noenv, c)) ||
	    (r = from_sso(ch, profile, c)) ||
	    (r = from_file(c, ch->conf, AWS_CONF_CREDENTIALS, profile,
	    ch->err)) ||
	    (r = from_login(ch, profile)) ||
	    (r = from_process(c, ch->conf, profile, ch->now, ch->err)) ||
	    (r = from_file(c, ch->conf, AWS_CONF_CONFIG, profile, ch->err)))
		return r;
	return 0;
}

int
aws_creds_load_with(struct aws_creds *c, const struct aws_conf *conf,
    aws_conf_env env, int64_t now, const struct aws_creds_opts *o,
    struct buf *err)
{
	struct chain ch = { 0 };
	struct buf note = BUF_INIT;
	int r, noenv;

	memset(c, 0, sizeof *c);
	ch.conf = conf;
	ch.env = env;
	ch.now = now;
	ch.o = o;
	ch.err = err;
	ch.visited[ch.nvisited++] = conf->profile;
	ch.ep = (struct aws_sts_ep)AWS_STS_EP_INIT;
	/* as the CLI's --profile, -p sets the environment's aside */
	noenv = conf->profile_flag;
	if ((!noenv && (r = from_env(c, env, now, err))) ||
	    (is_role(&ch, conf->profile) &&
	    (r = from_role(&ch, conf->profile, c))) ||
	    (r = profile_chain(&ch, conf->profile, noenv, c)) ||
	    (r = from_container(c, conf, env, now, err)) ||
	    (r = from_imds(c, conf, env, now, err, &note)))
		goto out;
	buf_printf(err, "no credentials: tried %sshared files (profile %s), "
	    "container, EC2 instance metadata", noenv ? "" : "environment, ",
	    conf->profile);
	if (note.len)
		buf_printf(err, " (%s)", note.p);
	r = AWS_CREDS_NONE;
out:
	buf_free(&note);
	aws_sts_ep_free(&ch.ep);
	if (r > 0) {
		c->loaded = now;
		return AWS_CREDS_OK;
	}
	aws_creds_free(c);
	return r;
}

int
aws_creds_load(struct aws_creds *c, const struct aws_conf *conf,
    aws_conf_env env, int64_t now, struct buf *err)
{
	return aws_creds_load_with(c, conf, env, now, NULL, err);
}

int
aws_creds_stale(const struct aws_creds *c, int64_t now)
{
	int64_t window;

	if (!c->expires)
		return 0;
	window = (c->expires - c->loaded) / 2;
	if (window > STALE_WINDOW || window < 0)
		window = STALE_WINDOW;
	return now >= c->expires - window;
}

int
aws_creds_exit_status(int rc)
{
	/* missing credentials are the remote's refusal to come: as the
	 * service's own "no credentials" errors, exit 3 */
	return rc == AWS_CREDS_REMOTE || rc == AWS_CREDS_NONE ? EXIT_REMOTE
						       : EXIT_USAGE;
}

void
aws_creds_free(struct aws_creds *c)
{
	free(c->akid);
	wipe_free(c->secret);
	wipe_free(c->token);
	memset(c, 0, sizeof *c);
}
