/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound ESP.  A burst in two passes: first every packet is parsed and
 * checked (SA, lengths, anti-replay) and its cryptography described (GCM:
 * nonce and AAD in the scratch; CBC / NULL + HMAC: an ipsec-mb job, ICV
 * then decryption); then GCM runs packet after packet and the jobs go to the
 * multi-buffer lanes together, and each packet is finished: ICV compared,
 * window updated, padding and next header checked, ESP stripped.  State
 * touched: the SA's replay window, after verification only.
 */
#include "esp_in.h"

#include <arpa/inet.h>
#include <string.h>

#include "esp_priv.h"
#include "wire/ipv4.h"

static uint32_t esp_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

/* RFC 3948 2.1-2.3: past the UDP header, ESP starts with a non-zero SPI;
 * four zero octets are the non-ESP marker (IKE), one 0xff a keepalive. */
static int esp_in_parse_udp(const uint8_t *data, unsigned int *off, unsigned int *end)
{
	const struct udp_hdr *u = (const struct udp_hdr *)(data + *off);
	unsigned int ulen;

	if (*end - *off < sizeof(*u))
		return ESP_E_TRUNCATED;
	ulen = ntohs(u->len);
	if (ulen < sizeof(*u) || ulen > *end - *off)
		return ESP_E_TRUNCATED;
	*end = *off + ulen;
	*off += sizeof(*u);
	if (*end - *off < 4 || esp_be32(data + *off) == 0)
		return ESP_E_NOT_ESP;
	return ESP_OK;
}

int esp_in_parse(const uint8_t *data, uint32_t len, struct esp_in_info *info)
{
	const struct ipv4_hdr *ip = (const struct ipv4_hdr *)data;
	unsigned int ihl, off, end;
	int err = ESP_OK;

	if (len < IPV4_HDR_LEN)
		return ESP_E_TRUNCATED;
	if ((ip->ver_ihl >> 4) != 4 || (ip->frag & htons(IPV4_FLAG_MF | IPV4_FRAG_OFF_MASK)))
		return ESP_E_NOT_ESP;
	ihl = ipv4_hdr_len(ip);
	end = ntohs(ip->total_len);
	if (ihl < IPV4_HDR_LEN || end < ihl)
		return ESP_E_NOT_ESP;
	if (end > len)
		return ESP_E_TRUNCATED;
	off = ihl;
	info->udp = ip->proto == IP_PROTO_UDP;
	if (info->udp)
		err = esp_in_parse_udp(data, &off, &end);
	else if (ip->proto != IP_PROTO_ESP)
		err = ESP_E_NOT_ESP;
	if (err)
		return err;
	if (end - off < ESP_HDR_LEN)
		return ESP_E_TRUNCATED;
	info->spi = esp_be32(data + off);
	info->seq = esp_be32(data + off + 4);
	info->dst = ip->dst;
	info->ihl = (uint16_t)ihl;
	info->esp_off = (uint16_t)off;
	info->esp_len = (uint16_t)(end - off);
	return ESP_OK;
}

/* Where the parts of one packet are, between the checks and the end. */
struct esp_in_geo {
	uint16_t ihl;			/* outer IPv4 header */
	uint16_t esp_off;		/* ESP header from data */
	uint16_t ct_len;		/* ciphertext octets */
};

/* SA, framing and length checks. */
static int esp_in_check(const struct esp_pkt *p, struct esp_in_info *info, struct esp_in_geo *g)
{
	const struct esp_sa_hot *h;
	unsigned int fixed;
	int err;

	if (!p->sa)
		return ESP_E_BAD_SPI;
	h = &p->sa->hot;
	if (unlikely((h->flags & (ESP_RT_LIVE | ESP_RT_INBOUND)) != (ESP_RT_LIVE | ESP_RT_INBOUND)))
		return ESP_E_SA_DEAD;
	err = esp_in_parse(p->data, p->len, info);
	if (err)
		return err;
	if (htonl(info->spi) != h->spi_be)
		return ESP_E_BAD_SPI;
	if (info->udp != !!(h->flags & ESP_RT_UDP))
		return ESP_E_ENCAP;
	fixed = ESP_HDR_LEN + h->iv_len + h->icv_len;
	if (info->esp_len < fixed + ESP_TRAILER_LEN)
		return ESP_E_TRUNCATED;
	g->ct_len = (uint16_t)(info->esp_len - fixed);
	if (g->ct_len & (esp_ciphers[h->cipher].block - 1))	/* blocks: powers of 2 */
		return ESP_E_BAD_LEN;
	g->ihl = info->ihl;
	g->esp_off = info->esp_off;
	return ESP_OK;
}

/* RFC 4303 3.4.3: before any cryptography.  ESN: Appendix A2.2. */
static int esp_in_replay_check(struct esp_pkt *p, uint32_t seq_lo)
{
	const struct esp_sa_hot *h = &p->sa->hot;
	uint64_t seq = h->flags & ESP_RT_ESN ? replay_esn_infer(&h->rw, seq_lo) : seq_lo;
	int r;

	p->seq = seq;
	if (seq == 0)
		return ESP_E_TOO_OLD;
	if (h->flags & ESP_RT_NO_REPLAY)
		return ESP_OK;
	r = replay_check(&h->rw, &h->bitmap, seq);
	return r == REPLAY_OK ? ESP_OK : r == REPLAY_DUP ? ESP_E_REPLAY : ESP_E_TOO_OLD;
}

/* CBC / NULL + HMAC: a job for the burst, hash then decrypt (HASH_CIPHER):
 * the ICV is computed over what was received (RFC 4303 3.4.4.1) and
 * compared afterwards; a packet that fails is dropped, never returned. */
static void esp_in_job(IMB_JOB *job, const struct esp_sa_hot *h, struct esp_scratch *s,
		       uint8_t *esp, uint64_t seq)
{
	unsigned int hdr = ESP_HDR_LEN + h->iv_len;

	esp_job_keys(job, h, s);
	job->cipher_direction = IMB_DIR_DECRYPT;
	job->chain_order = IMB_ORDER_HASH_CIPHER;
	job->src = esp;
	job->dst = esp + hdr;		/* ipsec-mb: dst is where the cipher output starts */
	job->cipher_start_src_offset_in_bytes = hdr;
	job->msg_len_to_cipher_in_bytes = s->ct_len;
	job->iv = esp + ESP_HDR_LEN;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = hdr + s->ct_len;
	job->auth_tag_output = s->tag;
	job->auth_tag_output_len_in_bytes = h->icv_len;
	s->icv_at = esp + hdr + s->ct_len;
	s->icv_moved = false;
	if (h->flags & ESP_RT_ESN) {	/* RFC 4303 2.2.1: seq hi where the ICV was */
		uint32_t hi = htonl((uint32_t)(seq >> 32));

		esp_icv_copy(s->icv, s->icv_at, h->icv_len);
		memcpy(s->icv_at, &hi, 4);
		s->icv_moved = true;
		job->msg_len_to_hash_in_bytes += 4;
	}
}

/* Constant time: the time taken says nothing about where the ICVs differ.
 * ICVs are 12 or 16 octets. */
static bool esp_icv_equal(const uint8_t *a, const uint8_t *b, unsigned int n)
{
	uint64_t a0, b0, a1 = 0, b1 = 0;
	uint32_t a2, b2;

	memcpy(&a0, a, 8);
	memcpy(&b0, b, 8);
	if (n == 16) {
		memcpy(&a1, a + 8, 8);
		memcpy(&b1, b + 8, 8);
	} else {
		memcpy(&a2, a + 8, 4);
		memcpy(&b2, b + 8, 4);
		a1 = a2;
		b1 = b2;
	}
	return ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static int esp_in_replay_update(struct esp_pkt *p)
{
	struct esp_sa_hot *h = &p->sa->hot;
	int r;

	if (h->flags & ESP_RT_NO_REPLAY) {
		replay_advance(&h->rw, p->seq);
		return ESP_OK;
	}
	/* checks again: the same number twice in one burst */
	r = replay_update(&h->rw, &h->bitmap, p->seq);
	return r == REPLAY_OK ? ESP_OK : r == REPLAY_DUP ? ESP_E_REPLAY : ESP_E_TOO_OLD;
}

/* RFC 4303 2.4: padding 1, 2, 3, ...; pad length within the ciphertext. */
static int esp_in_trailer(const struct esp_sa_hot *h, const uint8_t *pt, unsigned int ct,
			  unsigned int *inner_len, uint8_t *nh)
{
	unsigned int padlen = pt[ct - 2];
	const uint8_t *pad = pt + ct - ESP_TRAILER_LEN - padlen;
	uint8_t bad = 0;

	*nh = pt[ct - 1];
	if (padlen + ESP_TRAILER_LEN > ct)
		return ESP_E_BAD_PAD;
	for (unsigned int i = 0; i < padlen; i++)
		bad |= pad[i] ^ (uint8_t)(i + 1);
	if (bad)
		return ESP_E_BAD_PAD;
	if (h->next_hdr && *nh != h->next_hdr)
		return ESP_E_NEXT_HDR;
	*inner_len = ct - ESP_TRAILER_LEN - padlen;
	return ESP_OK;
}

/* Transport mode: the outer header (options and all) moves up to the
 * payload, protocol = next header (RFC 4303 3.4.4.1, RFC 3948 3.1.2). */
static uint8_t *esp_in_transport_ip(uint8_t *data, uint8_t *pt, unsigned int ihl,
				    unsigned int inner_len, uint8_t nh)
{
	esp_ip_move(pt - ihl, data, ihl, ihl + inner_len, nh);
	return pt - ihl;
}

static int esp_in_strip(struct esp_pkt *p, const struct esp_in_geo *g)
{
	const struct esp_sa_hot *h = &p->sa->hot;
	uint8_t *pt = p->data + g->esp_off + ESP_HDR_LEN + h->iv_len, *out;
	uint8_t *end = p->data + p->len + p->tailroom;
	unsigned int inner_len;
	uint8_t nh;
	int err = esp_in_trailer(h, pt, g->ct_len, &inner_len, &nh);

	if (err)
		return err;
	if (h->flags & ESP_RT_TUNNEL) {
		out = pt;
		p->len = inner_len;
	} else {
		out = esp_in_transport_ip(p->data, pt, g->ihl, inner_len, nh);
		p->len = g->ihl + inner_len;
	}
	p->headroom = esp_room16(p->headroom + (size_t)(out - p->data));
	p->data = out;
	p->tailroom = esp_room16((size_t)(end - (out + p->len)));
	p->next_hdr = nh;
	return ESP_OK;
}

/* After the cryptography: ICV, then window (only now, RFC 4303 3.4.3),
 * then padding and next header. */
static int esp_in_accept(struct esp_pkt *p, const struct esp_in_geo *g, const uint8_t *tag,
			 const uint8_t *icv)
{
	int err;

	if (!esp_icv_equal(tag, icv, p->sa->hot.icv_len))
		return ESP_E_AUTH;
	err = esp_in_replay_update(p);
	return err ? err : esp_in_strip(p, g);
}

static bool esp_in_done(IMB_JOB *job)
{
	struct esp_pkt *p = job->user_data;
	struct esp_scratch *s = job->user_data2;
	struct esp_in_geo g = { s->ihl, s->esp_off, s->ct_len };

	if (unlikely(job->status != IMB_STATUS_COMPLETED))
		p->err = ESP_E_CRYPTO;
	else
		p->err = esp_in_accept(p, &g, s->tag, s->icv_moved ? s->icv : s->icv_at);
	return p->err == ESP_OK;
}

/*
 * One burst, two passes: checks and anti-replay for every packet, each
 * one's cryptography described in the scratch (GCM) or a job (the others);
 * then GCM packet after packet and the jobs submitted together.
 */
static unsigned int esp_in_burst(struct esp_ctx *ctx, struct esp_pkt *pkts, unsigned int n)
{
	IMB_JOB *jobs[ESP_BURST_MAX];
	uint8_t gcm[ESP_BURST_MAX];
	const struct esp_sa *prev = NULL;
	unsigned int i, nj = 0, ng = 0, got = 0, ok = 0;

	esp_prefetch_sas(pkts, n);
	for (i = 0; i < n; i++) {
		struct esp_pkt *p = &pkts[i];
		struct esp_scratch *s = &ctx->scratch[i];
		struct esp_in_info info;
		struct esp_in_geo g = { 0 };
		int err = esp_in_check(p, &info, &g);

		if (!err)
			err = esp_in_replay_check(p, info.seq);
		p->err = (uint8_t)err;
		if (err)
			continue;
		if (p->sa != prev)	/* a run of one SA fetches its keys once */
			esp_prefetch_keys(&p->sa->hot);
		prev = p->sa;
		s->ihl = g.ihl;
		s->esp_off = g.esp_off;
		s->ct_len = g.ct_len;
		if (p->sa->hot.cipher == SA_CIPHER_AES_GCM16) {
			esp_gcm_prep(&p->sa->hot, s, p->data + g.esp_off, g.ct_len, p->seq);
			gcm[ng++] = (uint8_t)i;
			continue;
		}
		if (!got)
			got = IMB_GET_NEXT_BURST(ctx->mgr, n - i, jobs);
		if (unlikely(nj == got)) {
			p->err = ESP_E_CRYPTO;
			continue;
		}
		esp_in_job(jobs[nj], &p->sa->hot, s, p->data + g.esp_off, p->seq);
		jobs[nj]->user_data = p;
		jobs[nj]->user_data2 = s;
		nj++;
	}
	for (i = 0; i < ng; i++) {
		struct esp_pkt *p = &pkts[gcm[i]];
		struct esp_scratch *s = &ctx->scratch[gcm[i]];
		struct esp_in_geo g = { s->ihl, s->esp_off, s->ct_len };

		esp_gcm(ctx->mgr, &p->sa->hot, false, s->ct, s->ct, s->ct_len, s->nonce, s->aad,
			s->aad_len, s->tag);
		p->err = esp_in_accept(p, &g, s->tag, s->ct + s->ct_len);
		ok += p->err == ESP_OK;
	}
	return ok + esp_run(ctx, jobs, nj, esp_in_done);
}

unsigned int esp_decrypt_burst(struct esp_ctx *ctx, struct esp_pkt *pkts, unsigned int n)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i += ESP_BURST_MAX)
		ok += esp_in_burst(ctx, pkts + i, n - i < ESP_BURST_MAX ? n - i : ESP_BURST_MAX);
	return ok;
}

int esp_decrypt(struct esp_ctx *ctx, struct esp_pkt *pkt)
{
	esp_decrypt_burst(ctx, pkt, 1);
	return pkt->err;
}
