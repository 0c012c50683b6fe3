/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table tests of the hub's behaviour: one numbered case per rule (codes
 * are RFC 2332's: 14 unique registered, 11 authentication, 1 unknown
 * extension, 15 hop count, 3 loop, 12 no binding).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "nhrpd_test.h"

#define HUB_NBMA "192.0.2.1"
#define HUB "10.0.0.1"
#define PW "nhrp-pwd"

static uint8_t pkt[NHRP_FRAME_MAX];
static struct nhrp_msg got;

static struct tnode *hub_new(bool redirect)
{
	struct nhrp_if_conf ic;
	struct tnode *t;

	tconf(&ic, HUB_NBMA, HUB, 1400, 300, PW);
	ic.redirect = redirect;
	t = tnode_new("hub", &ic);
	tnode_route(t, "10.0.0.0/24", NHRP_ROUTE_TUNNEL, NULL);	/* the tunnel subnet */
	tnode_route(t, "10.1.0.0/24", NHRP_ROUTE_LOCAL, NULL);	/* its LAN */
	tnode_route(t, "10.0.65.0/24", NHRP_ROUTE_TUNNEL, "10.0.0.3");
	return t;
}

/* A registration from nbma for proto; returns the reply's first CIE code
 * (-1: no reply). */
static int reg(struct tnode *hub, const char *nbma, const char *proto, uint32_t id, uint16_t flags,
	       uint16_t hold)
{
	size_t len = tbuild_reg(pkt, nbma, proto, HUB, id, flags, hold, PW, HUB_NBMA, HUB);
	struct tsent s;

	tnode_recv(hub, nbma, pkt, len);
	if (!tnode_take(hub, NHRP_REGISTRATION_REPLY, &s))
		return -1;
	tparse(&s, &got);
	ck_assert_uint_eq(got.reqid, id);
	ck_assert_uint_eq(got.ncies, 1);
	return got.cies[0].code;
}

/* The Error Indication the hub sent back to nbma. */
static void expect_error(struct tnode *t, const char *nbma, uint16_t code, uint16_t offset,
			 const char *dst, size_t quoted)
{
	struct tsent s;

	ck_assert_msg(tnode_take(t, NHRP_ERROR_INDICATION, &s), "no error indication %u", code);
	ck_assert_uint_eq(s.nbma, ip(nbma));
	tparse(&s, &got);
	ck_assert_uint_eq(got.error.code, code);
	ck_assert_uint_eq(got.error.offset, offset);
	ck_assert_uint_eq(got.hopcnt, 255);
	tcheck_addr(&got.src_nbma, t->ic.nbma == ip(HUB_NBMA) ? HUB_NBMA : "198.51.100.3");
	tcheck_addr(&got.dst_proto, dst);
	ck_assert_uint_eq(got.payload.len, quoted);
	ck_assert_mem_eq(got.payload.p, pkt, quoted);
	/* Cisco (OpenNHRP): End and 16 zero octets, no extension */
	ck_assert(got.ext_part);
	ck_assert_uint_eq(got.nexts, 0);
	ck_assert(got.ext_end);
	ck_assert_uint_eq(got.ext_trailer.len, 16);
	ck_assert_int_eq(tnode_count(t, 0), 0);
}

/* 1: a unique registration holds its address against another NBMA. */
START_TEST(t01_unique_conflict)
{
	struct tnode *hub = hub_new(false);

	ck_assert_int_eq(reg(hub, "198.51.100.2", "10.0.0.2", 1, 0x8002, 300), 0);
	ck_assert_int_eq(reg(hub, "198.51.100.99", "10.0.0.2", 7, 0x8002, 300), 14);
	ck_assert_int_eq(reg(hub, "198.51.100.99", "10.0.0.2", 8, 0x0002, 300), 14);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_UNIQUE_CONFLICT), 2);
	ck_assert_uint_eq(tnode_peer(hub, "10.0.0.2")->p.nbma, ip("198.51.100.2"));
	/* the same NBMA refreshes */
	ck_assert_int_eq(reg(hub, "198.51.100.2", "10.0.0.2", 2, 0x8002, 300), 0);
	/* without U, another NBMA takes the address over */
	ck_assert_int_eq(reg(hub, "198.51.100.3", "10.0.0.3", 1, 0x0002, 300), 0);
	ck_assert_int_eq(reg(hub, "198.51.100.4", "10.0.0.3", 1, 0x0002, 300), 0);
	ck_assert_uint_eq(tnode_peer(hub, "10.0.0.3")->p.nbma, ip("198.51.100.4"));
	/* nobody registers our own address */
	ck_assert_int_eq(reg(hub, "198.51.100.5", HUB, 1, 0x8002, 300), 14);
	tnode_free(hub);
}
END_TEST

/* 2: a wrong or missing password: dropped, error 11, counted. */
START_TEST(t02_auth_mismatch)
{
	struct tnode *hub = hub_new(false);
	size_t len;
	uint16_t off;

	len = tbuild_reg(pkt, "198.51.100.2", "10.0.0.2", HUB, 1, 0x8002, 300, "wrong", NULL, NULL);
	ck_assert_int_eq(nhrp_parse(pkt, len, &got, NULL), 0);
	off = nhrp_msg_find_ext_const(&got, NHRP_EXT_AUTHENTICATION)->offset;
	tnode_recv(hub, "198.51.100.2", pkt, len);
	ck_assert_int_eq(tnode_count(hub, NHRP_REGISTRATION_REPLY), 0);
	expect_error(hub, "198.51.100.2", NHRP_ERR_AUTH_FAILURE, off, "10.0.0.2", len);
	ck_assert_ptr_null(tnode_peer(hub, "10.0.0.2"));
	len = tbuild_reg(pkt, "198.51.100.2", "10.0.0.2", HUB, 2, 0x8002, 300, NULL, NULL, NULL);
	tnode_recv(hub, "198.51.100.2", pkt, len);
	ck_assert(tnode_take(hub, NHRP_ERROR_INDICATION, NULL));
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_AUTH_FAIL), 2);
	ck_assert_uint_eq(nhrp_cache_count(hub->n), 0);
	tnode_free(hub);
}
END_TEST

/* A registration request with one extra extension before End. */
static size_t reg_with_ext(uint16_t word)
{
	static struct nhrp_msg m;
	static const uint8_t val[3] = { 1, 2, 3 };
	size_t len = tbuild_reg(pkt, "198.51.100.2", "10.0.0.2", HUB, 9, 0x8002, 300, PW, NULL, NULL);
	int n;

	ck_assert_int_eq(nhrp_parse(pkt, len, &m, NULL), 0);
	ck_assert_ptr_nonnull(nhrp_msg_add_ext_raw(&m, word & NHRP_EXT_TYPE_MASK,
						   word & NHRP_EXT_COMPULSORY, val, 3));
	n = nhrp_build(&m, pkt + NHRP_FRAME_MAX / 2, NHRP_FRAME_MAX / 2);
	ck_assert_int_gt(n, 0);
	memmove(pkt, pkt + NHRP_FRAME_MAX / 2, (size_t)n);
	return (size_t)n;
}

/* 3: an unknown compulsory extension: error 1 at its offset; an unknown
 * non-compulsory one is returned unchanged. */
START_TEST(t03_unknown_compulsory)
{
	struct tnode *hub = hub_new(false);
	size_t len = reg_with_ext(0x8000 | 0x20);
	struct tsent s;

	ck_assert_int_eq(nhrp_parse(pkt, len, &got, NULL), 0);
	tnode_recv(hub, "198.51.100.2", pkt, len);
	expect_error(hub, "198.51.100.2", NHRP_ERR_UNRECOGNIZED_EXTENSION,
		     nhrp_parse(pkt, len, &got, NULL) == 0 ? got.exts[got.nexts - 1].offset : 0,
		     "10.0.0.2", len);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_UNKNOWN_EXT), 1);
	ck_assert_ptr_null(tnode_peer(hub, "10.0.0.2"));
	len = reg_with_ext(0x20);
	tnode_recv(hub, "198.51.100.2", pkt, len);
	ck_assert(tnode_take(hub, NHRP_REGISTRATION_REPLY, &s));
	tparse(&s, &got);
	ck_assert_uint_eq(got.cies[0].code, 0);
	ck_assert_uint_eq(got.exts[got.nexts - 1].type, 0x20);
	ck_assert(!got.exts[got.nexts - 1].compulsory);
	ck_assert_uint_eq(got.exts[got.nexts - 1].val.len, 3);
	tnode_free(hub);
}
END_TEST

/* 4: forwarding with hop count 0 or 1 (we never send 0): error 15. */
START_TEST(t04_hop_count)
{
	static const struct {
		uint8_t hop;
		bool forwarded;
	} v[] = { { 0, false }, { 1, false }, { 2, true }, { 255, true } };
	struct tnode *hub = hub_new(true);

	ck_assert_int_eq(reg(hub, "198.51.100.2", "10.0.0.2", 1, 0x8002, 300), 0);
	ck_assert_int_eq(reg(hub, "198.51.100.3", "10.0.0.3", 1, 0x8002, 300), 0);
	for (unsigned int i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t len = tbuild_res(pkt, "198.51.100.2", "10.0.0.2", "10.0.65.7", 100 + i,
					v[i].hop, PW, NULL, NULL);
		struct tsent s;

		tnode_recv(hub, "198.51.100.2", pkt, len);
		if (!v[i].forwarded) {
			expect_error(hub, "198.51.100.2", NHRP_ERR_HOP_COUNT_EXCEEDED,
				     offsetof(struct nhrp_fixed_hdr, hopcnt), "10.0.0.2", len);
			continue;
		}
		ck_assert_msg(tnode_take(hub, NHRP_RESOLUTION_REQUEST, &s), "case %u", i);
		ck_assert_uint_eq(s.nbma, ip("198.51.100.3"));
		tparse(&s, &got);
		ck_assert_uint_eq(got.hopcnt, v[i].hop - 1);
	}
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_HOP_EXCEEDED), 2);
	tnode_free(hub);
}
END_TEST

/* 5: our own address in Forward Transit: loop, error 3 (not FRR's 2). */
START_TEST(t05_loop)
{
	struct tnode *hub = hub_new(true);
	size_t len;

	ck_assert_int_eq(reg(hub, "198.51.100.3", "10.0.0.3", 1, 0x8002, 300), 0);
	len = tbuild_res(pkt, "198.51.100.2", "10.0.0.2", "10.0.65.7", 5, 250, PW, HUB_NBMA, HUB);
	ck_assert_int_eq(nhrp_parse(pkt, len, &got, NULL), 0);
	tnode_recv(hub, "203.0.113.7", pkt, len);
	expect_error(hub, "203.0.113.7", NHRP_ERR_LOOP_DETECTED,
		     nhrp_parse(pkt, len, &got, NULL) == 0
			     ? nhrp_msg_find_ext_const(&got, NHRP_EXT_FORWARD_TRANSIT)->offset : 0,
		     "10.0.0.2", len);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_LOOP), 1);
	tnode_free(hub);
}
END_TEST

/* 6: nothing known about the address: NAK, CIE code 12 (not FRR's 11),
 * to the requester, request id kept. */
START_TEST(t06_nak_no_binding)
{
	static const char *const dsts[] = { "10.0.0.77", "172.16.0.1", "10.0.65.1" };
	struct tnode *hub = hub_new(false);

	for (unsigned int i = 0; i < 3; i++) {
		size_t len = tbuild_res(pkt, "198.51.100.2", "10.0.0.2", dsts[i], 40 + i, 255, PW,
					NULL, NULL);
		struct tsent s;

		tnode_recv(hub, "198.51.100.2", pkt, len);
		ck_assert_msg(tnode_take(hub, NHRP_RESOLUTION_REPLY, &s), "case %u", i);
		ck_assert_uint_eq(s.nbma, ip("198.51.100.2"));
		tparse(&s, &got);
		ck_assert_uint_eq(got.reqid, 40 + i);
		ck_assert_uint_eq(got.ncies, 1);
		ck_assert_uint_eq(got.cies[0].code, NHRP_CIE_NO_BINDING);
		ck_assert_uint_eq(got.cies[0].code, 12);
		tcheck_addr(&got.dst_proto, dsts[i]);
		ck_assert_uint_eq(got.hopcnt, 255);
	}
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_RES_NAK), 3);
	tnode_free(hub);
}
END_TEST

/* 7: the same request id again and again (a restarted Cisco spoke starts
 * at 1, nhrp.pcapng): each one is a valid refresh. */
START_TEST(t07_repeated_id)
{
	struct tnode *hub = hub_new(false);

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(reg(hub, "198.51.100.2", "10.0.0.2", 1, 0x8002, 300), 0);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_REG_ACCEPTED), 4);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_REG_REFRESHED), 3);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_UNIQUE_CONFLICT), 0);
	ck_assert_uint_eq(nhrp_cache_count(hub->n), 1);
	tnode_free(hub);
}
END_TEST

/* 8: holdtime expiry removes the entry and its adjacency; a refresh
 * before then moves the expiry. */
START_TEST(t08_holdtime_expiry)
{
	struct tnode *hub = hub_new(false);

	ck_assert_int_eq(reg(hub, "198.51.100.2", "10.0.0.2", 1, 0x8002, 10), 0);
	tclock(8000);
	ck_assert_int_eq(reg(hub, "198.51.100.2", "10.0.0.2", 2, 0x8002, 10), 0);
	tclock(8000);
	ck_assert_ptr_nonnull(tnode_peer(hub, "10.0.0.2"));
	tclock(2500);
	ck_assert_ptr_null(tnode_peer(hub, "10.0.0.2"));
	ck_assert_uint_eq(hub->peer_dels, 1);
	ck_assert_uint_eq(nhrp_cache_count(hub->n), 0);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_REG_EXPIRED), 1);
	tnode_free(hub);
}
END_TEST

/* A Purge Request for proto from src, N as given. */
static size_t purge_req(const char *src_nbma, const char *src, const char *proto, bool no_reply)
{
	static struct nhrp_msg m;
	uint32_t a[3] = { ip(src_nbma), ip(src), ip(proto) };
	uint32_t hub = ip(HUB);
	struct nhrp_addr an = NHRP_ADDR(&a[0], 4), as = NHRP_ADDR(&a[1], 4),
			 ad = NHRP_ADDR(&hub, 4);
	uint8_t val[NHRP_CISCO_AUTH_MAX];
	int alen = nhrp_cisco_auth_encode(val, PW, strlen(PW)), n;

	nhrp_msg_init(&m, NHRP_PURGE_REQUEST, &an, &as, &ad);
	m.flags = no_reply ? NHRP_PURGE_FLAG_N : 0;
	m.reqid = 77;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 32, .proto = NHRP_ADDR(&a[2], 4) });
	nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, val, (uint16_t)alen);
	n = nhrp_build(&m, pkt, sizeof(pkt));
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* 9: a purge from the client removes its registration (and its
 * adjacency), with a reply unless N; nobody else may purge it. */
START_TEST(t09_purge)
{
	struct tnode *hub = hub_new(false);
	struct tsent s;
	size_t len;

	ck_assert_int_eq(reg(hub, "198.51.100.2", "10.0.0.2", 1, 0x8002, 300), 0);
	ck_assert_int_eq(reg(hub, "198.51.100.3", "10.0.0.3", 1, 0x8002, 300), 0);
	len = purge_req("198.51.100.3", "10.0.0.3", "10.0.0.2", false);	/* not its own */
	tnode_recv(hub, "198.51.100.3", pkt, len);
	ck_assert_ptr_nonnull(tnode_peer(hub, "10.0.0.2"));
	ck_assert(tnode_take(hub, NHRP_PURGE_REPLY, NULL));
	len = purge_req("198.51.100.2", "10.0.0.2", "10.0.0.2", false);
	tnode_recv(hub, "198.51.100.2", pkt, len);
	ck_assert_ptr_null(tnode_peer(hub, "10.0.0.2"));
	ck_assert(tnode_take(hub, NHRP_PURGE_REPLY, &s));
	tparse(&s, &got);
	ck_assert_uint_eq(got.reqid, 77);
	ck_assert_uint_eq(got.ncies, 1);
	tcheck_addr(&got.cies[0].proto, "10.0.0.2");
	len = purge_req("198.51.100.3", "10.0.0.3", "10.0.0.3", true);
	tnode_recv(hub, "198.51.100.3", pkt, len);
	ck_assert_ptr_null(tnode_peer(hub, "10.0.0.3"));
	ck_assert_int_eq(tnode_count(hub, 0), 0);	/* N: no reply */
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_PURGED), 2);
	ck_assert_uint_eq(hub->peer_dels, 2);
	tnode_free(hub);
}
END_TEST

/* 10: NAT: claimed 192.168.1.2, seen as 203.0.113.5 port 4500: the
 * reply's NAT extension gets a second CIE with what we saw, the
 * adjacency uses it, the reply goes there. */
START_TEST(t10_nat)
{
	struct tnode *hub = hub_new(false);
	size_t len = tbuild_reg(pkt, "192.168.1.2", "10.0.0.2", HUB, 3, 0x8002, 300, PW, HUB_NBMA,
				HUB);
	const struct nhrp_ext *nat;
	const struct tpeer *p;
	struct tsent s;

	nhrp_recv(hub->n, 0, ip("203.0.113.5"), 4500, pkt, len);
	ck_assert(tnode_take(hub, NHRP_REGISTRATION_REPLY, &s));
	ck_assert_uint_eq(s.nbma, ip("203.0.113.5"));
	ck_assert_uint_eq(s.port, 4500);
	tparse(&s, &got);
	ck_assert_uint_eq(got.cies[0].code, 0);
	nat = nhrp_msg_find_ext_const(&got, NHRP_EXT_NAT_ADDRESS);
	ck_assert_ptr_nonnull(nat);
	ck_assert(!nat->compulsory);
	ck_assert_uint_eq(nat->ncies, 2);
	tcheck_addr(&nat->cies[0].nbma, HUB_NBMA);
	tcheck_addr(&nat->cies[0].proto, HUB);
	tcheck_addr(&nat->cies[1].nbma, "203.0.113.5");
	tcheck_addr(&nat->cies[1].proto, "10.0.0.2");
	ck_assert_uint_eq(nat->cies[1].prefix_len, 32);
	p = tnode_peer(hub, "10.0.0.2");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->p.nbma, ip("203.0.113.5"));
	ck_assert_uint_eq(p->p.port, 4500);
	ck_assert(p->p.flags & NHRP_PEER_NAT);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_NAT_DETECTED), 1);
	/* not NATed: one CIE, echoed */
	ck_assert_int_eq(reg(hub, "198.51.100.3", "10.0.0.3", 1, 0x8002, 300), 0);
	ck_assert_uint_eq(nhrp_msg_find_ext_const(&got, NHRP_EXT_NAT_ADDRESS)->ncies, 1);
	tnode_free(hub);
}
END_TEST

/* 11: network-id: registrations answer resolutions in their own NHRP
 * network only; a tunnel without NHRP takes no packet. */
START_TEST(t11_network_id)
{
	struct tnode *hub = hub_new(false);
	struct nhrp_if_conf ic = hub->ic;
	struct tsent s;
	size_t len;

	ic.tunnel = 1;
	ic.network_id = 2;	/* another cloud */
	ck_assert_int_eq(nhrp_if_set(hub->n, 1, &ic), 0);
	ic.tunnel = 2;
	ic.network_id = 1;	/* the same cloud on another tunnel */
	ck_assert_int_eq(nhrp_if_set(hub->n, 2, &ic), 0);
	ck_assert_int_eq(reg(hub, "198.51.100.2", "10.0.0.2", 1, 0x8002, 300), 0);
	len = tbuild_res(pkt, "198.51.100.9", "10.0.0.9", "10.0.0.2", 5, 255, PW, NULL, NULL);
	nhrp_recv(hub->n, 1, ip("198.51.100.9"), 0, pkt, len);
	ck_assert(tnode_take(hub, NHRP_RESOLUTION_REPLY, &s));
	ck_assert_uint_eq(s.tunnel, 1);
	tparse(&s, &got);
	ck_assert_uint_eq(got.cies[0].code, NHRP_CIE_NO_BINDING);
	nhrp_recv(hub->n, 2, ip("198.51.100.9"), 0, pkt, len);
	ck_assert(tnode_take(hub, NHRP_RESOLUTION_REPLY, &s));
	tparse(&s, &got);
	ck_assert_uint_eq(got.cies[0].code, NHRP_CIE_SUCCESS);
	tcheck_addr(&got.cies[0].nbma, "198.51.100.2");
	nhrp_recv(hub->n, 3, ip("198.51.100.9"), 0, pkt, len);
	ck_assert_int_eq(tnode_count(hub, 0), 0);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 3, NHRP_ST_RX_DISABLED), 1);
	tnode_free(hub);
}
END_TEST

/* 12: Phase 2 hub answers from its cache: authoritative, the client's
 * NBMA, MTU and holdtime, Responder Address = the hub. */
START_TEST(t12_answer_from_cache)
{
	struct tnode *hub = hub_new(false);
	const struct nhrp_ext *e;
	struct tsent s;
	size_t len;

	ck_assert_int_eq(reg(hub, "198.51.100.3", "10.0.0.3", 1, 0x8002, 300), 0);
	tclock(100000);
	len = tbuild_res(pkt, "198.51.100.2", "10.0.0.2", "10.0.0.3", 9, 255, PW, NULL, NULL);
	tnode_recv(hub, "198.51.100.2", pkt, len);
	ck_assert(tnode_take(hub, NHRP_RESOLUTION_REPLY, &s));
	ck_assert_uint_eq(s.nbma, ip("198.51.100.2"));
	tparse(&s, &got);
	ck_assert_uint_eq(got.flags, 0xf802);
	ck_assert_uint_eq(got.cies[0].code, 0);
	ck_assert_uint_eq(got.cies[0].prefix_len, 32);
	ck_assert_uint_eq(got.cies[0].mtu, 1514);
	ck_assert_uint_eq(got.cies[0].holdtime, 300);	/* the registration's */
	tcheck_addr(&got.cies[0].nbma, "198.51.100.3");
	tcheck_addr(&got.cies[0].proto, "10.0.0.3");
	e = nhrp_msg_find_ext_const(&got, NHRP_EXT_RESPONDER_ADDRESS);
	tcheck_addr(&e->cies[0].proto, HUB);
	ck_assert_uint_eq(e->cies[0].prefix_len, 0);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_RES_ANSWERED), 1);
	tnode_free(hub);
}
END_TEST

/* 13: damaged packets are counted and dropped; an Error Indication is
 * never answered with one. */
START_TEST(t13_bad_packets)
{
	struct tnode *hub = hub_new(false);
	size_t len = tbuild_reg(pkt, "198.51.100.2", "10.0.0.2", HUB, 1, 0x8002, 300, PW, NULL, NULL);
	static struct nhrp_msg m;
	uint32_t a = ip("198.51.100.2"), b = ip("10.0.0.2"), c = ip(HUB);
	struct nhrp_addr an = NHRP_ADDR(&a, 4), ab = NHRP_ADDR(&b, 4), ac = NHRP_ADDR(&c, 4);
	int n;

	pkt[len - 1] ^= 0x40;	/* checksum */
	tnode_recv(hub, "198.51.100.2", pkt, len);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_RX_CKSUM), 1);
	tnode_recv(hub, "198.51.100.2", pkt, 10);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_RX_BAD), 1);
	/* an Error Indication with a bad password: dropped, nothing sent */
	nhrp_msg_init_error(&m, NHRP_ERR_PROTOCOL_ERROR, 0, &an, &ab, &ac, pkt, 20);
	n = nhrp_build(&m, pkt, sizeof(pkt));
	ck_assert_int_gt(n, 0);
	tnode_recv(hub, "198.51.100.2", pkt, (size_t)n);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_AUTH_FAIL), 1);
	ck_assert_int_eq(tnode_count(hub, 0), 0);
	tnode_free(hub);
}
END_TEST

/* 14: robustness: the Cisco frames mutated 20000 times (random octets,
 * the checksum fixed half of the time so the damage reaches the handlers)
 * into a hub and a spoke: nothing crashes, and whatever they send still
 * decodes with a good checksum and a hop count other than 0 (t_send). */
START_TEST(t14_mutations)
{
	static const char *const caps[] = { "NHRP_registration.pcap", "nhrp-trace.pcap",
					    "nhrp.pcapng", "ios_nhrp.pcap",
					    "NHRP-responder-address.pcap" };
	static struct nhrp_frame fr[64];
	struct tnode *hub = hub_new(true), *sp;
	struct nhrp_if_conf ic;
	unsigned int nfr = 0, seed = 2332;

	tconf(&ic, "198.51.100.2", "10.0.0.2", 1400, 300, NULL);
	tconf_nhs(&ic, HUB, HUB_NBMA);
	ic.shortcut = true;
	sp = tnode_new("spoke", &ic);
	hub->ic.auth_len = 0;
	ck_assert_int_eq(nhrp_if_set(hub->n, 0, &hub->ic), 0);	/* no password: all gets in */
	for (unsigned int i = 0; i < 5; i++)
		nfr += (unsigned int)tload(caps[i], fr + nfr, 64 - nfr);
	for (unsigned int k = 0; k < 20000; k++) {
		const struct nhrp_frame *f = &fr[rand_r(&seed) % nfr];
		size_t len = f->len;
		unsigned int flips = 1 + rand_r(&seed) % 4;

		memcpy(pkt, f->data, len);
		for (unsigned int i = 0; i < flips; i++)
			pkt[rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		if (rand_r(&seed) & 1) {
			if (rand_r(&seed) & 1)
				len = (size_t)rand_r(&seed) % (len + 1);
			if (len >= NHRP_FIXED_LEN) {
				uint16_t sum;

				pkt[12] = pkt[13] = 0;
				sum = nhrp_checksum(pkt, len < (size_t)(pkt[10] << 8 | pkt[11])
							     ? len : (size_t)(pkt[10] << 8 | pkt[11]));
				memcpy(pkt + 12, &sum, 2);
			}
		}
		tnode_recv(k & 1 ? sp : hub, k & 2 ? "198.51.100.9" : HUB_NBMA, pkt, len);
		tnode_clear(hub);
		tnode_clear(sp);
	}
	ck_assert_uint_gt(nhrp_stat_get(hub->n, 0, NHRP_ST_RX_CKSUM) +
				  nhrp_stat_get(hub->n, 0, NHRP_ST_RX_BAD), 0);
	tnode_free(hub);
	tnode_free(sp);
}
END_TEST

TCase *tc_table(void)
{
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, t01_unique_conflict);
	tcase_add_test(tc, t02_auth_mismatch);
	tcase_add_test(tc, t03_unknown_compulsory);
	tcase_add_test(tc, t04_hop_count);
	tcase_add_test(tc, t05_loop);
	tcase_add_test(tc, t06_nak_no_binding);
	tcase_add_test(tc, t07_repeated_id);
	tcase_add_test(tc, t08_holdtime_expiry);
	tcase_add_test(tc, t09_purge);
	tcase_add_test(tc, t10_nat);
	tcase_add_test(tc, t11_network_id);
	tcase_add_test(tc, t12_answer_from_cache);
	tcase_add_test(tc, t13_bad_packets);
	tcase_add_test(tc, t14_mutations);
	return tc;
}
