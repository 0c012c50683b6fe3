/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dmvpn-controller -c FILE [-n] [-d]
 *
 *   -n   check the configuration and exit ("FILE: configuration OK", or
 *        "FILE:LINE: message" on stderr and exit status 1)
 *   -d   debug logging whatever the configuration says
 *
 * A foreground process.  Signals (through a signalfd, handled in the loop):
 *   SIGTERM, SIGINT  exit; the data plane's tables are left exactly as they
 *                    are, so it keeps forwarding (DESIGN.md "Processes")
 *   SIGHUP           reload the configuration (a bad file is refused and
 *                    the running state kept)
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ctl.h"
#include "ipsec.h"
#include "log.h"
#include "nhrp_module.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: dmvpn-controller -c FILE [-n] [-d]\n"
		   "  -c FILE  configuration file\n"
		   "  -n       check the configuration and exit\n"
		   "  -d       debug logging\n");
}

static void on_signal(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct ctl *c = arg;
	struct signalfd_siginfo si;
	char err[512];

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("SIGHUP: reloading %s", c->conf_path);
			sync_reload(c, err, sizeof(err));	/* logs a refusal itself */
			break;
		case SIGTERM:
		case SIGINT:
			log_info("%s: exiting; the data plane keeps its tables and forwarding",
				 strsignal((int)si.ssi_signo));
			loop_stop(l);
			break;
		default:
			break;
		}
	}
}

static int signals_open(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);	/* a CLI client that went away */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int check_only(const char *path)
{
	struct conf cf;
	struct conf_error err;

	if (conf_load(path, &cf, &err) != 0) {
		if (err.line > 0)
			fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		else
			fprintf(stderr, "%s: %s\n", err.file, err.msg);
		return 1;
	}
	conf_free(&cf);
	printf("%s: configuration OK\n", path);
	return 0;
}

static int run(const char *path, bool debug)
{
	struct conf cf;
	struct conf_error err;
	struct loop *l;
	struct ctl c;
	int sfd, rc = 1;

	if (conf_load(path, &cf, &err) != 0) {
		if (err.line > 0)
			fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		else
			fprintf(stderr, "%s: %s\n", err.file, err.msg);
		return 1;
	}
	log_init("dmvpn-controller", debug ? LOG_LVL_DEBUG : cf.log.level, cf.log.file);
	sfd = signals_open();
	l = loop_new();
	if (sfd < 0 || !l) {
		log_err("cannot set up signals or the event loop: %s", strerror(errno));
		conf_free(&cf);
		return 1;
	}
	if (ctl_init(&c, l, path, &cf, debug) != 0) {
		conf_free(&cf);
		goto out;
	}
	if (ipsec_module_init(&c) != 0)
		log_err("ipsec: cannot start the IPsec module (out of memory)");
	if (nhrp_module_init(&c) != 0)
		log_err("nhrp: cannot start the NHRP module (out of memory)");
	if (loop_fd_add(l, sfd, EPOLLIN, on_signal, &c) == 0) {
		loop_run(l);
		rc = 0;
	}
	ctl_fini(&c);
out:
	loop_free(l);
	close(sfd);
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool check = false, debug = false;
	int opt;

	while ((opt = getopt(argc, argv, "c:ndh")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'n': check = true; break;
		case 'd': debug = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	return check ? check_only(path) : run(path, debug);
}
