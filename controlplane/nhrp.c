/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP engine core: lifetime, interface configuration, the receive path
 * (parse, validate, authenticate, dispatch by message type) and the send
 * path (build, never hop count 0, count per type).
 *
 * Receive: nhrp_recv() -> nhrp_parse() -> address family and lengths ->
 * authentication (RFC 2332 5.3.4, Cisco cleartext) -> the handler of the
 * type from nhrp_handlers[].  Every drop leaves through nhrp_drop() with a
 * counter; a bad packet is never fatal.
 */
#include "nhrp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "log.h"
#include "nhrp_priv.h"

/* ---- small helpers ---- */

uint64_t nhrp_now_ms(const struct nhrp *n)
{
	(void)n;
	return loop_now_ms();
}

uint32_t nhrp_reqid_next(struct nhrp *n)
{
	if (++n->reqid == 0)	/* 0 reads as "none" in our bookkeeping */
		n->reqid = 1;
	return n->reqid;
}

uint32_t nhrp_addr4(const struct nhrp_addr *a)
{
	uint32_t v = 0;

	if (a->len == 4 && a->p)
		memcpy(&v, a->p, 4);
	return v;
}

struct nhrp_addr nhrp_addr_of(const uint32_t *a)
{
	return NHRP_ADDR(a, 4);
}

void nhrp_stat(struct nhrp *n, unsigned int ifi, enum nhrp_stat s)
{
	if (ifi < NHRP_MAX_IFS && s < NHRP_ST__MAX)
		n->ifs[ifi].st[s]++;
}

bool nhrp_is_ours(const struct nhrp *n, unsigned int ifi, uint32_t proto)
{
	return proto && proto == n->ifs[ifi].c.proto;
}

void nhrp_tx_init(struct nhrp *n, unsigned int ifi, enum nhrp_type type, const uint32_t *dst)
{
	const struct nhrp_if *nif = &n->ifs[ifi];
	struct nhrp_addr nbma = nhrp_addr_of(&nif->c.nbma);
	struct nhrp_addr src = nhrp_addr_of(&nif->c.proto);
	struct nhrp_addr d = nhrp_addr_of(dst);

	nhrp_msg_init(&n->tx, type, &nbma, &src, &d);
}

/* ---- send ---- */

int nhrp_send_msg(struct nhrp *n, unsigned int ifi, uint32_t nbma, uint16_t port)
{
	struct nhrp_if *nif = &n->ifs[ifi];
	int len, err;

	/* Cisco drops hop count 0 ("Packet Recved with 0 Hop counts", FRR#951) */
	if (n->tx.hopcnt == 0) {
		log_err("nhrp: %s with hop count 0: sent with %u", nhrp_type_name(n->tx.type),
			NHRP_HOPCNT_DEFAULT);
		n->tx.hopcnt = NHRP_HOPCNT_DEFAULT;
	}
	len = nhrp_build(&n->tx, n->txbuf, sizeof(n->txbuf));
	if (len < 0) {
		log_err("nhrp: cannot build %s: %s", nhrp_type_name(n->tx.type), strerror(-len));
		nhrp_stat(n, ifi, NHRP_ST_SEND_FAIL);
		return len;
	}
	err = n->io.send ? n->io.send(n->io.arg, nif->c.tunnel, nbma, port, n->txbuf, (size_t)len)
			 : -ENOTCONN;
	if (err < 0) {
		/* not yet attached (start, data plane restart): the protocol's
		 * resends and nhrp_kick() cover it */
		nhrp_stat(n, ifi, err == -ENOTCONN ? NHRP_ST_SEND_DOWN : NHRP_ST_SEND_FAIL);
		return err;
	}
	nif->sent[n->tx.type]++;
	return 0;
}

/* ---- receive ---- */

struct nhrp_handler {
	void (*recv)(struct nhrp_pkt *p);
	/* We are the station that processes it (not a transit NHS): an unknown
	 * compulsory extension is answered with error 1 (RFC 2332 5.3).
	 * Requests and replies that may be forwarded check it themselves. */
	bool local;
};

static const struct nhrp_handler nhrp_handlers[NHRP_TYPE_MAX + 1] = {
	[NHRP_RESOLUTION_REQUEST] = { nhrp_res_recv_req, false },
	[NHRP_RESOLUTION_REPLY] = { nhrp_res_recv_reply, false },
	[NHRP_REGISTRATION_REQUEST] = { nhrp_nhs_recv_reg_req, true },
	[NHRP_REGISTRATION_REPLY] = { nhrp_nhc_recv_reg_reply, true },
	[NHRP_PURGE_REQUEST] = { nhrp_purge_recv_req, true },
	[NHRP_PURGE_REPLY] = { nhrp_purge_recv_reply, true },
	[NHRP_ERROR_INDICATION] = { nhrp_err_recv, false },
	[NHRP_TRAFFIC_INDICATION] = { nhrp_redirect_recv, true },
};

static void nhrp_drop(struct nhrp_pkt *p, enum nhrp_stat s, const char *why)
{
	char a[ADDR_STRLEN];

	nhrp_stat(p->n, p->ifi, s);
	log_debug("nhrp: drop from %s: %s", addr_fmt(p->src_nbma, a), why);
}

/* A parse failure: counted, and answered when the codec says so and we
 * know whom to tell (RFC 2332 5.2.7; never about an Error Indication). */
static void nhrp_recv_bad(struct nhrp_pkt *p, const struct nhrp_parse_err *err)
{
	struct nhrp_msg *m = p->m;

	nhrp_drop(p, err->reason == NHRP_PERR_CKSUM ? NHRP_ST_RX_CKSUM : NHRP_ST_RX_BAD,
		  nhrp_perr_name(err->reason));
	if (!err->ei_code || m->type == NHRP_ERROR_INDICATION || m->src_proto.len != 4 ||
	    !m->src_proto.p || m->src_nbma.len != 4)
		return;
	p->src_proto = nhrp_addr4(&m->src_proto);
	nhrp_err_send(p, (enum nhrp_error_code)err->ei_code, err->offset);
}

/* IPv4 NBMA and protocol addresses of 4 octets (all we speak for now). */
static bool nhrp_recv_family_ok(const struct nhrp_msg *m)
{
	return m->afn == NHRP_AFN_IPV4 && m->pro_type == NHRP_PROTO_IPV4 &&
	       m->src_nbma.len == 4 && m->src_proto.len == 4 && m->dst_proto.len == 4;
}

static void nhrp_recv_dispatch(struct nhrp_pkt *p)
{
	const struct nhrp_handler *h = &nhrp_handlers[p->m->type];
	uint16_t off;

	if (h->local && nhrp_ext_unknown_compulsory(p->m, &off) >= 0) {
		nhrp_drop(p, NHRP_ST_UNKNOWN_EXT, "unknown compulsory extension");
		nhrp_err_send(p, NHRP_ERR_UNRECOGNIZED_EXTENSION, off);
		return;
	}
	h->recv(p);
}

void nhrp_recv(struct nhrp *n, unsigned int ifi, uint32_t src_nbma, uint16_t sport,
	       const uint8_t *pkt, size_t len)
{
	struct nhrp_pkt p = { .n = n, .ifi = ifi, .src_nbma = src_nbma, .sport = sport,
			      .raw = pkt, .len = len, .m = &n->rx };
	struct nhrp_parse_err err;

	if (ifi >= NHRP_MAX_IFS || !n->ifs[ifi].on) {
		/* network-id: a tunnel without NHRP takes no part in any cloud */
		if (ifi < NHRP_MAX_IFS)
			nhrp_stat(n, ifi, NHRP_ST_RX_DISABLED);
		return;
	}
	p.nif = &n->ifs[ifi];
	if (nhrp_parse(pkt, len, p.m, &err) < 0) {
		nhrp_recv_bad(&p, &err);
		return;
	}
	if (!nhrp_recv_family_ok(p.m)) {
		nhrp_drop(&p, NHRP_ST_RX_UNSUPPORTED, "not IPv4 over IPv4");
		return;
	}
	p.src_proto = nhrp_addr4(&p.m->src_proto);
	p.dst_proto = nhrp_addr4(&p.m->dst_proto);
	p.claimed_nbma = nhrp_addr4(&p.m->src_nbma);
	p.nif->rcvd[p.m->type]++;
	if (!nhrp_ext_auth_ok(n, ifi, p.m)) {
		const struct nhrp_ext *e = nhrp_msg_find_ext_const(p.m, NHRP_EXT_AUTHENTICATION);
		char a[ADDR_STRLEN];

		log_warn("nhrp: %s from %s: authentication mismatch", nhrp_type_name(p.m->type),
			 addr_fmt(src_nbma, a));
		nhrp_drop(&p, NHRP_ST_AUTH_FAIL, "authentication");
		nhrp_err_send(&p, NHRP_ERR_AUTH_FAILURE, e ? e->offset : p.m->extoff);
		return;
	}
	nhrp_recv_dispatch(&p);
}

/* ---- lifetime and configuration ---- */

struct nhrp *nhrp_new(struct loop *l, const struct nhrp_io *io)
{
	struct nhrp *n = calloc(1, sizeof(*n));
	struct timespec ts;

	if (!n)
		return NULL;
	n->loop = l;
	if (io)
		n->io = *io;
	nhrp_cache_init(n);
	/* A restarted node should not repeat the ids of its previous life
	 * (peers accept repeats anyway: Cisco restarts at 1, nhrp.pcapng). */
	clock_gettime(CLOCK_REALTIME, &ts);
	n->reqid = (uint32_t)ts.tv_sec << 8;
	for (unsigned int i = 0; i < NHRP_MAX_IFS; i++)
		for (unsigned int k = 0; k < NHRP_MAX_NHS; k++)
			n->ifs[i].nhs[k].n = n;
	return n;
}

void nhrp_free(struct nhrp *n)
{
	if (!n)
		return;
	for (unsigned int i = 0; i < NHRP_MAX_IFS; i++)
		nhrp_nhc_stop(n, i, false);
	nhrp_cache_fini(n);
	free(n->redirect);
	explicit_bzero(n->ifs, sizeof(n->ifs));	/* the passwords */
	free(n);
}

/* Learned entries of ifi (all but static and the LOCAL ones we answered). */
static void nhrp_if_flush(struct nhrp *n, unsigned int ifi, bool all)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct nhrp_cache *c;

	while ((c = nhrp_cache_walk(n, &cur, &nx)))
		if (c->ifi == ifi && (all || c->type != NHRP_C_STATIC))
			nhrp_cache_del(n, c);
}

/* Our binding changed (new NBMA) or NHRP goes away: tell the requesters
 * that resolved us (RFC 2332 5.2.5). */
static void nhrp_if_purge_locals(struct nhrp *n, unsigned int ifi)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct nhrp_cache *c;

	while ((c = nhrp_cache_walk(n, &cur, &nx))) {
		if (c->ifi != ifi || c->type != NHRP_C_LOCAL)
			continue;
		nhrp_purge_local(n, c);
		nhrp_cache_del(n, c);
	}
}

void nhrp_if_shutdown(struct nhrp *n, unsigned int ifi)
{
	if (ifi >= NHRP_MAX_IFS || !n->ifs[ifi].on)
		return;
	nhrp_nhc_stop(n, ifi, true);
	nhrp_if_purge_locals(n, ifi);
	nhrp_if_flush(n, ifi, false);
	n->ifs[ifi].nat_nbma = 0;
}

static bool nhrp_if_rebind(const struct nhrp_if_conf *o, const struct nhrp_if_conf *c)
{
	return o->nbma != c->nbma || o->proto != c->proto || o->network_id != c->network_id ||
	       o->tunnel != c->tunnel;
}

int nhrp_if_set(struct nhrp *n, unsigned int ifi, const struct nhrp_if_conf *ic)
{
	struct nhrp_if *nif;
	struct nhrp_if_conf old;
	bool was_on;

	if (ifi >= NHRP_MAX_IFS || !ic || ic->auth_len > NHRP_CISCO_PASS_MAX || ic->n_nhs > NHRP_MAX_NHS)
		return -EINVAL;
	nif = &n->ifs[ifi];
	old = nif->c;
	was_on = nif->on;
	if (was_on && nhrp_if_rebind(&old, ic)) {
		char a[ADDR_STRLEN], b[ADDR_STRLEN];

		log_info("nhrp: interface %u: NBMA %s -> %s: purging our registrations", ifi,
			 addr_fmt(old.nbma, a), addr_fmt(ic->nbma, b));
		nhrp_nhc_stop(n, ifi, true);	/* purges with the old binding */
		nhrp_if_purge_locals(n, ifi);
		nif->nat_nbma = 0;
		if (old.proto != ic->proto || !ic->network_id)
			nhrp_if_flush(n, ifi, false);
	}
	nif->c = *ic;
	nif->on = ic->network_id != 0;
	explicit_bzero(nif->auth_val, sizeof(nif->auth_val));
	nif->auth_val_len = 0;
	if (ic->auth_len) {
		int r = nhrp_cisco_auth_encode(nif->auth_val, ic->auth, ic->auth_len);

		nif->auth_val_len = r > 0 ? (uint8_t)r : 0;
	}
	if (!nif->on) {
		nhrp_nhc_stop(n, ifi, false);
		return 0;
	}
	nhrp_nhc_start(n, ifi);
	explicit_bzero(&old, sizeof(old));
	return 0;
}

void nhrp_kick(struct nhrp *n)
{
	for (unsigned int i = 0; i < NHRP_MAX_IFS; i++)
		if (n->ifs[i].on)
			nhrp_nhc_start(n, i);
}

/* ---- counters ---- */

uint64_t nhrp_stat_get(const struct nhrp *n, unsigned int ifi, enum nhrp_stat s)
{
	return ifi < NHRP_MAX_IFS && s < NHRP_ST__MAX ? n->ifs[ifi].st[s] : 0;
}

uint64_t nhrp_sent(const struct nhrp *n, unsigned int ifi, unsigned int type)
{
	return ifi < NHRP_MAX_IFS && type <= NHRP_TYPE_MAX ? n->ifs[ifi].sent[type] : 0;
}

uint64_t nhrp_rcvd(const struct nhrp *n, unsigned int ifi, unsigned int type)
{
	return ifi < NHRP_MAX_IFS && type <= NHRP_TYPE_MAX ? n->ifs[ifi].rcvd[type] : 0;
}

void nhrp_counters_clear(struct nhrp *n)
{
	for (unsigned int i = 0; i < NHRP_MAX_IFS; i++) {
		struct nhrp_if *nif = &n->ifs[i];

		for (unsigned int k = 0; k <= NHRP_TYPE_MAX; k++)
			nif->sent[k] = nif->rcvd[k] = 0;
		for (unsigned int k = 0; k < NHRP_ST__MAX; k++)
			nif->st[k] = 0;
	}
}
