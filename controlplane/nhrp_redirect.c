/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Phase 3 redirect: Traffic Indication (Cisco type 8, draft-detienne-dmvpn).
 *
 * Hub (ip nhrp redirect): the data plane reports a packet that came in on
 * the tunnel and leaves on it again (hairpin).  We tell the sender, once
 * per (source, destination) per NHRP_REDIRECT_HOLD_MS (a direct-mapped
 * table of NHRP_REDIRECT_SLOTS: a collision costs at most one extra
 * indication): a Traffic Indication to the NBMA it came from, as Cisco
 * sends it (nhrp-trace frame 1): code 0 (redirect), source = us,
 * destination = the data packet's source, the packet's IPv4 header and 8
 * octets quoted, extensions Forward / Reverse Transit, authentication,
 * NAT (empty), End, hop count 255 (never 0: FRR#8234).
 *
 * Spoke (ip nhrp shortcut): a Traffic Indication makes us resolve the
 * quoted packet's destination (not the hub's, not the next hop's); the
 * embedded total length is not trusted, only the addresses are read.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "hmap.h"
#include "log.h"
#include "nhrp_priv.h"

/* true when (src, dst) was not told within the hold time. */
static bool nhrp_redirect_allow(struct nhrp *n, uint32_t src, uint32_t dst)
{
	uint64_t now = nhrp_now_ms(n);
	struct nhrp_redirect_slot *s;

	if (!n->redirect) {
		n->redirect = calloc(NHRP_REDIRECT_SLOTS, sizeof(*n->redirect));
		if (!n->redirect)
			return false;
	}
	s = &n->redirect[hash_u32x2(src, dst) & (NHRP_REDIRECT_SLOTS - 1)];
	if (s->when_ms && s->src == src && s->dst == dst && now - s->when_ms < NHRP_REDIRECT_HOLD_MS)
		return false;
	*s = (struct nhrp_redirect_slot){ .src = src, .dst = dst, .when_ms = now };
	return true;
}

void nhrp_hairpin(struct nhrp *n, unsigned int ifi, uint32_t src, uint32_t dst,
		  uint32_t in_nbma, const uint8_t *sample, size_t len)
{
	struct nhrp_msg *tx = &n->tx;
	struct nhrp_addr nbma, me, to;
	struct nhrp_if *nif;
	size_t quote;

	if (ifi >= NHRP_MAX_IFS || !n->ifs[ifi].on || !n->ifs[ifi].c.redirect || !in_nbma ||
	    !sample || len < 20 || (sample[0] >> 4) != 4)
		return;
	nif = &n->ifs[ifi];
	if (!nhrp_redirect_allow(n, src, dst)) {
		nhrp_stat(n, ifi, NHRP_ST_REDIRECT_LIMITED);
		return;
	}
	quote = (size_t)(sample[0] & 0x0f) * 4u + 8u;
	if (quote > len)
		quote = len;
	nbma = nhrp_addr_of(&nif->c.nbma);
	me = nhrp_addr_of(&nif->c.proto);
	to = nhrp_addr_of(&src);
	nhrp_msg_init_traffic(tx, &nbma, &me, &to, sample, (uint16_t)quote);
	nhrp_msg_add_ext(tx, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_msg_add_ext(tx, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_ext_add_auth(n, ifi, tx);
	nhrp_msg_add_ext(tx, NHRP_EXT_NAT_ADDRESS, false);
	/* the NBMA the packet came from; behind NAT-T the port comes with IKE */
	nhrp_send_msg(n, ifi, in_nbma, 0);
}

void nhrp_redirect_recv(struct nhrp_pkt *p)
{
	const struct nhrp_view *q = &p->m->payload;
	uint32_t dst;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	if (!p->nif->c.shortcut) {
		nhrp_stat(p->n, p->ifi, NHRP_ST_REDIRECT_IGNORED);
		return;
	}
	if (q->len < 20 || (q->p[0] >> 4) != 4) {
		nhrp_stat(p->n, p->ifi, NHRP_ST_RX_BAD);
		return;
	}
	memcpy(&dst, q->p + 16, 4);	/* IPv4 destination address */
	if (!dst || nhrp_is_ours(p->n, p->ifi, dst))
		return;
	log_debug("nhrp: traffic indication from %s: resolving %s",
		  addr_fmt(p->src_nbma, b), addr_fmt(dst, a));
	nhrp_res_start(p->n, p->ifi, dst, false);
}
