/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "aws_conf.h"
#include "buf.h"
#include "xalloc.h"

/* what a section is: a profile, a [services NAME] block, an
 * [sso-session NAME] block, anything else */
enum { SECT_PROFILE, SECT_SERVICES, SECT_SSO_SESSION, SECT_OTHER };

/* one setting, or with key NULL the mark that its section exists */
struct ent {
	int kind;
	char *name;		/* profile or services name, raw otherwise */
	char *key;
	char *val;
};

struct ini {
	struct ent *e;
	size_t n, cap;
};

struct aws_conf_files {
	struct ini conf, cred;
};

/* a file bigger than this is not a config file */
#define INI_MAX (16 << 20)

const char *
aws_conf_env_get(aws_conf_env env, const char *name)
{
	const char *v = env ? env(name) : NULL;

	return v && *v ? v : NULL;
}

int
aws_conf_is_true(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

static char *
trimdup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static void
ini_add(struct ini *f, int kind, const char *name, char *key, char *val)
{
	struct ent *e;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->e = xreallocarray(f->e, f->cap, sizeof *f->e);
	}
	e = &f->e[f->n++];
	e->kind = kind;
	e->name = xstrdup(name);
	e->key = key;
	e->val = val;
}

static void
ini_free(struct ini *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->e[i].name);
		free(f->e[i].key);
		free(f->e[i].val);
	}
	free(f->e);
	memset(f, 0, sizeof *f);
}

/* the last value of key in section (kind, name), or NULL */
static const char *
ini_get(const struct ini *f, int kind, const char *name, const char *key)
{
	size_t i;

	for (i = f->n; i-- > 0;) {
		const struct ent *e = &f->e[i];

		if (e->key && e->kind == kind && strcmp(e->name, name) == 0 &&
		    strcmp(e->key, key) == 0)
			return e->val;
	}
	return NULL;
}

static int
ini_has(const struct ini *f, int kind, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->e[i].kind == kind && strcmp(f->e[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Sorts a config file's section name into its kind and name:
 * "default", "profile NAME", "profile \"A B\"", "services NAME",
 * "sso-session NAME".  A
 * "profile" header botocore would not take (no name, two words) is
 * SECT_OTHER, so nothing finds it.
 */
static int
classify(const char *sect, struct buf *name)
{
	static const struct {
		const char *word;
		int kind;
	} kw[] = { { "profile", SECT_PROFILE }, { "services", SECT_SERVICES },
		{ "sso-session", SECT_SSO_SESSION } };
	size_t i, n;
	const char *r;

	buf_reset(name);
	if (strcmp(sect, "default") == 0) {
		buf_adds(name, sect);
		return SECT_PROFILE;
	}
	for (i = 0; i < sizeof kw / sizeof kw[0]; i++) {
		n = strlen(kw[i].word);
		if (strncmp(sect, kw[i].word, n) != 0 ||
		    !isspace((unsigned char)sect[n]))
			continue;
		r = sect + n;
		while (isspace((unsigned char)*r))
			r++;
		n = strlen(r);
		if (n >= 2 && (r[0] == '"' || r[0] == '\'') &&
		    r[n - 1] == r[0] && !memchr(r + 1, r[0], n - 2)) {
			buf_add(name, r + 1, n - 2);
		} else {
			if (!n || strpbrk(r, " \t\"'"))
				break;
			buf_add(name, r, n);
		}
		return name->len ? kw[i].kind : SECT_OTHER;
	}
	buf_reset(name);
	buf_adds(name, sect);
	return SECT_OTHER;
}

static int
ini_error(struct buf *err, const char *what, const char *path,
    unsigned long line, const char *reason)
{
	buf_printf(err, "%s %s:%lu: %s", what, path, line, reason);
	return -1;
}

/*
 * Parses text into f.  creds: the credentials file, whose every section
 * is a profile.  Returns 0, or -1 with "WHAT PATH:LINE: reason" in err.
 */
static int
ini_parse(struct ini *f, const char *text, size_t len, int creds,
    const char *what, const char *path, struct buf *err)
{
	struct buf name = BUF_INIT, sect = BUF_INIT;
	const char *p = text, *end = text + len, *nl, *s, *e, *d;
	unsigned long line = 0;
	int kind = -1, nested = 0, rc = -1;
	size_t opt = (size_t)-1, indent, optindent = 0;

	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		line++;
		for (s = p; s < nl && (*s == ' ' || *s == '\t'); s++)
			;
		indent = (size_t)(s - p);
		for (e = nl; e > s && isspace((unsigned char)e[-1]); e--)
			;
		if (s == e || *s == '#' || *s == ';')
			continue;
		if (memchr(s, '\0', (size_t)(e - s))) {
			ini_error(err, what, path, line, "a NUL byte");
			goto out;
		}
		if (opt != (size_t)-1 && indent > optindent) {
			/* continues the setting above */
			struct ent *o = &f->e[opt];

			if (!nested) {
				struct buf v = BUF_INIT;

				buf_adds(&v, o->val);
				buf_addc(&v, '\n');
				buf_add(&v, s, (size_t)(e - s));
				free(o->val);
				o->val = buf_detach(&v);
				continue;
			}
			d = memchr(s, '=', (size_t)(e - s));
			if (!d) {
				ini_error(err, what, path, line,
				    "a nested setting needs 'key = value'");
				goto out;
			}
			buf_reset(&sect);
			buf_printf(&sect, "%s.", o->key);
			{
				char *k = trimdup(s, (size_t)(d - s));

				buf_adds(&sect, k);
				free(k);
			}
			ini_add(f, kind, name.p, xstrdup(sect.p),
			    trimdup(d + 1, (size_t)(e - d - 1)));
			continue;
		}
		opt = (size_t)-1;
		if (*s == '[') {
			const char *rb = NULL, *q;
			char *raw;

			for (q = s + 1; q < e; q++)
				if (*q == ']')
					rb = q;
			raw = rb ? trimdup(s + 1, (size_t)(rb - s - 1)) : NULL;
			if (!raw || !*raw) {
				free(raw);
				ini_error(err, what, path, line,
				    "a section header needs a name in [ ]");
				goto out;
			}
			if (creds) {
				buf_reset(&name);
				buf_adds(&name, raw);
				kind = SECT_PROFILE;
			} else {
				kind = classify(raw, &name);
			}
			free(raw);
			ini_add(f, kind, name.p, NULL, NULL);
			continue;
		}
		if (kind < 0) {
			ini_error(err, what, path, line,
			    "a setting before any [section]");
			goto out;
		}
		for (d = s; d < e && *d != '=' && *d != ':'; d++)
			;
		if (d == e || d == s) {
			ini_error(err, what, path, line,
			    d == e ? "expected 'key = value'" :
			    "a setting needs a key before = or :");
			goto out;
		}
		{
			char *k = trimdup(s, (size_t)(d - s)), *kp;

			for (kp = k; *kp; kp++)
				*kp = (char)tolower((unsigned char)*kp);
			ini_add(f, kind, name.p, k,
			    trimdup(d + 1, (size_t)(e - d - 1)));
		}
		opt = f->n - 1;
		optindent = indent;
		nested = f->e[opt].val[0] == '\0';
	}
	rc = 0;
out:
	buf_free(&name);
	buf_free(&sect);
	return rc;
}

/* Reads path whole into b.  Returns 1, 0 when there is no such file,
 * or -1 with "WHAT PATH: reason" in err. */
static int
slurp(const char *path, struct buf *b, const char *what, struct buf *err)
{
	int fd, e;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		goto fail;
	}
	for (;;) {
		buf_grow(b, 8192);
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			close(fd);
			b->p[b->len] = '\0';
			return 1;
		}
		b->len += (size_t)n;
		if (b->len > INI_MAX) {
			close(fd);
			buf_printf(err, "%s %s: larger than %d MB", what, path,
			    INI_MAX >> 20);
			return -1;
		}
	}
	e = errno;
	close(fd);
	errno = e;
fail:
	buf_printf(err, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

static int
load_file(struct ini *f, const char *path, int creds, struct buf *err)
{
	const char *what = creds ? "credentials file" : "config file";
	struct buf b = BUF_INIT;
	int r;

	if (!path)
		return 0;
	r = slurp(path, &b, what, err);
	if (r > 0)
		r = ini_parse(f, b.p, b.len, creds, what, path, err);
	buf_free(&b);
	return r < 0 ? -1 : 0;
}

/* AWS_*_FILE, else $HOME/.aws/NAME; "~/" expands with HOME; NULL when
 * there is nothing to go on */
static char *
file_path(aws_conf_env env, const char *var, const char *name)
{
	const char *v = aws_conf_env_get(env, var), *home = aws_conf_env_get(env, "HOME");
	struct buf b = BUF_INIT;

	if (v && strncmp(v, "~/", 2) == 0 && home) {
		buf_printf(&b, "%s%s", home, v + 1);
		return buf_detach(&b);
	}
	if (v)
		return xstrdup(v);
	if (!home)
		return NULL;
	buf_printf(&b, "%s/.aws/%s", home, name);
	return buf_detach(&b);
}

const char *
aws_conf_profile_file_get(const struct aws_conf *c, enum aws_conf_which which,
    const char *profile, const char *key)
{
	if (!c->files || !profile)
		return NULL;
	return ini_get(which == AWS_CONF_CONFIG ? &c->files->conf :
	    &c->files->cred, SECT_PROFILE, profile, key);
}

const char *
aws_conf_profile_get(const struct aws_conf *c, const char *profile,
    const char *key)
{
	const char *v = aws_conf_profile_file_get(c, AWS_CONF_CREDENTIALS,
	    profile, key);

	return v ? v : aws_conf_profile_file_get(c, AWS_CONF_CONFIG, profile,
	    key);
}

int
aws_conf_profile_exists(const struct aws_conf *c, const char *profile)
{
	return c->files && (ini_has(&c->files->conf, SECT_PROFILE, profile) ||
	    ini_has(&c->files->cred, SECT_PROFILE, profile));
}

const char *
aws_conf_sso_session_get(const struct aws_conf *c, const char *name,
    const char *key)
{
	return c->files ? ini_get(&c->files->conf, SECT_SSO_SESSION, name,
	    key) : NULL;
}

int
aws_conf_sso_session_exists(const struct aws_conf *c, const char *name)
{
	return c->files && ini_has(&c->files->conf, SECT_SSO_SESSION, name);
}

const char *
aws_conf_file_get(const struct aws_conf *c, enum aws_conf_which which,
    const char *key)
{
	return aws_conf_profile_file_get(c, which, c->profile, key);
}

const char *
aws_conf_get(const struct aws_conf *c, const char *key)
{
	return aws_conf_profile_get(c, c->profile, key);
}

/* botocore's region check: a DNS label */
int
aws_conf_region_ok(const char *r)
{
	size_t i, n = strlen(r);

	if (n < 1 || n > 63 || r[0] == '-' || r[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)r[i]) && r[i] != '-')
			return 0;
	return 1;
}

int
aws_conf_url_parse(const char *url, struct aws_conf_url *u, struct buf *err)
{
	const char *p, *h, *he, *q;
	long port = 0;

	memset(u, 0, sizeof *u);
	if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		p = url + 8;
		u->https = 1;
	} else {
		buf_adds(err, "the scheme must be http:// or https://");
		return -1;
	}
	q = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(q - p))) {
		buf_adds(err, "user:password@ is not allowed");
		return -1;
	}
	if (*p == '[') {
		h = p + 1;
		he = memchr(h, ']', (size_t)(q - h));
		if (!he || he == h || h + strspn(h, "0123456789abcdefABCDEF:.")
		    != he) {
			buf_adds(err, "a bad IPv6 address");
			return -1;
		}
		p = he + 1;
	} else {
		h = p;
		he = h + strspn(h, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._");
		if (he == h || (he < q && *he != ':')) {
			buf_adds(err, he == h ? "no host" :
			    "the host has a character a host name cannot have");
			return -1;
		}
		p = he;
	}
	if (p < q && *p == ':') {
		const char *ds = ++p;

		while (p < q && *p >= '0' && *p <= '9' && port <= 65535)
			port = port * 10 + (*p++ - '0');
		if (p == ds || p != q || port < 1 || port > 65535) {
			buf_adds(err, "the port must be a number 1 to 65535");
			return -1;
		}
	} else if (p != q) {
		buf_adds(err, "junk after the host");
		return -1;
	}
	u->host = xstrndup(h, (size_t)(he - h));
	u->port = (int)port;
	u->rest = q;
	return 0;
}

/* Appends u's host as a Host header has it: [ ] around an IPv6 literal,
 * lowercase if asked, the port only when it is not the scheme's default. */
static void
authority(struct buf *b, const struct aws_conf_url *u, int lower)
{
	int v6 = strchr(u->host, ':') != NULL;
	const char *p;

	if (v6)
		buf_addc(b, '[');
	for (p = u->host; *p; p++)
		buf_addc(b, lower ? tolower((unsigned char)*p) : *p);
	if (v6)
		buf_addc(b, ']');
	if (u->port && u->port != (u->https ? 443 : 80))
		buf_printf(b, ":%d", u->port);
}

int
aws_conf_url_split(const char *url, int *https, struct buf *host,
    struct buf *path, struct buf *err)
{
	struct aws_conf_url u;
	size_t n;

	if (aws_conf_url_parse(url, &u, err) < 0)
		return -1;
	if (strpbrk(u.rest, "?#")) {
		buf_adds(err, "a query or fragment is not allowed");
		free(u.host);
		return -1;
	}
	*https = u.https;
	authority(host, &u, 1);
	for (n = strlen(u.rest); n > 0 && u.rest[n - 1] == '/'; n--)
		;
	buf_add(path, u.rest, n);
	free(u.host);
	return 0;
}

/* Checks an endpoint URL and writes its normal form into out: lowercase
 * scheme, no default port, no trailing slash. */
static int
endpoint_norm(const char *url, const char *from, struct buf *out,
    struct buf *err)
{
	struct aws_conf_url u;
	struct buf why = BUF_INIT;

	if (aws_conf_url_parse(url, &u, &why) == 0) {
		if (*u.rest && strcmp(u.rest, "/") != 0) {
			buf_adds(&why, *u.rest == '/' ?
			    "a path is not supported" :
			    "a query or fragment is not allowed");
			free(u.host);
		}
	}
	if (why.len) {
		buf_printf(err, "endpoint URL '%s' (%s): %s", url, from,
		    why.p);
		buf_free(&why);
		return -1;
	}
	buf_adds(out, u.https ? "https://" : "http://");
	authority(out, &u, 0);
	free(u.host);
	return 0;
}

/* A message is one line: the values it quotes from the files and the
 * environment have their control characters as spaces, from mark on. */
static int
flatten(struct buf *err, size_t mark)
{
	for (; mark < err->len; mark++)
		if ((unsigned char)err->p[mark] < 0x20 ||
		    err->p[mark] == 0x7f)
			err->p[mark] = ' ';
	return -1;
}

int
aws_conf_service_endpoint(const struct aws_conf *c, const char *service,
    aws_conf_env env, struct buf *out, struct buf *err)
{
	struct buf var = BUF_INIT, from = BUF_INIT;
	const char *v = NULL, *s, *ign;
	size_t mark = err->len;
	int rc = 0;

	ign = aws_conf_env_get(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (!ign)
		ign = aws_conf_get(c, "ignore_configured_endpoint_urls");
	if (aws_conf_is_true(ign))
		goto out;
	if (service) {
		buf_adds(&var, "AWS_ENDPOINT_URL_");
		for (s = service; *s; s++)
			buf_addc(&var, *s == ' ' || *s == '-' ? '_' :
			    toupper((unsigned char)*s));
		if ((v = aws_conf_env_get(env, var.p))) {
			buf_printf(&from, "from %s", var.p);
			goto found;
		}
	}
	if ((v = aws_conf_env_get(env, "AWS_ENDPOINT_URL"))) {
		buf_adds(&from, "from AWS_ENDPOINT_URL");
		goto found;
	}
	if (service && (s = aws_conf_get(c, "services")) && *s) {
		buf_reset(&var);
		buf_printf(&var, "%s.endpoint_url", service);
		v = ini_get(&c->files->conf, SECT_SERVICES, s, var.p);
		if (v && *v) {
			buf_printf(&from, "from [services %s] in %s", s,
			    c->config_path);
			goto found;
		}
	}
	if ((v = aws_conf_get(c, "endpoint_url")) && *v) {
		buf_printf(&from, "from profile %s", c->profile);
		goto found;
	}
	goto out;
found:
	rc = endpoint_norm(v, from.p, out, err) < 0 ? flatten(err, mark) : 1;
out:
	buf_free(&var);
	buf_free(&from);
	return rc;
}

/* The endpoint for o->service, first source wins; 0 with none found. */
static int
pick_endpoint(struct aws_conf *c, const struct aws_conf_opts *o,
    aws_conf_env env, struct buf *err)
{
	struct buf out = BUF_INIT;
	int rc;

	if (o->endpoint && *o->endpoint)
		rc = endpoint_norm(o->endpoint, "from the command line", &out,
		    err) < 0 ? -1 : 1;
	else
		rc = aws_conf_service_endpoint(c, o->service, env, &out, err);
	if (rc > 0) {
		c->endpoint = buf_detach(&out);
		c->custom_endpoint = 1;
	}
	buf_free(&out);
	return rc < 0 ? -1 : 0;
}

/* The system's bundle where systems keep it, as Go's crypto/x509 looks
 * for it: a build's libcurl knows only its own system's place (Debian's),
 * and the same binaries run on Amazon Linux, RHEL, SUSE and Alpine. */
static const char *
system_ca(void)
{
	static const char *const where[] = {
		"/etc/ssl/certs/ca-certificates.crt",	/* Debian, Ubuntu */
		"/etc/pki/tls/certs/ca-bundle.crt",	/* Amazon, Fedora, RHEL */
		"/etc/ssl/ca-bundle.pem",		/* SUSE */
		"/etc/pki/tls/cacert.pem",		/* OpenELEC */
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",			/* Alpine */
	};
	size_t i;

	for (i = 0; i < sizeof where / sizeof where[0]; i++)
		if (access(where[i], R_OK) == 0)
			return where[i];
	return NULL;
}

static int
pick_ca(struct aws_conf *c, const struct aws_conf_opts *o, aws_conf_env env,
    struct buf *err)
{
	const char *v, *from;
	int fd;

	if (o->ca_bundle && *o->ca_bundle)
		v = o->ca_bundle, from = "from the command line";
	else if ((v = aws_conf_env_get(env, "AWS_CA_BUNDLE")))
		from = "from AWS_CA_BUNDLE";
	else if ((v = aws_conf_get(c, "ca_bundle")) && *v)
		from = "from the profile";
	else if ((v = system_ca()))
		from = "the system's";
	else
		return 0;
	fd = open(v, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		buf_printf(err, "CA bundle %s (%s): %s", v, from,
		    strerror(errno));
		return -1;
	}
	close(fd);
	c->ca_bundle = xstrdup(v);
	return 0;
}

int
aws_conf_load(struct aws_conf *c, const struct aws_conf_opts *o,
    aws_conf_env env, struct buf *err)
{
	static const struct aws_conf_opts none;
	const char *v;
	size_t mark = err->len;

	if (!o)
		o = &none;
	memset(c, 0, sizeof *c);
	c->files = xcalloc(1, sizeof *c->files);
	c->config_path = file_path(env, "AWS_CONFIG_FILE", "config");
	c->cred_path = file_path(env, "AWS_SHARED_CREDENTIALS_FILE",
	    "credentials");
	if (load_file(&c->files->conf, c->config_path, 0, err) < 0 ||
	    load_file(&c->files->cred, c->cred_path, 1, err) < 0)
		goto fail;

	if ((v = o->profile) && *v)
		c->profile_explicit = c->profile_flag = 1;
	else if ((v = aws_conf_env_get(env, "AWS_PROFILE")) ||
	    (v = aws_conf_env_get(env, "AWS_DEFAULT_PROFILE")))
		c->profile_explicit = 1;
	else
		v = "default";
	c->profile = xstrdup(v);
	if (c->profile_explicit &&
	    !ini_has(&c->files->conf, SECT_PROFILE, v) &&
	    !ini_has(&c->files->cred, SECT_PROFILE, v)) {
		buf_printf(err, "profile %s: not found in %s or %s", v,
		    c->config_path ? c->config_path : "~/.aws/config",
		    c->cred_path ? c->cred_path : "~/.aws/credentials");
		if (strcmp(v, "default") != 0 &&
		    ini_has(&c->files->conf, SECT_OTHER, v))
			buf_printf(err, " (the config file names it "
			    "[profile %s], not [%s])", v, v);
		goto fail;
	}

	if (!((v = o->region) && *v) && !(v = aws_conf_env_get(env, "AWS_REGION")) &&
	    !(v = aws_conf_env_get(env, "AWS_DEFAULT_REGION")) &&
	    !((v = aws_conf_get(c, "region")) && *v))
		v = "us-east-1";
	if (!aws_conf_region_ok(v)) {
		buf_printf(err, "region '%s': not a region name", v);
		goto fail;
	}
	c->region = xstrdup(v);

	if (pick_endpoint(c, o, env, err) < 0 || pick_ca(c, o, env, err) < 0)
		goto fail;
	return 0;
fail:
	aws_conf_free(c);
	return flatten(err, mark);
}

void
aws_conf_default_endpoint(struct buf *b, const char *service,
    const char *region)
{
	buf_printf(b, "https://%s.%s.%s", service, region,
	    aws_conf_domain(region));
}

const char *
aws_conf_domain(const char *region)
{
	return strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn" :
	    "amazonaws.com";
}

void
aws_conf_free(struct aws_conf *c)
{
	if (c->files) {
		ini_free(&c->files->conf);
		ini_free(&c->files->cred);
		free(c->files);
	}
	free(c->profile);
	free(c->region);
	free(c->endpoint);
	free(c->ca_bundle);
	free(c->config_path);
	free(c->cred_path);
	memset(c, 0, sizeof *c);
}
