/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "buf.h"
#include "enriched.h"
#include "jsonw.h"
#include "tstamp.h"
#include "tsv.h"
#include "utf8.h"

static const char *const names[ENRICHED_NFIELDS] = {
	"app_id",
	"platform",
	"etl_tstamp",
	"collector_tstamp",
	"dvce_created_tstamp",
	"event",
	"event_id",
	"txn_id",
	"name_tracker",
	"v_tracker",
	"v_collector",
	"v_etl",
	"user_id",
	"user_ipaddress",
	"user_fingerprint",
	"domain_userid",
	"domain_sessionidx",
	"network_userid",
	"geo_country",
	"geo_region",
	"geo_city",
	"geo_zipcode",
	"geo_latitude",
	"geo_longitude",
	"geo_region_name",
	"ip_isp",
	"ip_organization",
	"ip_domain",
	"ip_netspeed",
	"page_url",
	"page_title",
	"page_referrer",
	"page_urlscheme",
	"page_urlhost",
	"page_urlport",
	"page_urlpath",
	"page_urlquery",
	"page_urlfragment",
	"refr_urlscheme",
	"refr_urlhost",
	"refr_urlport",
	"refr_urlpath",
	"refr_urlquery",
	"refr_urlfragment",
	"refr_medium",
	"refr_source",
	"refr_term",
	"mkt_medium",
	"mkt_source",
	"mkt_term",
	"mkt_content",
	"mkt_campaign",
	"contexts",
	"se_category",
	"se_action",
	"se_label",
	"se_property",
	"se_value",
	"unstruct_event",
	"tr_orderid",
	"tr_affiliation",
	"tr_total",
	"tr_tax",
	"tr_shipping",
	"tr_city",
	"tr_state",
	"tr_country",
	"ti_orderid",
	"ti_sku",
	"ti_name",
	"ti_category",
	"ti_price",
	"ti_quantity",
	"pp_xoffset_min",
	"pp_xoffset_max",
	"pp_yoffset_min",
	"pp_yoffset_max",
	"useragent",
	"br_name",
	"br_family",
	"br_version",
	"br_type",
	"br_renderengine",
	"br_lang",
	"br_features_pdf",
	"br_features_flash",
	"br_features_java",
	"br_features_director",
	"br_features_quicktime",
	"br_features_realplayer",
	"br_features_windowsmedia",
	"br_features_gears",
	"br_features_silverlight",
	"br_cookies",
	"br_colordepth",
	"br_viewwidth",
	"br_viewheight",
	"os_name",
	"os_family",
	"os_manufacturer",
	"os_timezone",
	"dvce_type",
	"dvce_ismobile",
	"dvce_screenwidth",
	"dvce_screenheight",
	"doc_charset",
	"doc_width",
	"doc_height",
	"tr_currency",
	"tr_total_base",
	"tr_tax_base",
	"tr_shipping_base",
	"ti_currency",
	"ti_price_base",
	"base_currency",
	"geo_timezone",
	"mkt_clickid",
	"mkt_network",
	"etl_tags",
	"dvce_sent_tstamp",
	"refr_domain_userid",
	"refr_dvce_tstamp",
	"derived_contexts",
	"domain_sessionid",
	"derived_tstamp",
	"event_vendor",
	"event_name",
	"event_format",
	"event_version",
	"event_fingerprint",
	"true_tstamp",
};

const char *
enriched_name(size_t i)
{
	return i < ENRICHED_NFIELDS ? names[i] : NULL;
}

int
enriched_index(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ENRICHED_NFIELDS; i++)
		if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
			return (int)i;
	if (n == 18 && memcmp(name, "refr_device_tstamp", 18) == 0)
		return 121;
	return -1;
}

static int
isuuid(const char *s, size_t n)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	size_t i;

	if (n != sizeof shape - 1)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (shape[i] == '-' ? c != '-' :
		    !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return 0;
	}
	return 1;
}

/* The event fingerprint enrichment writes a hex digest: MD5, SHA-1,
 * SHA-256, SHA-384 or SHA-512. */
static int
isdigest(const char *s, size_t n)
{
	size_t i;

	if (n != 32 && n != 40 && n != 64 && n != 96 && n != 128)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

unsigned
enriched_item(const char *line, size_t n, struct enriched_item *it)
{
	struct span f[ENRICHED_FINGERPRINT + 1];
	unsigned bad = 0;

	it->nfields = tsv_split(line, n, f, ENRICHED_FINGERPRINT + 1);
	if (it->nfields < ENRICHED_MINFIELDS)
		return ENRICHED_BAD_FIELDS;
	it->event_id = f[ENRICHED_EVENT_ID];
	it->fingerprint = f[ENRICHED_FINGERPRINT];
	it->etl_tstamp = f[ENRICHED_ETL_TSTAMP];
	if (!isuuid(it->event_id.p, it->event_id.n))
		bad |= ENRICHED_BAD_EVENT_ID;
	if (!isdigest(it->fingerprint.p, it->fingerprint.n))
		bad |= ENRICHED_BAD_FINGERPRINT;
	if (tstamp_parse(it->etl_tstamp.p, it->etl_tstamp.n,
			 &it->etl_time) < 0)
		bad |= ENRICHED_BAD_ETL_TSTAMP;
	return bad;
}

/* A field quoted in a message: short. */
#define SHOWN 64
static int
shown(size_t n)
{
	return n > SHOWN ? SHOWN : (int)n;
}

void
enriched_why(const struct enriched_item *it, unsigned bad, struct buf *b)
{
	const struct span *id = &it->event_id, *etl = &it->etl_tstamp;
	const struct span *fp = &it->fingerprint;
	size_t nf = it->nfields;

	switch (bad) {
	case ENRICHED_BAD_FIELDS:
		buf_printf(b, "line has %zu tab-separated field%s, an enriched "
			   "event has %d or %d", nf, nf == 1 ? "" : "s",
			   ENRICHED_MINFIELDS, ENRICHED_NFIELDS);
		break;
	case ENRICHED_BAD_EVENT_ID:
		buf_printf(b, "event_id [%.*s] is not a UUID", shown(id->n),
			   id->p);
		break;
	case ENRICHED_BAD_FINGERPRINT:
		if (fp->n == 0)
			buf_adds(b, "event_fingerprint is empty");
		else if (!utf8_valid(fp->p, fp->n))
			buf_printf(b, "event_fingerprint (%zu bytes) is not a "
				   "hex digest (32, 40, 64, 96 or 128 hex "
				   "digits), nor UTF-8", fp->n);
		else
			buf_printf(b, "event_fingerprint [%.*s%s] (%zu bytes) "
				   "is not a hex digest (32, 40, 64, 96 or 128 "
				   "hex digits)", shown(fp->n), fp->p,
				   fp->n > SHOWN ? "..." : "", fp->n);
		break;
	case ENRICHED_BAD_ETL_TSTAMP:
		if (etl->n == 0)
			buf_adds(b, "etl_tstamp is empty");
		else
			buf_printf(b, "etl_tstamp [%.*s] is not a timestamp "
				   "(yyyy-MM-dd HH:mm:ss[.SSSSSSSSS])",
				   shown(etl->n), etl->p);
		break;
	}
}

void
enriched_json(struct buf *b, const struct enriched_item *it, int withttl,
	      int64_t ttl)
{
	buf_adds(b, "{\"eventId\":");
	jsonw_str(b, it->event_id.p, it->event_id.n);
	buf_adds(b, ",\"fingerprint\":");
	jsonw_str(b, it->fingerprint.p, it->fingerprint.n);
	buf_adds(b, ",\"etlTime\":");
	buf_addi64(b, it->etl_time);
	if (withttl) {
		buf_adds(b, ",\"ttl\":");
		buf_addi64(b, ttl);
	}
	buf_add(b, "}\n", 2);
}
