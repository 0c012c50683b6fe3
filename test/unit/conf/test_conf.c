/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration loader: the example configs, defaults, every setting, the
 * libconfig integer pitfall, 40k static maps, and a table of bad configs that
 * must each fail at the right line with the right message.
 *
 * Runs from the project root (meson workdir): the files in conf/ and
 * test/unit/conf/bad/ are opened by relative path.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "msg.h"

static uint32_t A(const char *s)
{
	uint32_t a = 0;

	ck_assert_msg(addr_parse(s, &a), "bad test address %s", s);
	return a;
}

static bool conf_is_empty(const struct conf *c)
{
	static const struct conf zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

static void load_ok(const char *text, struct conf *c)
{
	struct conf_error e;
	int rc = conf_load_string(text, "t.conf", c, &e);

	ck_assert_msg(rc == 0, "load failed: %s:%d: %s", e.file, e.line, e.msg);
}

/* ---- the example configs ------------------------------------------------ */

START_TEST(test_example_hub)
{
	struct conf c;
	struct conf_error e;

	ck_assert_msg(conf_load("conf/hub.conf", &c, &e) == 0, "%s:%d: %s", e.file, e.line, e.msg);
	ck_assert_str_eq(c.file, "conf/hub.conf");
	ck_assert_str_eq(c.instance, "hub");
	ck_assert_uint_eq(c.n_ifaces, 2);
	ck_assert_str_eq(c.ifaces[0].name, "hub-pub");
	ck_assert_str_eq(c.ifaces[0].device, "net_af_packet0,iface=hub-pub");
	ck_assert_uint_eq(c.ifaces[0].role, PORT_ROLE_PUBLIC);
	ck_assert_uint_eq(c.ifaces[0].addr, A("192.0.2.1"));
	ck_assert_uint_eq(c.ifaces[0].plen, 24);
	ck_assert_uint_eq(c.ifaces[0].gateway, A("192.0.2.254"));
	ck_assert_uint_eq(c.ifaces[0].mtu, 1500);
	ck_assert_str_eq(c.ifaces[1].name, "hub-lan");
	ck_assert_uint_eq(c.ifaces[1].role, PORT_ROLE_LAN);
	ck_assert_uint_eq(c.ifaces[1].addr, A("10.1.0.1"));
	ck_assert_uint_eq(c.ifaces[1].gateway, 0);
	ck_assert(c.tunnel.present);
	ck_assert_str_eq(c.tunnel.name, "Tunnel0");
	ck_assert_uint_eq(c.tunnel.addr, A("10.0.0.1"));
	ck_assert_uint_eq(c.tunnel.plen, 24);
	ck_assert_uint_eq(c.tunnel.source, 0);
	ck_assert(c.tunnel.has_key);
	ck_assert_uint_eq(c.tunnel.key, 999);
	ck_assert_uint_eq(c.tunnel.mtu, 1416);
	ck_assert_str_eq(c.tunnel.protection, "");
	ck_assert_uint_eq(c.nhrp.network_id, 1);
	ck_assert_uint_eq(c.nhrp.holdtime, 300);
	ck_assert_str_eq(c.nhrp.auth, "nhrp-pwd");
	ck_assert(c.nhrp.multicast_dynamic);
	ck_assert_uint_eq(c.nhrp.n_multicast, 0);
	ck_assert_uint_eq(c.nhrp.n_maps, 0);
	ck_assert_uint_eq(c.nhrp.n_nhs, 0);
	ck_assert_uint_eq(c.n_routes, 2);
	ck_assert_uint_eq(c.routes[0].prefix, A("10.0.64.0"));
	ck_assert_uint_eq(c.routes[0].via, A("10.0.0.2"));
	ck_assert_uint_eq(c.routes[1].prefix, A("10.0.65.0"));
	ck_assert_uint_eq(c.routes[1].via, A("10.0.0.3"));
	ck_assert_uint_eq(c.routes[1].table, RT_OVERLAY);
	ck_assert_uint_eq(c.routes[1].type, CONF_RT_VIA);
	ck_assert_uint_eq(c.log.level, LOG_LVL_INFO);
	ck_assert_int_gt(c.ifaces[1].line, c.ifaces[0].line);
	conf_free(&c);
	ck_assert(conf_is_empty(&c));
}
END_TEST

START_TEST(test_example_spokes)
{
	struct conf c;
	struct conf_error e;

	ck_assert_msg(conf_load("conf/spoke1.conf", &c, &e) == 0, "%s:%d: %s", e.file, e.line, e.msg);
	ck_assert_str_eq(c.instance, "spoke1");
	ck_assert_uint_eq(c.ifaces[0].addr, A("198.51.100.2"));
	ck_assert_uint_eq(c.ifaces[0].gateway, A("198.51.100.254"));
	ck_assert_uint_eq(c.ifaces[1].addr, A("10.0.64.1"));
	ck_assert_uint_eq(c.tunnel.addr, A("10.0.0.2"));
	ck_assert_uint_eq(c.tunnel.key, 999);
	ck_assert_uint_eq(c.tunnel.mtu, 1416);
	ck_assert_uint_eq(c.nhrp.n_maps, 1);
	ck_assert_uint_eq(c.nhrp.maps[0].proto, A("10.0.0.1"));
	ck_assert_uint_eq(c.nhrp.maps[0].nbma, A("192.0.2.1"));
	ck_assert_int_gt(c.nhrp.maps[0].line, 0);
	ck_assert(!c.nhrp.multicast_dynamic);
	ck_assert_uint_eq(c.nhrp.n_multicast, 1);
	ck_assert_uint_eq(c.nhrp.multicast[0], A("192.0.2.1"));
	ck_assert_uint_eq(c.nhrp.n_nhs, 1);
	ck_assert_uint_eq(c.nhrp.nhs[0], A("10.0.0.1"));
	ck_assert_uint_eq(c.n_routes, 2);
	ck_assert_uint_eq(c.routes[0].prefix, A("10.1.0.0"));
	ck_assert_uint_eq(c.routes[0].via, A("10.0.0.1"));
	ck_assert_uint_eq(c.routes[1].prefix, A("10.0.65.0"));
	ck_assert_uint_eq(c.routes[1].via, A("10.0.0.3"));
	conf_free(&c);

	ck_assert_msg(conf_load("conf/spoke2.conf", &c, &e) == 0, "%s:%d: %s", e.file, e.line, e.msg);
	ck_assert_str_eq(c.instance, "spoke2");
	ck_assert_uint_eq(c.ifaces[0].addr, A("203.0.113.2"));
	ck_assert_uint_eq(c.ifaces[1].addr, A("10.0.65.1"));
	ck_assert_uint_eq(c.tunnel.addr, A("10.0.0.3"));
	ck_assert_uint_eq(c.nhrp.nhs[0], A("10.0.0.1"));
	ck_assert_uint_eq(c.n_routes, 3);
	ck_assert_uint_eq(c.routes[0].table, RT_UNDERLAY);
	ck_assert_uint_eq(c.routes[0].prefix, A("192.0.2.1"));
	ck_assert_uint_eq(c.routes[0].plen, 32);
	ck_assert_uint_eq(c.routes[0].via, A("203.0.113.254"));
	ck_assert_uint_eq(c.routes[2].prefix, A("10.0.64.0"));
	ck_assert_uint_eq(c.routes[2].via, A("10.0.0.2"));
	conf_free(&c);
}
END_TEST

/* ---- defaults, paths, every setting ------------------------------------- */

#define MINIMAL                                                                 \
	"instance = \"t1\";\n"                                                  \
	"interfaces = ( { name = \"pub\"; device = \"net_null0\"; role = \"public\";" \
	" address = \"192.0.2.2/24\"; } );\n"

START_TEST(test_defaults)
{
	struct conf c;
	char buf[CONF_PATH_LEN];

	unsetenv("DMVPN_RUNDIR");
	load_ok(MINIMAL, &c);
	ck_assert_str_eq(c.file, "t.conf");
	ck_assert_str_eq(c.rundir, "/run/dmvpn");
	ck_assert_str_eq(c.dp.lcores, "");
	ck_assert_str_eq(c.dp.main_lcore, "");
	ck_assert_uint_eq(c.dp.workers, 1);
	ck_assert_uint_eq(c.dp.memory_mb, 256);
	ck_assert_uint_eq(c.dp.mbufs, 8191);
	ck_assert_uint_eq(c.dp.burst, 32);
	ck_assert_uint_eq(c.dp.rx_desc, 1024);
	ck_assert_uint_eq(c.dp.tx_desc, 1024);
	ck_assert(c.dp.adaptive_idle);
	ck_assert_uint_eq(c.dp.idle_sleep_max_us, 1000);
	ck_assert_str_eq(c.dp.segment_dir, "/dev/shm");
	ck_assert_uint_eq(c.dp.max_adjacencies, 16384);
	ck_assert_uint_eq(c.dp.max_sas, 16384);
	ck_assert_uint_eq(c.dp.fib_tbl8, 4096);
	ck_assert_uint_eq(c.dp.max_routes, 65536);
	ck_assert_uint_eq(c.dp.n_pci, 0);
	ck_assert_uint_eq(c.dp.n_eal_args, 0);
	ck_assert_uint_eq(c.ifaces[0].mtu, 1500);
	ck_assert(!c.tunnel.present);
	ck_assert_str_eq(c.tunnel.name, "Tunnel0");
	ck_assert_uint_eq(c.tunnel.mtu, 1400);
	ck_assert(!c.tunnel.has_key);
	ck_assert_uint_eq(c.nhrp.network_id, 1);
	ck_assert_uint_eq(c.nhrp.holdtime, 7200);
	ck_assert_str_eq(c.nhrp.auth, "");
	ck_assert_uint_eq(c.nhrp.registration_timeout, 0);
	ck_assert(!c.nhrp.redirect && !c.nhrp.shortcut && !c.nhrp.no_unique);
	ck_assert_ptr_null(c.nhrp.maps);
	ck_assert_ptr_null(c.routes);
	ck_assert_ptr_null(c.nbrs);
	ck_assert_uint_eq(c.log.level, LOG_LVL_INFO);
	ck_assert_str_eq(c.log.file, "");
	ck_assert_int_eq(conf_iface_find(&c, "pub"), 0);
	ck_assert_int_eq(conf_iface_find(&c, "lan"), -1);
	conf_path_socket(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/run/dmvpn/t1.sock");
	conf_path_bell(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/run/dmvpn/t1.bell");
	conf_path_segment(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/dev/shm/dmvpn-t1.seg");
	conf_free(&c);
}
END_TEST

START_TEST(test_rundir)
{
	struct conf c;
	char buf[CONF_PATH_LEN];

	/* the environment overrides the default ... */
	setenv("DMVPN_RUNDIR", "/tmp/dmvpn-test", 1);
	load_ok(MINIMAL, &c);
	ck_assert_str_eq(c.rundir, "/tmp/dmvpn-test");
	conf_path_socket(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/tmp/dmvpn-test/t1.sock");
	conf_free(&c);
	/* ... but not the file */
	load_ok(MINIMAL "rundir = \"/var/run/x\";\n"
		"dataplane = { segment_dir = \"/dev/hugepages\"; };\n", &c);
	ck_assert_str_eq(c.rundir, "/var/run/x");
	conf_path_bell(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/var/run/x/t1.bell");
	conf_path_segment(&c, buf, sizeof(buf));
	ck_assert_str_eq(buf, "/dev/hugepages/dmvpn-t1.seg");
	conf_free(&c);
	unsetenv("DMVPN_RUNDIR");
}
END_TEST

static const char full_text[] =
	"# every setting once\n"
	"instance = \"Hub_2-x\";\n"
	"dataplane = {\n"
	"  lcores = \"0-3\"; main_lcore = \"1\"; workers = 3; memory_mb = 1024;\n"
	"  mbufs = 32767; burst = 64; rx_desc = 2048; tx_desc = 512; idle = \"poll\";\n"
	"  idle_sleep_max_us = 50; segment_dir = \"/dev/hugepages\"; max_adjacencies = 65536;\n"
	"  max_sas = 1024; fib_tbl8 = 8192; max_routes = 1000000;\n"
	"  pci = [ \"0000:00:08.0\", \"0000:00:09.0\" ];\n"
	"  eal_args = [ \"--log-level=lib.eal:debug\" ];\n"
	"};\n"
	"interfaces = (\n"
	"  { name = \"Serial0/0\"; device = \"0000:00:08.0\"; role = \"public\";\n"
	"    address = \"192.0.2.10/30\"; gateway = \"192.0.2.9\"; mtu = 9000; },\n"
	"  { name = \"lan\"; device = \"0000:00:09.0\"; role = \"lan\"; address = \"10.1.0.1/24\"; },\n"
	"  { name = \"tap\"; device = \"net_tap0,iface=dmvpn0\"; role = \"host\"; }\n"
	");\n"
	"tunnel = { name = \"Tunnel1\"; address = \"10.0.0.254/24\"; source = \"Serial0/0\";\n"
	"  key = 4294967295; mtu = 8900; protection = \"dmvpn-profile\"; };\n"
	"nhrp = {\n"
	"  network_id = 4294967295; holdtime = 65535; authentication = \"12345678\";\n"
	"  map = ( { protocol = \"10.0.0.1\"; nbma = \"198.51.100.1\"; },\n"
	"          { protocol = \"10.0.0.2\"; nbma = \"198.51.100.2\"; } );\n"
	"  map_multicast = [ \"198.51.100.1\", \"dynamic\", \"198.51.100.2\" ];\n"
	"  nhs = [ \"10.0.0.2\", \"10.0.0.1\" ];\n"
	"  redirect = true; shortcut = true; no_unique = true; registration_timeout = 60;\n"
	"};\n"
	"routes = (\n"
	"  { prefix = \"0.0.0.0/0\"; via = \"10.0.0.1\"; },\n"
	"  { prefix = \"10.99.0.0/16\"; drop = true; },\n"
	"  { prefix = \"10.2.0.0/16\"; via = \"10.1.0.2\"; table = \"overlay\"; },\n"
	"  { prefix = \"203.0.113.0/24\"; via = \"192.0.2.9\"; table = \"underlay\"; },\n"
	"  { prefix = \"203.0.113.0/24\"; drop = true; }\n"	/* other table: no duplicate */
	");\n"
	"neighbors = (\n"
	"  { address = \"10.1.0.2\"; mac = \"02:00:00:00:01:02\"; interface = \"lan\"; },\n"
	"  { address = \"192.0.2.9\"; mac = \"02:00:00:00:00:09\"; interface = \"Serial0/0\"; }\n"
	");\n"
	"log = { level = \"debug\"; file = \"/var/log/dmvpn.log\"; };\n"
	/* the profile tunnel.protection names (tests: test/unit/ipsec) */
	"ipsec = { transform_set = ( { name = \"t\"; transforms = \"esp-gcm 256\"; } );\n"
	"  profile = ( { name = \"dmvpn-profile\"; transform_set = \"t\"; } ); };\n";

START_TEST(test_full)
{
	struct conf c;

	load_ok(full_text, &c);
	ck_assert_str_eq(c.instance, "Hub_2-x");
	ck_assert_str_eq(c.dp.lcores, "0-3");
	ck_assert_str_eq(c.dp.main_lcore, "1");
	ck_assert_uint_eq(c.dp.workers, 3);
	ck_assert_uint_eq(c.dp.memory_mb, 1024);
	ck_assert_uint_eq(c.dp.mbufs, 32767);
	ck_assert_uint_eq(c.dp.burst, 64);
	ck_assert_uint_eq(c.dp.rx_desc, 2048);
	ck_assert_uint_eq(c.dp.tx_desc, 512);
	ck_assert(!c.dp.adaptive_idle);
	ck_assert_uint_eq(c.dp.idle_sleep_max_us, 50);
	ck_assert_str_eq(c.dp.segment_dir, "/dev/hugepages");
	ck_assert_uint_eq(c.dp.max_adjacencies, 65536);
	ck_assert_uint_eq(c.dp.max_sas, 1024);
	ck_assert_uint_eq(c.dp.fib_tbl8, 8192);
	ck_assert_uint_eq(c.dp.max_routes, 1000000);
	ck_assert_uint_eq(c.dp.n_pci, 2);
	ck_assert_str_eq(c.dp.pci[1], "0000:00:09.0");
	ck_assert_uint_eq(c.dp.n_eal_args, 1);
	ck_assert_str_eq(c.dp.eal_args[0], "--log-level=lib.eal:debug");
	ck_assert_uint_eq(c.n_ifaces, 3);
	ck_assert_uint_eq(c.ifaces[0].mtu, 9000);
	ck_assert_uint_eq(c.ifaces[0].plen, 30);
	ck_assert_uint_eq(c.ifaces[2].role, PORT_ROLE_HOST);
	ck_assert_uint_eq(c.ifaces[2].addr, 0);
	ck_assert_uint_eq(c.ifaces[0].line, 12);
	ck_assert_uint_eq(c.ifaces[2].line, 15);
	ck_assert_str_eq(c.tunnel.name, "Tunnel1");
	ck_assert_uint_eq(c.tunnel.key, 4294967295u);
	ck_assert_uint_eq(c.tunnel.mtu, 8900);
	ck_assert_str_eq(c.tunnel.protection, "dmvpn-profile");
	ck_assert_int_eq(c.tunnel.line, 17);
	ck_assert_uint_eq(c.nhrp.network_id, 4294967295u);
	ck_assert_uint_eq(c.nhrp.holdtime, 65535);
	ck_assert_str_eq(c.nhrp.auth, "12345678");
	ck_assert_uint_eq(c.nhrp.n_maps, 2);
	ck_assert_uint_eq(c.nhrp.maps[1].proto, A("10.0.0.2"));
	ck_assert_uint_eq(c.nhrp.maps[1].nbma, A("198.51.100.2"));
	ck_assert_int_eq(c.nhrp.maps[1].line, 22);
	ck_assert(c.nhrp.multicast_dynamic);
	ck_assert_uint_eq(c.nhrp.n_multicast, 2);
	ck_assert_uint_eq(c.nhrp.multicast[0], A("198.51.100.1"));
	ck_assert_uint_eq(c.nhrp.multicast[1], A("198.51.100.2"));
	ck_assert_uint_eq(c.nhrp.n_nhs, 2);
	ck_assert_uint_eq(c.nhrp.nhs[0], A("10.0.0.2"));	/* file order kept */
	ck_assert_uint_eq(c.nhrp.nhs[1], A("10.0.0.1"));
	ck_assert(c.nhrp.redirect && c.nhrp.shortcut && c.nhrp.no_unique);
	ck_assert_uint_eq(c.nhrp.registration_timeout, 60);
	ck_assert_uint_eq(c.n_routes, 5);
	ck_assert_uint_eq(c.routes[0].plen, 0);
	ck_assert_uint_eq(c.routes[1].type, CONF_RT_DROP);
	ck_assert_uint_eq(c.routes[1].prefix, A("10.99.0.0"));
	ck_assert_uint_eq(c.routes[1].plen, 16);
	ck_assert_uint_eq(c.routes[2].via, A("10.1.0.2"));
	ck_assert_uint_eq(c.routes[3].table, RT_UNDERLAY);
	ck_assert_uint_eq(c.routes[4].table, RT_OVERLAY);
	ck_assert_int_eq(c.routes[3].line, 31);
	ck_assert_uint_eq(c.n_nbrs, 2);
	ck_assert_uint_eq(c.nbrs[0].iface, 1);
	ck_assert_uint_eq(c.nbrs[0].addr, A("10.1.0.2"));
	ck_assert_uint_eq(c.nbrs[0].mac[5], 0x02);
	ck_assert_uint_eq(c.nbrs[1].iface, 0);
	ck_assert_uint_eq(c.log.level, LOG_LVL_DEBUG);
	ck_assert_str_eq(c.log.file, "/var/log/dmvpn.log");
	conf_free(&c);
}
END_TEST

/*
 * libconfig 1.5 wraps integers beyond int silently (4294967296 -> 0); the
 * loader gives them an L first.  Comments and strings are left alone.
 */
START_TEST(test_int_literals)
{
	static const char *const good[] = {
		"key = 4294967295;", "key = 0xFFFFFFFF;", "key = 4294967295L;", "key = 0xffffffffL;",
		"key = 0x0000FFFFFFFF;", "key = 00004294967295;",
	};
	char text[1024];
	struct conf c;
	struct conf_error e;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL
			 "# 99999999999999999999999 in a comment\n"
			 "tunnel = { address = \"10.0.0.1/24\"; source = \"pub\"; %s\n"
			 "  protection = \"99999999999999999999999\"; /* 4294967296 */ };\n"
			 "ipsec = { transform_set = ( { name = \"t\"; transforms = \"esp-gcm\"; } );\n"
			 "  profile = ( { name = \"99999999999999999999999\"; transform_set = \"t\"; } ); };\n",
			 good[i]);
		load_ok(text, &c);
		ck_assert_msg(c.tunnel.key == 4294967295u, "%zu: key %u", i, c.tunnel.key);
		ck_assert_str_eq(c.tunnel.protection, "99999999999999999999999");
		conf_free(&c);
	}
	snprintf(text, sizeof(text), MINIMAL "tunnel = { address = \"10.0.0.1/24\";\n"
		 "  source = \"pub\"; key = 4294967296; };\n");
	ck_assert_int_eq(conf_load_string(text, "t.conf", &c, &e), -1);
	ck_assert_int_eq(e.line, 4);
	ck_assert_str_eq(e.msg, "tunnel.key: must be 0..4294967295 (got 4294967296)");
	/* an integer directly followed by a name is still an integer */
	snprintf(text, sizeof(text), MINIMAL "dataplane = { memory_mb = 4294967296eal_args = []; };\n");
	ck_assert_int_eq(conf_load_string(text, "t.conf", &c, &e), -1);
	ck_assert_str_eq(e.msg, "dataplane.memory_mb: must be 64..65536 (got 4294967296)");
	snprintf(text, sizeof(text), MINIMAL "tunnel = { address = \"10.0.0.1/24\";\n"
		 "  source = \"pub\"; key = -1; };\n");
	ck_assert_int_eq(conf_load_string(text, "t.conf", &c, &e), -1);
	ck_assert_str_eq(e.msg, "tunnel.key: must be 0..4294967295 (got -1)");
	ck_assert(conf_is_empty(&c));
}
END_TEST

/* ---- scale: tens of thousands of static maps ---------------------------- */

static char *big_maps(unsigned int n, bool dup_last, int *last_line)
{
	size_t cap = 256 + (size_t)n * 64;
	char *t = malloc(cap);
	size_t o;

	ck_assert_ptr_nonnull(t);
	o = (size_t)snprintf(t, cap, MINIMAL
			     "tunnel = { address = \"10.128.0.1/9\"; source = \"pub\"; };\n"
			     "nhrp = { map = (\n");	/* the first map is on line 5 */
	for (unsigned int i = 0; i < n; i++) {
		unsigned int h = dup_last && i == n - 1 ? 1000 : i + 2;

		o += (size_t)snprintf(t + o, cap - o,
				      "{ protocol = \"10.%u.%u.%u\"; nbma = \"198.%u.%u.%u\"; }%s\n",
				      128 + (h >> 16), (h >> 8) & 255, h & 255, 18 + (h >> 16),
				      (h >> 8) & 255, h & 255, i + 1 < n ? "," : "");
	}
	snprintf(t + o, cap - o, "); nhs = [ \"10.128.0.2\" ]; };\n");
	*last_line = 4 + (int)n;
	return t;
}

START_TEST(test_many_maps)
{
	struct conf c;
	int last;
	char *t = big_maps(40000, false, &last);

	load_ok(t, &c);
	free(t);
	ck_assert_uint_eq(c.nhrp.n_maps, 40000);
	ck_assert_uint_eq(c.nhrp.maps[0].proto, A("10.128.0.2"));
	ck_assert_uint_eq(c.nhrp.maps[39999].proto, A("10.128.156.65"));	/* 40001 */
	ck_assert_uint_eq(c.nhrp.maps[39999].nbma, A("198.18.156.65"));
	ck_assert_int_eq(c.nhrp.maps[39999].line, last);
	ck_assert_uint_eq(c.nhrp.nhs[0], A("10.128.0.2"));
	conf_free(&c);
}
END_TEST

START_TEST(test_many_maps_dup)
{
	struct conf c;
	struct conf_error e;
	int last;
	char *t = big_maps(40000, true, &last);

	ck_assert_int_eq(conf_load_string(t, "big.conf", &c, &e), -1);
	free(t);
	ck_assert_int_eq(e.line, last);
	ck_assert_str_eq(e.msg, "nhrp.map[39999]: duplicate map for 10.128.3.232 (first at line 1003)");
	ck_assert(conf_is_empty(&c));
}
END_TEST

/* ---- bad configs -------------------------------------------------------- */

/* Two interfaces, lines 1-7; cases go on from line 8. */
#define IFACES                                                                  \
	"instance = \"t\";\n"                                                   \
	"interfaces = (\n"                                                      \
	"  { name = \"pub\"; device = \"net_null0\"; role = \"public\";\n"     \
	"    address = \"192.0.2.2/24\"; gateway = \"192.0.2.254\"; },\n"       \
	"  { name = \"lan\"; device = \"net_null1\"; role = \"lan\";\n"        \
	"    address = \"10.0.64.1/24\"; }\n"                                   \
	");\n"
#define I 7
/* ... plus a keyed tunnel on line 8; cases go on from line 9. */
#define BASE IFACES "tunnel = { address = \"10.0.0.2/24\"; source = \"pub\"; key = 999; };\n"
#define B 8
#define MAP1 "map = ( { protocol = \"10.0.0.1\"; nbma = \"192.0.2.1\"; } ); "

struct bad_case {
	const char *text;	/* or NULL and file */
	const char *file;
	int line;
	const char *msg;	/* substring of the message */
};

static const struct bad_case bad[] = {
/* 0 */	{ IFACES "tunnel = { address = \"10.0.0.2/24\"; source = pub; };\n", NULL, I + 1, "syntax error" },
/* 1 */	{ BASE "tunnnel = {};\n", NULL, B + 1, "unknown setting 'tunnnel'" },
/* 2 */	{ BASE "nhrp = {\n  holdtime = 300;\n  foo = 1;\n};\n", NULL, B + 3, "unknown setting 'foo' in nhrp" },
/* 3 */	{ BASE "nhrp = { map = ( { protocol = \"10.0.0.1\"; nmba = \"192.0.2.1\"; } ); };\n", NULL, B + 1, "unknown setting 'nmba' in nhrp.map[0]" },
/* 4 */	{ BASE "dataplane = {\n worker = 2;\n};\n", NULL, B + 2, "unknown setting 'worker' in dataplane" },
/* 5 */	{ "interfaces = ( { name = \"pub\"; device = \"d\"; role = \"public\"; address = \"192.0.2.2/24\"; } );\n", NULL, 0, "missing 'instance'" },
/* 6 */	{ "instance = \"hub 1\";\n", NULL, 1, "instance: 'hub 1' must be 1..24 characters" },
/* 7 */	{ "instance = \"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\";\n", NULL, 1, "must be 1..24 characters" },
/* 8 */	{ "instance = \"t\";\ninterfaces = (\n { name = \"pub\"; device = \"d\"; role = \"public\";\n   address = \"192.0.2.256/24\"; } );\n", NULL, 4, "interfaces[0].address: '192.0.2.256/24' is not a prefix" },
/* 9 */	{ "instance = \"t\";\ninterfaces = (\n { name = \"pub\"; device = \"d\"; role = \"public\";\n   address = \"192.0.2.0/24\"; } );\n", NULL, 4, "192.0.2.0/24 is not a host address" },
/* 10 */{ BASE "routes = (\n { prefix = \"10.0.65.1/24\"; via = \"10.0.0.3\"; } );\n", NULL, B + 2, "routes[0].prefix: '10.0.65.1/24' has host bits set (did you mean 10.0.65.0/24?)" },
/* 11 */{ BASE "nhrp = {\n nhs = [ \"10.0.0.1\" ];\n};\n", NULL, B + 2, "nhs 10.0.0.1 has no nhrp.map (NBMA unknown)" },
/* 12 */{ BASE "nhrp = { map = (\n { protocol = \"10.0.1.1\"; nbma = \"192.0.2.1\"; } ); };\n", NULL, B + 2, "nhrp.map[0].protocol: 10.0.1.1 is outside the tunnel subnet 10.0.0.0/24" },
/* 13 */{ BASE "nhrp = {\n authentication = \"nhrp-pwd9\";\n};\n", NULL, B + 2, "nhrp.authentication: too long (9 characters, at most 8)" },
/* 14 */{ IFACES "tunnel = { address = \"10.0.0.2/24\"; source = \"lan\"; };\n", NULL, I + 1, "tunnel.source: interface 'lan' has role lan, must be public" },
/* 15 */{ IFACES "tunnel = { address = \"10.0.0.2/24\"; source = \"pub\";\n key = 1; mtu = 1473; };\n", NULL, I + 2, "tunnel.mtu: 1473 does not fit 'pub' (mtu 1500): at most 1472 with IPv4 + GRE + key" },
/* 16 */{ IFACES "tunnel = { address = \"10.0.0.2/24\"; source = \"pub\"; mtu = 1477; };\n", NULL, I + 1, "at most 1476 with IPv4 + GRE" },
/* 17 */{ "instance = \"t\";\ninterfaces = (\n { name = \"pub\"; device = \"a\"; role = \"public\"; address = \"192.0.2.2/24\"; },\n { name = \"pub\"; device = \"b\"; role = \"lan\"; address = \"10.0.64.1/24\"; } );\n", NULL, 4, "duplicate interface name 'pub' (first at line 3)" },
/* 18 */{ BASE "neighbors = (\n { address = \"10.0.64.9\"; mac = \"02:00:00:00:00:01\"; interface = \"lan0\"; } );\n", NULL, B + 2, "neighbors[0].interface: unknown interface 'lan0'" },
/* 19 */{ BASE "routes = (\n { prefix = \"10.9.0.0/16\"; via = \"10.0.0.3\"; },\n { prefix = \"10.8.0.0/16\"; via = \"172.16.0.1\"; } );\n", NULL, B + 3, "routes[1].via: 172.16.0.1 is not inside the tunnel subnet or a lan/host interface subnet" },
/* 20 */{ BASE "routes = (\n { prefix = \"198.18.0.0/15\"; via = \"10.0.64.5\"; table = \"underlay\"; } );\n", NULL, B + 2, "is not inside a public interface subnet" },
/* 21 */{ BASE "nhrp = { map = (\n { protocol = \"10.0.0.1\"; nbma = \"192.0.2.1\"; },\n { protocol = \"10.0.0.3\"; nbma = \"192.0.2.3\"; },\n { protocol = \"10.0.0.1\"; nbma = \"192.0.2.9\"; } ); };\n", NULL, B + 4, "nhrp.map[2]: duplicate map for 10.0.0.1 (first at line 10)" },
/* 22 */{ BASE "routes = (\n { prefix = \"10.9.0.0/16\"; via = \"10.0.0.3\"; },\n { prefix = \"10.9.0.0/16\"; drop = true; } );\n", NULL, B + 3, "duplicate route 10.9.0.0/16 in table overlay (first at line 10)" },
/* 23 */{ IFACES "nhrp = { holdtime = 300; };\n", NULL, I + 1, "nhrp: needs a tunnel section" },
/* 24 */{ BASE "nhrp = { holdtime = 0; };\n", NULL, B + 1, "nhrp.holdtime: must be 1..65535 (got 0)" },
/* 25 */{ BASE "nhrp = { holdtime = \"300\"; };\n", NULL, B + 1, "nhrp.holdtime: must be an integer" },
/* 26 */{ BASE "nhrp = {\n holdtime = 99999999999999999999; };\n", NULL, B + 2, "integer out of range" },
/* 27 */{ BASE "nhrp = { map_multicast = \"static\"; };\n", NULL, B + 1, "nhrp.map_multicast: 'static' is not an IPv4 address" },
/* 28 */{ BASE "nhrp = { map_multicast = 5; };\n", NULL, B + 1, "must be \"dynamic\" or a list of NBMA addresses" },
/* 29 */{ BASE "routes = (\n { prefix = \"10.9.0.0/16\"; } );\n", NULL, B + 2, "routes[0]: needs via = \"a.b.c.d\" or drop = true" },
/* 30 */{ BASE "routes = (\n { prefix = \"10.9.0.0/16\"; via = \"10.0.0.3\"; drop = true; } );\n", NULL, B + 2, "either via or drop = true, not both" },
/* 31 */{ BASE "routes = (\n { prefix = \"10.9.0.0/16\"; drop = true; table = \"middle\"; } );\n", NULL, B + 2, "routes[0].table: 'middle' must be \"overlay\" or \"underlay\"" },
/* 32 */{ BASE "neighbors = (\n { address = \"10.0.64.9\"; mac = \"02:00:00:00:00\"; interface = \"lan\"; } );\n", NULL, B + 2, "neighbors[0].mac: '02:00:00:00:00' is not a unicast MAC" },
/* 33 */{ BASE "neighbors = (\n { address = \"10.0.65.9\"; mac = \"02:00:00:00:00:01\"; interface = \"lan\"; } );\n", NULL, B + 2, "neighbors[0].address: 10.0.65.9 is not a neighbour on interface 'lan'" },
/* 34 */{ "instance = \"t\";\ninterfaces = (\n { name = \"a\"; device = \"net_af_packet0,iface=x\"; role = \"public\"; address = \"192.0.2.2/24\"; },\n { name = \"b\"; device = \"net_af_packet0,iface=y\"; role = \"lan\"; address = \"10.0.64.1/24\"; } );\n", NULL, 4, "device 'net_af_packet0' is already used by interface 'a'" },
/* 35 */{ "instance = \"t\";\ninterfaces = (\n { name = \"a\"; device = \"d\"; role = \"public\"; address = \"192.0.2.2/24\";\n   gateway = \"192.0.3.1\"; } );\n", NULL, 4, "interfaces[0].gateway: 192.0.3.1 is not another address of 192.0.2.0/24" },
/* 36 */{ "instance = \"t\";\ninterfaces = ();\n", NULL, 2, "interfaces: 1..8 interfaces (got 0)" },
/* 37 */{ BASE "dataplane = { workers = 2; };\n", NULL, B + 1, "2 worker(s) and the main lcore need 3 lcores, lcores \"0,1\" has 2" },
/* 38 */{ BASE "dataplane = { lcores = \"0-3\";\n main_lcore = \"5\"; };\n", NULL, B + 2, "dataplane.main_lcore: '5' is not one of lcores \"0-3\"" },
/* 39 */{ BASE "dataplane = { lcores = \"0,,1\"; };\n", NULL, B + 1, "is not an lcore list" },
/* 40 */{ BASE "dataplane = { idle = \"busy\"; };\n", NULL, B + 1, "dataplane.idle: 'busy' must be \"adaptive\" or \"poll\"" },
/* 41 */{ "instance = \"t\";\ninterfaces = (\n { name = \"a\"; device = \"d\";\n   role = \"wan\"; } );\n", NULL, 4, "interfaces[0].role: 'wan' must be \"public\", \"lan\" or \"host\"" },
/* 42 */{ BASE "nhrp = { redirect = 1; };\n", NULL, B + 1, "nhrp.redirect: must be true or false" },
/* 43 */{ BASE "nhrp = { holdtime = 300; registration_timeout = 300; };\n", NULL, B + 1, "registration_timeout: 300 must be less than holdtime 300" },
/* 44 */{ BASE "\n  @include \"other.conf\"\n", NULL, B + 2, "@include is not supported" },
/* 45 */{ IFACES "tunnel = { address = \"10.0.0.2/32\"; source = \"pub\"; };\n", NULL, I + 1, "must be a host address in a /1../30 subnet" },
/* 46 */{ IFACES "tunnel = { address = \"10.0.64.9/16\"; source = \"pub\"; };\n", NULL, I + 1, "tunnel.address: subnet overlaps interface 'lan'" },
/* 47 */{ "instance = \"t\";\ninterfaces = (\n { name = \"a\"; device = \"d\"; role = \"public\"; address = \"192.0.2.2/24\";\n   mtu = 9001; } );\n", NULL, 4, "interfaces[0].mtu: must be 576..9000 (got 9001)" },
/* 48 */{ BASE "nhrp = { " MAP1 "\n nhs = [ \"10.0.0.1\", \"10.0.0.2\" ]; };\n", NULL, B + 2, "nhrp.nhs[1]: 10.0.0.2 is our own tunnel address" },
/* 49 */{ BASE "rundir = \"run/dmvpn\";\n", NULL, B + 1, "rundir: 'run/dmvpn' must be an absolute path" },
/* 50 */{ BASE "nhrp = { map = (\n { protocol = \"10.0.0.1\"; nbma = \"0.0.0.0\"; } ); };\n", NULL, B + 2, "nhrp.map[0].nbma: 0.0.0.0 is not a unicast NBMA address" },
/* 51 */{ BASE "dataplane = 5;\n", NULL, B + 1, "dataplane: must be a group" },
/* 52 */{ "instance = \"t\";\ninterfaces = (\n { name = \"a\"; role = \"public\"; address = \"192.0.2.2/24\"; } );\n", NULL, 3, "interfaces[0]: missing 'device'" },
/* 53 */{ BASE "instance = \"u\";\n", NULL, B + 1, "duplicate setting name" },
/* 54 */{ BASE "nhrp = { map_multicast = [ \"192.0.2.1\", \"dynamic\",\n \"192.0.2.1\" ]; };\n", NULL, B + 2, "nhrp.map_multicast[2]: 192.0.2.1 is listed twice" },
/* 55 */{ BASE "rundir = \"/a/very/long/run/directory/that/goes/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/x\";\n", NULL, B + 1, "rundir: socket path" },
/* 56 */{ BASE "nhrp = { " MAP1 "nhs = [ \"10.0.0.1\",\n \"10.0.0.1\" ]; };\n", NULL, B + 2, "nhs 10.0.0.1 is listed twice" },
/* 57 */{ BASE "log = { level = \"verbose\"; };\n", NULL, B + 1, "log.level: 'verbose' must be" },
/* 58 */{ BASE "routes = (\n { prefix = \"10.9.0.0/16\"; via = \"10.0.0.2\"; } );\n", NULL, B + 2, "routes[0].via: 10.0.0.2 is our own address" },
/* 59 */{ BASE "dataplane = { pci = [ \"0000:00:08.0\", \"0000:00:09.0\", \"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\" ]; };\n", NULL, B + 1, "dataplane.pci: at most 8 entries (got 9)" },
/* 60 */{ BASE "nhrp = {\n network_id = 0; };\n", NULL, B + 2, "nhrp.network_id: must be 1..4294967295 (got 0)" },
/* 61 */{ NULL, "test/unit/conf/bad/syntax.conf", 11, "syntax error" },
/* 62 */{ NULL, "test/unit/conf/bad/nhs-no-map.conf", 25, "nhs 10.0.0.1 has no nhrp.map (NBMA unknown)" },
/* 63 */{ NULL, "test/unit/conf/bad/source-lan.conf", 19, "tunnel.source: interface 'lan' has role lan, must be public" },
/* 64 */{ NULL, "test/unit/conf/bad/no-such-file.conf", 0, "cannot open: No such file or directory" },
/* 65 */{ BASE "dataplane = { lcores = \"0@,1\"; };\n", NULL, B + 1, "is not an lcore list" },
};

#define N_BAD ((int)(sizeof(bad) / sizeof(bad[0])))

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad[_i];
	struct conf c;
	struct conf_error e;
	int rc;

	memset(&c, 0xa5, sizeof(c));	/* must come back empty */
	if (bc->text)
		rc = conf_load_string(bc->text, "bad.conf", &c, &e);
	else
		rc = conf_load(bc->file, &c, &e);
	ck_assert_msg(rc == -1, "case %d loaded", _i);
	ck_assert_msg(conf_is_empty(&c), "case %d: *out not empty", _i);
	ck_assert_msg(strstr(e.msg, bc->msg) != NULL, "case %d: message \"%s\", want \"%s\"", _i,
		      e.msg, bc->msg);
	ck_assert_msg(e.line == bc->line, "case %d: line %d, want %d (%s)", _i, e.line, bc->line,
		      e.msg);
	ck_assert_str_eq(e.file, bc->text ? "bad.conf" : bc->file);
}
END_TEST

/* The limits themselves load (the bad table has one past each). */
START_TEST(test_boundaries)
{
	struct conf c;

	load_ok("instance = \"abcdefghijklmnopqrstuvwx\";\n"
		"interfaces = ( { name = \"pub\"; device = \"d\"; role = \"public\";"
		" address = \"192.0.2.2/24\"; } );\n"
		"tunnel = { address = \"10.0.0.2/24\"; source = \"pub\"; key = 1; mtu = 1472; };\n",
		&c);
	ck_assert_uint_eq(strlen(c.instance), 24);
	ck_assert_uint_eq(c.tunnel.mtu, 1472);
	conf_free(&c);
	load_ok(IFACES "tunnel = { address = \"10.0.0.2/24\"; source = \"pub\"; mtu = 1476; };\n"
		"dataplane = { lcores = \"0-16\"; workers = 16; };\n", &c);
	ck_assert_uint_eq(c.tunnel.mtu, 1476);
	ck_assert(!c.tunnel.has_key);
	ck_assert_uint_eq(c.dp.workers, 16);
	conf_free(&c);
	/* EAL --lcores pinnings: three lcores on two CPUs */
	load_ok(MINIMAL "dataplane = { lcores = \"0@0,1@1,2@1\"; workers = 2; };\n", &c);
	ck_assert_str_eq(c.dp.lcores, "0@0,1@1,2@1");
	conf_free(&c);
}
END_TEST

/* A NUL byte would make libconfig stop reading and ignore the rest. */
START_TEST(test_nul_byte)
{
	char path[] = "/tmp/dmvpn-conf-XXXXXX";
	static const char text[] = MINIMAL "# x\n\0 rest\n";
	struct conf c;
	struct conf_error e;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	ck_assert_int_eq(conf_load(path, &c, &e), -1);
	unlink(path);
	ck_assert_int_eq(e.line, 4);
	ck_assert_str_eq(e.msg, "NUL byte in the text");
}
END_TEST

/* The password is wiped from our struct when it is freed. */
START_TEST(test_free_wipes)
{
	struct conf c;

	load_ok(BASE "nhrp = { authentication = \"secret\"; };\n", &c);
	ck_assert_str_eq(c.nhrp.auth, "secret");
	conf_free(&c);
	ck_assert(conf_is_empty(&c));
	conf_free(&c);	/* twice is harmless */
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("good");
	TCase *tb = tcase_create("bad");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_example_hub);
	tcase_add_test(tc, test_example_spokes);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_rundir);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_int_literals);
	tcase_add_test(tc, test_many_maps);
	tcase_add_test(tc, test_many_maps_dup);
	tcase_add_test(tc, test_free_wipes);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tb, test_bad, 0, N_BAD);
	tcase_add_test(tb, test_boundaries);
	tcase_add_test(tb, test_nul_byte);
	suite_add_tcase(s, tb);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
