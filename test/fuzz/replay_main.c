/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run a libFuzzer harness without libFuzzer, so a gcc build can test it:
 * every file given (or found in a directory given) goes through
 * LLVMFuzzerTestOneInput, then -m N deterministic mutations of those seeds
 * (bit flips, interesting values, truncation, insertion, deletion), half of
 * them with ar$pktsz and ar$chksum made consistent so they get past the
 * fixed header.  A property failure aborts.
 *   replay [-m N] [-s SEED] PATH...
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nhrp_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SEEDS 256
#define REPLAY_MAX_INPUT 4096

struct seed {
	uint8_t *data;
	size_t len;
};

static struct seed seeds[MAX_SEEDS];
static size_t nseeds;
static uint64_t rng_state;

/* xorshift64*: deterministic for a given -s */
static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const uint8_t *cur_data;
static size_t cur_len;

/* On abort (a property, ASan, UBSan), keep the input for a replay. */
static void on_abort(int sig)
{
	static const char msg[] = "replay: failing input written to replay-crash.bin\n";
	int fd = open("replay-crash.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0 && cur_data) {
		if (write(fd, cur_data, cur_len) >= 0 && write(2, msg, sizeof(msg) - 1) >= 0)
			fsync(fd);
		close(fd);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run_one(const uint8_t *data, size_t len)
{
	/* an exactly-sized heap copy, so ASan sees reads past the end */
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	memcpy(copy, data, len);
	cur_data = copy;
	cur_len = len;
	LLVMFuzzerTestOneInput(copy, len);
	cur_data = NULL;
	free(copy);
}

static int load_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t buf[REPLAY_MAX_INPUT];
	size_t n;

	if (!fp) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	run_one(buf, n);
	if (nseeds < MAX_SEEDS) {
		seeds[nseeds].data = malloc(n ? n : 1);
		if (!seeds[nseeds].data)
			return -1;
		memcpy(seeds[nseeds].data, buf, n);
		seeds[nseeds++].len = n;
	}
	return 0;
}

static int load_path(const char *path)
{
	struct stat st;
	struct dirent **ents;
	char full[4096];
	int n, r = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(path);
	n = scandir(path, &ents, NULL, alphasort);	/* sorted: deterministic */
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name);
			r |= load_file(full);
		}
		free(ents[i]);
	}
	free(ents);
	return n < 0 ? -1 : r;
}

static const uint8_t interesting[] = { 0x00, 0x01, 0x03, 0x04, 0x07, 0x08, 0x09, 0x0c,
				       0x10, 0x14, 0x20, 0x3f, 0x40, 0x7f, 0x80, 0xff };

static size_t mutate_once(uint8_t *p, size_t len)
{
	size_t at = len ? rng() % len : 0, n;

	switch (rng() % 6) {
	case 0:		/* bit flip */
		if (len)
			p[at] ^= (uint8_t)(1u << (rng() % 8));
		return len;
	case 1:		/* interesting byte */
		if (len)
			p[at] = interesting[rng() % sizeof(interesting)];
		return len;
	case 2:		/* truncate */
		return len ? rng() % len : 0;
	case 3:		/* insert up to 16 random octets */
		n = 1 + rng() % 16;
		if (len + n > REPLAY_MAX_INPUT)
			return len;
		memmove(p + at + n, p + at, len - at);
		for (size_t i = 0; i < n; i++)
			p[at + i] = (uint8_t)rng();
		return len + n;
	case 4:		/* delete up to 16 octets */
		n = 1 + rng() % 16;
		if (at + n > len)
			return len;
		memmove(p + at, p + at + n, len - at - n);
		return len - n;
	default:	/* a 16-bit field to a small value */
		if (at + 1 < len) {
			p[at] = 0;
			p[at + 1] = (uint8_t)(rng() % 64);
		}
		return len;
	}
}

/* ar$pktsz = length, checksum recomputed: the mutation reaches the walk. */
static void make_consistent(uint8_t *p, size_t len)
{
	uint16_t s;

	if (len < NHRP_FIXED_LEN || len > UINT16_MAX)
		return;
	p[10] = (uint8_t)(len >> 8);
	p[11] = (uint8_t)len;
	p[12] = p[13] = 0;
	s = nhrp_checksum(p, len);
	memcpy(p + 12, &s, 2);
}

static void mutate_all(unsigned long iterations)
{
	static uint8_t buf[REPLAY_MAX_INPUT + 64];

	for (unsigned long it = 0; it < iterations; it++) {
		const struct seed *s = &seeds[rng() % nseeds];
		size_t len = s->len;
		unsigned int k = 1 + rng() % 4;

		memcpy(buf, s->data, len);
		while (k--)
			len = mutate_once(buf, len);
		if (rng() % 2)
			make_consistent(buf, len);
		run_one(buf, len);
	}
}

int main(int argc, char **argv)
{
	unsigned long iterations = 0;
	int opt, r = 0;

	rng_state = 2332;
	signal(SIGABRT, on_abort);
	signal(SIGSEGV, on_abort);
	while ((opt = getopt(argc, argv, "m:s:")) != -1) {
		if (opt == 'm')
			iterations = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			rng_state = strtoull(optarg, NULL, 0) | 1;
		else
			return 2;
	}
	for (int i = optind; i < argc; i++)
		r |= load_path(argv[i]);
	if (r || nseeds == 0) {
		fprintf(stderr, "replay: no usable input\n");
		return 1;
	}
	mutate_all(iterations);
	printf("replay: %zu seeds, %lu mutations, no failure\n", nseeds, iterations);
	for (size_t i = 0; i < nseeds; i++)
		free(seeds[i].data);
	return 0;
}
