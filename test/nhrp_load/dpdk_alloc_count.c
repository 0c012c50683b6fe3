/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LD_PRELOAD shim for the NHRP benchmark (scripts/bench-nhrp.sh): counts
 * what a DPDK process asks of its hugepage heap (rte_malloc family and
 * memzones; mempools, hashes and FIBs are built on them), so the data
 * plane's memory per adjacency slot and per route can be measured rather
 * than computed: run it with two sizes and take the difference.  The data
 * plane runs with --no-telemetry, so /eal/heap_info is not available.
 *
 * Only the outermost call is counted (rte_zmalloc calls rte_zmalloc_socket
 * through the PLT); frees are not subtracted (the data plane allocates its
 * tables once, at start).  The total is written as "bytes calls" to the
 * file named by DPDK_ALLOC_COUNT_FILE when the process exits normally (the
 * data plane does on SIGTERM).
 *
 *   LD_PRELOAD=.../libdpdk_alloc_count.so DPDK_ALLOC_COUNT_FILE=/tmp/x dmvpn-dataplane ...
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

static _Atomic unsigned long long total, calls;
static _Thread_local int depth;

#define COUNT(sz)                                                              \
	do {                                                                   \
		if (depth == 0) {                                              \
			atomic_fetch_add(&total, (unsigned long long)(sz));    \
			atomic_fetch_add(&calls, 1);                           \
		}                                                              \
	} while (0)

#define NEXT(name, type) ((type)dlsym(RTLD_NEXT, name))

void *rte_malloc(const char *type, size_t size, unsigned int align);
void *rte_zmalloc(const char *type, size_t size, unsigned int align);
void *rte_calloc(const char *type, size_t num, size_t size, unsigned int align);
void *rte_malloc_socket(const char *type, size_t size, unsigned int align, int socket);
void *rte_zmalloc_socket(const char *type, size_t size, unsigned int align, int socket);
void *rte_calloc_socket(const char *type, size_t num, size_t size, unsigned int align, int socket);
const void *rte_memzone_reserve(const char *name, size_t len, int socket, unsigned int flags);
const void *rte_memzone_reserve_aligned(const char *name, size_t len, int socket,
					unsigned int flags, unsigned int align);
const void *rte_memzone_reserve_bounded(const char *name, size_t len, int socket,
					unsigned int flags, unsigned int align,
					unsigned int bound);

typedef void *(*malloc3_t)(const char *, size_t, unsigned int);
typedef void *(*calloc4_t)(const char *, size_t, size_t, unsigned int);
typedef void *(*malloc4_t)(const char *, size_t, unsigned int, int);
typedef void *(*calloc5_t)(const char *, size_t, size_t, unsigned int, int);
typedef const void *(*mz4_t)(const char *, size_t, int, unsigned int);
typedef const void *(*mz5_t)(const char *, size_t, int, unsigned int, unsigned int);
typedef const void *(*mz6_t)(const char *, size_t, int, unsigned int, unsigned int,
			     unsigned int);

#define WRAP(ret, name, ftype, sz, params, args)                               \
	ret name params                                                        \
	{                                                                      \
		static ftype next;                                             \
		ret r;                                                         \
		if (!next)                                                     \
			next = NEXT(#name, ftype);                             \
		COUNT(sz);                                                     \
		depth++;                                                       \
		r = next args;                                                 \
		depth--;                                                       \
		return r;                                                      \
	}

WRAP(void *, rte_malloc, malloc3_t, size, (const char *type, size_t size, unsigned int align),
     (type, size, align))
WRAP(void *, rte_zmalloc, malloc3_t, size, (const char *type, size_t size, unsigned int align),
     (type, size, align))
WRAP(void *, rte_calloc, calloc4_t, num * size,
     (const char *type, size_t num, size_t size, unsigned int align), (type, num, size, align))
WRAP(void *, rte_malloc_socket, malloc4_t, size,
     (const char *type, size_t size, unsigned int align, int socket), (type, size, align, socket))
WRAP(void *, rte_zmalloc_socket, malloc4_t, size,
     (const char *type, size_t size, unsigned int align, int socket), (type, size, align, socket))
WRAP(void *, rte_calloc_socket, calloc5_t, num * size,
     (const char *type, size_t num, size_t size, unsigned int align, int socket),
     (type, num, size, align, socket))
WRAP(const void *, rte_memzone_reserve, mz4_t, len,
     (const char *name, size_t len, int socket, unsigned int flags), (name, len, socket, flags))
WRAP(const void *, rte_memzone_reserve_aligned, mz5_t, len,
     (const char *name, size_t len, int socket, unsigned int flags, unsigned int align),
     (name, len, socket, flags, align))
WRAP(const void *, rte_memzone_reserve_bounded, mz6_t, len,
     (const char *name, size_t len, int socket, unsigned int flags, unsigned int align,
      unsigned int bound),
     (name, len, socket, flags, align, bound))

__attribute__((destructor)) static void dpdk_alloc_count_report(void)
{
	const char *path = getenv("DPDK_ALLOC_COUNT_FILE");
	FILE *f;

	if (!path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "%llu %llu\n", (unsigned long long)atomic_load(&total),
		(unsigned long long)atomic_load(&calls));
	fclose(f);
}
