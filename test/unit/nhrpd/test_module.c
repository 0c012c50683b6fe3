/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NHRP module in a controller against the fake data plane
 * (test/unit/controlplane/fakedp.c): NHRP from the punt ring, to the
 * inject ring; registrations and shortcuts as published adjacencies and
 * routes; the tunnel's NHS adjacency following the NHS states (dual hub);
 * a restarted controller adopting registrations; the CLI commands.  The
 * other side is an engine with the fake nhrp_io of the engine tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "harness.h"
#include "nhrp_module.h"
#include "nhrpd_test.h"

static struct h h;
static struct nhrp_msg got;

struct inj {
	uint32_t dst;
	size_t len;
	uint8_t pkt[NHRP_FRAME_MAX];
};

static void mod_start(const char *path)
{
	h_ctl_start(&h, path, false);
	ck_assert_int_eq(nhrp_module_init(&h.ctl), 0);
	ck_assert_ptr_nonnull(nhrp_module_engine(&h.ctl));
	if (!h.dp_on)
		h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 5000));
}

/* The next NHRP packet the controller injected. */
static bool inj_take(struct inj *o)
{
	uint8_t buf[SHM_PKT_ENTRY_SIZE];

	for (int i = 0; i < 400; i++) {
		uint16_t len, t = fakedp_inject_take(&h.dp, buf, sizeof(buf), &len);

		if (t == MSG_INJECT_NHRP) {
			const struct msg_inject_nhrp *in = (const void *)buf;

			ck_assert_uint_eq(in->tunnel, 0);
			ck_assert_uint_le(in->len, sizeof(o->pkt));
			o->dst = in->dst;
			o->len = in->len;
			memcpy(o->pkt, in + 1, in->len);
			return true;
		}
		run_for(&h, 5);
	}
	return false;
}

/* Take injects until one of type `type` (others dropped). */
static void inj_expect(struct inj *o, int type, const char *to)
{
	while (inj_take(o)) {
		struct nhrp_parse_err err;

		ck_assert_int_eq(nhrp_parse(o->pkt, o->len, &got, &err), 0);
		ck_assert(got.cksum_ok);
		ck_assert_uint_ne(got.hopcnt, 0);
		if (got.type == type) {
			ck_assert_uint_eq(o->dst, ip(to));
			return;
		}
	}
	ck_abort_msg("no %s injected", nhrp_type_name((unsigned int)type));
}

static void punt_nhrp(const char *src, const uint8_t *pkt, size_t len)
{
	uint8_t buf[SHM_PKT_ENTRY_SIZE];
	struct msg_punt_pkt *p = (void *)buf;

	*p = (struct msg_punt_pkt){ .src = ip(src), .key = 999, .len = (uint16_t)len };
	memcpy(p + 1, pkt, len);
	ck_assert_int_eq(fakedp_punt(&h.dp, MSG_PUNT_NHRP, buf, (uint16_t)(sizeof(*p) + len)), 0);
	run_for(&h, 20);
}

/* What a fake peer engine sent: into the controller. */
static void relay(struct tnode *from, int type)
{
	struct tsent s;

	ck_assert_msg(tnode_take(from, type, &s), "%s sent no %s", from->name,
		      nhrp_type_name((unsigned int)type));
	punt_nhrp(from->ic.nbma == ip("192.0.2.1") ? "192.0.2.1" : "192.0.2.254", s.pkt, s.len);
}

static char *cli(const char *line)
{
	int st;
	char *out = h_cli(&h, line, &st);

	ck_assert_msg(st == 0, "%s: %s", line, out);
	return out;
}

/* want may write times as hh:mm:ss (any time matches). */
static void cli_has(const char *line, const char *want)
{
	char *out = cli(line), *m = tmask_times(out);

	ck_assert_msg(strstr(out, want) || strstr(m, want), "\"%s\": missing \"%s\" in:\n%s",
		      line, want, out);
	free(m);
	free(out);
}

static struct tnode *fake_hub(const char *nbma, const char *proto)
{
	struct nhrp_if_conf ic;
	struct tnode *t;

	tconf(&ic, nbma, proto, 1416, 300, NULL);
	t = tnode_new("hub", &ic);
	tnode_route(t, "10.0.0.0/24", NHRP_ROUTE_TUNNEL, NULL);
	return t;
}

static const struct adj *adj_of(const char *proto)
{
	return adj_find(&h.ctl, 0, ip(proto));
}

static bool nhs_adj_is_hub2(struct h *x)
{
	const struct adj *a = adj_of("10.0.0.254");

	return h_synced(x) && a && a->slot != ADJ_NO_SLOT && x->dp.tunnel.nhs_adj == a->slot + 1;
}

static bool shortcut_live(struct h *x)
{
	const struct adj *a = adj_of("10.0.0.3");

	return h_synced(x) && a && a->slot != ADJ_NO_SLOT && fakedp_slot_live(&x->dp, a->slot);
}

static bool shortcut_gone(struct h *x)
{
	const struct fdp_route *r = fakedp_route(&x->dp, RT_OVERLAY, "10.0.65.0/24");

	return h_synced(x) && !adj_of("10.0.0.3") && r && r->nh_type == NH_GLEAN;
}

/* Spoke: registers at start, Phase 2 resolution from a miss event, the
 * shortcut published and used by the route, show and clear. */
START_TEST(m01_spoke)
{
	char path[256];
	struct tnode *hub;
	struct inj o;
	uint8_t pkt[NHRP_FRAME_MAX];
	size_t len;
	const struct fdp_route *r;
	const struct adj *a;
	struct msg_ev_miss miss = { .tunnel = 0 };

	h_setup(&h);
	h_spoke_conf(&h, "{ protocol = \"10.0.0.1\"; nbma = \"192.0.2.1\"; }",
		     "{ prefix = \"10.0.65.0/24\"; via = \"10.0.0.3\"; }", NULL, path, sizeof(path));
	mod_start(path);
	hub = fake_hub("192.0.2.1", "10.0.0.1");
	inj_expect(&o, NHRP_REGISTRATION_REQUEST, "192.0.2.1");
	tnode_recv(hub, "198.51.100.2", o.pkt, o.len);
	relay(hub, NHRP_REGISTRATION_REPLY);
	cli_has("show ip nhrp nhs", "10.0.0.1        RE  NBMA Address: 192.0.2.1");
	/* spoke 2 registered with the hub */
	len = tbuild_reg(pkt, "203.0.113.2", "10.0.0.3", "10.0.0.1", 1, 0x8002, 300, NULL, NULL, NULL);
	tnode_recv(hub, "203.0.113.2", pkt, len);
	tnode_clear(hub);
	/* the data plane: a packet to 10.0.65.5 needed 10.0.0.3 */
	r = fakedp_route(&h.dp, RT_OVERLAY, "10.0.65.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->nh_type, NH_GLEAN);
	miss.dst = ip("10.0.65.5");
	miss.src = ip("10.0.64.20");
	miss.nexthop = ip("10.0.0.3");
	ck_assert_int_eq(fakedp_punt(&h.dp, MSG_EV_ADJ_MISS, &miss, sizeof(miss)), 0);
	inj_expect(&o, NHRP_RESOLUTION_REQUEST, "192.0.2.1");
	tcheck_addr(&got.dst_proto, "10.0.0.3");
	tnode_recv(hub, "198.51.100.2", o.pkt, o.len);
	relay(hub, NHRP_RESOLUTION_REPLY);
	ck_assert(run_until(&h, shortcut_live, 5000));
	a = adj_of("10.0.0.3");
	ck_assert_uint_eq(a->nbma, ip("203.0.113.2"));
	ck_assert_uint_eq(a->flags, ADJ_F_SHORTCUT | ADJ_F_UNIQUE);
	r = fakedp_route(&h.dp, RT_OVERLAY, "10.0.65.0/24");
	ck_assert_uint_eq(r->nh_type, NH_ADJ);
	ck_assert_uint_eq(r->value, a->slot);
	cli_has("show ip nhrp", "10.0.0.3/32 via 10.0.0.3\n   Tunnel0 created hh:mm:ss, expire hh:mm:ss\n"
				"   Type: dynamic, Flags: authoritative router unique\n"
				"   NBMA address: 203.0.113.2\n");
	cli_has("show ip nhrp --json", "\"target\":\"10.0.0.3\",\"prefix_len\":32,\"via\":\"10.0.0.3\","
				       "\"interface\":\"Tunnel0\",\"type\":\"dynamic\",\"kind\":\"shortcut\"");
	cli_has("show ip nhrp brief", "10.0.0.1/32        10.0.0.1        192.0.2.1       static     Tu0    <   >\n");
	cli_has("show dmvpn", "     1     203.0.113.2        10.0.0.3    UP hh:mm:ss     D\n");
	cli_has("show ip nhrp traffic", "          1 Resolution Request");
	cli_has("show ip nhrp summary --json", "\"shortcut\":1,");
	cli_has("clear ip nhrp", "1 NHRP entry cleared");
	ck_assert(run_until(&h, shortcut_gone, 5000));
	tnode_free(hub);
	h_teardown(&h);
}
END_TEST

static const char hub_conf[] =
	"instance = \"cpt\";\n"
	"dataplane = { segment_dir = \"%s\"; };\n"
	"interfaces = (\n"
	"  { name = \"h-pub\"; device = \"net_null0\"; role = \"public\";\n"
	"    address = \"192.0.2.1/24\"; gateway = \"192.0.2.254\"; },\n"
	"  { name = \"h-lan\"; device = \"net_null1\"; role = \"lan\"; address = \"10.1.0.1/24\"; }\n"
	");\n"
	"tunnel = { address = \"10.0.0.1/24\"; source = \"h-pub\"; key = 999; mtu = 1416; };\n"
	"nhrp = { holdtime = 300; authentication = \"nhrp-pwd\"; map_multicast = \"dynamic\";\n"
	"         redirect = true; };\n"
	"routes = ( { prefix = \"10.0.65.0/24\"; via = \"10.0.0.3\"; } );\n";

/* Hub: a registration becomes a published dynamic adjacency (multicast
 * member), the reply is injected; a hairpin event sends a Traffic
 * Indication; a restarted controller adopts the registration. */
START_TEST(m02_hub)
{
	char text[2048], path[256];
	uint8_t pkt[NHRP_FRAME_MAX], sample[28] = { 0x45, 0, 0, 84, 0, 0, 0, 0, 63, 1, 0, 0,
						    10, 0, 64, 20, 10, 0, 65, 5 };
	size_t len;
	struct inj o;
	const struct adj *a;
	unsigned int publishes;
	struct {
		struct msg_ev_hairpin ev;
		uint8_t sample[28];
	} hp = { .ev = { .tunnel = 0, .sample_len = 28 } };

	h_setup(&h);
	snprintf(text, sizeof(text), hub_conf, h.dir);
	h_write(&h, "hub.conf", text, path, sizeof(path));
	mod_start(path);
	len = tbuild_reg(pkt, "198.51.100.2", "10.0.0.2", "10.0.0.1", 1, 0x8002, 300, "nhrp-pwd",
			 "192.0.2.1", "10.0.0.1");
	punt_nhrp("198.51.100.2", pkt, len);
	inj_expect(&o, NHRP_REGISTRATION_REPLY, "198.51.100.2");
	ck_assert_uint_eq(got.cies[0].code, 0);
	ck_assert(run_until(&h, h_synced, 5000));
	a = adj_of("10.0.0.2");
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->flags, ADJ_F_DYNAMIC | ADJ_F_UNIQUE | ADJ_F_MULTICAST);
	ck_assert(fakedp_slot_live(&h.dp, a->slot));
	ck_assert_uint_gt(shm_adj(&h.dp.seg, a->slot)->expires_ns, 0);
	cli_has("show ip nhrp", "10.0.0.2/32 via 10.0.0.2\n");
	cli_has("show ip nhrp", "   Type: dynamic, Flags: authoritative unique registered multicast\n"
				"   NBMA address: 198.51.100.2\n");
	cli_has("show ip nhrp traffic --json", "\"rcvd\":{\"total\":1,");
	/* Phase 3 */
	memcpy(hp.sample, sample, sizeof(sample));
	hp.ev.src = ip("10.0.64.20");
	hp.ev.dst = ip("10.0.65.5");
	hp.ev.in_nbma = ip("198.51.100.2");
	ck_assert_int_eq(fakedp_punt(&h.dp, MSG_EV_HAIRPIN, &hp, sizeof(hp)), 0);
	inj_expect(&o, NHRP_TRAFFIC_INDICATION, "198.51.100.2");
	tcheck_addr(&got.dst_proto, "10.0.64.20");
	ck_assert_uint_eq(got.payload.len, 28);
	/* controller restart: the registration comes back from the slot */
	publishes = h.dp.publishes;
	h_ctl_stop(&h);
	mod_start(path);
	ck_assert_uint_eq(h.dp.publishes, publishes);
	a = adj_of("10.0.0.2");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(a->owner);
	cli_has("show ip nhrp", "   Type: dynamic, Flags: authoritative unique registered multicast\n");
	cli_has("show ip nhrp summary", "IP NHRP cache 1 entry,");
	h_teardown(&h);
}
END_TEST

static const char dual_conf[] =
	"instance = \"cpt\";\n"
	"dataplane = { segment_dir = \"%s\"; };\n"
	"interfaces = (\n"
	"  { name = \"s1-pub\"; device = \"net_null0\"; role = \"public\";\n"
	"    address = \"198.51.100.2/24\"; gateway = \"198.51.100.254\"; },\n"
	"  { name = \"s1-lan\"; device = \"net_null1\"; role = \"lan\"; address = \"10.0.64.1/24\"; }\n"
	");\n"
	"tunnel = { address = \"10.0.0.2/24\"; source = \"s1-pub\"; key = 999; mtu = 1416; };\n"
	"nhrp = { holdtime = 300;\n"
	"         map = ( { protocol = \"10.0.0.1\"; nbma = \"192.0.2.1\"; },\n"
	"                 { protocol = \"10.0.0.254\"; nbma = \"192.0.2.254\"; } );\n"
	"         nhs = [ \"10.0.0.1\", \"10.0.0.254\" ]; };\n";

/* Dual hub (seed 000 Example 7-19): hub 1 silent, hub 2 answers: the
 * tunnel's NHS adjacency (traffic to unresolved next hops) is hub 2's. */
START_TEST(m03_dual_hub)
{
	char text[2048], path[256];
	struct tnode *hub2;
	struct inj o;

	h_setup(&h);
	snprintf(text, sizeof(text), dual_conf, h.dir);
	h_write(&h, "dual.conf", text, path, sizeof(path));
	mod_start(path);
	hub2 = fake_hub("192.0.2.254", "10.0.0.254");
	ck_assert_uint_eq(h.dp.tunnel.nhs_adj, adj_of("10.0.0.1")->slot + 1);	/* nobody up */
	inj_expect(&o, NHRP_REGISTRATION_REQUEST, "192.0.2.1");
	inj_expect(&o, NHRP_REGISTRATION_REQUEST, "192.0.2.254");
	tnode_recv(hub2, "198.51.100.2", o.pkt, o.len);
	relay(hub2, NHRP_REGISTRATION_REPLY);
	ck_assert(run_until(&h, nhs_adj_is_hub2, 5000));
	ck_assert(adj_of("10.0.0.1")->nhrp_flags & ADJ_NHRP_NHS_DOWN);
	ck_assert(!(adj_of("10.0.0.254")->nhrp_flags & ADJ_NHRP_NHS_DOWN));
	cli_has("show ip nhrp nhs", "10.0.0.1        E   NBMA Address: 192.0.2.1");
	cli_has("show ip nhrp nhs", "10.0.0.254      RE  NBMA Address: 192.0.2.254");
	cli_has("show dmvpn --json", "\"type\":\"Spoke\"");
	tnode_free(hub2);
	h_teardown(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nhrpd-module");
	TCase *tc = tcase_create("module");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, m01_spoke);
	tcase_add_test(tc, m02_hub);
	tcase_add_test(tc, m03_dual_hub);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
