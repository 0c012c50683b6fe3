/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Phase 2 and Phase 3 between three engines (seed 000 addresses: hub
 * 9.0.0.1 at 9.1.1.10, spoke-1 9.0.0.2 at 9.1.1.130 with LAN 10.0.64.0/24,
 * spoke-2 9.0.0.3 at 9.1.1.134 with LAN 10.0.65.0/24), shortcut expiry
 * and refresh from the use stamps, purges of what an egress answered.
 */
#include <string.h>

#include "nhrpd_test.h"

static struct nhrp_msg got;

enum { HUB, S1, S2 };

static void world(struct tnet *net, bool phase3)
{
	struct nhrp_if_conf ic;

	memset(net, 0, sizeof(*net));
	net->n = 3;
	tconf(&ic, "9.1.1.10", "9.0.0.1", 1416, 300, "nhrp-pwd");
	ic.redirect = phase3;
	net->nodes[HUB] = tnode_new("hub", &ic);
	tnode_route(net->nodes[HUB], "9.0.0.0/24", NHRP_ROUTE_TUNNEL, NULL);
	tnode_route(net->nodes[HUB], "10.1.0.0/24", NHRP_ROUTE_LOCAL, NULL);
	tnode_route(net->nodes[HUB], "10.0.64.0/24", NHRP_ROUTE_TUNNEL, "9.0.0.2");
	tnode_route(net->nodes[HUB], "10.0.65.0/24", NHRP_ROUTE_TUNNEL, "9.0.0.3");
	for (int i = S1; i <= S2; i++) {
		tconf(&ic, i == S1 ? "9.1.1.130" : "9.1.1.134", i == S1 ? "9.0.0.2" : "9.0.0.3",
		      1416, 300, "nhrp-pwd");
		tconf_nhs(&ic, "9.0.0.1", "9.1.1.10");
		ic.shortcut = phase3;
		net->nodes[i] = tnode_new(i == S1 ? "spoke1" : "spoke2", &ic);
		tnode_route(net->nodes[i], "9.0.0.0/24", NHRP_ROUTE_TUNNEL, NULL);
		tnode_route(net->nodes[i], i == S1 ? "10.0.64.0/24" : "10.0.65.0/24",
			    NHRP_ROUTE_LOCAL, NULL);
		if (phase3)	/* summary via the hub */
			tnode_route(net->nodes[i], "10.0.0.0/8", NHRP_ROUTE_TUNNEL, "9.0.0.1");
		else
			tnode_route(net->nodes[i], i == S1 ? "10.0.65.0/24" : "10.0.64.0/24",
				    NHRP_ROUTE_TUNNEL, i == S1 ? "9.0.0.3" : "9.0.0.2");
	}
	tnet_run(net);
	ck_assert(nhrp_nhs_is_up(net->nodes[S1]->n, 0, 0));
	ck_assert(nhrp_nhs_is_up(net->nodes[S2]->n, 0, 0));
}

static void world_free(struct tnet *net)
{
	for (unsigned int i = 0; i < net->n; i++)
		tnode_free(net->nodes[i]);
}

/* Phase 2 (seed 000): a miss for the unresolved next hop 9.0.0.3; the hub
 * answers from its registrations; the reverse path resolves on its own. */
START_TEST(f01_phase2)
{
	struct tnet net;
	const struct tpeer *p;

	world(&net, false);
	nhrp_miss(net.nodes[S1]->n, 0, ip("10.0.65.5"), ip("10.0.64.5"), ip("9.0.0.3"));
	/* more misses while it resolves: one request */
	nhrp_miss(net.nodes[S1]->n, 0, ip("10.0.65.6"), ip("10.0.64.5"), ip("9.0.0.3"));
	ck_assert_uint_eq(tnode_count(net.nodes[S1], NHRP_RESOLUTION_REQUEST), 1);
	tnet_run(&net);
	ck_assert_uint_eq(net.delivered[NHRP_RESOLUTION_REPLY], 1);
	ck_assert_uint_eq(nhrp_stat_get(net.nodes[HUB]->n, 0, NHRP_ST_RES_ANSWERED), 1);
	p = tnode_peer(net.nodes[S1], "9.0.0.3");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->p.nbma, ip("9.1.1.134"));
	ck_assert_uint_eq(p->p.flags & NHRP_PEER_SHORTCUT, NHRP_PEER_SHORTCUT);
	ck_assert_uint_eq(net.nodes[S1]->route_sets, 0);	/* a host answer: no route */
	ck_assert_ptr_null(tnode_peer(net.nodes[S2], "9.0.0.2"));
	nhrp_miss(net.nodes[S2]->n, 0, ip("10.0.64.5"), ip("10.0.65.5"), ip("9.0.0.2"));
	tnet_run(&net);
	ck_assert_uint_eq(tnode_peer(net.nodes[S2], "9.0.0.2")->p.nbma, ip("9.1.1.130"));
	/* resolved: more misses send nothing */
	nhrp_miss(net.nodes[S1]->n, 0, ip("10.0.65.5"), ip("10.0.64.5"), ip("9.0.0.3"));
	ck_assert_uint_eq(tnode_count(net.nodes[S1], 0), 0);
	world_free(&net);
}
END_TEST

/* No answer: the same id after 1 and 2 s, then negative for 10 s. */
START_TEST(f02_resolution_timeout)
{
	struct tnet net;
	struct tnode *s1;
	uint32_t id;
	struct tsent s;

	world(&net, false);
	s1 = net.nodes[S1];
	nhrp_miss(s1->n, 0, ip("9.0.0.99"), ip("10.0.64.5"), 0);
	ck_assert(tnode_take(s1, NHRP_RESOLUTION_REQUEST, &s));
	tparse(&s, &got);
	id = got.reqid;
	tclock(1100);
	ck_assert(tnode_take(s1, NHRP_RESOLUTION_REQUEST, &s));
	tparse(&s, &got);
	ck_assert_uint_eq(got.reqid, id);
	tclock(2100);
	ck_assert(tnode_take(s1, NHRP_RESOLUTION_REQUEST, &s));
	tclock(4100);
	ck_assert_uint_eq(tnode_count(s1, 0), 0);
	ck_assert_uint_eq(nhrp_stat_get(s1->n, 0, NHRP_ST_RES_TIMEOUT), 1);
	ck_assert_int_eq(nhrp_cache_entry_type(nhrp_cache_find_const(s1->n, 0, ip("9.0.0.99"), 32)),
			 NHRP_C_NEGATIVE);
	nhrp_miss(s1->n, 0, ip("9.0.0.99"), ip("10.0.64.5"), 0);
	ck_assert_uint_eq(tnode_count(s1, 0), 0);
	tclock(10000);
	nhrp_miss(s1->n, 0, ip("9.0.0.99"), ip("10.0.64.5"), 0);
	ck_assert_uint_eq(tnode_count(s1, NHRP_RESOLUTION_REQUEST), 1);
	/* the hub NAKs it: negative at once */
	tnet_run(&net);
	ck_assert_int_eq(nhrp_cache_entry_type(nhrp_cache_find_const(s1->n, 0, ip("9.0.0.99"), 32)),
			 NHRP_C_NEGATIVE);
	world_free(&net);
}
END_TEST

/* Phase 3: the hub redirects, the spoke resolves the destination, the
 * hub forwards along its routes, the egress answers with its prefix and
 * the requester installs peer + route (next-hop override). */
START_TEST(f03_phase3)
{
	static const uint8_t data[40] = { 0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0,
					  10, 0, 64, 5, 10, 0, 65, 5, 0x30, 0x39, 0, 80 };
	uint8_t back[sizeof(data)];
	struct tnet net;
	const struct troute *r;
	const struct tpeer *p;
	struct tsent s;

	world(&net, true);
	nhrp_hairpin(net.nodes[HUB]->n, 0, ip("10.0.64.5"), ip("10.0.65.5"), ip("9.1.1.130"), data,
		     sizeof(data));
	ck_assert(tnode_take(net.nodes[HUB], NHRP_TRAFFIC_INDICATION, &s));
	ck_assert_uint_eq(s.nbma, ip("9.1.1.130"));
	tparse(&s, &got);
	tcheck_addr(&got.dst_proto, "10.0.64.5");	/* the data packet's source */
	ck_assert_uint_eq(got.payload.len, 28);
	ck_assert_mem_eq(got.payload.p, data, 28);
	nhrp_recv(net.nodes[S1]->n, 0, ip("9.1.1.10"), 0, s.pkt, s.len);
	ck_assert(tnode_take(net.nodes[S1], NHRP_RESOLUTION_REQUEST, &s));
	tparse(&s, &got);
	tcheck_addr(&got.dst_proto, "10.0.65.5");
	nhrp_recv(net.nodes[HUB]->n, 0, ip("9.1.1.130"), 0, s.pkt, s.len);
	ck_assert(tnode_take(net.nodes[HUB], NHRP_RESOLUTION_REQUEST, &s));
	ck_assert_uint_eq(s.nbma, ip("9.1.1.134"));
	nhrp_recv(net.nodes[S2]->n, 0, ip("9.1.1.10"), 0, s.pkt, s.len);
	ck_assert(tnode_take(net.nodes[S2], NHRP_RESOLUTION_REPLY, &s));
	ck_assert_uint_eq(s.nbma, ip("9.1.1.130"));	/* straight to the requester */
	tparse(&s, &got);
	ck_assert_uint_eq(got.cies[0].prefix_len, 24);
	tcheck_addr(&got.cies[0].proto, "9.0.0.3");
	tcheck_addr(&got.cies[0].nbma, "9.1.1.134");
	nhrp_recv(net.nodes[S1]->n, 0, ip("9.1.1.134"), 0, s.pkt, s.len);
	p = tnode_peer(net.nodes[S1], "9.0.0.3");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->p.nbma, ip("9.1.1.134"));
	r = tnode_rt(net.nodes[S1], "10.0.65.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->via, ip("9.0.0.3"));
	/* the other way round */
	memcpy(back, data, sizeof(back));
	memcpy(back + 12, data + 16, 4);
	memcpy(back + 16, data + 12, 4);
	nhrp_hairpin(net.nodes[HUB]->n, 0, ip("10.0.65.5"), ip("10.0.64.5"), ip("9.1.1.134"), back,
		     sizeof(back));
	tnet_run(&net);
	r = tnode_rt(net.nodes[S2], "10.0.64.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->via, ip("9.0.0.2"));
	ck_assert_uint_eq(nhrp_stat_get(net.nodes[HUB]->n, 0, NHRP_ST_RES_FORWARDED), 2);
	world_free(&net);
}
END_TEST

/* Shortcuts unused for their holdtime go; used ones are refreshed a
 * quarter of the holdtime before they would expire. */
START_TEST(f04_expiry_and_refresh)
{
	struct tnet net;
	struct tnode *s1;

	world(&net, false);
	s1 = net.nodes[S1];
	nhrp_miss(s1->n, 0, ip("10.0.65.5"), ip("10.0.64.5"), ip("9.0.0.3"));
	nhrp_miss(s1->n, 0, ip("10.0.65.5"), ip("10.0.64.5"), ip("9.0.0.4"));	/* unknown */
	tnet_run(&net);
	ck_assert_ptr_nonnull(tnode_peer(s1, "9.0.0.3"));
	tnode_stamp(s1, "9.0.0.3", 1);	/* traffic */
	/* hold 300 s: the use check at 225 s refreshes it */
	tclock(226000);
	ck_assert_uint_eq(tnode_count(s1, NHRP_RESOLUTION_REQUEST), 1);
	tnet_run(&net);
	ck_assert_uint_eq(nhrp_stat_get(s1->n, 0, NHRP_ST_SHORTCUT_REFRESHED), 1);
	tclock(100000);		/* 326 s: alive thanks to the refresh */
	ck_assert_ptr_nonnull(tnode_peer(s1, "9.0.0.3"));
	/* no traffic since: expires at 526 s without a request */
	tclock(150000);
	ck_assert_uint_eq(tnode_count(s1, NHRP_RESOLUTION_REQUEST), 0);
	ck_assert_ptr_nonnull(tnode_peer(s1, "9.0.0.3"));
	tclock(51000);
	ck_assert_ptr_null(tnode_peer(s1, "9.0.0.3"));
	ck_assert_uint_eq(nhrp_stat_get(s1->n, 0, NHRP_ST_SHORTCUT_EXPIRED), 1);
	ck_assert_ptr_null(nhrp_cache_find_const(s1->n, 0, ip("9.0.0.3"), 32));
	world_free(&net);
}
END_TEST

/* Phase 3 route refresh: resolves the destination again; expiry removes
 * the route; an egress whose address changes purges its requesters. */
START_TEST(f05_route_refresh_and_purge)
{
	static const uint8_t data[28] = { 0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0,
					  10, 0, 64, 5, 10, 0, 65, 5 };
	struct tnet net;
	struct tnode *s1, *s2;
	struct nhrp_if_conf ic;

	world(&net, true);
	s1 = net.nodes[S1];
	s2 = net.nodes[S2];
	nhrp_hairpin(net.nodes[HUB]->n, 0, ip("10.0.64.5"), ip("10.0.65.5"), ip("9.1.1.130"), data,
		     sizeof(data));
	tnet_run(&net);
	ck_assert_ptr_nonnull(tnode_rt(s1, "10.0.65.0/24"));
	tnode_stamp(s1, "9.0.0.3", 42);
	tclock(226000);
	tnet_run(&net);
	ck_assert_uint_eq(nhrp_stat_get(s1->n, 0, NHRP_ST_SHORTCUT_REFRESHED), 2);	/* peer, route */
	ck_assert_uint_ge(net.delivered[NHRP_RESOLUTION_REPLY], 2);
	/* spoke 2 moves: it purges the requesters of its prefix */
	ic = s2->ic;
	ic.nbma = ip("9.1.1.200");
	ck_assert_int_eq(nhrp_if_set(s2->n, 0, &ic), 0);
	/* the hub (registration), spoke 1 for 10.0.65.0/24 and for 9.0.0.3
	 * (it refreshed the peer: spoke 2 answered for its own address) */
	ck_assert_uint_eq(tnode_count(s2, NHRP_PURGE_REQUEST), 3);
	s2->ic = ic;
	tnet_run(&net);
	ck_assert_ptr_null(tnode_rt(s1, "10.0.65.0/24"));
	ck_assert_uint_eq(s1->route_dels, 1);
	ck_assert_uint_eq(nhrp_stat_get(s1->n, 0, NHRP_ST_PURGED), 2);
	/* and it registers from its new address */
	ck_assert_uint_eq(tnode_peer(net.nodes[HUB], "9.0.0.3")->p.nbma, ip("9.1.1.200"));
	world_free(&net);
}
END_TEST

/* A spoke behind NAT (seen as 203.0.113.5): the hub's answer carries the
 * outside address, so the shortcut goes there. */
START_TEST(f06_nat_resolution)
{
	struct tnet net;
	struct tnode *s1, *hub;
	struct tsent s;

	world(&net, false);
	s1 = net.nodes[S1];
	hub = net.nodes[HUB];
	{
		struct nhrp_if_conf ic;

		tconf(&ic, "192.168.1.2", "9.0.0.4", 1416, 300, "nhrp-pwd");
		tconf_nhs(&ic, "9.0.0.1", "9.1.1.10");
		net.nodes[3] = tnode_new("natted", &ic);
	}
	ck_assert(tnode_take(net.nodes[3], NHRP_REGISTRATION_REQUEST, &s));
	nhrp_recv(hub->n, 0, ip("203.0.113.5"), 0, s.pkt, s.len);
	tnode_clear(hub);
	nhrp_miss(s1->n, 0, ip("9.0.0.4"), ip("10.0.64.5"), 0);
	tnet_run(&net);
	ck_assert_uint_eq(tnode_peer(s1, "9.0.0.4")->p.nbma, ip("203.0.113.5"));
	tnode_free(net.nodes[3]);
	world_free(&net);
}
END_TEST

TCase *tc_flows(void)
{
	TCase *tc = tcase_create("flows");

	tcase_add_test(tc, f01_phase2);
	tcase_add_test(tc, f02_resolution_timeout);
	tcase_add_test(tc, f03_phase3);
	tcase_add_test(tc, f04_expiry_and_refresh);
	tcase_add_test(tc, f05_route_refresh_and_purge);
	tcase_add_test(tc, f06_nat_resolution);
	return tc;
}
