/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ipsec section: IOS `crypto ipsec ...` with manually keyed SAs
 * (docs/ipsec.md, docs/configuration.md "ipsec").
 *
 *   legacy              allow esp-des, esp-3des, esp-md5-hmac (with a warning)
 *   switch_timeout_ms   manual rekey: longest wait for the peer's new SA
 *   drain_ms            manual rekey: the old inbound SA outlives the switch
 *   transform_set       crypto ipsec transform-set NAME T... / mode
 *   profile             crypto ipsec profile NAME / set transform-set /
 *                       set security-association lifetime|replay ...
 *   sa                  one manually keyed SA pair per peer NBMA address
 *                       (crypto map ... ipsec-manual / set session-key)
 *
 * tunnel.protection names a profile; the loader runs even without this
 * section to refuse a protection that names nothing.  Keys are copied out
 * of the libconfig tree and wiped there; conf_free_ipsec() wipes ours.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf_priv.h"
#include "msg.h"

#define IPSEC_SWITCH_DEFAULT_MS 10000
#define IPSEC_DRAIN_DEFAULT_MS 2000
#define IPSEC_WINDOW_DEFAULT 1024
#define IPSEC_SPI_MIN 256		/* IOS set session-key: 256..4294967295 */
#define GCM_SALT_LEN 4			/* RFC 4106 8.1 */

static const struct conf_key ipsec_keys[] = {
	{ "legacy" }, { "switch_timeout_ms" }, { "drain_ms" }, { "transform_set" },
	{ "profile" }, { "sa" }, { NULL },
};

static const struct conf_key tset_keys[] = {
	{ "name", true }, { "transforms", true }, { "mode" }, { NULL },
};

static const struct conf_key profile_keys[] = {
	{ "name", true }, { "transform_set", true }, { "lifetime_seconds" },
	{ "lifetime_kilobytes" }, { "lifetime_packets" }, { "soft_percent" }, { "replay" },
	{ "replay_window" }, { "esn" }, { "udp_encap" }, { "udp_sport" }, { "udp_dport" },
	{ NULL },
};

static const struct conf_key sa_keys[] = {
	{ "peer", true }, { "profile" }, { "spi_in", true }, { "spi_out", true },
	{ "cipher_key_in" }, { "cipher_key_out" }, { "auth_key_in" }, { "auth_key_out" },
	{ "seq_out_start" }, { "seq_in_start" }, { NULL },
};

/* ---- helpers ------------------------------------------------------------ */

static struct conf_ipsec *ipsec(struct conf_ctx *x)
{
	return x->c->ipsec;
}

/* A warning for the controller to log: "FILE:LINE: text". */
static void ipsec_warn(struct conf_ctx *x, const config_setting_t *s, const char *fmt, ...)
{
	struct conf_ipsec *ip = ipsec(x);
	char *w;
	int n;
	va_list ap;

	if (ip->n_warnings >= CONF_IPSEC_WARN_MAX)
		return;
	w = ip->warnings[ip->n_warnings++];
	n = snprintf(w, sizeof(ip->warnings[0]), "%s:%u: ", x->name,
		     s ? config_setting_source_line(s) : 0);
	if (n < 0 || (size_t)n >= sizeof(ip->warnings[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(w + n, sizeof(ip->warnings[0]) - (size_t)n, fmt, ap);
	va_end(ap);
}

static const char *spath(const config_setting_t *s, char *buf, size_t len)
{
	return conf_setting_path(s, buf, len);
}

/* A 64-bit unsigned integer setting (libconfig int or int64). */
static int ipsec_get_u64(struct conf_ctx *x, const config_setting_t *g, const char *name,
			 uint64_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	long long v;
	char p[128];

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return conf_err(x, s, "%s: must be an integer", spath(s, p, sizeof(p)));
	v = config_setting_get_int64(s);
	if (v < 0)
		return conf_err(x, s, "%s: must not be negative (got %lld)", spath(s, p, sizeof(p)), v);
	*out = (uint64_t)v;
	return 1;
}

static int hex_nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "0x00112233..." or "00112233...": the number of octets it holds (written
 * to out only when they fit cap), or -1 if it is not hex. */
static int hex_decode(const char *h, uint8_t *out, size_t cap)
{
	size_t n;

	if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
		h += 2;
	n = strlen(h);
	if (n == 0 || n % 2)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (hex_nibble(h[i]) < 0)
			return -1;
	for (size_t i = 0; i < n / 2 && n / 2 <= cap; i++)
		out[i] = (uint8_t)(hex_nibble(h[2 * i]) << 4 | hex_nibble(h[2 * i + 1]));
	return (int)(n / 2);
}

/* Index of a named entry in a list loaded so far, or -1. */
static int tset_find(const struct conf_ipsec *ip, const char *name)
{
	for (uint32_t i = 0; i < ip->n_tsets; i++)
		if (strcmp(ip->tsets[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int profile_find(const struct conf_ipsec *ip, const char *name)
{
	for (uint32_t i = 0; i < ip->n_profiles; i++)
		if (strcmp(ip->profiles[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int ipsec_load_name(struct conf_ctx *x, const config_setting_t *g, char *name, size_t cap)
{
	const config_setting_t *s = config_setting_get_member(g, "name");
	char p[128];

	if (conf_get_str(x, g, "name", name, cap) < 0)
		return -1;
	if (!conf_name_valid(name, cap - 1, true))
		return conf_err(x, s, "%s: '%s' may use A-Z a-z 0-9 _ - . / : only",
				spath(s, p, sizeof(p)), name);
	return 0;
}

/* ---- transform sets ----------------------------------------------------- */

enum xf_kind { XF_ENC, XF_INTEG, XF_BITS };

struct xform_word {
	const char *name;
	uint8_t kind;		/* enum xf_kind */
	uint8_t alg;		/* enum sa_cipher / sa_integ; XF_BITS: key octets */
	uint8_t key_len;	/* XF_ENC: default key octets */
	bool legacy;
};

/* IOS transform names (seed 000: esp-des esp-md5-hmac; seed 004: esp-aes
 * esp-sha-hmac).  esp-gcm and esp-aes take 128 (default), 192 or 256. */
static const struct xform_word xform_words[] = {
	{ "esp-gcm", XF_ENC, SA_CIPHER_AES_GCM16, 16, false },		/* RFC 4106 */
	{ "esp-aes", XF_ENC, SA_CIPHER_AES_CBC, 16, false },		/* RFC 3602 */
	{ "esp-null", XF_ENC, SA_CIPHER_NULL, 0, false },		/* RFC 2410 */
	{ "esp-des", XF_ENC, SA_CIPHER_DES_CBC, 8, true },		/* RFC 2405 */
	{ "esp-3des", XF_ENC, SA_CIPHER_3DES_CBC, 24, true },		/* RFC 2451 */
	{ "esp-sha-hmac", XF_INTEG, SA_INTEG_HMAC_SHA1_96, 0, false },	/* RFC 2404 */
	{ "esp-sha256-hmac", XF_INTEG, SA_INTEG_HMAC_SHA256_128, 0, false },	/* RFC 4868 */
	{ "esp-md5-hmac", XF_INTEG, SA_INTEG_HMAC_MD5_96, 0, true },	/* RFC 2403 */
	{ "128", XF_BITS, 16, 0, false },
	{ "192", XF_BITS, 24, 0, false },
	{ "256", XF_BITS, 32, 0, false },
};

static const struct xform_word *xform_lookup(const char *w)
{
	for (size_t i = 0; i < sizeof(xform_words) / sizeof(xform_words[0]); i++)
		if (strcmp(xform_words[i].name, w) == 0)
			return &xform_words[i];
	return NULL;
}

struct xf_parse {
	const struct xform_word *enc, *integ, *prev;
	uint8_t key_len;
	const char *legacy;	/* first legacy word */
};

static int xform_word_apply(struct conf_ctx *x, const config_setting_t *s, struct xf_parse *xp,
			    const char *w)
{
	const struct xform_word *xw = xform_lookup(w);
	char p[128];

	if (!xw)
		return conf_err(x, s, "%s: unknown transform '%s' (esp-gcm, esp-aes, esp-null, "
				"esp-sha-hmac, esp-sha256-hmac; legacy: esp-des, esp-3des, "
				"esp-md5-hmac)", spath(s, p, sizeof(p)), w);
	if (xw->kind == XF_BITS) {
		if (!xp->prev || (xp->prev->alg != SA_CIPHER_AES_GCM16 &&
				  xp->prev->alg != SA_CIPHER_AES_CBC) || xp->prev->kind != XF_ENC)
			return conf_err(x, s, "%s: key size %s only after esp-aes or esp-gcm",
					spath(s, p, sizeof(p)), w);
		xp->key_len = xw->alg;
	} else if (xw->kind == XF_ENC) {
		if (xp->enc)
			return conf_err(x, s, "%s: two encryption transforms (%s, %s)",
					spath(s, p, sizeof(p)), xp->enc->name, w);
		xp->enc = xw;
		xp->key_len = xw->key_len;
	} else {
		if (xp->integ)
			return conf_err(x, s, "%s: two integrity transforms (%s, %s)",
					spath(s, p, sizeof(p)), xp->integ->name, w);
		xp->integ = xw;
	}
	if (xw->legacy && !xp->legacy)
		xp->legacy = xw->name;
	xp->prev = xw;
	return 0;
}

/* RFC 4303 3.2 / RFC 8221 5: confidentiality without integrity is not
 * offered; an AEAD (GCM, RFC 4106) carries its own integrity. */
static int xform_check(struct conf_ctx *x, const config_setting_t *s, const struct xf_parse *xp)
{
	char p[128];

	if (!xp->enc)
		return conf_err(x, s, "%s: no encryption transform (esp-null for none)",
				spath(s, p, sizeof(p)));
	if (xp->enc->alg == SA_CIPHER_AES_GCM16 && xp->integ)
		return conf_err(x, s, "%s: esp-gcm carries its own integrity (RFC 4106): no %s",
				spath(s, p, sizeof(p)), xp->integ->name);
	if (xp->enc->alg != SA_CIPHER_AES_GCM16 && !xp->integ)
		return conf_err(x, s, "%s: %s needs an integrity transform (esp-sha-hmac or "
				"esp-sha256-hmac)", spath(s, p, sizeof(p)), xp->enc->name);
	if (xp->legacy && !ipsec(x)->legacy)
		return conf_err(x, s, "%s: %s is a legacy transform (broken): set "
				"ipsec.legacy = true to allow it", spath(s, p, sizeof(p)),
				xp->legacy);
	return 0;
}

static int tset_load_transforms(struct conf_ctx *x, const config_setting_t *g,
				struct conf_ipsec_tset *t)
{
	const config_setting_t *s = config_setting_get_member(g, "transforms");
	struct xf_parse xp = { 0 };
	char buf[sizeof(t->text)], *save = NULL, *w;

	if (conf_get_str(x, g, "transforms", t->text, sizeof(t->text)) < 0)
		return -1;
	memcpy(buf, t->text, sizeof(buf));
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (xform_word_apply(x, s, &xp, w) < 0)
			return -1;
	if (xform_check(x, s, &xp) < 0)
		return -1;
	t->cipher = xp.enc->alg;
	t->key_len = xp.key_len;
	t->integ = xp.integ ? xp.integ->alg : SA_INTEG_NONE;
	t->legacy = xp.legacy != NULL;
	if (t->legacy)
		ipsec_warn(x, s, "transform set '%s' uses %s: DES, 3DES and MD5 are broken "
			   "(allowed by ipsec.legacy = true); use esp-gcm 256", t->name, xp.legacy);
	return 0;
}

static int tset_load(struct conf_ctx *x, const config_setting_t *g, struct conf_ipsec_tset *t)
{
	const config_setting_t *ms = config_setting_get_member(g, "mode");
	const char *mode = "transport";
	char p[128];

	t->line = (int)config_setting_source_line(g);
	if (conf_check_keys(x, g, tset_keys) < 0 ||
	    ipsec_load_name(x, g, t->name, sizeof(t->name)) < 0 ||
	    tset_load_transforms(x, g, t) < 0 || conf_get_cstr(x, g, "mode", &mode) < 0)
		return -1;
	if (strcmp(mode, "transport") == 0)
		t->mode = SA_MODE_TRANSPORT;
	else if (strcmp(mode, "tunnel") == 0)
		t->mode = SA_MODE_TUNNEL;
	else
		return conf_err(x, ms, "%s: '%s' must be \"transport\" or \"tunnel\"",
				spath(ms, p, sizeof(p)), mode);
	return 0;
}

/* ---- lists -------------------------------------------------------------- */

typedef int (*elem_load_fn)(struct conf_ctx *x, const config_setting_t *g, void *elem,
			    uint32_t idx);

/* Loads a list of groups into a calloc'ed array of n elements of size sz;
 * *count follows the loaded ones so conf_free_ipsec() sees them. */
static int ipsec_load_list(struct conf_ctx *x, const config_setting_t *l, size_t sz,
			   void **arr, uint32_t *count, elem_load_fn fn)
{
	int n = config_setting_length(l);
	char p[128];

	if (!config_setting_is_list(l))
		return conf_err(x, l, "%s: must be a list ( { ... }, ... )", spath(l, p, sizeof(p)));
	if (n == 0)
		return 0;
	*arr = calloc((size_t)n, sz);
	if (!*arr)
		return conf_err(x, l, "%s: out of memory", spath(l, p, sizeof(p)));
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned int)i);

		if (conf_need_group(x, g) < 0 ||
		    fn(x, g, (uint8_t *)*arr + (size_t)i * sz, (uint32_t)i) < 0)
			return -1;
		*count = (uint32_t)i + 1;
	}
	return 0;
}

static int tset_elem(struct conf_ctx *x, const config_setting_t *g, void *e, uint32_t idx)
{
	struct conf_ipsec_tset *t = e;
	char p[128];

	if (tset_load(x, g, t) < 0)
		return -1;
	for (uint32_t i = 0; i < idx; i++)
		if (strcmp(ipsec(x)->tsets[i].name, t->name) == 0)
			return conf_err(x, g, "%s: duplicate transform set '%s' (first at line %d)",
					spath(g, p, sizeof(p)), t->name, ipsec(x)->tsets[i].line);
	return 0;
}

/* ---- profiles ----------------------------------------------------------- */

static int profile_load_replay(struct conf_ctx *x, const config_setting_t *g,
			       struct conf_ipsec_profile *pr)
{
	const config_setting_t *ws = config_setting_get_member(g, "replay_window");
	uint32_t w = IPSEC_WINDOW_DEFAULT;
	int has_w;
	char p[128];

	pr->replay = true;
	if (conf_get_bool(x, g, "replay", &pr->replay) < 0)
		return -1;
	has_w = conf_get_u32(x, g, "replay_window", 0, 4096, &w);
	if (has_w < 0)
		return -1;
	if (!pr->replay) {
		if (has_w && w)
			return conf_err(x, ws, "%s: replay = false turns anti-replay off: no window",
					spath(ws, p, sizeof(p)));
		pr->replay_window = 0;
		ipsec_warn(x, g, "profile '%s': anti-replay off (replay = false): for benchmarks only",
			   pr->name);
		return 0;
	}
	if (w == 0)
		return conf_err(x, ws, "%s: 0 turns anti-replay off: say replay = false "
				"(benchmarks only)", spath(ws, p, sizeof(p)));
	if (w < 64 || (w & (w - 1)))
		return conf_err(x, ws, "%s: %u must be a power of two, 64..4096 (RFC 6479 bitmap)",
				spath(ws, p, sizeof(p)), w);
	pr->replay_window = (uint16_t)w;
	return 0;
}

static int profile_load_udp(struct conf_ctx *x, const config_setting_t *g,
			    struct conf_ipsec_profile *pr)
{
	const config_setting_t *ps = config_setting_get_member(g, "udp_sport");
	char p[128];

	pr->udp_sport = pr->udp_dport = 4500;		/* RFC 3948 2 */
	if (conf_get_bool(x, g, "udp_encap", &pr->udp_encap) < 0 ||
	    conf_get_u16(x, g, "udp_sport", 1, 65535, &pr->udp_sport) < 0 ||
	    conf_get_u16(x, g, "udp_dport", 1, 65535, &pr->udp_dport) < 0)
		return -1;
	if (!ps)
		ps = config_setting_get_member(g, "udp_dport");
	if (ps && !pr->udp_encap)
		return conf_err(x, ps, "%s: UDP ports only with udp_encap = true",
				spath(ps, p, sizeof(p)));
	return 0;
}

static int profile_load_tset(struct conf_ctx *x, const config_setting_t *g,
			     struct conf_ipsec_profile *pr)
{
	const config_setting_t *s = config_setting_get_member(g, "transform_set");
	const char *v;
	char p[128];
	int i;

	if (conf_get_cstr(x, g, "transform_set", &v) < 0)
		return -1;
	i = tset_find(ipsec(x), v);
	if (i < 0)
		return conf_err(x, s, "%s: unknown transform set '%s'", spath(s, p, sizeof(p)), v);
	pr->tset = (uint32_t)i;
	return 0;
}

static int profile_load(struct conf_ctx *x, const config_setting_t *g,
			struct conf_ipsec_profile *pr)
{
	uint32_t secs = 0, kb = 0, pkts = 0, soft = 90;

	pr->line = (int)config_setting_source_line(g);
	if (conf_check_keys(x, g, profile_keys) < 0 ||
	    ipsec_load_name(x, g, pr->name, sizeof(pr->name)) < 0 ||
	    profile_load_tset(x, g, pr) < 0 ||
	    conf_get_u32(x, g, "lifetime_seconds", 1, 86400 * 365, &secs) < 0 ||
	    conf_get_u32(x, g, "lifetime_kilobytes", 1, UINT32_MAX, &kb) < 0 ||
	    conf_get_u32(x, g, "lifetime_packets", 1, UINT32_MAX, &pkts) < 0 ||
	    conf_get_u32(x, g, "soft_percent", 1, 99, &soft) < 0 ||
	    profile_load_replay(x, g, pr) < 0 || conf_get_bool(x, g, "esn", &pr->esn) < 0 ||
	    profile_load_udp(x, g, pr) < 0)
		return -1;
	pr->life_seconds = secs;
	pr->life_kilobytes = kb;
	pr->life_packets = pkts;
	pr->soft_percent = (uint8_t)soft;
	return 0;
}

static int profile_elem(struct conf_ctx *x, const config_setting_t *g, void *e, uint32_t idx)
{
	struct conf_ipsec_profile *pr = e;
	char p[128];

	if (profile_load(x, g, pr) < 0)
		return -1;
	for (uint32_t i = 0; i < idx; i++)
		if (strcmp(ipsec(x)->profiles[i].name, pr->name) == 0)
			return conf_err(x, g, "%s: duplicate profile '%s' (first at line %d)",
					spath(g, p, sizeof(p)), pr->name, ipsec(x)->profiles[i].line);
	return 0;
}

/* ---- the largest packet must fit the tunnel source ---------------------- */

/* Octets on the wire for an inner packet of `mtu` octets with this
 * transform (RFC 4303 2.4 padding to the block, at most block - 1). */
static uint32_t esp_wire_len(const struct conf *c, const struct conf_ipsec_tset *t,
			     const struct conf_ipsec_profile *pr, uint32_t mtu)
{
	static const uint8_t iv[] = { [SA_CIPHER_NULL] = 0, [SA_CIPHER_AES_CBC] = 16,
		[SA_CIPHER_AES_GCM16] = 8, [SA_CIPHER_DES_CBC] = 8, [SA_CIPHER_3DES_CBC] = 8 };
	static const uint8_t blk[] = { [SA_CIPHER_NULL] = 4, [SA_CIPHER_AES_CBC] = 16,
		[SA_CIPHER_AES_GCM16] = 4, [SA_CIPHER_DES_CBC] = 8, [SA_CIPHER_3DES_CBC] = 8 };
	static const uint8_t icv[] = { [SA_INTEG_NONE] = 16, [SA_INTEG_HMAC_SHA1_96] = 12,
		[SA_INTEG_HMAC_SHA256_128] = 16, [SA_INTEG_HMAC_MD5_96] = 12 };
	uint32_t gre = c->tunnel.has_key ? 8 : 4;
	uint32_t prot = mtu + gre + (t->mode == SA_MODE_TUNNEL ? 20 : 0);
	uint32_t b = blk[t->cipher];
	uint32_t padded = (prot + 2 + b - 1) / b * b;

	return 20 + (pr->udp_encap ? 8 : 0) + 8 + iv[t->cipher] + padded + icv[t->integ];
}

static int ipsec_check_mtu(struct conf_ctx *x, const config_setting_t *s, uint32_t prof)
{
	const struct conf *c = x->c;
	const struct conf_ipsec_profile *pr = &ipsec(x)->profiles[prof];
	const struct conf_ipsec_tset *t = &ipsec(x)->tsets[pr->tset];
	const struct conf_iface *f = &c->ifaces[c->tunnel.source];
	uint32_t m = c->tunnel.mtu;
	char p[128];

	if (esp_wire_len(c, t, pr, m) <= f->mtu)
		return 0;
	while (m > 0 && esp_wire_len(c, t, pr, m) > f->mtu)
		m--;
	return conf_err(x, s, "%s: profile '%s' (%s, %s%s): tunnel.mtu %u makes %u-octet "
			"packets on '%s' (mtu %u): tunnel.mtu at most %u", spath(s, p, sizeof(p)),
			pr->name, t->text, t->mode == SA_MODE_TUNNEL ? "tunnel mode" : "transport",
			pr->udp_encap ? ", UDP" : "", c->tunnel.mtu,
			esp_wire_len(c, t, pr, c->tunnel.mtu), f->name, f->mtu, m);
}

/* ---- manual SAs --------------------------------------------------------- */

/* The peer must be reachable on the underlay: a public subnet, a public
 * interface's gateway (default route) or an underlay route. */
static bool peer_routed(const struct conf *c, uint32_t peer)
{
	for (uint32_t i = 0; i < c->n_ifaces; i++) {
		const struct conf_iface *f = &c->ifaces[i];

		if (f->role == PORT_ROLE_PUBLIC && f->addr &&
		    (f->gateway || prefix_contains(f->addr, f->plen, peer)))
			return true;
	}
	for (uint32_t i = 0; i < c->n_routes; i++) {
		const struct conf_route *r = &c->routes[i];

		if (r->table == RT_UNDERLAY && prefix_contains(r->prefix, r->plen, peer))
			return true;
	}
	return false;
}

static int sa_load_peer(struct conf_ctx *x, const config_setting_t *g, struct conf_ipsec_sa *sa)
{
	const config_setting_t *s = config_setting_get_member(g, "peer");
	const struct conf *c = x->c;
	char p[128], a[ADDR_STRLEN];

	if (conf_get_addr(x, g, "peer", &sa->peer) < 0)
		return -1;
	if (!conf_addr_unicast(sa->peer))
		return conf_err(x, s, "%s: %s is not a unicast NBMA address", spath(s, p, sizeof(p)),
				addr_fmt(sa->peer, a));
	for (uint32_t i = 0; i < c->n_ifaces; i++)
		if (c->ifaces[i].addr == sa->peer)
			return conf_err(x, s, "%s: %s is our own address", spath(s, p, sizeof(p)),
					addr_fmt(sa->peer, a));
	if (!peer_routed(c, sa->peer))
		return conf_err(x, s, "%s: %s is outside every underlay route (no public "
				"interface subnet, gateway or underlay route reaches it)",
				spath(s, p, sizeof(p)), addr_fmt(sa->peer, a));
	return 0;
}

static int sa_load_profile(struct conf_ctx *x, const config_setting_t *g,
			   struct conf_ipsec_sa *sa)
{
	const config_setting_t *s = config_setting_get_member(g, "profile");
	const char *v = x->c->tunnel.protection;
	char p[128];
	int i;

	if (conf_get_cstr(x, g, "profile", &v) < 0)
		return -1;
	i = profile_find(ipsec(x), v);
	if (i < 0)
		return conf_err(x, s ? s : g, "%s: unknown profile '%s'", spath(s ? s : g, p, sizeof(p)),
				v);
	sa->profile = (uint32_t)i;
	return ipsec_check_mtu(x, s ? s : g, sa->profile);
}

static int sa_load_spi(struct conf_ctx *x, const config_setting_t *g, const char *name,
		       uint32_t *spi)
{
	return conf_get_u32(x, g, name, IPSEC_SPI_MIN, UINT32_MAX, spi) < 0 ? -1 : 0;
}

/* One key setting: present iff `want` octets are needed, exactly that many
 * hex octets; the string in the tree is wiped once read. */
static int sa_load_key(struct conf_ctx *x, const config_setting_t *g, const char *name,
		       uint8_t *out, size_t cap, size_t want, const char *what)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;
	char p[128];
	int n;

	if (!s && want == 0)
		return 0;
	if (!s)
		return conf_err(x, g, "%s: missing '%s' (%zu octets: %s)", spath(g, p, sizeof(p)),
				name, want, what);
	if (want == 0)
		return conf_err(x, s, "%s: the transform takes no such key", spath(s, p, sizeof(p)));
	if (conf_get_cstr(x, g, name, &v) < 0)
		return -1;
	n = hex_decode(v, out, cap);
	conf_setting_wipe(s);
	if (n < 0)
		return conf_err(x, s, "%s: not hex (an even number of 0-9 a-f digits, 0x allowed)",
				spath(s, p, sizeof(p)));
	if ((size_t)n != want)
		return conf_err(x, s, "%s: %d octets, the transform needs %zu (%s)",
				spath(s, p, sizeof(p)), n, want, what);
	return 0;
}

/* RFC 2451 2.3: K1 = K2 or K2 = K3 is single DES in disguise. */
static int sa_check_3des(struct conf_ctx *x, const config_setting_t *g, const char *name,
			 const uint8_t *k)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char p[128];

	if (memcmp(k, k + 8, 8) && memcmp(k + 8, k + 16, 8))
		return 0;
	return conf_err(x, s, "%s: 3DES key with K1 = K2 or K2 = K3 is single DES (RFC 2451 2.3)",
			spath(s, p, sizeof(p)));
}

static int sa_load_keys(struct conf_ctx *x, const config_setting_t *g, struct conf_ipsec_sa *sa)
{
	const struct conf_ipsec *ip = ipsec(x);
	const struct conf_ipsec_tset *t = &ip->tsets[ip->profiles[sa->profile].tset];
	static const uint8_t auth_len[] = { [SA_INTEG_NONE] = 0, [SA_INTEG_HMAC_SHA1_96] = 20,
		[SA_INTEG_HMAC_SHA256_128] = 32, [SA_INTEG_HMAC_MD5_96] = 16 };
	bool gcm = t->cipher == SA_CIPHER_AES_GCM16;
	char what[96];

	sa->key_len = (uint8_t)(t->key_len + (gcm ? GCM_SALT_LEN : 0));
	sa->auth_len = auth_len[t->integ];
	if (gcm)
		snprintf(what, sizeof(what), "%s: %u-octet key + 4-octet salt", t->text, t->key_len);
	else
		snprintf(what, sizeof(what), "%s", t->text);
	if (sa_load_key(x, g, "cipher_key_in", sa->key_in, sizeof(sa->key_in), sa->key_len, what) < 0 ||
	    sa_load_key(x, g, "cipher_key_out", sa->key_out, sizeof(sa->key_out), sa->key_len, what) < 0 ||
	    sa_load_key(x, g, "auth_key_in", sa->auth_in, sizeof(sa->auth_in), sa->auth_len, t->text) < 0 ||
	    sa_load_key(x, g, "auth_key_out", sa->auth_out, sizeof(sa->auth_out), sa->auth_len, t->text) < 0)
		return -1;
	if (t->cipher == SA_CIPHER_3DES_CBC &&
	    (sa_check_3des(x, g, "cipher_key_in", sa->key_in) < 0 ||
	     sa_check_3des(x, g, "cipher_key_out", sa->key_out) < 0))
		return -1;
	return 0;
}

static int sa_load(struct conf_ctx *x, const config_setting_t *g, struct conf_ipsec_sa *sa)
{
	sa->line = (int)config_setting_source_line(g);
	if (conf_check_keys(x, g, sa_keys) < 0 || sa_load_peer(x, g, sa) < 0 ||
	    sa_load_profile(x, g, sa) < 0 || sa_load_spi(x, g, "spi_in", &sa->spi_in) < 0 ||
	    sa_load_spi(x, g, "spi_out", &sa->spi_out) < 0 || sa_load_keys(x, g, sa) < 0 ||
	    ipsec_get_u64(x, g, "seq_out_start", &sa->seq_out_start) < 0 ||
	    ipsec_get_u64(x, g, "seq_in_start", &sa->seq_in_start) < 0)
		return -1;
	return 0;
}

static int sa_elem(struct conf_ctx *x, const config_setting_t *g, void *e, uint32_t idx)
{
	struct conf_ipsec_sa *sa = e;

	(void)idx;
	if (sa_load(x, g, sa) < 0) {
		explicit_bzero(sa, sizeof(*sa));	/* not counted in n_sas yet */
		return -1;
	}
	return 0;
}

/* Duplicates (a second SA for a peer, a second use of an inbound SPI) by
 * sorting, not by comparing every pair: a hub's file may hold 100 000 SAs. */
struct sa_key {
	uint32_t v, idx;
};

static int sa_key_cmp(const void *a, const void *b)
{
	const struct sa_key *x = a, *y = b;

	if (x->v != y->v)
		return x->v < y->v ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* first[i] = index of the first SA with the same key as SA i, or i. */
static int sa_first_same(const struct conf_ipsec *ip, bool by_spi, uint32_t *first)
{
	struct sa_key *k = malloc(sizeof(*k) * (ip->n_sas ? ip->n_sas : 1));

	if (!k)
		return -1;
	for (uint32_t i = 0; i < ip->n_sas; i++)
		k[i] = (struct sa_key){ by_spi ? ip->sas[i].spi_in : ip->sas[i].peer, i };
	qsort(k, ip->n_sas, sizeof(*k), sa_key_cmp);
	for (uint32_t i = 0, head = 0; i < ip->n_sas; i++) {
		if (i && k[i].v != k[i - 1].v)
			head = i;
		first[k[i].idx] = k[head].idx;
	}
	free(k);
	return 0;
}

static int sa_dups(struct conf_ctx *x, const config_setting_t *l)
{
	const struct conf_ipsec *ip = ipsec(x);
	uint32_t *fp = malloc(sizeof(*fp) * 2 * (ip->n_sas ? ip->n_sas : 1)), *fs;
	char p[128], a[ADDR_STRLEN];
	int rc = 0;

	if (!fp || sa_first_same(ip, false, fp) < 0 ||
	    sa_first_same(ip, true, fs = fp + ip->n_sas) < 0) {
		free(fp);
		return conf_err(x, l, "ipsec.sa: out of memory");
	}
	/* the first offending SA in file order, reported as a pairwise scan
	 * would: against the earliest SA it repeats, the peer first */
	for (uint32_t i = 0; i < ip->n_sas && !rc; i++) {
		const config_setting_t *g = config_setting_get_elem(l, i);
		const struct conf_ipsec_sa *sa = &ip->sas[i];

		if (fp[i] != i && (fs[i] == i || fp[i] <= fs[i]))
			rc = conf_err(x, g, "%s: second SA for peer %s (first at line %d)",
				      spath(g, p, sizeof(p)), addr_fmt(sa->peer, a),
				      ip->sas[fp[i]].line);
		else if (fs[i] != i)
			rc = conf_err(x, config_setting_get_member(g, "spi_in"),
				      "%s.spi_in: duplicate SPI 0x%08x (first at line %d)",
				      spath(g, p, sizeof(p)), sa->spi_in, ip->sas[fs[i]].line);
	}
	free(fp);
	return rc;
}

/* ---- the section -------------------------------------------------------- */

/* tunnel.protection without this section: it names nothing. */
static int ipsec_protection_absent(struct conf_ctx *x)
{
	const struct conf_tunnel *t = &x->c->tunnel;

	if (!t->present || !t->protection[0])
		return 0;
	snprintf(x->err->file, sizeof(x->err->file), "%s", x->name);
	x->err->line = t->line;
	snprintf(x->err->msg, sizeof(x->err->msg),
		 "tunnel.protection: unknown profile '%s' (no ipsec section)", t->protection);
	return -1;
}

/* tunnel.protection names a profile; manual SAs need it (IOS: nothing is
 * protected without `tunnel protection ipsec profile`). */
static int ipsec_load_protection(struct conf_ctx *x, const config_setting_t *s)
{
	const config_setting_t *root = config_setting_parent(s);
	const config_setting_t *tun = root ? config_setting_get_member(root, "tunnel") : NULL;
	const config_setting_t *ps = tun ? config_setting_get_member(tun, "protection") : NULL;
	const config_setting_t *sl = config_setting_get_member(s, "sa");
	struct conf_ipsec *ip = ipsec(x);
	const struct conf_tunnel *t = &x->c->tunnel;
	char p[128];

	ip->protection = -1;
	if (t->present && t->protection[0]) {
		ip->protection = profile_find(ip, t->protection);
		if (ip->protection < 0)
			return conf_err(x, ps, "%s: unknown profile '%s'", spath(ps, p, sizeof(p)),
					t->protection);
		return ipsec_check_mtu(x, ps, (uint32_t)ip->protection);
	}
	if (sl && config_setting_length(sl) > 0)
		return conf_err(x, sl, "ipsec.sa: manual SAs need tunnel.protection (tunnel "
				"protection ipsec profile)");
	return 0;
}

static int ipsec_load_lists(struct conf_ctx *x, const config_setting_t *s)
{
	struct conf_ipsec *ip = ipsec(x);
	const config_setting_t *l;

	if ((l = config_setting_get_member(s, "transform_set")) &&
	    ipsec_load_list(x, l, sizeof(*ip->tsets), (void **)&ip->tsets, &ip->n_tsets,
			    tset_elem) < 0)
		return -1;
	if ((l = config_setting_get_member(s, "profile")) &&
	    ipsec_load_list(x, l, sizeof(*ip->profiles), (void **)&ip->profiles,
			    &ip->n_profiles, profile_elem) < 0)
		return -1;
	if (ipsec_load_protection(x, s) < 0)
		return -1;
	if ((l = config_setting_get_member(s, "sa")) &&
	    (ipsec_load_list(x, l, sizeof(*ip->sas), (void **)&ip->sas, &ip->n_sas, sa_elem) < 0 ||
	     sa_dups(x, l) < 0))
		return -1;
	return 0;
}

int conf_load_ipsec(struct conf_ctx *x, const config_setting_t *s)
{
	struct conf_ipsec *ip;

	if (!s)
		return ipsec_protection_absent(x);
	if (conf_need_group(x, s) < 0 || conf_check_keys(x, s, ipsec_keys) < 0)
		return -1;
	ip = x->c->ipsec = calloc(1, sizeof(*ip));
	if (!ip)
		return conf_err(x, s, "ipsec: out of memory");
	ip->switch_timeout_ms = IPSEC_SWITCH_DEFAULT_MS;
	ip->drain_ms = IPSEC_DRAIN_DEFAULT_MS;
	if (conf_get_bool(x, s, "legacy", &ip->legacy) < 0 ||
	    conf_get_u32(x, s, "switch_timeout_ms", 0, 3600000, &ip->switch_timeout_ms) < 0 ||
	    conf_get_u32(x, s, "drain_ms", 0, 3600000, &ip->drain_ms) < 0)
		return -1;
	return ipsec_load_lists(x, s);
}

void conf_free_ipsec(struct conf *c)
{
	struct conf_ipsec *ip = c->ipsec;

	if (!ip)
		return;
	if (ip->sas)
		explicit_bzero(ip->sas, sizeof(*ip->sas) * ip->n_sas);
	free(ip->sas);
	free(ip->profiles);
	free(ip->tsets);
	explicit_bzero(ip, sizeof(*ip));
	free(ip);
	c->ipsec = NULL;
}
