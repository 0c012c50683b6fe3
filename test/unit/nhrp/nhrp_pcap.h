/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helpers: read NHRP out of a capture (Ethernet [802.1Q] / IPv4 / GRE
 * 0x2001, keyed or not, or IP protocol 54) and write NHRP into one
 * (Ethernet / IPv4 / GRE with key).
 */
#ifndef DMVPN_TEST_NHRP_PCAP_H
#define DMVPN_TEST_NHRP_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NHRP_FRAME_MAX 2048

struct nhrp_frame {
	uint8_t data[NHRP_FRAME_MAX];	/* the NHRP bytes, up to the IP length */
	size_t len;
	uint8_t ip_proto;		/* 47 (GRE) or 54 (NHRP in IP) */
	bool gre_key_present;
	uint32_t gre_key;
};

/* Frames carrying NHRP, in capture order; count or -1 (message on stderr). */
int nhrp_pcap_load(const char *path, struct nhrp_frame *frames, size_t max);

/* $DMVPN_TESTDATA/rel (the meson test sets DMVPN_TESTDATA). */
const char *nhrp_testdata(const char *rel, char *buf, size_t size);

struct nhrp_pcap_writer;
struct nhrp_pcap_writer *nhrp_pcap_create(const char *path);
/* One frame: Ethernet / IPv4 (src, dst network order) / GRE key / NHRP. */
int nhrp_pcap_write(struct nhrp_pcap_writer *w, uint32_t src, uint32_t dst, uint32_t key,
		    const uint8_t *nhrp, size_t len);
void nhrp_pcap_close(struct nhrp_pcap_writer *w);

#endif
