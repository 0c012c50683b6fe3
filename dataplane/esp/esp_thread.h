/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-thread context of the ESP engine (one per worker lcore, owned by it,
 * like l3fwd's lcore_conf): an intel-ipsec-mb manager, the CBC IV generator
 * and the scratch of one burst.  Never shared between threads.
 */
#ifndef DMVPN_ESP_THREAD_H
#define DMVPN_ESP_THREAD_H

#include <stdbool.h>

struct esp_ctx;

/*
 * Allocate a context: an intel-ipsec-mb manager in our own memory
 * (imb_set_pointers_mb_mgr(), so fini can wipe it) set up with
 * init_mb_mgr_auto() (the best architecture the CPU has: AVX-512 with
 * VAES/VPCLMULQDQ on Ice Lake and later), and seed its IV generator.  Call it on the thread that will use the
 * context (first touch puts the memory on its NUMA node).  0 or -errno.
 */
int esp_thread_init(struct esp_ctx **ctx) __attribute__((warn_unused_result));

/* Wipe (IV key and pool) and free. */
void esp_thread_fini(struct esp_ctx *ctx);

/*
 * Have intel-ipsec-mb validate every job before running it (IMB_SUBMIT_BURST
 * instead of IMB_SUBMIT_BURST_NOCHECK).  Off by default (it costs ~35 cycles
 * a packet); the unit tests turn it on so a job we build wrong shows up as
 * ESP_E_CRYPTO instead of going unnoticed.
 */
void esp_thread_validate(struct esp_ctx *ctx, bool on);

/* The intel-ipsec-mb code path in use: "sse", "avx", "avx2", "avx512", ... */
const char *esp_thread_arch(const struct esp_ctx *ctx);

#endif
