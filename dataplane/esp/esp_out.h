/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP encryption in place (RFC 4303 3.3), for the egress stage.
 *
 * Input: esp_pkt.data = an IPv4 packet.  Transport mode (the DMVPN default,
 * outer IPv4 + GRE + inner): the ESP header goes after the IPv4 header,
 * next header = the IPv4 protocol (47).  Tunnel mode: a new outer IPv4
 * header (SA local -> remote, TTL 64, TOS and DF copied from the packet) is
 * prepended, next header 4.  SA_F_UDP_ENCAP adds an 8-octet UDP header
 * (SA ports, checksum 0, RFC 3948 2.1) after the outer IPv4 header.
 *
 * Output: data moved back by esp_sa_headroom() octets, len grown by that
 * plus padding (RFC 4303 2.4: 1, 2, 3, ... to the cipher block, at least 4),
 * the 2-octet trailer and the ICV; IPv4 total length, protocol and
 * checksum fixed.  Room: ESP_HEADROOM_MAX (52) in front and
 * ESP_TAILROOM_MAX (33) behind always suffice.
 *
 * Sequence numbers (RFC 4303 3.3.3): 64-bit; on the wire the low 32 bits;
 * with ESN the high 32 bits enter the ICV (HMAC: appended after the
 * trailer, RFC 4303 2.2.1) or the AAD (GCM, RFC 4106 5).  Without ESN the
 * SA stops at 2^32 - 1: ESP_E_SEQ_OVERFLOW for every later packet (raise
 * SA_EV_HARD / rekey).  The explicit IV: AES-CBC / DES / 3DES take it from
 * the thread's generator (esp_iv.h); AES-GCM uses seq ^ a random per-SA mask
 * (unique for the key, RFC 4106 3.1).
 */
#ifndef DMVPN_ESP_OUT_H
#define DMVPN_ESP_OUT_H

#include <stdatomic.h>
#include <stdint.h>

#include "esp.h"

struct esp_ctx;

/* Encrypt n packets in bursts of ESP_BURST_MAX submitted together to
 * intel-ipsec-mb.  Returns how many succeeded; each packet has .err. */
unsigned int esp_encrypt_burst(struct esp_ctx *ctx, struct esp_pkt *pkts, unsigned int n);

/* One packet (tests); returns pkt->err. */
int esp_encrypt(struct esp_ctx *ctx, struct esp_pkt *pkt);

/*
 * Next sequence number from a counter several workers share (for example
 * &shm_sa.seq_out holding the last number used): a relaxed atomic fetch-add,
 * unique per call.  With SA-to-worker affinity leave esp_pkt.seq at 0 and
 * the SA's own counter is bumped with a plain increment instead.  Measured
 * with esp_bench on the development VM (2 vCPUs, loaded): plain increment
 * of a counter in memory 6-10 cycles, esp_seq_next() (lock xadd) 16-27
 * uncontended and 30-54 with the other vCPU hammering the same counter; a
 * worker pair on two physical cores or sockets pays more (the line moves).
 * Per packet that is noise next to GCM's ~60 cycles at 64 octets, though
 * it makes both workers write the SA's line.  The data plane uses this
 * shared counter for every outbound SA (dataplane/esp_out.c, punt.c): RSS
 * spreads one peer's LAN flows over the workers, and the main lcore sends
 * NHRP with the same SA.
 */
static inline uint64_t esp_seq_next(_Atomic uint64_t *ctr)
{
	return atomic_fetch_add_explicit(ctr, 1, memory_order_relaxed) + 1;
}

/* The first of k consecutive numbers (k > 0), all unique to the caller:
 * one atomic operation for a run of packets of one SA. */
static inline uint64_t esp_seq_take(_Atomic uint64_t *ctr, uint32_t k)
{
	return atomic_fetch_add_explicit(ctr, k, memory_order_relaxed) + 1;
}

#endif
