/* SPDX-License-Identifier: MIT */
/*
 * genevents: writes at least BYTES of synthetic enriched events, shaped
 * like the reference samples, for the benchmarks.
 *
 *	genevents [-s seed] bytes template.tsv
 *
 * The 131-field lines of template.tsv are the models.  Each event takes
 * one of them and gets a fresh event_id, domain_sessionid, fingerprint,
 * etl/collector/derived timestamps (2016 to 2021, with 0, 3 or 9
 * fraction digits) and a contexts field of web_page entities sized so
 * that lines run from 1 to 6 KB.  The output depends only on the seed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NF 131
#define MAXT 16

enum { ETL = 2, COLLECTOR = 3, EVENT_ID = 6, CONTEXTS = 52,
       DERIVED = 124, DOMAIN_SESSIONID = 123, FINGERPRINT = 129 };

static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	/* xorshift64* */
	seed ^= seed >> 12;
	seed ^= seed << 25;
	seed ^= seed >> 27;
	return seed * 0x2545f4914f6cdd1dULL;
}

static void
hex(FILE *o, int n)
{
	static const char h[] = "0123456789abcdef";
	uint64_t r = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (i % 16 == 0)
			r = rnd();
		putc(h[r & 15], o);
		r >>= 4;
	}
}

static void
uuid(FILE *o)
{
	hex(o, 8);
	putc('-', o);
	hex(o, 4);
	fputs("-4", o);
	hex(o, 3);
	putc('-', o);
	putc("89ab"[rnd() & 3], o);
	hex(o, 3);
	putc('-', o);
	hex(o, 12);
}

static void
tstamp(FILE *o, time_t t)
{
	struct tm tm;
	char s[32];
	int k = (int)(rnd() % 3);

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
	fputs(s, o);
	if (k == 1)
		fprintf(o, ".%03d", (int)(rnd() % 1000));
	else if (k == 2)
		fprintf(o, ".%09d", (int)(rnd() % 1000000000));
}

struct model {
	char *f[NF];
	size_t len;		/* of the line, without the fields we make */
};

static size_t
contexts(FILE *o, size_t room)
{
	static const char head[] = "{\"schema\":\"iglu:com.snowplowanalytics."
		"snowplow/contexts/jsonschema/1-0-0\",\"data\":[";
	static const char ent[] = "{\"schema\":\"iglu:com.snowplowanalytics."
		"snowplow/web_page/jsonschema/1-0-0\",\"data\":{\"id\":\"";
	size_t n = 0, one = sizeof ent - 1 + 36 + 3;

	if (room < sizeof head + one + 2)
		return 0;
	fputs(head, o);
	n += sizeof head - 1;
	do {
		if (n > sizeof head - 1) {
			putc(',', o);
			n++;
		}
		fputs(ent, o);
		uuid(o);
		fputs("\"}}", o);
		n += one;
	} while (n + one + 3 < room);
	fputs("]}", o);
	return n + 2;
}

int
main(int argc, char *argv[])
{
	static struct model m[MAXT];
	char *line = NULL, *p, *mb = NULL;
	size_t cap = 0, nm = 0, i, ms = 0;
	ssize_t n;
	long long want, done = 0;
	FILE *t, *o;
	int c;

	while ((c = getopt(argc, argv, "s:")) != -1) {
		if (c != 's')
			goto usage;
		seed ^= strtoull(optarg, NULL, 10) * 0x100000001b3ULL;
	}
	if (argc - optind != 2) {
usage:
		fputs("usage: genevents [-s seed] bytes template.tsv\n", stderr);
		return 2;
	}
	want = strtoll(argv[optind], NULL, 10);
	if (!(t = fopen(argv[optind + 1], "r"))) {
		perror(argv[optind + 1]);
		return 1;
	}
	while ((n = getline(&line, &cap, t)) > 0 && nm < MAXT) {
		struct model *d = &m[nm];
		size_t k = 0;

		if (line[n - 1] == '\n')
			line[--n] = '\0';
		d->len = (size_t)n;
		for (p = strdup(line); k < NF; k++) {
			d->f[k] = p;
			if (!(p = strchr(p, '\t')))
				break;
			*p++ = '\0';
		}
		if (k != NF - 1 || p)
			continue;	/* not 131 fields */
		d->len -= strlen(d->f[CONTEXTS]);
		nm++;
	}
	if (!nm) {
		fputs("genevents: no 131-field line in the template\n", stderr);
		return 1;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (done < want) {
		/* half the lines from the first, short, model */
		struct model *d = &m[rnd() % 2 ? 0 : rnd() % nm];
		/* 2016-01-01 .. 2021-12-31 */
		time_t etl = 1451606400 + (time_t)(rnd() % 189302400);
		size_t target = 1024 + (size_t)(rnd() % 5120), len = d->len;

		if (!(o = open_memstream(&mb, &ms))) {
			perror("genevents");
			return 1;
		}
		for (i = 0; i < NF; i++) {
			if (i)
				putc('\t', o);
			switch (i) {
			case ETL:
				tstamp(o, etl);
				break;
			case COLLECTOR:
				tstamp(o, etl - (time_t)(rnd() % 7200));
				break;
			case DERIVED:
				tstamp(o, etl - (time_t)(rnd() % 7200));
				break;
			case EVENT_ID:
			case DOMAIN_SESSIONID:
				uuid(o);
				break;
			case FINGERPRINT:
				hex(o, 32);
				break;
			case CONTEXTS:
				len += contexts(o, target > len ?
						target - len : 0);
				break;
			default:
				fputs(d->f[i], o);
			}
		}
		putc('\n', o);
		fclose(o);
		fwrite(mb, 1, ms, stdout);
		done += (long long)ms;
		free(mb);
		mb = NULL;
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("genevents: stdout");
		return 1;
	}
	return 0;
}
