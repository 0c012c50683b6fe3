/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Node configuration: libconfig text -> struct conf, a pure function.
 * Both processes load the same file: the data plane uses `instance`,
 * `dataplane` and `interfaces` (EAL, devices); the controller uses the rest
 * and pushes L3 state to the data plane.  Names follow the IOS commands users
 * know (see docs/configuration.md and the files in conf/).
 *
 * Errors carry file:line of the offending setting.  Nothing here touches the
 * running system; applying a loaded config is the caller's business.
 * Addresses are network order; everything else host order.
 */
#ifndef DMVPN_CONF_H
#define DMVPN_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shm.h"

#define CONF_NAME_LEN 32
#define CONF_PATH_LEN 256
#define CONF_AUTH_MAX 8		/* Cisco cleartext NHRP password (FRR NHRP_CISCO_PASS_LEN) */
#define CONF_MAX_PCI 8
#define CONF_MAX_EAL_ARGS 16
#define CONF_MAX_NHS 8

struct conf_error {
	char file[CONF_PATH_LEN];
	int line;		/* 0 when not tied to a line */
	char msg[256];
};

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
};

struct conf_dataplane {
	char lcores[64];		/* EAL -l list; "" = "0,1" */
	char main_lcore[8];		/* EAL --main-lcore; "" = first of lcores */
	uint32_t workers;		/* worker lcores (default 1) */
	uint32_t memory_mb;		/* EAL -m (default 256) */
	uint32_t mbufs;			/* mbuf pool size (default 8191) */
	uint32_t burst;			/* rx/tx burst (default 32) */
	uint32_t rx_desc, tx_desc;	/* descriptors per queue (default 1024) */
	bool adaptive_idle;		/* idle = "adaptive" (default) | "poll" */
	uint32_t idle_sleep_max_us;	/* longest idle sleep (default 1000) */
	char segment_dir[CONF_PATH_LEN];	/* default "/dev/shm" */
	uint32_t max_adjacencies;	/* adjacency slots (default 16384) */
	uint32_t max_sas;		/* SA slots (default 16384) */
	uint32_t fib_tbl8;		/* DIR24_8 tbl8 groups (default 4096) */
	uint32_t max_routes;		/* FIB routes (default 65536) */
	char pci[CONF_MAX_PCI][32];	/* PCI devices allowed; none = --no-pci */
	uint32_t n_pci;
	char eal_args[CONF_MAX_EAL_ARGS][64];	/* extra EAL arguments, verbatim */
	uint32_t n_eal_args;
};

struct conf_iface {
	char name[CONF_NAME_LEN];
	char device[SHM_DEVICE_LEN];	/* DPDK device: vdev string or PCI address */
	uint8_t role;			/* enum port_role */
	uint8_t plen;
	uint16_t mtu;			/* default 1500 */
	uint32_t addr;			/* 0 = none */
	uint32_t gateway;		/* default route of this port's table; 0 = none */
	int line;
};

struct conf_tunnel {
	bool present;
	char name[CONF_NAME_LEN];	/* default "Tunnel0" */
	uint32_t addr;			/* ip address */
	uint8_t plen;
	uint8_t source;			/* index into interfaces[] (role public) */
	bool has_key;
	uint32_t key;			/* tunnel key */
	uint16_t mtu;			/* ip mtu (default 1400) */
	char protection[CONF_NAME_LEN];	/* tunnel protection ipsec profile; "" = none */
	int line;
};

struct conf_nhrp_map {
	uint32_t proto;			/* overlay (tunnel) address */
	uint32_t nbma;			/* its NBMA address */
	int line;
};

struct conf_nhrp {
	uint32_t network_id;		/* ip nhrp network-id (default 1) */
	uint32_t holdtime;		/* ip nhrp holdtime, seconds (default 7200) */
	char auth[CONF_AUTH_MAX + 1];	/* ip nhrp authentication; "" = none */
	struct conf_nhrp_map *maps;	/* ip nhrp map */
	uint32_t n_maps;
	bool multicast_dynamic;		/* ip nhrp map multicast dynamic */
	uint32_t *multicast;		/* ip nhrp map multicast <nbma> */
	uint32_t n_multicast;
	uint32_t nhs[CONF_MAX_NHS];	/* ip nhrp nhs <proto> (each needs a map) */
	uint32_t n_nhs;
	bool redirect;			/* ip nhrp redirect (hub, Phase 3) */
	bool shortcut;			/* ip nhrp shortcut (spoke, Phase 3) */
	bool no_unique;			/* ip nhrp registration no-unique */
	uint32_t registration_timeout;	/* seconds; 0 = holdtime / 3 */
};

enum conf_route_type {
	CONF_RT_VIA = 0,		/* via a next-hop address */
	CONF_RT_DROP = 1,		/* null route */
};

struct conf_route {
	uint8_t table;			/* enum route_table */
	uint8_t type;			/* enum conf_route_type */
	uint8_t plen;
	uint32_t prefix;
	uint32_t via;
	int line;
};

struct conf_nbr {
	uint32_t addr;
	uint8_t mac[6];
	uint8_t iface;			/* index into interfaces[] */
	int line;
};

/* ---- ipsec (common/conf_ipsec.c, docs/ipsec.md) ---- */
#define CONF_IPSEC_KEY_MAX (SA_KEY_MAX + 4)	/* cipher key + GCM salt (RFC 4106 8.1) */
#define CONF_IPSEC_WARN_MAX 8

/* crypto ipsec transform-set NAME T... / mode transport|tunnel */
struct conf_ipsec_tset {
	char name[CONF_NAME_LEN];
	char text[64];			/* the transforms as written, for show */
	uint8_t cipher;			/* enum sa_cipher */
	uint8_t integ;			/* enum sa_integ */
	uint8_t key_len;		/* cipher key octets (without the GCM salt) */
	uint8_t mode;			/* enum sa_mode (default transport) */
	bool legacy;			/* DES, 3DES or MD5 */
	int line;
};

/* crypto ipsec profile NAME */
struct conf_ipsec_profile {
	char name[CONF_NAME_LEN];
	uint32_t tset;			/* index into transform_sets */
	uint64_t life_seconds;		/* 0 = none */
	uint64_t life_kilobytes;	/* 0 = none */
	uint64_t life_packets;		/* 0 = none */
	uint8_t soft_percent;		/* soft lifetime, % of each hard one (90) */
	bool replay;			/* anti-replay on (default) */
	uint16_t replay_window;		/* 64..4096, power of two (1024) */
	bool esn;			/* RFC 4303 2.2.1 */
	bool udp_encap;			/* RFC 3948 */
	uint16_t udp_sport, udp_dport;	/* 4500 / 4500 */
	int line;
};

/* A manually keyed SA pair with one peer (crypto map ipsec-manual). */
struct conf_ipsec_sa {
	uint32_t peer;			/* NBMA address, network order */
	uint32_t profile;		/* index into profiles */
	uint32_t spi_in, spi_out;
	uint8_t key_in[CONF_IPSEC_KEY_MAX], key_out[CONF_IPSEC_KEY_MAX];
	uint8_t key_len;		/* octets in key_in/out (GCM: key + salt) */
	uint8_t auth_in[SA_AUTH_KEY_MAX], auth_out[SA_AUTH_KEY_MAX];
	uint8_t auth_len;
	uint64_t seq_out_start;		/* tests: outbound starts after this */
	uint64_t seq_in_start;		/* tests: inbound window top at start */
	int line;
};

struct conf_ipsec {
	bool legacy;			/* DES / 3DES / MD5 allowed */
	uint32_t switch_timeout_ms;	/* manual rekey: longest wait for the peer (10000) */
	uint32_t drain_ms;		/* manual rekey: old inbound SA kept after the switch (2000) */
	struct conf_ipsec_tset *tsets;
	uint32_t n_tsets;
	struct conf_ipsec_profile *profiles;
	uint32_t n_profiles;
	struct conf_ipsec_sa *sas;	/* wiped by conf_free */
	uint32_t n_sas;
	int protection;			/* profile index of tunnel.protection, -1 = none */
	char warnings[CONF_IPSEC_WARN_MAX][160];	/* "FILE:LINE: ..." to log */
	uint32_t n_warnings;
};

struct conf_log {
	uint8_t level;			/* enum log_level (default info) */
	char file[CONF_PATH_LEN];	/* "" = stderr */
};

struct conf {
	char file[CONF_PATH_LEN];
	char instance[CONF_NAME_LEN];	/* [A-Za-z0-9_-], <= 24 characters */
	char rundir[CONF_PATH_LEN];	/* default "/run/dmvpn" */
	struct conf_dataplane dp;
	struct conf_iface ifaces[SHM_MAX_PORTS];
	uint32_t n_ifaces;
	struct conf_tunnel tunnel;
	struct conf_nhrp nhrp;
	struct conf_route *routes;
	uint32_t n_routes;
	struct conf_nbr *nbrs;
	uint32_t n_nbrs;
	struct conf_log log;
	struct conf_ipsec *ipsec;	/* NULL without an ipsec section */
	void *ext;			/* sections added by later features (owned, freed by conf_free) */
};

/* Load and validate a file.  On failure returns -1, fills err, leaves *out
 * empty (nothing to free).  On success returns 0; free with conf_free(). */
int conf_load(const char *path, struct conf *out, struct conf_error *err)
	__attribute__((warn_unused_result));
/* The same from a string; `name` is used as the file name in errors. */
int conf_load_string(const char *text, const char *name, struct conf *out,
		     struct conf_error *err) __attribute__((warn_unused_result));
void conf_free(struct conf *c);

/* Index of an interface by name, or -1. */
int conf_iface_find(const struct conf *c, const char *name);

/* Run-time paths of the instance. */
void conf_path_socket(const struct conf *c, char *buf, size_t len);	/* controller CLI */
void conf_path_bell(const struct conf *c, char *buf, size_t len);	/* controller doorbell */
void conf_path_segment(const struct conf *c, char *buf, size_t len);	/* shared memory */

#endif
