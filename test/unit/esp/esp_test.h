/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers of the ESP engine unit tests. */
#ifndef DMVPN_TEST_ESP_H
#define DMVPN_TEST_ESP_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp.h"
#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_thread.h"
#include "shm.h"

Suite *replay_suite(void);
Suite *esp_sa_suite(void);
Suite *esp_kat_suite(void);
Suite *esp_roundtrip_suite(void);
Suite *esp_tamper_suite(void);

/* One context for the whole test process (created in main). */
extern struct esp_ctx *et_ctx;

/* ESP_TEST_LIGHT set (the valgrind run): the exhaustive loops sample
 * instead (every 7th bit flipped, a tenth of the random traffic). */
unsigned int et_stride(void);

/* A packet buffer: data starts ET_HEAD octets in. */
#define ET_HEAD 128
#define ET_BUF 2048
struct et_buf {
	uint8_t mem[ET_BUF];
};

/* Deterministic SA configuration: keys are a function of `seed`. */
void et_cfg(struct shm_sa *c, uint8_t cipher, uint8_t integ, uint8_t key_len,
	    uint8_t mode, uint32_t flags, uint32_t spi, uint8_t seed);

/* Outbound + inbound SA pair from one configuration (flags minus INBOUND). */
void et_pair(struct esp_sa *out, struct esp_sa *in, const struct shm_sa *c);

/* IPv4 (proto 47, DF) + GRE with key + `payload` octets of pattern; the
 * packet is written at b->mem + ET_HEAD, returns its length. */
unsigned int et_gre_packet(struct et_buf *b, unsigned int payload, uint8_t fill);

/* Point p at b's packet of len octets with all the room the buffer has. */
void et_pkt(struct esp_pkt *p, struct et_buf *b, unsigned int len, struct esp_sa *sa);

/* Point p at bytes copied into b at ET_HEAD. */
void et_pkt_copy(struct esp_pkt *p, struct et_buf *b, const uint8_t *data,
		 unsigned int len, struct esp_sa *sa);

/* IPv4 header checksum is valid. */
bool et_ip_csum_ok(const uint8_t *ip);

/* 64-bit-safe allocation of a 64-byte aligned SA (freed with et_free). */
struct esp_sa *et_sa_alloc(unsigned int n);
void et_free(void *p);

#endif
