/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "keyset.h"
#include "unit.h"

#define N 5000

static char keys[N][16];

int
main(void)
{
	struct keyset *s = keyset_new();
	int i, bad = 0, v[N];

	for (i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		keyset_put(s, keys[i], strlen(keys[i]), &v[i]);
	}
	CHECK(keyset_len(s) == N, "len %zu", keyset_len(s));
	for (i = 0; i < N; i++)
		bad += keyset_get(s, keys[i], strlen(keys[i])) != &v[i];
	CHECK(!bad, "%d lookups wrong", bad);
	CHECK(!keyset_get(s, "nope", 4), "absent");
	CHECK(!keyset_get(s, "k1", 1), "a prefix is another key");
	/* remove every other, the rest stay findable */
	for (i = 0; i < N; i += 2)
		keyset_del(s, keys[i], strlen(keys[i]));
	keyset_del(s, "nope", 4);
	CHECK(keyset_len(s) == N / 2, "len %zu", keyset_len(s));
	for (bad = 0, i = 0; i < N; i++)
		bad += (keyset_get(s, keys[i], strlen(keys[i])) != NULL) !=
		       (i % 2 == 1);
	CHECK(!bad, "%d wrong after deletes", bad);
	/* churn: keys come and go many times over */
	for (i = 0; i < 200000; i++) {
		int k = (i * 7919) % N;

		if (keyset_get(s, keys[k], strlen(keys[k])))
			keyset_del(s, keys[k], strlen(keys[k]));
		else
			keyset_put(s, keys[k], strlen(keys[k]), &v[k]);
	}
	for (bad = 0, i = 0; i < N; i++) {
		void *p = keyset_get(s, keys[i], strlen(keys[i]));

		bad += p && p != &v[i];
	}
	CHECK(!bad, "%d wrong after churn", bad);
	/* binary keys */
	keyset_put(s, "a\0b", 3, &v[0]);
	CHECK(keyset_get(s, "a\0b", 3) == &v[0] && !keyset_get(s, "a\0c", 3),
	      "NUL inside");
	keyset_free(s);
	return unit_end("keyset");
}
