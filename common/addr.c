/* SPDX-License-Identifier: BSD-3-Clause */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool addr_parse(const char *s, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned int octet = 0;
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			octet = octet * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || octet > 255)
			return false;
		v = v << 8 | octet;
		if (i < 3 && *s++ != '.')
			return false;
	}
	if (*s != '\0')
		return false;
	*out = htonl(v);
	return true;
}

uint32_t plen_mask(uint8_t plen)
{
	return plen == 0 ? 0 : htonl(~0u << (32 - (plen > 32 ? 32 : plen)));
}

bool prefix_parse(const char *s, uint32_t *addr, uint8_t *plen, bool allow_host_bits)
{
	char tmp[PREFIX_STRLEN + 1];
	const char *slash = strchr(s, '/');
	char *end;
	long len;

	if (!slash || (size_t)(slash - s) >= ADDR_STRLEN)
		return false;
	memcpy(tmp, s, (size_t)(slash - s));
	tmp[slash - s] = '\0';
	if (!addr_parse(tmp, addr))
		return false;
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	len = strtol(slash + 1, &end, 10);
	if (*end != '\0' || len < 0 || len > 32)
		return false;
	*plen = (uint8_t)len;
	if (!allow_host_bits && (*addr & ~plen_mask(*plen)))
		return false;
	return true;
}

static int hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly two hex digits per octet: sscanf("%2x") also took " a", "+a" and "-1". */
bool mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t b[6];

	for (int i = 0; i < 6; i++) {
		int hi = hex_val(s[0]), lo = hi < 0 ? -1 : hex_val(s[1]);

		if (lo < 0)
			return false;
		b[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return false;
	}
	if (*s != '\0')
		return false;
	memcpy(mac, b, sizeof(b));
	return true;
}

const char *addr_fmt(uint32_t a, char buf[ADDR_STRLEN])
{
	uint32_t h = ntohl(a);

	snprintf(buf, ADDR_STRLEN, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff, (h >> 8) & 0xff,
		 h & 0xff);
	return buf;
}

const char *prefix_fmt(uint32_t a, uint8_t plen, char buf[PREFIX_STRLEN])
{
	char tmp[ADDR_STRLEN];

	snprintf(buf, PREFIX_STRLEN, "%s/%u", addr_fmt(a, tmp), plen);
	return buf;
}

const char *mac_fmt(const uint8_t mac[6], char buf[MAC_STRLEN])
{
	snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}
