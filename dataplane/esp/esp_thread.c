/* SPDX-License-Identifier: BSD-3-Clause */
#include "esp_thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "esp_priv.h"

static const char *const esp_arch_names[IMB_ARCH_NUM] = {
	[IMB_ARCH_NONE] = "none",
	[IMB_ARCH_NOAESNI] = "no-aesni",
	[IMB_ARCH_SSE] = "sse",
	[IMB_ARCH_AVX] = "avx",
	[IMB_ARCH_AVX2] = "avx2",
	[IMB_ARCH_AVX512] = "avx512",
};

static IMB_MGR *setup_mgr;
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;

static void esp_setup_mgr_alloc(void)
{
	IMB_MGR *mgr = alloc_mb_mgr(0);

	if (mgr)
		init_mb_mgr_auto(mgr, NULL);
	setup_mgr = mgr;
}

/* Key expansion, GHASH precomputation and HMAC pad hashes are pure
 * functions of the manager's architecture: one shared manager serves all
 * threads (no job is ever submitted to it). */
IMB_MGR *esp_setup_mgr(void)
{
	pthread_once(&setup_once, esp_setup_mgr_alloc);
	return setup_mgr;
}

int esp_thread_init(struct esp_ctx **ctxp)
{
	struct esp_ctx *ctx;
	int err;

	*ctxp = NULL;
	ctx = aligned_alloc(64, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	memset(ctx, 0, sizeof(*ctx));
	/* alloc_mb_mgr() would do, but owning the memory lets fini wipe the
	 * lanes' leftovers (IVs, HMAC states, plaintext blocks) before free. */
	ctx->mgr_size = (imb_get_mb_mgr_size() + 63) & ~(size_t)63;	/* C11 aligned_alloc */
	ctx->mgr_mem = aligned_alloc(64, ctx->mgr_size);
	if (!ctx->mgr_mem) {
		err = -ENOMEM;
		goto out_free;
	}
	ctx->mgr = imb_set_pointers_mb_mgr(ctx->mgr_mem, 0, 1);
	init_mb_mgr_auto(ctx->mgr, &ctx->arch);
	if (imb_get_errno(ctx->mgr)) {
		err = -ENOTSUP;
		goto out_mgr;
	}
	err = esp_iv_init(&ctx->iv, ctx->mgr);
	if (err)
		goto out_mgr;
	*ctxp = ctx;
	return 0;

out_mgr:
	explicit_bzero(ctx->mgr_mem, ctx->mgr_size);
	free(ctx->mgr_mem);
out_free:
	explicit_bzero(ctx, sizeof(*ctx));
	free(ctx);
	return err;
}

void esp_thread_fini(struct esp_ctx *ctx)
{
	if (!ctx)
		return;
	esp_iv_wipe(&ctx->iv);
	explicit_bzero(ctx->mgr_mem, ctx->mgr_size);
	free(ctx->mgr_mem);
	explicit_bzero(ctx, sizeof(*ctx));
	free(ctx);
}

void esp_thread_validate(struct esp_ctx *ctx, bool on)
{
	ctx->validate = on;
}

const char *esp_thread_arch(const struct esp_ctx *ctx)
{
	if ((unsigned int)ctx->arch < IMB_ARCH_NUM && esp_arch_names[ctx->arch])
		return esp_arch_names[ctx->arch];
	return "unknown";
}

unsigned int esp_run(struct esp_ctx *ctx, IMB_JOB **jobs, unsigned int nj, esp_done_fn done)
{
	IMB_JOB *first = jobs[0];
	unsigned int left = nj, ok = 0, k, i;

	if (!nj)
		return 0;
	/* The jobs come from validated SAs and checked lengths: the library's
	 * own per-job validation (~35 cycles a packet) runs only on request. */
	if (unlikely(ctx->validate))
		k = IMB_SUBMIT_BURST(ctx->mgr, nj, jobs);
	else
		k = IMB_SUBMIT_BURST_NOCHECK(ctx->mgr, nj, jobs);
	if (unlikely(k == 0 && imb_get_errno(ctx->mgr))) {
		/* nothing was queued; the library put the bad job in jobs[0] */
		jobs[0] = first;
		for (i = 0; i < nj; i++) {
			jobs[i]->status = IMB_STATUS_INVALID_ARGS;
			done(jobs[i]);
		}
		return 0;
	}
	for (;;) {
		for (i = 0; i < k; i++)
			ok += done(jobs[i]);
		left -= k;
		if (!left)
			break;
		k = IMB_FLUSH_BURST(ctx->mgr, left, jobs);
		if (unlikely(!k))
			break;
	}
	return ok;
}
