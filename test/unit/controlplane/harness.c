/* SPDX-License-Identifier: BSD-3-Clause */
#include "harness.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

void h_setup(struct h *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/cptest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(h->dir));
	setenv("DMVPN_RUNDIR", h->dir, 1);
	log_init("cptest", LOG_LVL_DEBUG, NULL);
	h->loop = loop_new();
	ck_assert_ptr_nonnull(h->loop);
}

void h_teardown(struct h *h)
{
	DIR *d;
	struct dirent *e;

	h_ctl_stop(h);
	if (h->dp_on)
		h_dp_stop(h, false);
	loop_free(h->loop);
	d = opendir(h->dir);
	while (d && (e = readdir(d))) {
		char p[512];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", h->dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(h->dir);
}

void h_write(struct h *h, const char *name, const char *text, char *path, size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s", h->dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

void h_spoke_conf(struct h *h, const char *maps, const char *routes, const char *extra,
		  char *path, size_t len)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "instance = \"cpt\";\n"
		 "dataplane = { segment_dir = \"%s\"; };\n"
		 "interfaces = (\n"
		 "  { name = \"s1-pub\"; device = \"net_null0\"; role = \"public\";\n"
		 "    address = \"198.51.100.2/24\"; gateway = \"198.51.100.254\"; },\n"
		 "  { name = \"s1-lan\"; device = \"net_null1\"; role = \"lan\";\n"
		 "    address = \"10.0.64.1/24\"; }\n"
		 ");\n"
		 "tunnel = { address = \"10.0.0.2/24\"; source = \"s1-pub\"; key = 999; mtu = 1416; };\n"
		 "nhrp = { holdtime = 300; map = ( %s ); map_multicast = [ \"192.0.2.1\" ];\n"
		 "         nhs = [ \"10.0.0.1\" ]; };\n"
		 "routes = ( %s );\n"
		 "neighbors = ( { address = \"10.0.64.20\"; mac = \"02:00:00:00:00:20\";\n"
		 "                interface = \"s1-lan\"; } );\n"
		 "%s\n",
		 h->dir, maps, routes, extra ? extra : "");
	h_write(h, "cpt.conf", text, path, len);
}

void h_ctl_start(struct h *h, const char *path, bool patch_segdir)
{
	struct conf cf;
	struct conf_error err;
	int rc = conf_load(path, &cf, &err);

	if (rc)
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
	ck_assert_int_eq(rc, 0);
	if (patch_segdir)
		snprintf(cf.dp.segment_dir, sizeof(cf.dp.segment_dir), "%s", h->dir);
	snprintf(h->conf_path, sizeof(h->conf_path), "%s", path);
	ck_assert_int_eq(ctl_init(&h->ctl, h->loop, path, &cf, true), 0);
	h->ctl_on = true;
}

void h_ctl_stop(struct h *h)
{
	if (!h->ctl_on)
		return;
	ctl_fini(&h->ctl);
	h->ctl_on = false;
}

void h_dp_start(struct h *h, const struct fakedp_opts *o)
{
	ck_assert(h->ctl_on);
	ck_assert_int_eq(fakedp_start(&h->dp, &h->ctl.conf, o), 0);
	h->dp_on = true;
}

void h_dp_stop(struct h *h, bool crash)
{
	fakedp_stop(&h->dp, !crash);
	h->dp_on = false;
}

bool run_until(struct h *h, bool (*cond)(struct h *), int max_ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)max_ms;

	while (loop_now_ms() < end) {
		if (h->dp_on)
			fakedp_poll(&h->dp);
		loop_run_once(h->loop, 2);
		if (cond(h))
			return true;
	}
	return cond(h);
}

static bool never(struct h *h)
{
	(void)h;
	return false;
}

void run_for(struct h *h, int ms)
{
	run_until(h, never, ms);
}

bool h_idle(struct h *h)
{
	return h->ctl_on && dpconn_outstanding(&h->ctl.dp) == 0 && !loop_timer_armed(&h->ctl.sync.flush);
}

bool h_synced(struct h *h)
{
	return h->ctl_on && h->ctl.sync.state == SYNC_SYNCED && h_idle(h);
}

struct cli_result {
	bool done;
	int status;
	char *text;
};

static void cli_done(void *arg, int status, const char *text, size_t len)
{
	struct cli_result *r = arg;

	r->done = true;
	r->status = status;
	r->text = strndup(text, len);
}

static struct cli_result *cur_result;

static bool cli_finished(struct h *h)
{
	(void)h;
	return cur_result->done;
}

char *h_cli(struct h *h, const char *line, int *status)
{
	struct cli_result r = { 0 };

	cur_result = &r;
	ck_assert_int_eq(cli_exec(h->ctl.cli, line, cli_done, &r), 0);
	ck_assert_msg(run_until(h, cli_finished, 5000), "cli \"%s\" never completed", line);
	*status = r.status;
	return r.text;
}

const char *h_src(const char *rel, char *buf, size_t len)
{
	const char *root = getenv("DMVPN_SRCDIR");

	snprintf(buf, len, "%s/%s", root ? root : "../..", rel);
	return buf;
}
