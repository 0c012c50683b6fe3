/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "esp_test.h"
#include "wire/gre.h"
#include "wire/ipv4.h"

struct esp_ctx *et_ctx;

unsigned int et_stride(void)
{
	const char *v = getenv("ESP_TEST_LIGHT");

	return v && *v && *v != '0' ? 7 : 1;
}

void et_cfg(struct shm_sa *c, uint8_t cipher, uint8_t integ, uint8_t key_len,
	    uint8_t mode, uint32_t flags, uint32_t spi, uint8_t seed)
{
	static const uint8_t integ_len[] = { 0, 20, 32, 16 };

	memset(c, 0, sizeof(*c));
	c->state = SHM_SLOT_USED;
	c->flags = flags;
	c->spi = spi;
	c->cipher = cipher;
	c->integ = integ;
	c->mode = mode;
	c->cipher_key_len = key_len;
	c->integ_key_len = integ_len[integ];
	for (unsigned int i = 0; i < SA_KEY_MAX; i++)
		c->cipher_key[i] = (uint8_t)(seed * 31 + i * 7 + 1);
	for (unsigned int i = 0; i < SA_AUTH_KEY_MAX; i++)
		c->integ_key[i] = (uint8_t)(seed * 17 + i * 13 + 5);
	c->salt = htonl(0xcafe0000u | seed);
	c->local = inet_addr("192.0.2.1");
	c->remote = inet_addr("192.0.2.2");
	c->sport = 4500;
	c->dport = 4500;
}

void et_pair(struct esp_sa *out, struct esp_sa *in, const struct shm_sa *c)
{
	struct shm_sa o = *c, i = *c;

	o.flags &= ~SA_F_INBOUND;
	i.flags |= SA_F_INBOUND;
	ck_assert_int_eq(esp_sa_init(out, &o), 0);
	ck_assert_int_eq(esp_sa_init(in, &i), 0);
}

unsigned int et_gre_packet(struct et_buf *b, unsigned int payload, uint8_t fill)
{
	uint8_t *p = b->mem + ET_HEAD;
	struct ipv4_hdr *ip = (struct ipv4_hdr *)p;
	struct gre_key_hdr *gre = (struct gre_key_hdr *)(p + IPV4_HDR_LEN);
	unsigned int len = IPV4_HDR_LEN + sizeof(*gre) + payload;

	memset(b->mem, 0xee, sizeof(b->mem));
	ip->ver_ihl = 0x45;
	ip->tos = 0;
	ip->total_len = htons(len);
	ip->id = htons(0x1234);
	ip->frag = htons(IPV4_FLAG_DF);
	ip->ttl = 255;
	ip->proto = IP_PROTO_GRE;
	ip->csum = 0;
	ip->src = inet_addr("192.0.2.1");
	ip->dst = inet_addr("192.0.2.2");
	ip->csum = cksum(ip, IPV4_HDR_LEN);
	gre->flags = htons(GRE_FLAG_KEY);
	gre->proto = htons(GRE_PROTO_IPV4);
	gre->key = htonl(42);
	for (unsigned int i = 0; i < payload; i++)
		p[IPV4_HDR_LEN + sizeof(*gre) + i] = (uint8_t)(fill + i);
	return len;
}

void et_pkt(struct esp_pkt *p, struct et_buf *b, unsigned int len, struct esp_sa *sa)
{
	memset(p, 0, sizeof(*p));
	p->data = b->mem + ET_HEAD;
	p->len = len;
	p->headroom = ET_HEAD;
	p->tailroom = ET_BUF - ET_HEAD - len;
	p->sa = sa;
}

void et_pkt_copy(struct esp_pkt *p, struct et_buf *b, const uint8_t *data,
		 unsigned int len, struct esp_sa *sa)
{
	memset(b->mem, 0xee, sizeof(b->mem));
	memcpy(b->mem + ET_HEAD, data, len);
	et_pkt(p, b, len, sa);
}

bool et_ip_csum_ok(const uint8_t *ip)
{
	return cksum(ip, (ip[0] & 15) * 4u) == 0;
}

struct esp_sa *et_sa_alloc(unsigned int n)
{
	void *p = aligned_alloc(64, n * sizeof(struct esp_sa));

	ck_assert_ptr_nonnull(p);
	memset(p, 0, n * sizeof(struct esp_sa));
	return p;
}

void et_free(void *p)
{
	free(p);
}
