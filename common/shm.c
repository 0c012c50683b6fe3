/* SPDX-License-Identifier: BSD-3-Clause */
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"

#define HUGETLBFS_MAGIC 0x958458f6

int shm_path(char *buf, size_t len, const char *dir, const char *instance)
{
	int n = snprintf(buf, len, "%s/dmvpn-%s.seg", dir, instance);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t layout(struct shm_header *h, const struct shm_layout *lay)
{
	uint64_t sizes[SHM_R__MAX] = {
		[SHM_R_PORTS] = sizeof(struct shm_port) * SHM_MAX_PORTS,
		[SHM_R_ADJ] = sizeof(struct shm_adj) * (uint64_t)lay->adj_slots,
		[SHM_R_SA] = sizeof(struct shm_sa) * (uint64_t)lay->sa_slots,
		[SHM_R_RING_CTL] = ring_bytes(lay->ctl_entries, SHM_CTL_ENTRY_SIZE),
		[SHM_R_RING_REPLY] = ring_bytes(lay->reply_entries, SHM_REPLY_ENTRY_SIZE),
		[SHM_R_RING_PUNT] = ring_bytes(lay->punt_entries, SHM_PKT_ENTRY_SIZE),
		[SHM_R_RING_INJECT] = ring_bytes(lay->inject_entries, SHM_PKT_ENTRY_SIZE),
		[SHM_R_WSTATS] = sizeof(struct shm_wstats) * (lay->n_workers + 1ull),
		[SHM_R_ADJ_CTR] = sizeof(struct shm_adj_ctr) * (uint64_t)lay->adj_slots *
				  lay->n_workers,
		[SHM_R_SA_CTR] = sizeof(struct shm_sa_ctr) * (uint64_t)lay->sa_slots *
				 lay->n_workers,
		[SHM_R_NBR] = sizeof(struct shm_nbr) * (uint64_t)lay->nbr_slots,
	};
	uint64_t off = align_up(sizeof(struct shm_header), 4096);

	for (int r = 0; r < SHM_R__MAX; r++) {
		h->region[r].off = off;
		h->region[r].size = sizes[r];
		off = align_up(off + sizes[r], 4096);
	}
	return off;
}

static bool on_hugetlbfs(const char *path)
{
	char dir[256];
	struct statfs st;
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return statfs(slash ? dir : ".", &st) == 0 && st.f_type == HUGETLBFS_MAGIC;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int shm_create(struct shm_seg *seg, const char *path, const char *instance,
	       const struct shm_layout *lay)
{
	struct shm_header tmp = { 0 };
	uint64_t size = layout(&tmp, lay);
	struct shm_header *h;
	int fd, err;

	if (lay->n_workers == 0 || lay->n_workers > SHM_MAX_WORKERS ||
	    lay->n_ports > SHM_MAX_PORTS)
		return -EINVAL;
	if (on_hugetlbfs(path))
		size = align_up(size, 2u << 20);

	/* A new inode every start: a controller still mapping the old file
	 * keeps a valid (dead) mapping and notices the change of epoch. */
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail;
	h = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		goto fail;
	memset(h, 0, size);
	memcpy(h->region, tmp.region, sizeof(h->region));
	h->version = SHM_VERSION;
	h->header_size = sizeof(*h);
	h->size = size;
	h->epoch = now_ns(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 48);
	h->dp_pid = getpid();
	h->n_workers = lay->n_workers;
	h->n_ports = lay->n_ports;
	h->adj_slots = lay->adj_slots;
	h->sa_slots = lay->sa_slots;
	h->nbr_slots = lay->nbr_slots;
	snprintf(h->instance, sizeof(h->instance), "%s", instance);

	seg->hdr = h;
	seg->size = size;
	seg->fd = fd;
	seg->writable = true;
	snprintf(seg->path, sizeof(seg->path), "%s", path);

	if (ring_init(shm_ring_get(seg, SHM_R_RING_CTL), lay->ctl_entries, SHM_CTL_ENTRY_SIZE) ||
	    ring_init(shm_ring_get(seg, SHM_R_RING_REPLY), lay->reply_entries,
		      SHM_REPLY_ENTRY_SIZE) ||
	    ring_init(shm_ring_get(seg, SHM_R_RING_PUNT), lay->punt_entries, SHM_PKT_ENTRY_SIZE) ||
	    ring_init(shm_ring_get(seg, SHM_R_RING_INJECT), lay->inject_entries,
		      SHM_PKT_ENTRY_SIZE)) {
		shm_destroy(seg);
		return -EINVAL;
	}
	atomic_store(&h->dp_state, SHM_DP_STARTING);
	/* magic last: an attacher never sees a half-built segment as valid */
	atomic_thread_fence(memory_order_release);
	h->magic = SHM_MAGIC;
	return 0;
fail:
	err = -errno;
	close(fd);
	unlink(path);
	return err;
}

static int check_regions(const struct shm_header *h, size_t size)
{
	for (int r = 0; r < SHM_R__MAX; r++) {
		if (h->region[r].off > size || h->region[r].size > size - h->region[r].off)
			return -EBADMSG;
	}
	if (h->n_workers == 0 || h->n_workers > SHM_MAX_WORKERS || h->n_ports > SHM_MAX_PORTS)
		return -EBADMSG;
	if (h->region[SHM_R_ADJ].size < (uint64_t)h->adj_slots * sizeof(struct shm_adj) ||
	    h->region[SHM_R_SA].size < (uint64_t)h->sa_slots * sizeof(struct shm_sa) ||
	    h->region[SHM_R_WSTATS].size < (h->n_workers + 1ull) * sizeof(struct shm_wstats) ||
	    h->region[SHM_R_ADJ_CTR].size <
		    (uint64_t)h->adj_slots * h->n_workers * sizeof(struct shm_adj_ctr) ||
	    h->region[SHM_R_SA_CTR].size <
		    (uint64_t)h->sa_slots * h->n_workers * sizeof(struct shm_sa_ctr) ||
	    h->region[SHM_R_NBR].size < (uint64_t)h->nbr_slots * sizeof(struct shm_nbr))
		return -EBADMSG;
	for (int r = SHM_R_RING_CTL; r <= SHM_R_RING_INJECT; r++) {
		const struct shm_ring *ring = (const void *)((const uint8_t *)h + h->region[r].off);

		if (!ring_valid(ring, h->region[r].size))
			return -EBADMSG;
	}
	return 0;
}

int shm_attach(struct shm_seg *seg, const char *path, bool writable)
{
	struct stat st;
	void *p;
	int fd, err;

	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		goto fail;
	if ((size_t)st.st_size < sizeof(struct shm_header)) {
		errno = EAGAIN;	/* being created */
		goto fail;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	seg->hdr = p;
	seg->size = (size_t)st.st_size;
	seg->fd = fd;
	seg->writable = writable;
	snprintf(seg->path, sizeof(seg->path), "%s", path);

	err = 0;
	if (seg->hdr->magic != SHM_MAGIC)
		err = -EAGAIN;
	else if (seg->hdr->version != SHM_VERSION || seg->hdr->header_size != sizeof(struct shm_header))
		err = -EPROTO;
	else if (seg->hdr->size > seg->size)
		err = -EBADMSG;
	else
		err = check_regions(seg->hdr, seg->size);
	if (err) {
		shm_detach(seg);
		return err;
	}
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

void shm_detach(struct shm_seg *seg)
{
	if (seg->hdr)
		munmap(seg->hdr, seg->size);
	if (seg->fd >= 0)
		close(seg->fd);
	seg->hdr = NULL;
	seg->fd = -1;
}

void shm_destroy(struct shm_seg *seg)
{
	if (seg->hdr && seg->writable) {
		/* Keys in SA slots never outlive the process in a file. */
		for (uint32_t i = 0; i < seg->hdr->sa_slots; i++) {
			struct shm_sa *sa = shm_sa(seg, i);

			explicit_bzero(sa->cipher_key, sizeof(sa->cipher_key));
			explicit_bzero(sa->integ_key, sizeof(sa->integ_key));
		}
		seg->hdr->magic = 0;
	}
	unlink(seg->path);
	shm_detach(seg);
}

void shm_adj_ctr_sum(const struct shm_seg *seg, uint32_t slot, struct shm_adj_ctr *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t w = 0; w < seg->hdr->n_workers; w++) {
		const struct shm_adj_ctr *c = shm_adj_ctr(seg, w, slot);

		out->pkts += c->pkts;
		out->bytes += c->bytes;
		if (c->last_tsc > out->last_tsc)
			out->last_tsc = c->last_tsc;
	}
}

void shm_sa_ctr_sum(const struct shm_seg *seg, uint32_t slot, struct shm_sa_ctr *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t w = 0; w < seg->hdr->n_workers; w++) {
		const struct shm_sa_ctr *c = shm_sa_ctr(seg, w, slot);

		out->pkts += c->pkts;
		out->bytes += c->bytes;
		out->replay_drops += c->replay_drops;
		out->auth_fails += c->auth_fails;
		out->other_drops += c->other_drops;
		if (c->last_tsc > out->last_tsc)
			out->last_tsc = c->last_tsc;
	}
}

void shm_wstats_sum(const struct shm_seg *seg, struct shm_wstats *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t w = 0; w <= seg->hdr->n_workers; w++) {
		const struct shm_wstats *s = shm_wstats(seg, w);

		for (int d = 0; d < DROP__MAX; d++)
			out->drops[d] += s->drops[d];
		out->rx_pkts += s->rx_pkts;
		out->tx_pkts += s->tx_pkts;
		out->encap_pkts += s->encap_pkts;
		out->decap_pkts += s->decap_pkts;
		out->punt_pkts += s->punt_pkts;
		out->events += s->events;
		out->icmp_sent += s->icmp_sent;
		out->fragments += s->fragments;
		out->busy_tsc += s->busy_tsc;
		out->busy_pkts += s->busy_pkts;
		out->polls += s->polls;
		out->idle_polls += s->idle_polls;
		out->sleeps += s->sleeps;
	}
}

uint64_t shm_tsc_to_realtime_ns(const struct shm_header *h, uint64_t tsc)
{
	if (tsc == 0 || h->tsc_hz == 0)
		return 0;
	if (tsc < h->start_tsc)
		return h->start_realtime_ns;
	return h->start_realtime_ns +
	       (uint64_t)((double)(tsc - h->start_tsc) * 1e9 / (double)h->tsc_hz);
}

bool shm_nbr_read(const struct shm_seg *seg, uint32_t idx, struct shm_nbr *out)
{
	const struct shm_nbr *n;

	if (idx >= seg->hdr->nbr_slots)
		return false;
	n = shm_nbr(seg, idx);
	for (int tries = 0; tries < 64; tries++) {
		uint32_t s0 = atomic_load_explicit(&n->seq, memory_order_acquire);

		if (s0 & 1)
			continue;
		memcpy((uint8_t *)out + sizeof(out->seq), (const uint8_t *)n + sizeof(n->seq),
		       sizeof(*out) - sizeof(out->seq));
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&n->seq, memory_order_relaxed) == s0) {
			atomic_store_explicit(&out->seq, s0, memory_order_relaxed);
			return true;
		}
	}
	return false;
}

const char *shm_nbr_state_name(uint8_t state)
{
	switch (state) {
	case SHM_NBR_FREE: return "free";
	case SHM_NBR_INCOMPLETE: return "incomplete";
	case SHM_NBR_REACHABLE: return "reachable";
	case SHM_NBR_STALE: return "stale";
	case SHM_NBR_FAILED: return "failed";
	case SHM_NBR_STATIC: return "static";
	default: return "?";
	}
}
