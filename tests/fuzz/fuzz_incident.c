/* libFuzzer target for lib/incident: what people type into an incident (title,
 * description, owner, severity, status, awareness time, a note, an evidence file's name)
 * and what alerts bring into its timeline (rule title, host, address) comes from the
 * input, split at NUL bytes.  Every refusal must say why; whatever is accepted must be
 * stored as given; and both exports must stay one valid JSON object whatever the
 * values (checked with lib/web's JSON body parser). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alerts/ww_alerts.h"
#include "incident/ww_incident.h"

enum { F_TITLE, F_DESC, F_OWNER, F_SEVERITY, F_STATUS, F_AWARE, F_NOTE, F_RULE, F_HOST, F_IP, NF };

static ww_store_t *g_st;
static char g_dir[128];
static unsigned g_runs;

/* The store is a file of this process's own: removed when the run ends. */
static void cleanup(void)
{
    ww_store_close(g_st);
    static const char *const ext[] = {".db", ".db-wal", ".db-shm"};
    for (size_t i = 0; i < 3; i++) {
        char path[200];
        snprintf(path, sizeof path, "%s%s", g_dir, ext[i]);
        unlink(path);
    }
}

static void json_object(const char *s, size_t n)
{
    ww_buf_t msg;
    ww_buf_init(&msg, 0);
    ww_buf_printf(&msg,
                  "POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                  "Content-Length: %zu\r\n\r\n",
                  n);
    ww_buf_append(&msg, s, n);
    ww_web_limits_t lim;
    ww_web_limits_default(&lim);
    lim.max_body = 64u << 20;
    ww_web_req_t r;
    ww_web_req_init(&r, &lim, NULL);
    int rc = ww_web_req_parse_raw(&r, msg.p, msg.n, 0);
    if (rc != 0 || ww_web_json_type(&r, 0) != 'o') {
        fprintf(stderr, "export is not one JSON object (%s): %.400s\n", r.diag.msg, s);
        abort();
    }
    ww_web_req_release(&r);
    ww_buf_release(&msg);
}

static void refused_with_reason(int rc, const ww_diag_t *d)
{
    if (rc != WW_EINVAL || d->msg[0] == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ww_diag_t d = {0};
    if (!g_st) {
        snprintf(g_dir, sizeof g_dir, "/tmp/ww-fuzz-incident-%d", (int)getpid());
        char path[200];
        snprintf(path, sizeof path, "%s.db", g_dir);
        unlink(path);
        if (ww_store_open(path, &g_st, &d) != 0 ||
            ww_store_exec(g_st, "PRAGMA synchronous=OFF", &d) != 0)
            abort();
        atexit(cleanup);
    }
    /* A long fuzzing run starts again now and then, so the store stays small. */
    if (++g_runs % 512 == 0 &&
        ww_store_exec(g_st,
                      "DELETE FROM incident_alert; DELETE FROM incident_note;"
                      "DELETE FROM incident_history; DELETE FROM incident; DELETE FROM alert;",
                      &d) != 0)
        abort();
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    const char *f[NF];
    size_t nf = 0;
    for (char *p = buf; nf < NF;) {
        f[nf++] = p;
        size_t len = strlen(p);
        if (p + len >= buf + size)
            break;
        p += len + 1;
    }
    while (nf < NF)
        f[nf++] = "";

    const int64_t now = INT64_C(1796292000); /* 2026-12-03T10:00:00Z */
    ww_incident_new_t in = {.title = f[F_TITLE],
                            .description = f[F_DESC],
                            .owner = f[F_OWNER],
                            .severity = f[F_SEVERITY],
                            .personal_data = size & 1,
                            .dspt_reportable = size & 2};
    ww_incident_t *inc = malloc(sizeof *inc);
    int rc = inc ? ww_incident_create(g_st, &in, "fuzz", now, inc, &d) : WW_ENOMEM;
    if (rc == WW_ENOMEM)
        goto out;
    if (rc != 0) {
        refused_with_reason(rc, &d);
        goto out;
    }
    if (strcmp(inc->title, f[F_TITLE]) || strcmp(inc->description, f[F_DESC]) ||
        strcmp(inc->owner, f[F_OWNER]))
        abort(); /* accepted means kept as typed */

    ww_incident_edit_t e = WW_INCIDENT_EDIT_NONE;
    e.status = f[F_STATUS];
    e.aware = f[F_AWARE][0] ? f[F_AWARE] : NULL;
    e.dspt_ref = f[F_OWNER];
    rc = ww_incident_update(g_st, inc->id, &e, "fuzz", now, NULL, &d);
    if (rc)
        refused_with_reason(rc, &d);
    rc = ww_incident_note(g_st, inc->id, f[F_OWNER], f[F_NOTE], now, &d);
    if (rc)
        refused_with_reason(rc, &d);

    /* An alert carrying the input's values, as a hostile log line would. */
    ww_alert_t a = {0};
    snprintf(a.id, sizeof a.id, "%032u", g_runs);
    a.rule_id = f[F_RULE];
    a.rule_title = f[F_RULE];
    a.why = "";
    a.ts = size & 4 ? WW_TIME_NONE : INT64_C(1796291000) * 1000000000;
    a.received = INT64_C(1796291001) * 1000000000;
    a.host = f[F_HOST];
    a.user = f[F_NOTE];
    a.src_ip = f[F_IP];
    a.source = a.position = a.techniques = a.event_json = a.asset_id = a.segment = a.owner = "";
    if (ww_alerts_migrate(g_st, &d) != 0 || ww_alerts_put(g_st, &a, NULL, &d) != 0 ||
        ww_incident_link_alert(g_st, inc->id, a.id, f[F_HOST], now, &d) != 0)
        abort();

    if (ww_incident_get(g_st, inc->ref, inc, &d) != 0)
        abort();
    ww_buf_t out;
    ww_buf_init(&out, 0);
    if (ww_incident_export_json(g_st, inc, now, &out, &d) != 0)
        abort();
    json_object(out.p, out.n);
    ww_buf_clear(&out);
    ww_inc_stix_opts_t so = {f[F_HOST], f[F_IP]};
    if (ww_incident_export_stix(g_st, inc, now, &so, &out, &d) != 0)
        abort();
    json_object(out.p, out.n);
    ww_buf_release(&out);
out:
    free(inc);
    free(buf);
    return 0;
}
