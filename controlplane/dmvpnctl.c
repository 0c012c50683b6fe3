/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dmvpnctl [-c FILE | -i INSTANCE] [--rundir DIR] [--segment-dir DIR]
 *          [--timeout SEC] <words...> [--json]
 *
 * Sends one command to dmvpn-controller (protocol: docs/cli.md) and prints
 * the reply.  Exit status: 0 ok, 1 the command failed, 2 the controller
 * could not be reached.
 *
 * `show dataplane`, `show dataplane drops`, `show interfaces` and `show ip arp` fall back
 * to reading the data plane's segment read-only when the controller is not
 * reachable (exit 0 then, and the output says "Source: segment ...").
 *
 * The socket and segment come from the configuration file (-c), or from an
 * instance name (-i) with the run directory from --rundir, $DMVPN_RUNDIR or
 * /run/dmvpn as the configuration loader does.  Without either, the only
 * *.sock in the run directory is used.
 */
#include <dirent.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "conf.h"
#include "show_seg.h"

#define CTL_DEFAULT_RUNDIR "/run/dmvpn"
#define CTL_DEFAULT_SEGDIR "/dev/shm"
#define EXIT_CMD 1
#define EXIT_UNREACHABLE 2

struct opts {
	const char *conf_file;
	const char *instance;
	const char *rundir;
	const char *segdir;
	int timeout_ms;
	bool json;
	char line[CLI_LINE_MAX];
	char *words[CLI_MAX_WORDS];	/* without --json */
	int n_words;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: dmvpnctl [-c FILE | -i INSTANCE] [--rundir DIR] [--segment-dir DIR]\n"
		   "                [--timeout SEC] <command words...> [--json]\n"
		   "       dmvpnctl -i hub show ip cef detail\n"
		   "       dmvpnctl -c /etc/dmvpn/hub.conf show dataplane drops --json\n"
		   "exit status: 0 ok, 1 command error, 2 controller unreachable\n");
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
	size_t len = 0, total = sizeof(" --json");

	memset(o, 0, sizeof(*o));
	o->timeout_ms = 10000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (o->n_words == 0 && has_val && (!strcmp(a, "-c") || !strcmp(a, "--config")))
			o->conf_file = argv[++i];
		else if (o->n_words == 0 && has_val && (!strcmp(a, "-i") || !strcmp(a, "--instance")))
			o->instance = argv[++i];
		else if (o->n_words == 0 && has_val && !strcmp(a, "--rundir"))
			o->rundir = argv[++i];
		else if (o->n_words == 0 && has_val && !strcmp(a, "--segment-dir"))
			o->segdir = argv[++i];
		else if (o->n_words == 0 && has_val && !strcmp(a, "--timeout"))
			o->timeout_ms = atoi(argv[++i]) * 1000;
		else if (o->n_words == 0 && (!strcmp(a, "-h") || !strcmp(a, "--help")))
			return -1;
		else if (!strcmp(a, "--json"))
			o->json = true;
		else if (o->n_words < CLI_MAX_WORDS && a[0] &&
			 (total += strlen(a) + 1) < sizeof(o->line))
			o->words[o->n_words++] = argv[i];
		else
			return -1;
	}
	for (int i = 0; i < o->n_words; i++)
		len += (size_t)snprintf(o->line + len, sizeof(o->line) - len, "%s%s", i ? " " : "",
					o->words[i]);
	if (o->json)
		snprintf(o->line + len, sizeof(o->line) - len, " --json");
	if (o->timeout_ms <= 0)
		o->timeout_ms = 10000;
	return o->n_words ? 0 : -1;
}

/* The only "<name>.sock" in dir, or NULL. */
static char *sole_instance(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;
	int n = 0;

	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l > 5 && strcmp(e->d_name + l - 5, ".sock") == 0 && n++ == 0)
			found = strndup(e->d_name, l - 5);
	}
	if (d)
		closedir(d);
	if (n != 1) {
		free(found);
		return NULL;
	}
	return found;
}

/*
 * A node whose file no longer validates (someone is editing it) must still
 * be reachable: take just instance, rundir and dataplane.segment_dir from
 * the file as libconfig reads it.  -1 if even that is impossible.
 */
static int conf_paths_lenient(const char *file, struct conf *cf)
{
	const char *inst = NULL, *rundir = NULL, *segdir = NULL, *env = getenv("DMVPN_RUNDIR");
	config_t c;
	int rc = -1;

	config_init(&c);
	if (config_read_file(&c, file) == CONFIG_TRUE &&
	    config_lookup_string(&c, "instance", &inst) == CONFIG_TRUE) {
		config_lookup_string(&c, "rundir", &rundir);
		config_lookup_string(&c, "dataplane.segment_dir", &segdir);
		snprintf(cf->instance, sizeof(cf->instance), "%s", inst);
		snprintf(cf->rundir, sizeof(cf->rundir), "%s",
			 rundir ? rundir : env && *env ? env : CTL_DEFAULT_RUNDIR);
		snprintf(cf->dp.segment_dir, sizeof(cf->dp.segment_dir), "%s",
			 segdir ? segdir : CTL_DEFAULT_SEGDIR);
		rc = 0;
	}
	config_destroy(&c);
	return rc;
}

/* A struct conf with just what the path functions need. */
static int conf_for_paths(const struct opts *o, struct conf *cf, bool *loaded)
{
	const char *env = getenv("DMVPN_RUNDIR");
	struct conf_error err;
	char *inst = NULL;

	*loaded = false;
	memset(cf, 0, sizeof(*cf));
	if (o->conf_file) {
		if (conf_load(o->conf_file, cf, &err) != 0) {
			fprintf(stderr, "dmvpnctl: warning: %s:%d: %s\n", err.file, err.line,
				err.msg);
			memset(cf, 0, sizeof(*cf));
			if (conf_paths_lenient(o->conf_file, cf) != 0)
				return -1;
		} else {
			*loaded = true;
		}
	} else {
		snprintf(cf->rundir, sizeof(cf->rundir), "%s",
			 o->rundir ? o->rundir : env && *env ? env : CTL_DEFAULT_RUNDIR);
		snprintf(cf->dp.segment_dir, sizeof(cf->dp.segment_dir), "%s", CTL_DEFAULT_SEGDIR);
		if (!o->instance && !(inst = sole_instance(cf->rundir))) {
			fprintf(stderr, "dmvpnctl: no -c/-i given and not exactly one controller "
				"socket in %s\n", cf->rundir);
			return -1;
		}
		snprintf(cf->instance, sizeof(cf->instance), "%s", o->instance ? o->instance : inst);
		free(inst);
	}
	if (o->rundir)
		snprintf(cf->rundir, sizeof(cf->rundir), "%s", o->rundir);
	if (o->segdir)
		snprintf(cf->dp.segment_dir, sizeof(cf->dp.segment_dir), "%s", o->segdir);
	return 0;
}

/* ---- offline: the segment, read-only ---- */

enum offline_cmd { OFF_NONE, OFF_INTERFACES, OFF_DATAPLANE, OFF_DROPS, OFF_ARP };

static enum offline_cmd offline_match(const struct opts *o, bool *all)
{
	char *const *w = o->words;
	int n = o->n_words;

	*all = n == 4 && (!strcmp(w[3], "--all") || !strcmp(w[3], "all"));
	if (n == 2 && !strcmp(w[0], "show") && !strcmp(w[1], "interfaces"))
		return OFF_INTERFACES;
	if (n == 3 && !strcmp(w[0], "show") && !strcmp(w[1], "ip") && !strcmp(w[2], "arp"))
		return OFF_ARP;
	if (n >= 2 && !strcmp(w[0], "show") && !strcmp(w[1], "dataplane")) {
		if (n == 2)
			return OFF_DATAPLANE;
		if (!strcmp(w[2], "drops") && (n == 3 || *all))
			return OFF_DROPS;
	}
	return OFF_NONE;
}

static void heartbeat_sample(const struct shm_seg *seg, struct show_src *s)
{
	uint64_t hb = atomic_load(&seg->hdr->heartbeat);
	struct timespec ts = { .tv_nsec = 3 * SHM_HEARTBEAT_MS * 1000000L };

	nanosleep(&ts, NULL);	/* three heartbeat periods: it must have moved */
	s->hb_alive = atomic_load(&seg->hdr->heartbeat) != hb;
	s->hb_age_ms = s->hb_alive ? 0 : 3 * SHM_HEARTBEAT_MS;
}

static int offline_show(const struct opts *o, const struct conf *cf, bool have_conf,
			enum offline_cmd cmd, bool all)
{
	char path[CONF_PATH_LEN];
	struct shm_seg seg = { .fd = -1 };
	struct strbuf out;
	struct json j;
	struct show_src s = { .source = "segment", .json = o->json, .out = &out, .j = &j };
	int err;

	conf_path_segment(cf, path, sizeof(path));
	err = shm_attach(&seg, path, false);
	if (err) {
		fprintf(stderr, "dmvpnctl: controller not reachable and segment %s: %s\n", path,
			strerror(-err));
		return EXIT_UNREACHABLE;
	}
	sb_init(&out);
	json_init(&j, &out);
	s.seg = &seg;
	s.seg_path = path;
	s.conf = have_conf ? cf : NULL;
	heartbeat_sample(&seg, &s);
	if (cmd == OFF_INTERFACES)
		show_interfaces(&s);
	else if (cmd == OFF_DATAPLANE)
		show_dataplane(&s);
	else if (cmd == OFF_ARP)
		show_arp(&s);
	else
		show_dataplane_drops(&s, all);
	fwrite(out.s ? out.s : "", 1, out.len, stdout);
	if (o->json)
		fputc('\n', stdout);
	sb_free(&out);
	shm_detach(&seg);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct conf cf;
	char sock[CONF_PATH_LEN];
	struct strbuf out;
	enum offline_cmd off;
	bool have_conf, all;
	int status = 0, err, rc;

	if (opts_parse(argc, argv, &o) < 0) {
		usage(stderr);
		return EXIT_CMD;
	}
	if (conf_for_paths(&o, &cf, &have_conf) < 0)
		return EXIT_CMD;	/* no usable config or instance: a usage error */
	conf_path_socket(&cf, sock, sizeof(sock));
	sb_init(&out);
	err = cli_client_request(sock, o.line, &status, &out, o.timeout_ms);
	if (!err) {
		fwrite(out.s ? out.s : "", 1, out.len, status ? stderr : stdout);
		if (status && (!out.len || out.s[out.len - 1] != '\n'))
			fputc('\n', stderr);
		rc = status ? EXIT_CMD : 0;
	} else if ((off = offline_match(&o, &all)) != OFF_NONE) {
		rc = offline_show(&o, &cf, have_conf, off, all);
	} else {
		fprintf(stderr, "dmvpnctl: controller at %s: %s\n", sock, strerror(-err));
		rc = EXIT_UNREACHABLE;
	}
	sb_free(&out);
	if (have_conf)
		conf_free(&cf);
	return rc;
}
