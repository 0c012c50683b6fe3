/* SPDX-License-Identifier: BSD-3-Clause */
/* Capture I/O for the NHRP tests: libpcap reads pcap and pcapng. */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cksum.h"
#include "wire/eth.h"
#include "wire/gre.h"
#include "wire/ipv4.h"
#include "nhrp_pcap.h"

#define IP_PROTO_NHRP 54	/* NHRP directly in IP (RFC 2332 5) */

const char *nhrp_testdata(const char *rel, char *buf, size_t size)
{
	const char *dir = getenv("DMVPN_TESTDATA");

	snprintf(buf, size, "%s/%s", dir ? dir : "../shared/testdata", rel);
	return buf;
}

/* RFC 2784 / 2890: skip the optional fields; false unless proto 0x2001. */
static bool nhrp_strip_gre(struct buf *b, struct nhrp_frame *f)
{
	uint16_t flags = buf_get_be16(b), proto = buf_get_be16(b);

	if (flags & GRE_FLAG_CSUM)
		buf_pull(b, 4);
	f->gre_key_present = flags & GRE_FLAG_KEY;
	if (f->gre_key_present)
		f->gre_key = buf_get_be32(b);
	if (flags & GRE_FLAG_SEQ)
		buf_pull(b, 4);
	return !b->err && !(flags & (GRE_FLAG_ROUTING | GRE_VERSION_MASK)) &&
	       proto == GRE_PROTO_NHRP;
}

/* Ethernet, optional 802.1Q tag, IPv4 (payload bounded by total length). */
static bool nhrp_strip_frame(const uint8_t *pkt, size_t caplen, struct nhrp_frame *f)
{
	const struct ipv4_hdr *ip;
	struct buf b;
	uint16_t type;
	size_t iplen, hl;

	buf_init_read(&b, pkt, caplen);
	buf_pull(&b, 12);
	type = buf_get_be16(&b);
	if (type == ETH_TYPE_VLAN) {
		buf_pull(&b, 2);
		type = buf_get_be16(&b);
	}
	ip = buf_pull_type(&b, struct ipv4_hdr);
	if (!ip || type != ETH_TYPE_IPV4 || (ip->ver_ihl >> 4) != 4)
		return false;
	hl = ipv4_hdr_len(ip);
	iplen = ntohs(ip->total_len);
	if (hl < IPV4_HDR_LEN || !buf_pull(&b, hl - IPV4_HDR_LEN) || iplen < hl)
		return false;
	if (buf_len(&b) > iplen - hl)
		b.tail = b.head + (iplen - hl);
	f->ip_proto = ip->proto;
	if (ip->proto == IP_PROTO_GRE && !nhrp_strip_gre(&b, f))
		return false;
	if (ip->proto != IP_PROTO_GRE && ip->proto != IP_PROTO_NHRP)
		return false;
	if (buf_len(&b) > sizeof(f->data))
		return false;
	f->len = buf_len(&b);
	memcpy(f->data, buf_data(&b), f->len);
	return true;
}

int nhrp_pcap_load(const char *path, struct nhrp_frame *frames, size_t max)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *pkt;
	pcap_t *p;
	size_t n = 0;

	p = pcap_open_offline(path, errbuf);
	if (!p) {
		fprintf(stderr, "%s: %s\n", path, errbuf);
		return -1;
	}
	while (n < max && pcap_next_ex(p, &h, &pkt) == 1) {
		memset(&frames[n], 0, sizeof(frames[n]));
		if (nhrp_strip_frame(pkt, h->caplen, &frames[n]))
			n++;
	}
	pcap_close(p);
	return (int)n;
}

struct nhrp_pcap_writer {
	pcap_t *p;
	pcap_dumper_t *d;
	uint16_t ip_id;
};

struct nhrp_pcap_writer *nhrp_pcap_create(const char *path)
{
	struct nhrp_pcap_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->p = pcap_open_dead(DLT_EN10MB, 65535);
	w->d = w->p ? pcap_dump_open(w->p, path) : NULL;
	if (!w->d) {
		fprintf(stderr, "%s: %s\n", path, w->p ? pcap_geterr(w->p) : "pcap_open_dead");
		nhrp_pcap_close(w);
		return NULL;
	}
	return w;
}

/* Outer headers as Cisco sends NHRP: TOS 0xc0, TTL 255 (wire-formats.md 1). */
int nhrp_pcap_write(struct nhrp_pcap_writer *w, uint32_t src, uint32_t dst, uint32_t key,
		    const uint8_t *nhrp, size_t len)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	uint8_t frame[ETH_HDR_LEN + IPV4_HDR_LEN + sizeof(struct gre_key_hdr) + 65536];
	struct ipv4_hdr *ip;
	struct pcap_pkthdr ph = { 0 };
	struct buf b;

	buf_init_write(&b, frame, sizeof(frame));
	buf_put(&b, macs, sizeof(macs));
	buf_put_be16(&b, ETH_TYPE_IPV4);
	ip = buf_push_type(&b, struct ipv4_hdr);
	buf_put_be16(&b, GRE_FLAG_KEY);
	buf_put_be16(&b, GRE_PROTO_NHRP);
	buf_put_be32(&b, key);
	buf_put(&b, nhrp, len);
	if (b.err)
		return -1;
	*ip = (struct ipv4_hdr){
		.ver_ihl = 0x45, .tos = 0xc0, .ttl = 255, .proto = IP_PROTO_GRE,
		.total_len = htons((uint16_t)(buf_offset(&b) - ETH_HDR_LEN)),
		.id = htons(++w->ip_id), .src = src, .dst = dst,
	};
	ip->csum = cksum(ip, sizeof(*ip));
	ph.caplen = ph.len = (bpf_u_int32)buf_offset(&b);
	ph.ts.tv_sec = w->ip_id;
	pcap_dump((u_char *)w->d, &ph, frame);
	return 0;
}

void nhrp_pcap_close(struct nhrp_pcap_writer *w)
{
	if (!w)
		return;
	if (w->d)
		pcap_dump_close(w->d);
	if (w->p)
		pcap_close(w->p);
	free(w);
}
