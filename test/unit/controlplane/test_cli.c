/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLI output (seed 000 Example 7-17 layout), JSON, the socket protocol,
 * punt / inject, and the real binaries: dmvpn-controller leaves the data
 * plane's tables alone on SIGTERM; dmvpnctl reads the segment when the
 * controller is gone.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "harness.h"

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	ck_assert(addr_parse(s, &a));
	return a;
}

#define assert_has(text, needle) \
	ck_assert_msg(strstr((text), (needle)), "missing \"%s\" in:\n%s", (needle), (text))

/* Seed 000 Example 7-17, spoke-1-west: tunnel source 9.1.1.130, map 9.0.0.1 ->
 * 9.1.1.10 (the hub), key 999; 9.0.0.3 (spoke-2-west, 9.1.1.134) learned. */
static void seed_conf_x(struct h *h, const char *extra_route, char *path, size_t len)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "instance = \"seed\";\n"
		 "dataplane = { segment_dir = \"%s\"; };\n"
		 "interfaces = (\n"
		 "  { name = \"Serial0/0\"; device = \"net_null0\"; role = \"public\";\n"
		 "    address = \"9.1.1.130/30\"; gateway = \"9.1.1.129\"; },\n"
		 "  { name = \"Ethernet0/1\"; device = \"net_null1\"; role = \"lan\";\n"
		 "    address = \"10.0.64.1/24\"; }\n"
		 ");\n"
		 "tunnel = { address = \"9.0.0.2/24\"; source = \"Serial0/0\"; key = 999; mtu = 1416; };\n"
		 "nhrp = { holdtime = 300; map = ( { protocol = \"9.0.0.1\"; nbma = \"9.1.1.10\"; } );\n"
		 "         nhs = [ \"9.0.0.1\" ]; };\n"
		 "routes = ( { prefix = \"10.1.0.0/24\"; via = \"9.0.0.1\"; },\n"
		 "           { prefix = \"10.0.65.0/24\"; via = \"9.0.0.3\"; } %s );\n",
		 h->dir, extra_route);
	h_write(h, "seed.conf", text, path, len);
}

static void seed_conf(struct h *h, char *path, size_t len)
{
	seed_conf_x(h, "", path, len);
}

static void seed_start(struct h *h)
{
	char path[256];

	h_setup(h);
	seed_conf(h, path, sizeof(path));
	h_ctl_start(h, path, false);
	h_dp_start(h, NULL);
	ck_assert(run_until(h, h_synced, 3000));
}

/* A shortcut to spoke-2-west, as a resolution reply would create it. */
static void seed_shortcut(struct h *h)
{
	ck_assert_ptr_nonnull(adj_upsert(&h->ctl, 0, ip("9.0.0.3"), ip("9.1.1.134"), 0,
					 ADJ_F_SHORTCUT, 300, 32));
	ck_assert(run_until(h, h_synced, 3000));
}

START_TEST(test_show_adjacency_seed)
{
	struct h h;
	char *out;
	int st;
	struct shm_adj_ctr *ctr;

	seed_start(&h);
	seed_shortcut(&h);
	/* worker 1 sent 3 packets through the hub's slot (0) */
	ctr = shm_adj_ctr(&h.dp.seg, 1, 0);
	ctr->pkts = 3;
	ctr->bytes = 300;
	out = h_cli(&h, "show adjacency detail", &st);
	ck_assert_int_eq(st, 0);
	assert_has(out, "Protocol Interface                 Address\n");
	assert_has(out, "IP       Tunnel0                   9.0.0.1(2)\n"
			"                                   3 packets, 300 bytes\n"
			"                                   4500000000000000FF2FA74109010182\n"
			"                                   0901010A20000800000003E7\n");
	assert_has(out, "IP       Tunnel0                   9.0.0.3(2)\n"
			"                                   0 packets, 0 bytes\n"
			"                                   4500000000000000FF2FA6C509010182\n"
			"                                   0901018620000800000003E7\n");
	assert_has(out, "NBMA 9.1.1.10, flags static nhs\n");
	assert_has(out, "slot 0, state live, epoch 1\n");
	assert_has(out, "NBMA 9.1.1.134, flags shortcut\n");
	assert_has(out, "expires in 00:04:5");
	assert_has(out, "last used never");
	ck_assert(strstr(out, "9.0.0.1(2)") < strstr(out, "9.0.0.3(2)"));
	free(out);

	out = h_cli(&h, "show adjacency", &st);
	ck_assert_str_eq(out, "Protocol Interface                 Address\n"
			      "IP       Tunnel0                   9.0.0.1(2)\n"
			      "IP       Tunnel0                   9.0.0.3(2)\n");
	free(out);
	out = h_cli(&h, "show adjacency 9.0.0.3 --json", &st);
	assert_has(out, "\"address\":\"9.0.0.3\"");
	assert_has(out, "\"rewrite\":\"4500000000000000FF2FA6C5090101820901018620000800000003E7\"");
	assert_has(out, "\"flags\":[\"shortcut\"]");
	assert_has(out, "\"state\":\"live\"");
	ck_assert_ptr_null(strstr(out, "9.0.0.1"));
	free(out);
	h_teardown(&h);
}
END_TEST

START_TEST(test_show_ip_cef)
{
	struct h h;
	char *out;
	int st;

	seed_start(&h);
	seed_shortcut(&h);
	shm_adj_ctr(&h.dp.seg, 0, 0)->pkts = 5;
	shm_adj_ctr(&h.dp.seg, 0, 0)->bytes = 500;

	out = h_cli(&h, "show ip cef detail", &st);
	ck_assert_int_eq(st, 0);
	assert_has(out, "Adjacency Table has 2 adjacencies\n");
	assert_has(out, "9.0.0.0/24, version ");
	assert_has(out, ", epoch 1, attached, connected\n  via Tunnel0, 0 dependencies\n"
			"    valid glean adjacency\n");
	assert_has(out, ", epoch 1, connected\n  5 packets, 500 bytes\n"
			"  via 9.0.0.1, Tunnel0, 1 dependencies\n    next hop 9.0.0.1, Tunnel0\n"
			"    valid adjacency\n");
	assert_has(out, "10.0.65.0/24, version ");
	assert_has(out, "  via 9.0.0.3, Tunnel0, 0 dependencies\n    next hop 9.0.0.3, Tunnel0\n"
			"    valid adjacency\n");
	assert_has(out, "9.0.0.2/32, version ");
	assert_has(out, "  receive for Tunnel0\n");
	ck_assert_ptr_null(strstr(out, "0.0.0.0/0"));	/* the default is underlay here */
	free(out);

	out = h_cli(&h, "show ip cef", &st);
	assert_has(out, "Prefix               Next Hop               Interface\n");
	assert_has(out, "9.0.0.0/24           attached               Tunnel0\n");
	assert_has(out, "9.0.0.1/32           9.0.0.1                Tunnel0\n");
	assert_has(out, "9.0.0.2/32           receive                Tunnel0\n");
	assert_has(out, "10.0.64.0/24         attached               Ethernet0/1\n");
	assert_has(out, "10.0.64.1/32         receive                Ethernet0/1\n");
	assert_has(out, "10.1.0.0/24          9.0.0.1                Tunnel0\n");
	ck_assert(strstr(out, "9.0.0.0/24") < strstr(out, "10.0.64.0/24"));
	free(out);

	out = h_cli(&h, "show ip cef 10.1.0.77", &st);	/* longest match */
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strncmp(out, "10.1.0.0/24, version ", 21) == 0, "%s", out);
	free(out);
	out = h_cli(&h, "show ip cef underlay", &st);
	assert_has(out, "0.0.0.0/0            9.1.1.129              Serial0/0\n");
	assert_has(out, "9.1.1.128/30         attached               Serial0/0\n");
	free(out);
	out = h_cli(&h, "show ip cef --json", &st);
	assert_has(out, "\"table\":\"overlay\"");
	assert_has(out, "{\"prefix\":\"9.0.0.1/32\",\"type\":\"adjacency\",\"next_hop\":\"9.0.0.1\","
			"\"interface\":\"Tunnel0\",\"source\":\"nhrp-adjacency\"");
	assert_has(out, "\"slot\":0,\"packets\":5,\"bytes\":500,\"adjacency_refs\":2}");
	assert_has(out, "{\"prefix\":\"9.0.0.0/24\",\"type\":\"glean\",\"next_hop\":null");
	free(out);
	out = h_cli(&h, "show ip cef bogus", &st);
	ck_assert_int_eq(st, -1);
	assert_has(out, "unexpected \"bogus\"");
	free(out);
	h_teardown(&h);
}
END_TEST

START_TEST(test_show_dataplane_interfaces)
{
	struct h h;
	char *out;
	int st;
	struct shm_wstats *w0, *wm;

	seed_start(&h);
	w0 = shm_wstats(&h.dp.seg, 0);
	wm = shm_wstats(&h.dp.seg, h.dp.seg.hdr->n_workers);
	w0->drops[DROP_NO_ROUTE] = 5;
	wm->drops[DROP_NO_ROUTE] = 2;
	w0->drops[DROP_GRE_KEY_MISMATCH] = 1;

	out = h_cli(&h, "show dataplane drops", &st);
	ck_assert_int_eq(st, 0);
	assert_has(out, "Source: controller (pid ");
	assert_has(out, "no-route                              7  no FIB entry for the destination\n");
	assert_has(out, "gre-key-mismatch                      1  ");
	assert_has(out, "total                                 8\n");
	ck_assert_ptr_null(strstr(out, "runt"));
	free(out);
	out = h_cli(&h, "show dataplane drops --all", &st);
	assert_has(out, "runt                                  0  ");
	free(out);
	out = h_cli(&h, "show dataplane drops --json", &st);
	assert_has(out, "\"source\":\"controller\"");
	assert_has(out, "\"lcores\":[\"worker0\",\"worker1\",\"main\"]");
	assert_has(out, "{\"name\":\"no-route\",\"packets\":7,\"help\":\"no FIB entry for the "
			"destination\",\"per_lcore\":[5,0,2]}");
	free(out);

	out = h_cli(&h, "show dataplane", &st);
	assert_has(out, "Data plane: ready, pid ");
	assert_has(out, "Replay generation 1 (controller generation 1)");
	assert_has(out, "Adjacency slots 1 published / 64");
	assert_has(out, "in sync for ");
	free(out);
	out = h_cli(&h, "show dataplane --json", &st);
	assert_has(out, "\"in_sync\":true");
	assert_has(out, "\"replay_generation\":1");
	free(out);

	out = h_cli(&h, "show interfaces", &st);
	assert_has(out, "Serial0/0 is up, role public\n");
	assert_has(out, "  Internet address 9.1.1.130/30\n");
	assert_has(out, "  Hardware address 02:00:00:00:00:01, MTU 1500 bytes");
	assert_has(out, "Ethernet0/1 is up, role lan\n");
	assert_has(out, "Tunnel0 is up, multipoint GRE\n  Internet address 9.0.0.2/24, MTU 1416 bytes\n"
			"  Tunnel source 9.1.1.130 (Serial0/0), destination multipoint, key 999\n"
			"  Tunnel protection none\n");
	free(out);
	out = h_cli(&h, "show interfaces --json", &st);
	assert_has(out, "\"name\":\"Serial0/0\",\"device\":\"net_null0\",\"role\":\"public\"");
	assert_has(out, "\"tunnel\":{\"name\":\"Tunnel0\",\"address\":\"9.0.0.2\",\"plen\":24");
	free(out);
	h_teardown(&h);
}
END_TEST

START_TEST(test_cli_misc)
{
	struct h h;
	char *out;
	int st;

	seed_start(&h);
	out = h_cli(&h, "show nothing", &st);
	ck_assert_int_eq(st, -1);
	assert_has(out, "unknown command \"show\"");
	free(out);
	out = h_cli(&h, "debug level warn", &st);
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, "log level warn\n");
	free(out);
	out = h_cli(&h, "debug level loud", &st);
	ck_assert_int_eq(st, -1);
	free(out);
	out = h_cli(&h, "show version", &st);
	assert_has(out, "dmvpn-controller ");
	assert_has(out, "instance seed");
	free(out);
	out = h_cli(&h, "help", &st);
	assert_has(out, "show ip cef");
	assert_has(out, "show dataplane drops");
	free(out);
	h_teardown(&h);
}
END_TEST

/* A module's command joins the table; longest prefix wins over "show ip". */
static int cmd_nhrp(struct cli_req *req)
{
	sb_printf(&req->out, "nhrp args %d %s\n", req->argc, req->argc ? req->argv[0] : "-");
	return 0;
}

START_TEST(test_cli_register_module)
{
	struct h h;
	char *out;
	int st;

	seed_start(&h);
	ck_assert_int_eq(cli_register(h.ctl.cli, "show ip nhrp", cmd_nhrp, "NHRP cache"), 0);
	out = h_cli(&h, "show ip nhrp detail", &st);
	ck_assert_str_eq(out, "nhrp args 1 detail\n");
	free(out);
	out = h_cli(&h, "show ip cef 9.0.0.1/32", &st);
	assert_has(out, "9.0.0.1/32, version");
	free(out);
	h_teardown(&h);
}
END_TEST

/* ---- punt and inject ---- */

static int punts;
static uint32_t punt_src;

static void on_punt(struct dpconn *dc, const struct msg_hdr *hd, const void *body, void *arg)
{
	const struct msg_punt_pkt *p = body;

	(void)dc;
	(void)arg;
	ck_assert_int_eq(hd->len, sizeof(*p) + 4);
	ck_assert_mem_eq((const uint8_t *)(p + 1), "NHRP", 4);
	punt_src = p->src;
	punts++;
}

static bool punted(struct h *h)
{
	(void)h;
	return punts == 1;
}

START_TEST(test_punt_inject)
{
	struct h h;
	uint8_t buf[64];
	struct msg_punt_pkt *p = (void *)buf;
	const struct msg_inject_nhrp *inj = (const void *)buf;
	uint16_t len;

	seed_start(&h);
	ck_assert_int_eq(dpconn_punt_register(&h.ctl.dp, MSG_PUNT_NHRP, on_punt, NULL), 0);
	ck_assert_int_eq(dpconn_punt_register(&h.ctl.dp, MSG_PUNT_NHRP, on_punt, NULL), -EEXIST);
	memset(buf, 0, sizeof(buf));
	p->src = ip("9.1.1.134");
	p->len = 4;
	memcpy(p + 1, "NHRP", 4);
	punts = 0;
	ck_assert_int_eq(fakedp_punt(&h.dp, MSG_PUNT_NHRP, buf, sizeof(*p) + 4), 0);
	ck_assert(run_until(&h, punted, 1000));
	ck_assert_uint_eq(punt_src, ip("9.1.1.134"));
	/* an event nobody registered for is counted, not fatal */
	ck_assert_int_eq(fakedp_punt(&h.dp, MSG_EV_HAIRPIN, buf, 24), 0);
	run_for(&h, 50);
	ck_assert_uint_eq(h.ctl.dp.st.punt_unhandled, 1);

	ck_assert_int_eq(dpconn_inject_nhrp(&h.ctl.dp, 0, ip("9.1.1.10"), 0, "REG", 3), 0);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(fakedp_inject_take(&h.dp, buf, sizeof(buf), &len), MSG_INJECT_NHRP);
	ck_assert_uint_eq(len, sizeof(*inj) + 3);
	ck_assert_uint_eq(inj->dst, ip("9.1.1.10"));
	ck_assert_uint_eq(inj->len, 3);
	ck_assert_mem_eq(buf + sizeof(*inj), "REG", 3);
	/* inject ring full: refused, counted */
	for (int i = 0; i < 16; i++)
		dpconn_inject_nhrp(&h.ctl.dp, 0, ip("9.1.1.10"), 0, "REG", 3);
	ck_assert_int_eq(dpconn_inject_nhrp(&h.ctl.dp, 0, ip("9.1.1.10"), 0, "REG", 3), -ENOBUFS);
	ck_assert_uint_ge(h.ctl.dp.st.inject_full, 1);
	h_teardown(&h);
}
END_TEST

/* ---- the socket ---- */

static pid_t client_pid;
static int client_status = -1;

static bool client_done(struct h *h)
{
	(void)h;
	return waitpid(client_pid, &client_status, WNOHANG) == client_pid;
}

START_TEST(test_cli_socket)
{
	struct h h;
	char sock[256];
	int pfd[2];
	char buf[4096] = { 0 };
	ssize_t n;

	seed_start(&h);
	conf_path_socket(&h.ctl.conf, sock, sizeof(sock));
	ck_assert_int_eq(pipe(pfd), 0);
	client_pid = fork();
	if (client_pid == 0) {
		struct strbuf out;
		int st = -1, err;

		sb_init(&out);
		err = cli_client_request(sock, "show adjacency", &st, &out, 3000);
		dprintf(pfd[1], "err=%d st=%d\n%.*s", err, st, (int)out.len, out.s ? out.s : "");
		err = cli_client_request(sock, "no such command", &st, &out, 3000);
		dprintf(pfd[1], "err=%d st=%d\n", err, st);
		_exit(0);
	}
	close(pfd[1]);
	ck_assert(run_until(&h, client_done, 5000));
	n = read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	ck_assert_int_gt(n, 0);
	assert_has(buf, "err=0 st=0\nProtocol Interface                 Address\n"
			"IP       Tunnel0                   9.0.0.1(2)\n");
	assert_has(buf, "err=0 st=1\n");
	h_teardown(&h);
}
END_TEST

/* ---- the real binaries ---- */

static void poll_dp(struct fakedp *f, int ms)
{
	struct timespec ts = { .tv_nsec = 1000000 };

	for (int i = 0; i < ms; i++) {
		fakedp_poll(f);
		nanosleep(&ts, NULL);	/* the data plane's own pace: polling, not ordering */
	}
}

/* Runs argv, polling the fake data plane meanwhile; stdout into out. */
static int run_cmd(char *const argv[], struct fakedp *f, char *out, size_t cap)
{
	int pfd[2], status = -1;
	size_t len = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 10000; i++) {
		ssize_t n = read(pfd[0], out + len, cap - 1 - len);

		if (n > 0)
			len += (size_t)n;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (f) {
			poll_dp(f, 1);
		} else {
			struct timespec ts = { .tv_nsec = 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	for (ssize_t n; (n = read(pfd[0], out + len, cap - 1 - len)) > 0;)
		len += (size_t)n;
	out[len] = '\0';
	close(pfd[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_process_sigterm_and_dmvpnctl)
{
	struct h h;
	char path[256], out[8192];
	const char *ctl_bin = getenv("DMVPN_CONTROLLER"), *ctl_cli = getenv("DMVPNCTL");
	struct fakedp *f = &h.dp;
	struct conf cf;
	struct conf_error err;
	unsigned int n_synced, routes;
	int status = -1;
	pid_t pid;

	ck_assert_ptr_nonnull(ctl_bin);
	ck_assert_ptr_nonnull(ctl_cli);
	h_setup(&h);
	seed_conf(&h, path, sizeof(path));
	ck_assert_int_eq(conf_load(path, &cf, &err), 0);
	ck_assert_int_eq(fakedp_start(f, &cf, NULL), 0);
	h.dp_on = true;
	conf_free(&cf);
	pid = fork();
	if (pid == 0) {
		execl(ctl_bin, ctl_bin, "-c", path, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 5000 && atomic_load(&f->seg.hdr->replay_gen) != 1; i++)
		poll_dp(f, 1);
	ck_assert_uint_eq(atomic_load(&f->seg.hdr->replay_gen), 1);
	ck_assert_int_eq(atomic_load(&f->seg.hdr->controller_pid), pid);
	poll_dp(f, 200);

	{
		char *const a1[] = { (char *)ctl_cli, "-c", path, "show", "dataplane", NULL };
		char *const a2[] = { (char *)ctl_cli, "-c", path, "show", "bogus", NULL };

		ck_assert_int_eq(run_cmd(a1, f, out, sizeof(out)), 0);
		assert_has(out, "Source: controller (pid ");
		assert_has(out, "in sync");
		ck_assert_int_eq(run_cmd(a2, f, out, sizeof(out)), 1);
		assert_has(out, "unknown command");
	}
	/* SIGHUP: reload; a new null route shows up in the data plane */
	seed_conf_x(&h, ", { prefix = \"10.5.0.0/16\"; drop = true; }", path, sizeof(path));
	kill(pid, SIGHUP);
	for (int i = 0; i < 3000 && !fakedp_route(f, RT_OVERLAY, "10.5.0.0/16"); i++)
		poll_dp(f, 1);
	ck_assert_ptr_nonnull(fakedp_route(f, RT_OVERLAY, "10.5.0.0/16"));
	ck_assert_int_eq(fakedp_route(f, RT_OVERLAY, "10.5.0.0/16")->nh_type, NH_DROP);
	poll_dp(f, 100);
	n_synced = f->n_log;
	routes = f->n_routes;

	kill(pid, SIGTERM);
	for (int i = 0; i < 3000 && waitpid(pid, &status, WNOHANG) != pid; i++)
		poll_dp(f, 1);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	poll_dp(f, 50);
	/* not one message, the tables as they were */
	ck_assert_int_eq(f->n_log, n_synced);
	ck_assert_int_eq(f->n_routes, routes);
	ck_assert(fakedp_slot_live(f, 0));
	ck_assert_int_eq(atomic_load(&f->seg.hdr->controller_pid), 0);
	ck_assert_int_eq(f->violations, 0);

	/* controller gone: dmvpnctl reads the segment */
	shm_wstats(&f->seg, 0)->drops[DROP_NO_ROUTE] = 42;
	{
		char *const a1[] = { (char *)ctl_cli, "-c", path, "show", "dataplane", "drops", NULL };
		char *const a2[] = { (char *)ctl_cli, "-c", path, "show", "ip", "cef", NULL };
		char *const a3[] = { (char *)ctl_cli, "-i", "seed", "--segment-dir", h.dir, "show",
				     "interfaces", "--json", NULL };

		ck_assert_int_eq(run_cmd(a1, f, out, sizeof(out)), 0);
		assert_has(out, "Source: segment ");
		assert_has(out, "(controller not reachable)");
		assert_has(out, "no-route                             42  ");
		ck_assert_int_eq(run_cmd(a2, f, out, sizeof(out)), 2);
		ck_assert_int_eq(run_cmd(a3, f, out, sizeof(out)), 0);
		assert_has(out, "\"source\":\"segment\"");
		assert_has(out, "\"name\":\"Serial0/0\"");
	}
	h_teardown(&h);
}
END_TEST

START_TEST(test_process_check_only)
{
	struct h h;
	char path[256], out[4096];
	const char *ctl_bin = getenv("DMVPN_CONTROLLER");

	h_setup(&h);
	seed_conf(&h, path, sizeof(path));
	{
		char *const a[] = { (char *)ctl_bin, "-c", path, "-n", NULL };

		ck_assert_int_eq(run_cmd(a, NULL, out, sizeof(out)), 0);
		assert_has(out, "seed.conf: configuration OK\n");
	}
	h_write(&h, "bad.conf", "instance = \"x\";\ninterfaces = 5;\n", path, sizeof(path));
	{
		char *const a[] = { (char *)ctl_bin, "-c", path, "-n", NULL };

		ck_assert_int_eq(run_cmd(a, NULL, out, sizeof(out)), 1);
		assert_has(out, "bad.conf:2: ");
	}
	h_teardown(&h);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("controlplane-cli");
	TCase *tc = tcase_create("cli");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_show_adjacency_seed);
	tcase_add_test(tc, test_show_ip_cef);
	tcase_add_test(tc, test_show_dataplane_interfaces);
	tcase_add_test(tc, test_cli_misc);
	tcase_add_test(tc, test_cli_register_module);
	tcase_add_test(tc, test_punt_inject);
	tcase_add_test(tc, test_cli_socket);
	tcase_add_test(tc, test_process_sigterm_and_dmvpnctl);
	tcase_add_test(tc, test_process_check_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
