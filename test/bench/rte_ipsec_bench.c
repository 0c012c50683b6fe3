/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rte_ipsec_bench: TSC cycles per packet of DPDK's librte_ipsec in CPU-crypto
 * mode (RTE_SECURITY_ACTION_TYPE_CPU_CRYPTO), bursts of 32: the other side
 * of issue 5's measurement, next to esp_bench (our engine).
 *
 *   rte_ipsec_bench [-r RUNS] [-b BURSTS] [-s SIZE]... [-v VDEV] [-N] [-A] [-1]
 *
 * AES-GCM-128 (RFC 4106), transport mode, inbound anti-replay window 1024,
 * no ESN, on the crypto_aesni_gcm PMD (-v crypto_aesni_mb0 for the
 * multi-buffer one; DPDK 22.11's vdev names).  Same packets as esp_bench: SIZE is the IPv4 packet
 * handed to the encryptor (outer IPv4 + GRE + inner), so the cipher gets
 * SIZE - 20 + padding + 2 octets on both sides; the same keys, salt, SA
 * counts (1, or 10 000 in the same shuffled order spread over the burst)
 * and mbuf data alignment (the IPv4 header 128 octets into a cache-aligned
 * buffer).
 *   enc    rte_ipsec_pkt_cpu_prepare() + rte_ipsec_pkt_process() on the
 *          outbound sessions (prepare runs rte_cryptodev_sym_cpu_crypto_process
 *          inside), packets grouped by SA the way ipsec-secgw does
 *          (consecutive packets of one SA: 1 group of 32, or 32 of 1)
 *   dec    the same on the inbound sessions, on the packets enc produced
 * Only those calls are timed; the plaintext and the mbufs are restored
 * between bursts outside the timed region.  Median of RUNS runs, min-max
 * after it, a run being BURSTS bursts.
 *   ours   esp_bench's enc / dec figures (esp_encrypt_burst /
 *          esp_decrypt_burst, same code as its run_engine), in runs that
 *          alternate with rte_ipsec's: on a shared machine the noise then
 *          hits both alike, and the median of the per-run ratios rte/ours
 *          holds better than either figure.  esp_bench, run on its own,
 *          stays the reference figure for our engine.
 *
 * Correctness, before any figure is printed: once per size our engine's
 * ESP (esp_encrypt) decrypts with rte_ipsec; once per configuration
 * rte_ipsec's ESP decrypts with our engine (esp_decrypt_burst) and with
 * rte_ipsec's inbound SA, both giving back the plaintext octet for octet
 * (rte_ipsec's output: but for the IPv4 checksum, see same_as_clear()).
 *
 * EAL: --no-pci --in-memory --file-prefix=rte-ipsec-bench-<pid>, one lcore
 * (the first CPU of the affinity mask: run under taskset -c N), the
 * sessions and mbufs on huge pages; -N: --no-huge --no-shconf instead, all
 * on 4 KiB pages like esp_bench's records (the rte_ipsec SA objects are
 * malloc'ed either way).
 * -A sets RTE_IPSEC_SAFLAG_SQN_ATOM (sequence numbers safe with several
 * writers).  -1 calls prepare + process once per packet even when the
 * burst has one SA: the per-call cost with hot caches, to tell it from the
 * cache misses of the 10 000 SA rows.  Not a test: run by hand on an idle
 * core.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <rte_cryptodev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ipsec.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_version.h>

#include "bench_util.h"
#include "esp.h"
#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_thread.h"
#include "shm.h"

#define BURST 32
#define MAX_SAS 10000
#define KEY_LEN 16
#define SALT 0x04030201u	/* as esp_bench: memory order on both sides */
#define WINDOW 1024
#define ROOM 128		/* as esp_bench and RTE_PKTMBUF_HEADROOM */

struct bench {
	uint8_t dev;
	struct rte_mempool *mbufs, *sess;
	/* rte_ipsec: SA objects (sa_sz octets each) and their sessions */
	uint8_t *sa_out, *sa_in;
	size_t sz_out, sz_in;
	struct rte_ipsec_session *ss_out, *ss_in;
	/* our engine, same keys: the cross-check */
	struct esp_ctx *ctx;
	struct esp_sa *our_out, *our_in;	/* our_in: decrypts rte_ipsec's ESP */
	struct esp_sa *our_in2;			/* decrypts our own (the -O runs) */
	alignas(64) uint8_t buf[BURST][ROOM + 1500 + ROOM];	/* our engine's packets */
	uint32_t *sa_of;		/* shuffled SA order, as esp_bench */
	struct rte_mbuf *mb[BURST];
	uint8_t clear[1500];
	unsigned int runs, bursts;
	uint64_t sa_flags;
};

/* esp_bench's key for SA i */
static void sa_key(uint8_t *k, unsigned int i)
{
	for (unsigned int j = 0; j < KEY_LEN; j++)
		k[j] = (uint8_t)(i * 3 + j);
}

static int rsa_init(struct bench *b, unsigned int i, bool inbound)
{
	struct rte_crypto_sym_xform xf = {
		.type = RTE_CRYPTO_SYM_XFORM_AEAD,
		.aead = {
			.op = inbound ? RTE_CRYPTO_AEAD_OP_DECRYPT : RTE_CRYPTO_AEAD_OP_ENCRYPT,
			.algo = RTE_CRYPTO_AEAD_AES_GCM,
			.key = { .length = KEY_LEN },
			.iv = { .offset = 0, .length = 12 },	/* unused by CPU crypto */
			.digest_length = 16,
			.aad_length = 8,			/* SPI + sequence */
		},
	};
	struct rte_ipsec_sa_prm prm;
	struct rte_ipsec_session *ss = inbound ? &b->ss_in[i] : &b->ss_out[i];
	struct rte_ipsec_sa *sa = (struct rte_ipsec_sa *)(inbound ? b->sa_in + i * b->sz_in
								   : b->sa_out + i * b->sz_out);
	uint8_t key[KEY_LEN];
	int rc;

	sa_key(key, i);
	xf.aead.key.data = key;
	memset(&prm, 0, sizeof(prm));
	prm.flags = b->sa_flags;
	prm.ipsec_xform.spi = 0x1000 + i;
	prm.ipsec_xform.salt = SALT;
	prm.ipsec_xform.direction = inbound ? RTE_SECURITY_IPSEC_SA_DIR_INGRESS
					    : RTE_SECURITY_IPSEC_SA_DIR_EGRESS;
	prm.ipsec_xform.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	prm.ipsec_xform.mode = RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT;
	prm.ipsec_xform.replay_win_sz = inbound ? WINDOW : 0;
	prm.crypto_xform = &xf;
	/* transport mode: the IP version of the packet (not the next header:
	 * librte_ipsec accepts any next header inbound; ours wants GRE) */
	prm.trs.proto = IPPROTO_IPIP;
	rc = rte_ipsec_sa_init(sa, &prm, (uint32_t)(inbound ? b->sz_in : b->sz_out));
	if (rc < 0)
		return fprintf(stderr, "rte_ipsec_sa_init %u: %d\n", i, rc), -1;
	memset(ss, 0, sizeof(*ss));
	ss->sa = sa;
	ss->type = RTE_SECURITY_ACTION_TYPE_CPU_CRYPTO;
	ss->crypto.dev_id = b->dev;
	ss->crypto.ses = rte_cryptodev_sym_session_create(b->dev, &xf, b->sess);
	explicit_bzero(key, sizeof(key));
	if (!ss->crypto.ses)
		return fprintf(stderr, "session %u: %s\n", i, rte_strerror(rte_errno)), -1;
	rc = rte_ipsec_session_prepare(ss);
	if (rc)
		return fprintf(stderr, "rte_ipsec_session_prepare %u: %d\n", i, rc), -1;
	return 0;
}

static int our_init(struct bench *b, unsigned int i)
{
	struct shm_sa c;

	memset(&c, 0, sizeof(c));
	c.spi = 0x1000 + i;
	c.cipher = SA_CIPHER_AES_GCM16;
	c.integ = SA_INTEG_NONE;
	c.cipher_key_len = KEY_LEN;
	sa_key(c.cipher_key, i);
	c.salt = SALT;
	c.replay_window = WINDOW;
	if (esp_sa_init(&b->our_out[i], &c))
		return -1;
	c.flags = SA_F_INBOUND;
	if (esp_sa_init(&b->our_in[i], &c))
		return -1;
	return esp_sa_init(&b->our_in2[i], &c) ? -1 : 0;
}

static int dev_init(struct bench *b, const char *vdev)
{
	struct rte_cryptodev_config conf = { .socket_id = (int)rte_socket_id(), .nb_queue_pairs = 1 };
	struct rte_cryptodev_qp_conf qp = { .nb_descriptors = 128 };
	struct rte_cryptodev_info info;
	int id = rte_cryptodev_get_dev_id(vdev);

	if (id < 0)
		return fprintf(stderr, "no cryptodev %s\n", vdev), -1;
	b->dev = (uint8_t)id;
	rte_cryptodev_info_get(b->dev, &info);
	if (!(info.feature_flags & RTE_CRYPTODEV_FF_SYM_CPU_CRYPTO))
		return fprintf(stderr, "%s: no CPU crypto\n", vdev), -1;
	b->sess = rte_cryptodev_sym_session_pool_create("ripsec_sess", 2 * MAX_SAS + 64,
			rte_cryptodev_sym_get_private_session_size(b->dev), 0, 0, conf.socket_id);
	b->mbufs = rte_pktmbuf_pool_create("ripsec_mbuf", 2 * BURST + 63, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, conf.socket_id);
	if (!b->sess || !b->mbufs)
		return fprintf(stderr, "pools: %s\n", rte_strerror(rte_errno)), -1;
	qp.mp_session = b->sess;
	if (rte_cryptodev_configure(b->dev, &conf) ||
	    rte_cryptodev_queue_pair_setup(b->dev, 0, &qp, conf.socket_id) ||
	    rte_cryptodev_start(b->dev))
		return fprintf(stderr, "%s: cannot start\n", vdev), -1;
	printf("cryptodev %s (driver %s), private session %u octets\n", vdev, info.driver_name,
	       rte_cryptodev_sym_get_private_session_size(b->dev));
	return 0;
}

static int bench_init(struct bench *b, const char *vdev)
{
	struct rte_crypto_sym_xform xf = {
		.type = RTE_CRYPTO_SYM_XFORM_AEAD,
		.aead = { .algo = RTE_CRYPTO_AEAD_AES_GCM, .key = { .length = KEY_LEN },
			  .digest_length = 16, .aad_length = 8 },
	};
	struct rte_ipsec_sa_prm prm;
	int sz;

	if (dev_init(b, vdev) || rte_pktmbuf_alloc_bulk(b->mbufs, b->mb, BURST))
		return -1;
	memset(&prm, 0, sizeof(prm));
	prm.flags = b->sa_flags;
	prm.ipsec_xform.proto = RTE_SECURITY_IPSEC_SA_PROTO_ESP;
	prm.ipsec_xform.mode = RTE_SECURITY_IPSEC_SA_MODE_TRANSPORT;
	prm.trs.proto = IPPROTO_IPIP;
	prm.crypto_xform = &xf;
	prm.ipsec_xform.direction = RTE_SECURITY_IPSEC_SA_DIR_EGRESS;
	sz = rte_ipsec_sa_size(&prm);
	b->sz_out = (size_t)RTE_ALIGN_CEIL(sz, RTE_CACHE_LINE_SIZE);
	prm.ipsec_xform.direction = RTE_SECURITY_IPSEC_SA_DIR_INGRESS;
	prm.ipsec_xform.replay_win_sz = WINDOW;
	sz = rte_ipsec_sa_size(&prm);
	b->sz_in = (size_t)RTE_ALIGN_CEIL(sz, RTE_CACHE_LINE_SIZE);
	b->sa_out = aligned_alloc(64, MAX_SAS * b->sz_out);
	b->sa_in = aligned_alloc(64, MAX_SAS * b->sz_in);
	b->ss_out = aligned_alloc(64, MAX_SAS * sizeof(*b->ss_out));
	b->ss_in = aligned_alloc(64, MAX_SAS * sizeof(*b->ss_in));
	b->our_out = aligned_alloc(64, MAX_SAS * sizeof(struct esp_sa));
	b->our_in = aligned_alloc(64, MAX_SAS * sizeof(struct esp_sa));
	b->our_in2 = aligned_alloc(64, MAX_SAS * sizeof(struct esp_sa));
	b->sa_of = malloc(MAX_SAS * sizeof(uint32_t));
	if (!b->sa_out || !b->sa_in || !b->ss_out || !b->ss_in || !b->our_out || !b->our_in || !b->our_in2 ||
	    !b->sa_of || esp_thread_init(&b->ctx))
		return -1;
	for (unsigned int i = 0; i < MAX_SAS; i++)
		if (rsa_init(b, i, false) || rsa_init(b, i, true) || our_init(b, i))
			return -1;
	printf("rte_ipsec SA objects: outbound %zu, inbound %zu octets\n", b->sz_out, b->sz_in);
	/* esp_bench's order: every burst touches 32 cold SAs */
	for (uint32_t i = 0; i < MAX_SAS; i++)
		b->sa_of[i] = i;
	srandom(1);
	for (uint32_t i = MAX_SAS - 1; i > 0; i--) {
		uint32_t j = (uint32_t)random() % (i + 1), t = b->sa_of[i];

		b->sa_of[i] = b->sa_of[j];
		b->sa_of[j] = t;
	}
	return 0;
}

static uint32_t slot_sa(const struct bench *b, unsigned int nsa, unsigned int burst, int i)
{
	return nsa == 1 ? 0 : b->sa_of[(burst * BURST + (unsigned int)i) % MAX_SAS];
}

/* A fresh plaintext packet in each mbuf: outside the timed region. */
static void reset_pkts(struct bench *b, unsigned int len)
{
	for (int i = 0; i < BURST; i++) {
		struct rte_mbuf *m = b->mb[i];

		m->data_off = RTE_PKTMBUF_HEADROOM;
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		m->nb_segs = 1;
		m->next = NULL;
		m->ol_flags = 0;
		m->packet_type = RTE_PTYPE_L3_IPV4;
		m->l2_len = 0;
		m->l3_len = 20;
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), b->clear, len);
	}
}

/*
 * What an rte_ipsec user does with a burst: group consecutive packets of
 * one SA (ipsec-secgw's sa_group), then per group prepare (which runs the
 * CPU crypto) and process.  Returns the packets that came through.
 */
/* -1: one packet per call even with 1 SA (the per-call cost, hot caches) */
static int group_max = BURST;

static unsigned int ripsec_burst(struct rte_ipsec_session *ss, const uint32_t *sa,
				 struct rte_mbuf **mb)
{
	unsigned int ok = 0;

	for (int i = 0, j; i < BURST; i = j) {
		struct rte_ipsec_session *s = &ss[sa[i]];
		uint16_t k;

		for (j = i + 1; j < BURST && j - i < group_max && sa[j] == sa[i]; j++)
			;
		k = rte_ipsec_pkt_cpu_prepare(s, mb + i, (uint16_t)(j - i));
		ok += rte_ipsec_pkt_process(s, mb + i, k);
	}
	return ok;
}

/*
 * The decrypted packet must be the plaintext octet for octet, except, with
 * csum false, the IPv4 header checksum: librte_ipsec changes the total
 * length and protocol in transport mode but leaves the checksum to the
 * caller (ipsec-secgw recomputes it or asks the NIC); our engine fixes it.
 */
static bool same_as_clear(const struct bench *b, const uint8_t *p, unsigned int n,
			  unsigned int len, bool csum, const char *what)
{
	unsigned int bad = 0;

	if (n != len) {
		fprintf(stderr, "FAIL %s: %u octets back, %u expected\n", what, n, len);
		return false;
	}
	for (unsigned int i = 0; i < len; i++) {
		if (p[i] == b->clear[i] || (!csum && (i == 10 || i == 11)))
			continue;
		if (!bad++)
			fprintf(stderr, "FAIL %s: content differs\n", what);
		fprintf(stderr, "  octet %u: %02x, expected %02x\n", i, p[i], b->clear[i]);
	}
	return !bad;
}

/*
 * Burst k of a configuration with every check: rte_ipsec encrypts, our
 * engine decrypts a copy, rte_ipsec decrypts the original.  Called once per
 * configuration before the timed runs (it is burst 0's traffic).
 */
static bool check_rte_to_ours(struct bench *b, unsigned int len, unsigned int nsa, unsigned int k)
{
	static alignas(64) uint8_t copy[BURST][2048];
	struct esp_pkt p[BURST];
	uint32_t sa[BURST];
	bool good = true;

	for (int i = 0; i < BURST; i++)
		sa[i] = slot_sa(b, nsa, k, i);
	reset_pkts(b, len);
	if (ripsec_burst(b->ss_out, sa, b->mb) != BURST)
		return fprintf(stderr, "FAIL rte_ipsec encrypt: %s\n", rte_strerror(rte_errno)), false;
	for (int i = 0; i < BURST; i++) {
		struct rte_mbuf *m = b->mb[i];

		memcpy(copy[i] + 128, rte_pktmbuf_mtod(m, uint8_t *), m->pkt_len);
		/* what an rte_ipsec user (or the NIC) does before sending */
		ip_csum_fix(copy[i] + 128);
		memset(&p[i], 0, sizeof(p[i]));
		p[i].data = copy[i] + 128;
		p[i].len = m->pkt_len;
		p[i].headroom = 128;
		p[i].tailroom = (uint16_t)(sizeof(copy[i]) - 128 - m->pkt_len);
		p[i].sa = &b->our_in[sa[i]];
	}
	if (esp_decrypt_burst(b->ctx, p, BURST) != BURST)
		good = !fprintf(stderr, "FAIL our engine on rte_ipsec's ESP: %s\n",
				esp_err_name(p[0].err));
	for (int i = 0; good && i < BURST; i++)
		good = same_as_clear(b, p[i].data, p[i].len, len, true,
				     "our decryption of rte_ipsec");
	if (ripsec_burst(b->ss_in, sa, b->mb) != BURST)
		return fprintf(stderr, "FAIL rte_ipsec decrypt: %s\n", rte_strerror(rte_errno)), false;
	for (int i = 0; good && i < BURST; i++)
		good = same_as_clear(b, rte_pktmbuf_mtod(b->mb[i], uint8_t *), b->mb[i]->pkt_len, len,
				     false, "rte_ipsec decryption of its own");
	return good;
}

/*
 * The other direction, once per size: our engine encrypts with SA 0's
 * outbound record, a fresh rte_ipsec inbound SA keyed like SA 0 decrypts
 * (fresh, so the benchmark's inbound windows are not disturbed).
 */
static bool check_ours_to_rte(struct bench *b, unsigned int len)
{
	static alignas(64) uint8_t buf[2048];
	struct rte_ipsec_session ss = { 0 }, *keep_ss = b->ss_in;
	uint8_t *keep_sa = b->sa_in, *sa = aligned_alloc(64, b->sz_in);
	struct rte_mbuf *m = b->mb[0];
	struct esp_pkt p = { .data = buf + 128, .len = len, .headroom = 128 };
	bool good = false;

	if (!sa)
		return false;
	/* rsa_init() builds SA 0 at index 0 of these */
	b->ss_in = &ss;
	b->sa_in = sa;
	if (rsa_init(b, 0, true))
		goto out;
	memcpy(p.data, b->clear, len);
	p.tailroom = (uint16_t)(sizeof(buf) - 128 - len);
	p.sa = &b->our_out[0];
	if (esp_encrypt(b->ctx, &p) != ESP_OK) {
		fprintf(stderr, "FAIL our encryption: %s\n", esp_err_name(p.err));
		goto out;
	}
	reset_pkts(b, len);
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), p.data, p.len);
	m->data_len = (uint16_t)p.len;
	m->pkt_len = p.len;
	if (rte_ipsec_pkt_cpu_prepare(&ss, &m, 1) != 1 || rte_ipsec_pkt_process(&ss, &m, 1) != 1) {
		fprintf(stderr, "FAIL rte_ipsec on our ESP: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	good = same_as_clear(b, rte_pktmbuf_mtod(m, uint8_t *), m->pkt_len, len, false,
			     "rte_ipsec decryption of ours");
out:
	if (ss.crypto.ses)
		rte_cryptodev_sym_session_free(b->dev, ss.crypto.ses);
	b->ss_in = keep_ss;
	b->sa_in = keep_sa;
	free(sa);
	return good;
}

static void run_rte(struct bench *b, unsigned int len, unsigned int nsa, uint64_t *enc,
		    uint64_t *dec)
{
	uint32_t sa[BURST];

	*enc = *dec = 0;
	for (unsigned int k = 0; k < b->bursts; k++) {
		uint64_t t0, t1, t2;

		for (int i = 0; i < BURST; i++)
			sa[i] = slot_sa(b, nsa, k, i);
		reset_pkts(b, len);
		t0 = tsc();
		if (ripsec_burst(b->ss_out, sa, b->mb) != BURST)
			abort();
		t1 = tsc();
		if (ripsec_burst(b->ss_in, sa, b->mb) != BURST)
			abort();
		t2 = tsc();
		*enc += t1 - t0;
		*dec += t2 - t1;
	}
}

/* esp_bench's run_engine(): our engine on the same packets and SAs. */
static void set_ours(struct bench *b, struct esp_pkt *p, unsigned int len, unsigned int k,
		     unsigned int nsa, bool inbound)
{
	for (int i = 0; i < BURST; i++) {
		uint32_t s = slot_sa(b, nsa, k, i);

		if (!inbound) {
			memcpy(b->buf[i] + ROOM, b->clear, len);
			memset(&p[i], 0, sizeof(p[i]));
			p[i].data = b->buf[i] + ROOM;
			p[i].len = len;
			p[i].headroom = ROOM;
			p[i].tailroom = (uint16_t)(sizeof(b->buf[i]) - ROOM - len);
			p[i].sa = &b->our_out[s];
		} else {
			p[i].sa = &b->our_in2[s];
			p[i].seq = 0;
		}
	}
}

static void run_ours(struct bench *b, unsigned int len, unsigned int nsa, uint64_t *enc,
		     uint64_t *dec)
{
	struct esp_pkt p[BURST];

	*enc = *dec = 0;
	for (unsigned int k = 0; k < b->bursts; k++) {
		uint64_t t0, t1, t2;

		set_ours(b, p, len, k, nsa, false);
		t0 = tsc();
		if (esp_encrypt_burst(b->ctx, p, BURST) != BURST)
			abort();
		t1 = tsc();
		set_ours(b, p, len, k, nsa, true);
		t2 = tsc();
		if (esp_decrypt_burst(b->ctx, p, BURST) != BURST)
			abort();
		*dec += tsc() - t2;
		*enc += t1 - t0;
	}
}

/*
 * Runs of the two engines alternate (ours, rte_ipsec, ours, ...) so that
 * whatever else the shared machine does hits both alike; besides each
 * engine's median [min-max], the median of the per-run ratios rte/ours.
 */
static bool bench_one(struct bench *b, unsigned int len, unsigned int nsa)
{
	unsigned int n = b->runs;
	uint64_t *v = calloc(6 * n, sizeof(*v));	/* rte enc, dec, ours enc, dec, ratios */
	double div = (double)b->bursts * BURST;
	struct stat3 s[6];

	if (!v || !check_rte_to_ours(b, len, nsa, 0))
		return false;
	run_ours(b, len, nsa, &v[0], &v[1]);	/* warm-up */
	run_rte(b, len, nsa, &v[0], &v[1]);
	for (unsigned int r = 0; r < n; r++) {
		run_ours(b, len, nsa, &v[2 * n + r], &v[3 * n + r]);
		run_rte(b, len, nsa, &v[r], &v[n + r]);
		/* ratios in thousandths, sorted like the rest */
		v[4 * n + r] = v[r] * 1000 / v[2 * n + r];
		v[5 * n + r] = v[n + r] * 1000 / v[3 * n + r];
	}
	for (int i = 0; i < 4; i++)
		s[i] = stats(v + i * n, n, div);
	s[4] = stats(v + 4 * n, n, 1000);
	s[5] = stats(v + 5 * n, n, 1000);
	printf("%5u %6u | enc %7.1f [%6.1f-%7.1f] %7.1f [%6.1f-%7.1f] %5.2f | "
	       "dec %7.1f [%6.1f-%7.1f] %7.1f [%6.1f-%7.1f] %5.2f\n",
	       len, nsa, s[0].med, s[0].min, s[0].max, s[2].med, s[2].min, s[2].max, s[4].med,
	       s[1].med, s[1].min, s[1].max, s[3].med, s[3].min, s[3].max, s[5].med);
	fflush(stdout);
	free(v);
	return true;
}

static int eal_start(const char *vdev, bool huge)
{
	char prefix[64], vd[64], lc[16];
	char *argv[16];
	int argc = 0, cpu = 0;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set))
			cpu++;
	snprintf(prefix, sizeof(prefix), "--file-prefix=rte-ipsec-bench-%d", (int)getpid());
	snprintf(vd, sizeof(vd), "--vdev=%s", vdev);
	snprintf(lc, sizeof(lc), "%d", cpu);
	argv[argc++] = "rte_ipsec_bench";
	argv[argc++] = "--no-pci";
	/* EAL refuses --in-memory with --no-huge; --no-shconf is its half
	 * that still applies (nothing goes to hugetlbfs without huge pages) */
	argv[argc++] = huge ? "--in-memory" : "--no-shconf";
	argv[argc++] = prefix;
	argv[argc++] = vd;
	argv[argc++] = "-l";
	argv[argc++] = lc;
	argv[argc++] = "--log-level=lib.eal:error";
	if (!huge) {
		argv[argc++] = "--no-huge";
		argv[argc++] = "-m";
		argv[argc++] = "512";
	}
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

int main(int argc, char **argv)
{
	static struct bench b = { .runs = 7, .bursts = 2000 };
	unsigned int sizes[8] = { 64, 570, 1420 }, n_sizes = 3, n_user = 0;
	const char *vdev = "crypto_aesni_gcm0";
	bool huge = true, ok = true;
	int c;

	while ((c = getopt(argc, argv, "r:b:s:v:NA1")) != -1) {
		if (c == 'r')
			b.runs = (unsigned int)atoi(optarg);
		else if (c == 'b')
			b.bursts = (unsigned int)atoi(optarg);
		else if (c == 's' && n_user < 8)
			sizes[n_user++] = (unsigned int)atoi(optarg);
		else if (c == 'v')
			vdev = optarg;
		else if (c == 'N')
			huge = false;
		else if (c == '1')
			group_max = 1;
		else if (c == 'A')
			b.sa_flags |= RTE_IPSEC_SAFLAG_SQN_ATOM;
		else
			return fprintf(stderr, "usage: rte_ipsec_bench [-r runs] [-b bursts] [-s size]... "
				       "[-v vdev] [-N] [-A] [-1]\n"), 2;
	}
	if (n_user)
		n_sizes = n_user;
	for (unsigned int i = 0; i < n_sizes; i++)
		if (sizes[i] < 28 || sizes[i] > 1460)
			return fprintf(stderr, "size %u: 28 to 1460\n", sizes[i]), 2;
	if (b.runs < 1 || b.bursts < 1)
		return 2;
	if (eal_start(vdev, huge) < 0)
		return fprintf(stderr, "EAL: %s\n", rte_strerror(rte_errno)), 1;
	if (bench_init(&b, vdev))
		return rte_eal_cleanup(), 1;
	printf("DPDK %s, librte_ipsec CPU crypto, lcore %u, %s pages, SQN_ATOM %s, TSC %.3f GHz, "
	       "burst %d%s, %u runs x %u bursts\n", rte_version(), rte_lcore_id(),
	       huge ? "huge" : "4 KiB", b.sa_flags ? "on" : "off", tsc_hz() / 1e9, BURST,
	       group_max == 1 ? " (one packet per rte_ipsec call)" : "", b.runs,
	       b.bursts);
	printf("aes-gcm-128, all packets checked (see the top); cycles/packet med [min-max] of\n"
	       "rte_ipsec, then of our engine in alternate runs, then rte/ours (median of run ratios)\n");
	printf("%5s %6s |     %-22s %-22s %5s |     %-22s %-22s %5s\n", "bytes", "SAs",
	       "rte_ipsec", "ours", "ratio", "rte_ipsec", "ours", "ratio");
	for (unsigned int si = 0; ok && si < n_sizes; si++) {
		make_clear(b.clear, sizes[si]);
		ok = check_ours_to_rte(&b, sizes[si]) && bench_one(&b, sizes[si], 1) &&
		     bench_one(&b, sizes[si], MAX_SAS);
	}
	esp_thread_fini(b.ctx);
	rte_cryptodev_stop(b.dev);
	rte_eal_cleanup();
	return ok ? 0 : 1;
}
