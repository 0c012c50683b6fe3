/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cisco interop: every request of the tcpdump captures is given to an
 * engine configured like the capture's responder (its NBMA and tunnel
 * addresses, MTU, holdtime, password) and what the engine sends must
 * equal Cisco's answer field by field -- and, where nothing differs but
 * ids and timers, byte for byte.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "nhrpd_test.h"

#define MAX_FRAMES 32

static struct nhrp_frame frames[MAX_FRAMES];
static struct nhrp_msg got, want;

static void tparse_frame(const struct nhrp_frame *f, struct nhrp_msg *m)
{
	struct nhrp_parse_err err;

	ck_assert_msg(nhrp_parse(f->data, f->len, m, &err) == 0, "capture: %s",
		      nhrp_perr_name(err.reason));
}

/* The engine's answer to request frame `req`, compared with Cisco's frame
 * `rep`: field by field, then byte for byte. */
static void treply_matches(struct tnode *t, const char *from, int req, int rep, int type,
			   const char *to)
{
	struct tsent s;

	tnode_recv_frame(t, from, &frames[req]);
	ck_assert_msg(tnode_take(t, type, &s), "%s: no %s for frame %d", t->name,
		      nhrp_type_name((unsigned int)type), req + 1);
	ck_assert_uint_eq(s.nbma, ip(to));
	tparse(&s, &got);
	tparse_frame(&frames[rep], &want);
	tcompare(&got, &want, true);
	ck_assert_uint_eq(s.len, want.pktsz);
	ck_assert_mem_eq(s.pkt, frames[rep].data, s.len);
}

/* NHRP_registration.pcap: IOL spoke 169.254.100.1 / 155.1.0.1 registers to
 * the hub 169.254.100.5 / 155.1.0.5, ids 1 and 2, U + NAT flags, MTU 17912,
 * hold 7200, auth NHRPAUTH, NAT extension with the NHS CIE. */
START_TEST(reg_iol)
{
	struct nhrp_if_conf ic;
	struct tnode *hub;
	const struct tpeer *p;

	ck_assert_int_eq(tload("NHRP_registration.pcap", frames, MAX_FRAMES), 4);
	tconf(&ic, "169.254.100.5", "155.1.0.5", 17912, 7200, "NHRPAUTH");
	hub = tnode_new("hub", &ic);
	treply_matches(hub, "169.254.100.1", 0, 1, NHRP_REGISTRATION_REPLY, "169.254.100.1");
	treply_matches(hub, "169.254.100.1", 2, 3, NHRP_REGISTRATION_REPLY, "169.254.100.1");
	p = tnode_peer(hub, "155.1.0.1");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->p.nbma, ip("169.254.100.1"));
	ck_assert_uint_eq(p->p.flags, NHRP_PEER_DYNAMIC | NHRP_PEER_UNIQUE);
	ck_assert_uint_eq(p->p.holdtime, 7200);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_REG_ACCEPTED), 2);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_REG_REFRESHED), 1);
	ck_assert_uint_eq(nhrp_rcvd(hub->n, 0, NHRP_REGISTRATION_REQUEST), 2);
	ck_assert_uint_eq(nhrp_sent(hub->n, 0, NHRP_REGISTRATION_REPLY), 2);
	tnode_free(hub);
}
END_TEST

/* NHRP-responder-address.pcap: U clear (flags 0x0002), id 300, to the hub
 * 6.6.6.6 whose Responder Address says 155.1.146.6 although the spoke
 * addressed 155.1.0.6. */
START_TEST(reg_responder)
{
	struct nhrp_if_conf ic;
	struct tnode *hub;
	const struct tpeer *p;

	ck_assert_int_eq(tload("NHRP-responder-address.pcap", frames, MAX_FRAMES), 2);
	tconf(&ic, "6.6.6.6", "155.1.146.6", 17912, 7200, "NHRPAUTH");
	hub = tnode_new("hub", &ic);
	treply_matches(hub, "155.1.79.2", 0, 1, NHRP_REGISTRATION_REPLY, "155.1.79.2");
	p = tnode_peer(hub, "155.1.0.9");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->p.flags, NHRP_PEER_DYNAMIC);	/* not unique */
	tnode_free(hub);
}
END_TEST

/* nhrp.pcapng: one IOL spoke, two hubs (two clouds), ids 21 and 22, then
 * after a restart id 1 and 2 to one hub and id 1 again and again to the
 * other (unanswered retransmissions, then answered refreshes): a repeated
 * id is a valid refresh every time. */
START_TEST(reg_restarted_spoke)
{
	struct nhrp_if_conf ic;
	struct tnode *hub14, *hub15;
	int n = tload("nhrp.pcapng", frames, MAX_FRAMES), compared = 0, requests = 0;

	ck_assert_int_ge(n, 20);
	tconf(&ic, "100.1.0.14", "10.65.0.1", 17916, 7200, "OTUS");
	hub14 = tnode_new("hub14", &ic);
	tconf(&ic, "100.1.0.15", "10.64.0.1", 17916, 7200, "OTUS");
	hub15 = tnode_new("hub15", &ic);
	for (int i = 0; i < n; i++) {
		struct tnode *hub;
		struct nhrp_msg *m = &want;

		tparse_frame(&frames[i], m);
		if (m->type != NHRP_REGISTRATION_REQUEST)
			continue;
		requests++;
		hub = m->dst_proto.p[1] == 65 ? hub14 : hub15;
		if (i + 1 < n) {
			struct nhrp_msg *r = &got;

			tparse_frame(&frames[i + 1], r);
			if (r->type == NHRP_REGISTRATION_REPLY) {
				treply_matches(hub, "100.1.2.27", i, i + 1, NHRP_REGISTRATION_REPLY,
					       "100.1.2.27");
				compared++;
				continue;
			}
		}
		tnode_recv_frame(hub, "100.1.2.27", &frames[i]);
		ck_assert(tnode_take(hub, NHRP_REGISTRATION_REPLY, NULL));
	}
	ck_assert_int_ge(compared, 6);
	ck_assert_uint_eq(nhrp_stat_get(hub14->n, 0, NHRP_ST_REG_ACCEPTED) +
				  nhrp_stat_get(hub15->n, 0, NHRP_ST_REG_ACCEPTED),
			  (uint64_t)requests);
	ck_assert_uint_eq(nhrp_stat_get(hub15->n, 0, NHRP_ST_UNIQUE_CONFLICT), 0);
	ck_assert_ptr_nonnull(tnode_peer(hub14, "10.65.0.3"));
	ck_assert_ptr_nonnull(tnode_peer(hub15, "10.64.0.3"));
	tnode_free(hub14);
	tnode_free(hub15);
}
END_TEST

/* ios_nhrp.pcap (IOS on Dynamips): U with prefix 0xff, hold 30, auth
 * "CISCO" (odd length), no NAT extension, no GRE key.  No reply in the
 * capture: the reply must keep the request's CIE and extensions, and the
 * registration must expire after its 30 s. */
START_TEST(reg_dynamips)
{
	struct nhrp_if_conf ic;
	struct tnode *hub;
	struct tsent s;
	const struct nhrp_ext *e;

	ck_assert_int_eq(tload("ios_nhrp.pcap", frames, MAX_FRAMES), 1);
	tconf(&ic, "10.0.12.1", "192.168.0.1", 1514, 7200, "CISCO");
	hub = tnode_new("hub", &ic);
	tnode_recv_frame(hub, "10.0.12.2", &frames[0]);
	ck_assert(tnode_take(hub, NHRP_REGISTRATION_REPLY, &s));
	tparse(&s, &got);
	ck_assert_uint_eq(got.flags, 0x8000);
	ck_assert_uint_eq(got.reqid, 5);
	ck_assert_uint_eq(got.ncies, 1);
	ck_assert_uint_eq(got.cies[0].code, 0);
	ck_assert_uint_eq(got.cies[0].prefix_len, 255);
	ck_assert_uint_eq(got.cies[0].holdtime, 30);
	ck_assert_uint_eq(got.nexts, 4);	/* 3, 4, 5, 7 as received */
	e = nhrp_msg_find_ext_const(&got, NHRP_EXT_RESPONDER_ADDRESS);
	ck_assert_uint_eq(e->ncies, 1);
	tcheck_addr(&e->cies[0].nbma, "10.0.12.1");
	tcheck_addr(&e->cies[0].proto, "192.168.0.1");
	ck_assert(nhrp_cisco_auth_match(nhrp_msg_find_ext_const(&got, NHRP_EXT_AUTHENTICATION),
					"CISCO", 5));
	ck_assert_ptr_nonnull(tnode_peer(hub, "192.168.0.2"));
	tclock(29000);
	ck_assert_ptr_nonnull(tnode_peer(hub, "192.168.0.2"));
	tclock(1500);
	ck_assert_ptr_null(tnode_peer(hub, "192.168.0.2"));
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_REG_EXPIRED), 1);
	tnode_free(hub);
}
END_TEST

/* nhrp-trace.pcap nodes: hub .1, spokes .2 and .3 on 10.255.255.0/24,
 * NBMA 192.168.200.x, key 1000, auth "secret", MTU 1514, hold 7200. */
static struct tnode *trace_node(const char *name, unsigned int host, bool redirect,
				bool shortcut)
{
	struct nhrp_if_conf ic;
	char nbma[32], proto[32];

	snprintf(nbma, sizeof(nbma), "192.168.200.%u", host);
	snprintf(proto, sizeof(proto), "10.255.255.%u", host);
	tconf(&ic, nbma, proto, 1514, 7200, "secret");
	ic.redirect = redirect;
	ic.shortcut = shortcut;
	if (host != 1)
		tconf_nhs(&ic, "10.255.255.1", "192.168.200.1");
	return tnode_new(name, &ic);
}

static void trace_register(struct tnode *hub, const char *nbma, const char *proto)
{
	uint8_t pkt[NHRP_FRAME_MAX];
	size_t len = tbuild_reg(pkt, nbma, proto, "10.255.255.1", 1, 0x8002, 7200, "secret",
				"192.168.200.1", "10.255.255.1");

	tnode_recv(hub, nbma, pkt, len);
	ck_assert(tnode_take(hub, NHRP_REGISTRATION_REPLY, NULL));
}

/* Frame 1: the hub's Traffic Indication for a hairpinned ICMP echo
 * 10.255.255.3 -> .2, byte for byte (the quote is the 28 octets). */
START_TEST(trace_hub_redirect)
{
	struct tnode *hub;

	ck_assert_int_eq(tload("nhrp-trace.pcap", frames, MAX_FRAMES), 4);
	hub = trace_node("hub", 1, true, false);
	tparse_frame(&frames[0], &want);
	nhrp_hairpin(hub->n, 0, ip("10.255.255.3"), ip("10.255.255.2"), ip("192.168.200.3"),
		     want.payload.p, want.payload.len);
	{
		struct tsent s;

		ck_assert(tnode_take(hub, NHRP_TRAFFIC_INDICATION, &s));
		ck_assert_uint_eq(s.nbma, ip("192.168.200.3"));
		tparse(&s, &got);
		tcompare(&got, &want, true);
		ck_assert_mem_eq(s.pkt, frames[0].data, s.len);
	}
	/* the same pair again at once: rate limited */
	nhrp_hairpin(hub->n, 0, ip("10.255.255.3"), ip("10.255.255.2"), ip("192.168.200.3"),
		     want.payload.p, want.payload.len);
	ck_assert_uint_eq(tnode_count(hub, NHRP_TRAFFIC_INDICATION), 0);
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_REDIRECT_LIMITED), 1);
	tnode_free(hub);
}
END_TEST

/* Frame 1 -> frame 2: the spoke resolves the data packet's destination
 * (request id aside, byte for byte the same). */
START_TEST(trace_spoke_resolves)
{
	struct tnode *sp = trace_node("spoke3", 3, false, true);
	struct tsent s;

	ck_assert_int_eq(tload("nhrp-trace.pcap", frames, MAX_FRAMES), 4);
	tnode_clear(sp);	/* its registration */
	tnode_recv_frame(sp, "192.168.200.1", &frames[0]);
	ck_assert(tnode_take(sp, NHRP_RESOLUTION_REQUEST, &s));
	ck_assert_uint_eq(s.nbma, ip("192.168.200.1"));
	tparse(&s, &got);
	tparse_frame(&frames[1], &want);
	tcompare(&got, &want, false);
	/* the same packet once the request id is Cisco's */
	got.reqid = want.reqid;
	{
		uint8_t out[NHRP_FRAME_MAX];
		int n = nhrp_build(&got, out, sizeof(out));

		ck_assert_int_eq(n, want.pktsz);
		ck_assert_mem_eq(out, frames[1].data, (size_t)n);
	}
	/* the entry waits for the answer: another indication sends nothing */
	tnode_recv_frame(sp, "192.168.200.1", &frames[0]);
	ck_assert_uint_eq(tnode_count(sp, NHRP_RESOLUTION_REQUEST), 0);
	tnode_free(sp);
}
END_TEST

/* Frame 2 -> frame 3: the hub forwards to the registered client (hop 254,
 * its CIE in Forward Transit), byte for byte. */
START_TEST(trace_hub_forwards)
{
	struct tnode *hub = trace_node("hub", 1, true, false);

	ck_assert_int_eq(tload("nhrp-trace.pcap", frames, MAX_FRAMES), 4);
	tnode_route(hub, "10.255.255.0/24", NHRP_ROUTE_TUNNEL, NULL);
	trace_register(hub, "192.168.200.2", "10.255.255.2");
	trace_register(hub, "192.168.200.3", "10.255.255.3");
	treply_matches(hub, "192.168.200.3", 1, 2, NHRP_RESOLUTION_REQUEST, "192.168.200.2");
	ck_assert_uint_eq(nhrp_stat_get(hub->n, 0, NHRP_ST_RES_FORWARDED), 1);
	tnode_free(hub);
}
END_TEST

/* Frame 3 -> frame 4: the egress spoke answers the requester directly,
 * byte for byte; it remembers whom it answered (LOCAL) and the requester
 * (implicit, not installed). */
START_TEST(trace_egress_answers)
{
	struct tnode *sp = trace_node("spoke2", 2, false, true);
	const struct nhrp_cache *c;

	ck_assert_int_eq(tload("nhrp-trace.pcap", frames, MAX_FRAMES), 4);
	tnode_clear(sp);
	treply_matches(sp, "192.168.200.1", 2, 3, NHRP_RESOLUTION_REPLY, "192.168.200.3");
	c = nhrp_cache_find_const(sp->n, 0, ip("10.255.255.2"), 32);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(nhrp_cache_entry_type(c), NHRP_C_LOCAL);
	c = nhrp_cache_find_const(sp->n, 0, ip("10.255.255.3"), 32);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(nhrp_cache_entry_nbma(c), ip("192.168.200.3"));
	ck_assert_ptr_null(tnode_peer(sp, "10.255.255.3"));	/* the reverse path resolves itself */
	tnode_free(sp);
}
END_TEST

/* The whole trace through our three engines: Traffic Indication,
 * request, forward, reply; the requester installs the shortcut. */
START_TEST(trace_end_to_end)
{
	struct tnet net = { .n = 3 };
	const struct tpeer *p;

	net.nodes[0] = trace_node("hub", 1, true, false);
	net.nodes[1] = trace_node("spoke2", 2, false, true);
	net.nodes[2] = trace_node("spoke3", 3, false, true);
	tnode_route(net.nodes[0], "10.255.255.0/24", NHRP_ROUTE_TUNNEL, NULL);
	tnet_run(&net);		/* registrations */
	ck_assert(nhrp_nhs_is_up(net.nodes[1]->n, 0, 0));
	ck_assert(nhrp_nhs_is_up(net.nodes[2]->n, 0, 0));
	ck_assert_uint_eq(tnode_rt(net.nodes[2], "10.255.255.2/32") == NULL, 1);
	{
		static const uint8_t icmp[28] = { 0x45, 0, 0, 0x64, 0, 5, 0, 0, 0xff, 1, 0xa7, 0x8f,
						  10, 255, 255, 3, 10, 255, 255, 2,
						  8, 0, 0x32, 0x5b, 0, 1, 0, 0 };

		nhrp_hairpin(net.nodes[0]->n, 0, ip("10.255.255.3"), ip("10.255.255.2"),
			     ip("192.168.200.3"), icmp, sizeof(icmp));
	}
	tnet_run(&net);
	ck_assert_uint_eq(net.delivered[NHRP_TRAFFIC_INDICATION], 1);
	ck_assert_uint_eq(net.delivered[NHRP_RESOLUTION_REQUEST], 2);	/* to hub, to spoke2 */
	ck_assert_uint_eq(net.delivered[NHRP_RESOLUTION_REPLY], 1);
	p = tnode_peer(net.nodes[2], "10.255.255.2");
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->p.nbma, ip("192.168.200.2"));
	ck_assert_uint_eq(p->p.flags, NHRP_PEER_SHORTCUT | NHRP_PEER_UNIQUE);
	for (int i = 0; i < 3; i++)
		tnode_free(net.nodes[i]);
}
END_TEST

TCase *tc_interop(void)
{
	TCase *tc = tcase_create("interop");

	tcase_add_test(tc, reg_iol);
	tcase_add_test(tc, reg_responder);
	tcase_add_test(tc, reg_restarted_spoke);
	tcase_add_test(tc, reg_dynamips);
	tcase_add_test(tc, trace_hub_redirect);
	tcase_add_test(tc, trace_spoke_resolves);
	tcase_add_test(tc, trace_hub_forwards);
	tcase_add_test(tc, trace_egress_answers);
	tcase_add_test(tc, trace_end_to_end);
	return tc;
}
