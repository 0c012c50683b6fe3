/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adjacency rewrite: the outer IPv4 header and GRE header (with key) that
 * the data plane prepends to every packet sent to a peer, prebuilt once per
 * adjacency as IOS CEF does.  Total length and identification are zero in the
 * template and the checksum covers the template, so the data plane only adds
 * the per-packet fields (seed 000, Example 7-17):
 *
 *   4500000000000000FF2FA74109010182 0901010A20000800000003E7
 *   ver/ihl tos len  id   frag ttl proto csum  src 9.1.1.130
 *   dst 9.1.1.10   GRE K, proto IPv4, key 999
 */
#ifndef DMVPN_REWRITE_H
#define DMVPN_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REWRITE_TTL 255		/* IOS tunnel default */

/* Build IPv4(src -> dst, TTL 255, proto 47) + GRE(proto, key if has_key)
 * into out; returns the length (24 or 28) or 0 if cap is too small. */
size_t adj_rewrite_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst,
			 bool has_key, uint32_t key, uint16_t gre_proto);

/* Upper-case hex, 16 bytes per line, as IOS prints it. */
void adj_rewrite_hex(const uint8_t *rw, size_t len, char *out, size_t cap);

#endif
