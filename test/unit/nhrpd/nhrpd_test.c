/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake world of the NHRP engine tests (nhrpd_test.h). */
#include "nhrpd_test.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct loop *the_loop;

struct loop *tloop(void)
{
	if (!the_loop)
		the_loop = loop_new();
	ck_assert_ptr_nonnull(the_loop);
	return the_loop;
}

void tclock(uint64_t ms)
{
	loop_clock_advance(ms);
	/* timers armed for "now" by a callback run in the next round */
	for (int i = 0; i < 8; i++)
		loop_run_once(tloop(), 0);
}

uint32_t ip(const char *s)
{
	struct in_addr a;

	ck_assert_msg(inet_pton(AF_INET, s, &a) == 1, "bad address %s", s);
	return a.s_addr;
}

void tconf(struct nhrp_if_conf *ic, const char *nbma, const char *proto, uint16_t mtu,
	   uint16_t hold, const char *auth)
{
	memset(ic, 0, sizeof(*ic));
	ic->network_id = 1;
	ic->nbma = ip(nbma);
	ic->proto = ip(proto);
	ic->plen = 24;
	ic->mtu = mtu;
	ic->holdtime = hold;
	if (auth) {
		ic->auth_len = (uint8_t)strlen(auth);
		memcpy(ic->auth, auth, ic->auth_len);
	}
}

void tconf_nhs(struct nhrp_if_conf *ic, const char *proto, const char *nbma)
{
	ck_assert_uint_lt(ic->n_nhs, NHRP_MAX_NHS);
	ic->nhs[ic->n_nhs].proto = ip(proto);
	ic->nhs[ic->n_nhs].nbma = ip(nbma);
	ic->n_nhs++;
}

/* ---- the fake nhrp_io ---- */

/* Every packet an engine sends: it must decode, with a good checksum and
 * a hop count other than 0. */
static int t_send(void *arg, uint8_t tunnel, uint32_t nbma, uint16_t port, const uint8_t *pkt,
		  size_t len)
{
	struct tnode *t = arg;
	struct nhrp_msg *m = malloc(sizeof(*m));
	struct nhrp_parse_err err;
	struct tsent *s;

	ck_assert_ptr_nonnull(m);
	ck_assert_msg(nhrp_parse(pkt, len, m, &err) == 0, "%s sent an undecodable packet: %s",
		      t->name, nhrp_perr_name(err.reason));
	ck_assert(m->cksum_ok);
	ck_assert_msg(m->hopcnt != 0, "%s sent %s with hop count 0", t->name,
		      nhrp_type_name(m->type));
	ck_assert_uint_eq(m->pktsz, len);
	ck_assert_uint_le(len, NHRP_FRAME_MAX);
	if (t->send_err) {
		free(m);
		return t->send_err;
	}
	ck_assert_msg(t->n_sent < T_MAX_SENT, "%s: too many packets queued", t->name);
	s = &t->sent[t->n_sent++];
	s->tunnel = tunnel;
	s->nbma = nbma;
	s->port = port;
	s->type = m->type;
	s->len = len;
	memcpy(s->pkt, pkt, len);
	t->total_sent++;
	free(m);
	return 0;
}

static struct tpeer *t_peer_slot(struct tnode *t, uint32_t proto, bool create)
{
	struct tpeer *free_slot = NULL;

	for (unsigned int i = 0; i < T_MAX_PEERS; i++) {
		if (t->peers[i].present && t->peers[i].p.proto == proto)
			return &t->peers[i];
		if (!t->peers[i].present && !free_slot)
			free_slot = &t->peers[i];
	}
	return create ? free_slot : NULL;
}

static void t_peer_set(void *arg, const struct nhrp_peer *p)
{
	struct tnode *t = arg;
	struct tpeer *s = t_peer_slot(t, p->proto, true);

	ck_assert_ptr_nonnull(s);
	s->present = true;
	s->p = *p;
	t->peer_sets++;
}

static void t_peer_del(void *arg, uint8_t tunnel, uint32_t proto)
{
	struct tnode *t = arg;
	struct tpeer *s = t_peer_slot(t, proto, false);

	(void)tunnel;
	ck_assert_msg(s != NULL, "%s: peer_del of a peer never set", t->name);
	s->present = false;
	t->peer_dels++;
}

static void t_route_set(void *arg, uint8_t tunnel, uint32_t prefix, uint8_t plen, uint32_t via)
{
	struct tnode *t = arg;

	(void)tunnel;
	for (unsigned int i = 0; i < T_MAX_ROUTES; i++) {
		struct troute *r = &t->routes[i];

		if (!r->present || (r->prefix == prefix && r->plen == plen)) {
			*r = (struct troute){ .present = true, .prefix = prefix, .plen = plen,
					      .via = via };
			t->route_sets++;
			return;
		}
	}
	ck_abort_msg("route table full");
}

static void t_route_del(void *arg, uint8_t tunnel, uint32_t prefix, uint8_t plen)
{
	struct tnode *t = arg;

	(void)tunnel;
	for (unsigned int i = 0; i < T_MAX_ROUTES; i++) {
		struct troute *r = &t->routes[i];

		if (r->present && r->prefix == prefix && r->plen == plen) {
			r->present = false;
			t->route_dels++;
			return;
		}
	}
	ck_abort_msg("route_del of a route never set");
}

static uint32_t t_mask(uint8_t plen)
{
	return plen ? htonl(~0u << (32 - plen)) : 0;
}

static bool t_route_lookup(void *arg, uint8_t tunnel, uint32_t dst, struct nhrp_route *out)
{
	struct tnode *t = arg;
	const struct tlookup *best = NULL;

	(void)tunnel;
	for (unsigned int i = 0; i < t->n_rt; i++) {
		const struct tlookup *r = &t->rt[i];

		if ((dst & t_mask(r->plen)) == r->prefix && (!best || r->plen > best->plen))
			best = r;
	}
	if (!best)
		return false;
	*out = (struct nhrp_route){ .kind = best->kind, .plen = best->plen,
				    .prefix = best->prefix, .via = best->via };
	return best->kind != NHRP_ROUTE_NONE;
}

static uint64_t t_use_stamp(void *arg, uint8_t tunnel, uint32_t proto)
{
	struct tnode *t = arg;

	(void)tunnel;
	for (unsigned int i = 0; i < T_MAX_STAMPS; i++)
		if (t->stamps[i].proto == proto)
			return t->stamps[i].stamp;
	return 0;
}

static void t_nhs_changed(void *arg, uint8_t tunnel, uint32_t nhs, bool up)
{
	struct tnode *t = arg;

	(void)tunnel;
	t->nhs_last_proto = nhs;
	t->nhs_last_up = up;
	t->nhs_changes++;
}

struct tnode *tnode_new(const char *name, const struct nhrp_if_conf *ic)
{
	struct tnode *t = calloc(1, sizeof(*t));
	struct nhrp_io io = {
		.send = t_send, .peer_set = t_peer_set, .peer_del = t_peer_del,
		.route_set = t_route_set, .route_del = t_route_del,
		.route_lookup = t_route_lookup, .use_stamp = t_use_stamp,
		.nhs_changed = t_nhs_changed,
	};

	ck_assert_ptr_nonnull(t);
	t->sent = calloc(T_MAX_SENT, sizeof(*t->sent));
	ck_assert_ptr_nonnull(t->sent);
	t->name = name;
	t->ic = *ic;
	io.arg = t;
	t->n = nhrp_new(tloop(), &io);
	ck_assert_ptr_nonnull(t->n);
	ck_assert_int_eq(nhrp_if_set(t->n, 0, ic), 0);
	return t;
}

void tnode_free(struct tnode *t)
{
	if (!t)
		return;
	nhrp_free(t->n);
	free(t->sent);
	free(t);
}

void tnode_route(struct tnode *t, const char *prefix, enum nhrp_route_kind kind, const char *via)
{
	char buf[32], *slash;
	struct tlookup *r;

	ck_assert_uint_lt(t->n_rt, T_MAX_ROUTES);
	r = &t->rt[t->n_rt++];
	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	r->plen = (uint8_t)atoi(slash + 1);
	r->prefix = ip(buf) & t_mask(r->plen);
	r->kind = (uint8_t)kind;
	r->via = via ? ip(via) : 0;
}

void tnode_stamp(struct tnode *t, const char *proto, uint64_t stamp)
{
	uint32_t a = ip(proto);

	for (unsigned int i = 0; i < T_MAX_STAMPS; i++) {
		if (t->stamps[i].proto == a || !t->stamps[i].proto) {
			t->stamps[i].proto = a;
			t->stamps[i].stamp = stamp;
			return;
		}
	}
	ck_abort_msg("stamp table full");
}

void tnode_recv(struct tnode *t, const char *src_nbma, const uint8_t *pkt, size_t len)
{
	nhrp_recv(t->n, 0, ip(src_nbma), 0, pkt, len);
}

void tnode_recv_frame(struct tnode *t, const char *src_nbma, const struct nhrp_frame *f)
{
	tnode_recv(t, src_nbma, f->data, f->len);
}

unsigned int tnode_count(const struct tnode *t, int type)
{
	unsigned int k = 0;

	for (unsigned int i = 0; i < t->n_sent; i++)
		if (!type || t->sent[i].type == type)
			k++;
	return k;
}

bool tnode_take(struct tnode *t, int type, struct tsent *out)
{
	for (unsigned int i = 0; i < t->n_sent; i++) {
		if (type && t->sent[i].type != type)
			continue;
		if (out)
			*out = t->sent[i];
		memmove(&t->sent[i], &t->sent[i + 1], sizeof(*t->sent) * (t->n_sent - i - 1));
		t->n_sent--;
		return true;
	}
	return false;
}

void tnode_clear(struct tnode *t)
{
	t->n_sent = 0;
}

void tparse(const struct tsent *s, struct nhrp_msg *m)
{
	struct nhrp_parse_err err;

	ck_assert_msg(nhrp_parse(s->pkt, s->len, m, &err) == 0, "parse: %s",
		      nhrp_perr_name(err.reason));
	ck_assert(m->cksum_ok);
}

const struct tpeer *tnode_peer(const struct tnode *t, const char *proto)
{
	uint32_t a = ip(proto);

	for (unsigned int i = 0; i < T_MAX_PEERS; i++)
		if (t->peers[i].present && t->peers[i].p.proto == a)
			return &t->peers[i];
	return NULL;
}

const struct troute *tnode_rt(const struct tnode *t, const char *prefix)
{
	char buf[32], *slash;
	uint32_t a;
	uint8_t plen;

	snprintf(buf, sizeof(buf), "%s", prefix);
	slash = strchr(buf, '/');
	ck_assert_ptr_nonnull(slash);
	*slash = '\0';
	plen = (uint8_t)atoi(slash + 1);
	a = ip(buf) & t_mask(plen);
	for (unsigned int i = 0; i < T_MAX_ROUTES; i++)
		if (t->routes[i].present && t->routes[i].prefix == a && t->routes[i].plen == plen)
			return &t->routes[i];
	return NULL;
}

/* Show output with every hh:mm:ss replaced by "hh:mm:ss" (malloc'ed):
 * tests must not depend on how long they took. */
char *tmask_times(const char *s)
{
	char *o = strdup(s ? s : "");

	ck_assert_ptr_nonnull(o);
	for (char *p = o; p[0] && p[1]; p++) {
		if (strlen(p) >= 8 && p[2] == ':' && p[5] == ':' && strspn(p, "0123456789:") >= 8) {
			memcpy(p, "hh:mm:ss", 8);
			p += 7;
		}
	}
	return o;
}

/* ---- a wire ---- */

unsigned int tnet_run(struct tnet *net)
{
	unsigned int k = 0;
	bool moved = true;

	while (moved) {
		moved = false;
		for (unsigned int i = 0; i < net->n; i++) {
			struct tnode *src = net->nodes[i];
			struct tsent s;

			while (tnode_take(src, 0, &s)) {
				moved = true;
				ck_assert_uint_lt(k++, 10000);
				for (unsigned int d = 0; d < net->n; d++) {
					if (net->nodes[d]->ic.nbma != s.nbma || net->drop_to[d] ||
					    net->drop_to[i])
						continue;
					net->delivered[s.type]++;
					nhrp_recv(net->nodes[d]->n, 0, src->ic.nbma, 0, s.pkt, s.len);
				}
			}
		}
	}
	return k;
}

/* ---- packet builders ---- */

static void tbuild_auth(struct nhrp_msg *m, const char *auth, uint8_t *val)
{
	int alen;

	if (!auth)
		return;
	alen = nhrp_cisco_auth_encode(val, auth, strlen(auth));
	ck_assert_int_gt(alen, 0);
	nhrp_msg_add_ext_raw(m, NHRP_EXT_AUTHENTICATION, true, val, (uint16_t)alen);
}

size_t tbuild_reg(uint8_t *out, const char *src_nbma, const char *src, const char *dst,
		  uint32_t reqid, uint16_t flags, uint16_t hold, const char *auth,
		  const char *nat_nbma, const char *nat_proto)
{
	static struct nhrp_msg m;
	uint32_t a[5] = { ip(src_nbma), ip(src), ip(dst), nat_nbma ? ip(nat_nbma) : 0,
			  nat_proto ? ip(nat_proto) : 0 };
	struct nhrp_addr an = NHRP_ADDR(&a[0], 4), as = NHRP_ADDR(&a[1], 4), ad = NHRP_ADDR(&a[2], 4);
	uint8_t val[NHRP_CISCO_AUTH_MAX];
	struct nhrp_ext *nat;
	int n;

	nhrp_msg_init(&m, NHRP_REGISTRATION_REQUEST, &an, &as, &ad);
	m.flags = flags;
	m.reqid = reqid;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 32, .mtu = 1514, .holdtime = hold });
	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER_ADDRESS, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_REVERSE_TRANSIT, true);
	tbuild_auth(&m, auth, val);
	nat = nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDRESS, false);
	if (nat_nbma)
		nhrp_ext_add_cie(nat, &(struct nhrp_cie){ .prefix_len = 32, .mtu = 1514,
							 .nbma = NHRP_ADDR(&a[3], 4),
							 .proto = NHRP_ADDR(&a[4], 4) });
	n = nhrp_build(&m, out, NHRP_FRAME_MAX);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

size_t tbuild_res(uint8_t *out, const char *src_nbma, const char *src, const char *dst,
		  uint32_t reqid, uint8_t hop, const char *auth, const char *fwd_nbma,
		  const char *fwd_proto)
{
	static struct nhrp_msg m;
	uint32_t a[5] = { ip(src_nbma), ip(src), ip(dst), fwd_nbma ? ip(fwd_nbma) : 0,
			  fwd_proto ? ip(fwd_proto) : 0 };
	struct nhrp_addr an = NHRP_ADDR(&a[0], 4), as = NHRP_ADDR(&a[1], 4), ad = NHRP_ADDR(&a[2], 4);
	uint8_t val[NHRP_CISCO_AUTH_MAX];
	struct nhrp_ext *fwd;
	int n;

	nhrp_msg_init(&m, NHRP_RESOLUTION_REQUEST, &an, &as, &ad);
	m.hopcnt = hop;
	m.flags = 0xc802;
	m.reqid = reqid;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .mtu = 1514, .holdtime = 7200 });
	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER_ADDRESS, true);
	fwd = nhrp_msg_add_ext(&m, NHRP_EXT_FORWARD_TRANSIT, true);
	if (fwd_nbma)
		nhrp_ext_add_cie(fwd, &(struct nhrp_cie){ .mtu = 1514, .holdtime = 7200,
							 .nbma = NHRP_ADDR(&a[3], 4),
							 .proto = NHRP_ADDR(&a[4], 4) });
	nhrp_msg_add_ext(&m, NHRP_EXT_REVERSE_TRANSIT, true);
	tbuild_auth(&m, auth, val);
	nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDRESS, false);
	n = nhrp_build(&m, out, NHRP_FRAME_MAX);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* ---- captures and comparison ---- */

int tload(const char *name, struct nhrp_frame *frames, size_t max)
{
	char rel[128], path[512];
	int n;

	snprintf(rel, sizeof(rel), "tcpdump/%s", name);
	n = nhrp_pcap_load(nhrp_testdata(rel, path, sizeof(path)), frames, max);
	ck_assert_msg(n > 0, "no NHRP frame in %s", path);
	return n;
}

void tcheck_addr(const struct nhrp_addr *a, const char *want)
{
	char txt[INET_ADDRSTRLEN];

	if (!want) {
		ck_assert_uint_eq(a->len, 0);
		return;
	}
	ck_assert_uint_eq(a->len, 4);
	ck_assert_str_eq(inet_ntop(AF_INET, a->p, txt, sizeof(txt)), want);
}

static void tcompare_addr(const struct nhrp_addr *g, const struct nhrp_addr *w, const char *what)
{
	ck_assert_msg(g->len == w->len, "%s: length %u, want %u", what, g->len, w->len);
	ck_assert_msg(g->len == 0 || memcmp(g->p, w->p, g->len) == 0, "%s differs", what);
}

static void tcompare_cie(const struct nhrp_cie *g, const struct nhrp_cie *w, const char *what)
{
	ck_assert_msg(g->code == w->code, "%s: code %u, want %u", what, g->code, w->code);
	ck_assert_msg(g->prefix_len == w->prefix_len, "%s: prefix %u, want %u", what,
		      g->prefix_len, w->prefix_len);
	ck_assert_msg(g->mtu == w->mtu, "%s: MTU %u, want %u", what, g->mtu, w->mtu);
	ck_assert_msg(g->holdtime == w->holdtime, "%s: holdtime %u, want %u", what, g->holdtime,
		      w->holdtime);
	ck_assert_msg(g->pref == w->pref && g->unused == w->unused, "%s: pref/unused", what);
	ck_assert_msg(g->nbma_tl_type == w->nbma_tl_type, "%s: NBMA type", what);
	tcompare_addr(&g->nbma, &w->nbma, what);
	tcompare_addr(&g->nbma_sub, &w->nbma_sub, what);
	tcompare_addr(&g->proto, &w->proto, what);
}

static void tcompare_ext(const struct nhrp_ext *g, const struct nhrp_ext *w, unsigned int i)
{
	char what[64];

	snprintf(what, sizeof(what), "extension %u (type %u)", i, w->type);
	ck_assert_msg(g->type == w->type, "%s: type %u", what, g->type);
	ck_assert_msg(g->compulsory == w->compulsory, "%s: compulsory bit", what);
	ck_assert_msg(g->val.len == w->val.len, "%s: length %u, want %u", what, g->val.len,
		      w->val.len);
	ck_assert_msg(g->ncies == w->ncies, "%s: %u CIEs, want %u", what, g->ncies, w->ncies);
	for (unsigned int k = 0; k < w->ncies; k++)
		tcompare_cie(&g->cies[k], &w->cies[k], what);
	if (!w->has_cies)
		ck_assert_msg(memcmp(g->val.p, w->val.p, w->val.len) == 0, "%s: value", what);
}

void tcompare(const struct nhrp_msg *got, const struct nhrp_msg *want, bool ids)
{
	ck_assert_uint_eq(got->afn, want->afn);
	ck_assert_uint_eq(got->pro_type, want->pro_type);
	ck_assert_msg(got->hopcnt == want->hopcnt, "hop count %u, want %u", got->hopcnt,
		      want->hopcnt);
	ck_assert_uint_eq(got->version, want->version);
	ck_assert_msg(got->type == want->type, "type %u, want %u", got->type, want->type);
	ck_assert_msg(got->flags == want->flags, "flags 0x%04x, want 0x%04x", got->flags,
		      want->flags);
	if (want->type == NHRP_ERROR_INDICATION) {
		ck_assert_uint_eq(got->error.code, want->error.code);
		ck_assert_uint_eq(got->error.offset, want->error.offset);
	} else if (want->type == NHRP_TRAFFIC_INDICATION) {
		ck_assert_uint_eq(got->traffic.code, want->traffic.code);
		ck_assert_uint_eq(got->traffic.unused, want->traffic.unused);
	} else if (ids) {
		ck_assert_msg(got->reqid == want->reqid, "request id %u, want %u", got->reqid,
			      want->reqid);
	}
	tcompare_addr(&got->src_nbma, &want->src_nbma, "source NBMA");
	tcompare_addr(&got->src_proto, &want->src_proto, "source protocol");
	tcompare_addr(&got->dst_proto, &want->dst_proto, "destination protocol");
	ck_assert_msg(got->ncies == want->ncies, "%u CIEs, want %u", got->ncies, want->ncies);
	for (unsigned int i = 0; i < want->ncies; i++)
		tcompare_cie(&got->cies[i], &want->cies[i], "CIE");
	ck_assert_uint_eq(got->payload.len, want->payload.len);
	ck_assert(!want->payload.len || memcmp(got->payload.p, want->payload.p, want->payload.len) == 0);
	ck_assert_msg(got->ext_part == want->ext_part, "extension part");
	ck_assert_msg(got->extoff == want->extoff, "extoff %u, want %u", got->extoff, want->extoff);
	ck_assert_msg(got->nexts == want->nexts, "%u extensions, want %u", got->nexts,
		      want->nexts);
	for (unsigned int i = 0; i < want->nexts; i++)
		tcompare_ext(&got->exts[i], &want->exts[i], i);
	ck_assert(got->ext_end == want->ext_end);
	ck_assert_msg(got->pktsz == want->pktsz, "size %u, want %u", got->pktsz, want->pktsz);
	ck_assert(got->cksum_ok && want->cksum_ok);
}
