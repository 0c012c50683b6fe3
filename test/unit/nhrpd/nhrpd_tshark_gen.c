/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every message type the engine emits, as it emits it, for tshark to
 * decode (tshark_check.sh holds the expected decode).  A Phase 3 hub and
 * three spokes on a wire; each packet an engine sends is delivered and
 * written to the pcap (Ethernet / IPv4 from the sender's NBMA / GRE key
 * 999 / NHRP) in order:
 *
 *   registrations of spoke 1, spoke 2 (3, 4) and of spoke 3 from behind
 *   NAT (4 with the post-NAT CIE); a hairpin on the hub (8); spoke 1
 *   resolves (1), the hub forwards (1, hop 254), spoke 2 answers (2,
 *   prefix 24); spoke 1 resolves an unknown address (1, NAK 2 code 12);
 *   a Phase 2 hub answers from its cache (2); a purge request to the
 *   hub (6); a bad password (7, code 11); spoke 2 moves (5).
 *
 *   nhrpd_tshark_gen OUT.pcap
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "nhrp.h"
#include "nhrp_packet.h"
#include "nhrp_pcap.h"

#define KEY 999
#define NODES 5

struct gnode {
	struct nhrp *n;
	struct nhrp_if_conf ic;
	struct nhrp_route rt[4];
	uint32_t rt_plen_mask[4];
	unsigned int n_rt;
};

struct gout {
	uint32_t from, to;
	uint16_t len;
	uint8_t pkt[2048];
};

static struct gnode nodes[NODES];
static struct gout queue[64];
static unsigned int q_head, q_tail;
static struct nhrp_pcap_writer *pcap;
static struct loop *the_loop;	/* timers never run: every step is explicit */
static unsigned int frames;

static uint32_t ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

static int g_send(void *arg, uint8_t tunnel, uint32_t nbma, uint16_t port, const uint8_t *pkt,
		  size_t len)
{
	struct gnode *g = arg;
	struct gout *o = &queue[q_tail++ % 64];

	(void)tunnel;
	(void)port;
	o->from = g->ic.nbma;
	o->to = nbma;
	o->len = (uint16_t)len;
	memcpy(o->pkt, pkt, len);
	nhrp_pcap_write(pcap, o->from, o->to, KEY, pkt, len);
	frames++;
	return 0;
}

static bool g_lookup(void *arg, uint8_t tunnel, uint32_t dst, struct nhrp_route *out)
{
	struct gnode *g = arg;
	const struct nhrp_route *best = NULL;

	(void)tunnel;
	for (unsigned int i = 0; i < g->n_rt; i++)
		if ((dst & g->rt_plen_mask[i]) == g->rt[i].prefix &&
		    (!best || g->rt[i].plen > best->plen))
			best = &g->rt[i];
	if (best)
		*out = *best;
	return best != NULL;
}

static void g_route(struct gnode *g, const char *prefix, uint8_t plen, uint8_t kind, const char *via)
{
	uint32_t mask = plen ? htonl(~0u << (32 - plen)) : 0;

	g->rt_plen_mask[g->n_rt] = mask;
	g->rt[g->n_rt++] = (struct nhrp_route){ .kind = kind, .plen = plen,
						.prefix = ip(prefix) & mask,
						.via = via ? ip(via) : 0 };
}

static void g_node(int i, const char *nbma, const char *proto, bool hub, bool redirect)
{
	struct gnode *g = &nodes[i];
	struct nhrp_io io = { .arg = g, .send = g_send, .route_lookup = g_lookup };

	memset(&g->ic, 0, sizeof(g->ic));
	g->ic.network_id = 1;
	g->ic.nbma = ip(nbma);
	g->ic.proto = ip(proto);
	g->ic.plen = 24;
	g->ic.mtu = 1400;
	g->ic.holdtime = 300;
	g->ic.auth_len = 8;
	memcpy(g->ic.auth, "nhrp-pwd", 8);
	g->ic.redirect = redirect;
	g->ic.shortcut = !hub;
	if (!hub) {
		g->ic.n_nhs = 1;
		g->ic.nhs[0].proto = ip("10.0.0.1");
		g->ic.nhs[0].nbma = ip("192.0.2.1");
	}
	g->n = nhrp_new(the_loop, &io);
	g_route(g, "10.0.0.0", 24, NHRP_ROUTE_TUNNEL, NULL);
	nhrp_if_set(g->n, 0, &g->ic);
}

/* Deliver what is queued; from_nat: what spoke 3 sends arrives from its NAT. */
static void g_run(void)
{
	while (q_head != q_tail) {
		struct gout *o = &queue[q_head++ % 64];

		for (int i = 0; i < NODES; i++) {
			uint32_t from = o->from == ip("192.168.1.3") ? ip("203.0.113.3") : o->from;

			if (nodes[i].n && (nodes[i].ic.nbma == o->to ||
					   (i == 3 && o->to == ip("203.0.113.3"))))
				nhrp_recv(nodes[i].n, 0, from, 0, o->pkt, o->len);
		}
	}
}

/* A request from outside the engines (not written): the engines' answers are. */
static void g_inject(int to, const char *from, struct nhrp_msg *m)
{
	uint8_t buf[2048];
	int len = nhrp_build(m, buf, sizeof(buf));

	if (len < 0)
		abort();
	nhrp_recv(nodes[to].n, 0, ip(from), 0, buf, (size_t)len);
	g_run();
}

static void g_purge_and_bad_auth(void)
{
	static struct nhrp_msg m;
	uint32_t a[4] = { ip("198.51.100.2"), ip("10.0.0.2"), ip("10.0.0.1"), ip("10.0.0.2") };
	struct nhrp_addr an = NHRP_ADDR(&a[0], 4), as = NHRP_ADDR(&a[1], 4), ad = NHRP_ADDR(&a[2], 4);
	uint8_t val[NHRP_CISCO_AUTH_MAX];
	int alen = nhrp_cisco_auth_encode(val, "nhrp-pwd", 8);

	nhrp_msg_init(&m, NHRP_PURGE_REQUEST, &an, &as, &ad);
	m.reqid = 0x501;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 32, .proto = NHRP_ADDR(&a[3], 4) });
	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER_ADDRESS, true);
	nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, val, (uint16_t)alen);
	g_inject(0, "198.51.100.2", &m);
	alen = nhrp_cisco_auth_encode(val, "wrong", 5);
	nhrp_msg_init(&m, NHRP_REGISTRATION_REQUEST, &an, &as, &ad);
	m.reqid = 0x502;
	m.flags = NHRP_REG_FLAG_U | NHRP_REG_FLAG_NAT;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 32, .mtu = 1400, .holdtime = 300 });
	nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, val, (uint16_t)alen);
	g_inject(0, "198.51.100.2", &m);
}

/* A Phase 2 hub answers from its registrations: 10.0.0.7 registers
 * (from outside), spoke 1's address asks for it. */
static void g_phase2_cache(void)
{
	static struct nhrp_msg m;
	uint32_t a[5] = { ip("198.51.100.7"), ip("10.0.0.7"), ip("10.0.0.9"), ip("198.51.100.2"),
			  ip("10.0.0.2") };
	struct nhrp_addr an = NHRP_ADDR(&a[0], 4), as = NHRP_ADDR(&a[1], 4), ad = NHRP_ADDR(&a[2], 4);
	uint8_t val[NHRP_CISCO_AUTH_MAX];
	int alen = nhrp_cisco_auth_encode(val, "nhrp-pwd", 8);

	nhrp_msg_init(&m, NHRP_REGISTRATION_REQUEST, &an, &as, &ad);
	m.reqid = 0x301;
	m.flags = NHRP_REG_FLAG_U | NHRP_REG_FLAG_NAT;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 32, .mtu = 1400, .holdtime = 300 });
	nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, val, (uint16_t)alen);
	g_inject(4, "198.51.100.7", &m);
	an = NHRP_ADDR(&a[3], 4);
	as = NHRP_ADDR(&a[4], 4);
	ad = NHRP_ADDR(&a[1], 4);
	nhrp_msg_init(&m, NHRP_RESOLUTION_REQUEST, &an, &as, &ad);
	m.reqid = 0x401;
	m.flags = 0xc802;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .mtu = 1400, .holdtime = 300 });
	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER_ADDRESS, true);
	nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, val, (uint16_t)alen);
	g_inject(4, "198.51.100.2", &m);
}

int main(int argc, char **argv)
{
	static const uint8_t data[28] = { 0x45, 0, 0, 84, 0, 1, 0, 0, 64, 1, 0, 0,
					  10, 0, 64, 5, 10, 0, 65, 5, 8, 0, 0, 0, 0, 1, 0, 1 };
	struct nhrp_if_conf ic;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUT.pcap\n", argv[0]);
		return 2;
	}
	log_init("nhrpd-tshark-gen", LOG_LVL_ERR, NULL);
	pcap = nhrp_pcap_create(argv[1]);
	the_loop = loop_new();
	if (!pcap || !the_loop)
		return 1;
	g_node(0, "192.0.2.1", "10.0.0.1", true, true);		/* Phase 3 hub */
	g_route(&nodes[0], "10.0.65.0", 24, NHRP_ROUTE_TUNNEL, "10.0.0.3");
	g_run();
	g_node(1, "198.51.100.2", "10.0.0.2", false, false);
	g_run();
	g_node(2, "198.51.100.3", "10.0.0.3", false, false);
	g_route(&nodes[2], "10.0.65.0", 24, NHRP_ROUTE_LOCAL, NULL);
	g_run();
	g_node(3, "192.168.1.3", "10.0.0.4", false, false);	/* behind NAT */
	g_run();
	nhrp_hairpin(nodes[0].n, 0, ip("10.0.64.5"), ip("10.0.65.5"), ip("198.51.100.2"), data,
		     sizeof(data));
	g_run();
	nhrp_miss(nodes[1].n, 0, ip("10.0.0.99"), ip("10.0.64.5"), 0);
	g_run();
	g_node(4, "192.0.2.9", "10.0.0.9", true, false);		/* Phase 2 hub */
	g_phase2_cache();
	g_purge_and_bad_auth();
	/* spoke 2 moves: purges claim the old address, sent from the new one */
	ic = nodes[2].ic;
	ic.nbma = ip("198.51.100.33");
	nodes[2].ic.nbma = ic.nbma;
	nhrp_if_set(nodes[2].n, 0, &ic);
	nodes[2].ic = ic;
	g_run();
	nhrp_pcap_close(pcap);
	for (int i = 0; i < NODES; i++)
		nhrp_free(nodes[i].n);
	loop_free(the_loop);
	printf("%u frames\n", frames);
	return 0;
}
