/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime SA of the ESP engine, built from a controller SA slot (struct
 * shm_sa) by esp_sa_init(), split VPP-style (ipsec_sa_outb_rt_t): a hot part
 * every packet reads, cache aligned, and a cold part for control and tests.
 *
 * Hot part layout (checked below):
 *   line 0      SPI, salt, IV mask, outbound sequence, replay window header,
 *               tunnel/UDP header bits, flags, lengths
 *   keys        AES-GCM key data (expanded key + GHASH powers), or the AES/DES
 *               schedule for the SA's one direction + HMAC ipad/opad hashes
 *   bitmap      inbound anti-replay bitmap (RFC 6479)
 * A packet touches line 0, the key lines its algorithm uses, and at most one
 * bitmap line.
 *
 * The record holds no pointers into itself: it may be copied (e.g. built
 * off-line and published into a runtime table) but must stay 64-byte aligned.
 *
 * Concurrency: one writer per SA.  An outbound SA's own counter (esp_pkt.seq
 * = 0) and an inbound SA's replay window are plain memory: the data plane
 * keeps each SA on one worker (SA-to-worker affinity, e.g. RSS on the SPI),
 * or, outbound only, hands out numbers from a shared counter with
 * esp_seq_next().  An inbound SA shared by workers needs a lock around
 * esp_decrypt_burst() (not provided).
 * Algorithms: AES-GCM-16 with 128/192/256-bit keys (RFC 4106); AES-CBC
 * (RFC 3602) or NULL (RFC 2410) with HMAC-SHA1-96 (RFC 2404) or
 * HMAC-SHA-256-128 (RFC 4868); DES-CBC, 3DES-CBC (RFC 2451) and HMAC-MD5-96
 * (RFC 2403) only with SA_F_LEGACY.
 */
#ifndef DMVPN_ESP_SA_H
#define DMVPN_ESP_SA_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <intel-ipsec-mb.h>

#include "esp.h"
#include "replay.h"
#include "shm.h"

/* struct esp_sa_hot.flags */
#define ESP_RT_LIVE	0x0001	/* initialised and not wiped */
#define ESP_RT_INBOUND	0x0002
#define ESP_RT_ESN	0x0004	/* RFC 4303 2.2.1 */
#define ESP_RT_UDP	0x0008	/* RFC 3948 */
#define ESP_RT_TUNNEL	0x0010
#define ESP_RT_NO_REPLAY 0x0020
#define ESP_RT_TEST	0x0040	/* test hooks in cold.test are active */

union esp_sa_keys {
	struct gcm_key_data gcm;		/* ipsec-mb: 64-byte aligned */
	struct {
		union {
			alignas(16) uint8_t aes[16 * 15];	/* enc or dec schedule */
			uint64_t des[3][IMB_DES_KEY_SCHED_SIZE / 8];	/* DES: [0] */
		};
		alignas(16) uint8_t ipad[32];	/* H(K ^ ipad) state, RFC 2104 */
		alignas(16) uint8_t opad[32];	/* H(K ^ opad) state */
	} cbc;
};

struct esp_sa_hot {
	/* cache line 0 */
	alignas(64) uint32_t spi_be;	/* as on the wire */
	uint8_t salt[4];		/* GCM nonce prefix (RFC 4106 4, 8.1) */
	uint64_t iv_mask;		/* outbound GCM: explicit IV = seq ^ iv_mask */
	uint64_t seq_out;		/* outbound: last sequence number used */
	struct replay_window rw;	/* inbound */
	uint32_t tun_src, tun_dst;	/* tunnel mode outer addresses, network order */
	uint32_t tun_sum;		/* their partial checksum + TTL/protocol word */
	uint32_t udp_ports;		/* sport, dport as on the wire (RFC 3948) */
	uint16_t flags;			/* ESP_RT_* */
	uint8_t cipher;			/* enum sa_cipher */
	uint8_t integ;			/* enum sa_integ */
	uint8_t key_len;		/* cipher key octets */
	uint8_t iv_len;			/* explicit IV octets on the wire */
	uint8_t icv_len;
	uint8_t next_hdr;		/* inbound: the one accepted, 0 = any */
	/* key schedules */
	alignas(64) union esp_sa_keys keys;
	/* inbound anti-replay bitmap */
	alignas(64) struct replay_bitmap bitmap;
};
_Static_assert(offsetof(struct esp_sa_hot, keys) == 64, "line 0 of the hot SA overflows");
_Static_assert(alignof(struct esp_sa_hot) == 64, "hot SA is cache aligned");
_Static_assert(sizeof(union esp_sa_keys) <= 1024, "key area beyond 16 lines");
_Static_assert(sizeof(struct esp_sa_hot) == 64 + 1024 + 1024, "hot SA size");

/* Test hooks (unit tests, known-answer tests, the interop tool). */
#define ESP_TEST_IV	0x01	/* use iv[] as the explicit IV */
#define ESP_TEST_PAD	0x02	/* pad_extra more octets, each XORed with pad_xor */
#define ESP_TEST_NH	0x04	/* write next_hdr in the trailer */
#define ESP_TEST_PADLEN	0x08	/* write padlen as the pad length octet */

struct esp_sa_test {
	uint8_t what;			/* ESP_TEST_* */
	uint8_t pad_xor;		/* XORed into every padding octet */
	uint16_t pad_extra;		/* more padding octets (keep the alignment) */
	uint8_t padlen;
	uint8_t next_hdr;
	uint8_t iv[ESP_IV_MAX];
};

struct esp_sa_cold {
	uint32_t spi;			/* host order */
	uint32_t cfg_flags;		/* SA_F_* */
	uint32_t local, remote;		/* network order */
	uint16_t sport, dport;		/* host order */
	uint8_t mode;			/* enum sa_mode */
	uint8_t tunnel;
	uint16_t window;
	uint32_t gen;
	uint64_t life_soft_bytes, life_hard_bytes;
	uint64_t life_soft_pkts, life_hard_pkts;
	struct esp_sa_test test;
};

struct esp_sa {
	struct esp_sa_hot hot;
	struct esp_sa_cold cold;
};

/*
 * Validate a controller SA slot and precompute everything the data path
 * needs.  0, -EINVAL (bad algorithm, key length, SPI, window, addresses),
 * -EPERM (DES/3DES/MD5 without SA_F_LEGACY), -ENOMEM / -errno (no
 * intel-ipsec-mb manager, no randomness).  On error the record is wiped.
 */
int esp_sa_init(struct esp_sa *sa, const struct shm_sa *cfg) __attribute__((warn_unused_result));

/* explicit_bzero the whole record: keys, schedules, state. */
void esp_sa_wipe(struct esp_sa *sa);

/*
 * Restore sequence state (e.g. from shm_sa.seq_out / seq_in_top after a
 * restart).  Outbound: the last number used, the next packet gets seq + 1.
 * Inbound: seq is the highest received and every number below it in the
 * window counts as received too (replay_restore).
 */
void esp_sa_set_seq(struct esp_sa *sa, uint64_t seq);

/* Inbound: the next header accepted (default: 47 GRE in transport mode,
 * 4 IPv4 in tunnel mode); 0 accepts any. */
void esp_sa_set_next_header(struct esp_sa *sa, uint8_t next_hdr);

/* Exact room the encryptor needs for this SA: in front of the packet, and
 * behind it when `protected_len` octets are protected (transport mode: the
 * IPv4 total length minus its header; tunnel mode: the total length). */
unsigned int esp_sa_headroom(const struct esp_sa *sa);
unsigned int esp_sa_tailroom(const struct esp_sa *sa, unsigned int protected_len);

/* Test hooks: force the IV, corrupt the padding.  t = NULL turns them off. */
void esp_sa_test_set(struct esp_sa *sa, const struct esp_sa_test *t);

static inline bool esp_sa_is_inbound(const struct esp_sa *sa)
{
	return sa->hot.flags & ESP_RT_INBOUND;
}

#endif
