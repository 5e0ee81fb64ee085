/* The notifiers (see ww_notify.h): a queue table in the alert store and one sender
 * thread with its own SQLite connection.  Webhooks and email go through libcurl
 * (https only; SMTP with STARTTLS required on smtp://), syslog/CEF over a plain TCP or
 * UDP socket.  What is sent is rebuilt from the queued summary, so a retry after a
 * restart sends exactly what the first attempt would have. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve/ww_notify.h"
#include "sigma/ww_sigma.h"

#define BATCH 32
#define MAX_BACKOFF_S 300

static const char *const migrations[] = {
    "CREATE TABLE notify(alert_id TEXT NOT NULL, notifier TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL DEFAULT 0,"
    " next_try INTEGER NOT NULL, last_error TEXT NOT NULL DEFAULT '',"
    " summary TEXT NOT NULL, PRIMARY KEY(alert_id, notifier));"
    "CREATE INDEX notify_due ON notify(state, next_try);",
};

int ww_notify_migrate(ww_store_t *st, ww_diag_t *diag)
{
    return ww_store_migrate(st, "notify", migrations, WW_ARRAY_LEN(migrations), diag);
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static void json_field(ww_buf_t *b, const char *name, const char *v, bool first)
{
    ww_buf_printf(b, "%s\"%s\":", first ? "" : ",", name);
    ww_buf_json_str(b, v ? v : "", v ? strlen(v) : 0);
}

/* The summary kept in the queue: what every notifier may say about the alert. */
static void summary(const ww_alert_t *a, ww_buf_t *b)
{
    char when[40] = "";
    if (a->ts != WW_TIME_NONE)
        ww_time_format(a->ts, when, sizeof when);
    ww_buf_puts(b, "{");
    json_field(b, "id", a->id, true);
    json_field(b, "title", a->rule_title, false);
    json_field(b, "level", ww_level_name(a->level), false);
    ww_buf_printf(b, ",\"priority\":%d", a->priority);
    json_field(b, "host", a->host, false);
    json_field(b, "time", when, false);
    json_field(b, "rule_id", a->rule_id, false);
    ww_buf_puts(b, "}");
}

int ww_notify_queue(ww_store_t *st, const ww_serve_config_t *cfg, const ww_alert_t *a,
                    ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    ww_buf_t b;
    ww_buf_init(&b, 0);
    summary(a, &b);
    int rc = 0;
    for (uint32_t i = 0; i < cfg->nnotifiers && rc == 0; i++) {
        if (a->level < cfg->notifiers[i].min_level)
            continue;
        if (!q && sqlite3_prepare_v2(st->db,
                                     "INSERT OR IGNORE INTO notify(alert_id, notifier, next_try,"
                                     " summary) VALUES(?1, ?2, ?3, ?4)",
                                     -1, &q, NULL) != SQLITE_OK) {
            rc = WW_EIO;
            break;
        }
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, a->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, cfg->notifiers[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, now_s());
        sqlite3_bind_text(q, 4, b.p, (int)b.n, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = WW_EIO;
    }
    if (rc)
        ww_diag_set(diag, st->path, 0, 0, "notify queue: %s", sqlite3_errmsg(st->db));
    sqlite3_finalize(q);
    ww_buf_release(&b);
    return rc;
}

/* ---- what is sent ---- */

static void text_line(const ww_alert_t *a, char *out, size_t n)
{
    snprintf(out, n, "wardwatch P%d %s: %s on %s", a->priority, ww_level_name(a->level),
             a->rule_title, a->host && a->host[0] ? a->host : "an unknown host");
}

void ww_notify_webhook_body(const ww_alert_t *a, const char *link, ww_buf_t *out)
{
    char text[600], when[40] = "";
    text_line(a, text, sizeof text);
    if (a->ts != WW_TIME_NONE)
        ww_time_format(a->ts, when, sizeof when);
    /* `text` is what Microsoft Teams and Slack incoming webhooks show; the other
       fields are for machines. */
    ww_buf_puts(out, "{");
    json_field(out, "text", text, true);
    json_field(out, "id", a->id, false);
    json_field(out, "title", a->rule_title, false);
    json_field(out, "level", ww_level_name(a->level), false);
    ww_buf_printf(out, ",\"priority\":%d", a->priority);
    json_field(out, "host", a->host, false);
    json_field(out, "time", when, false);
    json_field(out, "link", link, false);
    ww_buf_puts(out, "}");
}

/* CEF escapes: | and \ in the header, = and \ in extension values; no newlines. */
static void cef_put(ww_buf_t *b, const char *s, bool header)
{
    for (; s && *s; s++) {
        if (*s == '\\' || (header && *s == '|') || (!header && *s == '='))
            ww_buf_putc(b, '\\');
        ww_buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
    }
}

void ww_notify_cef_line(const ww_alert_t *a, const char *link, ww_buf_t *out)
{
    static const int sev[] = {1, 3, 5, 8, 10}; /* informational .. critical */
    int level = a->level < 0 ? 0 : a->level > 4 ? 4 : a->level;
    ww_buf_printf(out, "CEF:0|wardwatch|wardwatch|%s|", WW_VERSION);
    cef_put(out, a->rule_id, true);
    ww_buf_putc(out, '|');
    cef_put(out, a->rule_title, true);
    ww_buf_printf(out, "|%d|externalId=", sev[level]);
    cef_put(out, a->id, false);
    if (a->host && a->host[0]) {
        ww_buf_puts(out, " dhost=");
        cef_put(out, a->host, false);
    }
    if (a->ts != WW_TIME_NONE)
        ww_buf_printf(out, " rt=%lld", (long long)(a->ts / 1000000));
    ww_buf_printf(out, " cn1=%d cn1Label=priority", a->priority);
    if (link && link[0]) {
        ww_buf_puts(out, " request=");
        cef_put(out, link, false);
    }
}

/* ---- the sender ---- */

struct ww_notify {
    const ww_serve_config_t *cfg;
    ww_store_t *st;
    pthread_t tid;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, kicked;
    ww_notify_stats_t stats;
};

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

typedef struct upload {
    const char *p;
    size_t n, off;
} upload_t;

static size_t feed(char *out, size_t size, size_t n, void *ud)
{
    upload_t *u = ud;
    size_t k = u->n - u->off < size * n ? u->n - u->off : size * n;
    memcpy(out, u->p + u->off, k);
    u->off += k;
    return k;
}

static int send_webhook(const ww_sc_notifier_t *no, const ww_buf_t *body, char *err, size_t errn)
{
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, no->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->p);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body->n);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)no->timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    const char *ca = getenv("WARDWATCH_CA_BUNDLE"); /* a trust's own CA, and the tests' */
    if (ca && ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    CURLcode rc = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        snprintf(err, errn, "%s", curl_easy_strerror(rc));
        return -1;
    }
    if (code < 200 || code > 299) {
        snprintf(err, errn, "HTTP %ld", code);
        return -1;
    }
    return 0;
}

static int send_email(const ww_sc_notifier_t *no, const ww_alert_t *a, const char *link, char *err,
                      size_t errn)
{
    char text[600], date[64];
    text_line(a, text, sizeof text);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    ww_buf_t m;
    ww_buf_init(&m, 0);
    ww_buf_printf(&m, "Date: %s\r\nFrom: %s\r\nTo: ", date, no->from);
    for (uint32_t i = 0; i < no->nto; i++)
        ww_buf_printf(&m, "%s%s", i ? ", " : "", no->to[i]);
    /* The subject and body come from rules and events: one line each, no CR/LF. */
    ww_buf_puts(&m, "\r\nSubject: ");
    for (const char *p = text; *p; p++)
        ww_buf_putc(&m, *p == '\r' || *p == '\n' ? ' ' : *p);
    ww_buf_printf(&m,
                  "\r\nMessage-ID: <%s@wardwatch>\r\nContent-Type: text/plain; "
                  "charset=utf-8\r\n\r\n",
                  a->id);
    ww_buf_printf(&m, "Alert %s\r\nPriority: P%d\r\nLevel: %s\r\nHost: %s\r\n", a->id, a->priority,
                  ww_level_name(a->level), a->host && a->host[0] ? a->host : "-");
    if (link && link[0])
        ww_buf_printf(&m, "Open: %s\r\n", link);
    CURL *c = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    for (uint32_t i = 0; i < no->nto; i++)
        rcpt = curl_slist_append(rcpt, no->to[i]);
    upload_t u = {m.p, m.n, 0};
    curl_easy_setopt(c, CURLOPT_URL, no->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL); /* STARTTLS or fail */
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, no->from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)no->timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (no->user)
        curl_easy_setopt(c, CURLOPT_USERNAME, no->user);
    if (no->password)
        curl_easy_setopt(c, CURLOPT_PASSWORD, no->password);
    const char *ca = getenv("WARDWATCH_CA_BUNDLE");
    if (ca && ca[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, ca);
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    ww_buf_release(&m);
    if (rc != CURLE_OK) {
        snprintf(err, errn, "%s", curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

static int send_syslog(const ww_sc_notifier_t *no, const ww_alert_t *a, const char *link, char *err,
                       size_t errn)
{
    bool udp = strncmp(no->url, "udp://", 6) == 0;
    char host[256];
    snprintf(host, sizeof host, "%s", no->url + 6);
    char *colon = strrchr(host, ':');
    if (!colon) {
        snprintf(err, errn, "the url needs a port");
        return -1;
    }
    *colon = 0;
    const char *port = colon + 1;
    char *h = host;
    if (h[0] == '[' && h[strlen(h) - 1] == ']') {
        h[strlen(h) - 1] = 0;
        h++;
    }
    struct addrinfo hints = {.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM}, *ai = NULL;
    int g = getaddrinfo(h, port, &hints, &ai);
    if (g != 0) {
        snprintf(err, errn, "%s", gai_strerror(g));
        return -1;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
    struct timeval tv = {(time_t)(no->timeout_ms / 1000),
                         (suseconds_t)(no->timeout_ms % 1000) * 1000};
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    int rc = fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : -1;
    freeaddrinfo(ai);
    if (rc) {
        snprintf(err, errn, "cannot connect to %s", no->url);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    ww_buf_t line;
    ww_buf_init(&line, 0);
    /* RFC 5424: <PRI>1 TIMESTAMP HOST APP - MSGID - MSG; facility 13 (log audit),
       severity from the level. */
    static const int sev[] = {6, 5, 4, 3, 2};
    int level = a->level < 0 ? 0 : a->level > 4 ? 4 : a->level;
    char when[40];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    ww_time_format((int64_t)now.tv_sec * 1000000000 + now.tv_nsec, when, sizeof when);
    char me[128] = "wardwatch";
    gethostname(me, sizeof me - 1);
    ww_buf_printf(&line, "<%d>1 %s %s wardwatch - alert - ", 13 * 8 + sev[level], when, me);
    if (no->cef) {
        ww_notify_cef_line(a, link, &line);
    } else {
        ww_buf_t body;
        ww_buf_init(&body, 0);
        ww_notify_webhook_body(a, link, &body);
        ww_buf_append(&line, body.p, body.n);
        ww_buf_release(&body);
    }
    if (!udp)
        ww_buf_putc(&line, '\n');
    ssize_t w = send(fd, line.p, line.n, MSG_NOSIGNAL);
    rc = w == (ssize_t)line.n ? 0 : -1;
    if (rc)
        snprintf(err, errn, "send failed");
    close(fd);
    ww_buf_release(&line);
    return rc;
}

/* The summary back into an alert (strings borrowed from the parsed JSON copy). */
static bool from_summary(const char *js, ww_alert_t *a, char *buf, size_t n)
{
    /* A small reader for the flat object summary() wrote: "key":"value" or number. */
    memset(a, 0, sizeof *a);
    a->ts = WW_TIME_NONE;
    snprintf(buf, n, "%s", js);
    char *p = buf;
    while ((p = strchr(p, '"'))) {
        char *k = ++p;
        char *ke = strchr(k, '"');
        if (!ke || ke[1] != ':')
            return false;
        *ke = 0;
        p = ke + 2;
        char *v;
        if (*p == '"') {
            v = ++p;
            char *o = p;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1]) {
                    p++;
                    *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
                    p++;
                } else {
                    *o++ = *p++;
                }
            }
            if (*p != '"')
                return false;
            *o = 0;
            p++;
        } else {
            v = p;
            while (*p && *p != ',' && *p != '}')
                p++;
            char c = *p;
            *p = 0;
            if (!strcmp(k, "priority"))
                a->priority = atoi(v);
            *p = c;
            continue;
        }
        if (!strcmp(k, "id"))
            snprintf(a->id, sizeof a->id, "%s", v);
        else if (!strcmp(k, "title"))
            a->rule_title = v;
        else if (!strcmp(k, "level"))
            a->level = ww_level_parse(v) < 0 ? 0 : ww_level_parse(v);
        else if (!strcmp(k, "host"))
            a->host = v;
        else if (!strcmp(k, "rule_id"))
            a->rule_id = v;
        else if (!strcmp(k, "time") && v[0])
            ww_time_parse_iso(v, strlen(v), &a->ts);
    }
    if (!a->rule_title)
        a->rule_title = "";
    if (!a->rule_id)
        a->rule_id = "";
    if (!a->host)
        a->host = "";
    return a->id[0] != 0;
}

static const ww_sc_notifier_t *notifier(const ww_serve_config_t *cfg, const char *name)
{
    for (uint32_t i = 0; i < cfg->nnotifiers; i++)
        if (!strcmp(cfg->notifiers[i].name, name))
            return &cfg->notifiers[i];
    return NULL;
}

static int attempt(ww_notify_t *n, const char *name, const char *js, char *err, size_t errn)
{
    const ww_sc_notifier_t *no = notifier(n->cfg, name);
    if (!no) {
        snprintf(err, errn, "no notifier named '%s' in the config any more", name);
        return -1;
    }
    ww_alert_t a;
    char buf[4096];
    if (!from_summary(js, &a, buf, sizeof buf)) {
        snprintf(err, errn, "unreadable summary");
        return -1;
    }
    char link[1200] = "";
    if (n->cfg->link_base)
        snprintf(link, sizeof link, "%s/alerts/%s", n->cfg->link_base, a.id);
    switch (no->type) {
    case WW_NOTIFY_WEBHOOK: {
        ww_buf_t body;
        ww_buf_init(&body, 0);
        ww_notify_webhook_body(&a, link, &body);
        int rc = send_webhook(no, &body, err, errn);
        ww_buf_release(&body);
        return rc;
    }
    case WW_NOTIFY_EMAIL: return send_email(no, &a, link, err, errn);
    default: return send_syslog(no, &a, link, err, errn);
    }
}

/* Sends what is due; returns how many were tried. */
static int round_once(ww_notify_t *n)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(n->st->db,
                           "SELECT alert_id, notifier, attempts, summary FROM notify"
                           " WHERE state = 'queued' AND next_try <= ?1 ORDER BY next_try LIMIT ?2",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(q, 1, now_s());
    sqlite3_bind_int(q, 2, BATCH);
    struct {
        char id[40], name[80], *summary;
        int attempts;
    } due[BATCH];
    int k = 0;
    while (k < BATCH && sqlite3_step(q) == SQLITE_ROW) {
        snprintf(due[k].id, sizeof due[k].id, "%s", sqlite3_column_text(q, 0));
        snprintf(due[k].name, sizeof due[k].name, "%s", sqlite3_column_text(q, 1));
        due[k].attempts = sqlite3_column_int(q, 2);
        due[k].summary = strdup((const char *)sqlite3_column_text(q, 3));
        k++;
    }
    sqlite3_finalize(q);
    for (int i = 0; i < k; i++) {
        char err[256] = "";
        int ok = due[i].summary && attempt(n, due[i].name, due[i].summary, err, sizeof err) == 0;
        const ww_sc_notifier_t *no = notifier(n->cfg, due[i].name);
        int attempts = due[i].attempts + 1;
        bool dead = !ok && (!no || attempts > (int)no->retries);
        int64_t backoff = 1ll << (attempts < 9 ? attempts : 9);
        if (backoff > MAX_BACKOFF_S)
            backoff = MAX_BACKOFF_S;
        sqlite3_stmt *u = NULL;
        if (sqlite3_prepare_v2(n->st->db,
                               "UPDATE notify SET state = ?1, attempts = ?2, next_try = ?3,"
                               " last_error = ?4 WHERE alert_id = ?5 AND notifier = ?6",
                               -1, &u, NULL) == SQLITE_OK) {
            sqlite3_bind_text(u, 1, ok ? "sent" : dead ? "dead" : "queued", -1, SQLITE_STATIC);
            sqlite3_bind_int(u, 2, attempts);
            sqlite3_bind_int64(u, 3, now_s() + backoff);
            sqlite3_bind_text(u, 4, err, -1, SQLITE_STATIC);
            sqlite3_bind_text(u, 5, due[i].id, -1, SQLITE_STATIC);
            sqlite3_bind_text(u, 6, due[i].name, -1, SQLITE_STATIC);
            sqlite3_step(u);
        }
        sqlite3_finalize(u);
        pthread_mutex_lock(&n->mu);
        if (ok)
            n->stats.sent++;
        else
            n->stats.failed_attempts++;
        if (dead)
            n->stats.dead++;
        pthread_mutex_unlock(&n->mu);
        if (!ok)
            fprintf(stderr, "wardwatch serve: warning: notifier %s, alert %s: attempt %d %s: %s\n",
                    due[i].name, due[i].id, attempts, dead ? "failed, dead-lettered" : "failed",
                    err);
        free(due[i].summary);
    }
    return k;
}

static void *run(void *arg)
{
    ww_notify_t *n = arg;
    pthread_mutex_lock(&n->mu);
    while (!n->stop) {
        n->kicked = false;
        pthread_mutex_unlock(&n->mu);
        int k = round_once(n);
        pthread_mutex_lock(&n->mu);
        if (k == BATCH || n->kicked || n->stop)
            continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&n->cv, &n->mu, &ts);
    }
    pthread_mutex_unlock(&n->mu);
    return NULL;
}

int ww_notify_start(const ww_serve_config_t *cfg, const char *db_path, ww_notify_t **out,
                    ww_diag_t *diag)
{
    *out = NULL;
    ww_notify_t *n = calloc(1, sizeof *n);
    if (!n)
        return WW_ENOMEM;
    n->cfg = cfg;
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    int rc = ww_store_open(db_path, &n->st, diag);
    if (rc == 0)
        rc = ww_notify_migrate(n->st, diag);
    if (rc == 0 && pthread_create(&n->tid, NULL, run, n) != 0)
        rc = WW_ENOMEM;
    if (rc) {
        ww_notify_stop(n);
        return rc;
    }
    n->started = true;
    *out = n;
    return 0;
}

void ww_notify_kick(ww_notify_t *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->mu);
    n->kicked = true;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
}

void ww_notify_stop(ww_notify_t *n)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->mu);
    n->stop = true;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    if (n->started)
        pthread_join(n->tid, NULL);
    ww_store_close(n->st);
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n);
}

void ww_notify_get_stats(ww_notify_t *n, ww_notify_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!n)
        return;
    pthread_mutex_lock(&n->mu);
    *out = n->stats;
    pthread_mutex_unlock(&n->mu);
}

int ww_notify_dead_each(ww_store_t *st, ww_notify_dead_fn fn, void *ud, ww_diag_t *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT n.alert_id, coalesce(a.rule_title, ''), n.notifier, n.attempts,"
                           " n.last_error FROM notify n LEFT JOIN alert a ON a.id = n.alert_id"
                           " WHERE n.state = 'dead' ORDER BY n.next_try, n.alert_id",
                           -1, &q, NULL) != SQLITE_OK) {
        ww_diag_set(diag, st->path, 0, 0, "notify queue: %s", sqlite3_errmsg(st->db));
        return WW_EIO;
    }
    int rc = 0;
    while (rc == 0 && sqlite3_step(q) == SQLITE_ROW)
        rc = fn(ud, (const char *)sqlite3_column_text(q, 0),
                (const char *)sqlite3_column_text(q, 1), (const char *)sqlite3_column_text(q, 2),
                sqlite3_column_int(q, 3), (const char *)sqlite3_column_text(q, 4));
    sqlite3_finalize(q);
    return rc;
}
