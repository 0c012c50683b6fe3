/* SPDX-License-Identifier: BSD-3-Clause */
#include "rewrite.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cksum.h"
#include "wire/gre.h"
#include "wire/ipv4.h"

size_t adj_rewrite_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst,
			 bool has_key, uint32_t key, uint16_t gre_proto)
{
	size_t len = sizeof(struct ipv4_hdr) + (has_key ? 8 : 4);
	struct ipv4_hdr ip = {
		.ver_ihl = 0x45,
		.ttl = REWRITE_TTL,
		.proto = IP_PROTO_GRE,
		.src = src,
		.dst = dst,
	};
	struct gre_key_hdr gre = {
		.flags = htons(has_key ? GRE_FLAG_KEY : 0),
		.proto = htons(gre_proto),
		.key = htonl(key),
	};

	if (cap < len)
		return 0;
	ip.csum = cksum(&ip, sizeof(ip));
	memcpy(out, &ip, sizeof(ip));
	memcpy(out + sizeof(ip), &gre, len - sizeof(ip));
	return len;
}

void adj_rewrite_hex(const uint8_t *rw, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < len && o + 4 < cap; i++) {
		if (i && i % 16 == 0)
			out[o++] = '\n';
		o += (size_t)snprintf(out + o, cap - o, "%02X", rw[i]);
	}
}
