/* wardwatch users: the console's people and machines, from the command line (for the
 * first admin and for recovery): `add`, `list`, `disable`, `enable`, `reset`, `role`,
 * `tokens add|list|revoke` and `log` (the audit log, its export and its chain check).
 * Every change is written to the audit log as "cli:<login name>" from "local".
 * Secrets (one-time passwords, TOTP URIs, tokens) are printed once, when made, and
 * never again.  docs/users.md has the policy. */
#include <getopt.h>
#include <pwd.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/ww_auth.h"
#include "wardwatch.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: wardwatch users [--db PATH] add NAME --role ROLE [--display TEXT]\n"
        "                       [--password-stdin] [--totp] [--qr|--no-qr]\n"
        "       wardwatch users [--db PATH] list [--format table|ndjson]\n"
        "       wardwatch users [--db PATH] disable NAME | enable NAME\n"
        "       wardwatch users [--db PATH] reset NAME [--totp] [--password-stdin] [--qr|--no-qr]\n"
        "       wardwatch users [--db PATH] role NAME ROLE\n"
        "       wardwatch users [--db PATH] tokens add NAME --role ROLE\n"
        "       wardwatch users [--db PATH] tokens list [--format table|ndjson]\n"
        "       wardwatch users [--db PATH] tokens revoke NAME\n"
        "       wardwatch users [--db PATH] log [--format table|ndjson|csv] [--verify]\n"
        "\n"
        "The people who may use the console, and tokens for machines.  Roles, from\n"
        "least to most: viewer, analyst, responder, admin; responders and admins need\n"
        "TOTP.  add and reset print a one-time password (changed at the first login)\n"
        "unless --password-stdin reads one (12 to 1024 bytes, not a common one), and\n"
        "the TOTP URI to scan (as a QR code too on a terminal, or with --qr).\n"
        "log prints the audit log; --verify checks its hash chain (exit 1 when it\n"
        "does not hold) and prints its head to record elsewhere.\n"
        "Exit status: 0 done, 1 the audit log failed --verify, 2 error.\n"
        "\n"
        "--db PATH  the database (default $WARDWATCH_DB, else ./wardwatch.db)\n"
        "See docs/users.md.\n");
}

typedef struct cli {
    ww_store_t *st;
    ww_auth_t *a;
    char actor[WW_AUTH_NAME_MAX + 8];
    ww_auth_actor_t by;
} cli_t;

static void cli_close(cli_t *c)
{
    ww_auth_free(c->a);
    ww_store_close(c->st);
}

static int cli_open(const char *db, cli_t *c)
{
    memset(c, 0, sizeof *c);
    ww_diag_t d = {0};
    if (ww_store_open(ww_store_default_path(db), &c->st, &d) != 0 ||
        ww_auth_open(c->st, NULL, &c->a, &d) != 0) {
        ww_cli_error("users: %s%s%s", d.file[0] ? d.file : "", d.file[0] ? ": " : "", d.msg);
        cli_close(c);
        return -1;
    }
    const struct passwd *pw = getpwuid(geteuid());
    snprintf(c->actor, sizeof c->actor, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
    c->by = (ww_auth_actor_t){c->actor, "local"};
    return 0;
}

static void fmt_when(int64_t t, char *out, size_t n, bool iso)
{
    if (!t) {
        snprintf(out, n, "%s", iso ? "" : "never");
        return;
    }
    char full[40];
    ww_time_format(t * 1000000000, full, sizeof full);
    snprintf(out, n, "%.19s%s", full, iso ? "Z" : "");
    if (!iso && strlen(out) > 10)
        out[10] = ' ';
}

/* The password from standard input: one line (a final newline is not part of it). */
static int read_password(const char *cmd, char **out)
{
    char *text = NULL;
    size_t len = 0;
    int rc = ww_read_file("-", WW_AUTH_PASSWORD_MAX + 2, &text, &len);
    if (rc == WW_ELIMIT) {
        ww_cli_error("%s: the password on standard input is longer than %d bytes", cmd,
                     WW_AUTH_PASSWORD_MAX);
        return -1;
    }
    if (rc) {
        ww_cli_error("%s: cannot read the password from standard input: %s", cmd, ww_strerror(rc));
        return -1;
    }
    if (len && text[len - 1] == '\n')
        text[--len] = 0;
    if (len && text[len - 1] == '\r')
        text[--len] = 0;
    if (!len || strlen(text) != len) {
        ww_cli_error("%s: %s", cmd,
                     len ? "the password on standard input holds a NUL byte"
                         : "no password on standard input");
        sodium_memzero(text, len);
        free(text);
        return -1;
    }
    *out = text;
    return 0;
}

static void free_password(char *p)
{
    if (p) {
        sodium_memzero(p, strlen(p));
        free(p);
    }
}

/* The URI as a QR code drawn with half blocks, two module rows per line, light
   modules as blocks (for a dark terminal, as `qrencode -t UTF8` draws it). */
static void print_qr(const char *uri)
{
    QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) {
        fprintf(stderr, "users: the QR code could not be drawn; use the URI\n");
        return;
    }
    const int quiet = 2, w = qr->width;
    for (int y = -quiet; y < w + quiet; y += 2) {
        for (int x = -quiet; x < w + quiet; x++) {
            bool top = y >= 0 && y < w && x >= 0 && x < w && (qr->data[y * w + x] & 1);
            bool bot =
                y + 1 >= 0 && y + 1 < w && x >= 0 && x < w && (qr->data[(y + 1) * w + x] & 1);
            fputs(!top && !bot ? "\u2588" : !top ? "\u2580" : !bot ? "\u2584" : " ", stdout);
        }
        fputc('\n', stdout);
    }
    QRcode_free(qr);
}

static void print_secrets(const ww_auth_secrets_t *s, int qr)
{
    if (s->password[0])
        printf("one-time password (shown once; to be changed at the first login): %s\n",
               s->password);
    if (s->totp_uri[0]) {
        printf("TOTP: add this to an authenticator app now (shown once):\n%s\n", s->totp_uri);
        if (qr > 0 || (qr < 0 && isatty(STDOUT_FILENO)))
            print_qr(s->totp_uri);
    }
}

/* Options shared by add and reset. */
typedef struct person_opts {
    const char *role, *display;
    bool password_stdin, totp;
    int qr; /* -1 on a terminal, 0 never, 1 always */
    const char *format;
    bool verify;
} person_opts_t;

static int parse_opts(const char *cmd, const char **db, int argc, char **argv, person_opts_t *o,
                      const char *allowed)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},
        {"display", required_argument, NULL, 'D'},
        {"password-stdin", no_argument, NULL, 'p'},
        {"totp", no_argument, NULL, 't'},
        {"qr", no_argument, NULL, 'q'},
        {"no-qr", no_argument, NULL, 'Q'},
        {"format", required_argument, NULL, 'f'},
        {"verify", no_argument, NULL, 'v'},
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    *o = (person_opts_t){.qr = -1, .format = "table"};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 1;
        }
        if (c == '?' || (c != 'd' && !strchr(allowed, c))) {
            ww_cli_error("%s: unknown or misplaced option '%s'", cmd, argv[optind - 1]);
            usage(stderr);
            return -1;
        }
        switch (c) {
        case 'r': o->role = optarg; break;
        case 'D': o->display = optarg; break;
        case 'p': o->password_stdin = true; break;
        case 't': o->totp = true; break;
        case 'q': o->qr = 1; break;
        case 'Q': o->qr = 0; break;
        case 'f': o->format = optarg; break;
        case 'v': o->verify = true; break;
        case 'd': *db = optarg; break;
        }
    }
    return 0;
}

/* Exactly n operands after the options, or an error. */
static bool operands(const char *cmd, int argc, int n, const char *what)
{
    if (argc - optind == n)
        return true;
    ww_cli_error("%s: expected %s", cmd, what);
    return false;
}

static int role_arg(const char *cmd, const char *s, ww_role_t *r)
{
    if (!s) {
        ww_cli_error("%s: --role is required (viewer, analyst, responder or admin)", cmd);
        return -1;
    }
    if (ww_role_parse(s, r) != 0) {
        char safe[64];
        ww_cli_error("%s: unknown role '%s' (viewer, analyst, responder or admin)", cmd,
                     ww_cli_safe(s, strlen(s), safe, sizeof safe));
        return -1;
    }
    return 0;
}

static int fail_diag(const char *cmd, const ww_diag_t *d)
{
    char safe[300];
    ww_cli_error("%s: %s", cmd, ww_cli_safe(d->msg, strlen(d->msg), safe, sizeof safe));
    return WW_EXIT_ERROR;
}

static int do_add(const char *db, int argc, char **argv, bool reset)
{
    const char *cmd = reset ? "users reset" : "users add";
    person_opts_t o;
    int r = parse_opts(cmd, &db, argc, argv, &o, reset ? "ptqQ" : "rDptqQ");
    if (r)
        return r > 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
    if (!operands(cmd, argc, 1, "one user name"))
        return WW_EXIT_ERROR;
    const char *name = argv[optind];
    ww_role_t role = WW_ROLE_NONE;
    if (!reset && role_arg(cmd, o.role, &role) != 0)
        return WW_EXIT_ERROR;
    char *pw = NULL;
    if (o.password_stdin && read_password(cmd, &pw) != 0)
        return WW_EXIT_ERROR;
    cli_t c;
    if (cli_open(db, &c) != 0) {
        free_password(pw);
        return WW_EXIT_ERROR;
    }
    ww_auth_secrets_t s;
    ww_diag_t d = {0};
    int ec = WW_EXIT_OK, rc;
    if (reset)
        rc = ww_auth_user_reset(c.a, &c.by, name, pw, o.totp, &s, &d);
    else
        rc = ww_auth_user_add(c.a, &c.by, name, role, o.display, pw, o.totp, &s, &d);
    if (rc) {
        ec = fail_diag(cmd, &d);
    } else {
        ww_user_t u;
        if (ww_auth_user_get(c.a, name, &u, &d) == 1) {
            if (reset)
                printf("reset %s (%s): all sessions ended, new password to be changed at the"
                       " next login%s\n",
                       u.name, ww_role_name(u.role), o.totp ? ", new TOTP to enrol" : "");
            else
                printf("added %s (%s)\n", u.name, ww_role_name(u.role));
        }
        print_secrets(&s, o.qr);
    }
    ww_auth_secrets_wipe(&s);
    free_password(pw);
    cli_close(&c);
    return ec;
}

typedef struct lister {
    bool ndjson;
    int n;
    ww_buf_t b;
} lister_t;

static int list_user(void *ud, const ww_user_t *u)
{
    lister_t *l = ud;
    char last[40], created[40];
    const char *totp = u->totp_verified ? "verified" : u->totp_enrolled ? "enrolled" : "none";
    const char *status = u->disabled ? "disabled" : u->must_change ? "must-change" : "active";
    if (l->ndjson) {
        fmt_when(u->last_login, last, sizeof last, true);
        fmt_when(u->created, created, sizeof created, true);
        ww_buf_clear(&l->b);
        ww_buf_puts(&l->b, "{\"name\":");
        ww_buf_json_str(&l->b, u->name, strlen(u->name));
        ww_buf_puts(&l->b, ",\"display\":");
        ww_buf_json_str(&l->b, u->display, strlen(u->display));
        ww_buf_printf(&l->b,
                      ",\"role\":\"%s\",\"status\":\"%s\",\"disabled\":%s,\"must_change\":%s,"
                      "\"totp\":\"%s\",\"created\":\"%s\",\"last_login\":",
                      ww_role_name(u->role), status, u->disabled ? "true" : "false",
                      u->must_change ? "true" : "false", totp, created);
        if (last[0])
            ww_buf_printf(&l->b, "\"%s\"}\n", last);
        else
            ww_buf_puts(&l->b, "null}\n");
        fputs(l->b.p, stdout);
    } else {
        if (!l->n)
            printf("%-24s %-10s %-12s %-9s %-20s %s\n", "NAME", "ROLE", "STATUS", "TOTP",
                   "LAST LOGIN", "DISPLAY NAME");
        fmt_when(u->last_login, last, sizeof last, false);
        char disp[200];
        printf("%-24s %-10s %-12s %-9s %-20s %s\n", u->name, ww_role_name(u->role), status, totp,
               last, ww_cli_safe(u->display, strlen(u->display), disp, sizeof disp));
    }
    l->n++;
    return ww_cli_output_failed(stdout) ? 1 : 0;
}

static int list_token(void *ud, const ww_token_t *t)
{
    lister_t *l = ud;
    char created[40], used[40];
    const char *status = t->revoked ? "revoked" : "live";
    char by[WW_AUTH_NAME_MAX * 4 + 16];
    if (l->ndjson) {
        fmt_when(t->created, created, sizeof created, true);
        fmt_when(t->last_used, used, sizeof used, true);
        ww_buf_clear(&l->b);
        ww_buf_puts(&l->b, "{\"name\":");
        ww_buf_json_str(&l->b, t->name, strlen(t->name));
        ww_buf_printf(&l->b,
                      ",\"role\":\"%s\",\"status\":\"%s\",\"created_by\":", ww_role_name(t->role),
                      status);
        ww_buf_json_str(&l->b, t->created_by, strlen(t->created_by));
        ww_buf_printf(&l->b, ",\"created\":\"%s\",\"last_used\":", created);
        if (used[0])
            ww_buf_printf(&l->b, "\"%s\"}\n", used);
        else
            ww_buf_puts(&l->b, "null}\n");
        fputs(l->b.p, stdout);
    } else {
        if (!l->n)
            printf("%-24s %-10s %-8s %-20s %-20s %s\n", "NAME", "ROLE", "STATUS", "CREATED",
                   "LAST USED", "CREATED BY");
        fmt_when(t->created, created, sizeof created, false);
        fmt_when(t->last_used, used, sizeof used, false);
        printf("%-24s %-10s %-8s %-20s %-20s %s\n", t->name, ww_role_name(t->role), status, created,
               used, ww_cli_safe(t->created_by, strlen(t->created_by), by, sizeof by));
    }
    l->n++;
    return ww_cli_output_failed(stdout) ? 1 : 0;
}

static int format_arg(const char *cmd, const char *f, bool csv_ok, int *out)
{
    if (!strcmp(f, "table"))
        *out = 0;
    else if (!strcmp(f, "ndjson"))
        *out = 1;
    else if (csv_ok && !strcmp(f, "csv"))
        *out = 2;
    else {
        ww_cli_error("%s: --format must be table%s or ndjson", cmd, csv_ok ? ", csv" : "");
        return -1;
    }
    return 0;
}

static int do_list(const char *db, int argc, char **argv, bool tokens)
{
    const char *cmd = tokens ? "users tokens list" : "users list";
    person_opts_t o;
    int r = parse_opts(cmd, &db, argc, argv, &o, "f"), fmt;
    if (r)
        return r > 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
    if (!operands(cmd, argc, 0, "no operands") || format_arg(cmd, o.format, false, &fmt) != 0)
        return WW_EXIT_ERROR;
    cli_t c;
    if (cli_open(db, &c) != 0)
        return WW_EXIT_ERROR;
    lister_t l = {fmt == 1, 0, {0}};
    ww_buf_init(&l.b, 0);
    ww_diag_t d = {0};
    int rc = tokens ? ww_auth_token_each(c.a, list_token, &l, &d)
                    : ww_auth_user_each(c.a, list_user, &l, &d);
    int ec = rc < 0 ? fail_diag(cmd, &d) : WW_EXIT_OK;
    if (rc == 0 && !l.n && !l.ndjson)
        fprintf(stderr, "%s: none yet (%s)\n", cmd,
                tokens ? "wardwatch users tokens add NAME --role ROLE"
                       : "wardwatch users add NAME --role admin");
    ww_buf_release(&l.b);
    cli_close(&c);
    return ec;
}

static int do_disable(const char *db, int argc, char **argv, bool disable)
{
    const char *cmd = disable ? "users disable" : "users enable";
    person_opts_t o;
    int r = parse_opts(cmd, &db, argc, argv, &o, "");
    if (r)
        return r > 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
    if (!operands(cmd, argc, 1, "one user name"))
        return WW_EXIT_ERROR;
    cli_t c;
    if (cli_open(db, &c) != 0)
        return WW_EXIT_ERROR;
    ww_diag_t d = {0};
    int ec = WW_EXIT_OK;
    if (ww_auth_user_set_disabled(c.a, &c.by, argv[optind], disable, &d) != 0)
        ec = fail_diag(cmd, &d);
    else
        printf("%s %s\n", disable ? "disabled (and logged out)" : "enabled", argv[optind]);
    cli_close(&c);
    return ec;
}

static int do_role(const char *db, int argc, char **argv)
{
    person_opts_t o;
    int r = parse_opts("users role", &db, argc, argv, &o, "");
    if (r)
        return r > 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
    ww_role_t role;
    if (!operands("users role", argc, 2, "a user name and a role") ||
        role_arg("users role", argv[optind + 1], &role) != 0)
        return WW_EXIT_ERROR;
    cli_t c;
    if (cli_open(db, &c) != 0)
        return WW_EXIT_ERROR;
    ww_diag_t d = {0};
    int ec = WW_EXIT_OK;
    ww_user_t u;
    if (ww_auth_user_set_role(c.a, &c.by, argv[optind], role, &d) != 0)
        ec = fail_diag("users role", &d);
    else if (ww_auth_user_get(c.a, argv[optind], &u, &d) == 1) {
        printf("%s is now %s\n", u.name, ww_role_name(role));
        if (ww_role_needs_totp(role) && !u.totp_enrolled)
            printf("note: %s has no TOTP and cannot log in until reset with --totp\n", u.name);
    }
    cli_close(&c);
    return ec;
}

static int do_tokens(const char *db, int argc, char **argv)
{
    if (argc < 2) {
        ww_cli_error("users tokens: add, list or revoke");
        return WW_EXIT_ERROR;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "list"))
        return do_list(db, argc - 1, argv + 1, true);
    bool add = !strcmp(sub, "add");
    if (!add && strcmp(sub, "revoke") != 0) {
        char safe[64];
        ww_cli_error("users tokens: unknown subcommand '%s' (add, list, revoke)",
                     ww_cli_safe(sub, strlen(sub), safe, sizeof safe));
        return WW_EXIT_ERROR;
    }
    const char *cmd = add ? "users tokens add" : "users tokens revoke";
    person_opts_t o;
    int r = parse_opts(cmd, &db, argc - 1, argv + 1, &o, add ? "r" : "");
    if (r)
        return r > 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
    ww_role_t role = WW_ROLE_NONE;
    if (!operands(cmd, argc - 1, 1, "one token name") || (add && role_arg(cmd, o.role, &role) != 0))
        return WW_EXIT_ERROR;
    const char *name = argv[1 + optind];
    cli_t c;
    if (cli_open(db, &c) != 0)
        return WW_EXIT_ERROR;
    ww_diag_t d = {0};
    int ec = WW_EXIT_OK;
    if (add) {
        char tok[WW_TOKEN_LEN + 1];
        if (ww_auth_token_add(c.a, &c.by, name, role, tok, &d) != 0)
            ec = fail_diag(cmd, &d);
        else {
            printf("token %s (%s), shown once; send it as \"Authorization: Bearer TOKEN\":\n%s\n",
                   name, ww_role_name(role), tok);
            sodium_memzero(tok, sizeof tok);
        }
    } else if (ww_auth_token_revoke(c.a, &c.by, name, &d) != 0)
        ec = fail_diag(cmd, &d);
    else
        printf("revoked token %s\n", name);
    cli_close(&c);
    return ec;
}

typedef struct log_ctx {
    int fmt; /* 0 table, 1 ndjson, 2 csv */
    int64_t n;
    ww_buf_t b;
} log_ctx_t;

static int log_row(void *ud, const ww_audit_row_t *r)
{
    log_ctx_t *l = ud;
    ww_buf_clear(&l->b);
    if (l->fmt == 1)
        ww_auth_audit_format(r, WW_AUTH_AUDIT_NDJSON, &l->b);
    else if (l->fmt == 2)
        ww_auth_audit_format(r, WW_AUTH_AUDIT_CSV, &l->b);
    else {
        char when[40], actor[200], action[200], target[300], detail[4200], source[300];
        if (!l->n)
            printf("%-6s %-20s %-20s %-16s %-20s %-16s %s\n", "SEQ", "TIME", "ACTOR", "ACTION",
                   "TARGET", "SOURCE", "DETAIL");
        fmt_when(r->ts, when, sizeof when, false);
        /* Names in failed logins are whatever a stranger typed: escaped. */
        printf("%-6lld %-20s %-20s %-16s %-20s %-16s %s\n", (long long)r->seq, when,
               ww_cli_safe(r->actor, strlen(r->actor), actor, sizeof actor),
               ww_cli_safe(r->action, strlen(r->action), action, sizeof action),
               ww_cli_safe(r->target, strlen(r->target), target, sizeof target),
               ww_cli_safe(r->source, strlen(r->source), source, sizeof source),
               ww_cli_safe(r->detail, strlen(r->detail), detail, sizeof detail));
    }
    l->n++;
    if (l->fmt)
        fwrite(l->b.p, 1, l->b.n, stdout);
    return ww_cli_output_failed(stdout) ? 1 : 0;
}

static int do_log(const char *db, int argc, char **argv)
{
    person_opts_t o;
    int r = parse_opts("users log", &db, argc, argv, &o, "fv"), fmt;
    if (r)
        return r > 0 ? WW_EXIT_OK : WW_EXIT_ERROR;
    if (!operands("users log", argc, 0, "no operands") ||
        format_arg("users log", o.format, true, &fmt) != 0)
        return WW_EXIT_ERROR;
    cli_t c;
    if (cli_open(db, &c) != 0)
        return WW_EXIT_ERROR;
    ww_diag_t d = {0};
    int ec = WW_EXIT_OK;
    if (o.verify) {
        char head[2 * WW_AUDIT_HASH_LEN + 1];
        int64_t n = ww_auth_audit_verify(c.a, head, &d);
        if (n == WW_EPARSE) {
            ww_cli_error("users log: TAMPERED: %s", d.msg);
            ec = WW_EXIT_MATCH;
        } else if (n < 0)
            ec = fail_diag("users log", &d);
        else if (n == 0)
            printf("audit log: empty\n");
        else
            printf("audit log: %lld rows, chain intact; head %s (record it elsewhere: rows cut"
                   " from the end are caught only against it)\n",
                   (long long)n, head);
        cli_close(&c);
        return ec;
    }
    log_ctx_t l = {fmt, 0, {0}};
    ww_buf_init(&l.b, 0);
    if (fmt == 2) {
        ww_auth_audit_csv_header(&l.b);
        fwrite(l.b.p, 1, l.b.n, stdout);
    }
    if (ww_auth_audit_each(c.a, log_row, &l, &d) < 0)
        ec = fail_diag("users log", &d);
    ww_buf_release(&l.b);
    cli_close(&c);
    return ec;
}

int cmd_users(int argc, char **argv)
{
    const char *db;
    int ec, i = ww_cli_db_options(argc, argv, &db, usage, &ec);
    if (i < 0)
        return ec;
    const char *sub = argv[i];
    int sargc = argc - i;
    char **sargv = argv + i;
    if (!strcmp(sub, "add"))
        return do_add(db, sargc, sargv, false);
    if (!strcmp(sub, "reset"))
        return do_add(db, sargc, sargv, true);
    if (!strcmp(sub, "list"))
        return do_list(db, sargc, sargv, false);
    if (!strcmp(sub, "disable") || !strcmp(sub, "enable"))
        return do_disable(db, sargc, sargv, !strcmp(sub, "disable"));
    if (!strcmp(sub, "role"))
        return do_role(db, sargc, sargv);
    if (!strcmp(sub, "tokens"))
        return do_tokens(db, sargc, sargv);
    if (!strcmp(sub, "log"))
        return do_log(db, sargc, sargv);
    char safe[64];
    ww_cli_error("users: unknown subcommand '%s' (add, list, disable, enable, reset, role,"
                 " tokens, log)",
                 ww_cli_safe(sub, strlen(sub), safe, sizeof safe));
    return WW_EXIT_ERROR;
}
