/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP engine tests: engines with a fake nhrp_io (no controller, no data
 * plane).  Every packet an engine sends is parsed on the spot and must
 * decode with a good checksum and a hop count other than 0 (Cisco drops
 * hop count 0, FRR#951): tnode_send() asserts it for every test.
 * Time is the loop clock, moved with tclock() (loop_clock_advance).
 */
#ifndef DMVPN_TEST_NHRPD_H
#define DMVPN_TEST_NHRPD_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "nhrp.h"
#include "nhrp_packet.h"
#include "nhrp_priv.h"
#include "nhrp_pcap.h"

#define T_MAX_SENT 256
#define T_MAX_PEERS 1024
#define T_MAX_ROUTES 32
#define T_MAX_STAMPS 16
#define T_MAX_NODES 6

struct tsent {
	uint8_t tunnel;
	uint32_t nbma;
	uint16_t port;
	uint8_t type;
	size_t len;
	uint8_t pkt[NHRP_FRAME_MAX];
};

struct tpeer {
	bool present;
	struct nhrp_peer p;
};

struct troute {
	bool present;
	uint32_t prefix, via;
	uint8_t plen;
};

struct tlookup {
	uint32_t prefix, via;
	uint8_t plen, kind;
};

struct tnode {
	const char *name;
	struct nhrp *n;
	struct nhrp_if_conf ic;
	struct tsent *sent;		/* T_MAX_SENT, oldest first */
	unsigned int n_sent;
	unsigned int total_sent;
	struct tpeer peers[T_MAX_PEERS];
	unsigned int peer_sets, peer_dels;
	struct troute routes[T_MAX_ROUTES];
	unsigned int route_sets, route_dels;
	struct tlookup rt[T_MAX_ROUTES];
	unsigned int n_rt;
	struct {
		uint32_t proto;
		uint64_t stamp;
	} stamps[T_MAX_STAMPS];
	uint32_t nhs_last_proto;
	bool nhs_last_up;
	unsigned int nhs_changes;
	int send_err;			/* returned by send when set */
};

/* The shared loop (tests are single-threaded). */
struct loop *tloop(void);
void tclock(uint64_t ms);		/* advance the clock and run due timers */

uint32_t ip(const char *s);
/* A tunnel configuration: NBMA, tunnel address (/24), MTU, holdtime, auth. */
void tconf(struct nhrp_if_conf *ic, const char *nbma, const char *proto, uint16_t mtu,
	   uint16_t hold, const char *auth);
void tconf_nhs(struct nhrp_if_conf *ic, const char *proto, const char *nbma);

struct tnode *tnode_new(const char *name, const struct nhrp_if_conf *ic);
void tnode_free(struct tnode *t);
void tnode_route(struct tnode *t, const char *prefix, enum nhrp_route_kind kind, const char *via);
void tnode_stamp(struct tnode *t, const char *proto, uint64_t stamp);

/* Deliver a packet to ifi 0 from src_nbma. */
void tnode_recv(struct tnode *t, const char *src_nbma, const uint8_t *pkt, size_t len);
void tnode_recv_frame(struct tnode *t, const char *src_nbma, const struct nhrp_frame *f);
/* Sent packets: count / take the first one of a type (0: any). */
unsigned int tnode_count(const struct tnode *t, int type);
bool tnode_take(struct tnode *t, int type, struct tsent *out);
void tnode_clear(struct tnode *t);
/* Parse a sent packet (asserting success). */
void tparse(const struct tsent *s, struct nhrp_msg *m);
const struct tpeer *tnode_peer(const struct tnode *t, const char *proto);
const struct troute *tnode_rt(const struct tnode *t, const char *prefix);

/* A wire between nodes: packets go to the node owning the NBMA address.
 * Runs until nothing is left to deliver; returns packets delivered. */
struct tnet {
	struct tnode *nodes[T_MAX_NODES];
	unsigned int n;
	unsigned int delivered[NHRP_TYPE_MAX + 1];
	bool drop_to[T_MAX_NODES];	/* a dead node: its packets vanish */
};
unsigned int tnet_run(struct tnet *net);

/* Packet builders for table tests (registration / resolution requests
 * as a Cisco spoke sends them). */
size_t tbuild_reg(uint8_t *out, const char *src_nbma, const char *src, const char *dst,
		  uint32_t reqid, uint16_t flags, uint16_t hold, const char *auth,
		  const char *nat_nbma, const char *nat_proto);
size_t tbuild_res(uint8_t *out, const char *src_nbma, const char *src, const char *dst,
		  uint32_t reqid, uint8_t hop, const char *auth, const char *fwd_nbma,
		  const char *fwd_proto);

/* Show output with its times masked as "hh:mm:ss" (malloc'ed). */
char *tmask_times(const char *s);

/* Captures (testdata/tcpdump) */
int tload(const char *name, struct nhrp_frame *frames, size_t max);
/* Field by field: everything but request ids when ids is false. */
void tcompare(const struct nhrp_msg *got, const struct nhrp_msg *want, bool ids);
void tcheck_addr(const struct nhrp_addr *a, const char *want);

TCase *tc_interop(void);
TCase *tc_table(void);
TCase *tc_nhc(void);
TCase *tc_flows(void);
TCase *tc_show(void);

#endif
