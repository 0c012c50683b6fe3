/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ESP engine (RFC 4303) on top of intel-ipsec-mb: no DPDK, no mbufs.
 *
 *   esp.h          packet descriptor of a burst, error codes, room needed
 *   esp_sa.h       runtime SA: validated config, key schedules, sequence/replay state
 *   esp_thread.h   per-thread context: the IMB_MGR, the CBC IV generator, scratch
 *   esp_out.h      encrypt in place: transport, tunnel, UDP encapsulation
 *   esp_in.h       parse, anti-replay, decrypt + verify, strip
 *   replay.h       RFC 6479 window, RFC 4303 Appendix A ESN inference
 *
 * A caller hands a burst of struct esp_pkt (contiguous data with room on
 * both sides, like an mbuf's single segment) and gets each packet back moved
 * in place, with .err set.  Nothing allocates on the data path.
 */
#ifndef DMVPN_ESP_H
#define DMVPN_ESP_H

#include <stdint.h>

enum esp_err {
	ESP_OK = 0,
#define ESP_ERR(e, name, desc) ESP_E_##e,
#include "esp_err.def"
#undef ESP_ERR
	ESP_E__MAX
};

const char *esp_err_name(unsigned int err);
const char *esp_err_desc(unsigned int err);

/* Most packets one submission to intel-ipsec-mb takes; longer arrays are
 * cut into bursts of this size. */
#define ESP_BURST_MAX 32

/* RFC 4303 2: SPI + sequence number; trailer = pad length + next header. */
#define ESP_HDR_LEN 8
#define ESP_TRAILER_LEN 2
#define ESP_IV_MAX 16
#define ESP_ICV_MAX 16
#define ESP_BLOCK_MAX 16

/*
 * Room the encryptor needs around the packet, worst case over all SAs:
 * in front, outer IPv4 (tunnel) + UDP (RFC 3948) + ESP header + IV;
 * behind, padding (block - 1) + trailer + ICV.  esp_sa_headroom() and
 * esp_sa_tailroom() give the exact figure for one SA and length.
 */
#define ESP_HEADROOM_MAX (20 + 8 + ESP_HDR_LEN + ESP_IV_MAX)			/* 52 */
#define ESP_TAILROOM_MAX (ESP_BLOCK_MAX - 1 + ESP_TRAILER_LEN + ESP_ICV_MAX)	/* 33 */

struct esp_sa;

/*
 * One packet of a burst.  In: data points at the IPv4 header (the packet to
 * protect, or the received ESP packet), len its length, headroom/tailroom the
 * writable bytes before data and after data + len, sa the SA (inbound: the
 * caller's lookup by SPI, NULL if none).  Out: data/len/headroom/tailroom
 * describe the result (encrypt: the ESP packet; decrypt: the inner packet),
 * err is ESP_OK or an enum esp_err, seq the 64-bit sequence number used or
 * received, next_hdr the ESP next header (decrypt).
 *
 * Encrypt: seq = 0 takes the next number from the SA's own counter (one
 * writer: SA-to-worker affinity); any other value is used as is, e.g. from
 * esp_seq_next() on a shared counter.
 */
struct esp_pkt {
	uint8_t *data;
	struct esp_sa *sa;
	uint64_t seq;
	uint32_t len;
	uint16_t headroom;
	uint16_t tailroom;
	uint8_t err;
	uint8_t next_hdr;
	uint16_t reserved[3];
};
_Static_assert(sizeof(struct esp_pkt) == 40, "esp_pkt");

#endif
