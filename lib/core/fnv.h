/* SPDX-License-Identifier: MIT */
/* FNV-1a: a fast, stable 64-bit hash of bytes, for hash tables and for
 * sharding keys.  Stable across runs and machines: never change it. */
#ifndef FNV_H
#define FNV_H

#include <stddef.h>
#include <stdint.h>

uint64_t fnv1a(const void *p, size_t n);

#endif
