/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * show crypto ipsec sa [peer A.B.C.D] [--json]   (layout of seed 004's
 * `sh crypto ipsec sa`, one block per peer NBMA address)
 * show crypto map [--json]                      (seed 000, Example 7-10)
 *
 * Counters are the data plane's per-worker SA counters of each SA's slot,
 * summed (shm_sa_ctr_sum); a peer's block adds up all its SAs (during a
 * rekey the old and the new generation).  Field names: docs/cli.md.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "ctl.h"
#include "ipsec.h"

#define CRYPTO_MAP "Tunnel0-head-0"

/* ---- per SA ---- */

struct sa_view {
	const struct ipsec_sa *sa;
	struct shm_sa_ctr ctr;
	const char *slot_state;
	bool current;			/* the peer's current generation */
	bool sending;			/* adjacencies send with it */
};

static unsigned int iv_size(uint8_t cipher)
{
	static const uint8_t iv[] = { [SA_CIPHER_NULL] = 0, [SA_CIPHER_AES_CBC] = 16,
		[SA_CIPHER_AES_GCM16] = 8, [SA_CIPHER_DES_CBC] = 8, [SA_CIPHER_3DES_CBC] = 8 };

	return cipher < sizeof(iv) ? iv[cipher] : 0;
}

static const char *mode_name(const struct shm_sa *img)
{
	if (img->flags & SA_F_UDP_ENCAP)
		return img->mode == SA_MODE_TUNNEL ? "Tunnel UDP-Encaps" : "Transport UDP-Encaps";
	return img->mode == SA_MODE_TUNNEL ? "Tunnel" : "Transport";
}

/* Remaining lifetimes; -1 = none. */
struct life_left {
	int64_t kb, secs, pkts;
};

static void life_left(const struct sa_view *v, struct life_left *l)
{
	const struct ipsec_sa *sa = v->sa;
	uint64_t age_s = sa->installed_ms ? (loop_now_ms() - sa->installed_ms) / 1000 : 0;
	uint64_t hb = sa->img.life_hard_bytes, hp = sa->img.life_hard_pkts;

	l->kb = hb ? (int64_t)((hb > v->ctr.bytes ? hb - v->ctr.bytes : 0) / 1024) : -1;
	l->pkts = hp ? (int64_t)(hp > v->ctr.pkts ? hp - v->ctr.pkts : 0) : -1;
	l->secs = sa->life_seconds ?
		  (int64_t)(sa->life_seconds > age_s ? sa->life_seconds - age_s : 0) : -1;
}

static void fmt_left(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%" PRId64, v);
}

static void sa_text(struct strbuf *o, const struct sa_view *v)
{
	const struct ipsec_sa *sa = v->sa;
	struct life_left l;
	char kb[24], secs[24], pk[24];

	life_left(v, &l);
	fmt_left(l.kb, kb, sizeof(kb));
	fmt_left(l.secs, secs, sizeof(secs));
	fmt_left(l.pkts, pk, sizeof(pk));
	sb_printf(o, "      spi: 0x%X(%u)\n", sa->img.spi, sa->img.spi);
	sb_printf(o, "        transform: %s ,\n", sa->transform);
	sb_printf(o, "        in use settings ={%s, %s}\n", mode_name(&sa->img),
		  (sa->img.flags & SA_F_ESN) ? "ESN, " : "");
	if (sa->slot != IPSEC_NO_SLOT)
		sb_printf(o, "        conn id: %u, flow_id: DP:%u, crypto map: %s\n", sa->slot,
			  sa->slot, CRYPTO_MAP);
	else
		sb_printf(o, "        conn id: none (not in the data plane), crypto map: %s\n",
			  CRYPTO_MAP);
	sb_printf(o, "        sa timing: remaining key lifetime (k/sec): (%s/%s)\n", kb, secs);
	if (l.pkts >= 0)
		sb_printf(o, "        remaining packets: %s\n", pk);
	sb_printf(o, "        IV size: %u bytes\n", iv_size(sa->img.cipher));
	if (sa->inbound)
		sb_printf(o, "        replay detection support: %s\n",
			  (sa->img.flags & SA_F_NO_REPLAY) ? "N" : "Y");
	sb_printf(o, "        Status: %s\n", sa->failed ? "REFUSED by the data plane" :
		  ipsec_life_name(sa->life));
	sb_printf(o, "        slot %s%s%s, %" PRIu64 " packets, %" PRIu64 " bytes",
		  v->slot_state, v->current ? ", current" : ", previous generation",
		  v->sending ? ", sending" : "", v->ctr.pkts, v->ctr.bytes);
	if (sa->inbound)
		sb_printf(o, ", %" PRIu64 " replay drops, %" PRIu64 " auth failures",
			  v->ctr.replay_drops, v->ctr.auth_fails);
	sb_printf(o, ", %" PRIu64 " other drops\n", v->ctr.other_drops);
}

static void json_left(struct json *j, const char *key, int64_t v)
{
	if (v < 0)
		json_null(j, key);
	else
		json_u64(j, key, (uint64_t)v);
}

static void sa_json_life(struct json *j, const struct sa_view *v)
{
	const struct ipsec_sa *sa = v->sa;
	struct life_left l;

	life_left(v, &l);
	json_obj_open(j, "lifetime");
	json_left(j, "seconds", sa->life_seconds ? (int64_t)sa->life_seconds : -1);
	json_left(j, "kilobytes", sa->img.life_hard_bytes ? (int64_t)(sa->img.life_hard_bytes / 1024) : -1);
	json_left(j, "packets", sa->img.life_hard_pkts ? (int64_t)sa->img.life_hard_pkts : -1);
	json_left(j, "remaining_seconds", l.secs);
	json_left(j, "remaining_kilobytes", l.kb);
	json_left(j, "remaining_packets", l.pkts);
	json_obj_close(j);
	json_arr_open(j, "events");
	if (sa->dp_events & SA_EV_SOFT)
		json_str(j, NULL, "soft");
	if (sa->dp_events & SA_EV_HARD)
		json_str(j, NULL, "hard");
	if (sa->dp_events & SA_EV_SEQ_HIGH)
		json_str(j, NULL, "seq-high");
	json_arr_close(j);
}

static void sa_json(struct json *j, const struct sa_view *v)
{
	const struct ipsec_sa *sa = v->sa;
	char hex[16];

	snprintf(hex, sizeof(hex), "0x%08x", sa->img.spi);
	json_obj_open(j, NULL);
	json_u64(j, "spi", sa->img.spi);
	json_str(j, "spi_hex", hex);
	json_str(j, "transform", sa->transform);
	json_str(j, "profile", sa->profile);
	json_str(j, "mode", sa->img.mode == SA_MODE_TUNNEL ? "tunnel" : "transport");
	json_bool(j, "udp_encap", sa->img.flags & SA_F_UDP_ENCAP);
	json_bool(j, "esn", sa->img.flags & SA_F_ESN);
	if (sa->slot == IPSEC_NO_SLOT)
		json_null(j, "slot");
	else
		json_u64(j, "slot", sa->slot);
	json_str(j, "slot_state", v->slot_state);
	json_str(j, "status", sa->failed ? "refused" : sa->life == IPL_EXPIRED ? "expired" :
		 sa->life == IPL_SOFT ? "soft-expired" : "active");
	json_bool(j, "current", v->current);
	json_bool(j, "sending", v->sending);
	json_u64(j, "packets", v->ctr.pkts);
	json_u64(j, "bytes", v->ctr.bytes);
	json_u64(j, "replay_drops", v->ctr.replay_drops);
	json_u64(j, "auth_failures", v->ctr.auth_fails);
	json_u64(j, "other_drops", v->ctr.other_drops);
	json_u64(j, "replay_window", (sa->img.flags & SA_F_NO_REPLAY) ? 0 :
		 sa->img.replay_window ? sa->img.replay_window : 1024);
	json_u64(j, "iv_size", iv_size(sa->img.cipher));
	json_u64(j, "seq", sa->seq_seen);
	sa_json_life(j, v);
	json_obj_close(j);
}

/* ---- per peer ---- */

/* Every SA, in list order within each remote address (by_remote()). */
struct sa_ref {
	const struct ipsec_sa *sa;
	uint32_t remote;		/* host order: sorted by address */
	uint32_t order;			/* position in ipsec_tab.list */
};

struct peer_view {
	uint32_t remote;
	const struct ipsec_peer *p;	/* NULL: SAs left over (withdrawn) */
	struct sa_view sas[8];
	unsigned int n;
	struct shm_sa_ctr in, out;	/* sums */
	const struct ipsec_sa *sending;
};

static void peer_view_add(struct ipsec_mod *m, struct peer_view *pv, const struct ipsec_sa *sa)
{
	struct sa_view *v;
	struct shm_sa_ctr *sum;

	if (pv->n == sizeof(pv->sas) / sizeof(pv->sas[0]))
		return;
	v = &pv->sas[pv->n++];
	v->sa = sa;
	ipsec_sa_counters(m, sa, &v->ctr);
	v->slot_state = sa->slot == IPSEC_NO_SLOT ? "none" :
			ipsec_slot_state_name(m->tab.slots[sa->slot].state);
	v->current = pv->p && (pv->p->in == sa || pv->p->out == sa);
	v->sending = sa == pv->sending;
	sum = sa->inbound ? &pv->in : &pv->out;
	sum->pkts += v->ctr.pkts;
	sum->bytes += v->ctr.bytes;
	sum->replay_drops += v->ctr.replay_drops;
	sum->auth_fails += v->ctr.auth_fails;
	sum->other_drops += v->ctr.other_drops;
}

/* The n SAs of one remote address (an index range of by_remote()). */
static void peer_view_fill(struct ipsec_mod *m, uint32_t remote, const struct sa_ref *sas,
			   uint32_t n, struct peer_view *pv)
{
	memset(pv, 0, sizeof(*pv));
	pv->remote = remote;
	pv->p = ipsec_peer_find(m, remote);
	if (pv->p)
		pv->sending = pv->p->phase == IPP_SWITCHING ? pv->p->old_out : pv->p->out;
	for (uint32_t i = 0; i < n; i++)
		peer_view_add(m, pv, sas[i].sa);
}

static uint16_t peer_port(const struct peer_view *pv)
{
	for (unsigned int i = 0; i < pv->n; i++)
		if (pv->sas[i].sa->img.flags & SA_F_UDP_ENCAP)
			return pv->sas[i].sa->img.dport;
	return 500;
}

static void peer_text_counters(struct strbuf *o, const struct peer_view *pv)
{
	uint64_t recv_err = pv->in.auth_fails + pv->in.other_drops + pv->in.replay_drops;

	sb_printf(o, "    #pkts encaps: %" PRIu64 ", #pkts encrypt: %" PRIu64 ", #pkts digest: %"
		  PRIu64 "\n", pv->out.pkts, pv->out.pkts, pv->out.pkts);
	sb_printf(o, "    #pkts decaps: %" PRIu64 ", #pkts decrypt: %" PRIu64 ", #pkts verify: %"
		  PRIu64 "\n", pv->in.pkts, pv->in.pkts, pv->in.pkts);
	sb_puts(o, "    #pkts compressed: 0, #pkts decompressed: 0\n"
		   "    #pkts not compressed: 0, #pkts compr. failed: 0\n"
		   "    #pkts not decompressed: 0, #pkts decompress failed: 0\n");
	sb_printf(o, "    #send errors %" PRIu64 ", #recv errors %" PRIu64 "\n",
		  pv->out.other_drops, recv_err);
	sb_printf(o, "    #pkts replay failed (rcv): %" PRIu64 ", #pkts verify failed: %" PRIu64
		  "\n", pv->in.replay_drops, pv->in.auth_fails);
}

static void peer_text_sas(struct strbuf *o, const struct peer_view *pv, bool inbound)
{
	const char *dir = inbound ? "inbound" : "outbound";

	sb_printf(o, "\n     %s esp sas:\n", dir);
	for (unsigned int i = 0; i < pv->n; i++)
		if (pv->sas[i].sa->inbound == inbound)
			sa_text(o, &pv->sas[i]);
	sb_printf(o, "\n     %s ah sas:\n\n     %s pcp sas:\n", dir, dir);
}

static void peer_text(struct strbuf *o, const struct ctl *c, const struct peer_view *pv)
{
	char l[ADDR_STRLEN], r[ADDR_STRLEN];
	const struct conf *cf = &c->conf;
	const struct conf_iface *src = &cf->ifaces[cf->tunnel.source];

	addr_fmt(ctl_local_nbma(c), l);
	addr_fmt(pv->remote, r);
	sb_printf(o, "\n   protected vrf: (none)\n");
	sb_printf(o, "   local  ident (addr/mask/prot/port): (%s/255.255.255.255/47/0)\n", l);
	sb_printf(o, "   remote ident (addr/mask/prot/port): (%s/255.255.255.255/47/0)\n", r);
	sb_printf(o, "   current_peer %s port %u\n", r, peer_port(pv));
	sb_puts(o, "     PERMIT, flags={origin_is_acl,}\n");
	peer_text_counters(o, pv);
	sb_printf(o, "\n     local crypto endpt.: %s, remote crypto endpt.: %s\n", l, r);
	sb_printf(o, "     path mtu %u, ip mtu %u, ip mtu idb %s\n", src->mtu, cf->tunnel.mtu,
		  src->name);
	if (pv->sending)
		sb_printf(o, "     current outbound spi: 0x%X(%u)\n", pv->sending->img.spi,
			  pv->sending->img.spi);
	else
		sb_puts(o, "     current outbound spi: 0x0(0)\n");
	if (pv->p)
		sb_printf(o, "     keying: manual, rekey: %s, generation %u\n",
			  pv->p->phase == IPP_STABLE ? "stable" :
			  pv->p->phase == IPP_SWITCHING ? "switching" : "draining",
			  pv->p->generation);
	peer_text_sas(o, pv, true);
	peer_text_sas(o, pv, false);
}

static void peer_json(struct json *j, const struct ctl *c, const struct peer_view *pv)
{
	char id[48], a[ADDR_STRLEN];
	const char *phase[] = { "stable", "switching", "draining" };

	json_obj_open(j, NULL);
	json_ip4(j, "peer", pv->remote);
	json_u64(j, "port", peer_port(pv));
	snprintf(id, sizeof(id), "%s/255.255.255.255/47/0", addr_fmt(ctl_local_nbma(c), a));
	json_str(j, "local_ident", id);
	snprintf(id, sizeof(id), "%s/255.255.255.255/47/0", addr_fmt(pv->remote, a));
	json_str(j, "remote_ident", id);
	json_u64(j, "pkts_encaps", pv->out.pkts);
	json_u64(j, "pkts_encrypt", pv->out.pkts);
	json_u64(j, "pkts_digest", pv->out.pkts);
	json_u64(j, "pkts_decaps", pv->in.pkts);
	json_u64(j, "pkts_decrypt", pv->in.pkts);
	json_u64(j, "pkts_verify", pv->in.pkts);
	json_u64(j, "send_errors", pv->out.other_drops);
	json_u64(j, "recv_errors", pv->in.auth_fails + pv->in.other_drops + pv->in.replay_drops);
	json_u64(j, "replay_failed", pv->in.replay_drops);
	json_u64(j, "verify_failed", pv->in.auth_fails);
	json_ip4(j, "local_endpoint", ctl_local_nbma(c));
	json_ip4(j, "remote_endpoint", pv->remote);
	json_u64(j, "current_outbound_spi", pv->sending ? pv->sending->img.spi : 0);
	json_str(j, "keying", pv->p ? "manual" : "none");
	json_str(j, "phase", pv->p ? phase[pv->p->phase] : "removed");
	json_u64(j, "generation", pv->p ? pv->p->generation : 0);
	json_arr_open(j, "inbound");
	for (unsigned int i = 0; i < pv->n; i++)
		if (pv->sas[i].sa->inbound)
			sa_json(j, &pv->sas[i]);
	json_arr_close(j);
	json_arr_open(j, "outbound");
	for (unsigned int i = 0; i < pv->n; i++)
		if (!pv->sas[i].sa->inbound)
			sa_json(j, &pv->sas[i]);
	json_arr_close(j);
	json_obj_close(j);
}

/* ---- show crypto ipsec sa ---- */

static int sa_ref_cmp(const void *a, const void *b)
{
	const struct sa_ref *x = a, *y = b;

	if (x->remote != y->remote)
		return x->remote < y->remote ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Every SA sorted by remote address (then list order), so that a peer's
 * SAs are one range: one pass for the whole table, not one per peer.
 * Caller frees. */
static struct sa_ref *by_remote(const struct ipsec_mod *m, uint32_t *n)
{
	uint32_t cap = 0, k = 0;
	struct sa_ref *v;

	for (const struct ipsec_sa *sa = m->tab.list; sa; sa = sa->next)
		cap++;
	v = calloc(cap ? cap : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (const struct ipsec_sa *sa = m->tab.list; sa; sa = sa->next, k++)
		v[k] = (struct sa_ref){ .sa = sa, .remote = ntohl(sa->img.remote), .order = k };
	qsort(v, k, sizeof(*v), sa_ref_cmp);
	*n = k;
	return v;
}

static int parse_peer(struct cli_req *req, uint32_t *peer)
{
	*peer = 0;
	if (req->argc == 0)
		return 0;
	if (req->argc == 2 && cli_arg_is(req, 0, "peer") && addr_parse(req->argv[1], peer))
		return 0;
	return cli_req_error(req, "usage: show crypto ipsec sa [peer A.B.C.D] [--json]");
}

static int cmd_show_crypto_ipsec_sa(struct cli_req *req)
{
	struct ipsec_mod *m = ipsec_mod_get(req->ctl);
	const struct ctl *c = req->ctl;
	struct peer_view *pv = NULL;
	struct sa_ref *rv = NULL;
	uint32_t peer, n = 0;
	char l[ADDR_STRLEN];

	if (parse_peer(req, &peer) < 0)
		return -1;
	if (!m || !(rv = by_remote(m, &n)) || !(pv = malloc(sizeof(*pv)))) {
		free(rv);
		return cli_req_error(req, "show crypto ipsec sa: out of memory");
	}
	if (req->json) {
		json_obj_open(&req->j, NULL);
		json_arr_open(&req->j, "interfaces");
		json_obj_open(&req->j, NULL);
		json_str(&req->j, "interface", c->conf.tunnel.name);
		json_str(&req->j, "crypto_map", CRYPTO_MAP);
		json_ip4(&req->j, "local_addr", ctl_local_nbma(c));
		json_arr_open(&req->j, "peers");
	} else if (c->conf.tunnel.present && n) {
		sb_printf(&req->out, "interface: %s\n    Crypto map tag: %s, local addr %s\n",
			  c->conf.tunnel.name, CRYPTO_MAP, addr_fmt(ctl_local_nbma(c), l));
	}
	for (uint32_t i = 0, j; i < n; i = j) {
		uint32_t remote = rv[i].sa->img.remote;

		for (j = i + 1; j < n && rv[j].remote == rv[i].remote; j++)
			;
		if (peer && remote != peer)
			continue;
		peer_view_fill(m, remote, rv + i, j - i, pv);
		if (req->json)
			peer_json(&req->j, c, pv);
		else
			peer_text(&req->out, c, pv);
	}
	if (req->json) {
		json_arr_close(&req->j);
		json_obj_close(&req->j);
		json_arr_close(&req->j);
		json_obj_close(&req->j);
	}
	free(pv);
	free(rv);
	return 0;
}

/* ---- show crypto map ---- */

static void map_profile_text(struct strbuf *o, const struct conf_ipsec *ip, uint32_t prof)
{
	const struct conf_ipsec_profile *pr = &ip->profiles[prof];

	if (pr->life_kilobytes || pr->life_seconds)
		sb_printf(o, "Security association lifetime: %" PRIu64 " kilobytes/%" PRIu64
			  " seconds\n", pr->life_kilobytes, pr->life_seconds);
	else
		sb_puts(o, "Security association lifetime: none (manual keys)\n");
	sb_printf(o, "PFS (Y/N): N\nTransform sets={\n%s,\n}\n", ip->tsets[pr->tset].name);
}

static void map_text(struct strbuf *o, const struct ctl *c, const struct conf_ipsec *ip)
{
	char l[ADDR_STRLEN], r[ADDR_STRLEN];

	sb_printf(o, "Crypto Map \"%s\" 1 ipsec-manual\nProfile name: %s\n", CRYPTO_MAP,
		  ip->profiles[ip->protection].name);
	map_profile_text(o, ip, (uint32_t)ip->protection);
	for (uint32_t i = 0; i < ip->n_sas; i++) {
		const struct conf_ipsec_sa *s = &ip->sas[i];

		addr_fmt(ctl_local_nbma(c), l);
		addr_fmt(s->peer, r);
		sb_printf(o, "Crypto Map \"%s\" %u ipsec-manual\nMap is a PROFILE INSTANCE.\n"
			  "Peer = %s\nExtended IP access list\naccess-list permit gre host %s host %s\n"
			  "Current peer: %s\n", CRYPTO_MAP, i + 2, r, l, r, r);
		map_profile_text(o, ip, s->profile);
	}
	sb_printf(o, "Interfaces using crypto map %s:\n%s\n", CRYPTO_MAP, c->conf.tunnel.name);
}

static void map_json(struct json *j, const struct ctl *c, const struct conf_ipsec *ip)
{
	char acl[80], l[ADDR_STRLEN], r[ADDR_STRLEN];

	json_obj_open(j, NULL);
	json_str(j, "crypto_map", CRYPTO_MAP);
	json_str(j, "profile", ip->profiles[ip->protection].name);
	json_arr_open(j, "entries");
	for (uint32_t i = 0; i < ip->n_sas; i++) {
		const struct conf_ipsec_sa *s = &ip->sas[i];
		const struct conf_ipsec_profile *pr = &ip->profiles[s->profile];

		snprintf(acl, sizeof(acl), "permit gre host %s host %s",
			 addr_fmt(ctl_local_nbma(c), l), addr_fmt(s->peer, r));
		json_obj_open(j, NULL);
		json_u64(j, "seq", i + 2);
		json_str(j, "type", "ipsec-manual");
		json_ip4(j, "peer", s->peer);
		json_str(j, "acl", acl);
		json_str(j, "profile", pr->name);
		json_str(j, "transform_set", ip->tsets[pr->tset].name);
		json_u64(j, "lifetime_kilobytes", pr->life_kilobytes);
		json_u64(j, "lifetime_seconds", pr->life_seconds);
		json_bool(j, "pfs", false);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_arr_open(j, "interfaces");
	json_str(j, NULL, c->conf.tunnel.name);
	json_arr_close(j);
	json_obj_close(j);
}

static int cmd_show_crypto_map(struct cli_req *req)
{
	const struct ctl *c = req->ctl;
	const struct conf_ipsec *ip = c->conf.ipsec;

	if (req->argc)
		return cli_req_error(req, "show crypto map: no arguments expected");
	if (!ip || ip->protection < 0) {
		if (req->json) {
			json_obj_open(&req->j, NULL);
			json_null(&req->j, "crypto_map");
			json_obj_close(&req->j);
		}
		return 0;
	}
	if (req->json)
		map_json(&req->j, c, ip);
	else
		map_text(&req->out, c, ip);
	return 0;
}

void ipsec_show_register(struct cli *cli)
{
	cli_register(cli, "show crypto ipsec sa", cmd_show_crypto_ipsec_sa,
		     "[peer A.B.C.D]: IPsec SAs per peer, with counters (seed 004 layout)");
	cli_register(cli, "show crypto map", cmd_show_crypto_map,
		     ": crypto map of the tunnel protection (seed 000 layout)");
}
