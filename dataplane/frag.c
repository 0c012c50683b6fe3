/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pre-fragmentation (RFC 791 3.2 "fragmentation procedure") of a non-DF
 * packet that exceeds the tunnel or port MTU, before encapsulation, as IOS
 * does with `ip mtu`: the fragments travel as independent tunnel packets and
 * the destination host reassembles.  Each fragment is a fresh single-segment
 * mbuf (later stages, ESP included, want contiguous data).  Options: the
 * first fragment carries all of them, later ones only those with the copied
 * flag (RFC 791 3.1).
 */
#include <rte_ip.h>

#include "cksum.h"
#include "dp.h"
#include "wire/ipv4.h"

/* Header for fragments after the first: fixed part + copied options. */
static uint32_t frag_hdr_later(const struct ipv4_hdr *ip, uint8_t *out)
{
	const uint8_t *opt = (const uint8_t *)(ip + 1);
	uint32_t hl = ipv4_hdr_len(ip), olen = hl - IPV4_HDR_LEN, o = 0, n = IPV4_HDR_LEN;

	memcpy(out, ip, IPV4_HDR_LEN);
	while (o < olen) {
		uint8_t type = opt[o], len;

		if (type == 0)			/* end of option list */
			break;
		if (type == 1) {		/* no-operation */
			o++;
			continue;
		}
		if (o + 1 >= olen || opt[o + 1] < 2 || o + opt[o + 1] > olen)
			break;			/* malformed: stop copying */
		len = opt[o + 1];
		if (type & 0x80) {		/* copied flag */
			memcpy(out + n, opt + o, len);
			n += len;
		}
		o += len;
	}
	while (n % 4)
		out[n++] = 0;			/* pad with end-of-list */
	((struct ipv4_hdr *)out)->ver_ihl = (uint8_t)(0x40 | n / 4);
	return n;
}

static struct rte_mbuf *frag_make(const struct rte_mbuf *m, const uint8_t *hdr, uint32_t hl,
				  uint32_t off, uint32_t len, uint16_t frag_field)
{
	struct rte_mbuf *f = rte_pktmbuf_alloc(g_dp.pool);
	struct ipv4_hdr *ip;
	const void *src;
	uint8_t *dst;

	if (f == NULL)
		return NULL;
	ip = (struct ipv4_hdr *)rte_pktmbuf_append(f, (uint16_t)(hl + len));
	if (ip == NULL) {
		rte_pktmbuf_free(f);
		return NULL;
	}
	memcpy(ip, hdr, hl);
	dst = (uint8_t *)ip + hl;
	src = rte_pktmbuf_read(m, off, len, dst);
	if (src != dst)
		memcpy(dst, src, len);
	ip->total_len = rte_cpu_to_be_16((uint16_t)(hl + len));
	ip->frag = rte_cpu_to_be_16(frag_field);
	ip->csum = 0;
	ip->csum = cksum(ip, hl);
	f->port = m->port;
	return f;
}

/* Returns the number of fragments in out[] (m is consumed either way). */
uint16_t frag_ip4(struct worker *w, struct rte_mbuf *m, uint16_t mtu, struct rte_mbuf **out,
		  uint16_t max)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	uint32_t hl0 = ipv4_hdr_len(ip), total = rte_pktmbuf_pkt_len(m);
	uint16_t frag = rte_be_to_cpu_16(ip->frag);
	uint32_t base = (uint32_t)(frag & IPV4_FRAG_OFF_MASK) * 8;
	uint8_t later[IPV4_MAX_HDR_LEN];
	uint32_t hl_later = frag_hdr_later(ip, later);
	uint32_t pos = hl0, n = 0;

	while (pos < total) {
		bool first = n == 0;
		uint32_t hl = first ? hl0 : hl_later;
		uint32_t room = mtu > hl ? (mtu - hl) & ~7u : 0;
		uint32_t len = RTE_MIN(room, total - pos);
		bool last = pos + len >= total;
		uint16_t field = (uint16_t)((base + pos - hl0) / 8);

		if (room == 0 || n >= max)
			goto fail;
		if (!last || (frag & IPV4_FLAG_MF))
			field |= IPV4_FLAG_MF;
		out[n] = frag_make(m, first ? (const uint8_t *)ip : later, hl, pos, len, field);
		if (out[n] == NULL)
			goto fail;
		n++;
		pos += len;
	}
	w->stats->fragments += n;
	rte_pktmbuf_free(m);
	return (uint16_t)n;
fail:
	rte_pktmbuf_free_bulk(out, n);
	dp_drop(w, m, DROP_FRAGMENT_FAILED);
	return 0;
}
