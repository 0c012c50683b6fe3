/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Show output: the IOS layouts of seed 004 (show ip nhrp, brief, nhs,
 * traffic, summary) and seed 001 (flags "router unique local"), show
 * dmvpn, and the JSON of each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "nhrpd_test.h"

static const struct nhrp_show_names nm = { .tunnel = "Tunnel0", .tunnel_short = "Tu0" };

/* want may write times as hh:mm:ss (any time matches). */
static void has(const struct strbuf *sb, const char *want)
{
	char *m = tmask_times(sb->s);
	bool ok = strstr(sb->s ? sb->s : "", want) || strstr(m, want);

	ck_assert_msg(ok, "missing \"%s\" in:\n%s", want, sb->s ? sb->s : "(empty)");
	free(m);
}

static void hasnt(const struct strbuf *sb, const char *what)
{
	ck_assert_msg(!sb->s || !strstr(sb->s, what), "unexpected \"%s\" in:\n%s", what, sb->s);
}

/* seed 004's hub R1 with two registered spokes (one of them behind NAT). */
static struct tnode *hub_world(void)
{
	struct nhrp_if_conf ic;
	struct tnode *hub;
	uint8_t pkt[NHRP_FRAME_MAX];
	size_t len;

	tconf(&ic, "1.1.1.2", "10.10.10.1", 1400, 7200, NULL);
	hub = tnode_new("hub", &ic);
	len = tbuild_reg(pkt, "2.2.2.2", "10.10.10.2", "10.10.10.1", 1, 0x8002, 7200, NULL, NULL, NULL);
	tnode_recv(hub, "2.2.2.2", pkt, len);
	len = tbuild_reg(pkt, "192.168.3.2", "10.10.10.3", "10.10.10.1", 1, 0x8002, 7200, NULL, NULL,
			 NULL);
	tnode_recv(hub, "3.3.3.2", pkt, len);
	tnode_stamp(hub, "10.10.10.2", 99);	/* traffic through it */
	tclock(691000);				/* created 00:11:31 ago */
	return hub;
}

START_TEST(s01_cache)
{
	struct tnode *hub = hub_world();
	struct strbuf sb;

	sb_init(&sb);
	nhrp_show_cache(hub->n, NHRP_SHOW_NORMAL, 0, 0, &nm, &sb, NULL);
	has(&sb, "10.10.10.2/32 via 10.10.10.2\n"
		 "   Tunnel0 created 00:11:31, expire 01:48:29\n"
		 "   Type: dynamic, Flags: authoritative unique registered used\n"
		 "   NBMA address: 2.2.2.2\n");
	has(&sb, "10.10.10.3/32 via 10.10.10.3\n");
	has(&sb, "   Type: dynamic, Flags: authoritative unique registered nat\n"
		 "   NBMA address: 3.3.3.2 (Claimed NBMA address: 192.168.3.2)\n");
	sb_reset(&sb);
	nhrp_show_cache(hub->n, NHRP_SHOW_BRIEF, 0, 0, &nm, &sb, NULL);
	has(&sb, "Target             Via             NBMA            Mode       Intfc  Claimed\n");
	has(&sb, "10.10.10.2/32      10.10.10.2      2.2.2.2         dynamic    Tu0    <   >\n");
	has(&sb, "10.10.10.3/32      10.10.10.3      3.3.3.2         dynamic    Tu0    192.168.3.2\n");
	sb_reset(&sb);
	nhrp_show_cache(hub->n, NHRP_SHOW_DETAIL, ip("10.10.10.3"), 32, &nm, &sb, NULL);
	has(&sb, "   Request ID: 1, holding time 7200 s, MTU 1514\n");
	hasnt(&sb, "10.10.10.2/32");
	sb_free(&sb);
	tnode_free(hub);
}
END_TEST

START_TEST(s02_cache_json)
{
	struct tnode *hub = hub_world();
	struct strbuf sb;
	struct json j;

	sb_init(&sb);
	json_init(&j, &sb);
	nhrp_show_cache(hub->n, NHRP_SHOW_NORMAL, 0, 0, &nm, &sb, &j);
	has(&sb, "{\"entries\":[{\"target\":\"10.10.10.2\",\"prefix_len\":32,\"via\":\"10.10.10.2\","
		 "\"interface\":\"Tunnel0\",\"type\":\"dynamic\",\"kind\":\"registered\","
		 "\"flags\":[\"authoritative\",\"unique\",\"registered\",\"used\"],"
		 "\"nbma\":\"2.2.2.2\",\"claimed_nbma\":\"2.2.2.2\",\"nbma_port\":0,"
		 "\"created_age_s\":691,\"expires_in_s\":6509,\"holdtime\":7200,\"mtu\":1514,"
		 "\"request_id\":1,\"pending\":false}");
	has(&sb, "\"claimed_nbma\":\"192.168.3.2\"");
	sb_free(&sb);
	tnode_free(hub);
}
END_TEST

START_TEST(s03_traffic_summary)
{
	struct tnode *hub = hub_world();
	struct strbuf sb;
	struct json j;

	sb_init(&sb);
	nhrp_show_traffic(hub->n, &nm, &sb, NULL);
	has(&sb, "Tunnel0\n   Sent: Total 2\n"
		 "          0 Resolution Request          0 Resolution Reply            0 Registration Request \n"
		 "          2 Registration Reply          0 Purge Request               0 Purge Reply          \n"
		 "          0 Error Indication            0 Traffic Indication   \n"
		 "   Rcvd: Total 2\n");
	has(&sb, "          2 registrations accepted\n");
	has(&sb, "          1 registrations from behind NAT (claimed != observed NBMA)\n");
	sb_reset(&sb);
	json_init(&j, &sb);
	nhrp_show_traffic(hub->n, &nm, &sb, &j);
	has(&sb, "\"sent\":{\"total\":2,\"resolution_request\":0,\"resolution_reply\":0,"
		 "\"registration_request\":0,\"registration_reply\":2,");
	has(&sb, "\"reg_accepted\":2,");
	sb_reset(&sb);
	nhrp_show_summary(hub->n, &sb, NULL);
	has(&sb, "IP NHRP cache 2 entries, ");
	has(&sb, "    0 static  2 dynamic  0 incomplete\n");
	sb_reset(&sb);
	json_init(&j, &sb);
	nhrp_show_summary(hub->n, &sb, &j);
	has(&sb, "\"entries\":2,");
	has(&sb, "\"registered\":2,");
	sb_free(&sb);
	tnode_free(hub);
}
END_TEST

/* A spoke: static map to its hub, a shortcut and its route, an answer
 * we gave (local), a pending resolution; NHS and dmvpn views. */
START_TEST(s04_spoke_views)
{
	struct tnet net = { .n = 3 };
	struct nhrp_map map = { .proto = ip("10.0.0.1"), .nbma = ip("192.0.2.1"), .multicast = true };
	struct nhrp_if_conf ic;
	struct strbuf sb;
	struct json j;
	struct tnode *s1;

	tconf(&ic, "192.0.2.1", "10.0.0.1", 1400, 300, NULL);
	net.nodes[0] = tnode_new("hub", &ic);
	tnode_route(net.nodes[0], "10.0.0.0/24", NHRP_ROUTE_TUNNEL, NULL);
	tnode_route(net.nodes[0], "10.0.65.0/24", NHRP_ROUTE_TUNNEL, "10.0.0.3");
	for (int i = 1; i <= 2; i++) {
		tconf(&ic, i == 1 ? "198.51.100.2" : "203.0.113.2", i == 1 ? "10.0.0.2" : "10.0.0.3",
		      1400, 300, NULL);
		tconf_nhs(&ic, "10.0.0.1", "192.0.2.1");
		net.nodes[i] = tnode_new(i == 1 ? "spoke1" : "spoke2", &ic);
		ck_assert_int_eq(nhrp_static_set(net.nodes[i]->n, 0, &map, 1), 0);
		tnode_route(net.nodes[i], i == 1 ? "10.0.64.0/24" : "10.0.65.0/24", NHRP_ROUTE_LOCAL,
			    NULL);
	}
	s1 = net.nodes[1];
	ck_assert_int_eq(nhrp_res_start(net.nodes[0]->n, 0, ip("10.0.0.9"), false), -ENOENT);
	tnet_run(&net);
	ck_assert_int_eq(nhrp_res_start(s1->n, 0, ip("10.0.65.5"), false), 0);
	ck_assert_int_eq(net.nodes[0]->ic.redirect, false);
	tnet_run(&net);
	nhrp_miss(s1->n, 0, ip("10.0.0.77"), 0, 0);	/* pending */
	sb_init(&sb);
	nhrp_show_cache(s1->n, NHRP_SHOW_NORMAL, 0, 0, &nm, &sb, NULL);
	has(&sb, "10.0.0.1/32 via 10.0.0.1\n   Tunnel0 created hh:mm:ss, never expire\n"
		 "   Type: static, Flags: authoritative multicast\n   NBMA address: 192.0.2.1\n");
	has(&sb, "10.0.0.3/32 via 10.0.0.3\n");
	has(&sb, "   Type: dynamic, Flags: authoritative router unique\n   NBMA address: 203.0.113.2\n");
	has(&sb, "10.0.65.0/24 via 10.0.0.3\n");
	has(&sb, "   Type: dynamic, Flags: router rib nho\n   NBMA address: 203.0.113.2\n");
	has(&sb, "10.0.0.77/32 via 10.0.0.77\n");
	has(&sb, "   Type: incomplete, Flags: \n");
	sb_reset(&sb);
	nhrp_show_cache(net.nodes[2]->n, NHRP_SHOW_DETAIL, 0, 0, &nm, &sb, NULL);
	has(&sb, "10.0.65.0/24 via 10.0.65.0\n");
	has(&sb, "   Type: dynamic, Flags: router unique local\n   NBMA address: 203.0.113.2\n"
		 "    (no-socket)\n");
	has(&sb, "   Requester: 10.0.0.2, NBMA 198.51.100.2\n");
	has(&sb, "10.0.0.2/32 via 10.0.0.2\n");	/* implicit */
	has(&sb, "Flags: router implicit\n");
	sb_reset(&sb);
	nhrp_show_nhs(s1->n, false, &nm, &sb, NULL);
	has(&sb, "Legend: E=Expecting replies, R=Responding, W=Waiting\nTunnel0:\n"
		 "10.0.0.1        RE  NBMA Address: 192.0.2.1 priority = 0 cluster = 0\n");
	sb_reset(&sb);
	json_init(&j, &sb);
	nhrp_show_nhs(s1->n, true, &nm, &sb, &j);
	has(&sb, "\"address\":\"10.0.0.1\",\"nbma\":\"192.0.2.1\",\"state\":\"up\",\"flags\":\"RE\","
		 "\"up\":true,");
	sb_reset(&sb);
	nhrp_show_dmvpn(s1->n, false, &nm, &sb, NULL);
	has(&sb, "Interface: Tunnel0, IPv4 NHRP Details\nType:Spoke, NHRP Peers:4,\n");
	has(&sb, "     1       192.0.2.1        10.0.0.1    UP hh:mm:ss     S\n");
	has(&sb, "     2     203.0.113.2        10.0.0.3    UP hh:mm:ss     D\n");
	has(&sb, "           203.0.113.2       10.0.65.0    UP hh:mm:ss DT1T2\n");
	has(&sb, "     1         UNKNOWN       10.0.0.77  NHRP hh:mm:ss     I\n");
	sb_reset(&sb);
	json_init(&j, &sb);
	nhrp_show_dmvpn(net.nodes[0]->n, false, &nm, &sb, &j);
	has(&sb, "{\"interfaces\":[{\"interface\":\"Tunnel0\",\"type\":\"Hub\",\"peers\":[");
	has(&sb, "{\"nbma\":\"198.51.100.2\",\"tunnel\":\"10.0.0.2\",\"prefix_len\":32,\"state\":\"UP\"");
	sb_free(&sb);
	/* clear: learned entries go, static stays */
	ck_assert_uint_eq(nhrp_clear(s1->n, 0, 0), 3);
	ck_assert_uint_eq(nhrp_cache_count(s1->n), 1);
	for (int i = 0; i < 3; i++)
		tnode_free(net.nodes[i]);
}
END_TEST

TCase *tc_show(void)
{
	TCase *tc = tcase_create("show");

	tcase_add_test(tc, s01_cache);
	tcase_add_test(tc, s02_cache_json);
	tcase_add_test(tc, s03_traffic_summary);
	tcase_add_test(tc, s04_spoke_views);
	return tc;
}
