/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration loader: libconfig text -> struct conf, a pure function.
 *
 *   conf_load / conf_load_string
 *     read the text (one file: @include is refused)
 *     conf_text_normalise  give integers beyond 32 bits their L (see there)
 *     config_read_string   libconfig syntax; errors with line
 *     conf_load_root       unknown top-level names, defaults, then every
 *                          section of conf_sections[] in table order
 *     conf_check_paths     run-time paths fit their buffers
 *
 * On any error *out is wiped and empty, and the error names the file and the
 * line of the offending setting (line 0 for things not on a line, such as a
 * missing section).  Nothing here touches the running system.
 */
#include "conf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "conf_priv.h"

#define CONF_TEXT_MAX (64u << 20)	/* largest file accepted */
#define CONF_RUNDIR_DEFAULT "/run/dmvpn"
#define CONF_RUNDIR_ENV "DMVPN_RUNDIR"
#define CONF_SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/*
 * Top-level settings, loaded in this order whatever their order in the file:
 * each section may use what the ones above it loaded (tunnel.source names an
 * interface, nhrp needs the tunnel subnet, routes and neighbors check their
 * next hops against both).  A later feature adds its line here: ipsec after
 * routes (tunnel.protection names a profile; a manual SA's peer must be
 * reachable through the underlay routes), ike after ipsec.
 */
static const struct conf_section conf_sections[] = {
	{ .name = "instance", .load = conf_load_instance, .required = true },
	{ .name = "rundir", .load = conf_load_rundir },
	{ .name = "dataplane", .load = conf_load_dataplane },
	{ .name = "interfaces", .load = conf_load_interfaces, .required = true },
	{ .name = "tunnel", .load = conf_load_tunnel },
	{ .name = "nhrp", .load = conf_load_nhrp },
	{ .name = "routes", .load = conf_load_routes },
	{ .name = "neighbors", .load = conf_load_neighbors },
	{ .name = "ipsec", .load = conf_load_ipsec, .free = conf_free_ipsec, .always = true },
	{ .name = "log", .load = conf_load_log },
};

#define N_SECTIONS (sizeof(conf_sections) / sizeof(conf_sections[0]))

/* ---- text normalisation ------------------------------------------------ */

/*
 * libconfig 1.5 reads an integer literal without the L suffix into an int
 * and wraps silently: `key = 4294967296;` would load as key 0, and
 * `key = 4294967295;` (a valid GRE key) as -1.  Before parsing, every integer
 * literal outside the int range gets an L, so libconfig reads it as 64-bit,
 * and literals beyond 64 bits are refused.  The scanner follows libconfig's
 * lexer (scanner.l): strings, # // and C comments and names are copied
 * untouched.  No newline is added or removed, so line numbers stay true.
 */
struct scan {
	const char *in;
	size_t len, i;
	char *out;
	size_t n;
	int line;
};

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_xdigit(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool is_name_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '*';
}

static bool is_name_char(char ch)
{
	return is_name_start(ch) || is_digit(ch) || ch == '-' || ch == '_';
}

static char scan_at(const struct scan *sc, size_t off)
{
	return sc->i + off < sc->len ? sc->in[sc->i + off] : '\0';
}

static void scan_copy(struct scan *sc, size_t count)
{
	for (; count && sc->i < sc->len; count--) {
		if (sc->in[sc->i] == '\n')
			sc->line++;
		sc->out[sc->n++] = sc->in[sc->i++];
	}
}

static void scan_string(struct scan *sc)
{
	scan_copy(sc, 1);
	while (sc->i < sc->len && scan_at(sc, 0) != '"')
		scan_copy(sc, scan_at(sc, 0) == '\\' ? 2 : 1);
	scan_copy(sc, 1);
}

static void scan_comment(struct scan *sc)
{
	if (scan_at(sc, 0) == '/' && scan_at(sc, 1) == '*') {
		scan_copy(sc, 2);
		while (sc->i < sc->len && !(scan_at(sc, 0) == '*' && scan_at(sc, 1) == '/'))
			scan_copy(sc, 1);
		scan_copy(sc, 2);
		return;
	}
	while (sc->i < sc->len && scan_at(sc, 0) != '\n')
		scan_copy(sc, 1);
}

/* [0-9]*(.[0-9]*)?([eE][-+]?[0-9]+)? from the current position */
static size_t float_len(const struct scan *sc, size_t j)
{
	while (is_digit(scan_at(sc, j)))
		j++;
	if (scan_at(sc, j) == '.')
		for (j++; is_digit(scan_at(sc, j)); j++)
			;
	if (scan_at(sc, j) == 'e' || scan_at(sc, j) == 'E') {
		size_t k = j + 1;

		if (scan_at(sc, k) == '+' || scan_at(sc, k) == '-')
			k++;
		if (is_digit(scan_at(sc, k))) {
			while (is_digit(scan_at(sc, k)))
				k++;
			j = k;
		}
	}
	return j;
}

static int scan_text_err(struct conf_ctx *x, int line, const char *msg)
{
	snprintf(x->err->file, sizeof(x->err->file), "%s", x->name);
	x->err->line = line;
	snprintf(x->err->msg, sizeof(x->err->msg), "%s", msg);
	return -1;
}

static int scan_number(struct conf_ctx *x, struct scan *sc)
{
	size_t j = 0, start, digits;
	bool hex = false, neg = false;
	char tmp[32];
	long long v;
	char *end;

	if (scan_at(sc, 0) == '+' || scan_at(sc, 0) == '-')
		neg = scan_at(sc, j++) == '-';
	if (scan_at(sc, j) == '0' && (scan_at(sc, j + 1) == 'x' || scan_at(sc, j + 1) == 'X') &&
	    is_xdigit(scan_at(sc, j + 2)) && j == 0) {
		hex = true;
		j += 2;
	}
	start = j;
	while (hex ? is_xdigit(scan_at(sc, j)) : is_digit(scan_at(sc, j)))
		j++;
	if (!hex && float_len(sc, start) > j) {
		scan_copy(sc, float_len(sc, start));	/* a float: not ours */
		return 0;
	}
	/* significant digits, for the overflow check and strtoll */
	while (start + 1 < j && scan_at(sc, start) == '0')
		start++;
	digits = j - start;
	if (digits > 20)
		goto range;
	for (size_t k = 0; k < digits; k++)
		tmp[k + 1] = scan_at(sc, start + k);
	tmp[0] = neg ? '-' : '+';
	tmp[digits + 1] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, hex ? 16 : 10);
	if (errno == ERANGE)
		goto range;
	scan_copy(sc, j);
	if (scan_at(sc, 0) == 'L') {
		scan_copy(sc, scan_at(sc, 1) == 'L' ? 2 : 1);
		return 0;
	}
	if (v < INT_MIN || v > INT_MAX)
		sc->out[sc->n++] = 'L';
	return 0;
range:
	return scan_text_err(x, sc->line, "integer out of range (more than 64 bits)");
}

static int scan_one(struct conf_ctx *x, struct scan *sc, bool *bol)
{
	char ch = scan_at(sc, 0), nx = scan_at(sc, 1);

	if (ch == '"') {
		scan_string(sc);
	} else if (ch == '#' || (ch == '/' && (nx == '/' || nx == '*'))) {
		scan_comment(sc);
	} else if (is_name_start(ch)) {
		while (is_name_char(scan_at(sc, 0)))
			scan_copy(sc, 1);
	} else if (ch == '@' && *bol) {
		return scan_text_err(x, sc->line, "@include is not supported: one file per node");
	} else if (is_digit(ch) || ((ch == '+' || ch == '-') && is_digit(nx))) {
		if (scan_number(x, sc) < 0)
			return -1;
	} else if (ch == '.' && is_digit(nx)) {
		scan_copy(sc, float_len(sc, 0));
	} else {
		scan_copy(sc, 1);
		*bol = ch == '\n' || (*bol && (ch == ' ' || ch == '\t'));
		return 0;
	}
	*bol = false;
	return 0;
}

static int conf_text_normalise(struct conf_ctx *x, const char *text, size_t len, char **out,
			       size_t *cap)
{
	/* An L is added only after a literal of 10 characters or more. */
	struct scan sc = { .in = text, .len = len, .line = 1 };
	const char *nul = memchr(text, '\0', len);
	bool bol = true;

	/* libconfig would stop reading there and ignore the rest. */
	if (nul) {
		int line = 1;

		for (const char *p = text; p < nul; p++)
			line += *p == '\n';
		return scan_text_err(x, line, "NUL byte in the text");
	}
	*cap = len + len / 8 + 2;
	sc.out = malloc(*cap);
	if (!sc.out)
		return scan_text_err(x, 0, "out of memory");
	*out = sc.out;
	while (sc.i < len)
		if (scan_one(x, &sc, &bol) < 0)
			return -1;
	sc.out[sc.n] = '\0';
	return 0;
}

/* ---- top level --------------------------------------------------------- */

static int conf_defaults(struct conf_ctx *x)
{
	struct conf *c = x->c;
	const char *env = getenv(CONF_RUNDIR_ENV);

	snprintf(c->file, sizeof(c->file), "%s", x->name);
	if (env && *env) {
		if (env[0] != '/' || strlen(env) >= sizeof(c->rundir))
			return conf_err(x, NULL, "%s: must be an absolute path shorter than %zu",
					CONF_RUNDIR_ENV, sizeof(c->rundir));
		snprintf(c->rundir, sizeof(c->rundir), "%s", env);
	} else {
		snprintf(c->rundir, sizeof(c->rundir), "%s", CONF_RUNDIR_DEFAULT);
	}
	c->dp = (struct conf_dataplane){
		.workers = 1,
		.memory_mb = 256,
		.mbufs = 8191,
		.burst = 32,
		.rx_desc = 1024,
		.tx_desc = 1024,
		.adaptive_idle = true,
		.idle_sleep_max_us = 1000,
		.segment_dir = "/dev/shm",
		.max_adjacencies = 16384,
		.max_sas = 16384,
		.fib_tbl8 = 4096,
		.max_routes = 65536,
	};
	snprintf(c->tunnel.name, sizeof(c->tunnel.name), "Tunnel0");
	c->tunnel.mtu = 1400;
	c->nhrp.network_id = 1;
	c->nhrp.holdtime = 7200;
	c->log.level = LOG_LVL_INFO;
	return 0;
}

static const struct conf_section *conf_section_find(const char *name)
{
	for (size_t i = 0; i < N_SECTIONS; i++)
		if (strcmp(conf_sections[i].name, name) == 0)
			return &conf_sections[i];
	return NULL;
}

/* The socket and the segment path must fit sockaddr_un and shm_seg.path. */
static int conf_check_paths(struct conf_ctx *x, const config_setting_t *root)
{
	const config_setting_t *dp = config_setting_get_member(root, "dataplane");
	const config_setting_t *segdir = dp ? config_setting_get_member(dp, "segment_dir") : NULL;
	char buf[CONF_PATH_LEN];
	const struct conf *c = x->c;

	if (strlen(c->rundir) + 1 + strlen(c->instance) + 5 > CONF_SUN_PATH_MAX)
		return conf_err(x, x->rundir, "%s: socket path %s/%s.sock is longer than %zu",
				x->rundir ? "rundir" : CONF_RUNDIR_ENV, c->rundir, c->instance,
				CONF_SUN_PATH_MAX);
	if (shm_path(buf, sizeof(buf), c->dp.segment_dir, c->instance) < 0)
		return conf_err(x, segdir, "dataplane.segment_dir: segment path is longer than %zu",
				sizeof(buf) - 1);
	return 0;
}

static int conf_load_root(struct conf_ctx *x, const config_setting_t *root)
{
	int n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned int)i);

		if (!conf_section_find(config_setting_name(s)))
			return conf_err(x, s, "unknown setting '%s'", config_setting_name(s));
	}
	if (conf_defaults(x) < 0)
		return -1;
	for (size_t i = 0; i < N_SECTIONS; i++) {
		const struct conf_section *sec = &conf_sections[i];
		const config_setting_t *s = config_setting_get_member(root, sec->name);

		if (!s && sec->required)
			return conf_err(x, NULL, "missing '%s'", sec->name);
		if ((s || sec->always) && sec->load(x, s) < 0)
			return -1;
	}
	return conf_check_paths(x, root);
}

static int conf_load_text(const char *text, size_t len, const char *name, struct conf *out,
			  struct conf_error *err)
{
	struct conf_error dummy;
	struct conf_ctx x = { .c = out, .err = err ? err : &dummy, .name = name };
	char *norm = NULL;
	size_t cap = 0;
	config_t cfg;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(x.err, 0, sizeof(*x.err));
	rc = conf_text_normalise(&x, text, len, &norm, &cap);
	if (rc == 0) {
		config_init(&cfg);
		if (!config_read_string(&cfg, norm)) {
			snprintf(x.err->file, sizeof(x.err->file), "%s", name);
			x.err->line = config_error_line(&cfg);
			snprintf(x.err->msg, sizeof(x.err->msg), "%s",
				 config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error");
			rc = -1;
		} else {
			rc = conf_load_root(&x, config_root_setting(&cfg));
		}
		config_destroy(&cfg);
	}
	if (norm) {
		explicit_bzero(norm, cap);	/* holds the NHRP password (and later keys) */
		free(norm);
	}
	if (rc < 0)
		conf_free(out);
	return rc;
}

int conf_load_string(const char *text, const char *name, struct conf *out,
		     struct conf_error *err)
{
	return conf_load_text(text, strlen(text), name ? name : "<string>", out, err);
}

static int conf_file_err(struct conf *out, struct conf_error *err, const char *path,
			 const char *what, int e)
{
	memset(out, 0, sizeof(*out));
	if (err) {
		memset(err, 0, sizeof(*err));
		snprintf(err->file, sizeof(err->file), "%s", path);
		snprintf(err->msg, sizeof(err->msg), "%s: %s", what, strerror(e));
	}
	return -1;
}

int conf_load(const char *path, struct conf *out, struct conf_error *err)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *text;
	size_t len;
	int rc;

	if (!f)
		return conf_file_err(out, err, path, "cannot open", errno);
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONF_TEXT_MAX) {
		fclose(f);
		return conf_file_err(out, err, path, "not a regular file of at most 64 MiB", EINVAL);
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		fclose(f);
		return conf_file_err(out, err, path, "cannot read", ENOMEM);
	}
	len = fread(text, 1, (size_t)st.st_size, f);
	rc = ferror(f) ? conf_file_err(out, err, path, "cannot read", EIO) : 0;
	fclose(f);
	if (rc == 0) {
		text[len] = '\0';
		rc = conf_load_text(text, len, path, out, err);
	}
	explicit_bzero(text, len);
	free(text);
	return rc;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < N_SECTIONS; i++)
		if (conf_sections[i].free)
			conf_sections[i].free(c);
	free(c->nhrp.maps);
	free(c->nhrp.multicast);
	free(c->routes);
	free(c->nbrs);
	free(c->ext);
	explicit_bzero(c, sizeof(*c));	/* wipes nhrp.auth */
}

int conf_iface_find(const struct conf *c, const char *name)
{
	for (uint32_t i = 0; i < c->n_ifaces; i++)
		if (strcmp(c->ifaces[i].name, name) == 0)
			return (int)i;
	return -1;
}

void conf_path_socket(const struct conf *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.sock", c->rundir, c->instance);
}

void conf_path_bell(const struct conf *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.bell", c->rundir, c->instance);
}

void conf_path_segment(const struct conf *c, char *buf, size_t len)
{
	if (shm_path(buf, len, c->dp.segment_dir, c->instance) < 0 && len)
		buf[0] = '\0';
}
