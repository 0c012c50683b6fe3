/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP decryption in place (RFC 4303 3.4), for the ingress stage.
 *
 * Order, per RFC 4303 3.4: parse (esp_in_parse: the caller looks the SA up
 * by SPI), sequence number check against the anti-replay window BEFORE any
 * cryptography (3.4.3), ICV verification with the decryption in the same
 * ipsec-mb job (3.4.4: a packet that fails is dropped, its plaintext never
 * returned), the window updated only after the ICV verified, then the
 * padding (1, 2, 3, ... RFC 4303 2.4), the next header (GRE in transport
 * mode, IPv4 in tunnel mode, esp_sa_set_next_header()).
 *
 * Output: transport mode, the outer IPv4 header moved up to the decrypted
 * payload, its protocol = next header, total length and checksum fixed (any
 * UDP header of RFC 3948 dropped with the ESP framing); tunnel mode, the
 * inner packet as decrypted (its own total length may be shorter than .len
 * with TFC padding, RFC 4303 2.7: the caller's IPv4 checks trim it).
 *
 * Every read and write stays inside data[0, len); the outer IPv4 checksum
 * is the classifier's job and is not checked again.
 */
#ifndef DMVPN_ESP_IN_H
#define DMVPN_ESP_IN_H

#include <stdbool.h>
#include <stdint.h>

#include "esp.h"

struct esp_ctx;

/* What the caller needs for the SA lookup, from esp_in_parse(). */
struct esp_in_info {
	uint32_t spi;		/* host order */
	uint32_t seq;		/* low 32 bits as received */
	uint32_t dst;		/* outer destination, network order */
	uint16_t ihl;		/* outer IPv4 header octets */
	uint16_t esp_off;	/* ESP header, from the start of the packet */
	uint16_t esp_len;	/* ESP header to the end of the ICV */
	bool udp;		/* RFC 3948 UDP-encapsulated */
};

/*
 * Validate the framing of a received packet, IPv4 (proto 50, or 17 with a
 * UDP header and a non-zero SPI where RFC 3948 2.2 puts the non-ESP marker).
 * ESP_OK, ESP_E_TRUNCATED or ESP_E_NOT_ESP (other protocol, IKE on 4500,
 * NAT keepalive, fragment).  Pure; reads nothing outside data[0, len).
 */
int esp_in_parse(const uint8_t *data, uint32_t len, struct esp_in_info *info);

/* Decrypt n packets (pkts[i].sa = the caller's lookup, NULL if none) in
 * bursts of ESP_BURST_MAX.  Returns how many succeeded; each has .err.  A
 * refused packet's bytes are undefined (it may have been decrypted in place
 * before its ICV was compared): drop it, do not punt or capture it. */
unsigned int esp_decrypt_burst(struct esp_ctx *ctx, struct esp_pkt *pkts, unsigned int n);

/* One packet (tests); returns pkt->err. */
int esp_decrypt(struct esp_ctx *ctx, struct esp_pkt *pkt);

#endif
