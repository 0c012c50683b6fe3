/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * esp_tool: the ESP engine on the command line, for interop tests.
 * Reads one hex IPv4 packet per line on stdin, encrypts or decrypts them all
 * as bursts with one SA, writes one line per packet: the hex result, or
 * "ERR <esp-error-name>".
 *
 *   esp_tool encrypt|decrypt --cipher gcm|cbc|null|des|3des --key HEX
 *            [--integ none|sha1|sha256|md5 --auth-key HEX] --spi N
 *            [--mode transport|tunnel] [--udp SPORT:DPORT] [--esn]
 *            [--local A.B.C.D --remote A.B.C.D] [--seq N] [--window N]
 *            [--no-replay] [--iv HEX]
 *
 * GCM keys are RFC 4106 KEYMAT: key || 4-octet salt.  --seq: outbound, the
 * last number used (the first packet gets N + 1); inbound, the highest
 * number already received (ESN inference starts from it).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp.h"
#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_thread.h"
#include "shm.h"

#define TOOL_MAX_PKTS 4096
#define TOOL_ROOM 128

struct tool {
	struct shm_sa cfg;
	bool decrypt;
	uint64_t seq;
	struct esp_sa_test test;
};

static int hex2bin(const char *h, uint8_t *out, size_t cap)
{
	size_t n = strlen(h);

	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

static int lookup(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (names[i] && !strcmp(s, names[i]))
			return i;
	return -1;
}

static const char *const ciphers[] = {
	[SA_CIPHER_NULL] = "null", [SA_CIPHER_AES_CBC] = "cbc", [SA_CIPHER_AES_GCM16] = "gcm",
	[SA_CIPHER_DES_CBC] = "des", [SA_CIPHER_3DES_CBC] = "3des",
};
static const char *const integs[] = {
	[SA_INTEG_NONE] = "none", [SA_INTEG_HMAC_SHA1_96] = "sha1",
	[SA_INTEG_HMAC_SHA256_128] = "sha256", [SA_INTEG_HMAC_MD5_96] = "md5",
};

static int usage(void)
{
	fprintf(stderr, "usage: esp_tool encrypt|decrypt --cipher C --key HEX [--integ I --auth-key HEX]\n"
			"  --spi N [--mode transport|tunnel] [--udp S:D] [--esn] [--local IP --remote IP]\n"
			"  [--seq N] [--window N] [--no-replay] [--iv HEX]\n");
	return 2;
}

static int parse_key(struct tool *t, const char *hex)
{
	uint8_t k[SA_KEY_MAX + 4];
	int n = hex2bin(hex, k, sizeof(k));

	if (n < 0)
		return -1;
	if (t->cfg.cipher == SA_CIPHER_AES_GCM16) {	/* KEYMAT = key || salt */
		if (n < 4)
			return -1;
		n -= 4;
		memcpy(&t->cfg.salt, k + n, 4);
	}
	if (n > SA_KEY_MAX)
		return -1;
	memcpy(t->cfg.cipher_key, k, (size_t)n);
	t->cfg.cipher_key_len = (uint8_t)n;
	return 0;
}

static int parse_opt(struct tool *t, int c, const char *arg)
{
	int n;

	switch (c) {
	case 'c':
		n = lookup(arg, ciphers, 5);
		t->cfg.cipher = (uint8_t)n;
		return n < 0 ? -1 : 0;
	case 'k':
		return parse_key(t, arg);
	case 'i':
		n = lookup(arg, integs, 4);
		t->cfg.integ = (uint8_t)n;
		return n < 0 ? -1 : 0;
	case 'a':
		n = hex2bin(arg, t->cfg.integ_key, SA_AUTH_KEY_MAX);
		t->cfg.integ_key_len = (uint8_t)n;
		return n < 0 ? -1 : 0;
	case 's':
		t->cfg.spi = (uint32_t)strtoul(arg, NULL, 0);
		return 0;
	case 'm':
		t->cfg.mode = !strcmp(arg, "tunnel") ? SA_MODE_TUNNEL : SA_MODE_TRANSPORT;
		return 0;
	case 'u':
		t->cfg.flags |= SA_F_UDP_ENCAP;
		return sscanf(arg, "%hu:%hu", &t->cfg.sport, &t->cfg.dport) == 2 ? 0 : -1;
	case 'e':
		t->cfg.flags |= SA_F_ESN;
		return 0;
	case 'L':
		return inet_pton(AF_INET, arg, &t->cfg.local) == 1 ? 0 : -1;
	case 'R':
		return inet_pton(AF_INET, arg, &t->cfg.remote) == 1 ? 0 : -1;
	case 'q':
		t->seq = strtoull(arg, NULL, 0);
		return 0;
	case 'w':
		t->cfg.replay_window = (uint16_t)strtoul(arg, NULL, 0);
		return 0;
	case 'n':
		t->cfg.flags |= SA_F_NO_REPLAY;
		return 0;
	case 'v':
		t->test.what |= ESP_TEST_IV;
		return hex2bin(arg, t->test.iv, sizeof(t->test.iv)) < 0 ? -1 : 0;
	}
	return -1;
}

static int parse_args(struct tool *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cipher", 1, NULL, 'c' }, { "key", 1, NULL, 'k' }, { "integ", 1, NULL, 'i' },
		{ "auth-key", 1, NULL, 'a' }, { "spi", 1, NULL, 's' }, { "mode", 1, NULL, 'm' },
		{ "udp", 1, NULL, 'u' }, { "esn", 0, NULL, 'e' }, { "local", 1, NULL, 'L' },
		{ "remote", 1, NULL, 'R' }, { "seq", 1, NULL, 'q' }, { "window", 1, NULL, 'w' },
		{ "no-replay", 0, NULL, 'n' }, { "iv", 1, NULL, 'v' }, { NULL, 0, NULL, 0 },
	};
	int c;

	if (argc < 2)
		return -1;
	if (!strcmp(argv[1], "decrypt"))
		t->decrypt = true;
	else if (strcmp(argv[1], "encrypt"))
		return -1;
	t->cfg.state = SHM_SLOT_USED;
	t->cfg.flags = SA_F_LEGACY | (t->decrypt ? SA_F_INBOUND : 0);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (parse_opt(t, c, optarg) < 0)
			return -1;
	return 0;
}

/* Read every line into its own buffer with room on both sides. */
static unsigned int read_packets(struct esp_pkt *pkts, struct esp_sa *sa)
{
	static char line[2 * 70000];
	unsigned int n = 0;

	while (n < TOOL_MAX_PKTS && fgets(line, sizeof(line), stdin)) {
		size_t l = strcspn(line, "\r\n");
		uint8_t *buf;
		int len;

		line[l] = 0;
		if (!l)
			continue;
		buf = malloc(TOOL_ROOM + l / 2 + TOOL_ROOM);
		if (!buf)
			exit(1);
		len = hex2bin(line, buf + TOOL_ROOM, l / 2);
		memset(&pkts[n], 0, sizeof(pkts[n]));
		pkts[n].data = buf + TOOL_ROOM;
		pkts[n].len = len < 0 ? 0 : (uint32_t)len;
		pkts[n].headroom = TOOL_ROOM;
		pkts[n].tailroom = TOOL_ROOM;
		pkts[n].sa = sa;
		n++;
	}
	return n;
}

static void write_packets(struct esp_pkt *pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (pkts[i].err) {
			printf("ERR %s\n", esp_err_name(pkts[i].err));
		} else {
			for (uint32_t j = 0; j < pkts[i].len; j++)
				printf("%02x", pkts[i].data[j]);
			printf("\n");
		}
		free(pkts[i].data - pkts[i].headroom);
	}
}

int main(int argc, char **argv)
{
	static struct esp_pkt pkts[TOOL_MAX_PKTS];
	alignas(64) static struct esp_sa sa;
	struct esp_ctx *ctx;
	struct tool t = { 0 };
	unsigned int n;
	int err;

	if (parse_args(&t, argc, argv))
		return usage();
	err = esp_sa_init(&sa, &t.cfg);
	if (err) {
		fprintf(stderr, "esp_tool: SA refused: %s\n", strerror(-err));
		return 1;
	}
	if (t.seq)
		esp_sa_set_seq(&sa, t.seq);
	esp_sa_test_set(&sa, &t.test);
	if (esp_thread_init(&ctx)) {
		fprintf(stderr, "esp_tool: no intel-ipsec-mb manager\n");
		return 1;
	}
	n = read_packets(pkts, &sa);
	if (t.decrypt)
		esp_decrypt_burst(ctx, pkts, n);
	else
		esp_encrypt_burst(ctx, pkts, n);
	write_packets(pkts, n);
	esp_thread_fini(ctx);
	esp_sa_wipe(&sa);
	return 0;
}
