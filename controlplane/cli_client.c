/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client side of the command protocol (dmvpnctl, tests): connect, send one
 * line, read "ok N" / "error N" and exactly N bytes.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd(int fd, short ev, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int64_t left = deadline - mono_ms();
	int n;

	if (left <= 0)
		return -ETIMEDOUT;
	n = poll(&p, 1, (int)left);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

static int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int client_send(int fd, const char *line, int64_t deadline)
{
	size_t len = strlen(line), off = 0;

	while (off < len) {
		ssize_t n;
		int err = wait_fd(fd, POLLOUT, deadline);

		if (err)
			return err;
		n = send(fd, line + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

static int client_read_all(int fd, struct strbuf *in, int64_t deadline)
{
	char buf[65536];

	for (;;) {
		ssize_t n;
		int err = wait_fd(fd, POLLIN, deadline);

		if (err)
			return err;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return in->oom ? -ENOMEM : 0;
		sb_append(in, buf, (size_t)n);
	}
}

/* "ok N\n" / "error N\n" + N bytes. */
static int client_parse(const struct strbuf *in, int *status, struct strbuf *out)
{
	char word[8];
	size_t len;
	int used = 0;
	const char *nl = in->s ? memchr(in->s, '\n', in->len) : NULL;

	if (!nl || sscanf(in->s, "%7s %zu%n", word, &len, &used) != 2 ||
	    in->s + used != nl || (strcmp(word, "ok") && strcmp(word, "error")))
		return -EPROTO;
	if ((size_t)(in->s + in->len - (nl + 1)) != len)
		return -EPIPE;		/* truncated: the controller went away mid-reply */
	*status = strcmp(word, "ok") ? 1 : 0;
	sb_append(out, nl + 1, len);
	return 0;
}

int cli_client_request(const char *sock_path, const char *line, int *status,
		       struct strbuf *out, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	struct strbuf in;
	char *req;
	int fd, err;

	fd = client_connect(sock_path);
	if (fd < 0)
		return fd;
	req = malloc(strlen(line) + 2);
	if (!req) {
		close(fd);
		return -ENOMEM;
	}
	sprintf(req, "%s\n", line);
	sb_init(&in);
	err = client_send(fd, req, deadline);
	if (!err)
		err = client_read_all(fd, &in, deadline);
	if (!err)
		err = client_parse(&in, status, out);
	sb_free(&in);
	free(req);
	close(fd);
	return err;
}
