/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The next hop client: registration to every NHS at start and every
 * holdtime / 3, retransmission with the same id and a doubling wait, the
 * per-NHS up/down state, dual hub failover, purges on NBMA change,
 * shutdown and NHS removal, no-unique, refusal, NAT discovery.
 */
#include <string.h>

#include "nhrpd_test.h"

static struct nhrp_msg got;

static struct tnode *hub_new(const char *name, const char *nbma, const char *proto)
{
	struct nhrp_if_conf ic;
	struct tnode *t;

	tconf(&ic, nbma, proto, 1400, 300, "pw");
	t = tnode_new(name, &ic);
	tnode_route(t, "10.0.0.0/24", NHRP_ROUTE_TUNNEL, NULL);
	return t;
}

/* Seed 000 Example 7-19: a spoke registered to two hubs. */
static struct tnode *spoke_new(const char *nbma, const char *proto, bool dual)
{
	struct nhrp_if_conf ic;

	tconf(&ic, nbma, proto, 1400, 300, "pw");
	tconf_nhs(&ic, "10.0.0.1", "192.0.2.1");
	if (dual)
		tconf_nhs(&ic, "10.0.0.254", "192.0.2.254");
	return tnode_new("spoke", &ic);
}

/* 1: at start, one request to every NHS, as Cisco sends it. */
START_TEST(n01_register_all)
{
	struct tnode *sp = spoke_new("198.51.100.2", "10.0.0.2", true);
	const struct nhrp_ext *nat;
	struct tsent s;

	ck_assert_uint_eq(tnode_count(sp, NHRP_REGISTRATION_REQUEST), 2);
	for (int i = 0; i < 2; i++) {
		ck_assert(tnode_take(sp, NHRP_REGISTRATION_REQUEST, &s));
		ck_assert_uint_eq(s.nbma, ip(i ? "192.0.2.254" : "192.0.2.1"));
		tparse(&s, &got);
		ck_assert_uint_eq(got.flags, 0x8002);
		ck_assert_uint_eq(got.hopcnt, 255);
		tcheck_addr(&got.src_nbma, "198.51.100.2");
		tcheck_addr(&got.src_proto, "10.0.0.2");
		tcheck_addr(&got.dst_proto, i ? "10.0.0.254" : "10.0.0.1");
		ck_assert_uint_eq(got.ncies, 1);
		ck_assert_uint_eq(got.cies[0].prefix_len, 32);
		ck_assert_uint_eq(got.cies[0].mtu, 1400);
		ck_assert_uint_eq(got.cies[0].holdtime, 300);
		ck_assert_uint_eq(got.cies[0].nbma.len + got.cies[0].proto.len, 0);
		ck_assert_uint_eq(got.nexts, 5);
		ck_assert_uint_eq(got.exts[0].type, NHRP_EXT_RESPONDER_ADDRESS);
		ck_assert_uint_eq(got.exts[3].type, NHRP_EXT_AUTHENTICATION);
		nat = &got.exts[4];
		ck_assert_uint_eq(nat->type, NHRP_EXT_NAT_ADDRESS);
		ck_assert(!nat->compulsory);
		ck_assert_uint_eq(nat->ncies, 1);
		tcheck_addr(&nat->cies[0].nbma, i ? "192.0.2.254" : "192.0.2.1");
		ck_assert_uint_eq(nat->cies[0].holdtime, 0);
	}
	/* the NHSs count as down until they answer */
	ck_assert_uint_eq(sp->nhs_changes, 2);
	ck_assert(!sp->nhs_last_up);
	tnode_free(sp);
}
END_TEST

/* 2: unanswered: the same request id, waits of 1, 2, 4 ... 64 s. */
START_TEST(n02_retransmit_backoff)
{
	static const unsigned int waits[] = { 1, 2, 4, 8, 16, 32, 64, 64, 64 };
	struct tnode *sp = spoke_new("198.51.100.2", "10.0.0.2", false);
	uint32_t id;
	struct tsent s;

	ck_assert(tnode_take(sp, NHRP_REGISTRATION_REQUEST, &s));
	tparse(&s, &got);
	id = got.reqid;
	for (unsigned int i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		tclock(waits[i] * 1000 - 100);
		ck_assert_msg(tnode_count(sp, 0) == 0, "resent before %u s", waits[i]);
		tclock(200);
		ck_assert_msg(tnode_take(sp, NHRP_REGISTRATION_REQUEST, &s), "no resend after %u s",
			      waits[i]);
		tparse(&s, &got);
		ck_assert_uint_eq(got.reqid, id);
		/* sent 100 ms late (the clock jumped): the next wait counts from here */
	}
	ck_assert(!nhrp_nhs_is_up(sp->n, 0, 0));
	tnode_free(sp);
}
END_TEST

/* A net of a hub and a spoke, registered. */
static void net_up(struct tnet *net)
{
	tnet_run(net);
	for (unsigned int i = 0; i < net->n; i++)
		for (unsigned int k = 0; k < net->nodes[i]->ic.n_nhs; k++)
			ck_assert_msg(nhrp_nhs_is_up(net->nodes[i]->n, 0, k), "%s: nhs %u down",
				      net->nodes[i]->name, k);
}

/* 3: refresh every holdtime / 3 with a new request id; the NHS stays up. */
START_TEST(n03_refresh)
{
	struct tnet net = { .n = 2 };
	struct tsent s;
	uint32_t id1, id2;

	net.nodes[0] = hub_new("hub", "192.0.2.1", "10.0.0.1");
	net.nodes[1] = spoke_new("198.51.100.2", "10.0.0.2", false);
	ck_assert(tnode_take(net.nodes[1], NHRP_REGISTRATION_REQUEST, &s));
	tparse(&s, &got);
	id1 = got.reqid;
	nhrp_recv(net.nodes[0]->n, 0, ip("198.51.100.2"), 0, s.pkt, s.len);
	net_up(&net);
	ck_assert_uint_eq(net.nodes[1]->nhs_last_up, true);
	tclock(99000);
	ck_assert_uint_eq(tnode_count(net.nodes[1], 0), 0);
	tclock(1500);
	ck_assert(tnode_take(net.nodes[1], NHRP_REGISTRATION_REQUEST, &s));
	tparse(&s, &got);
	id2 = got.reqid;
	ck_assert_uint_ne(id1, id2);
	ck_assert(nhrp_nhs_is_up(net.nodes[1]->n, 0, 0));	/* renewing: still up */
	nhrp_recv(net.nodes[0]->n, 0, ip("198.51.100.2"), 0, s.pkt, s.len);
	net_up(&net);
	/* ten refresh rounds keep the hub's entry alive past its holdtime */
	for (int i = 0; i < 10; i++) {
		tclock(100500);
		net_up(&net);
	}
	ck_assert_ptr_nonnull(tnode_peer(net.nodes[0], "10.0.0.2"));
	ck_assert_uint_eq(nhrp_stat_get(net.nodes[0]->n, 0, NHRP_ST_REG_EXPIRED), 0);
	for (int i = 0; i < 2; i++)
		tnode_free(net.nodes[i]);
}
END_TEST

/* 4 + 5: dual hub: both up; hub 1 dies: after the refresh and three
 * unanswered sends NHS 1 is down, NHS 2 still up, and resolution
 * requests go to hub 2. */
START_TEST(n04_dual_hub_failover)
{
	struct tnet net = { .n = 3 };
	struct tnode *sp;
	struct tsent s;

	net.nodes[0] = hub_new("hub1", "192.0.2.1", "10.0.0.1");
	net.nodes[1] = hub_new("hub2", "192.0.2.254", "10.0.0.254");
	net.nodes[2] = sp = spoke_new("198.51.100.2", "10.0.0.2", true);
	net_up(&net);
	ck_assert_ptr_nonnull(tnode_peer(net.nodes[0], "10.0.0.2"));
	ck_assert_ptr_nonnull(tnode_peer(net.nodes[1], "10.0.0.2"));
	net.drop_to[0] = true;		/* hub 1 dies */
	tclock(100500);			/* refresh: both renew */
	tnet_run(&net);
	ck_assert(nhrp_nhs_is_up(sp->n, 0, 0));	/* renewing */
	ck_assert(nhrp_nhs_is_up(sp->n, 0, 1));
	for (int i = 0; i < 4; i++) {
		tclock(1000u << i);
		tnet_run(&net);
	}
	ck_assert(!nhrp_nhs_is_up(sp->n, 0, 0));
	ck_assert(nhrp_nhs_is_up(sp->n, 0, 1));
	ck_assert_uint_eq(sp->nhs_last_proto, ip("10.0.0.1"));
	ck_assert(!sp->nhs_last_up);
	/* Phase 2 resolution through the NHS that answers */
	nhrp_miss(sp->n, 0, ip("10.0.65.1"), ip("10.0.64.1"), ip("10.0.0.3"));
	ck_assert(tnode_take(sp, NHRP_RESOLUTION_REQUEST, &s));
	ck_assert_uint_eq(s.nbma, ip("192.0.2.254"));
	/* hub 1 back: up again at its next retry */
	net.drop_to[0] = false;
	tclock(64000);
	tnet_run(&net);
	ck_assert(nhrp_nhs_is_up(sp->n, 0, 0));
	ck_assert(sp->nhs_last_up);
	for (int i = 0; i < 3; i++)
		tnode_free(net.nodes[i]);
}
END_TEST

/* 6: a new NBMA address: purge (the registration's id, N set) with the
 * old binding, then a registration from the new address; the unique
 * registration at the hub moves without a conflict. */
START_TEST(n06_purge_on_nbma_change)
{
	struct tnet net = { .n = 2 };
	struct tnode *sp;
	struct nhrp_if_conf ic;
	struct tsent s;
	uint32_t reg_id;

	net.nodes[0] = hub_new("hub", "192.0.2.1", "10.0.0.1");
	net.nodes[1] = sp = spoke_new("198.51.100.2", "10.0.0.2", false);
	ck_assert(tnode_take(sp, NHRP_REGISTRATION_REQUEST, &s));
	tparse(&s, &got);
	reg_id = got.reqid;
	nhrp_recv(net.nodes[0]->n, 0, ip("198.51.100.2"), 0, s.pkt, s.len);
	net_up(&net);
	ic = sp->ic;
	ic.nbma = ip("198.51.100.77");
	ck_assert_int_eq(nhrp_if_set(sp->n, 0, &ic), 0);
	ck_assert(tnode_take(sp, NHRP_PURGE_REQUEST, &s));
	ck_assert_uint_eq(s.nbma, ip("192.0.2.1"));
	tparse(&s, &got);
	ck_assert_uint_eq(got.reqid, reg_id);
	ck_assert_uint_eq(got.flags, NHRP_PURGE_FLAG_N);
	tcheck_addr(&got.src_nbma, "198.51.100.2");
	tcheck_addr(&got.cies[0].proto, "10.0.0.2");
	nhrp_recv(net.nodes[0]->n, 0, ip("198.51.100.77"), 0, s.pkt, s.len);
	ck_assert_ptr_null(tnode_peer(net.nodes[0], "10.0.0.2"));
	sp->ic = ic;		/* the wire delivers from the new address now */
	net_up(&net);
	ck_assert_uint_eq(tnode_peer(net.nodes[0], "10.0.0.2")->p.nbma, ip("198.51.100.77"));
	ck_assert_uint_eq(nhrp_stat_get(net.nodes[0]->n, 0, NHRP_ST_UNIQUE_CONFLICT), 0);
	for (int i = 0; i < 2; i++)
		tnode_free(net.nodes[i]);
}
END_TEST

/* 7 + 8: shutdown purges every NHS we are registered to; an NHS removed
 * by a reload is purged alone and the other one keeps its state. */
START_TEST(n07_purge_on_shutdown_and_reload)
{
	struct tnet net = { .n = 3 };
	struct tnode *sp;
	struct nhrp_if_conf ic;

	net.nodes[0] = hub_new("hub1", "192.0.2.1", "10.0.0.1");
	net.nodes[1] = hub_new("hub2", "192.0.2.254", "10.0.0.254");
	net.nodes[2] = sp = spoke_new("198.51.100.2", "10.0.0.2", true);
	net_up(&net);
	ic = sp->ic;
	ic.n_nhs = 1;		/* hub 2 leaves the configuration */
	ck_assert_int_eq(nhrp_if_set(sp->n, 0, &ic), 0);
	ck_assert_uint_eq(tnode_count(sp, 0), 1);
	ck_assert_uint_eq(tnode_count(sp, NHRP_PURGE_REQUEST), 1);
	tnet_run(&net);
	ck_assert_ptr_null(tnode_peer(net.nodes[1], "10.0.0.2"));
	ck_assert_ptr_nonnull(tnode_peer(net.nodes[0], "10.0.0.2"));
	ck_assert(nhrp_nhs_is_up(sp->n, 0, 0));
	nhrp_if_shutdown(sp->n, 0);
	ck_assert_uint_eq(tnode_count(sp, NHRP_PURGE_REQUEST), 1);
	tnet_run(&net);
	ck_assert_ptr_null(tnode_peer(net.nodes[0], "10.0.0.2"));
	ck_assert(!nhrp_nhs_is_up(sp->n, 0, 0));
	for (int i = 0; i < 3; i++)
		tnode_free(net.nodes[i]);
}
END_TEST

/* 9 + 10: no-unique clears U; a refusal (code 14) puts the NHS down and
 * the next try is a new request after the backoff, which keeps growing
 * while the refusals go on. */
START_TEST(n09_no_unique_and_refusal)
{
	struct tnet net = { .n = 3 };
	struct nhrp_if_conf ic;
	struct tnode *sp2;
	struct tsent s;
	uint32_t id;

	net.nodes[0] = hub_new("hub", "192.0.2.1", "10.0.0.1");
	net.nodes[1] = spoke_new("198.51.100.2", "10.0.0.2", false);
	net.n = 2;
	net_up(&net);
	tconf(&ic, "198.51.100.99", "10.0.0.2", 1400, 300, "pw");	/* same address */
	tconf_nhs(&ic, "10.0.0.1", "192.0.2.1");
	ic.no_unique = true;
	net.nodes[2] = sp2 = tnode_new("intruder", &ic);
	net.n = 3;
	ck_assert(tnode_take(sp2, NHRP_REGISTRATION_REQUEST, &s));
	tparse(&s, &got);
	ck_assert_uint_eq(got.flags, 0x0002);
	id = got.reqid;
	nhrp_recv(net.nodes[0]->n, 0, ip("198.51.100.99"), 0, s.pkt, s.len);
	tnet_run(&net);
	ck_assert(!nhrp_nhs_is_up(sp2->n, 0, 0));
	ck_assert_uint_eq(nhrp_stat_get(sp2->n, 0, NHRP_ST_REG_REFUSED), 1);
	tclock(1900);		/* the backoff had reached 2 s */
	ck_assert_uint_eq(tnode_count(sp2, 0), 0);
	tclock(200);
	ck_assert(tnode_take(sp2, NHRP_REGISTRATION_REQUEST, &s));
	tparse(&s, &got);
	ck_assert_uint_ne(got.reqid, id);
	/* refused again: the backoff goes on (4 s, then 8 s), not 2 s for ever */
	for (uint64_t wait = 4000; wait <= 8000; wait *= 2) {
		id = got.reqid;
		nhrp_recv(net.nodes[0]->n, 0, ip("198.51.100.99"), 0, s.pkt, s.len);
		tnet_run(&net);
		tclock(wait - 100);
		ck_assert_uint_eq(tnode_count(sp2, 0), 0);
		tclock(200);
		ck_assert(tnode_take(sp2, NHRP_REGISTRATION_REQUEST, &s));
		tparse(&s, &got);
		ck_assert_uint_ne(got.reqid, id);
	}
	ck_assert_uint_eq(nhrp_stat_get(sp2->n, 0, NHRP_ST_REG_REFUSED), 3);
	for (int i = 0; i < 3; i++)
		tnode_free(net.nodes[i]);
}
END_TEST

/* 11: behind NAT: the hub's reply tells the spoke its outside address,
 * which its resolution requests then carry in the NAT extension. */
START_TEST(n11_nat_discovery)
{
	struct tnode *hub = hub_new("hub", "192.0.2.1", "10.0.0.1");
	struct tnode *sp = spoke_new("192.168.1.2", "10.0.0.2", false);
	const struct nhrp_ext *nat;
	struct tsent s;

	ck_assert(tnode_take(sp, NHRP_REGISTRATION_REQUEST, &s));
	nhrp_recv(hub->n, 0, ip("203.0.113.5"), 0, s.pkt, s.len);	/* through the NAT */
	ck_assert(tnode_take(hub, NHRP_REGISTRATION_REPLY, &s));
	nhrp_recv(sp->n, 0, ip("192.0.2.1"), 0, s.pkt, s.len);
	ck_assert(nhrp_nhs_is_up(sp->n, 0, 0));
	nhrp_miss(sp->n, 0, ip("10.0.0.3"), ip("10.0.64.1"), 0);
	ck_assert(tnode_take(sp, NHRP_RESOLUTION_REQUEST, &s));
	tparse(&s, &got);
	nat = nhrp_msg_find_ext_const(&got, NHRP_EXT_NAT_ADDRESS);
	ck_assert_uint_eq(nat->ncies, 1);
	tcheck_addr(&nat->cies[0].nbma, "203.0.113.5");
	tcheck_addr(&nat->cies[0].proto, "10.0.0.2");
	tcheck_addr(&got.src_nbma, "192.168.1.2");	/* claims its own, like Cisco */
	tnode_free(hub);
	tnode_free(sp);
}
END_TEST

TCase *tc_nhc(void)
{
	TCase *tc = tcase_create("nhc");

	tcase_add_test(tc, n01_register_all);
	tcase_add_test(tc, n02_retransmit_backoff);
	tcase_add_test(tc, n03_refresh);
	tcase_add_test(tc, n04_dual_hub_failover);
	tcase_add_test(tc, n06_purge_on_nbma_change);
	tcase_add_test(tc, n07_purge_on_shutdown_and_reload);
	tcase_add_test(tc, n09_no_unique_and_refusal);
	tcase_add_test(tc, n11_nat_discovery);
	return tc;
}
