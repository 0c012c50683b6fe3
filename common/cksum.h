/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum (RFC 1071) and the incremental update of RFC 1624. */
#ifndef DMVPN_CKSUM_H
#define DMVPN_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add data to a running 32-bit sum; an odd tail is padded with a zero byte. */
uint32_t cksum_partial(const void *data, size_t len, uint32_t sum);

/* Fold a running sum and return the one's complement, in network order. */
static inline uint16_t cksum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Checksum of a buffer, network order: store it as is. */
static inline uint16_t cksum(const void *data, size_t len)
{
	return cksum_finish(cksum_partial(data, len, 0));
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').  All values in network order as
 * 16-bit words taken from the packet.
 */
static inline uint16_t cksum_update16(uint16_t hc, uint16_t old, uint16_t new_)
{
	uint32_t s = (uint16_t)~hc + (uint16_t)~old + new_;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#endif
