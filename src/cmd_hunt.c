/* wardwatch hunt: runs Sigma rules (wardwatch's own pack, the SigmaHQ release in use
 * and any --rules) over log files and reports alerts as a table, NDJSON, or a summary.  Exit
 * status: 0 nothing matched, 1 something did, 2 an error (unreadable input or rules).
 *
 * The work runs on the library's pipeline (lib/pipeline), as `serve`'s does: with
 * --threads N > 1 the main thread decodes events into batches, N worker threads
 * evaluate the batches, and the main thread replays each batch's matches in input
 * order -- correlations, alerts, counts -- so the output is byte for byte that of
 * --threads 1.  A line-based file (syslog, text, JSON lines) or an EVTX file is not
 * even decoded on the main thread: it is cut into ranges of lines or of whole chunks
 * that the workers decode too (see ranges_submit).
 *
 * Triage: the filters (--min-level, --host, --rule, --since, --until) are applied as the
 * alerts are replayed, to every format, and counted.  The table groups alerts of one
 * rule on one host (and, for a correlation, one group key) and prints the groups at the
 * end in order of first appearance (see group_add); NDJSON and CSV stay one record per
 * alert for machines.  Suppressions (--suppress, the site's suppress.yml) are Sigma
 * filters applied by the loader; their shadow rules match what they removed, and are
 * counted here per suppression instead of alerting.  Alerts say where they come from
 * by line for text inputs and by record for EVTX, and show the rule's `fields:`. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detect/ww_detect.h"
#include "intel/ww_intel.h"
#include "pipeline/ww_pipeline.h"
#include "wardwatch.h"

enum { FMT_TABLE, FMT_NDJSON, FMT_SUMMARY, FMT_CSV };

/* A correlation's refs (the pipeline's): which file, and where in it: the 1-based line
 * of the event for a text input (REF_LINE set), else its 0-based record index. */
#define REF_FILE_SHIFT WW_PIPE_REF_SHIFT
#define REF_LINE WW_PIPE_REF_LINE
#define REF_POS_MASK (REF_LINE - 1)

#define TABLE_FIELDS_MAX 8 /* field lines under one table entry */

typedef struct count {
    char *key;
    uint64_t n;
    int level;
} count_t;

typedef struct counts {
    count_t *v;
    size_t n, cap;
} counts_t;

/* Grouping of the table and summary views: alerts of one rule on one host become one
 * group, kept in order of first appearance (the replay is in input order, so groups are
 * the same for every --threads N).  The number of groups is capped: an alert that would
 * open a group past the cap is only counted. */
#define GROUPS_MAX 10000
#define GROUP_SLOTS 16384 /* hash slots, a power of two above GROUPS_MAX */
#define GROUP_HOST_MAX 256
#define GROUP_TEXT_MAX 4096 /* a group's key and detail text */

typedef struct group {
    const ww_sigma_rule_t *rule;
    char *host;   /* "" when none */
    char *key;    /* a correlation's group key ("name=value ..."), "" for other rules */
    char *where;  /* the first alert's file:line or file#record */
    char *detail; /* the first alert's fields ("" when none), or a correlation's value */
    uint64_t n;
    int64_t first, last; /* earliest and latest time stamps, WW_TIME_NONE when none */
} group_t;

typedef struct groups {
    group_t *v;
    size_t n;
    uint32_t *slot;   /* GROUP_SLOTS entries: group index + 1, 0 empty */
    uint64_t dropped; /* alerts that would have opened a group past the cap */
} groups_t;

/* The triage filters; an empty pattern or WW_TIME_NONE bound is unset. */
typedef struct filters {
    const char *host, *rule;
    int64_t since, until;
    bool any; /* any filter set, --min-level included */
} filters_t;

/* Lines per range handed to a worker. */
#define RANGE_LINES WW_PIPE_BATCH
/* Chunks per EVTX range: one chunk (64 KiB, a few dozen to a few hundred records) is
 * already work enough to outweigh handing it to a worker. */
#define EVTX_RANGE_CHUNKS 1
#define MAX_THREADS WW_PIPE_MAX_THREADS

typedef struct hunt {
    int format, min_level;
    bool group; /* table view: group repeated alerts (--no-group clears it) */
    filters_t flt;
    groups_t groups;
    uint64_t filtered; /* alerts the filters left out */
    int threads;
    ww_pipe_t *pipe;
    bool color, progress;
    ww_cli_files_t files;
    ww_sigma_ruleset_t *rs;
    ww_detect_t *prog;
    ww_corr_t *corr;
    /* The file being decoded (batches replay later, setting the fields below). */
    size_t dec_file;
    int dec_fmt;
    uint64_t decoded; /* events decoded on this thread, for the progress line */
    /* The alert being written: its event, file, record and format. */
    const ww_event_t *ev;
    size_t file;
    uint64_t index;
    uint64_t line; /* 1-based line of the event's record, 0 when not a text input */
    int fmt;
    uint64_t range_pos; /* bytes handed out as ranges, for the progress line; 0 if none */
    uint64_t bad_here;  /* bad records of the file being decoded */
    bool stop;          /* standard output failed: stop reading */
    /* Totals. */
    uint64_t events, malformed, bytes, alerts, open_errors, damaged_files;
    uint64_t read_errors, unread_files; /* inputs that could not be read to their end */
    uint64_t not_logs;                  /* files in walked directories that are no log */
    char not_log_first[512];            /* the first of them, and why */
    uint64_t per_level[5];
    uint64_t *per_rule;
    counts_t tactics, techniques;
    ww_buf_t out;
    double t0, last_progress;
    /* Where the rules came from, for the summary. */
    double load_secs;
    bool pack;
    char sigmahq[PATH_MAX]; /* the SigmaHQ set loaded, "" when none */
    int sigmahq_installed;  /* 1 installed by `rules update`, 0 shipped */
    size_t extra_paths;     /* --rules */
    uint32_t ph_rejected;   /* rules refused for a missing or bad placeholder */
    /* Suppressions: matches of each one's shadows, in all, the shadow rules, and the
       warnings given (expired, naming rules it cannot apply to, unused). */
    uint64_t *supp_hits;
    uint64_t suppressed;
    uint32_t nsupp, nshadow, supp_warnings, supp_errors;
} hunt_t;

static const char *level_color(int level)
{
    static const char *colors[] = {"\033[2m", "\033[36m", "\033[33m", "\033[31m", "\033[1;37;41m"};
    return colors[level < 0 ? 0 : level > 4 ? 4 : level];
}

static void counts_add(counts_t *c, const char *key, uint64_t n)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].key, key)) {
            c->v[i].n += n;
            return;
        }
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        count_t *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv)
            return;
        c->v = nv;
        c->cap = ncap;
    }
    char *k = strdup(key);
    if (!k)
        return;
    c->v[c->n++] = (count_t){k, n, 0};
}

static void counts_release(counts_t *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i].key);
    free(c->v);
}

static int count_cmp(const void *a, const void *b)
{
    const count_t *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    if (x->level != y->level)
        return x->level < y->level ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* Counts an alert's ATT&CK tags: attack.tNNNN[.NNN] is a technique, any other
 * attack.* name (not a group gNNNN or software sNNNN) a tactic. */
static void count_attack(hunt_t *h, const ww_sigma_rule_t *rule)
{
    for (uint32_t i = 0; i < rule->ntags; i++) {
        const char *t = rule->tags[i];
        if (strncmp(t, "attack.", 7) != 0)
            continue;
        t += 7;
        bool coded = (t[0] == 't' || t[0] == 'g' || t[0] == 's') && t[1] >= '0' && t[1] <= '9';
        if (!coded) {
            counts_add(&h->tactics, t, 1);
        } else if (t[0] == 't') {
            char up[64];
            snprintf(up, sizeof up, "%s", t);
            up[0] = 'T';
            counts_add(&h->techniques, up, 1);
        }
    }
}

static void put_rule_json(ww_buf_t *b, const ww_sigma_rule_t *rule)
{
    ww_buf_puts(b, "{\"id\":");
    if (rule->id)
        ww_buf_json_str(b, rule->id, strlen(rule->id));
    else
        ww_buf_puts(b, "null");
    ww_buf_puts(b, ",\"title\":");
    ww_buf_json_str(b, rule->title, strlen(rule->title));
    ww_buf_printf(b, ",\"level\":\"%s\",\"tags\":[", ww_level_name(rule->level));
    for (uint32_t i = 0; i < rule->ntags; i++) {
        if (i)
            ww_buf_putc(b, ',');
        ww_buf_json_str(b, rule->tags[i], strlen(rule->tags[i]));
    }
    ww_buf_putc(b, ']');
    if (rule->corr)
        ww_buf_printf(b, ",\"correlation\":\"%s\"", ww_corr_type_name(rule->corr->type));
    ww_buf_putc(b, '}');
}

static void put_time_json(ww_buf_t *b, int64_t ts)
{
    char tbuf[48];
    if (ts == WW_TIME_NONE) {
        ww_buf_puts(b, "null");
        return;
    }
    ww_time_format(ts, tbuf, sizeof tbuf);
    ww_buf_json_str(b, tbuf, strlen(tbuf));
}

/* Writes the pending output.  Once a write fails (a full disk, a closed pipe) there
 * is no one to read the rest: hunting stops, and main() reports the failure. */
static void flush_out(hunt_t *h)
{
    if (h->out.n && !h->stop &&
        (fwrite(h->out.p, 1, h->out.n, stdout) != h->out.n || ww_cli_output_failed(stdout)))
        h->stop = true;
    ww_buf_clear(&h->out);
}

/* The most telling field of an event, for the one-line table view. */
static const ww_field_t *detail_field(const ww_event_t *ev)
{
    static const ww_str_t names[] = {
        WW_STR("CommandLine"),   WW_STR("ScriptBlockText"), WW_STR("TargetFilename"),
        WW_STR("TargetImage"),   WW_STR("TargetObject"),    WW_STR("QueryName"),
        WW_STR("DestinationIp"), WW_STR("ImageLoaded"),     WW_STR("PipeName"),
        WW_STR("Image"),         WW_STR("message"),         WW_STR("Message"),
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(names); i++) {
        const ww_field_t *f = ww_event_get(ev, names[i], NULL);
        if (f && f->value.n)
            return f;
    }
    return NULL;
}

/* Appends text taken from events, rules or file names with control characters
 * escaped: a log line must not be able to move the cursor or forge a table line.
 * Text longer than a table line can show is cut. */
static void put_safe(ww_buf_t *b, const char *s, size_t n)
{
    char tmp[2048];
    ww_buf_puts(b, ww_cli_safe(s, n, tmp, sizeof tmp));
}

/* "2026-04-08 10:58:04", or "-" without a time stamp: seconds are enough on a terminal. */
static void short_time(int64_t ts, char *out, size_t outlen)
{
    if (ts == WW_TIME_NONE) {
        snprintf(out, outlen, "-");
        return;
    }
    char tbuf[48];
    ww_time_format(ts, tbuf, sizeof tbuf);
    tbuf[19] = 0;
    tbuf[10] = ' ';
    snprintf(out, outlen, "%s", tbuf);
}

/* The two lines every table entry starts with; a group of n > 1 alerts says so. */
static void table_line(hunt_t *h, const ww_sigma_rule_t *rule, int64_t ts, ww_str_t host,
                       const char *where, uint64_t n)
{
    char tbuf[48];
    short_time(ts, tbuf, sizeof tbuf);
    const char *lv = ww_level_name(rule->level);
    if (h->color)
        ww_buf_printf(&h->out, "%s  %s%-13s\033[0m ", tbuf, level_color(rule->level), lv);
    else
        ww_buf_printf(&h->out, "%s  %-13s ", tbuf, lv);
    put_safe(&h->out, rule->title, strlen(rule->title));
    if (n > 1)
        ww_buf_printf(&h->out, "  [x%llu]", (unsigned long long)n);
    ww_buf_puts(&h->out, "\n    host ");
    if (host.n)
        put_safe(&h->out, host.p, host.n);
    else
        ww_buf_putc(&h->out, '-');
    ww_buf_puts(&h->out, "  at ");
    put_safe(&h->out, where, strlen(where));
    if (n > 1)
        ww_buf_puts(&h->out, " (first seen)");
    ww_buf_putc(&h->out, '\n');
}

/* One field, "    Name: value\n", cut at 160 bytes. */
static void put_field_line(ww_buf_t *b, const ww_field_t *f)
{
    /* The first 160 bytes, not cutting a UTF-8 character in two. */
    size_t n = f->value.n > 160 ? 160 : f->value.n;
    while (n && n < f->value.n && ((unsigned char)f->value.p[n] & 0xC0) == 0x80)
        n--;
    ww_buf_puts(b, "    ");
    put_safe(b, f->name.p, f->name.n);
    ww_buf_puts(b, ": ");
    put_safe(b, f->value.p, n);
    ww_buf_puts(b, n < f->value.n ? "...\n" : "\n");
}

/* The fields an analyst should look at: the rule's `fields:` that the event has, in
 * the rule's order; or, when the rule lists none or the event has none of them, the
 * event's most telling field.  Returns how many were written to out. */
static uint32_t shown_fields(const ww_sigma_rule_t *rule, const ww_event_t *ev,
                             const ww_field_t **out)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < rule->nfields && n < WW_SIGMA_MAX_FIELDS; i++) {
        ww_str_t name = {rule->fields[i], strlen(rule->fields[i])};
        const ww_field_t *f = ww_event_get(ev, name, NULL);
        if (f)
            out[n++] = f;
    }
    if (!n && (out[0] = detail_field(ev)) != NULL)
        n = 1;
    return n;
}

/* The table's field lines of an alert: at most TABLE_FIELDS_MAX. */
static void put_detail(ww_buf_t *b, const ww_sigma_rule_t *rule, const ww_event_t *ev)
{
    const ww_field_t *f[WW_SIGMA_MAX_FIELDS];
    uint32_t n = shown_fields(rule, ev, f);
    for (uint32_t i = 0; i < n && i < TABLE_FIELDS_MAX; i++)
        put_field_line(b, f[i]);
    if (n > TABLE_FIELDS_MAX)
        ww_buf_printf(b, "    ... %u more fields (--format ndjson shows them)\n",
                      n - TABLE_FIELDS_MAX);
}

/* "Name=value; Name=value" of the shown fields, for a CSV cell (raw: put_csv quotes). */
static void put_fields_text(ww_buf_t *b, const ww_sigma_rule_t *rule, const ww_event_t *ev)
{
    const ww_field_t *f[WW_SIGMA_MAX_FIELDS];
    uint32_t n = shown_fields(rule, ev, f);
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            ww_buf_puts(b, "; ");
        ww_buf_append(b, f[i]->name.p, f[i]->name.n);
        ww_buf_putc(b, '=');
        ww_buf_append(b, f[i]->value.p, f[i]->value.n);
    }
}

/* NDJSON's "fields": every field the rule lists, null when the event lacks it; for a
 * rule without `fields:`, the most telling field, or nothing. */
static void put_fields_json(ww_buf_t *b, const ww_sigma_rule_t *rule, const ww_event_t *ev)
{
    ww_buf_putc(b, '{');
    if (rule->nfields) {
        for (uint32_t i = 0; i < rule->nfields; i++) {
            ww_str_t name = {rule->fields[i], strlen(rule->fields[i])};
            const ww_field_t *f = ww_event_get(ev, name, NULL);
            if (i)
                ww_buf_putc(b, ',');
            ww_buf_json_str(b, name.p, name.n);
            ww_buf_putc(b, ':');
            if (f)
                ww_buf_json_str(b, f->value.p, f->value.n);
            else
                ww_buf_puts(b, "null");
        }
    } else {
        const ww_field_t *f = detail_field(ev);
        if (f) {
            ww_buf_json_str(b, f->name.p, f->name.n);
            ww_buf_putc(b, ':');
            ww_buf_json_str(b, f->value.p, f->value.n);
        }
    }
    ww_buf_putc(b, '}');
}

/* A correlation's group key, "name=value name=value" (raw). */
static void put_corr_key(ww_buf_t *b, const ww_corr_alert_t *a)
{
    for (uint32_t i = 0; i < a->ngroup; i++) {
        if (i)
            ww_buf_putc(b, ' ');
        ww_buf_puts(b, a->group_names[i]);
        ww_buf_putc(b, '=');
        ww_buf_append(b, a->group_values[i].p, a->group_values[i].n);
    }
}

/* Where an event is: "path:LINE" for a text input, else "path#RECORD" (1-based). */
static void where_text(char *out, size_t outlen, const char *path, uint64_t line, uint64_t index)
{
    if (line)
        snprintf(out, outlen, "%s:%llu", path, (unsigned long long)line);
    else
        snprintf(out, outlen, "%s#%llu", path, (unsigned long long)index + 1);
}

/* A correlation's value and group key, "    count 12 for host=x\n". */
static void put_corr_detail(ww_buf_t *b, const ww_corr_alert_t *a)
{
    ww_buf_printf(b, "    %s %.17g for", ww_corr_type_name(a->rule->corr->type), a->value);
    for (uint32_t i = 0; i < a->ngroup; i++) {
        ww_buf_putc(b, ' ');
        put_safe(b, a->group_names[i], strlen(a->group_names[i]));
        ww_buf_putc(b, '=');
        put_safe(b, a->group_values[i].p, a->group_values[i].n);
    }
    ww_buf_putc(b, '\n');
}

/* ---- filters ------------------------------------------------------------------------ */

/* Host names compare without case (DNS and NetBIOS names do), as a glob. */
static bool host_matches(const char *pat, const char *p, size_t n)
{
    char buf[GROUP_HOST_MAX];
    if (n >= sizeof buf || memchr(p, 0, n))
        return false; /* no real host name is that long or holds a NUL */
    memcpy(buf, p, n);
    buf[n] = 0;
    return fnmatch(pat, buf, FNM_CASEFOLD) == 0;
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return true;
    return n == 0;
}

/* --rule: the rule's id, or its title as a glob when the pattern has one (`*`, `?`,
 * `[`), else as a substring; all without case. */
static bool rule_matches(const char *pat, const ww_sigma_rule_t *r)
{
    if (r->id && !strcasecmp(pat, r->id))
        return true;
    if (strpbrk(pat, "*?["))
        return fnmatch(pat, r->title, FNM_CASEFOLD) == 0;
    return contains_nocase(r->title, pat);
}

/* The host of a correlation alert: its group key's host field, if it has one. */
static ww_str_t corr_host(const ww_corr_alert_t *a)
{
    static const char *names[] = {"host", "hostname", "computer", "computername"};
    for (uint32_t i = 0; i < a->ngroup; i++)
        for (size_t k = 0; k < WW_ARRAY_LEN(names); k++)
            if (!strcasecmp(a->group_names[i], names[k]))
                return a->group_values[i];
    return (ww_str_t){0};
}

/* Whether an alert passes --min-level and the triage filters; counts those left out.
 * With --since/--until an alert without a time stamp cannot be placed: it is left out;
 * with --host so is an alert without a host. */
static bool keep(hunt_t *h, const ww_sigma_rule_t *rule, int64_t ts, ww_str_t host)
{
    const filters_t *f = &h->flt;
    bool ok = rule->level >= h->min_level;
    if (ok && f->host)
        ok = host.n && host_matches(f->host, host.p, host.n);
    if (ok && f->rule)
        ok = rule_matches(f->rule, rule);
    if (ok && f->since != WW_TIME_NONE)
        ok = ts != WW_TIME_NONE && ts >= f->since;
    if (ok && f->until != WW_TIME_NONE)
        ok = ts != WW_TIME_NONE && ts <= f->until;
    if (!ok)
        h->filtered++;
    return ok;
}

/* ---- groups ------------------------------------------------------------------------- */

static uint32_t group_hash(uint32_t rule, const char *host, size_t n, const char *key, size_t kn)
{
    uint32_t x = 2166136261u ^ rule;
    x *= 16777619u;
    for (size_t i = 0; i < n; i++) {
        x ^= (unsigned char)host[i];
        x *= 16777619u;
    }
    x ^= 0xFF; /* host "a" key "b" is not host "ab" */
    for (size_t i = 0; i < kn; i++) {
        x ^= (unsigned char)key[i];
        x *= 16777619u;
    }
    return x;
}

/* Text cut at GROUP_TEXT_MAX bytes, at a character boundary. */
static size_t group_cut(const char *s, size_t n)
{
    if (n <= GROUP_TEXT_MAX)
        return n;
    n = GROUP_TEXT_MAX;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* Counts an alert in its group (rule, host, correlation key), opening the group if
 * there is room.  `key` is a correlation alert's group key ("" otherwise): alerts of
 * one correlation for different users or addresses are different entries.  `detail`
 * is the rendered tail of the table entry, kept from the first alert only. */
static void group_add(hunt_t *h, const ww_sigma_rule_t *rule, int64_t ts, ww_str_t host,
                      const char *key, size_t key_n, const char *where, const char *detail,
                      size_t detail_n)
{
    groups_t *g = &h->groups;
    size_t hn = host.n < GROUP_HOST_MAX ? host.n : GROUP_HOST_MAX - 1;
    key_n = group_cut(key, key_n);
    if (!g->slot) {
        g->slot = calloc(GROUP_SLOTS, sizeof *g->slot);
        g->v = calloc(GROUPS_MAX, sizeof *g->v);
        if (!g->slot || !g->v) {
            free(g->slot);
            free(g->v);
            g->slot = NULL;
            g->v = NULL;
            g->dropped++;
            return;
        }
    }
    uint32_t i = group_hash(rule->index, host.p, hn, key, key_n) & (GROUP_SLOTS - 1);
    for (; g->slot[i]; i = (i + 1) & (GROUP_SLOTS - 1)) {
        group_t *e = &g->v[g->slot[i] - 1];
        if (e->rule == rule && strlen(e->host) == hn && (!hn || !memcmp(e->host, host.p, hn)) &&
            strlen(e->key) == key_n && (!key_n || !memcmp(e->key, key, key_n))) {
            e->n++;
            if (ts != WW_TIME_NONE && (e->first == WW_TIME_NONE || ts < e->first))
                e->first = ts;
            if (ts != WW_TIME_NONE && (e->last == WW_TIME_NONE || ts > e->last))
                e->last = ts;
            return;
        }
    }
    if (g->n == GROUPS_MAX) {
        g->dropped++;
        return;
    }
    /* Cut an escaped detail that long at a character boundary (it ends with a line
       break again below). */
    detail_n = group_cut(detail, detail_n);
    group_t e = {
        rule, strndup(host.p ? host.p : "", hn), strndup(key, key_n), strdup(where), NULL, 1, ts,
        ts};
    if ((e.detail = malloc(detail_n + 2)) != NULL) {
        if (detail_n)
            memcpy(e.detail, detail, detail_n);
        if (detail_n && detail[detail_n - 1] != '\n')
            e.detail[detail_n++] = '\n';
        e.detail[detail_n] = 0;
    }
    if (!e.host || !e.key || !e.where || !e.detail) {
        free(e.host);
        free(e.key);
        free(e.where);
        free(e.detail);
        g->dropped++;
        return;
    }
    g->v[g->n++] = e;
    g->slot[i] = (uint32_t)g->n;
}

static void groups_release(groups_t *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->v[i].host);
        free(g->v[i].key);
        free(g->v[i].where);
        free(g->v[i].detail);
    }
    free(g->v);
    free(g->slot);
}

/* The grouped table: one entry per group, in order of first appearance. */
static void print_groups(hunt_t *h)
{
    for (size_t i = 0; i < h->groups.n && !h->stop; i++) {
        const group_t *e = &h->groups.v[i];
        ww_str_t host = {e->host, strlen(e->host)};
        table_line(h, e->rule, e->first, host, e->where, e->n);
        if (e->n > 1) {
            char a[48], b[48];
            short_time(e->first, a, sizeof a);
            short_time(e->last, b, sizeof b);
            ww_buf_printf(&h->out, "    %llu alerts, first %s, last %s\n", (unsigned long long)e->n,
                          a, b);
        }
        ww_buf_puts(&h->out, e->detail);
        flush_out(h);
    }
    if (h->groups.dropped) {
        ww_buf_printf(&h->out,
                      "... %llu more alerts in groups not shown: more than %d groups "
                      "(--no-group or --format ndjson shows every alert)\n",
                      (unsigned long long)h->groups.dropped, GROUPS_MAX);
        flush_out(h);
    }
}

/* ---- output ------------------------------------------------------------------------- */

/* One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break.  Text
 * that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading ' so that
 * a host name in a log cannot become a formula on the officer's machine. */
static void put_csv(ww_buf_t *b, const char *p, size_t n, bool text)
{
    bool formula = text && n && strchr("=+-@\t\r", p[0]);
    bool quote = formula;
    for (size_t i = 0; i < n && !quote; i++)
        quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (quote)
        ww_buf_putc(b, '"');
    if (formula)
        ww_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            ww_buf_putc(b, '"');
        ww_buf_putc(b, p[i] ? p[i] : ' ');
    }
    if (quote)
        ww_buf_putc(b, '"');
}

/* One CSV row.  record and line are 1-based, 0 when unknown (empty cell); fields and
 * group are raw text (may be NULL). */
static void csv_row(hunt_t *h, const ww_sigma_rule_t *rule, int64_t ts, ww_str_t host,
                    const char *path, uint64_t record, uint64_t line, const ww_buf_t *fields,
                    const ww_buf_t *group)
{
    ww_buf_t *b = &h->out;
    char tbuf[48] = "";
    if (ts != WW_TIME_NONE)
        ww_time_format(ts, tbuf, sizeof tbuf);
    ww_buf_printf(b, "%s,%s,", tbuf, ww_level_name(rule->level));
    if (rule->id)
        put_csv(b, rule->id, strlen(rule->id), true);
    ww_buf_putc(b, ',');
    put_csv(b, rule->title, strlen(rule->title), true);
    ww_buf_putc(b, ',');
    put_csv(b, host.p ? host.p : "", host.n, true);
    ww_buf_putc(b, ',');
    put_csv(b, path, strlen(path), true);
    ww_buf_putc(b, ',');
    if (record)
        ww_buf_printf(b, "%llu", (unsigned long long)record);
    ww_buf_putc(b, ',');
    if (line)
        ww_buf_printf(b, "%llu", (unsigned long long)line);
    ww_buf_putc(b, ',');
    if (fields)
        put_csv(b, fields->p, fields->n, true);
    ww_buf_putc(b, ',');
    if (group)
        put_csv(b, group->p, group->n, true);
    ww_buf_puts(b, "\r\n");
}

static void emit_event_alert(hunt_t *h, const ww_sigma_rule_t *rule)
{
    const ww_event_t *ev = h->ev;
    const char *path = h->files.paths[h->file];
    if (h->format == FMT_NDJSON) {
        ww_buf_puts(&h->out, "{\"rule\":");
        put_rule_json(&h->out, rule);
        ww_buf_puts(&h->out, ",\"timestamp\":");
        put_time_json(&h->out, ev->ts);
        ww_buf_puts(&h->out, ",\"host\":");
        if (ev->host.n)
            ww_buf_json_str(&h->out, ev->host.p, ev->host.n);
        else
            ww_buf_puts(&h->out, "null");
        ww_buf_puts(&h->out, ",\"fields\":");
        put_fields_json(&h->out, rule, ev);
        ww_buf_puts(&h->out, ",\"source\":{\"path\":");
        ww_buf_json_str(&h->out, path, strlen(path));
        ww_buf_printf(&h->out, ",\"index\":%llu,\"record\":%llu", (unsigned long long)h->index,
                      (unsigned long long)h->index + 1);
        if (h->line)
            ww_buf_printf(&h->out, ",\"line\":%llu", (unsigned long long)h->line);
        ww_buf_printf(&h->out, ",\"format\":\"%s\"},\"event\":", ww_format_name(h->fmt));
        ww_event_to_json(ev, &h->out);
        ww_buf_puts(&h->out, "}\n");
    } else if (h->format == FMT_CSV) {
        ww_buf_t fields;
        ww_buf_init(&fields, 0);
        put_fields_text(&fields, rule, ev);
        csv_row(h, rule, ev->ts, ev->host, path, h->index + 1, h->line, &fields, NULL);
        ww_buf_release(&fields);
    } else if (h->format == FMT_TABLE || h->format == FMT_SUMMARY) {
        char where[512];
        where_text(where, sizeof where, path, h->line, h->index);
        if (h->group) {
            size_t n0 = h->out.n;
            if (h->format == FMT_TABLE)
                put_detail(&h->out, rule, ev);
            group_add(h, rule, ev->ts, ev->host, "", 0, where, h->out.p + n0, h->out.n - n0);
            h->out.n = n0;
        } else if (h->format == FMT_TABLE) {
            table_line(h, rule, ev->ts, ev->host, where, 1);
            put_detail(&h->out, rule, ev);
        }
    }
    flush_out(h);
}

static void account(hunt_t *h, const ww_sigma_rule_t *rule)
{
    h->alerts++;
    h->per_level[rule->level < 0 ? 0 : rule->level > 4 ? 4 : rule->level]++;
    if (rule->index < ww_sigma_count(h->rs)) /* not an indicator's rule (--intel) */
        h->per_rule[rule->index]++;
    count_attack(h, rule);
}

static void on_corr(void *ud, const ww_corr_alert_t *a)
{
    hunt_t *h = ud;
    const ww_sigma_rule_t *rule = a->rule;
    ww_str_t host = corr_host(a);
    if (!rule->alert || !keep(h, rule, a->last_ts, host))
        return;
    account(h, rule);
    size_t file = a->nrefs ? (size_t)(a->refs[0] >> REF_FILE_SHIFT) : 0;
    const char *first_path = file < h->files.n && a->nrefs ? h->files.paths[file] : "";
    uint64_t first_pos = a->nrefs ? a->refs[0] & REF_POS_MASK : 0;
    bool first_line = a->nrefs && (a->refs[0] & REF_LINE);
    if (h->format == FMT_NDJSON) {
        ww_buf_puts(&h->out, "{\"rule\":");
        put_rule_json(&h->out, rule);
        ww_buf_puts(&h->out, ",\"timestamp\":");
        put_time_json(&h->out, a->last_ts);
        ww_buf_puts(&h->out, ",\"group\":{");
        for (uint32_t i = 0; i < a->ngroup; i++) {
            if (i)
                ww_buf_putc(&h->out, ',');
            ww_buf_json_str(&h->out, a->group_names[i], strlen(a->group_names[i]));
            ww_buf_putc(&h->out, ':');
            ww_buf_json_str(&h->out, a->group_values[i].p, a->group_values[i].n);
        }
        ww_buf_printf(&h->out, "},\"value\":%.17g,\"window\":{\"first\":", a->value);
        put_time_json(&h->out, a->first_ts);
        ww_buf_puts(&h->out, ",\"last\":");
        put_time_json(&h->out, a->last_ts);
        ww_buf_puts(&h->out, "},\"events\":[");
        for (uint32_t i = 0; i < a->nrefs; i++) {
            size_t f = (size_t)(a->refs[i] >> REF_FILE_SHIFT);
            const char *path = f < h->files.n ? h->files.paths[f] : "?";
            if (i)
                ww_buf_putc(&h->out, ',');
            uint64_t pos = a->refs[i] & REF_POS_MASK;
            ww_buf_puts(&h->out, "{\"path\":");
            ww_buf_json_str(&h->out, path, strlen(path));
            if (a->refs[i] & REF_LINE)
                ww_buf_printf(&h->out, ",\"line\":%llu}", (unsigned long long)pos);
            else
                ww_buf_printf(&h->out, ",\"index\":%llu,\"record\":%llu}", (unsigned long long)pos,
                              (unsigned long long)pos + 1);
        }
        ww_buf_puts(&h->out, "]}\n");
    } else if (h->format == FMT_CSV) {
        ww_buf_t key;
        ww_buf_init(&key, 0);
        put_corr_key(&key, a);
        csv_row(h, rule, a->last_ts, host, first_path, first_line || !a->nrefs ? 0 : first_pos + 1,
                first_line ? first_pos : 0, NULL, &key);
        ww_buf_release(&key);
    } else if (h->format == FMT_TABLE || h->format == FMT_SUMMARY) {
        char where[512], first[480];
        where_text(first, sizeof first, first_path, first_line ? first_pos : 0, first_pos);
        snprintf(where, sizeof where, "%s (first of %u events)", a->nrefs ? first : "-", a->nrefs);
        if (h->group) {
            ww_buf_t key;
            ww_buf_init(&key, 0);
            put_corr_key(&key, a);
            size_t n0 = h->out.n;
            if (h->format == FMT_TABLE)
                put_corr_detail(&h->out, a);
            group_add(h, rule, a->last_ts, host, key.p ? key.p : "", key.n, where, h->out.p + n0,
                      h->out.n - n0);
            h->out.n = n0;
            ww_buf_release(&key);
        } else if (h->format == FMT_TABLE) {
            /* As before grouping: a correlation's line shows no host. */
            table_line(h, rule, a->last_ts, (ww_str_t){0}, where, 1);
            put_corr_detail(&h->out, a);
        }
    }
    flush_out(h);
}

/* The pipeline's sink: every hit, in input order. */
static void on_hit(void *ud, const ww_pipe_hit_t *hit)
{
    hunt_t *h = ud;
    if (hit->corr) {
        on_corr(h, hit->corr);
        return;
    }
    const ww_sigma_rule_t *rule = hit->rule;
    if (!keep(h, rule, hit->ev->ts, hit->ev->host))
        return;
    h->ev = hit->ev;
    h->file = hit->source;
    h->index = hit->index;
    h->line = hit->line;
    h->fmt = hit->fmt;
    account(h, rule);
    emit_event_alert(h, rule);
}

/* What a suppression removed: counted, never shown. */
static void on_suppressed(void *ud, const ww_sigma_rule_t *shadow)
{
    hunt_t *h = ud;
    if (shadow->suppression < h->nsupp)
        h->supp_hits[shadow->suppression]++;
    h->suppressed++;
}

static uint64_t events_seen(const hunt_t *h)
{
    ww_pipe_stats_t st;
    ww_pipe_get_stats(h->pipe, &st);
    return st.events;
}

static void free_reader(void *r)
{
    ww_reader_free(r);
}

static void progress(hunt_t *h, ww_reader_t *r, bool force)
{
    double now = ww_cli_now();
    if (!force && now - h->last_progress < 0.25)
        return;
    h->last_progress = now;
    double secs = now - h->t0;
    uint64_t size = ww_reader_size(r);
    char pct[16] = "";
    if (size)
        snprintf(pct, sizeof pct, " %3.0f%%",
                 100.0 * (double)(h->range_pos ? h->range_pos : ww_reader_offset(r)) /
                     (double)size);
    fprintf(stderr, "\r\033[Khunting: file %zu/%zu%s  %llu events (%.0f/s)  %llu alerts",
            h->dec_file + 1, h->files.n, pct, (unsigned long long)events_seen(h),
            secs > 0 ? (double)events_seen(h) / secs : 0.0, (unsigned long long)h->alerts);
}

/* Hunts a splittable input with the workers decoding too: the main thread only cuts
 * it into ranges (RANGE_LINES lines, or EVTX_RANGE_CHUNKS chunks of an EVTX file)
 * and hands them out; records are numbered from `base`.  r stays the caller's and
 * must outlive the ranges: ranges_finish waits for them. */
static void ranges_submit(hunt_t *h, ww_reader_t *r, uint64_t base)
{
    uint64_t pos = ww_reader_offset(r), len = ww_reader_size(r);
    uint32_t unit = ww_reader_format(r) == WW_FMT_EVTX ? EVTX_RANGE_CHUNKS : RANGE_LINES;
    ww_pipe_ranges_begin(h->pipe, (uint32_t)h->dec_file, r, base);
    while (pos < len && !h->stop) {
        uint64_t end = ww_reader_cut(r, pos, unit);
        if (ww_pipe_add_range(h->pipe, pos, end) != 0)
            break; /* a range failed: the rest is decoded here */
        pos = h->range_pos = end;
        if (h->progress)
            progress(h, r, false);
    }
}

/* Waits for the ranges of ranges_submit.  Returns 0 when they were all done, or 1
 * when a range had a bad record: then *skip is the number of records already
 * replayed, *fail_at where the bad range starts, and the caller decodes the rest
 * sequentially (ranges_resume), so that bad records are reported as one reader
 * reports them. */
static int ranges_finish(hunt_t *h, uint64_t *skip, uint64_t *fail_at)
{
    h->range_pos = 0;
    return ww_pipe_ranges_end(h->pipe, skip, fail_at);
}

/* A record that could not be decoded: counted, and the first few of a file shown. */
static void bad_record(hunt_t *h, const char *path, const ww_reader_t *r, const ww_diag_t *d,
                       uint64_t index)
{
    if (h->progress)
        fputs("\r\033[K", stderr);
    if (ww_reader_incomplete(r)) {
        /* The rest of the input could not be read: an error, not a bad record. */
        ww_cli_error("%s: %s", path, d->msg);
        h->read_errors++;
        return;
    }
    h->malformed++;
    if (++h->bad_here <= 5)
        ww_cli_bad_record(path, d, index);
}

/* Decodes r one record after another, into the workers' batches (or evaluating each
 * event here without workers), skipping the first `skip` events (replayed from
 * ranges already) and numbering records from `base`.  Returns the number of records
 * read. */
static uint64_t hunt_seq(hunt_t *h, ww_reader_t *r, ww_reader_t *whole, const char *path,
                         uint64_t skip, uint64_t base)
{
    ww_diag_t d = {0};
    uint64_t records = 0;
    int rc;
    while (!h->stop) {
        ww_event_t *ev = ww_pipe_event_slot(h->pipe, h->dec_fmt);
        if ((rc = ww_reader_next(r, ev, &d)) == 0)
            break;
        records = ww_reader_index(r) + 1;
        uint64_t index = base + ww_reader_index(r);
        if (skip && rc > 0) {
            skip--; /* replayed from a range already */
            continue;
        }
        if (rc < 0) {
            bad_record(h, path, r, &d, index);
            continue;
        }
        /* The event owns what it needs of the decoder's caches (ww_event.h): it can
           wait in its batch while the reader goes on. */
        ww_pipe_event_commit(h->pipe, (uint32_t)h->dec_file, index, ww_reader_line(r, ev));
        if (h->progress && (++h->decoded & 4095) == 0)
            progress(h, whole, false);
    }
    return records;
}

/* After a bad range (ranges_finish returned 1): decodes the rest of r sequentially,
 * as one reader would.  EVTX resumes at the bad range's first chunk, as chunks are
 * independent and a range reader names chunks and offsets as the whole input's reader
 * does; a line-based input is read again from its start, skipping the `skip` records
 * replayed already, so that its lines are counted from the start.  `whole` is the
 * input for the progress line.  Returns the records of r from `base` on, and the
 * offset reached in *end. */
static uint64_t ranges_resume(hunt_t *h, ww_reader_t *r, ww_reader_t *whole, const char *path,
                              uint64_t base, uint64_t skip, uint64_t fail_at, uint64_t *end)
{
    ww_reader_t *rest = NULL;
    ww_diag_t d = {0};
    if (ww_reader_format(r) == WW_FMT_EVTX &&
        ww_reader_open_range(r, fail_at, ww_reader_size(r), &rest, &d) == 0) {
        uint64_t n = hunt_seq(h, rest, whole == r ? rest : whole, path, 0, base + skip);
        *end = ww_reader_offset(rest);
        ww_pipe_defer(h->pipe, free_reader, rest); /* its events point into r's input */
        return skip + n;
    }
    uint64_t n = hunt_seq(h, r, whole, path, skip, base);
    *end = ww_reader_offset(r);
    return n;
}

/* The next window of a streamed input, or NULL at its end; records skipped by the
 * stream itself (over the size cap) are reported and counted in *base. */
static ww_reader_t *next_window(hunt_t *h, ww_reader_t *r, const char *path, uint64_t *base)
{
    ww_reader_t *w = NULL;
    ww_diag_t d = {0};
    int rc;
    while ((rc = ww_reader_next_window(r, &w, &d)) < 0) {
        bad_record(h, path, r, &d, *base);
        if (!ww_reader_incomplete(r))
            (*base)++;
    }
    return rc > 0 ? w : NULL;
}

/* Hunts a streamed input (standard input, a pipe, a compressed file) with workers:
 * window after window, each one cut into ranges for the workers when its format is
 * line-based, and the next window is read while they work.  A window is freed once
 * no batch points into it any more. */
static void hunt_windows(hunt_t *h, ww_reader_t *r, const char *path)
{
    uint64_t base = 0;
    ww_reader_t *cur = next_window(h, r, path, &base);
    while (cur && !h->stop) {
        uint64_t records, skip = 0, skipped = 0, fail_at = 0;
        h->bytes += ww_reader_size(cur);
        if (!ww_reader_splittable(cur)) {
            records = hunt_seq(h, cur, r, path, 0, base);
            ww_pipe_defer(h->pipe, free_reader, cur); /* once its last batch is replayed */
            base += records;
            cur = next_window(h, r, path, &base);
            continue;
        }
        ranges_submit(h, cur, base);
        /* Read on while the workers decode this window's ranges. */
        ww_reader_t *next = next_window(h, r, path, &skipped);
        if (ranges_finish(h, &skip, &fail_at) == 0) {
            records = skip;
            ww_reader_free(cur);
        } else {
            uint64_t end;
            records = ranges_resume(h, cur, r, path, base, skip, fail_at, &end);
            ww_pipe_defer(h->pipe, free_reader, cur); /* the batches point into it */
        }
        base += records + skipped;
        cur = next;
    }
    ww_reader_free(cur);
}

static int hunt_file(hunt_t *h, size_t i)
{
    ww_reader_t *r = NULL;
    ww_diag_t d = {0};
    const char *path = h->files.paths[i];
    int rc = ww_reader_open(path, WW_FMT_AUTO, &r, &d);
    if (rc == WW_EUNSUP && h->files.walked[i]) {
        /* An image or a web page beside the logs in a directory: skipped, counted and
           named once at the end, not an error. */
        if (!h->not_logs++)
            snprintf(h->not_log_first, sizeof h->not_log_first, "%s: %s", path, d.msg);
        return 0;
    }
    if (rc != 0) {
        ww_cli_error("%s: %s", path, d.msg[0] ? d.msg : ww_strerror(rc));
        h->open_errors++;
        return rc;
    }
    h->dec_file = i;
    h->dec_fmt = ww_reader_format(r);
    h->bad_here = 0;
    uint64_t errors = h->read_errors;
    if (h->threads > 1 && ww_reader_streamed(r)) {
        hunt_windows(h, r, path);
    } else {
        uint64_t skip = 0, end, fail_at = 0;
        if (h->threads > 1 && ww_reader_splittable(r)) {
            ranges_submit(h, r, 0);
            if (ranges_finish(h, &skip, &fail_at) == 0) {
                h->bytes += ww_reader_size(r);
                ww_reader_free(r);
                return 0;
            }
            ranges_resume(h, r, r, path, 0, skip, fail_at, &end);
            h->bytes += end;
        } else {
            hunt_seq(h, r, r, path, 0, 0);
            h->bytes += ww_reader_offset(r);
        }
    }
    if (h->bad_here > 5)
        ww_cli_error("%s: %llu malformed records skipped in all", path,
                     (unsigned long long)h->bad_here);
    if (h->read_errors > errors)
        h->unread_files++;
    else if (h->bad_here)
        h->damaged_files++;
    ww_pipe_defer(h->pipe, free_reader, r); /* the batches may still point into its input */
    return 0;
}

static void bar(uint64_t n, uint64_t max, int width)
{
    static const char *eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    int cells = max ? (int)((n * (uint64_t)width * 8 + max - 1) / max) : 0;
    for (int i = 0; i < cells / 8; i++)
        fputs("█", stdout);
    fputs(eighths[cells % 8], stdout);
}

static void print_counts(hunt_t *h, const char *title, counts_t *c, size_t max, bool levels)
{
    if (!c->n)
        return;
    qsort(c->v, c->n, sizeof *c->v, count_cmp);
    printf("\n%s\n", title);
    for (size_t i = 0; i < c->n && i < max; i++) {
        printf("  %6llu  ", (unsigned long long)c->v[i].n);
        if (levels)
            printf("%s%-13s%s ", h->color ? level_color(c->v[i].level) : "",
                   ww_level_name(c->v[i].level), h->color ? "\033[0m" : "");
        ww_cli_puts_safe(stdout, c->v[i].key);
        putchar('\n');
    }
    if (c->n > max)
        printf("  ... and %zu more\n", c->n - max);
}

/* One line: which rule sets were loaded, and how long loading and compiling took. */
static void print_rule_sources(hunt_t *h)
{
    uint32_t rejected =
        ww_sigma_error_count(h->rs) + ww_detect_error_count(h->prog) - h->supp_errors;
    printf("rules: ");
    const char *sep = "";
    if (h->pack) {
        printf("wardwatch pack");
        sep = " + ";
    }
    if (h->sigmahq[0]) {
        char rel[64];
        ww_cli_set_info(h->sigmahq, "release", rel, sizeof rel);
        printf("%sSigmaHQ ", sep);
        ww_cli_puts_safe(stdout, rel[0] ? rel : "(release unknown)");
        printf(" (%s)", h->sigmahq_installed ? "installed by rules update" : "shipped");
        sep = " + ";
    }
    if (h->extra_paths)
        printf("%s%zu --rules path%s", sep, h->extra_paths, h->extra_paths == 1 ? "" : "s");
    printf("; %u not used (%u waiting for placeholder values), loaded in %.2f s\n", rejected,
           h->ph_rejected, h->load_secs);
}

typedef struct ph_group {
    char name[96];
    uint32_t first, n; /* first error with it, and how many */
} ph_group_t;

#define PH_GROUPS_MAX 64

/* Rules refused because a placeholder has no value or a bad one, grouped by
 * placeholder, each with the titles of the rules waiting for it. */
static void print_placeholder_rules(hunt_t *h)
{
    if (!h->ph_rejected)
        return;
    uint32_t n = ww_sigma_error_count(h->rs);
    ph_group_t *g = calloc(PH_GROUPS_MAX, sizeof *g);
    size_t ng = 0, other = 0;
    if (!g)
        return;
    char site[PATH_MAX + 32], name[96];
    if (!ww_cli_site_placeholders(site, sizeof site)) {
        char home[PATH_MAX];
        if (ww_cli_home_dir(home, sizeof home))
            snprintf(site, sizeof site, "%s/placeholders.yml", home);
        else
            snprintf(site, sizeof site, "--placeholders FILE");
    }
    printf("\n%u rule%s not used: placeholder values missing or bad (set them in ", h->ph_rejected,
           h->ph_rejected == 1 ? "" : "s");
    ww_cli_puts_safe(stdout, site);
    printf("; see docs/rules.md)\n");
    for (uint32_t i = 0; i < n; i++) {
        if (!ww_cli_placeholder_error(ww_sigma_error(h->rs, i), name, sizeof name))
            continue;
        size_t k = 0;
        while (k < ng && strcmp(g[k].name, name) != 0)
            k++;
        if (k == ng) {
            if (ng == PH_GROUPS_MAX) {
                other++;
                continue;
            }
            snprintf(g[ng].name, sizeof g[ng].name, "%s", name);
            g[ng++].first = i;
        }
        g[k].n++;
    }
    for (size_t k = 0; k < ng && !ww_cli_output_failed(stdout); k++) {
        printf("  %%");
        ww_cli_puts_safe(stdout, g[k].name);
        printf("%%: ");
        uint32_t shown = 0;
        for (uint32_t i = g[k].first; i < n && shown < g[k].n; i++) {
            const ww_sigma_error_t *e = ww_sigma_error(h->rs, i);
            if (!ww_cli_placeholder_error(e, name, sizeof name) || strcmp(name, g[k].name) != 0)
                continue;
            fputs(shown++ ? "; " : "", stdout);
            ww_cli_puts_safe(stdout, e->title[0] ? e->title : e->file);
        }
        putchar('\n');
    }
    if (other)
        printf("  ... and %zu more rules with other placeholders\n", other);
    free(g);
}

static int group_count_cmp(const void *a, const void *b)
{
    const group_t *x = *(const group_t *const *)a, *y = *(const group_t *const *)b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    if (x->rule->level != y->rule->level)
        return x->rule->level < y->rule->level ? 1 : -1;
    return x < y ? -1 : x > y; /* first appearance */
}

/* The summary's "By host" (from the groups, so alerts past the group cap are not in it)
 * and its largest groups: the repeated alerts a triage starts with. */
static void print_group_counts(hunt_t *h)
{
    groups_t *g = &h->groups;
    if (!g->n)
        return;
    counts_t hosts = {0};
    for (size_t i = 0; i < g->n; i++)
        counts_add(&hosts, g->v[i].host[0] ? g->v[i].host : "-", g->v[i].n);
    print_counts(h, "By host", &hosts, 20, false);
    counts_release(&hosts);
    const group_t **top = malloc(g->n * sizeof *top);
    if (!top)
        return;
    for (size_t i = 0; i < g->n; i++)
        top[i] = &g->v[i];
    qsort(top, g->n, sizeof *top, group_count_cmp);
    printf("\nTop groups (same rule, same host; a correlation's also the same key)\n");
    for (size_t i = 0; i < g->n && i < 10; i++) {
        char a[48], b[48];
        short_time(top[i]->first, a, sizeof a);
        short_time(top[i]->last, b, sizeof b);
        printf("  %6llu  %s%-13s%s ", (unsigned long long)top[i]->n,
               h->color ? level_color(top[i]->rule->level) : "", ww_level_name(top[i]->rule->level),
               h->color ? "\033[0m" : "");
        ww_cli_puts_safe(stdout, top[i]->rule->title);
        printf("  host ");
        ww_cli_puts_safe(stdout, top[i]->host[0] ? top[i]->host : "-");
        if (top[i]->key[0]) {
            printf("  key ");
            ww_cli_puts_safe(stdout, top[i]->key);
        }
        printf("  %s .. %s\n", a, b);
    }
    printf("  (%zu group%s", g->n, g->n == 1 ? "" : "s");
    if (g->dropped)
        printf("; %llu more alerts in groups past the cap of %d, not counted by host",
               (unsigned long long)g->dropped, GROUPS_MAX);
    printf(")\n");
    free(top);
}

/* ---- suppressions ----------------------------------------------------------------- */

/* "wardwatch: warning: FILE:LINE: suppression 'TITLE' MSG", counted; msg is escaped
 * by the caller. */
static void supp_warn(hunt_t *h, const ww_sigma_suppression_t *s, const char *msg)
{
    char file[300], title[200];
    ww_cli_safe(s->file, strlen(s->file), file, sizeof file);
    ww_cli_safe(s->title, strlen(s->title), title, sizeof title);
    if (h->progress)
        fputs("\r\033[K", stderr);
    ww_cli_error("warning: %s:%u: suppression '%s' %s", file, s->line, title, msg);
    h->supp_warnings++;
}

/* When the rules are loaded: suppressions that expired, and rules named that a
 * suppression cannot apply to. */
static void supp_load_warnings(hunt_t *h)
{
    static const char *const why[] = {
        [WW_SUPP_UNKNOWN] = "which is not loaded",
        [WW_SUPP_CORRELATION] = "a correlation rule (suppress the rules it correlates)",
        [WW_SUPP_LOGSOURCE] = "whose logsource is outside the suppression's",
    };
    for (uint32_t i = 0; i < h->nsupp; i++) {
        const ww_sigma_suppression_t *s = ww_sigma_suppression(h->rs, i);
        char msg[400], arg[200];
        if (s->expired) {
            snprintf(msg, sizeof msg, "expired on %s and is no longer applied",
                     ww_cli_safe(s->expires, strlen(s->expires), arg, sizeof arg));
            supp_warn(h, s, msg);
            continue;
        }
        for (uint32_t k = 0; k < s->nmiss; k++) {
            snprintf(msg, sizeof msg, "names rule '%s', %s",
                     ww_cli_safe(s->miss[k].ref, strlen(s->miss[k].ref), arg, sizeof arg),
                     why[s->miss[k].why]);
            supp_warn(h, s, msg);
        }
    }
}

/* When the hunt is over: suppressions in force that removed nothing. */
static void supp_end_warnings(hunt_t *h)
{
    for (uint32_t i = 0; i < h->nsupp; i++) {
        const ww_sigma_suppression_t *s = ww_sigma_suppression(h->rs, i);
        if (!s->expired && s->napplied && !h->supp_hits[i])
            supp_warn(h, s, "suppressed nothing in this hunt");
    }
}

/* The summary's suppressions: how many alerts each one removed, and why it exists. */
static void print_suppressions(hunt_t *h)
{
    if (!h->nsupp)
        return;
    printf("\nSuppressed: %llu alert%s by %u suppression%s (%u warning%s, on stderr)\n",
           (unsigned long long)h->suppressed, h->suppressed == 1 ? "" : "s", h->nsupp,
           h->nsupp == 1 ? "" : "s", h->supp_warnings, h->supp_warnings == 1 ? "" : "s");
    for (uint32_t i = 0; i < h->nsupp; i++) {
        const ww_sigma_suppression_t *s = ww_sigma_suppression(h->rs, i);
        printf("  %6llu  ", (unsigned long long)h->supp_hits[i]);
        ww_cli_puts_safe(stdout, s->title);
        printf("  (");
        ww_cli_puts_safe(stdout, s->file);
        printf(":%u)", s->line);
        if (s->expired) {
            printf("  expired ");
            ww_cli_puts_safe(stdout, s->expires);
            printf(", not applied");
        } else if (s->expires) {
            printf("  until ");
            ww_cli_puts_safe(stdout, s->expires);
        }
        if (s->description) {
            printf("  reason: ");
            ww_cli_puts_safe(stdout, s->description);
        }
        putchar('\n');
    }
}

static void print_summary(hunt_t *h, double secs)
{
    uint32_t ncorr = 0;
    for (uint32_t i = 0; i < ww_sigma_count(h->rs); i++)
        ncorr += ww_sigma_rule(h->rs, i)->corr != NULL;
    printf("wardwatch hunt: %zu file%s, %llu events (%llu malformed), %u rules + %u "
           "correlations, %.2f s\n",
           h->files.n, h->files.n == 1 ? "" : "s", (unsigned long long)h->events,
           (unsigned long long)h->malformed, ww_detect_rule_count(h->prog) - h->nshadow, ncorr,
           secs);
    print_rule_sources(h);
    printf("files: %llu read whole, %llu with damaged records, %llu unreadable",
           (unsigned long long)(h->files.n - h->open_errors - h->damaged_files - h->unread_files -
                                h->not_logs),
           (unsigned long long)h->damaged_files,
           (unsigned long long)(h->open_errors + h->files.missing));
    if (h->unread_files)
        printf(", %llu cut short", (unsigned long long)h->unread_files);
    if (h->not_logs)
        printf(", %llu skipped (not logs)", (unsigned long long)h->not_logs);
    putchar('\n');
    printf("\n%llu alert%s", (unsigned long long)h->alerts, h->alerts == 1 ? "" : "s");
    if (h->flt.any)
        printf(" (%llu left out by the filters)", (unsigned long long)h->filtered);
    putchar('\n');
    uint64_t max = 0;
    for (int l = 0; l < 5; l++)
        max = h->per_level[l] > max ? h->per_level[l] : max;
    for (int l = 4; l >= 0; l--) {
        printf("  %s%-13s%s %6llu  ", h->color ? level_color(l) : "", ww_level_name(l),
               h->color ? "\033[0m" : "", (unsigned long long)h->per_level[l]);
        bar(h->per_level[l], max, 40);
        putchar('\n');
    }
    print_suppressions(h);
    counts_t rules = {0};
    for (uint32_t i = 0; i < ww_sigma_count(h->rs); i++) {
        if (!h->per_rule[i])
            continue;
        const ww_sigma_rule_t *r = ww_sigma_rule(h->rs, i);
        counts_add(&rules, r->title, h->per_rule[i]);
        rules.v[rules.n - 1].level = r->level;
    }
    print_counts(h, "By rule", &rules, 30, true);
    print_group_counts(h);
    print_counts(h, "By ATT&CK tactic", &h->tactics, 20, false);
    print_counts(h, "By ATT&CK technique", &h->techniques, 20, false);
    counts_release(&rules);
    print_placeholder_rules(h);
}

/* A regex that ended in a PCRE2 error (match/depth/heap limit) counted as no match,
 * so results may be missing: always said on stderr, with the first rule and why.
 * Returns the number of such evaluations over every context. */
static uint64_t report_regex_errors(hunt_t *h)
{
    const ww_sigma_rule_t *first = NULL;
    char why[128] = "";
    uint64_t total = ww_pipe_regex_errors(h->pipe, &first, why, sizeof why);
    if (total) {
        char title[160];
        ww_cli_safe(first && first->title ? first->title : "?",
                    first && first->title ? strlen(first->title) : 1, title, sizeof title);
        ww_cli_error("%llu regular-expression evaluation%s stopped at PCRE2's limits and "
                     "counted as no match, so alerts may be missing (first: rule '%s': %s; "
                     "see docs/rules.md)",
                     (unsigned long long)total, total == 1 ? "" : "s", title, why);
    }
    return total;
}

/* hunt --intel: the indicators, loaded on a thread of their own. */
typedef struct intel_load {
    const char *db;
    bool stored;
    const char **files;
    size_t nfiles;
    ww_intel_t *m; /* NULL after saying why */
} intel_load_t;

static void *intel_load_main(void *arg)
{
    intel_load_t *l = arg;
    l->m = ww_cli_intel_load(l->db, l->stored, l->files, l->nfiles);
    return NULL;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wardwatch hunt [options] PATH...\n"
            "\n"
            "Runs Sigma rules over log files (EVTX, JSON, syslog or text, detected from\n"
            "their content; directories are read recursively; - is standard input).\n"
            "  --rules PATH          add rule files or directories (repeatable)\n"
            "  --no-sigmahq          do not load the SigmaHQ rules (loaded by default: the\n"
            "                        release `rules update` installed, else the shipped one)\n"
            "  --no-default-rules    load only --rules: neither wardwatch's own pack nor\n"
            "                        the SigmaHQ rules\n"
            "  --placeholders FILE   values for %%placeholders%% (the expand modifier); they\n"
            "                        override the site's WARDWATCH_HOME/placeholders.yml\n"
            "  --format F            table (default), ndjson, csv or summary\n"
            "  --no-group            table: one entry per alert, not per rule and host\n"
            "  --min-level L         informational, low, medium, high or critical (default:\n"
            "                        all); any case\n"
            "  --host PATTERN        only alerts from hosts matching PATTERN (a glob, any case)\n"
            "  --rule PATTERN        only alerts of a rule with this id, or whose title holds\n"
            "                        PATTERN (a glob if it has * ? or [), any case\n"
            "  --since TIME          only alerts at or after TIME (ISO 8601 date or date-time,\n"
            "  --until TIME          UTC unless it has a zone); --until DATE takes the whole day\n"
            "  --suppress FILE       Sigma filters that suppress known false positives\n"
            "                        (repeatable; WARDWATCH_HOME/suppress.yml is loaded too)\n"
            "  --no-suppress         do not load WARDWATCH_HOME/suppress.yml\n"
            "  --threads N           evaluate on N threads (default: all cores); the output\n"
            "                        is the same for every N\n"
            "  --corr-max-groups N   open groups kept per correlation rule (default 100000)\n"
            "  --corr-max-events N   events kept per correlation group (default 1000)\n"
            "  --intel               also match the threat-intelligence indicators stored by\n"
            "                        `wardwatch intel import` (in --db PATH, else\n"
            "                        $WARDWATCH_DB, else ./wardwatch.db); see docs/intel.md\n"
            "  --intel-file PATH     import indicators from PATH (STIX bundle, MISP event or\n"
            "                        feed) for this run only, without storing (repeatable)\n"
            "  --db PATH             the store --intel reads\n"
            "  --tz ZONE             read time stamps without a zone (RFC 3164 syslog,\n"
            "                        NXLog EventTime) in ZONE, e.g. Europe/London\n"
            "                        (default: the machine's zone)\n"
            "Compressed files (.gz, .zst) and standard input are streamed.\n"
            "Exit status: 0 nothing matched, 1 alerts raised, 2 an error (an input that\n"
            "could not be read, or not to its end; output that could not be written).\n");
}

int cmd_hunt(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rules", required_argument, NULL, 'r'},
        {"no-default-rules", no_argument, NULL, 'N'},
        {"no-sigmahq", no_argument, NULL, 'S'},
        {"placeholders", required_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'},
        {"min-level", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 'j'},
        {"corr-max-groups", required_argument, NULL, 'G'},
        {"corr-max-events", required_argument, NULL, 'E'},
        {"tz", required_argument, NULL, 'z'},
        {"no-group", no_argument, NULL, 'g'},
        {"host", required_argument, NULL, 'H'},
        {"rule", required_argument, NULL, 'u'},
        {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 't'},
        {"suppress", required_argument, NULL, 'x'},
        {"no-suppress", no_argument, NULL, 'X'},
        /* Hidden: evaluate without the prefilter (the engine's reference path), so
           that the bench can diff the fast path against it on big corpora. */
        {"reference", no_argument, NULL, 'R'},
        {"intel", no_argument, NULL, 'I'},
        {"intel-file", required_argument, NULL, 'F'},
        {"db", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    hunt_t h = {.format = FMT_TABLE,
                .min_level = WW_LEVEL_INFORMATIONAL,
                .group = true,
                .flt = {.since = WW_TIME_NONE, .until = WW_TIME_NONE}};
    /* The pack, SigmaHQ's folders, then every --rules. */
    const char **rule_paths =
        calloc((size_t)argc + 2 + ww_cli_sigmahq_nfolders, sizeof *rule_paths);
    char(*sigma_paths)[PATH_MAX] = calloc(ww_cli_sigmahq_nfolders, sizeof *sigma_paths);
    const char **extra = calloc((size_t)argc + 1, sizeof *extra);
    /* The site's suppress.yml, then every --suppress. */
    const char **supp = calloc((size_t)argc + 2, sizeof *supp);
    char site_supp[PATH_MAX + 16];
    size_t nrule_paths = 0, nextra = 0, nsupp = 0;
    bool defaults = true, sigmahq = true, site_suppress = true;
    const char *placeholders = NULL;
    /* Indicators (--intel, --intel-file): compiled once, matched beside the rules. */
    bool intel = false;
    const char *intel_db = NULL;
    const char **intel_files = calloc((size_t)argc + 1, sizeof *intel_files);
    size_t nintel_files = 0;
    ww_intel_t *im = NULL;
    intel_load_t il = {0};
    pthread_t intel_tid;
    bool intel_started = false;
    ww_corr_limits_t lim = {0};
    ww_detect_opts_t dopts = {0};
    int status = WW_EXIT_ERROR, c;
    if (!rule_paths || !sigma_paths || !extra || !supp || !intel_files) {
        ww_cli_error("hunt: out of memory");
        goto out;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    h.threads = ncpu > 0 ? (ncpu > MAX_THREADS ? MAX_THREADS : (int)ncpu) : 1;
    while ((c = getopt_long(argc, argv, "r:NSp:f:l:j:G:E:z:gH:u:s:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'z':
            if (ww_time_set_zone(optarg) != 0) {
                ww_cli_error("hunt: unknown time zone '%s' (a name such as Europe/London or UTC)",
                             optarg);
                goto out;
            }
            break;
        case 'r': extra[nextra++] = optarg; break;
        case 'I': intel = true; break;
        case 'F': intel_files[nintel_files++] = optarg; break;
        case 'D': intel_db = optarg; break;
        case 'x': supp[1 + nsupp++] = optarg; break;
        case 'X': site_suppress = false; break;
        case 'N': defaults = false; break;
        case 'S': sigmahq = false; break;
        case 'R': dopts.no_prefilter = true; break;
        case 'p': placeholders = optarg; break;
        case 'f':
            if (!strcmp(optarg, "table"))
                h.format = FMT_TABLE;
            else if (!strcmp(optarg, "ndjson"))
                h.format = FMT_NDJSON;
            else if (!strcmp(optarg, "summary"))
                h.format = FMT_SUMMARY;
            else if (!strcmp(optarg, "csv"))
                h.format = FMT_CSV;
            else {
                ww_cli_error("hunt: unknown format '%s' (table, ndjson, csv or summary)", optarg);
                goto out;
            }
            break;
        case 'l': {
            char lower[16];
            size_t i = 0;
            for (; optarg[i] && i + 1 < sizeof lower; i++)
                lower[i] = (char)tolower((unsigned char)optarg[i]);
            lower[i] = 0;
            h.min_level = optarg[i] ? -1 : ww_level_parse(lower);
            if (h.min_level < 0) {
                char safe[64];
                ww_cli_error("hunt: unknown level '%s' (informational, low, medium, high or "
                             "critical, in any case)",
                             ww_cli_safe(optarg, strlen(optarg), safe, sizeof safe));
                goto out;
            }
            h.flt.any = true;
            break;
        }
        case 'g': h.group = false; break;
        case 'H':
        case 'u':
            if (!*optarg) {
                ww_cli_error("hunt: --%s needs a pattern", c == 'H' ? "host" : "rule");
                goto out;
            }
            *(c == 'H' ? &h.flt.host : &h.flt.rule) = optarg;
            h.flt.any = true;
            break;
        case 's':
        case 't': {
            int64_t ts;
            size_t n = strlen(optarg);
            if (ww_time_parse_iso(optarg, n, &ts) != 0) {
                char safe[64];
                ww_cli_error("hunt: --%s wants an ISO 8601 date or date-time such as 2026-04-08 "
                             "or 2026-04-08T10:58:04Z, not '%s'",
                             c == 's' ? "since" : "until",
                             ww_cli_safe(optarg, n, safe, sizeof safe));
                goto out;
            }
            if (c == 't' && n == 10) /* a date alone: to the end of that day */
                ts += 86400LL * 1000000000LL - 1;
            *(c == 's' ? &h.flt.since : &h.flt.until) = ts;
            h.flt.any = true;
            break;
        }
        case 'j': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*optarg == 0 || *end || n < 1 || n > MAX_THREADS) {
                ww_cli_error("hunt: --threads wants a number from 1 to %d, not '%s'", MAX_THREADS,
                             optarg);
                goto out;
            }
            h.threads = (int)n;
            break;
        }
        case 'G':
        case 'E': {
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || v == 0 || v > UINT32_MAX) {
                ww_cli_error("hunt: --corr-max-%s needs a whole number from 1 to %u, not '%s'",
                             c == 'G' ? "groups" : "events", UINT32_MAX, optarg);
                goto out;
            }
            if (c == 'G')
                lim.max_groups = (uint32_t)v;
            else
                lim.max_events_per_group = (uint32_t)v;
            break;
        }
        case 'h':
            usage(stdout);
            status = WW_EXIT_OK;
            goto out;
        default: usage(stderr); goto out;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        goto out;
    }
    if (h.flt.since != WW_TIME_NONE && h.flt.until != WW_TIME_NONE && h.flt.until < h.flt.since) {
        ww_cli_error("hunt: --until is before --since: no alert could pass");
        goto out;
    }
    if (defaults) {
        rule_paths[nrule_paths++] = ww_cli_default_rules();
        h.pack = true;
    }
    if (defaults && sigmahq) {
        int which = ww_cli_sigmahq_dir(h.sigmahq, sizeof h.sigmahq);
        if (which < 0) {
            /* A pack without its release (a WARDWATCH_RULES of a site's own): say so
               once, and hunt with what there is. */
            ww_cli_error("no SigmaHQ rules (none installed by `rules update`, none shipped in "
                         "%s/sigmahq): hunting without them",
                         ww_cli_default_rules());
            h.sigmahq[0] = 0;
        } else {
            h.sigmahq_installed = which;
            for (size_t i = 0; i < ww_cli_sigmahq_nfolders; i++) {
                int len = snprintf(sigma_paths[i], PATH_MAX, "%s/%s", h.sigmahq,
                                   ww_cli_sigmahq_folders[i]);
                struct stat st;
                if (len > 0 && len < PATH_MAX && stat(sigma_paths[i], &st) == 0 &&
                    S_ISDIR(st.st_mode))
                    rule_paths[nrule_paths++] = sigma_paths[i];
            }
        }
    }
    for (size_t i = 0; i < nextra; i++)
        rule_paths[nrule_paths++] = extra[i];
    h.extra_paths = nextra;
    if (nrule_paths == 0 && !intel && !nintel_files) {
        ww_cli_error("hunt: no rules (--no-default-rules needs --rules or --intel)");
        goto out;
    }

    h.t0 = ww_cli_now();
    h.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    h.progress = ww_cli_progress_wanted();
    ww_buf_init(&h.out, 0);
    size_t unreadable = 0;
    char home[PATH_MAX];
    struct stat sst;
    const char **supp_first = supp + 1;
    if (site_suppress && ww_cli_home_dir(home, sizeof home) &&
        snprintf(site_supp, sizeof site_supp, "%s/suppress.yml", home) < (int)sizeof site_supp &&
        stat(site_supp, &sst) == 0 && S_ISREG(sst.st_mode)) {
        supp[0] = site_supp;
        supp_first = supp;
        nsupp++;
    }
    /* The indicators load (a million: about a second) while the rules do. */
    if (intel || nintel_files) {
        il = (intel_load_t){intel ? intel_db : NULL, intel, intel_files, nintel_files, NULL};
        if (pthread_create(&intel_tid, NULL, intel_load_main, &il) == 0)
            intel_started = true;
        else
            intel_load_main(&il);
        if (!intel_started && !il.m)
            goto out;
    }
    ww_cli_set_rule_threads((unsigned)h.threads); /* rule files parsed on every thread */
    h.rs = ww_cli_load_rules_suppress(rule_paths, nrule_paths, placeholders, supp_first, nsupp,
                                      &unreadable);
    if (!h.rs || ww_detect_compile(h.rs, &dopts, &h.prog) != 0 ||
        ww_corr_new(h.rs, &lim, &h.corr) != 0) {
        ww_cli_error("hunt: out of memory");
        goto out;
    }
    h.load_secs = ww_cli_now() - h.t0;
    /* A suppression file's errors are the site's to fix: each said with its place. */
    for (uint32_t i = 0; i < ww_sigma_error_count(h.rs); i++) {
        const ww_sigma_error_t *e = ww_sigma_error(h.rs, i);
        for (size_t k = 0; k < nsupp; k++)
            if (!strncmp(e->file, supp_first[k], sizeof e->file - 1)) {
                ww_cli_print_sigma_error(stderr, "wardwatch: suppression not used: ", e);
                h.supp_errors++;
                break;
            }
    }
    h.nsupp = ww_sigma_suppression_count(h.rs);
    h.supp_hits = calloc(h.nsupp + 1, sizeof *h.supp_hits);
    for (uint32_t i = 0; i < ww_sigma_count(h.rs); i++)
        h.nshadow += ww_sigma_rule(h.rs, i)->shadow_of != NULL;
    if (!h.supp_hits) {
        ww_cli_error("hunt: out of memory");
        goto out;
    }
    supp_load_warnings(&h);
    uint32_t rejected = ww_sigma_error_count(h.rs) + ww_detect_error_count(h.prog) - h.supp_errors;
    char phname[96];
    for (uint32_t i = 0; i < ww_sigma_error_count(h.rs); i++)
        h.ph_rejected += ww_cli_placeholder_error(ww_sigma_error(h.rs, i), phname, sizeof phname);
    if (rejected > h.ph_rejected)
        ww_cli_error("%u rule%s could not be used (details: wardwatch rules check)",
                     rejected - h.ph_rejected, rejected - h.ph_rejected == 1 ? "" : "s");
    if (h.ph_rejected && h.format != FMT_SUMMARY)
        ww_cli_error("%u rule%s wait%s for placeholder values (--format summary names them; "
                     "see docs/rules.md)",
                     h.ph_rejected, h.ph_rejected == 1 ? "" : "s", h.ph_rejected == 1 ? "s" : "");
    h.per_rule = calloc(ww_sigma_count(h.rs) + 1, sizeof *h.per_rule);
    if (!h.per_rule ||
        ww_cli_files_collect(&h.files, argv + optind, (size_t)(argc - optind)) != 0) {
        ww_cli_error("hunt: out of memory");
        goto out;
    }

    ww_pipe_sink_t sink = {.hit = on_hit, .suppressed = on_suppressed, .ud = &h};
    if (ww_pipe_new(h.prog, h.corr, h.threads, &sink, &h.pipe) != 0) {
        ww_cli_error("hunt: cannot start %d threads", h.threads);
        goto out;
    }
    if (intel_started) {
        pthread_join(intel_tid, NULL);
        intel_started = false;
        if (!(im = il.m))
            goto out;
    }
    if (im) {
        ww_pipe_matcher_t mt;
        ww_intel_as_matcher(im, &mt);
        ww_pipe_set_matcher(h.pipe, &mt);
    }
    if (h.format == FMT_CSV) {
        ww_buf_puts(&h.out, "time,level,rule_id,rule_title,host,path,record,line,fields,group\r\n");
        flush_out(&h);
    }
    for (size_t i = 0; i < h.files.n && !h.stop; i++)
        hunt_file(&h, i);
    ww_pipe_finish(h.pipe);
    h.events = events_seen(&h);
    ww_pipe_stats_t pst;
    ww_pipe_get_stats(h.pipe, &pst);
    if (pst.nomem)
        ww_cli_error("hunt: out of memory: some matches were lost");
    if (h.format == FMT_TABLE && h.group)
        print_groups(&h);
    if (h.progress)
        fputs("\r\033[K", stderr);
    supp_end_warnings(&h);

    double secs = ww_cli_now() - h.t0;
    ww_corr_stats_t cs;
    ww_corr_get_stats(h.corr, &cs);
    if (cs.groups_evicted || cs.events_dropped || cs.values_dropped || cs.late_events)
        ww_cli_error("correlation: %llu groups evicted at the cap, %llu events and %llu "
                     "distinct values not kept, %llu late events ignored "
                     "(see docs/correlations.md)",
                     (unsigned long long)cs.groups_evicted, (unsigned long long)cs.events_dropped,
                     (unsigned long long)cs.values_dropped, (unsigned long long)cs.late_events);
    uint64_t regex_errors = report_regex_errors(&h);
    if (h.not_logs) {
        char first[600];
        ww_cli_error("%llu file%s in the directories given %s no log wardwatch reads and %s "
                     "skipped (first: %s)",
                     (unsigned long long)h.not_logs, h.not_logs == 1 ? "" : "s",
                     h.not_logs == 1 ? "is" : "are", h.not_logs == 1 ? "was" : "were",
                     ww_cli_safe(h.not_log_first, strlen(h.not_log_first), first, sizeof first));
    }
    if (h.format == FMT_SUMMARY) {
        print_summary(&h, secs);
        if (regex_errors)
            printf("\n%llu regex evaluation%s stopped at PCRE2's limits (alerts may be "
                   "missing; see the message above)\n",
                   (unsigned long long)regex_errors, regex_errors == 1 ? "" : "s");
    } else if (h.format == FMT_TABLE) {
        printf("%s%llu alert%s (", h.alerts ? "\n" : "", (unsigned long long)h.alerts,
               h.alerts == 1 ? "" : "s");
        for (int l = 4; l >= 0; l--)
            printf("%s %llu%s", ww_level_name(l), (unsigned long long)h.per_level[l], l ? "," : "");
        printf(") from %llu events in %zu file%s, %.2f s\n", (unsigned long long)h.events,
               h.files.n, h.files.n == 1 ? "" : "s", secs);
        if (h.group && h.alerts)
            printf("%zu group%s of the same rule on the same host%s\n", h.groups.n,
                   h.groups.n == 1 ? "" : "s",
                   h.groups.dropped ? " (more past the cap not shown)" : "");
        if (h.flt.any)
            printf("%llu alert%s left out by the filters\n", (unsigned long long)h.filtered,
                   h.filtered == 1 ? "" : "s");
        if (h.nsupp)
            printf("%llu alert%s suppressed by %u suppression%s (%u warning%s; --format summary "
                   "lists them)\n",
                   (unsigned long long)h.suppressed, h.suppressed == 1 ? "" : "s", h.nsupp,
                   h.nsupp == 1 ? "" : "s", h.supp_warnings, h.supp_warnings == 1 ? "" : "s");
    }
    fflush(stdout);
    if (h.files.missing || h.open_errors || h.read_errors || unreadable)
        status = WW_EXIT_ERROR;
    else
        status = h.alerts ? WW_EXIT_MATCH : WW_EXIT_OK;
out:
    if (intel_started) {
        pthread_join(intel_tid, NULL);
        im = il.m;
    }
    ww_pipe_free(h.pipe);
    ww_intel_free(im); /* after the pipeline that replayed its rules */
    free(intel_files);
    ww_corr_free(h.corr);
    ww_detect_unref(h.prog);
    ww_sigma_ruleset_free(h.rs);
    ww_cli_files_release(&h.files);
    counts_release(&h.tactics);
    counts_release(&h.techniques);
    groups_release(&h.groups);
    ww_buf_release(&h.out);
    free(h.per_rule);
    free(h.supp_hits);
    free(supp);
    free(rule_paths);
    free(sigma_paths);
    free(extra);
    return status;
}
