/* SPDX-License-Identifier: MIT */
/*
 * A set of byte strings, each with a value: open addressing, linear
 * probing, deletion by shifting back (no tombstones), so a set that sees
 * a stream of keys come and go stays as fast as a new one.  The set does
 * not copy keys: a key's bytes must stay put while it is in the set.
 */
#ifndef KEYSET_H
#define KEYSET_H

#include <stddef.h>

struct keyset;

struct keyset *keyset_new(void);
void keyset_free(struct keyset *s);
/* The value of key k[0..n), or NULL when it is not in the set. */
void *keyset_get(const struct keyset *s, const char *k, size_t n);
/* Adds k with value v (not NULL), or sets the value of k. */
void keyset_put(struct keyset *s, const char *k, size_t n, void *v);
/* Removes k; nothing when it is not there. */
void keyset_del(struct keyset *s, const char *k, size_t n);
size_t keyset_len(const struct keyset *s);

#endif
