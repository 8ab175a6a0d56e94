/* SPDX-License-Identifier: MIT */
/*
 * Fixtures for the aws_conf and aws_creds unit tests: a private temporary
 * folder for the shared files, and an environment given as a table, so
 * no test sees the machine's own AWS settings.
 *
 * The environment a case sees is its own table first, then the defaults:
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE in the folder, HOME
 * the folder's home/, and AWS_EC2_METADATA_DISABLED=true (so nothing
 * ever asks a real 169.254.169.254).  "NAME=" in a case's table hides a
 * default (an empty variable counts as unset).  A value that starts
 * with "@/" names a file in tests/data/creds.
 */
#ifndef AWSFIX_H
#define AWSFIX_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fix_dir[PATH_MAX];		/* the temporary folder */
static char fix_data[PATH_MAX + 32];	/* tests/data/creds */
static char fix_conf[PATH_MAX + 16], fix_cred[PATH_MAX + 16];
static char fix_home[PATH_MAX + 16];
static const char *const *fix_env;	/* the case's table */
static char fix_defaults[4][PATH_MAX + 64];

/* a case's value that starts with "@/" is a path in tests/data/creds */
static char *
fix_at(const char *v)
{
	static char ring[8][PATH_MAX + 64];
	static unsigned next;
	char *b;

	if (strncmp(v, "@/", 2) != 0)
		return (char *)v;
	b = ring[next++ % 8];
	snprintf(b, sizeof ring[0], "%s%s", fix_data, v + 1);
	return b;
}

static char *
fix_getenv(const char *name)
{
	size_t n = strlen(name), i;
	const char *const *e;

	for (e = fix_env; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return fix_at(*e + n + 1);
	for (i = 0; i < 4; i++)
		if (strncmp(fix_defaults[i], name, n) == 0 &&
		    fix_defaults[i][n] == '=')
			return fix_defaults[i] + n + 1;
	return NULL;
}

/* Writes text (with every '@' replaced by fix_data) to path; NULL
 * removes path. */
static void
fix_write(const char *path, const char *text)
{
	FILE *f;

	if (!text) {
		unlink(path);
		return;
	}
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	for (; *text; text++)
		if (*text == '@')
			fputs(fix_data, f);
		else
			fputc(*text, f);
	if (fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

/* The shared files of one case; NULL: no such file. */
static void
fix_files(const char *config, const char *credentials)
{
	fix_write(fix_conf, config);
	fix_write(fix_cred, credentials);
}

/* argv0 finds tests/data/creds: the tests live in build/asan/. */
static void
fix_setup(const char *argv0)
{
	char self[PATH_MAX], *slash;

	if (!realpath(argv0, self)) {
		perror(argv0);
		exit(2);
	}
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(fix_data, sizeof fix_data, "%s/../../tests/data/creds",
	    self);
	if (!realpath(fix_data, self)) {
		perror(fix_data);
		exit(2);
	}
	snprintf(fix_data, sizeof fix_data, "%s", self);
	snprintf(fix_dir, sizeof fix_dir, "%s/awsfix.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(fix_dir)) {
		perror(fix_dir);
		exit(2);
	}
	snprintf(fix_conf, sizeof fix_conf, "%s/config", fix_dir);
	snprintf(fix_cred, sizeof fix_cred, "%s/credentials", fix_dir);
	snprintf(fix_home, sizeof fix_home, "%s/home", fix_dir);
	mkdir(fix_home, 0700);
	snprintf(fix_defaults[0], sizeof fix_defaults[0],
	    "AWS_CONFIG_FILE=%s", fix_conf);
	snprintf(fix_defaults[1], sizeof fix_defaults[1],
	    "AWS_SHARED_CREDENTIALS_FILE=%s", fix_cred);
	snprintf(fix_defaults[2], sizeof fix_defaults[2], "HOME=%s",
	    fix_home);
	snprintf(fix_defaults[3], sizeof fix_defaults[3],
	    "AWS_EC2_METADATA_DISABLED=true");
}

static void
fix_cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fix_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fix_dir);
}

/* s, or "(null)" for printing */
static inline const char *
fix_s(const char *s)
{
	return s ? s : "(null)";
}

#endif
