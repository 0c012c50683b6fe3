/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dmvpn-dataplane -c FILE [-n] [-d]
 *
 * Start-up: config -> EAL -> shared-memory segment -> mbufs, RCU, tables ->
 * ports -> workers; then the main lcore loop until SIGINT/SIGTERM.  The main
 * lcore applies controller messages, completes RCU-deferred work, moves punts
 * and events to the controller, sends injected NHRP, runs ARP timers, beats
 * the heartbeat every 10 ms and exports port counters every 100 ms.  It
 * sleeps up to 200 us when there is nothing to do.
 * Shutdown unwinds in reverse; the segment file and every DPDK resource go
 * with the process (--in-memory: no hugepage files are left behind).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp.h"
#include "esp_thread.h"
#include "log.h"

struct dp g_dp;

void control_state_set(struct dp *dp, enum shm_dp_state s);

static void on_signal(int sig)
{
	(void)sig;
	g_dp.quit = true;
}

static void usage(void)
{
	fprintf(stderr, "usage: dmvpn-dataplane -c FILE [-n] [-d]\n"
			"  -c FILE  node configuration (libconfig)\n"
			"  -n       check the configuration and exit\n"
			"  -d       debug logging\n");
}

static int load_conf(int argc, char **argv, struct conf *c, bool *check_only)
{
	const char *file = NULL;
	struct conf_error err;
	bool debug = false;
	int opt;

	*check_only = false;
	while ((opt = getopt(argc, argv, "c:ndh")) != -1) {
		switch (opt) {
		case 'c': file = optarg; break;
		case 'n': *check_only = true; break;
		case 'd': debug = true; break;
		default: usage(); return -1;
		}
	}
	if (!file) {
		usage();
		return -1;
	}
	if (conf_load(file, c, &err) != 0) {
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
		return -1;
	}
	log_init("dmvpn-dataplane", debug ? LOG_LVL_DEBUG : c->log.level, c->log.file);
	return 0;
}

static int eal_start(struct dp *dp)
{
	static char store[4096];
	char *argv[128];
	int argc = eal_args_build(dp->conf, argv, RTE_DIM(argv), store, sizeof(store));
	char line[1024] = "";

	if (argc < 0) {
		log_err("too many EAL arguments");
		return -1;
	}
	for (int i = 0; i < argc; i++) {
		strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
		strncat(line, " ", sizeof(line) - strlen(line) - 1);
	}
	log_info("EAL: %s", line);
	if (rte_eal_init(argc, argv) < 0) {
		log_err("EAL init failed: %s", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int segment_create(struct dp *dp)
{
	const struct conf_dataplane *d = &dp->conf->dp;
	struct shm_layout lay = {
		.n_workers = dp->n_workers,
		.n_ports = dp->conf->n_ifaces,
		.adj_slots = d->max_adjacencies ? d->max_adjacencies : 16384,
		.sa_slots = d->max_sas ? d->max_sas : 16384,
		.ctl_entries = 4096,
		.reply_entries = 4096,
		.punt_entries = 1024,
		.inject_entries = 1024,
	};
	char path[CONF_PATH_LEN];
	struct timespec ts;
	int rc;

	/* neighbours: the underlay next hops of the adjacencies, plus room */
	lay.nbr_slots = RTE_MAX(4096u, lay.adj_slots + 1024);
	conf_path_segment(dp->conf, path, sizeof(path));
	rc = shm_create(&dp->seg, path, dp->conf->instance, &lay);
	if (rc) {
		log_err("segment %s: %s", path, strerror(-rc));
		return rc;
	}
	dp->hdr = dp->seg.hdr;
	dp->hdr->tsc_hz = rte_get_tsc_hz();
	clock_gettime(CLOCK_REALTIME, &ts);
	dp->hdr->start_tsc = rte_rdtsc();
	dp->hdr->start_realtime_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	dp->adj_slots = lay.adj_slots;
	dp->nbr_max = lay.nbr_slots;
	log_info("segment %s: %.1f MiB, %u adjacency slots, %u SA slots, epoch %llx", path,
		 (double)dp->seg.size / (1 << 20), lay.adj_slots, lay.sa_slots,
		 (unsigned long long)dp->hdr->epoch);
	return 0;
}

static int tables_create(struct dp *dp)
{
	const struct conf_dataplane *d = &dp->conf->dp;
	size_t rcu_sz = rte_rcu_qsbr_get_memsize(dp->n_workers);

	dp->pool = rte_pktmbuf_pool_create("mbufs", d->mbufs ? d->mbufs : 8191, 256, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	dp->rcu = rte_zmalloc("rcu", rcu_sz, RTE_CACHE_LINE_SIZE);
	dp->adj = rte_zmalloc("adj", sizeof(struct adj_rt) * dp->adj_slots, RTE_CACHE_LINE_SIZE);
	if (!dp->pool || !dp->rcu || !dp->adj)
		return -ENOMEM;
	if (rte_rcu_qsbr_init(dp->rcu, dp->n_workers))
		return -EINVAL;
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct worker *w = rte_zmalloc("worker", sizeof(*w), RTE_CACHE_LINE_SIZE);

		if (!w)
			return -ENOMEM;
		w->idx = i;
		w->stats = shm_wstats(&dp->seg, i);
		w->adj_ctr = shm_adj_ctr(&dp->seg, i, 0);
		w->sa_ctr = shm_sa_ctr(&dp->seg, i, 0);
		w->icmp_tokens = DP_ICMP_RATE;
		dp->workers[i] = w;
	}
	dp->main_stats = shm_wstats(&dp->seg, dp->n_workers);
	if (arp_init(dp) || fib_init(dp) || punt_init(dp) || sa_init(dp))
		return -ENOMEM;
	if (esp_thread_init(&dp->main_esp) != 0)
		log_warn("main lcore: no ESP engine context: NHRP to protected peers is dropped");
	else
		log_info("ESP engine: intel-ipsec-mb %s code path", esp_thread_arch(dp->main_esp));
	return 0;
}

static int workers_launch(struct dp *dp)
{
	unsigned int i = 0, lcore;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == dp->n_workers)
			break;
		dp->workers[i]->lcore = lcore;
		if (rte_eal_remote_launch(worker_main, dp->workers[i], lcore))
			return -1;
		i++;
	}
	return i == dp->n_workers ? 0 : -1;
}

static void main_sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };

	nanosleep(&ts, NULL);
}

static void main_loop(struct dp *dp)
{
	uint64_t hz = dp->tsc_hz, next_beat = 0, next_slow = 0;
	unsigned int idle = 0;

	while (!dp->quit) {
		uint64_t now = rte_rdtsc();
		unsigned int work;

		work = control_poll(dp);
		control_deferred_poll(dp);
		work += punt_main_poll(dp);
		work += inject_poll(dp);
		if (now >= next_beat) {
			atomic_fetch_add(&dp->hdr->heartbeat, 1);
			next_beat = now + hz / 1000 * SHM_HEARTBEAT_MS;
		}
		if (now >= next_slow) {
			port_stats_export(dp);
			arp_timer(dp, now);
			sa_timer(dp);
			next_slow = now + hz / 10;
		}
		if (work) {
			idle = 0;
			continue;
		}
		if (++idle > 64)
			main_sleep_us(dp->adaptive_idle ? 200 : 20);
	}
}

static void shutdown_all(struct dp *dp)
{
	if (dp->hdr)
		control_state_set(dp, SHM_DP_STOPPING);
	rte_eal_mp_wait_lcore();
	port_close_all(dp);
	if (dp->hdr)
		shm_destroy(&dp->seg);
	if (dp->bell_fd > 0)
		close(dp->bell_fd);
	if (dp->main_esp)
		esp_thread_fini(dp->main_esp);
	rte_eal_cleanup();
}

int main(int argc, char **argv)
{
	struct dp *dp = &g_dp;
	struct conf conf;
	bool check_only;

	if (load_conf(argc, argv, &conf, &check_only))
		return 1;
	if (check_only) {
		printf("%s: configuration OK\n", conf.file);
		conf_free(&conf);
		return 0;
	}
	dp->conf = &conf;
	dp->n_workers = conf.dp.workers ? conf.dp.workers : 1;
	dp->adaptive_idle = conf.dp.adaptive_idle;
	dp->idle_sleep_max_us = conf.dp.idle_sleep_max_us ? conf.dp.idle_sleep_max_us : 1000;
	dp->burst = conf.dp.burst ? RTE_MIN(conf.dp.burst, (uint32_t)DP_MAX_BURST) : 32;
	memset(dp->port_by_id, -1, sizeof(dp->port_by_id));
	if (eal_start(dp))
		return 1;
	dp->tsc_hz = rte_get_tsc_hz();
	if (rte_lcore_count() < dp->n_workers + 1) {
		log_err("need %u lcores (1 main + %u workers), EAL has %u: check dataplane.lcores",
			dp->n_workers + 1, dp->n_workers, rte_lcore_count());
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (segment_create(dp) || tables_create(dp) || port_setup_all(dp)) {
		shutdown_all(dp);
		return 1;
	}
	for (unsigned int i = 0; i < dp->n_ports; i++)
		dp->port_by_id[dp->ports[i].port_id] = (int8_t)i;
	control_state_set(dp, SHM_DP_WAITING);
	if (workers_launch(dp)) {
		log_err("cannot launch %u workers", dp->n_workers);
		dp->quit = true;
	}
	main_loop(dp);
	log_info("shutting down");
	shutdown_all(dp);
	conf_free(&conf);
	return 0;
}
