/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP load generator: N simulated spokes, each with its own NBMA address,
 * register with a hub's real data plane and then resolve each other, from
 * one network namespace, over a veth (scripts/bench-nhrp.sh, BENCHMARKS.md
 * "NHRP control plane").
 *
 * The kernel here has no GRE: frames are built whole (Ethernet, IPv4, GRE
 * with the tunnel key, NHRP) and sent and received on AF_PACKET sockets.
 * Packets are the codec's (common/nhrp_packet.h), as our own NHC sends them
 * (nhrp_nhc.c, nhrp_resolve.c; Cisco's layout): one template per message
 * type is built and parsed once, then only the addresses, request id and
 * checksums change per spoke.
 *
 *   spoke i: NBMA  nbma_base + i  (outer source and NHRP source NBMA)
 *            proto proto_base + i (tunnel address)
 *
 * The hub answers to the NBMA address a request came from; it routes that
 * through its gateway, this namespace's address on the veth (the kernel
 * answers its ARP), so every reply comes back here; replies are matched
 * by destination NBMA (the spoke) and request id.
 *
 * Phases (each closed loop: at most --window requests outstanding, a
 * request unanswered for --timeout-ms is sent again, same request id):
 *   reg  spokes 0..N-1 register (U + NAT, holdtime, auth, NAT extension
 *        with the NHS): rate = N / (last reply - first request);
 *   res  M resolution requests, spoke i for spoke (i + N/2) mod N, the
 *        reply must carry that spoke's NBMA: rate likewise.
 * Output: one line per phase, and with --json one JSON object per phase.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cksum.h"
#include "nhrp_packet.h"
#include "wire/gre.h"
#include "wire/ipv4.h"

#define BATCH 64
#define FRAME_MAX 256
#define GRE_PROTO_NHRP 0x2001
#define ETH_HLEN_ 14
#define L3_OFF ETH_HLEN_
#define GRE_OFF (L3_OFF + 20)
#define NHRP_OFF (GRE_OFF + 8)

enum st { ST_IDLE = 0, ST_WAIT, ST_DONE };

struct tmpl {
	uint8_t frame[FRAME_MAX];
	uint16_t len;			/* whole frame */
	uint16_t nhrp_len;
	uint16_t off_src_nbma, off_src_proto, off_dst_proto;	/* from the NHRP header */
};

struct fifo_ent {
	uint32_t idx;
	uint32_t gen;
};

struct phase {
	const char *name;
	uint8_t type;			/* request type */
	uint32_t n;			/* requests to complete */
	uint8_t *st;
	uint32_t *reqid;
	uint32_t *gen;			/* sends of this request so far */
	uint64_t *sent_ns;		/* last send */
	struct fifo_ent *fifo;		/* sends in order, for the timeouts */
	uint64_t fifo_mask, head, tail;
	/* results */
	uint64_t sent, resent, replies, refused, wrong, dup, stray;
	uint64_t first_ns, last_ns;
	uint64_t lat_hist[64];		/* log2 microseconds */
};

static struct {
	const char *ifname;
	uint8_t hub_mac[6], my_mac[6];
	uint32_t hub_nbma, hub_proto, nbma_base, proto_base;	/* host order */
	uint32_t n, res_count;
	uint32_t key;
	const char *auth;
	uint16_t holdtime, mtu;
	uint32_t window;
	uint64_t timeout_ns, deadline_ns;
	bool json, do_reg, do_res;
	uint32_t reqid0;
	int txfd, rxfd, ifindex;
	struct tmpl reg, res;
	uint64_t rx_frames, rx_other;
} g = {
	.hub_nbma = 0xc0000201,		/* 192.0.2.1 */
	.hub_proto = 0x0a000001,	/* 10.0.0.1 */
	.nbma_base = 0xac100001,	/* 172.16.0.1 */
	.proto_base = 0x0a000002,	/* 10.0.0.2 */
	.n = 10000,
	.key = 999,
	.auth = "nhrp-pwd",
	.holdtime = 7200,
	.mtu = 1416,
	.window = 256,
	.timeout_ns = 1000000000ull,
	.deadline_ns = 120000000000ull,
	.do_reg = true,
	.do_res = true,
	.reqid0 = 1,
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "nhrp_load: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static uint32_t ip_arg(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad IPv4 address '%s'", s);
	return ntohl(a.s_addr);
}

static void mac_arg(const char *s, uint8_t m[6])
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		   &m[5]) != 6)
		die("bad MAC address '%s'", s);
}

/* ---- templates (the codec) ---- */

static void tmpl_frame(struct tmpl *t, const uint8_t *nhrp, int len)
{
	struct ipv4_hdr *ip = (struct ipv4_hdr *)(t->frame + L3_OFF);
	struct gre_key_hdr *gre = (struct gre_key_hdr *)(t->frame + GRE_OFF);
	struct nhrp_msg m;
	struct nhrp_parse_err err;

	if (len < 0 || NHRP_OFF + len > FRAME_MAX)
		die("template does not fit (%s)", "build");
	memcpy(t->frame, g.hub_mac, 6);
	memcpy(t->frame + 6, g.my_mac, 6);
	t->frame[12] = 0x08;
	t->frame[13] = 0x00;
	*ip = (struct ipv4_hdr){
		.ver_ihl = 0x45, .tos = 0xc0, .ttl = 255, .proto = 47,
		.total_len = htons((uint16_t)(20 + 8 + len)), .dst = htonl(g.hub_nbma),
	};
	*gre = (struct gre_key_hdr){ .flags = htons(GRE_FLAG_KEY), .proto = htons(GRE_PROTO_NHRP),
				     .key = htonl(g.key) };
	memcpy(t->frame + NHRP_OFF, nhrp, (size_t)len);
	t->nhrp_len = (uint16_t)len;
	t->len = (uint16_t)(NHRP_OFF + len);
	if (nhrp_parse(t->frame + NHRP_OFF, (size_t)len, &m, &err) < 0)
		die("template does not parse: %s", nhrp_perr_name(err.reason));
	t->off_src_nbma = (uint16_t)(m.src_nbma.p - (t->frame + NHRP_OFF));
	t->off_src_proto = (uint16_t)(m.src_proto.p - (t->frame + NHRP_OFF));
	t->off_dst_proto = (uint16_t)(m.dst_proto.p - (t->frame + NHRP_OFF));
}

/* Registration Request as nhrp_nhc_send() builds it (Cisco's). */
static void tmpl_reg(void)
{
	uint32_t nbma = htonl(g.nbma_base), proto = htonl(g.proto_base), hub = htonl(g.hub_proto);
	uint32_t hub_nbma = htonl(g.hub_nbma);
	uint8_t auth[NHRP_CISCO_AUTH_MAX], out[FRAME_MAX];
	struct nhrp_msg m;
	struct nhrp_ext *nat;
	int alen = nhrp_cisco_auth_encode(auth, g.auth, strlen(g.auth));

	nhrp_msg_init(&m, NHRP_REGISTRATION_REQUEST, &NHRP_ADDR(&nbma, 4), &NHRP_ADDR(&proto, 4),
		      &NHRP_ADDR(&hub, 4));
	m.flags = NHRP_REG_FLAG_U | NHRP_REG_FLAG_NAT;
	m.reqid = 1;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 32, .mtu = g.mtu,
						 .holdtime = g.holdtime });
	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER_ADDRESS, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_REVERSE_TRANSIT, true);
	if (alen > 0)
		nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, auth, (uint16_t)alen);
	nat = nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDRESS, false);
	nhrp_ext_add_cie(nat, &(struct nhrp_cie){ .prefix_len = 32, .mtu = g.mtu,
						  .nbma = NHRP_ADDR(&hub_nbma, 4),
						  .proto = NHRP_ADDR(&hub, 4) });
	tmpl_frame(&g.reg, out, nhrp_build(&m, out, sizeof(out)));
}

/* Resolution Request as nhrp_res_send() builds it. */
static void tmpl_res(void)
{
	uint32_t nbma = htonl(g.nbma_base), proto = htonl(g.proto_base), dst = htonl(g.proto_base);
	uint8_t auth[NHRP_CISCO_AUTH_MAX], out[FRAME_MAX];
	struct nhrp_msg m;
	int alen = nhrp_cisco_auth_encode(auth, g.auth, strlen(g.auth));

	nhrp_msg_init(&m, NHRP_RESOLUTION_REQUEST, &NHRP_ADDR(&nbma, 4), &NHRP_ADDR(&proto, 4),
		      &NHRP_ADDR(&dst, 4));
	m.flags = NHRP_RES_FLAG_Q | NHRP_RES_FLAG_A | NHRP_RES_FLAG_S | NHRP_RES_FLAG_NAT;
	m.reqid = 1;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .mtu = g.mtu, .holdtime = g.holdtime });
	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER_ADDRESS, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_REVERSE_TRANSIT, true);
	if (alen > 0)
		nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, auth, (uint16_t)alen);
	nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDRESS, false);
	tmpl_frame(&g.res, out, nhrp_build(&m, out, sizeof(out)));
}

static void put32(uint8_t *p, uint32_t host)
{
	uint32_t v = htonl(host);

	memcpy(p, &v, 4);
}

/* Frame for request idx of a phase, into buf. */
static uint16_t frame_make(const struct phase *ph, uint32_t idx, uint8_t *buf)
{
	const struct tmpl *t = ph->type == NHRP_REGISTRATION_REQUEST ? &g.reg : &g.res;
	struct ipv4_hdr *ip = (struct ipv4_hdr *)(buf + L3_OFF);
	uint8_t *nh = buf + NHRP_OFF;
	uint32_t spoke = idx % g.n;
	struct nhrp_fixed_hdr *fh = (struct nhrp_fixed_hdr *)nh;
	struct nhrp_mand_hdr *mh = (struct nhrp_mand_hdr *)(nh + NHRP_FIXED_LEN);

	memcpy(buf, t->frame, t->len);
	ip->src = htonl(g.nbma_base + spoke);
	ip->id = htons((uint16_t)idx);
	ip->csum = 0;
	ip->csum = cksum(ip, 20);
	put32(nh + t->off_src_nbma, g.nbma_base + spoke);
	put32(nh + t->off_src_proto, g.proto_base + spoke);
	if (ph->type == NHRP_RESOLUTION_REQUEST)
		put32(nh + t->off_dst_proto, g.proto_base + (spoke + g.n / 2) % g.n);
	mh->reqid = htonl(ph->reqid[idx]);
	fh->chksum = 0;
	fh->chksum = nhrp_checksum(nh, t->nhrp_len);
	return t->len;
}

/* ---- sockets ---- */

static int sock_open(bool rx)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = g.ifindex,
				   .sll_protocol = htons(rx ? ETH_P_IP : 0) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, rx ? htons(ETH_P_IP) : 0);
	int one = 1, big = 32 << 20;

	if (fd < 0)
		die("socket(AF_PACKET): %s", strerror(errno));
	if (rx) {
#ifdef PACKET_IGNORE_OUTGOING
		(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
#endif
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	} else {
		(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) < 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind(AF_PACKET): %s", strerror(errno));
	return fd;
}

static void if_setup(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", g.ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
		die("interface %s not found", g.ifname);
	g.ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("no hardware address on %s", g.ifname);
	memcpy(g.my_mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	g.txfd = sock_open(false);
	g.rxfd = sock_open(true);
}

/* ---- one phase ---- */

static void phase_init(struct phase *ph, const char *name, uint8_t type, uint32_t n)
{
	uint64_t cap = 1;

	memset(ph, 0, sizeof(*ph));
	ph->name = name;
	ph->type = type;
	ph->n = n;
	while (cap < (uint64_t)n * 2 + g.window * 4)
		cap <<= 1;
	ph->st = calloc(n, 1);
	ph->reqid = calloc(n, sizeof(*ph->reqid));
	ph->gen = calloc(n, sizeof(*ph->gen));
	ph->sent_ns = calloc(n, sizeof(*ph->sent_ns));
	ph->fifo = calloc(cap, sizeof(*ph->fifo));
	ph->fifo_mask = cap - 1;
	if (!ph->st || !ph->reqid || !ph->gen || !ph->sent_ns || !ph->fifo)
		die("out of memory (%s)", name);
	for (uint32_t i = 0; i < n; i++)
		ph->reqid[i] = g.reqid0 + i;
}

static void phase_free(struct phase *ph)
{
	free(ph->st);
	free(ph->reqid);
	free(ph->gen);
	free(ph->sent_ns);
	free(ph->fifo);
}

struct txq {
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint8_t buf[BATCH][FRAME_MAX];
	unsigned int n;
};

static void txq_flush(struct txq *q)
{
	unsigned int off = 0;

	while (off < q->n) {
		int r = sendmmsg(g.txfd, q->msg + off, q->n - off, 0);

		if (r < 0) {
			if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) {
				struct pollfd p = { .fd = g.txfd, .events = POLLOUT };

				(void)poll(&p, 1, 1);
				continue;
			}
			die("sendmmsg: %s", strerror(errno));
		}
		off += (unsigned int)r;
	}
	q->n = 0;
}

static void phase_send(struct phase *ph, struct txq *q, uint32_t idx, uint64_t now)
{
	q->iov[q->n].iov_base = q->buf[q->n];
	q->iov[q->n].iov_len = frame_make(ph, idx, q->buf[q->n]);
	q->msg[q->n].msg_hdr = (struct msghdr){ .msg_iov = &q->iov[q->n], .msg_iovlen = 1 };
	q->n++;
	if (ph->st[idx] == ST_WAIT)
		ph->resent++;
	ph->st[idx] = ST_WAIT;
	ph->gen[idx]++;
	ph->sent_ns[idx] = now;
	ph->fifo[ph->tail++ & ph->fifo_mask] = (struct fifo_ent){ .idx = idx, .gen = ph->gen[idx] };
	ph->sent++;
	if (!ph->first_ns)
		ph->first_ns = now;
	if (q->n == BATCH)
		txq_flush(q);
}

static unsigned int lat_bucket(uint64_t ns)
{
	uint64_t us = ns / 1000;
	unsigned int b = 0;

	while (us > 1 && b < 63) {
		us >>= 1;
		b++;
	}
	return b;
}

/* A frame from the hub: a reply for one of our requests? */
static void phase_rx(struct phase *ph, const uint8_t *f, size_t len, uint64_t now,
		     uint32_t *outstanding, uint32_t *done)
{
	const struct ipv4_hdr *ip = (const struct ipv4_hdr *)(f + L3_OFF);
	const struct gre_key_hdr *gre = (const struct gre_key_hdr *)(f + GRE_OFF);
	uint8_t want = ph->type == NHRP_REGISTRATION_REQUEST ? NHRP_REGISTRATION_REPLY
							      : NHRP_RESOLUTION_REPLY;
	struct nhrp_msg m;
	uint32_t spoke, idx;
	const struct nhrp_cie *ce;

	g.rx_frames++;
	if (len < NHRP_OFF + NHRP_FIXED_LEN || ip->ver_ihl != 0x45 || ip->proto != 47 ||
	    gre->flags != htons(GRE_FLAG_KEY) || gre->proto != htons(GRE_PROTO_NHRP) ||
	    gre->key != htonl(g.key)) {
		g.rx_other++;
		return;
	}
	if (nhrp_parse(f + NHRP_OFF, len - NHRP_OFF, &m, NULL) < 0 || m.type != want) {
		ph->stray++;
		return;
	}
	spoke = ntohl(ip->dst) - g.nbma_base;
	if (spoke >= g.n) {
		ph->stray++;
		return;
	}
	/* request idx of this spoke: its request id says which */
	idx = m.reqid - g.reqid0;
	if (idx >= ph->n || idx % g.n != spoke) {
		ph->stray++;
		return;
	}
	if (ph->st[idx] != ST_WAIT) {
		ph->dup++;
		return;
	}
	ce = m.ncies ? &m.cies[0] : NULL;
	if (!ce || ce->code != NHRP_CIE_SUCCESS) {
		ph->refused++;
	} else if (ph->type == NHRP_RESOLUTION_REQUEST) {
		uint32_t want_nbma = htonl(g.nbma_base + (spoke + g.n / 2) % g.n), got;

		if (ce->nbma.len != 4)
			ph->wrong++;
		else if (memcpy(&got, ce->nbma.p, 4), got != want_nbma)
			ph->wrong++;
	}
	ph->st[idx] = ST_DONE;
	ph->replies++;
	ph->last_ns = now;
	ph->lat_hist[lat_bucket(now - ph->sent_ns[idx])]++;
	(*outstanding)--;
	(*done)++;
}

static int phase_run(struct phase *ph)
{
	static struct txq q;
	static uint8_t rbuf[BATCH][2048];
	struct mmsghdr rmsg[BATCH];
	struct iovec riov[BATCH];
	uint32_t next = 0, outstanding = 0, done = 0;
	uint64_t t0 = now_ns();

	for (unsigned int i = 0; i < BATCH; i++) {
		riov[i] = (struct iovec){ .iov_base = rbuf[i], .iov_len = sizeof(rbuf[i]) };
		rmsg[i].msg_hdr = (struct msghdr){ .msg_iov = &riov[i], .msg_iovlen = 1 };
	}
	while (done < ph->n) {
		uint64_t now = now_ns();
		int r;

		if (now - t0 > g.deadline_ns) {
			fprintf(stderr, "nhrp_load: %s: deadline: %u of %u done\n", ph->name, done, ph->n);
			return -1;
		}
		/* timeouts, oldest first: resend, same request id */
		while (ph->head != ph->tail) {
			struct fifo_ent e = ph->fifo[ph->head & ph->fifo_mask];

			if (ph->st[e.idx] != ST_WAIT || e.gen != ph->gen[e.idx]) {
				ph->head++;
				continue;
			}
			if (now - ph->sent_ns[e.idx] < g.timeout_ns)
				break;
			ph->head++;
			phase_send(ph, &q, e.idx, now);
		}
		while (outstanding < g.window && next < ph->n) {
			phase_send(ph, &q, next++, now);
			outstanding++;
		}
		txq_flush(&q);
		r = recvmmsg(g.rxfd, rmsg, BATCH, MSG_DONTWAIT, NULL);
		if (r < 0) {
			struct pollfd p = { .fd = g.rxfd, .events = POLLIN };

			if (errno != EAGAIN && errno != EINTR)
				die("recvmmsg: %s", strerror(errno));
			(void)poll(&p, 1, 1);
			continue;
		}
		now = now_ns();
		for (int i = 0; i < r; i++)
			phase_rx(ph, rbuf[i], rmsg[i].msg_len, now, &outstanding, &done);
	}
	return 0;
}

static uint64_t lat_pct(const struct phase *ph, double pct)
{
	uint64_t want = (uint64_t)((double)ph->replies * pct), acc = 0;

	for (unsigned int b = 0; b < 64; b++) {
		acc += ph->lat_hist[b];
		if (acc > want || (acc && acc == ph->replies))
			return 1ull << b;	/* upper bound of the bucket, us */
	}
	return 0;
}

static void phase_report(const struct phase *ph, int rc)
{
	double secs = ph->last_ns > ph->first_ns ? (double)(ph->last_ns - ph->first_ns) / 1e9 : 0;
	double rate = secs > 0 ? (double)ph->replies / secs : 0;

	printf("%s: %s %lu replies to %u requests in %.3f s: %.0f/s; sent %lu (%lu resent), "
	       "refused %lu, wrong %lu, duplicate %lu, stray %lu; latency p50 <= %lu us, "
	       "p99 <= %lu us\n",
	       ph->name, rc ? "INCOMPLETE" : "ok", (unsigned long)ph->replies, ph->n, secs, rate,
	       (unsigned long)ph->sent, (unsigned long)ph->resent, (unsigned long)ph->refused,
	       (unsigned long)ph->wrong, (unsigned long)ph->dup, (unsigned long)ph->stray,
	       (unsigned long)lat_pct(ph, 0.5), (unsigned long)lat_pct(ph, 0.99));
	if (g.json)
		printf("{\"phase\":\"%s\",\"ok\":%s,\"spokes\":%u,\"requests\":%u,\"replies\":%lu,"
		       "\"seconds\":%.6f,\"rate\":%.1f,\"sent\":%lu,\"resent\":%lu,\"refused\":%lu,"
		       "\"wrong\":%lu,\"duplicate\":%lu,\"stray\":%lu,\"window\":%u,"
		       "\"lat_p50_us\":%lu,\"lat_p99_us\":%lu}\n",
		       ph->name, rc ? "false" : "true", g.n, ph->n, (unsigned long)ph->replies, secs,
		       rate, (unsigned long)ph->sent, (unsigned long)ph->resent,
		       (unsigned long)ph->refused, (unsigned long)ph->wrong, (unsigned long)ph->dup,
		       (unsigned long)ph->stray, g.window, (unsigned long)lat_pct(ph, 0.5),
		       (unsigned long)lat_pct(ph, 0.99));
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nhrp_load -i IFACE --hub-mac MAC [options]\n"
		"  -n N               spokes (default 10000)\n"
		"  --phases reg,res   what to run (default both)\n"
		"  --resolutions M    resolution requests (default N)\n"
		"  --window W         outstanding requests at most (default 256)\n"
		"  --timeout-ms T     resend an unanswered request after T ms (default 1000)\n"
		"  --deadline-s S     give up a phase after S s (default 120)\n"
		"  --hub-nbma A       hub's NBMA address (default 192.0.2.1)\n"
		"  --hub-proto A      hub's tunnel address (default 10.0.0.1)\n"
		"  --nbma-base A      spoke 0's NBMA address (default 172.16.0.1)\n"
		"  --proto-base A     spoke 0's tunnel address (default 10.0.0.2)\n"
		"  --key K            GRE key (default 999)\n"
		"  --auth PW          NHRP password, \"\" for none (default nhrp-pwd)\n"
		"  --holdtime S       registration holdtime (default 7200)\n"
		"  --reqid R          first request id (default 1)\n"
		"  --json             also one JSON object per phase\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hub-mac", 1, NULL, 'm' }, { "phases", 1, NULL, 'p' },
		{ "resolutions", 1, NULL, 'r' }, { "window", 1, NULL, 'w' },
		{ "timeout-ms", 1, NULL, 't' }, { "deadline-s", 1, NULL, 'd' },
		{ "hub-nbma", 1, NULL, 'H' }, { "hub-proto", 1, NULL, 'P' },
		{ "nbma-base", 1, NULL, 'B' }, { "proto-base", 1, NULL, 'b' },
		{ "key", 1, NULL, 'k' }, { "auth", 1, NULL, 'a' }, { "holdtime", 1, NULL, 'h' },
		{ "reqid", 1, NULL, 'q' }, { "json", 0, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};
	bool have_mac = false;
	struct phase ph;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "i:n:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': g.ifname = optarg; break;
		case 'n': g.n = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'm': mac_arg(optarg, g.hub_mac); have_mac = true; break;
		case 'p':
			g.do_reg = strstr(optarg, "reg") != NULL;
			g.do_res = strstr(optarg, "res") != NULL;
			break;
		case 'r': g.res_count = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'w': g.window = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': g.timeout_ns = strtoull(optarg, NULL, 0) * 1000000ull; break;
		case 'd': g.deadline_ns = strtoull(optarg, NULL, 0) * 1000000000ull; break;
		case 'H': g.hub_nbma = ip_arg(optarg); break;
		case 'P': g.hub_proto = ip_arg(optarg); break;
		case 'B': g.nbma_base = ip_arg(optarg); break;
		case 'b': g.proto_base = ip_arg(optarg); break;
		case 'k': g.key = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'a': g.auth = optarg; break;
		case 'h': g.holdtime = (uint16_t)strtoul(optarg, NULL, 0); break;
		case 'q': g.reqid0 = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'j': g.json = true; break;
		default: usage();
		}
	}
	if (!g.ifname || !have_mac || g.n < 2 || g.window == 0)
		usage();
	if (!g.res_count)
		g.res_count = g.n;
	if (strlen(g.auth) > 8)
		die("password '%s' longer than 8", g.auth);
	if_setup();
	tmpl_reg();
	tmpl_res();
	if (g.do_reg) {
		phase_init(&ph, "registration", NHRP_REGISTRATION_REQUEST, g.n);
		rc |= phase_run(&ph);
		phase_report(&ph, rc);
		rc |= ph.refused || ph.wrong ? 1 : 0;
		phase_free(&ph);
	}
	if (g.do_res && !rc) {
		phase_init(&ph, "resolution", NHRP_RESOLUTION_REQUEST, g.res_count);
		rc |= phase_run(&ph);
		phase_report(&ph, rc);
		rc |= ph.refused || ph.wrong ? 1 : 0;
		phase_free(&ph);
	}
	close(g.txfd);
	close(g.rxfd);
	return rc ? 1 : 0;
}
