/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Outbound ESP.  A burst in two passes: first every packet is checked and
 * framed (outer header, UDP, ESP header, IV, padding, trailer) and its
 * cryptography described (GCM: nonce and AAD in the scratch; CBC / NULL +
 * HMAC: an ipsec-mb job); then GCM runs packet after packet through the
 * direct API and the jobs go to the multi-buffer lanes together.  No state
 * machine; the only state touched is the SA's sequence counter.
 */
#include "esp_out.h"

#include <arpa/inet.h>
#include <endian.h>
#include <string.h>

#include "esp_priv.h"
#include "wire/ipv4.h"

/* Where things go, computed once per packet. */
struct esp_out_geo {
	unsigned int ihl;	/* input IPv4 header octets */
	unsigned int tot;	/* input IPv4 total length */
	unsigned int outer;	/* output IPv4 header octets */
	unsigned int udp;	/* 8 with RFC 3948 encapsulation */
	unsigned int pre;	/* octets added in front */
	unsigned int pad;	/* padding octets */
	unsigned int ct;	/* ciphertext: payload + padding + trailer */
	unsigned int out_len;	/* output packet length */
	uint8_t next_hdr;
};

static int esp_out_check_ip(const struct esp_pkt *p, bool tunnel, struct esp_out_geo *g)
{
	const struct ipv4_hdr *ip = (const struct ipv4_hdr *)p->data;

	if (p->len < IPV4_HDR_LEN || (ip->ver_ihl >> 4) != 4)
		return ESP_E_BAD_IP;
	g->ihl = ipv4_hdr_len(ip);
	g->tot = ntohs(ip->total_len);
	if (g->ihl < IPV4_HDR_LEN || g->tot < g->ihl || g->tot > p->len)
		return ESP_E_BAD_IP;
	/* RFC 4303 3.3.5: transport mode protects whole datagrams only */
	if (!tunnel && (ip->frag & htons(IPV4_FLAG_MF | IPV4_FRAG_OFF_MASK)))
		return ESP_E_BAD_IP;
	g->next_hdr = tunnel ? 4 : ip->proto;
	return ESP_OK;
}

static int esp_out_geometry(const struct esp_sa *sa, const struct esp_pkt *p,
			    struct esp_out_geo *g)
{
	const struct esp_sa_hot *h = &sa->hot;
	bool tunnel = h->flags & ESP_RT_TUNNEL;
	unsigned int align = esp_ciphers[h->cipher].align, pl, room;
	int err = esp_out_check_ip(p, tunnel, g);

	if (err)
		return err;
	g->outer = tunnel ? IPV4_HDR_LEN : g->ihl;
	g->udp = h->flags & ESP_RT_UDP ? 8 : 0;
	g->pre = (tunnel ? IPV4_HDR_LEN : 0) + g->udp + ESP_HDR_LEN + h->iv_len;
	pl = tunnel ? g->tot : g->tot - g->ihl;
	g->ct = (pl + ESP_TRAILER_LEN + align - 1) & ~(align - 1);
	if (unlikely(h->flags & ESP_RT_TEST) && (sa->cold.test.what & ESP_TEST_PAD))
		g->ct += sa->cold.test.pad_extra;
	g->pad = g->ct - pl - ESP_TRAILER_LEN;
	if (g->pad > 255)
		return ESP_E_TOO_BIG;
	g->out_len = g->outer + g->udp + ESP_HDR_LEN + h->iv_len + g->ct + h->icv_len;
	/* bytes past the IPv4 total length (Ethernet padding) are room too */
	room = p->tailroom + (p->len - g->tot);
	if (p->headroom < g->pre || room < g->pad + ESP_TRAILER_LEN + h->icv_len)
		return ESP_E_NO_ROOM;
	if (g->out_len > 65535)
		return ESP_E_TOO_BIG;
	return ESP_OK;
}

/* RFC 4303 3.3.3: never cycle; seq = 0 from the caller means "ours". */
static int esp_out_seq(struct esp_sa_hot *h, struct esp_pkt *p)
{
	uint64_t seq = p->seq ? p->seq : h->seq_out + 1;

	if (unlikely(seq == 0 || (!(h->flags & ESP_RT_ESN) && seq > UINT32_MAX)))
		return ESP_E_SEQ_OVERFLOW;
	if (!p->seq)
		h->seq_out = seq;
	p->seq = seq;
	return ESP_OK;
}

/* Tunnel mode: a fresh outer header; TOS and DF follow the inner packet
 * (RFC 4301 5.1.2.1), ID 0 when DF is set (RFC 6864 4.1). */
static void esp_out_tunnel_ip(struct esp_ctx *ctx, const struct esp_sa_hot *h,
			      uint8_t *out, const struct esp_out_geo *g)
{
	const struct ipv4_hdr *in = (const struct ipv4_hdr *)(out + g->pre);
	struct ipv4_hdr *ip = (struct ipv4_hdr *)out;
	uint16_t df = in->frag & htons(IPV4_FLAG_DF);
	uint16_t id = df ? 0 : htons(ctx->ip_id++);
	uint8_t vt[2] = { 0x45, in->tos };
	uint16_t w;
	uint32_t sum;

	memcpy(&w, vt, 2);
	memcpy(ip, vt, 2);
	ip->total_len = htons(g->out_len);
	ip->id = id;
	ip->frag = df;
	ip->ttl = 64;
	ip->proto = g->udp ? IP_PROTO_UDP : IP_PROTO_ESP;
	ip->src = h->tun_src;
	ip->dst = h->tun_dst;
	sum = h->tun_sum + w + ip->total_len + id + df;
	ip->csum = esp_fold(sum);
}

/* Transport mode: the header moves to the front; length and protocol
 * change (RFC 4303 3.1.1). */
static void esp_out_transport_ip(uint8_t *out, const struct esp_out_geo *g)
{
	esp_ip_move(out, out + g->pre, g->ihl, g->out_len, g->udp ? IP_PROTO_UDP : IP_PROTO_ESP);
}

static void esp_out_iv(struct esp_ctx *ctx, const struct esp_sa *sa, uint8_t *iv,
		       uint64_t seq)
{
	const struct esp_sa_hot *h = &sa->hot;

	if (unlikely(h->flags & ESP_RT_TEST) && (sa->cold.test.what & ESP_TEST_IV)) {
		memcpy(iv, sa->cold.test.iv, h->iv_len);
	} else if (h->cipher == SA_CIPHER_AES_GCM16) {
		uint64_t v = htobe64(seq ^ h->iv_mask);

		memcpy(iv, &v, 8);
	} else if (h->iv_len) {
		esp_iv_take(&ctx->iv, iv, h->iv_len);
	}
}

/*
 * RFC 4303 2.4-2.6: padding 1, 2, 3, ..., pad length, next header.  The pad
 * is copied in 8 or 16 octet blocks: past it lie the trailer and the ICV
 * (at least 12), written afterwards, so the spill stays inside the room
 * esp_out_geometry() checked.
 */
static void esp_out_trailer(const struct esp_sa *sa, uint8_t *t, const struct esp_out_geo *g)
{
	if (g->pad <= 8)
		memcpy(t, esp_pad_bytes, 8);
	else if (g->pad <= 16 && g->pad + ESP_TRAILER_LEN + sa->hot.icv_len >= 16)
		memcpy(t, esp_pad_bytes, 16);
	else
		memcpy(t, esp_pad_bytes, g->pad);
	t[g->pad] = (uint8_t)g->pad;
	t[g->pad + 1] = g->next_hdr;
	if (likely(!(sa->hot.flags & ESP_RT_TEST)))
		return;
	if (sa->cold.test.what & ESP_TEST_PAD)
		for (unsigned int i = 0; i < g->pad; i++)
			t[i] ^= sa->cold.test.pad_xor;
	if (sa->cold.test.what & ESP_TEST_PADLEN)
		t[g->pad] = sa->cold.test.padlen;
	if (sa->cold.test.what & ESP_TEST_NH)
		t[g->pad + 1] = sa->cold.test.next_hdr;
}

/* Headers in front of the payload, IV, trailer; returns the ESP header. */
static uint8_t *esp_out_write(struct esp_ctx *ctx, const struct esp_sa *sa,
			      struct esp_pkt *p, const struct esp_out_geo *g)
{
	const struct esp_sa_hot *h = &sa->hot;
	uint8_t *out = p->data - g->pre, *esp = out + g->outer + g->udp;
	uint32_t seq_lo = htonl((uint32_t)p->seq);

	if (h->flags & ESP_RT_TUNNEL)
		esp_out_tunnel_ip(ctx, h, out, g);
	else
		esp_out_transport_ip(out, g);
	if (g->udp) {
		struct udp_hdr *u = (struct udp_hdr *)(out + g->outer);

		memcpy(u, &h->udp_ports, 4);
		u->len = htons(g->out_len - g->outer);
		u->csum = 0;		/* RFC 3948 2.1 */
	}
	memcpy(esp, &h->spi_be, 4);
	memcpy(esp + 4, &seq_lo, 4);
	esp_out_iv(ctx, sa, esp + ESP_HDR_LEN, p->seq);
	esp_out_trailer(sa, p->data + g->tot, g);
	return esp;
}

/* CBC / NULL + HMAC: a job for the burst (RFC 4303 3.3.4: encrypt, then
 * the ICV over ESP header, IV and ciphertext). */
static void esp_out_job(IMB_JOB *job, const struct esp_sa_hot *h, struct esp_scratch *s,
			uint8_t *esp, const struct esp_out_geo *g, uint64_t seq)
{
	unsigned int hdr = ESP_HDR_LEN + h->iv_len;
	uint8_t *icv = esp + hdr + g->ct;

	esp_job_keys(job, h, s);
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->src = esp;
	job->dst = esp + hdr;		/* ipsec-mb: dst is where the cipher output starts */
	job->cipher_start_src_offset_in_bytes = hdr;
	job->msg_len_to_cipher_in_bytes = g->ct;
	job->iv = esp + ESP_HDR_LEN;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = hdr + g->ct;
	job->auth_tag_output = icv;
	job->auth_tag_output_len_in_bytes = h->icv_len;
	s->icv_at = NULL;
	if (h->flags & ESP_RT_ESN) {	/* RFC 4303 2.2.1: hash seq hi after the trailer */
		uint32_t hi = htonl((uint32_t)(seq >> 32));

		memcpy(icv, &hi, 4);
		job->msg_len_to_hash_in_bytes += 4;
		job->auth_tag_output = s->tag;
		s->icv_at = icv;
	}
}

/* Checks, sequence number, headers and trailer; the ESP header in *esp. */
static int esp_out_frame(struct esp_ctx *ctx, struct esp_pkt *p, struct esp_out_geo *g,
			 uint8_t **esp)
{
	struct esp_sa *sa = p->sa;
	int err;

	if (unlikely(!sa || (sa->hot.flags & (ESP_RT_LIVE | ESP_RT_INBOUND)) != ESP_RT_LIVE))
		return ESP_E_SA_DEAD;
	err = esp_out_geometry(sa, p, g);
	if (!err)
		err = esp_out_seq(&sa->hot, p);
	if (err)
		return err;
	*esp = esp_out_write(ctx, sa, p, g);
	/* the buffer still ends where it ended */
	p->tailroom = esp_room16((size_t)p->len + p->tailroom + g->pre - g->out_len);
	p->data -= g->pre;
	p->headroom -= g->pre;
	p->len = g->out_len;
	return ESP_OK;
}

static bool esp_out_done(IMB_JOB *job)
{
	struct esp_pkt *p = job->user_data;
	struct esp_scratch *s = job->user_data2;

	if (unlikely(job->status != IMB_STATUS_COMPLETED)) {
		p->err = ESP_E_CRYPTO;
		return false;
	}
	if (s->icv_at)
		esp_icv_copy(s->icv_at, s->tag, p->sa->hot.icv_len);
	return true;
}

/*
 * One burst, two passes: frame every packet (and describe its cryptography
 * in the scratch or a job), then run GCM packet after packet and submit the
 * jobs together (the multi-buffer lanes of CBC and HMAC).
 */
static unsigned int esp_out_burst(struct esp_ctx *ctx, struct esp_pkt *pkts, unsigned int n)
{
	IMB_JOB *jobs[ESP_BURST_MAX];
	uint8_t gcm[ESP_BURST_MAX];
	const struct esp_sa *prev = NULL;
	unsigned int i, nj = 0, ng = 0, got = 0;

	esp_iv_reserve(&ctx->iv, ctx->mgr, n * ESP_IV_MAX);
	esp_prefetch_sas(pkts, n);
	for (i = 0; i < n; i++) {
		struct esp_pkt *p = &pkts[i];
		struct esp_scratch *s = &ctx->scratch[i];
		struct esp_out_geo g;
		uint8_t *esp = NULL;
		int err = esp_out_frame(ctx, p, &g, &esp);

		p->err = (uint8_t)err;
		if (err)
			continue;
		if (p->sa != prev)	/* a run of one SA fetches its keys once */
			esp_prefetch_keys(&p->sa->hot);
		prev = p->sa;
		if (p->sa->hot.cipher == SA_CIPHER_AES_GCM16) {
			esp_gcm_prep(&p->sa->hot, s, esp, g.ct, p->seq);
			gcm[ng++] = (uint8_t)i;
			continue;
		}
		if (!got)
			got = IMB_GET_NEXT_BURST(ctx->mgr, n - i, jobs);
		if (unlikely(nj == got)) {
			p->err = ESP_E_CRYPTO;
			continue;
		}
		esp_out_job(jobs[nj], &p->sa->hot, s, esp, &g, p->seq);
		jobs[nj]->user_data = p;
		jobs[nj]->user_data2 = s;
		nj++;
	}
	for (i = 0; i < ng; i++) {
		struct esp_scratch *s = &ctx->scratch[gcm[i]];

		esp_gcm(ctx->mgr, &pkts[gcm[i]].sa->hot, true, s->ct, s->ct, s->ct_len, s->nonce,
			s->aad, s->aad_len, s->ct + s->ct_len);
	}
	return ng + esp_run(ctx, jobs, nj, esp_out_done);
}

unsigned int esp_encrypt_burst(struct esp_ctx *ctx, struct esp_pkt *pkts, unsigned int n)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i += ESP_BURST_MAX)
		ok += esp_out_burst(ctx, pkts + i, n - i < ESP_BURST_MAX ? n - i : ESP_BURST_MAX);
	return ok;
}

int esp_encrypt(struct esp_ctx *ctx, struct esp_pkt *pkt)
{
	esp_encrypt_burst(ctx, pkt, 1);
	return pkt->err;
}
