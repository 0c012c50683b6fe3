/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test/fuzz/fuzz_esp.c without libFuzzer: deterministic seeds (GRE packets
 * of many sizes, IPv4 options, fragments, odd lengths) and random mutations
 * of them through every mode of the harness, under ASan/UBSan when the
 * compiler has them.
 *
 *   fuzz_esp_run [-n ITERATIONS] [-s SEED]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FR_MAX 1700

/* IPv4 (options: ihl - 5 words of NOP) + GRE with key + payload */
static size_t fr_seed(uint8_t *b, unsigned int payload, unsigned int ihl, int frag)
{
	size_t hl = ihl * 4u, len = hl + 8 + payload;

	memset(b, 0, len);
	b[0] = (uint8_t)(0x40 | ihl);
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[6] = frag ? 0x20 : 0x40;
	b[8] = 64;
	b[9] = 47;
	memcpy(b + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	memset(b + 20, 1, hl - 20);
	memcpy(b + hl, "\x20\x00\x08\x00\x00\x00\x00\x2a", 8);
	for (unsigned int i = 0; i < payload; i++)
		b[hl + 8 + i] = (uint8_t)i;
	return len;
}

static size_t fr_mutate(uint8_t *b, size_t len)
{
	int n = 1 + random() % 6;

	while (n--) {
		size_t at = len ? (size_t)random() % len : 0;

		switch (random() % 6) {
		case 0:
			if (len)
				b[at] ^= (uint8_t)(1u << (random() % 8));
			break;
		case 1:
			if (len)
				b[at] = (uint8_t)random();
			break;
		case 2:
			len = len ? (size_t)random() % len : 0;	/* truncate */
			break;
		case 3:
			while (len < FR_MAX && random() % 4)
				b[len++] = (uint8_t)random();	/* extend */
			break;
		case 4:
			if (len > 4) {				/* IPv4 total length */
				b[2] = (uint8_t)random();
				b[3] = (uint8_t)random();
			}
			break;
		default:
			if (len > 1)				/* IHL / version */
				b[0] = (uint8_t)random();
			break;
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	static uint8_t in[2 + FR_MAX], seeds[64][FR_MAX];
	static size_t seed_len[64];
	unsigned long iters = 100000, seed = 4303;
	unsigned int ns = 0;
	int c;

	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		if (c == 'n')
			iters = strtoul(optarg, NULL, 0);
		else if (c == 's')
			seed = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	for (unsigned int p = 0; p < 1500 && ns < 60; p += 1 + p / 3, ns++) {
		unsigned int ihl = ns % 5 == 0 ? 5 + ns % 11 : 5;	/* some with options */

		seed_len[ns] = fr_seed(seeds[ns], p, ihl, ns % 7 == 0);
	}
	srandom((unsigned int)seed);
	for (unsigned long i = 0; i < iters; i++) {
		unsigned int k = (unsigned int)random() % ns;
		size_t len = seed_len[k];

		in[0] = (uint8_t)random();
		in[1] = (uint8_t)random();
		memcpy(in + 2, seeds[k], len);
		if (random() % 3)
			len = fr_mutate(in + 2, len);
		LLVMFuzzerTestOneInput(in, len + 2);
	}
	printf("fuzz_esp_run: %lu inputs, seed %lu, no failure\n", iters, seed);
	return 0;
}
