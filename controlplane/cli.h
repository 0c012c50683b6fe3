/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller's command server: a unix stream socket (conf_path_socket,
 * mode 0660).  One request per connection (docs/cli.md):
 *
 *   client:  "show ip cef detail --json\n"
 *   server:  "ok 1234\n" + 1234 bytes of output       then close
 *            "error 27\n" + 27 bytes of error message  then close
 *
 * Commands live in a table: cli_register("show ip cef", handler, help).
 * A request matches the registered command with the most leading words in
 * common (all of the command's words must match); the words after it are
 * the handler's arguments.  "--json" anywhere selects JSON output.
 *
 * A handler fills req->out (text) or writes JSON through req->j, and
 * returns 0, or cli_req_error(), or CLI_ASYNC and later cli_req_done()
 * (e.g. reload replies once the data plane acknowledged the change).
 */
#ifndef DMVPN_CP_CLI_H
#define DMVPN_CP_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "strbuf.h"

#define CLI_MAX_WORDS 32
#define CLI_LINE_MAX 4096
#define CLI_ASYNC 1
#define CLI_READ_TIMEOUT_MS 5000
#define CLI_WRITE_TIMEOUT_MS 30000

struct ctl;
struct cli;
struct cli_conn;

struct cli_req {
	struct ctl *ctl;
	struct cli *cli;
	int argc;			/* words after the command */
	char **argv;
	bool json;
	struct strbuf out;
	struct json j;			/* over out */
	char err[512];
	/* private */
	char line[CLI_LINE_MAX];
	char *words[CLI_MAX_WORDS];
	struct cli_conn *conn;		/* NULL: in-process (cli_exec) */
	void (*done)(void *arg, int status, const char *text, size_t len);
	void *done_arg;
	int status;			/* of the command: 0 ok, -1 error */
	void *cli_private;		/* for the handler of an async command */
};

typedef int (*cli_handler)(struct cli_req *req);

/* sock_path NULL: no socket (commands only through cli_exec). */
int cli_new(struct ctl *c, const char *sock_path, struct cli **out)
	__attribute__((warn_unused_result));
void cli_free(struct cli *cli);

/* words: "show ip cef"; help: one line for `help`. */
int cli_register(struct cli *cli, const char *words, cli_handler h, const char *help);
/* show ip cef / adjacency / interfaces / dataplane / version, reload, debug */
void cli_builtin_register(struct cli *cli);
void cli_show_register(struct cli *cli);	/* show ip cef, show adjacency */

/* Sets req->err; returns -1 for `return cli_req_error(...)`. */
int cli_req_error(struct cli_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Completes a CLI_ASYNC request (status 0 or -1 with req->err set). */
void cli_req_done(struct cli_req *req, int status);
/* True when the word at argv[i] exists and equals w. */
bool cli_arg_is(const struct cli_req *req, int i, const char *w);

/* In-process: runs one command line; done() is called (maybe later, for
 * async commands) with status 0 / -1 and the reply body (or the error). */
int cli_exec(struct cli *cli, const char *line,
	     void (*done)(void *arg, int status, const char *text, size_t len), void *arg);

/* Client side (dmvpnctl, tests): one request, the whole reply.  Returns 0
 * and *status (0 ok, 1 error) with the body in out; -errno when the
 * controller cannot be reached or the reply is truncated. */
int cli_client_request(const char *sock_path, const char *line, int *status,
		       struct strbuf *out, int timeout_ms);

#endif
