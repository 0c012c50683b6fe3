/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp_bench: TSC cycles per packet of the ESP engine, bursts of 32.
 *
 *   esp_bench [-r RUNS] [-b BURSTS] [-s SIZE]... [-a ALG]...
 *
 * For each algorithm, packet size (the IPv4 packet handed to the encryptor:
 * outer IPv4 + GRE + inner) and SA count (1, or 10 000 spread over the burst
 * to put the SA records and key schedules under cache pressure):
 *   enc    esp_encrypt_burst() of 32 transport-mode packets
 *   dec    esp_decrypt_burst() of the same 32 (anti-replay on)
 *   raw    intel-ipsec-mb alone on the same buffers and lengths, through the
 *          API the engine uses (GCM: the direct gcmNNN_enc/dec calls; CBC +
 *          HMAC: the burst API without job checks, fields set as a minimal
 *          user would): the cost without our framing, so enc - raw is our
 *          overhead
 * Each figure is the median of RUNS runs (min-max after it), a run being
 * BURSTS bursts; only the calls are timed (rdtsc around each burst), the
 * plaintext is restored between bursts outside the timed region.
 * Not a test: run by hand on an idle core (taskset -c N).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include <intel-ipsec-mb.h>

#include "bench_util.h"
#include "esp.h"
#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_thread.h"
#include "shm.h"

#define BURST 32
#define ROOM 128
#define BUF (ROOM + 1500 + ROOM)
#define MAX_SAS 10000

struct alg {
	const char *name;
	uint8_t cipher, integ, klen, ilen;
};

static const struct alg algs[] = {
	{ "aes-gcm-128", SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, 0 },
	{ "aes-gcm-256", SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 32, 0 },
	{ "aes-cbc-128+sha1", SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, 20 },
	{ "aes-cbc-128+sha256", SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 16, 32 },
};

struct bench {
	struct esp_ctx *ctx;
	IMB_MGR *mgr;			/* for the raw figures */
	struct esp_sa *out, *in;	/* MAX_SAS each */
	uint32_t *sa_of;		/* SA of each packet slot, per burst */
	alignas(64) uint8_t buf[BURST][BUF];
	uint8_t clear[1500];
	unsigned int runs, bursts;
};

static int make_sas(struct bench *b, const struct alg *a, unsigned int n)
{
	struct shm_sa c;

	for (unsigned int i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.spi = 0x1000 + i;
		c.cipher = a->cipher;
		c.integ = a->integ;
		c.cipher_key_len = a->klen;
		c.integ_key_len = a->ilen;
		for (unsigned int k = 0; k < SA_KEY_MAX; k++)
			c.cipher_key[k] = (uint8_t)(i * 3 + k);
		for (unsigned int k = 0; k < SA_AUTH_KEY_MAX; k++)
			c.integ_key[k] = (uint8_t)(i * 5 + k);
		c.salt = 0x04030201;
		if (esp_sa_init(&b->out[i], &c))
			return -1;
		c.flags = SA_F_INBOUND;
		if (esp_sa_init(&b->in[i], &c))
			return -1;
	}
	return 0;
}

static void set_pkts(struct bench *b, struct esp_pkt *p, unsigned int len, unsigned int burst,
		     unsigned int nsa, bool inbound)
{
	for (int i = 0; i < BURST; i++) {
		uint32_t s = nsa == 1 ? 0 : b->sa_of[(burst * BURST + (unsigned int)i) % MAX_SAS];

		if (!inbound) {
			memcpy(b->buf[i] + ROOM, b->clear, len);
			memset(&p[i], 0, sizeof(p[i]));
			p[i].data = b->buf[i] + ROOM;
			p[i].len = len;
			p[i].headroom = ROOM;
			p[i].tailroom = BUF - ROOM - len;
			p[i].sa = &b->out[s];
		} else {
			p[i].sa = &b->in[s];
			p[i].seq = 0;
		}
	}
}

/* One run of our engine: cycles of the encrypt and decrypt calls. */
static void run_engine(struct bench *b, unsigned int len, unsigned int nsa, uint64_t *enc,
		       uint64_t *dec)
{
	struct esp_pkt p[BURST];

	*enc = *dec = 0;
	for (unsigned int k = 0; k < b->bursts; k++) {
		uint64_t t0, t1, t2;

		set_pkts(b, p, len, k, nsa, false);
		t0 = tsc();
		if (esp_encrypt_burst(b->ctx, p, BURST) != BURST)
			abort();
		t1 = tsc();
		set_pkts(b, p, len, k, nsa, true);
		t2 = tsc();
		if (esp_decrypt_burst(b->ctx, p, BURST) != BURST)
			abort();
		*dec += tsc() - t2;
		*enc += t1 - t0;
	}
}

/* The same bursts through intel-ipsec-mb alone. */
static void raw_job(IMB_JOB *job, const struct esp_sa *sa, uint8_t *esp, unsigned int ct,
		    bool decrypt, uint8_t *tag, uint8_t *nonce)
{
	const struct esp_sa_hot *h = &sa->hot;
	unsigned int hdr = ESP_HDR_LEN + h->iv_len;

	job->cipher_direction = decrypt ? IMB_DIR_DECRYPT : IMB_DIR_ENCRYPT;
	job->chain_order = decrypt ? IMB_ORDER_HASH_CIPHER : IMB_ORDER_CIPHER_HASH;
	job->key_len_in_bytes = h->key_len;
	job->src = esp;
	job->dst = esp + hdr;
	job->cipher_start_src_offset_in_bytes = hdr;
	job->msg_len_to_cipher_in_bytes = ct;
	job->auth_tag_output = tag;
	job->auth_tag_output_len_in_bytes = h->icv_len;
	if (h->cipher == SA_CIPHER_AES_GCM16) {
		job->cipher_mode = IMB_CIPHER_GCM;
		job->hash_alg = IMB_AUTH_AES_GMAC;
		job->enc_keys = job->dec_keys = &h->keys.gcm;
		job->iv = nonce;
		job->iv_len_in_bytes = 12;
		job->hash_start_src_offset_in_bytes = hdr;
		job->msg_len_to_hash_in_bytes = ct;
		job->u.GCM.aad = esp;
		job->u.GCM.aad_len_in_bytes = 8;
		return;
	}
	job->cipher_mode = IMB_CIPHER_CBC;
	job->hash_alg = h->integ == SA_INTEG_HMAC_SHA1_96 ? IMB_AUTH_HMAC_SHA_1 : IMB_AUTH_HMAC_SHA_256;
	job->enc_keys = job->dec_keys = h->keys.cbc.aes;
	job->iv = esp + ESP_HDR_LEN;
	job->iv_len_in_bytes = 16;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = hdr + ct;
	job->u.HMAC._hashed_auth_key_xor_ipad = h->keys.cbc.ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = h->keys.cbc.opad;
}

/* GCM: the direct API, packet after packet (what the engine uses). */
static uint64_t run_raw_gcm(struct bench *b, unsigned int len, unsigned int nsa, unsigned int k,
			    bool decrypt)
{
	static uint8_t tag[16], nonce[16];
	unsigned int ct = (len - 20 + 2 + 3) & ~3u;
	uint64_t t0 = tsc();

	for (int i = 0; i < BURST; i++) {
		uint32_t s = nsa == 1 ? 0 : b->sa_of[(k * BURST + (unsigned int)i) % MAX_SAS];
		const struct esp_sa_hot *h = decrypt ? &b->in[s].hot : &b->out[s].hot;
		uint8_t *c = b->buf[i] + ROOM + 20;
		struct gcm_context_data ctx;

		if (h->key_len == 16 && decrypt)
			IMB_AES128_GCM_DEC(b->mgr, &h->keys.gcm, &ctx, c, c, ct, nonce, c - 16, 8, tag, 16);
		else if (h->key_len == 16)
			IMB_AES128_GCM_ENC(b->mgr, &h->keys.gcm, &ctx, c, c, ct, nonce, c - 16, 8, tag, 16);
		else if (decrypt)
			IMB_AES256_GCM_DEC(b->mgr, &h->keys.gcm, &ctx, c, c, ct, nonce, c - 16, 8, tag, 16);
		else
			IMB_AES256_GCM_ENC(b->mgr, &h->keys.gcm, &ctx, c, c, ct, nonce, c - 16, 8, tag, 16);
	}
	return tsc() - t0;
}

static uint64_t run_raw_once(struct bench *b, unsigned int len, unsigned int nsa, unsigned int k,
			     bool decrypt)
{
	static uint8_t tags[BURST][32], nonce[16];
	IMB_JOB *jobs[BURST];
	const struct esp_sa *sa0 = &b->out[0];
	unsigned int block = sa0->hot.cipher == SA_CIPHER_AES_GCM16 ? 4 : 16;
	unsigned int ct = (len - 20 + 2 + block - 1) & ~(block - 1), left = BURST, n;
	uint64_t t0;

	if (sa0->hot.cipher == SA_CIPHER_AES_GCM16)
		return run_raw_gcm(b, len, nsa, k, decrypt);
	t0 = tsc();
	if (IMB_GET_NEXT_BURST(b->mgr, BURST, jobs) != BURST)
		abort();
	for (int i = 0; i < BURST; i++) {
		uint32_t s = nsa == 1 ? 0 : b->sa_of[(k * BURST + (unsigned int)i) % MAX_SAS];

		const struct esp_sa *sa = decrypt ? &b->in[s] : &b->out[s];
		/* the ciphertext where the engine has it (transport mode): same alignment */
		uint8_t *esp = b->buf[i] + ROOM + 20 - ESP_HDR_LEN - sa->hot.iv_len;

		raw_job(jobs[i], sa, esp, ct, decrypt, tags[i], nonce);
	}
	n = IMB_SUBMIT_BURST_NOCHECK(b->mgr, BURST, jobs);
	for (left -= n; left; left -= n)
		if (!(n = IMB_FLUSH_BURST(b->mgr, left, jobs)))
			abort();
	return tsc() - t0;
}

static void run_raw(struct bench *b, unsigned int len, unsigned int nsa, uint64_t *enc, uint64_t *dec)
{
	*enc = *dec = 0;
	for (unsigned int k = 0; k < b->bursts; k++) {
		*enc += run_raw_once(b, len, nsa, k, false);
		*dec += run_raw_once(b, len, nsa, k, true);
	}
}

static void bench_one(struct bench *b, const struct alg *a, unsigned int len, unsigned int nsa)
{
	uint64_t *v = calloc(4 * b->runs, sizeof(*v));
	double div = (double)b->bursts * BURST;
	struct stat3 s[4];

	run_engine(b, len, nsa, &v[0], &v[1]);	/* warm-up */
	for (unsigned int r = 0; r < b->runs; r++) {
		run_engine(b, len, nsa, &v[r], &v[b->runs + r]);
		run_raw(b, len, nsa, &v[2 * b->runs + r], &v[3 * b->runs + r]);
	}
	for (int i = 0; i < 4; i++)
		s[i] = stats(v + i * b->runs, b->runs, div);
	printf("%-19s %5u %6u | %7.1f [%6.1f-%7.1f] | %7.1f [%6.1f-%7.1f] | %7.1f %7.1f | %+6.1f %+6.1f | %+6.1f %+6.1f\n",
	       a->name, len, nsa, s[0].med, s[0].min, s[0].max, s[1].med, s[1].min, s[1].max,
	       s[2].med, s[3].med, s[0].med - s[2].med, s[1].med - s[3].med,
	       s[0].min - s[2].min, s[1].min - s[3].min);
	fflush(stdout);
	free(v);
}

static _Atomic uint64_t seq_shared;

static void *seq_hammer(void *arg)
{
	uint64_t n = (uint64_t)(uintptr_t)arg;

	for (uint64_t i = 0; i < n; i++)
		(void)esp_seq_next(&seq_shared);
	return NULL;
}

/* Cost of the sequence counter: plain increment vs esp_seq_next(),
 * uncontended and with a second thread on the other core. */
static void bench_seq(void)
{
	enum { N = 50000000 };
	static _Atomic uint64_t actr;
	static volatile uint64_t plain;
	uint64_t t0, t1, t2;

	t0 = tsc();
	for (int i = 0; i < N; i++)
		plain = plain + 1;
	t1 = tsc();
	for (int i = 0; i < N; i++)
		(void)esp_seq_next(&actr);
	t2 = tsc();
	printf("sequence counter: plain increment (in memory) %.2f cycles, esp_seq_next (lock xadd) "
	       "%.2f cycles uncontended", (double)(t1 - t0) / N, (double)(t2 - t1) / N);
	{
		pthread_t th;
		uint64_t t3, t4;

		if (pthread_create(&th, NULL, seq_hammer, (void *)(uintptr_t)(N / 5)) == 0) {
			t3 = tsc();
			seq_hammer((void *)(uintptr_t)(N / 5));
			t4 = tsc();
			pthread_join(th, NULL);
			printf(", %.2f cycles with a second thread hammering the same counter",
			       (double)(t4 - t3) / (N / 5));
		}
	}
	printf("\n");
}

static int bench_init(struct bench *b)
{
	b->out = aligned_alloc(64, MAX_SAS * sizeof(struct esp_sa));
	b->in = aligned_alloc(64, MAX_SAS * sizeof(struct esp_sa));
	b->sa_of = malloc(MAX_SAS * sizeof(uint32_t));
	b->mgr = alloc_mb_mgr(0);
	if (!b->out || !b->in || !b->sa_of || !b->mgr || esp_thread_init(&b->ctx))
		return -1;
	init_mb_mgr_auto(b->mgr, NULL);
	/* a random order over the SAs: every burst touches 32 cold ones */
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

int main(int argc, char **argv)
{
	static struct bench b = { .runs = 7, .bursts = 2000 };
	unsigned int sizes[8] = { 64, 570, 1420 }, n_sizes = 3, n_user = 0;
	const char *only[8];
	unsigned int n_only = 0;
	int c;

	while ((c = getopt(argc, argv, "r:b:s:a:")) != -1) {
		if (c == 'r')
			b.runs = (unsigned int)atoi(optarg);
		else if (c == 'b')
			b.bursts = (unsigned int)atoi(optarg);
		else if (c == 's' && n_user < 8)
			sizes[n_user++] = (unsigned int)atoi(optarg);
		else if (c == 'a' && n_only < 8)
			only[n_only++] = optarg;
		else
			return fprintf(stderr, "usage: esp_bench [-r runs] [-b bursts] [-s size]... [-a alg]...\n"), 2;
	}
	if (n_user)
		n_sizes = n_user;
	if (b.runs < 1 || bench_init(&b))
		return 1;
	printf("intel-ipsec-mb %s, arch %s, TSC %.3f GHz, burst %d, %u runs x %u bursts\n",
	       imb_get_version_str(), esp_thread_arch(b.ctx), tsc_hz() / 1e9, BURST, b.runs, b.bursts);
	bench_seq();
	printf("%-19s %5s %6s | %-24s | %-24s | %-15s | %-13s | %s\n", "algorithm", "bytes", "SAs",
	       "enc cyc/pkt med [min-max]", "dec cyc/pkt med [min-max]", "raw enc  dec", "ours-raw med",
	       "ours-raw min");
	for (unsigned int ai = 0; ai < sizeof(algs) / sizeof(algs[0]); ai++) {
		bool want = !n_only;

		for (unsigned int k = 0; k < n_only; k++)
			want |= !strcmp(only[k], algs[ai].name);
		if (!want)
			continue;
		if (make_sas(&b, &algs[ai], MAX_SAS))
			return 1;
		for (unsigned int si = 0; si < n_sizes; si++) {
			make_clear(b.clear, sizes[si]);
			bench_one(&b, &algs[ai], sizes[si], 1);
			bench_one(&b, &algs[ai], sizes[si], MAX_SAS);
		}
	}
	esp_thread_fini(b.ctx);
	return 0;
}
