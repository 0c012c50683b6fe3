/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hop client: registration to every configured NHS (RFC 2332 5.2.3),
 * one state machine per NHS with one transition function:
 *
 *   IDLE      -> DOWN       started: Registration Request sent
 *   DOWN      -> UP         Registration Reply, code 0
 *   UP        -> RENEWING   refresh due (holdtime / 3): new request id
 *   RENEWING  -> UP         Registration Reply, code 0
 *   RENEWING  -> DOWN       NHRP_NHS_DOWN_TRIES sends unanswered
 *   any       -> DOWN       a reply refusing us (e.g. code 14) or an
 *                           Error Indication about our request
 *   any       -> IDLE       stopped (reload, shutdown; purged when up)
 *
 * Logged at debug level as "nhs 10.0.0.1: down -> up".  The glue hears of
 * up/down through nhrp_io.nhs_changed (dual hub: the tunnel's traffic to
 * unresolved next hops moves to an NHS that answers).
 *
 * Timer (one per NHS), when it fires:
 *   DOWN      resend with the SAME request id (RFC 2332 5.2.0.1), then
 *             wait twice as long, 1 s .. 64 s (Cisco nhrp.pcapng: id 1
 *             again and again at growing intervals); after a refusal a
 *             new request id, the backoff going on (2, 4, 8 ... 64 s)
 *   UP        refresh: new request id, RENEWING
 *   RENEWING  resend, same id, backoff as above; down after 3 sends
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "nhrp_priv.h"

static const char *const nhrp_nhs_state_names[NHRP_NHS__MAX] = {
	[NHRP_NHS_IDLE] = "idle",
	[NHRP_NHS_DOWN] = "down",
	[NHRP_NHS_UP] = "up",
	[NHRP_NHS_RENEWING] = "renewing",
};

const char *nhrp_nhs_state_name(enum nhrp_nhs_state s)
{
	return s < NHRP_NHS__MAX ? nhrp_nhs_state_names[s] : "?";
}

static bool nhrp_nhs_up(uint8_t s)
{
	return s == NHRP_NHS_UP || s == NHRP_NHS_RENEWING;
}

static void nhrp_nhs_set(struct nhrp_nhs *s, enum nhrp_nhs_state to)
{
	static const bool ok[NHRP_NHS__MAX][NHRP_NHS__MAX] = {
		[NHRP_NHS_IDLE][NHRP_NHS_DOWN] = true,
		[NHRP_NHS_DOWN][NHRP_NHS_UP] = true,
		[NHRP_NHS_DOWN][NHRP_NHS_DOWN] = true,		/* refused again */
		[NHRP_NHS_DOWN][NHRP_NHS_IDLE] = true,
		[NHRP_NHS_UP][NHRP_NHS_RENEWING] = true,
		[NHRP_NHS_UP][NHRP_NHS_UP] = true,		/* early reply */
		[NHRP_NHS_UP][NHRP_NHS_DOWN] = true,
		[NHRP_NHS_UP][NHRP_NHS_IDLE] = true,
		[NHRP_NHS_RENEWING][NHRP_NHS_UP] = true,
		[NHRP_NHS_RENEWING][NHRP_NHS_DOWN] = true,
		[NHRP_NHS_RENEWING][NHRP_NHS_IDLE] = true,
	};
	struct nhrp *n = s->n;
	bool was_up = nhrp_nhs_up(s->state), up = nhrp_nhs_up(to);
	enum nhrp_nhs_state from = s->state;
	char a[ADDR_STRLEN];

	if (!ok[from][to]) {
		log_err("nhs %s: invalid transition %s -> %s", addr_fmt(s->proto, a),
			nhrp_nhs_state_name(from), nhrp_nhs_state_name(to));
		abort();
	}
	s->state = (uint8_t)to;
	if (from == to)
		return;
	log_debug("nhs %s: %s -> %s", addr_fmt(s->proto, a), nhrp_nhs_state_name(from),
		  nhrp_nhs_state_name(to));
	if (up && !was_up)
		s->up_since_ms = nhrp_now_ms(n);
	/* entering DOWN from IDLE too: an NHS is not used before it answers */
	if ((was_up != up || to == NHRP_NHS_DOWN) && n->io.nhs_changed)
		n->io.nhs_changed(n->io.arg, n->ifs[s->ifi].c.tunnel, s->proto, up);
}

/* RFC 2332 5.2.3 with Cisco's choices (NHRP_registration.pcap frame 1). */
static void nhrp_nhc_send(struct nhrp_nhs *s)
{
	struct nhrp *n = s->n;
	const struct nhrp_if *nif = &n->ifs[s->ifi];
	struct nhrp_msg *tx = &n->tx;
	struct nhrp_ext *nat;
	struct nhrp_cie ce = {
		.prefix_len = NHRP_HOST_PLEN,	/* IOS 15 sends 32 with or without U */
		.mtu = nif->c.mtu,
		.holdtime = nif->c.holdtime,
	};

	nhrp_tx_init(n, s->ifi, NHRP_REGISTRATION_REQUEST, &s->proto);
	tx->flags = NHRP_REG_FLAG_NAT | (nif->c.no_unique ? 0 : NHRP_REG_FLAG_U);
	tx->reqid = s->reqid;
	nhrp_msg_add_cie(tx, &ce);
	nat = nhrp_ext_request_set(n, s->ifi);
	if (nat) {
		/* Cisco NAT detection: the NHS as we know it, hold 0 */
		struct nhrp_cie nhs = { .prefix_len = NHRP_HOST_PLEN, .mtu = nif->c.mtu,
					.nbma = nhrp_addr_of(&s->nbma),
					.proto = nhrp_addr_of(&s->proto) };

		nhrp_ext_add_cie(nat, &nhs);
	}
	s->sent++;
	s->tries++;
	nhrp_send_msg(n, s->ifi, s->nbma, 0);
}

static uint32_t nhrp_nhc_interval_ms(const struct nhrp_if *nif)
{
	uint32_t sec = nif->c.reg_interval ? nif->c.reg_interval : nif->c.holdtime / 3u;

	return (sec ? sec : 1) * 1000u;	/* RFC 2332 5.2.3: renew at holdtime / 3 */
}

/* Send now and wait retry_ms before the next try; the wait doubles up to
 * 64 s: backoff for an NHS that does not answer. */
static void nhrp_nhc_send_backoff(struct nhrp_nhs *s)
{
	nhrp_nhc_send(s);
	loop_timer_arm(s->n->loop, &s->timer, s->retry_ms);
	s->retry_ms = s->retry_ms * 2 > NHRP_REG_RETRY_MAX_MS ? NHRP_REG_RETRY_MAX_MS
							       : s->retry_ms * 2;
}

/* A new request (new id): first registration, refresh, retry after a refusal. */
static void nhrp_nhc_new_request(struct nhrp_nhs *s)
{
	s->reqid = nhrp_reqid_next(s->n);
	s->tries = 0;
	s->retry_ms = NHRP_REG_RETRY_MIN_MS;
}

/* The NHS timer fired (meaning by state in the file comment). */
static void nhrp_nhc_timer(struct loop *l, struct loop_timer *t, void *arg)
{
	struct nhrp_nhs *s = arg;

	(void)l;
	(void)t;
	switch (s->state) {
	case NHRP_NHS_DOWN:
		/* after a refusal: a new request id, but the backoff goes on
		 * (a refused client must not retry every 2 s for ever) */
		if (s->tries == 0)
			s->reqid = nhrp_reqid_next(s->n);
		nhrp_nhc_send_backoff(s);
		break;
	case NHRP_NHS_UP:
		nhrp_nhc_new_request(s);
		nhrp_nhs_set(s, NHRP_NHS_RENEWING);
		nhrp_nhc_send_backoff(s);
		break;
	case NHRP_NHS_RENEWING:
		if (s->tries >= NHRP_NHS_DOWN_TRIES) {
			char a[ADDR_STRLEN];

			log_warn("nhs %s: no reply to %u registration requests", addr_fmt(s->proto, a),
				 s->tries);
			nhrp_nhs_set(s, NHRP_NHS_DOWN);
		}
		nhrp_nhc_send_backoff(s);
		break;
	default:
		break;
	}
}

static void nhrp_nhc_begin(struct nhrp *n, unsigned int ifi, unsigned int i)
{
	struct nhrp_if *nif = &n->ifs[ifi];
	struct nhrp_nhs *s = &nif->nhs[i];

	if (s->state != NHRP_NHS_IDLE) {
		/* already running: a data plane (re)connect retries a down NHS now */
		if (s->state == NHRP_NHS_DOWN) {
			s->retry_ms = NHRP_REG_RETRY_MIN_MS;
			nhrp_nhc_send_backoff(s);
		}
		return;
	}
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->ifi = (uint8_t)ifi;
	s->idx = (uint8_t)i;
	s->proto = nif->c.nhs[i].proto;
	s->nbma = nif->c.nhs[i].nbma;
	loop_timer_init(&s->timer, nhrp_nhc_timer, s);
	if (!nif->c.nbma || !s->nbma)
		return;		/* no address to register from / to yet */
	nhrp_nhc_new_request(s);
	nhrp_nhs_set(s, NHRP_NHS_DOWN);
	nhrp_nhc_send_backoff(s);
}

/* NHSs that left the configuration (or changed address) are stopped and
 * purged; the array is then renumbered to the configuration's order. */
static void nhrp_nhc_reconcile(struct nhrp *n, unsigned int ifi)
{
	struct nhrp_if *nif = &n->ifs[ifi];
	struct nhrp_nhs keep[NHRP_MAX_NHS];
	uint64_t left[NHRP_MAX_NHS];

	for (unsigned int k = 0; k < NHRP_MAX_NHS; k++) {
		struct nhrp_nhs *s = &nif->nhs[k];
		bool wanted = false;

		keep[k].state = NHRP_NHS_IDLE;
		if (s->state == NHRP_NHS_IDLE)
			continue;
		for (unsigned int i = 0; i < nif->c.n_nhs; i++)
			wanted |= nif->c.nhs[i].proto == s->proto && nif->c.nhs[i].nbma == s->nbma;
		if (!wanted) {
			if (nhrp_nhs_up(s->state))
				nhrp_purge_send_self(n, ifi, s->nbma, s->proto, s->reqid, true);
			loop_timer_cancel(n->loop, &s->timer);
			nhrp_nhs_set(s, NHRP_NHS_IDLE);
			continue;
		}
		left[k] = loop_timer_remaining(&s->timer);
		loop_timer_cancel(n->loop, &s->timer);
		keep[k] = *s;
		s->state = NHRP_NHS_IDLE;
	}
	for (unsigned int i = 0; i < nif->c.n_nhs; i++) {
		for (unsigned int k = 0; k < NHRP_MAX_NHS; k++) {
			if (keep[k].state == NHRP_NHS_IDLE || keep[k].proto != nif->c.nhs[i].proto)
				continue;
			nif->nhs[i] = keep[k];
			nif->nhs[i].idx = (uint8_t)i;
			loop_timer_init(&nif->nhs[i].timer, nhrp_nhc_timer, &nif->nhs[i]);
			if (left[k] != UINT64_MAX)
				loop_timer_arm(n->loop, &nif->nhs[i].timer, left[k]);
			keep[k].state = NHRP_NHS_IDLE;
			break;
		}
	}
}

void nhrp_nhc_start(struct nhrp *n, unsigned int ifi)
{
	nhrp_nhc_reconcile(n, ifi);
	for (unsigned int i = 0; i < n->ifs[ifi].c.n_nhs; i++)
		nhrp_nhc_begin(n, ifi, i);
}

void nhrp_nhc_stop(struct nhrp *n, unsigned int ifi, bool purge)
{
	struct nhrp_if *nif = &n->ifs[ifi];

	for (unsigned int k = 0; k < NHRP_MAX_NHS; k++) {
		struct nhrp_nhs *s = &nif->nhs[k];

		if (s->state == NHRP_NHS_IDLE)
			continue;
		/* Cisco matches the purge with the registration by request id
		 * (OpenNHRP's "cisco" mode); N: we do not wait for the reply */
		if (purge && nhrp_nhs_up(s->state))
			nhrp_purge_send_self(n, ifi, s->nbma, s->proto, s->reqid, true);
		loop_timer_cancel(n->loop, &s->timer);
		nhrp_nhs_set(s, NHRP_NHS_IDLE);
	}
}

/* The NHS a reply comes from: our outstanding request id, and the NHS's
 * address as destination of our request or as the packet's source. */
static struct nhrp_nhs *nhrp_nhc_match(struct nhrp_pkt *p)
{
	struct nhrp_if *nif = p->nif;

	for (unsigned int k = 0; k < NHRP_MAX_NHS; k++) {
		struct nhrp_nhs *s = &nif->nhs[k];

		if (s->state != NHRP_NHS_IDLE && s->reqid == p->m->reqid &&
		    (s->proto == p->dst_proto || s->nbma == p->src_nbma))
			return s;
	}
	return NULL;
}

/* NAT extension of a reply: a CIE for our address with another NBMA is
 * what the NHS saw, i.e. our post-NAT address (wire-formats.md 3.2). */
static void nhrp_nhc_learn_nat(struct nhrp_pkt *p)
{
	struct nhrp_if *nif = p->nif;
	uint32_t seen = nhrp_ext_nat_nbma(p->m, nif->c.proto);
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	if (seen == nif->c.nbma)
		seen = 0;
	if (seen != nif->nat_nbma && seen)
		log_info("nhrp: behind NAT: our NBMA %s is seen as %s", addr_fmt(nif->c.nbma, b),
			 addr_fmt(seen, a));
	if (nhrp_msg_find_ext_const(p->m, NHRP_EXT_NAT_ADDRESS))
		nif->nat_nbma = seen;
}

static void nhrp_nhc_refused(struct nhrp_nhs *s, uint8_t code)
{
	char a[ADDR_STRLEN];

	s->refused++;
	nhrp_stat(s->n, s->ifi, NHRP_ST_REG_REFUSED);
	log_warn("nhs %s: registration refused: %s (code %u)", addr_fmt(s->proto, a),
		 nhrp_cie_code_name(code), code);
	nhrp_nhs_set(s, NHRP_NHS_DOWN);
	s->tries = 0;		/* next try is a new request */
	/* after the backoff the send already doubled: 2, 4, 8 ... 64 s */
	loop_timer_arm(s->n->loop, &s->timer, s->retry_ms);
}

void nhrp_nhc_recv_reg_reply(struct nhrp_pkt *p)
{
	struct nhrp_nhs *s = nhrp_nhc_match(p);
	uint8_t code;

	if (!s) {
		nhrp_stat(p->n, p->ifi, NHRP_ST_REPLY_UNEXPECTED);
		return;
	}
	/* RFC 2332 5.2.4: one CIE per CIE we sent; we send one */
	code = p->m->ncies ? p->m->cies[0].code : NHRP_CIE_ADMIN_PROHIBITED;
	s->replies++;
	s->last_reply_ms = nhrp_now_ms(p->n);
	s->last_code = code;
	if (code != NHRP_CIE_SUCCESS) {
		nhrp_nhc_refused(s, code);
		return;
	}
	nhrp_nhc_learn_nat(p);
	nhrp_nhs_set(s, NHRP_NHS_UP);
	s->tries = 0;
	s->retry_ms = NHRP_REG_RETRY_MIN_MS;
	loop_timer_arm(p->n->loop, &s->timer, nhrp_nhc_interval_ms(p->nif));
}

/* An Error Indication about our registration request: like a refusal. */
void nhrp_nhc_error(struct nhrp *n, unsigned int ifi, uint32_t reqid, uint16_t code)
{
	for (unsigned int k = 0; k < NHRP_MAX_NHS; k++) {
		struct nhrp_nhs *s = &n->ifs[ifi].nhs[k];

		if (s->state != NHRP_NHS_IDLE && s->reqid == reqid) {
			char a[ADDR_STRLEN];

			log_warn("nhs %s: error indication about our registration: %s",
				 addr_fmt(s->proto, a), nhrp_error_name(code));
			nhrp_nhc_refused(s, NHRP_CIE_ADMIN_PROHIBITED);
		}
	}
}

/* The NHS to send resolution requests to: the first one up, else the
 * first one configured (it may answer before it answered a registration). */
struct nhrp_nhs *nhrp_nhc_pick(struct nhrp *n, unsigned int ifi)
{
	struct nhrp_if *nif = &n->ifs[ifi];
	struct nhrp_nhs *first = NULL;

	for (unsigned int i = 0; i < nif->c.n_nhs; i++) {
		struct nhrp_nhs *s = &nif->nhs[i];

		if (nhrp_nhs_up(s->state))
			return s;
		if (!first && s->nbma)
			first = s;
	}
	return first;
}

bool nhrp_nhs_is_up(const struct nhrp *n, unsigned int ifi, unsigned int i)
{
	return ifi < NHRP_MAX_IFS && i < NHRP_MAX_NHS && nhrp_nhs_up(n->ifs[ifi].nhs[i].state);
}
