/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One NHRP packet of every type 1..8 built with nhrp_build(), wrapped in
 * Ethernet / IPv4 / GRE key 42 and written to a pcap for tshark to decode
 * (tshark_check.sh holds the expected decode).  Packet t has request id
 * 0x100 + t, source NBMA 192.0.2.t, CIE MTU 1400 + t and holding time
 * 7200 - t.  With a second argument, each packet is also written there as
 * a raw file (fuzz seeds: gen-<type>.bin).
 *   nhrp_tshark_gen OUT.pcap [CORPUS_DIR]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "nhrp_packet.h"
#include "nhrp_pcap.h"

#define GRE_KEY 42

static uint8_t addrs[64][4];
static unsigned int naddrs;

static struct nhrp_addr ip4(const char *s)
{
	uint8_t *a = addrs[naddrs++ % 64];

	inet_pton(AF_INET, s, a);
	return NHRP_ADDR(a, 4);
}

static struct nhrp_addr ip4_nbma(unsigned int t)
{
	char s[16];

	snprintf(s, sizeof(s), "192.0.2.%u", t);
	return ip4(s);
}

static bool is_reply(unsigned int t)
{
	return t == NHRP_RESOLUTION_REPLY || t == NHRP_REGISTRATION_REPLY ||
	       t == NHRP_PURGE_REPLY;
}

/* The CIE of the Mandatory Part, per type as the daemon would fill it. */
static struct nhrp_cie main_cie(unsigned int t)
{
	struct nhrp_cie c = { .mtu = (uint16_t)(1400 + t), .holdtime = (uint16_t)(7200 - t),
			      .prefix_len = 32 };

	if (t == NHRP_RESOLUTION_REPLY || t == NHRP_REGISTRATION_REPLY) {
		c.nbma = ip4("198.51.100.2");
		c.proto = ip4("10.0.0.2");
	} else if (t == NHRP_PURGE_REQUEST || t == NHRP_PURGE_REPLY) {
		c.proto = ip4("10.0.0.9");
	}
	return c;
}

static uint16_t flags_for(unsigned int t)
{
	switch (t) {
	case NHRP_RESOLUTION_REQUEST:
		return NHRP_RES_FLAG_Q | NHRP_RES_FLAG_A | NHRP_RES_FLAG_S | NHRP_RES_FLAG_NAT;
	case NHRP_RESOLUTION_REPLY:
		return 0xf802;	/* Q A D U S NAT, as Cisco */
	case NHRP_REGISTRATION_REQUEST:
	case NHRP_REGISTRATION_REPLY:
		return NHRP_REG_FLAG_U | NHRP_REG_FLAG_NAT;
	case NHRP_PURGE_REQUEST:
		return NHRP_PURGE_FLAG_N;
	default:
		return 0;
	}
}

/* Cisco's order 3, 4, 5, 7, 9; a CIE in each where one belongs. */
static void add_exts(struct nhrp_msg *m, unsigned int t, const uint8_t *auth, int alen)
{
	struct nhrp_cie hub = { .mtu = 1514, .holdtime = 7200, .prefix_len = 32,
				.nbma = ip4("203.0.113.1"), .proto = ip4("10.0.0.254") };
	struct nhrp_ext *e;

	e = nhrp_msg_add_ext(m, NHRP_EXT_RESPONDER_ADDRESS, true);
	if (is_reply(t))
		nhrp_ext_add_cie(e, &hub);
	e = nhrp_msg_add_ext(m, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_ext_add_cie(e, &hub);
	e = nhrp_msg_add_ext(m, NHRP_EXT_REVERSE_TRANSIT, true);
	if (is_reply(t))
		nhrp_ext_add_cie(e, &hub);
	nhrp_msg_add_ext_raw(m, NHRP_EXT_AUTHENTICATION, true, auth, (uint16_t)alen);
	e = nhrp_msg_add_ext(m, NHRP_EXT_NAT_ADDRESS, false);
	nhrp_ext_add_cie(e, &(struct nhrp_cie){ .prefix_len = 32, .mtu = 1514,
					       .nbma = ip4("203.0.113.99"),
					       .proto = ip4("10.0.0.1") });
}

/* IPv4 header + 8 octets of an ICMP echo, as Cisco quotes (wire-formats 2.7). */
static const uint8_t quoted[28] = {
	0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01, 0x00, 0x00,
	10, 0, 0, 1, 10, 0, 0, 2, 0x08, 0x00, 0xf7, 0xfe, 0x00, 0x01, 0x00, 0x00 };

static int build_type(unsigned int t, uint8_t *out, size_t cap, const uint8_t *prev,
		      size_t prev_len, const uint8_t *auth, int alen)
{
	static struct nhrp_msg m;
	struct nhrp_addr nbma = ip4_nbma(t), src = ip4("10.0.0.1"), dst = ip4("10.0.0.2");

	if (t == NHRP_ERROR_INDICATION) {
		/* 5.2.7: authentication failure in the previous packet, no ext */
		nhrp_msg_init_error(&m, NHRP_ERR_AUTH_FAILURE, 60, &nbma, &src, &dst, prev,
				    (uint16_t)prev_len);
		return nhrp_build(&m, out, cap);
	}
	if (t == NHRP_TRAFFIC_INDICATION) {
		nhrp_msg_init_traffic(&m, &nbma, &src, &dst, quoted, sizeof(quoted));
	} else {
		struct nhrp_cie c = main_cie(t);

		nhrp_msg_init(&m, t, &nbma, &src, &dst);
		m.flags = flags_for(t);
		m.reqid = 0x100 + t;
		nhrp_msg_add_cie(&m, &c);
	}
	add_exts(&m, t, auth, alen);
	return nhrp_build(&m, out, cap);
}

static int write_raw(const char *dir, unsigned int t, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/gen-%u.bin", dir, t);
	fp = fopen(path, "wb");
	if (!fp || fwrite(p, 1, len, fp) != len) {
		perror(path);
		if (fp)
			fclose(fp);
		return -1;
	}
	return fclose(fp);
}

int main(int argc, char **argv)
{
	static uint8_t pkt[9][1024];
	int len[9] = { 0 };
	uint8_t auth[NHRP_CISCO_AUTH_MAX];
	int alen = nhrp_cisco_auth_encode(auth, "dmvpn", 5);
	struct nhrp_pcap_writer *w;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s OUT.pcap [CORPUS_DIR]\n", argv[0]);
		return 2;
	}
	w = nhrp_pcap_create(argv[1]);
	if (!w)
		return 1;
	for (unsigned int t = NHRP_RESOLUTION_REQUEST; t <= NHRP_TYPE_MAX; t++) {
		len[t] = build_type(t, pkt[t], sizeof(pkt[t]), pkt[t - 1], (size_t)len[t - 1],
				    auth, alen);
		if (len[t] < 0 || nhrp_pcap_write(w, htonl(0xc0000200 + t), htonl(0xcb007101),
						  GRE_KEY, pkt[t], (size_t)len[t]) < 0) {
			fprintf(stderr, "type %u: build failed (%d)\n", t, len[t]);
			nhrp_pcap_close(w);
			return 1;
		}
		if (argc == 3 && write_raw(argv[2], t, pkt[t], (size_t)len[t]) < 0)
			return 1;
	}
	nhrp_pcap_close(w);
	return 0;
}
