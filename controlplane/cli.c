/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command server (protocol in cli.h and docs/cli.md).
 *
 * Per connection: READ (one line, CLI_READ_TIMEOUT_MS) -> RUN (the handler;
 * async handlers keep the request) -> WRITE (non-blocking, EPOLLOUT,
 * CLI_WRITE_TIMEOUT_MS) -> closed.  A slow client never blocks the loop.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"

#define CLI_MAX_CMDS 96

struct cli_cmd {
	char *store;			/* words[] point into it */
	char *words[CLI_MAX_WORDS];
	int n_words;
	char *text;
	cli_handler h;
	const char *help;
};

enum cli_conn_state {
	CONN_READ,
	CONN_RUN,			/* off epoll: a hang-up cannot free a running request */
	CONN_WRITE,
};

struct cli_conn {
	LIST_ENTRY(cli_conn) link;
	struct cli *cli;
	enum cli_conn_state state;
	int fd;
	size_t in_len;
	struct cli_req *req;		/* while running or writing */
	struct strbuf reply;
	size_t off;
	struct loop_timer timer;
};

struct cli {
	struct ctl *ctl;
	int fd;
	char path[256];
	struct cli_cmd cmds[CLI_MAX_CMDS];
	int n_cmds;
	LIST_HEAD(, cli_conn) conns;
	unsigned int n_conns;
	uint64_t requests, errors;
};

/* ---- registry ---- */

static int split_words(char *s, char **w, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *tok = strtok_r(s, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return -1;
		w[n++] = tok;
	}
	return n;
}

int cli_register(struct cli *cli, const char *words, cli_handler h, const char *help)
{
	struct cli_cmd *cmd;

	if (cli->n_cmds == CLI_MAX_CMDS)
		return -ENOSPC;
	cmd = &cli->cmds[cli->n_cmds];
	cmd->text = strdup(words);
	cmd->store = strdup(words);
	if (!cmd->text || !cmd->store)
		goto fail;
	cmd->n_words = split_words(cmd->store, cmd->words, CLI_MAX_WORDS);
	if (cmd->n_words <= 0)
		goto fail;
	cmd->h = h;
	cmd->help = help;
	cli->n_cmds++;
	return 0;
fail:
	free(cmd->text);
	free(cmd->store);
	return -ENOMEM;
}

/* The command with the most words matching the start of the request. */
static const struct cli_cmd *cli_match(const struct cli *cli, char **w, int n)
{
	const struct cli_cmd *best = NULL;

	for (int i = 0; i < cli->n_cmds; i++) {
		const struct cli_cmd *cmd = &cli->cmds[i];
		int k = 0;

		if (cmd->n_words > n || (best && cmd->n_words <= best->n_words))
			continue;
		while (k < cmd->n_words && strcmp(cmd->words[k], w[k]) == 0)
			k++;
		if (k == cmd->n_words)
			best = cmd;
	}
	return best;
}

int cli_req_error(struct cli_req *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->err, sizeof(req->err), fmt, ap);
	va_end(ap);
	return -1;
}

bool cli_arg_is(const struct cli_req *req, int i, const char *w)
{
	return i < req->argc && strcmp(req->argv[i], w) == 0;
}

static int cli_help(struct cli_req *req)
{
	const struct cli *cli = req->cli;

	if (req->json) {
		json_obj_open(&req->j, NULL);
		json_arr_open(&req->j, "commands");
		for (int i = 0; i < cli->n_cmds; i++) {
			json_obj_open(&req->j, NULL);
			json_str(&req->j, "command", cli->cmds[i].text);
			json_str(&req->j, "help", cli->cmds[i].help ? cli->cmds[i].help : "");
			json_obj_close(&req->j);
		}
		json_arr_close(&req->j);
		json_obj_close(&req->j);
		return 0;
	}
	for (int i = 0; i < cli->n_cmds; i++)
		sb_printf(&req->out, "%-36s %s\n", cli->cmds[i].text,
			  cli->cmds[i].help ? cli->cmds[i].help : "");
	return 0;
}

/* ---- running a request ---- */

static void cli_conn_reply(struct cli_conn *conn);
static void cli_conn_event(struct loop *l, int fd, uint32_t events, void *arg);

void cli_req_done(struct cli_req *req, int status)
{
	struct cli_conn *conn = req->conn;

	req->status = status;
	if (status)
		req->cli->errors++;
	if (req->json && !status && req->out.len && req->out.s[req->out.len - 1] != '\n')
		sb_puts(&req->out, "\n");
	if (conn) {
		cli_conn_reply(conn);
		return;
	}
	if (status)
		req->done(req->done_arg, -1, req->err, strlen(req->err));
	else
		req->done(req->done_arg, 0, req->out.s ? req->out.s : "", req->out.len);
	sb_free(&req->out);
	free(req);
}

static void cli_req_run(struct cli *cli, struct cli_req *req)
{
	int n, kept = 0, status;
	const struct cli_cmd *cmd;

	cli->requests++;
	n = split_words(req->line, req->words, CLI_MAX_WORDS);
	for (int i = 0; i < n; i++) {
		if (strcmp(req->words[i], "--json") == 0)
			req->json = true;
		else
			req->words[kept++] = req->words[i];
	}
	if (n < 0 || kept == 0) {
		cli_req_done(req, cli_req_error(req, n < 0 ? "too many words" : "empty command"));
		return;
	}
	cmd = cli_match(cli, req->words, kept);
	if (!cmd) {
		cli_req_done(req, cli_req_error(req, "unknown command \"%s\" (try \"help\")",
						req->words[0]));
		return;
	}
	req->argv = req->words + cmd->n_words;
	req->argc = kept - cmd->n_words;
	log_debug("cli: %s", cmd->text);
	status = cmd->h(req);
	if (status != CLI_ASYNC)
		cli_req_done(req, status ? -1 : 0);
}

static struct cli_req *cli_req_new(struct cli *cli, const char *line)
{
	struct cli_req *req = calloc(1, sizeof(*req));

	if (!req)
		return NULL;
	req->cli = cli;
	req->ctl = cli->ctl;
	snprintf(req->line, sizeof(req->line), "%s", line);
	sb_init(&req->out);
	json_init(&req->j, &req->out);
	return req;
}

int cli_exec(struct cli *cli, const char *line,
	     void (*done)(void *arg, int status, const char *text, size_t len), void *arg)
{
	struct cli_req *req = cli_req_new(cli, line);

	if (!req)
		return -ENOMEM;
	req->done = done;
	req->done_arg = arg;
	cli_req_run(cli, req);
	return 0;
}

/* ---- connections ---- */

static void cli_conn_close(struct cli_conn *conn)
{
	struct loop *l = conn->cli->ctl->loop;

	loop_timer_cancel(l, &conn->timer);
	if (conn->state != CONN_RUN)
		loop_fd_del(l, conn->fd);
	close(conn->fd);
	LIST_REMOVE(conn, link);
	if (conn->req) {
		sb_free(&conn->req->out);
		free(conn->req);
	}
	sb_free(&conn->reply);
	conn->cli->n_conns--;
	free(conn);
}

static void cli_conn_timeout(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	cli_conn_close(arg);
}

static void cli_conn_write(struct cli_conn *conn)
{
	while (conn->off < conn->reply.len) {
		ssize_t n = send(conn->fd, conn->reply.s + conn->off, conn->reply.len - conn->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;		/* EPOLLOUT brings us back */
		if (n <= 0) {
			cli_conn_close(conn);
			return;
		}
		conn->off += (size_t)n;
	}
	cli_conn_close(conn);
}

/* Frames the reply ("ok N" / "error N" + N bytes) and starts writing. */
static void cli_conn_reply(struct cli_conn *conn)
{
	struct cli_req *req = conn->req;
	struct loop *l = conn->cli->ctl->loop;
	const char *body = req->status ? req->err : (req->out.s ? req->out.s : "");
	size_t len = req->status ? strlen(req->err) : req->out.len;

	if (!req->status && req->out.oom) {
		req->status = -1;
		body = "out of memory building the reply";
		len = strlen(body);
	}
	sb_printf(&conn->reply, "%s %zu\n", req->status ? "error" : "ok", len);
	sb_append(&conn->reply, body, len);
	sb_free(&req->out);
	free(req);
	conn->req = NULL;
	loop_timer_arm(l, &conn->timer, CLI_WRITE_TIMEOUT_MS);
	if (conn->state == CONN_RUN && loop_fd_add(l, conn->fd, EPOLLOUT, cli_conn_event, conn) < 0) {
		conn->state = CONN_RUN;		/* not on epoll */
		cli_conn_close(conn);
		return;
	}
	conn->state = CONN_WRITE;
	cli_conn_write(conn);
}

static void cli_conn_read(struct cli_conn *conn)
{
	char *line = conn->req->line;
	ssize_t n = recv(conn->fd, line + conn->in_len, CLI_LINE_MAX - 1 - conn->in_len,
			 MSG_DONTWAIT);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		cli_conn_close(conn);	/* gone before asking anything */
		return;
	}
	conn->in_len += (size_t)n;
	line[conn->in_len] = '\0';
	nl = memchr(line, '\n', conn->in_len);
	if (!nl && conn->in_len < CLI_LINE_MAX - 1)
		return;
	if (nl)
		*nl = '\0';
	/* no more reading: the request is complete */
	loop_fd_del(conn->cli->ctl->loop, conn->fd);
	conn->state = CONN_RUN;
	loop_timer_cancel(conn->cli->ctl->loop, &conn->timer);
	if (!nl) {
		cli_req_done(conn->req, cli_req_error(conn->req, "request line too long"));
		return;
	}
	cli_req_run(conn->cli, conn->req);
}

static void cli_conn_event(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct cli_conn *conn = arg;

	(void)l;
	(void)fd;
	if (conn->state == CONN_READ)
		cli_conn_read(conn);
	else if (conn->state == CONN_WRITE && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
		cli_conn_write(conn);
}

static void cli_accept(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct cli *cli = arg;
	struct cli_conn *conn;
	int cfd;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		conn = calloc(1, sizeof(*conn));
		if (conn)
			conn->req = cli_req_new(cli, "");
		if (!conn || !conn->req || loop_fd_add(l, cfd, EPOLLIN, cli_conn_event, conn) < 0) {
			if (conn)
				free(conn->req);
			free(conn);
			close(cfd);
			continue;
		}
		conn->cli = cli;
		conn->fd = cfd;
		conn->state = CONN_READ;
		LIST_INSERT_HEAD(&cli->conns, conn, link);
		conn->req->conn = conn;
		sb_init(&conn->reply);
		loop_timer_init(&conn->timer, cli_conn_timeout, conn);
		loop_timer_arm(l, &conn->timer, CLI_READ_TIMEOUT_MS);
		cli->n_conns++;
	}
}

static int cli_listen(struct cli *cli, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);	/* stale from a previous run */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 16) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	cli->fd = fd;
	snprintf(cli->path, sizeof(cli->path), "%s", path);
	return 0;
}

int cli_new(struct ctl *c, const char *sock_path, struct cli **out)
{
	struct cli *cli = calloc(1, sizeof(*cli));
	int err;

	if (!cli)
		return -ENOMEM;
	cli->ctl = c;
	cli->fd = -1;
	LIST_INIT(&cli->conns);
	cli_register(cli, "help", cli_help, "list the commands");
	if (sock_path) {
		err = cli_listen(cli, sock_path);
		if (!err)
			err = loop_fd_add(c->loop, cli->fd, EPOLLIN, cli_accept, cli);
		if (err) {
			log_err("cli: %s: %s", sock_path, strerror(-err));
			cli_free(cli);
			return err;
		}
	}
	*out = cli;
	return 0;
}

void cli_free(struct cli *cli)
{
	if (!cli)
		return;
	while (!LIST_EMPTY(&cli->conns))
		cli_conn_close(LIST_FIRST(&cli->conns));
	if (cli->fd >= 0) {
		loop_fd_del(cli->ctl->loop, cli->fd);
		close(cli->fd);
		unlink(cli->path);
	}
	for (int i = 0; i < cli->n_cmds; i++) {
		free(cli->cmds[i].store);
		free(cli->cmds[i].text);
	}
	free(cli);
}
