/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What esp_bench and rte_ipsec_bench share, so that both time the same
 * packets the same way: the TSC read, median [min-max] of runs, the TSC
 * rate, and the clear packet (IPv4 proto 47 with a valid checksum, GRE,
 * counting bytes).
 */
#ifndef DMVPN_BENCH_UTIL_H
#define DMVPN_BENCH_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

static inline uint64_t tsc(void)
{
	_mm_lfence();
	return __rdtsc();
}

static inline int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, min, max;
};

/* Sorts v. */
static inline struct stat3 stats(uint64_t *v, unsigned int n, double div)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return (struct stat3){ v[n / 2] / div, v[0] / div, v[n - 1] / div };
}

/* TSC ticks per second over 200 ms of CLOCK_MONOTONIC. */
static inline double tsc_hz(void)
{
	struct timespec a, c;
	uint64_t t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = tsc();
	do
		clock_gettime(CLOCK_MONOTONIC, &c);
	while ((c.tv_sec - a.tv_sec) * 1e9 + (c.tv_nsec - a.tv_nsec) < 2e8);
	t1 = tsc();
	return (t1 - t0) / ((c.tv_sec - a.tv_sec) + (c.tv_nsec - a.tv_nsec) / 1e9);
}

/* The IPv4 header checksum of p, recomputed. */
static inline void ip_csum_fix(uint8_t *p)
{
	uint32_t sum = 0;

	p[10] = p[11] = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
}

/* len octets: IPv4 (proto 47) + GRE + counting bytes. */
static inline void make_clear(uint8_t *p, unsigned int len)
{
	static const uint8_t hdr[28] = {
		0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 255, 47, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2,
		0x20, 0, 0x08, 0, 0, 0, 0, 42,
	};

	memcpy(p, hdr, sizeof(hdr));
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	for (unsigned int i = 28; i < len; i++)
		p[i] = (uint8_t)i;
	ip_csum_fix(p);
}

#endif
