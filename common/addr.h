/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 and MAC address text <-> binary.  Addresses are network order. */
#ifndef DMVPN_ADDR_H
#define DMVPN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN 16		/* "255.255.255.255" + NUL */
#define PREFIX_STRLEN 19	/* + "/32" */
#define MAC_STRLEN 18

/* "a.b.c.d" (exactly four decimal octets) */
bool addr_parse(const char *s, uint32_t *out);
/* "a.b.c.d/len"; with allow_host_bits false, bits beyond len must be zero */
bool prefix_parse(const char *s, uint32_t *addr, uint8_t *plen, bool allow_host_bits);
/* "aa:bb:cc:dd:ee:ff" */
bool mac_parse(const char *s, uint8_t mac[6]);

const char *addr_fmt(uint32_t a, char buf[ADDR_STRLEN]);
const char *prefix_fmt(uint32_t a, uint8_t plen, char buf[PREFIX_STRLEN]);
const char *mac_fmt(const uint8_t mac[6], char buf[MAC_STRLEN]);

/* Network-order mask of a prefix length (0..32). */
uint32_t plen_mask(uint8_t plen);

static inline bool prefix_contains(uint32_t net, uint8_t plen, uint32_t a)
{
	uint32_t m = plen_mask(plen);

	return (net & m) == (a & m);
}

#endif
