/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller context: wires the data plane connection, desired state,
 * sync and CLI together (see ctl.h).
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "log.h"

uint64_t ctl_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint32_t ctl_local_nbma(const struct ctl *c)
{
	const struct conf *cf = &c->conf;

	if (!cf->tunnel.present || cf->tunnel.source >= cf->n_ifaces)
		return 0;
	return cf->ifaces[cf->tunnel.source].addr;
}

int ctl_module_register(struct ctl *c, const struct ctl_module *m, void *arg)
{
	if (c->n_mods == CTL_MAX_MODULES)
		return -ENOSPC;
	c->mods[c->n_mods].m = m;
	c->mods[c->n_mods].arg = arg;
	c->n_mods++;
	return 0;
}

static void ctl_dp_up(struct dpconn *dc, void *arg)
{
	(void)dc;
	sync_dp_up(arg);
}

static void ctl_dp_down(struct dpconn *dc, void *arg)
{
	(void)dc;
	sync_dp_down(arg);
}

/* mkdir -p for the run directory (0755: the sockets carry their own mode). */
static int ctl_mkdir_p(const char *dir)
{
	char buf[CONF_PATH_LEN];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int ctl_init(struct ctl *c, struct loop *l, const char *conf_path, struct conf *conf,
	     bool debug_forced)
{
	static const struct dpconn_ops ops = { .up = ctl_dp_up, .down = ctl_dp_down };
	char seg[CONF_PATH_LEN], bell[CONF_PATH_LEN], sock[CONF_PATH_LEN];
	int err;

	memset(c, 0, sizeof(*c));
	c->loop = l;
	snprintf(c->conf_path, sizeof(c->conf_path), "%s", conf_path);
	c->conf = *conf;
	memset(conf, 0, sizeof(*conf));	/* ours now */
	c->debug_forced = debug_forced;
	c->start_ms = loop_now_ms();
	c->start_realtime_ns = ctl_realtime_ns();
	log_set_level(debug_forced ? LOG_LVL_DEBUG : c->conf.log.level);

	adj_table_init(c);
	rt_table_init(c);
	sync_init(c);
	sync_conf_apply(c);

	conf_path_segment(&c->conf, seg, sizeof(seg));
	conf_path_bell(&c->conf, bell, sizeof(bell));
	conf_path_socket(&c->conf, sock, sizeof(sock));
	err = ctl_mkdir_p(c->conf.rundir);
	if (err) {
		log_err("rundir %s: %s", c->conf.rundir, strerror(-err));
		goto fail_state;
	}
	err = dpconn_init(&c->dp, l, seg, bell, &ops, c);
	if (err)
		goto fail_state;
	err = cli_new(c, sock, &c->cli);
	if (err)
		goto fail_dp;
	cli_builtin_register(c->cli);
	log_info("controller: instance %s, config %s, segment %s, cli %s", c->conf.instance,
		 conf_path, seg, sock);
	return 0;

fail_dp:
	dpconn_fini(&c->dp);
fail_state:
	sync_fini(c);
	rt_table_fini(c);
	adj_table_fini(c);
	conf_free(&c->conf);
	return err;
}

void ctl_fini(struct ctl *c)
{
	CTL_MODULES_CALL(c, fini);
	cli_free(c->cli);
	c->cli = NULL;
	dpconn_fini(&c->dp);	/* not one message: the data plane keeps forwarding */
	sync_fini(c);
	rt_table_fini(c);
	adj_table_fini(c);
	conf_free(&c->conf);
}
