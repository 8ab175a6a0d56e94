/* SPDX-License-Identifier: MIT */
/* The fields of a Snowplow enriched event, in TSV order.  Generated from
 * the Scala and Python Analytics SDKs' lists. */
#ifndef ENRICHED_H
#define ENRICHED_H

#include <stddef.h>

#define ENRICHED_NFIELDS 131	/* since R73 (true_tstamp) */
#define ENRICHED_MINFIELDS 130	/* archives from before true_tstamp */

enum {
	ENRICHED_ETL_TSTAMP = 2,
	ENRICHED_EVENT_ID = 6,
	ENRICHED_FINGERPRINT = 129,
};

/* Name of field i (0-based), or NULL past the last. */
const char *enriched_name(size_t i);
/* Index of the field called name[0..n), or -1.  refr_device_tstamp (the
 * Python SDK's spelling) is taken for refr_dvce_tstamp. */
int enriched_index(const char *name, size_t n);

#endif
