/* Unit tests for lib/asset: vocabularies and loose header names, the CSV reader, the
 * CSV / JSON / nmap importers (re-import updates, malformed rows with row and column,
 * nmap matching by IP and MAC, observed devices) and the register's migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "asset/ww_asset_int.h"

/* ---- helpers ---------------------------------------------------------------------- */

typedef struct errs {
    ww_diag_t d[32];
    size_t n;
} errs_t;

static void collect(void *ud, const ww_diag_t *d)
{
    errs_t *e = ud;
    if (e->n < 32)
        e->d[e->n++] = *d;
}

static const ww_diag_t *find_err(const errs_t *e, uint32_t line)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->d[i].line == line)
            return &e->d[i];
    return NULL;
}

typedef struct fx {
    char path[64];
    ww_store_t *st;
    errs_t errs;
    ww_import_opts_t o;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "/tmp/ww_asset_testXXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0)
        return -1;
    close(fd);
    ww_diag_t d;
    if (ww_store_open(f->path, &f->st, &d) != 0)
        return -1;
    f->o.on_error = collect;
    f->o.ud = &f->errs;
    f->o.now = 1772323200; /* 2026-03-01 */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ww_store_close(f->st);
    char p[80];
    unlink(f->path);
    snprintf(p, sizeof p, "%s-wal", f->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", f->path);
    unlink(p);
    free(f);
    return 0;
}

static int import_str(fx_t *f, const char *name, const char *text, ww_import_stats_t *s)
{
    memset(s, 0, sizeof *s);
    f->errs.n = 0;
    ww_diag_t d = {0};
    return ww_asset_import_mem(f->st, name, text, strlen(text), &f->o, s, &d);
}

static int import_file(fx_t *f, const char *name, ww_import_stats_t *s)
{
    const char *src = getenv("WW_SRC");
    char path[512];
    snprintf(path, sizeof path, "%s/tests/data/assets/%s", src ? src : WW_SOURCE_DIR, name);
    memset(s, 0, sizeof *s);
    f->errs.n = 0;
    ww_diag_t d = {0};
    return ww_asset_import_file(f->st, path, &f->o, s, &d);
}

static const ww_asset_t *by_id(const ww_asset_set_t *set, const char *id)
{
    for (size_t i = 0; i < set->n; i++)
        if (!strcmp(set->assets[i].asset_id, id))
            return &set->assets[i];
    return NULL;
}

/* ---- vocabularies ------------------------------------------------------------------ */

static void test_vocabularies(void **state)
{
    (void)state;
    ww_asset_type_t t;
    assert_int_equal(ww_asset_type_parse("Medical Device", 14, &t), 0);
    assert_int_equal(t, WW_AT_MEDICAL_DEVICE);
    assert_int_equal(ww_asset_type_parse("thin_client", 11, &t), 0);
    assert_int_equal(t, WW_AT_THIN_CLIENT);
    assert_int_equal(ww_asset_type_parse("cloud-service", 13, &t), 0);
    assert_int_equal(t, WW_AT_CLOUD_SERVICE);
    assert_int_equal(ww_asset_type_parse("toaster", 7, &t), WW_EPARSE);
    ww_tri_t b;
    assert_int_equal(ww_tri_parse(" NA ", 4, &b), 0);
    assert_int_equal(b, WW_TRI_NA);
    assert_int_equal(ww_tri_parse("N/A", 3, &b), 0);
    assert_int_equal(b, WW_TRI_NA);
    assert_int_equal(ww_tri_parse("Yes", 3, &b), 0);
    assert_int_equal(b, WW_TRI_YES);
    assert_int_equal(ww_tri_parse("", 0, &b), 0);
    assert_int_equal(b, WW_TRI_UNKNOWN);
    assert_int_equal(ww_tri_parse("maybe", 5, &b), WW_EPARSE);
    ww_crit_t c;
    assert_int_equal(ww_crit_parse("Critical", 8, &c), 0);
    assert_int_equal(c, WW_CRIT_CRITICAL);
    assert_int_equal(ww_crit_parse("none", 4, &c), 0);
    assert_int_equal(c, WW_CRIT_NONE);
    ww_sev_t s;
    assert_int_equal(ww_sev_parse("Important", 9, &s), 0);
    assert_int_equal(s, WW_SEV_HIGH);
    int64_t when;
    assert_int_equal(ww_asset_time_parse("2017-03-14", 10, &when), 0);
    assert_int_equal(when, 1489449600);
    assert_int_equal(ww_asset_time_parse("2024-02-29", 10, &when), 0);
    assert_int_equal(ww_asset_time_parse("2023-02-29", 10, &when), WW_EPARSE);
    assert_int_equal(ww_asset_time_parse("14/03/2017", 10, &when), WW_EPARSE);
    assert_int_equal(ww_asset_time_parse("2026-03-02T07:15:00Z", 20, &when), 0);
    assert_int_equal(when, 1772435700);
}

static void test_loose_headers(void **state)
{
    (void)state;
    static const struct {
        const char *h;
        int f;
    } cases[] = {
        {"IP Address", WW_AF_IP},
        {"ip_address", WW_AF_IP},
        {"Host name", WW_AF_HOSTNAME},
        {"HOSTNAME", WW_AF_HOSTNAME},
        {"Operating System", WW_AF_OS},
        {"OS-Version", WW_AF_OS_VERSION},
        {" Asset Tag ", WW_AF_ASSET_ID},
        {"asset-id", WW_AF_ASSET_ID},
        {"Missing Updates", WW_AF_MISSING_UPDATES},
        {"Clinical Criticality", WW_AF_CLINICAL_CRITICALITY},
        {"Default Password Changed", WW_AF_DEFAULT_PASSWORD_CHANGED},
        {"MAC Address", WW_AF_MAC},
        {"Internet Facing", WW_AF_INTERNET_EXPOSED},
        {"Anti-Malware", WW_AF_AV_ENABLED},
        {"VLAN", WW_AF_SEGMENT},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(cases); i++) {
        int f = ww_asset_field_lookup(cases[i].h, strlen(cases[i].h));
        if (f != cases[i].f)
            fail_msg("header \"%s\": expected field %d, got %d", cases[i].h, cases[i].f, f);
    }
    assert_int_equal(ww_asset_field_lookup("Favourite colour", 16), -1);
    assert_int_equal(ww_asset_field_lookup("", 0), -1);
}

static void test_mac_norm(void **state)
{
    (void)state;
    char m[18];
    assert_int_equal(ww__mac_norm("AA-BB-CC-00-11-22", 17, m), 0);
    assert_string_equal(m, "aa:bb:cc:00:11:22");
    assert_int_equal(ww__mac_norm("aabb.cc00.1122", 14, m), 0);
    assert_string_equal(m, "aa:bb:cc:00:11:22");
    assert_int_equal(ww__mac_norm("aa:bb:cc:00:11", 14, m), WW_EPARSE);
    assert_int_equal(ww__mac_norm("aa:bb:cc:00:11:2g", 17, m), WW_EPARSE);
}

static void test_missing_updates_syntax(void **state)
{
    (void)state;
    ww_arena_t ar;
    ww_arena_init(&ar, 4096, 0);
    ww__rec_t r;
    ww__rec_init(&r);
    char why[200];
    const char *v = "CVE-2017-0144:critical:2017-03-14; KB5034441:important:2024-01-09;"
                    "CVE-2024-21762:critical:9.8:2024-02-08;CVE-2020-1472:10.0:2020-08-11;"
                    "KB123";
    assert_int_equal(ww__rec_set(&r, WW_AF_MISSING_UPDATES, v, strlen(v), &ar, why, sizeof why), 0);
    assert_int_equal(r.a.nupdates, 5);
    assert_string_equal(r.a.updates[0].id, "CVE-2017-0144");
    assert_int_equal(r.a.updates[0].severity, WW_SEV_CRITICAL);
    assert_int_equal(r.a.updates[0].released, 1489449600);
    assert_true(r.a.updates[0].cvss < 0);
    assert_int_equal(r.a.updates[1].severity, WW_SEV_HIGH);
    assert_true(r.a.updates[2].cvss > 9.7 && r.a.updates[2].cvss < 9.9);
    assert_int_equal(r.a.updates[2].severity, WW_SEV_CRITICAL);
    assert_int_equal(r.a.updates[3].severity, WW_SEV_NONE);
    assert_true(r.a.updates[3].cvss > 9.9);
    assert_int_equal(r.a.updates[4].released, WW_ASSET_NOTIME);
    assert_int_equal(r.a.updates[4].severity, WW_SEV_NONE);
    ww__rec_init(&r);
    const char *bad = "CVE-2017-0144:urgent:2017-03-14";
    assert_int_equal(ww__rec_set(&r, WW_AF_MISSING_UPDATES, bad, strlen(bad), &ar, why, sizeof why),
                     WW_EPARSE);
    assert_non_null(strstr(why, "urgent"));
    /* Day-first dates are read by default (the UK way); 31 February never exists. */
    ww__rec_init(&r);
    const char *uk = "CVE-2017-0144:critical:14-03-2017;KB1:high:14/03/2017";
    assert_int_equal(ww__rec_set(&r, WW_AF_MISSING_UPDATES, uk, strlen(uk), &ar, why, sizeof why),
                     0);
    assert_int_equal(r.a.updates[0].released, 1489449600);
    assert_int_equal(r.a.updates[1].released, 1489449600);
    const char *bad2 = "CVE-2017-0144:critical:31-02-2017";
    assert_int_equal(
        ww__rec_set(&r, WW_AF_MISSING_UPDATES, bad2, strlen(bad2), &ar, why, sizeof why),
        WW_EPARSE);
    assert_non_null(strstr(why, "release date"));
    /* With ISO only, the same day-first date is refused and the reason says why. */
    ww__rec_init(&r);
    r.date_order = WW_DATE_ISO;
    assert_int_equal(ww__rec_set(&r, WW_AF_MISSING_UPDATES, uk, strlen(uk), &ar, why, sizeof why),
                     WW_EPARSE);
    assert_non_null(strstr(why, "--date-format iso"));
    ww_arena_release(&ar);
}

/* ---- CSV reader ------------------------------------------------------------------- */

typedef struct rows {
    char cell[16][8][32];
    uint32_t line[16];
    size_t nf[16];
    size_t n;
    uint32_t eline[8], ecol[8];
    size_t ne;
} rows_t;

static int on_row(void *ud, uint32_t line, const ww__csv_field_t *f, size_t nf)
{
    rows_t *r = ud;
    if (r->n == 16)
        return 0;
    r->line[r->n] = line;
    r->nf[r->n] = nf;
    for (size_t i = 0; i < nf && i < 8; i++)
        snprintf(r->cell[r->n][i], 32, "%.*s", (int)f[i].n, f[i].p);
    r->n++;
    return 0;
}

static void on_err(void *ud, uint32_t line, uint32_t col, const char *msg)
{
    rows_t *r = ud;
    (void)msg;
    if (r->ne < 8) {
        r->eline[r->ne] = line;
        r->ecol[r->ne] = col;
        r->ne++;
    }
}

static void test_csv_reader(void **state)
{
    (void)state;
    rows_t r;
    memset(&r, 0, sizeof r);
    const char *text = "\xEF\xBB\xBF"
                       "a,b,c\r\n"
                       "1,\"x, \"\"y\"\"\",3\r\n"
                       "\r\n"
                       "\"multi\nline\",,last\n"
                       "4,bad\"quote,6\n"
                       "7,\"closed\"junk,9\n"
                       "10,11,12";
    int n = ww__csv_parse(text, strlen(text), on_row, on_err, &r);
    assert_int_equal(n, 4);
    assert_string_equal(r.cell[0][0], "a");
    assert_string_equal(r.cell[1][1], "x, \"y\"");
    assert_int_equal(r.line[1], 2);
    assert_string_equal(r.cell[2][0], "multi\nline");
    assert_string_equal(r.cell[2][1], "");
    assert_int_equal(r.line[2], 4);
    assert_int_equal(r.nf[2], 3);
    assert_string_equal(r.cell[3][2], "12");
    assert_int_equal(r.line[3], 8);
    assert_int_equal(r.ne, 2);
    assert_int_equal(r.eline[0], 6);
    assert_int_equal(r.ecol[0], 6);
    assert_int_equal(r.eline[1], 7);
    assert_int_equal(r.ecol[1], 11);

    /* An unclosed quote loses only its own record. */
    memset(&r, 0, sizeof r);
    const char *t2 = "a,b\n\"open,2\n3,4\n";
    n = ww__csv_parse(t2, strlen(t2), on_row, on_err, &r);
    assert_int_equal(n, 2);
    assert_int_equal(r.ne, 1);
    assert_int_equal(r.eline[0], 2);
    assert_int_equal(r.ecol[0], 1);
    assert_string_equal(r.cell[1][0], "3");
}

/* ---- CSV import ------------------------------------------------------------------- */

static void test_csv_import_and_reimport(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    assert_int_equal(import_file(f, "register.csv", &s), 0);
    assert_int_equal(s.imported, 5);
    assert_int_equal(s.updated, 0);
    assert_int_equal(s.rejected, 0);
    ww_asset_set_t set;
    ww_diag_t d;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 5);
    const ww_asset_t *a = by_id(&set, "A-0002");
    assert_non_null(a);
    assert_string_equal(a->hostname, "pacs-srv01");
    assert_int_equal(a->nips, 1);
    assert_string_equal(a->ips[0], "10.1.2.10");
    assert_int_equal(a->type, WW_AT_SERVER);
    assert_string_equal(a->os, "Windows Server 2008 R2");
    assert_string_equal(a->os_version, "SP1");
    assert_int_equal(a->nupdates, 2);
    assert_string_equal(a->updates[1].id, "KB5034441");
    assert_int_equal(a->firewall_enabled, WW_TRI_NO);
    assert_int_equal(a->mfa, WW_TRI_NO);
    assert_int_equal(a->clinical_criticality, WW_CRIT_HIGH);
    assert_int_equal(a->source, WW_SRC_CSV);
    assert_int_equal(a->first_seen, 1772323200);
    const ww_asset_t *m = by_id(&set, "A-0003");
    assert_int_equal(m->type, WW_AT_MEDICAL_DEVICE);
    assert_string_equal(m->manufacturer, "Baxter");
    assert_string_equal(m->firmware, "8.01.01");
    assert_int_equal(m->av_enabled, WW_TRI_NA);
    assert_int_equal(m->default_password_changed, WW_TRI_NO);
    const ww_asset_t *c = by_id(&set, "A-0005");
    assert_int_equal(c->nips, 0);
    assert_int_equal(c->last_patched, WW_ASSET_NOTIME);
    assert_int_equal(c->internet_exposed, WW_TRI_YES);
    ww_asset_set_release(&set);

    /* The same file again: every row updates, nothing is duplicated. */
    f->o.now += 86400;
    assert_int_equal(import_file(f, "register.csv", &s), 0);
    assert_int_equal(s.imported, 0);
    assert_int_equal(s.updated, 5);
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 5);
    a = by_id(&set, "A-0002");
    assert_int_equal(a->first_seen, 1772323200);
    assert_int_equal(a->last_seen, 1772323200 + 86400);
    ww_asset_set_release(&set);

    /* Loose headers, BOM, quoted fields: A-0002 is updated (only the columns given),
       A-0100 is new. */
    assert_int_equal(import_file(f, "loose.csv", &s), 0);
    assert_int_equal(s.imported, 1);
    assert_int_equal(s.updated, 1);
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 6);
    a = by_id(&set, "A-0002");
    assert_string_equal(a->hostname, "PACS-SRV01");
    assert_string_equal(a->notes, "re-imported, with \"quotes\"");
    assert_string_equal(a->segment, "imaging"); /* not in loose.csv: kept */
    assert_int_equal(a->nupdates, 2);           /* kept */
    assert_int_equal(a->firewall_enabled, WW_TRI_NO);
    const ww_asset_t *n = by_id(&set, "A-0100");
    assert_string_equal(n->notes, "two\nlines");
    assert_int_equal(n->av_enabled, WW_TRI_NO);
    ww_asset_set_release(&set);
}

static void test_csv_match_keys(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    assert_int_equal(import_str(f, "a.csv", "hostname,ip,os\nlab-1,10.0.0.1,Debian\n", &s), 0);
    assert_int_equal(s.imported, 1);
    /* Same hostname, different case, no asset_id: the same asset. */
    assert_int_equal(import_str(f, "b.csv", "Host Name,OS Version\nLAB-1,12\n", &s), 0);
    assert_int_equal(s.updated, 1);
    /* An IP-only record finds it by IP and gives it an asset_id. */
    assert_int_equal(import_str(f, "c.csv", "ip,asset_id\n10.0.0.1,X-1\n", &s), 0);
    assert_int_equal(s.updated, 1);
    /* A different asset_id on the same IP is a different asset (DHCP reuse). */
    assert_int_equal(import_str(f, "d.csv", "ip,asset_id\n10.0.0.1,X-2\n", &s), 0);
    assert_int_equal(s.imported, 1);
    ww_asset_set_t set;
    ww_diag_t d;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 2);
    const ww_asset_t *a = by_id(&set, "X-1");
    assert_non_null(a);
    assert_string_equal(a->os, "Debian");
    assert_string_equal(a->os_version, "12");
    assert_string_equal(a->hostname, "LAB-1"); /* the later file renamed it */
    ww_asset_set_release(&set);
    ww_arena_t ar;
    ww_arena_init(&ar, 4096, 0);
    ww_asset_t one;
    assert_int_equal(ww_asset_find(f->st, "LAB-1", &ar, &one, &d), 1);
    assert_string_equal(one.asset_id, "X-1");
    assert_int_equal(ww_asset_find(f->st, "nope", &ar, &one, &d), 0);
    ww_arena_release(&ar);
}

static void test_csv_malformed_rows(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    assert_int_equal(import_file(f, "malformed.csv", &s), 0);
    /* A bad cell keeps its asset (the cell is named and left out); a row that cannot
       be split into the header's columns is rejected. */
    assert_int_equal(s.imported, 6);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.cells_ignored, 4);
    const ww_diag_t *e;
    e = find_err(&f->errs, 3);
    assert_non_null(e);
    assert_int_equal(e->col, 3);
    assert_non_null(strstr(e->msg, "ip"));
    assert_non_null(strstr(e->msg, "10.2.0.999"));
    assert_non_null(strstr(e->file, "malformed.csv"));
    e = find_err(&f->errs, 4);
    assert_int_equal(e->col, 4);
    assert_non_null(strstr(e->msg, "toaster"));
    e = find_err(&f->errs, 5);
    assert_int_equal(e->col, 5);
    assert_non_null(strstr(e->msg, "2026-02-30"));
    e = find_err(&f->errs, 6);
    assert_int_equal(e->col, 6);
    assert_non_null(strstr(e->msg, "yes, no or na"));
    assert_non_null(strstr(e->msg, "cell ignored"));
    e = find_err(&f->errs, 7);
    assert_non_null(strstr(e->msg, "7 fields"));
    ww_asset_set_t set;
    ww_diag_t d;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 6);
    assert_non_null(by_id(&set, "B-1"));
    assert_non_null(by_id(&set, "B-7"));
    assert_null(by_id(&set, "B-6"));
    assert_int_equal(by_id(&set, "B-2")->nips, 0);
    assert_int_equal(by_id(&set, "B-3")->type, WW_AT_UNKNOWN);
    assert_int_equal(by_id(&set, "B-3")->av_enabled, WW_TRI_YES);
    assert_int_equal(by_id(&set, "B-4")->last_patched, WW_ASSET_NOTIME);
    assert_int_equal(by_id(&set, "B-5")->av_enabled, WW_TRI_UNKNOWN);
    assert_int_equal(by_id(&set, "B-5")->last_patched, 1767225600);
    ww_asset_set_release(&set);

    /* On re-import, a bad cell leaves the stored value alone (it does not clear it). */
    assert_int_equal(
        import_str(f, "r.csv", "asset_id,last_patched,av_enabled\nB-5,32/01/2026,no\n", &s), 0);
    assert_int_equal(s.updated, 1);
    assert_int_equal(s.cells_ignored, 1);
    assert_int_equal(f->errs.d[0].line, 2);
    assert_int_equal(f->errs.d[0].col, 2);
    assert_non_null(strstr(f->errs.d[0].msg, "last_patched"));
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(by_id(&set, "B-5")->last_patched, 1767225600);
    assert_int_equal(by_id(&set, "B-5")->av_enabled, WW_TRI_NO);
    ww_asset_set_release(&set);

    /* A file whose header names no key column is refused as a whole. */
    ww_diag_t fd = {0};
    const char *t = "colour,size\nred,2\n";
    assert_int_equal(ww_asset_import_mem(f->st, "x.csv", t, strlen(t), &f->o, &s, &fd), WW_EPARSE);
    assert_non_null(strstr(fd.msg, "header"));
    /* A row with no key at all is rejected. */
    assert_int_equal(import_str(f, "y.csv", "hostname,os\n,Windows 11\n", &s), 0);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(f->errs.d[0].line, 2);
}

/* Delimiters are found from the header line, quotes respected. */
static void test_csv_sniff(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        char want;
    } cases[] = {
        {"asset_id,hostname,ip\n", ','},
        {"asset_id;hostname;ip\r\n", ';'},
        {"asset_id\thostname\tip\n", '\t'},
        /* A quoted header name with commas must not outvote the semicolons. */
        {"\"Asset, ID\";\"Host, name, full\";ip\n", ';'},
        {"\xEF\xBB\xBF\n\nasset_id;hostname\nA,B,C,D\n", ';'},
        /* Only the header decides: commas in later rows do not count. */
        {"asset_id;notes\nA-1;\"a, b, c, d\"\n", ';'},
        {"asset_id\n", ','},
        {"", ','},
        {"a;b,c\td\n", ','},
    };
    for (size_t i = 0; i < WW_ARRAY_LEN(cases); i++) {
        char got = ww__csv_sniff(cases[i].text, strlen(cases[i].text));
        if (got != cases[i].want)
            fail_msg("case %zu: expected '%c', got '%c'", i, cases[i].want, got);
    }
    /* Semicolons inside quotes stay in the field. */
    rows_t r;
    memset(&r, 0, sizeof r);
    const char *t = "id;updates\r\nA-1;\"KB1:high:14/03/2026;KB2\"\r\n";
    assert_int_equal(ww__csv_parse(t, strlen(t), on_row, on_err, &r), 2);
    assert_int_equal(r.nf[1], 2);
    assert_string_equal(r.cell[1][1], "KB1:high:14/03/2026;KB2");
}

static void test_date_orders(void **state)
{
    (void)state;
    int64_t t;
    /* 14 March 2026 = 1773446400 */
    assert_int_equal(ww_asset_date_parse("14/03/2026", 10, WW_DATE_DMY, &t), 0);
    assert_int_equal(t, 1773446400);
    assert_int_equal(ww_asset_date_parse("14.3.2026", 9, WW_DATE_DMY, &t), 0);
    assert_int_equal(t, 1773446400);
    assert_int_equal(ww_asset_date_parse("03/14/2026", 10, WW_DATE_MDY, &t), 0);
    assert_int_equal(t, 1773446400);
    assert_int_equal(ww_asset_date_parse("2026-03-14", 10, WW_DATE_MDY, &t), 0);
    assert_int_equal(t, 1773446400);
    assert_int_equal(ww_asset_date_parse("14/03/2026 10:05", 16, WW_DATE_DMY, &t), 0);
    assert_int_equal(t, 1773446400 + 10 * 3600 + 5 * 60);
    /* Ambiguous: the order decides. */
    assert_int_equal(ww_asset_date_parse("03/04/2026", 10, WW_DATE_DMY, &t), 0);
    int64_t dmy = t;
    assert_int_equal(ww_asset_date_parse("03/04/2026", 10, WW_DATE_MDY, &t), 0);
    assert_int_equal(dmy - t, 30 * 86400); /* 3 April vs 4 March */
    /* Impossible in the chosen order, or not accepted at all. */
    assert_int_equal(ww_asset_date_parse("03/14/2026", 10, WW_DATE_DMY, &t), WW_EPARSE);
    assert_int_equal(ww_asset_date_parse("14/03/2026", 10, WW_DATE_MDY, &t), WW_EPARSE);
    assert_int_equal(ww_asset_date_parse("14/03/2026", 10, WW_DATE_ISO, &t), WW_EPARSE);
    assert_int_equal(ww_asset_date_parse("29/02/2025", 10, WW_DATE_DMY, &t), WW_EPARSE);
    assert_int_equal(ww_asset_date_parse("14/03/26", 8, WW_DATE_DMY, &t), WW_EPARSE);
    assert_int_equal(ww_asset_date_parse("14/03-2026", 10, WW_DATE_DMY, &t), WW_EPARSE);
    assert_int_equal(ww_asset_date_parse("14/03/20261", 11, WW_DATE_DMY, &t), WW_EPARSE);
    assert_int_equal(ww_asset_date_parse("/03/2026", 8, WW_DATE_DMY, &t), WW_EPARSE);
    assert_int_equal(ww_asset_date_parse("114/03/2026", 11, WW_DATE_DMY, &t), WW_EPARSE);
    char why[200];
    ww__date_why("03/14/2026", 10, WW_DATE_DMY, why, sizeof why);
    assert_non_null(strstr(why, "--date-format mdy"));
    ww_date_order_t o;
    assert_int_equal(ww_date_order_parse("mdy", &o), 0);
    assert_int_equal(o, WW_DATE_MDY);
    assert_int_equal(ww_date_order_parse("ymd", &o), WW_EINVAL);
}

/* A workbook is not text: refused as a whole with what to do. */
static void test_workbook_refused(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s = {0};
    ww_diag_t d = {0};
    static const char zip[] = "PK\x03\x04\x14\x00\x06\x00[Content_Types].xml";
    assert_int_equal(
        ww_asset_import_mem(f->st, "register.xlsx", zip, sizeof zip - 1, &f->o, &s, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "save it as CSV"));
    memset(&d, 0, sizeof d);
    assert_int_equal(ww_asset_import_mem(f->st, "renamed.csv", zip, sizeof zip - 1, &f->o, &s, &d),
                     WW_EPARSE);
    assert_non_null(strstr(d.msg, "Excel workbook"));
    static const char ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest";
    memset(&d, 0, sizeof d);
    assert_int_equal(ww_asset_import_mem(f->st, "old.xls", ole, sizeof ole - 1, &f->o, &s, &d),
                     WW_EPARSE);
    assert_non_null(strstr(d.msg, ".xls"));
    /* A zip given explicitly as JSON is the JSON importer's to refuse, not this check. */
    assert_int_equal(s.imported, 0);
}

/* ---- JSON ------------------------------------------------------------------------ */

static void test_json_import(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    assert_int_equal(import_file(f, "register.json", &s), 0);
    assert_int_equal(s.imported, 2);
    assert_int_equal(s.rejected, 0);
    ww_asset_set_t set;
    ww_diag_t d;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    const ww_asset_t *a = by_id(&set, "J-0001");
    assert_non_null(a);
    assert_int_equal(a->nips, 2);
    assert_string_equal(a->ips[1], "10.9.9.5");
    assert_string_equal(a->mac, "aa:bb:cc:00:11:22");
    assert_int_equal(a->type, WW_AT_THIN_CLIENT);
    assert_int_equal(a->nupdates, 1);
    assert_int_equal(a->updates[0].severity, WW_SEV_HIGH);
    assert_true(a->updates[0].cvss > 7.7 && a->updates[0].cvss < 7.9);
    assert_int_equal(a->nsoftware, 2);
    assert_string_equal(a->software[0].name, "Google Chrome");
    assert_string_equal(a->software[1].version, "2402");
    assert_int_equal(a->av_enabled, WW_TRI_YES);
    assert_int_equal(a->firewall_enabled, WW_TRI_NO);
    assert_int_equal(a->mfa, WW_TRI_UNKNOWN);
    assert_int_equal(a->nadmins, 1);
    assert_string_equal(a->admin_accounts[0], "TRUST\\ward9-admin");
    const ww_asset_t *m = by_id(&set, "J-0002");
    assert_string_equal(m->patch_by, "manufacturer");
    assert_int_equal(m->remote_service, WW_TRI_YES);
    assert_int_equal(m->stores_patient_data, WW_TRI_YES);
    assert_int_equal(m->encryption, WW_TRI_NO);
    assert_int_equal(m->source, WW_SRC_JSON);
    ww_asset_set_release(&set);

    /* JSON lines: a syntax error loses its line only; a bad value loses only itself. */
    assert_int_equal(import_file(f, "register.jsonl", &s), 0);
    assert_int_equal(s.imported, 3);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.cells_ignored, 1);
    assert_int_equal(f->errs.n, 2);
    assert_int_equal(f->errs.d[0].line, 2);
    assert_true(f->errs.d[0].col > 1);
    assert_int_equal(f->errs.d[1].line, 3);
    assert_non_null(strstr(f->errs.d[1].msg, "last_patched"));
    assert_non_null(strstr(f->errs.d[1].msg, "value ignored"));
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_non_null(by_id(&set, "J-0005"));
    assert_int_equal(by_id(&set, "J-0005")->last_patched, WW_ASSET_NOTIME);
    assert_string_equal(by_id(&set, "J-0005")->hostname, "vm-app02");
    ww_asset_set_release(&set);

    /* {"assets": [...]} and re-import by asset_id. */
    assert_int_equal(import_str(f, "w.json",
                                "{\"assets\": [{\"asset_id\": \"J-0002\", \"segment\": \"ecg\"}]}",
                                &s),
                     0);
    assert_int_equal(s.updated, 1);
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_string_equal(by_id(&set, "J-0002")->segment, "ecg");
    assert_string_equal(by_id(&set, "J-0002")->model, "MAC 5500");
    ww_asset_set_release(&set);

    /* Not JSON at all / a record that is not an object. */
    ww_diag_t fd = {0};
    assert_int_equal(ww_asset_import_mem(f->st, "n.json", "hello", 5, &f->o, &s, &fd), WW_EPARSE);
    assert_int_equal(import_str(f, "n2.json", "[1, {\"hostname\": \"z\"}]", &s), 0);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.imported, 1);
}

/* ---- nmap ------------------------------------------------------------------------ */

static void test_nmap_matching(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    assert_int_equal(import_file(f, "register.csv", &s), 0);
    {
        /* No scan imported yet. */
        ww_asset_set_t none;
        ww_diag_t nd;
        assert_int_equal(ww_asset_load(f->st, &none, &nd), 0);
        assert_int_equal(none.nscans, 0);
        assert_int_equal(none.last_scan, WW_ASSET_NOTIME);
        ww_asset_set_release(&none);
    }
    /* An asset known only by MAC. */
    assert_int_equal(import_str(f, "m.csv", "asset_id,mac\nM-1,00:0a:0b:0c:0d:0e\n", &s), 0);
    const char *xml =
        "<?xml version=\"1.0\"?><nmaprun start=\"1772323200\">"
        "<host><status state=\"up\"/><address addr=\"10.7.7.7\" addrtype=\"ipv4\"/>"
        "<address addr=\"00:0A:0B:0C:0D:0E\" addrtype=\"mac\" vendor=\"X\"/>"
        "<ports><port protocol=\"tcp\" portid=\"22\"><state state=\"open\"/>"
        "<service name=\"ssh\" product=\"OpenSSH\" version=\"9.6\"/></port></ports></host>"
        "</nmaprun>";
    assert_int_equal(import_str(f, "mac.xml", xml, &s), 0);
    assert_int_equal(s.updated, 1);
    assert_int_equal(s.observed, 0);
    ww_arena_t ar;
    ww_arena_init(&ar, 4096, 0);
    ww_asset_t a;
    ww_diag_t d;
    assert_int_equal(ww_asset_find(f->st, "M-1", &ar, &a, &d), 1);
    assert_int_equal(a.nports, 1);
    assert_int_equal(a.ports[0].port, 22);
    assert_string_equal(a.ports[0].product, "OpenSSH 9.6");

    assert_int_equal(import_file(f, "scan.xml", &s), 0);
    assert_int_equal(s.updated, 1);  /* 10.1.2.10 = A-0002 */
    assert_int_equal(s.observed, 2); /* the Philips monitor and the printer; down host skipped */
    assert_int_equal(s.rejected, 0);
    assert_int_equal(ww_asset_find(f->st, "A-0002", &ar, &a, &d), 1);
    assert_int_equal(a.nports, 2); /* 445 and 104 open; 3389 filtered */
    assert_int_equal(a.ports[1].port, 104);
    assert_string_equal(a.ports[1].service, "dicom");
    assert_string_equal(a.os_guess, "Microsoft Windows Server 2008 R2 SP1");
    assert_string_equal(a.mac, "00:15:5d:01:02:10");     /* filled in, it was empty */
    assert_string_equal(a.os, "Windows Server 2008 R2"); /* the register wins */
    assert_string_equal(a.hostname, "pacs-srv01");
    ww_arena_release(&ar);

    ww_asset_set_t set;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.nobserved, 2);
    /* Both scans are recorded: the audit knows the network was looked at. */
    assert_int_equal(set.nscans, 2);
    assert_true(set.last_scan != WW_ASSET_NOTIME);
    const ww_observed_t *o = &set.observed[1];
    assert_string_equal(o->ip, "10.1.9.80");
    assert_string_equal(o->vendor, "Philips Medical Systems");
    assert_string_equal(o->os_guess, "Wind River VxWorks");
    assert_non_null(strstr(o->medical_hint, "Philips"));
    assert_int_equal(o->nports, 1);
    assert_int_equal(o->ports[0].port, 2575);
    assert_int_equal(o->last_seen, 1772323200); /* opts.now pins "seen" times */
    assert_string_equal(set.observed[0].hostname, "printer-5f");
    assert_string_equal(set.observed[0].medical_hint, "");
    assert_string_equal(set.observed[0].ports[0].product, "HP & Co JetDirect");
    ww_asset_set_release(&set);

    /* Registering the monitor later removes it from the unregistered list. */
    assert_int_equal(
        import_str(f, "reg.csv", "asset_id,ip,type\nMD-9,10.1.9.80,medical_device\n", &s), 0);
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.nobserved, 1);
    assert_string_equal(set.observed[0].ip, "10.1.5.44");
    ww_asset_set_release(&set);
}

static void test_nmap_malformed(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    ww_diag_t d = {0};
    /* Not nmap output. */
    const char *x1 = "<?xml version=\"1.0\"?><html><body/></html>";
    assert_int_equal(ww_asset_import_mem(f->st, "a.xml", x1, strlen(x1), &f->o, &s, &d), WW_EPARSE);
    assert_non_null(strstr(d.msg, "nmaprun"));
    /* Truncated mid-host: the first host is kept, the damage is reported with its
       line. */
    const char *x2 =
        "<nmaprun>\n"
        "<host><status state=\"up\"/><address addr=\"10.3.0.1\" addrtype=\"ipv4\"/></host>\n"
        "<host><status state=\"up\"/><address addr=\"10.3.0.2\" addrtype=\"ipv4\"/>\n"
        "<ports><port protocol=\"tcp\" portid=\"80\"><state state=\"open\"";
    assert_int_equal(import_str(f, "b.xml", x2, &s), 0);
    assert_int_equal(s.observed, 1);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(f->errs.d[0].line, 4);
    /* Mismatched tags and a bad address. */
    const char *x3 =
        "<nmaprun>\n<host><status state=\"up\"/>"
        "<address addr=\"10.3.0.999\" addrtype=\"ipv4\"/></host>\n"
        "<host><status state=\"up\"/><address addr=\"10.3.0.3\" addrtype=\"ipv4\"/></hots>\n"
        "</nmaprun>";
    assert_int_equal(import_str(f, "c.xml", x3, &s), 0);
    assert_int_equal(s.rejected, 2);
    assert_int_equal(f->errs.d[0].line, 2);
    assert_non_null(strstr(f->errs.d[0].msg, "10.3.0.999"));
    assert_int_equal(f->errs.d[1].line, 3);
    assert_non_null(strstr(f->errs.d[1].msg, "does not match"));
    /* Entities in attribute values. */
    const char *x4 = "<nmaprun><host><status state=\"up\"/>"
                     "<address addr=\"10.3.0.4\" addrtype=\"ipv4\"/>"
                     "<hostnames><hostname name=\"a&#x41;&lt;b\" type=\"user\"/></hostnames>"
                     "</host></nmaprun>";
    assert_int_equal(import_str(f, "d.xml", x4, &s), 0);
    ww_asset_set_t set;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    bool found = false;
    for (size_t i = 0; i < set.nobserved; i++)
        if (!strcmp(set.observed[i].ip, "10.3.0.4"))
            found = !strcmp(set.observed[i].hostname, "aA<b");
    assert_true(found);
    ww_asset_set_release(&set);
}

/* ---- store ------------------------------------------------------------------------ */

/* Migration 2: extended security updates enrolment, imported from an `ESU` column. */
static void test_esu_column(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    sqlite3_stmt *q;
    assert_int_equal(import_str(f, "e.csv",
                                "asset_id,os,os_version,ESU enrolled\n"
                                "E-1,Windows 10,22H2,yes\nE-2,Windows 10,22H2,no\n",
                                &s),
                     0);
    assert_int_equal(sqlite3_prepare_v2(f->st->db,
                                        "SELECT group_concat(esu) FROM"
                                        " (SELECT esu FROM asset WHERE asset_id LIKE 'E-%'"
                                        " ORDER BY asset_id)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "yes,no");
    sqlite3_finalize(q);
    ww_asset_set_t set;
    ww_diag_t d;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 2);
    assert_int_equal(set.assets[0].esu + set.assets[1].esu, WW_TRI_YES + WW_TRI_NO);
    ww_asset_set_release(&set);
}

/* The isolated column (A6.7) is read under its synonyms and stored like esu. */
static void test_isolated_column(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    assert_int_equal(import_str(f, "i.csv",
                                "asset_id,Segment Isolated,notes\nI-1,yes,\nI-2,no,isolated VLAN\n"
                                "I-3,,isolated VLAN\n",
                                &s),
                     0);
    assert_int_equal(s.imported, 3);
    ww_asset_set_t set;
    ww_diag_t d;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 3);
    int yes = 0, no = 0, unknown = 0;
    for (size_t i = 0; i < set.n; i++) {
        yes += set.assets[i].isolated == WW_TRI_YES;
        no += set.assets[i].isolated == WW_TRI_NO;
        /* "isolated VLAN" in the notes is free text: it sets nothing. */
        unknown += set.assets[i].isolated == WW_TRI_UNKNOWN;
    }
    assert_int_equal(yes, 1);
    assert_int_equal(no, 1);
    assert_int_equal(unknown, 1);
    ww_asset_set_release(&set);
    assert_int_equal(import_str(f, "bad.csv", "asset_id,isolated\nI-4,perhaps\n", &s), 0);
    assert_int_equal(s.cells_ignored, 1);
    assert_int_equal(s.imported, 1);
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(by_id(&set, "I-4")->isolated, WW_TRI_UNKNOWN);
    ww_asset_set_release(&set);
}

/* The summary counts only what the store committed: when it refuses a row (here a
 * trigger), the file is rolled back and its good rows move to not_stored. */
static void test_counts_are_committed(void **state)
{
    fx_t *f = *state;
    ww_diag_t d;
    ww_import_stats_t s;
    assert_int_equal(ww_asset_migrate(f->st, &d), 0);
    assert_int_equal(sqlite3_exec(f->st->db,
                                  "CREATE TRIGGER refuse BEFORE INSERT ON asset WHEN "
                                  "NEW.asset_id = 'C-3' BEGIN SELECT RAISE(ABORT, 'no'); END;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    const char *csv = "asset_id,ip\nC-1,10.7.0.1\nC-2,10.7.0.2\n,not-an-ip\nC-3,10.7.0.3\n";
    assert_true(import_str(f, "c.csv", csv, &s) < 0);
    assert_int_equal(s.imported, 0);
    assert_int_equal(s.updated, 0);
    assert_int_equal(s.rejected, 1);
    assert_int_equal(s.not_stored, 2);
    ww_asset_set_t set;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 0);
    ww_asset_set_release(&set);
    /* Without the refusal the same file stores what it says. */
    assert_int_equal(sqlite3_exec(f->st->db, "DROP TRIGGER refuse", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(import_str(f, "c.csv", csv, &s), 0);
    assert_int_equal(s.imported, 3);
    assert_int_equal(s.not_stored, 0);
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 3);
    ww_asset_set_release(&set);
}

static void test_migrations_and_observe(void **state)
{
    fx_t *f = *state;
    ww_diag_t d;
    assert_int_equal(ww_asset_migrate(f->st, &d), 0);
    assert_int_equal(ww_asset_migrate(f->st, &d), 0);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(f->st->db,
                                        "SELECT version FROM ww_schema WHERE module='asset'", -1,
                                        &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 4);
    sqlite3_finalize(q);
    ww_import_stats_t s;
    assert_int_equal(import_str(f, "o.csv", "asset_id,ip\nO-1,10.5.0.1\n", &s), 0);
    assert_int_equal(ww_asset_observe(f->st, "10.5.0.1", NULL, NULL, WW_SRC_LOG, 1800000000, &d),
                     1);
    assert_int_equal(ww_asset_observe(f->st, "10.5.0.2", NULL, "dev2", WW_SRC_LOG, 1800000000, &d),
                     0);
    assert_int_equal(ww_asset_observe(f->st, "10.5.0.2", NULL, NULL, WW_SRC_LOG, 1800000100, &d),
                     0);
    assert_true(ww_asset_observe(f->st, "not-an-ip", NULL, NULL, WW_SRC_LOG, 1, &d) < 0);
    ww_asset_set_t set;
    assert_int_equal(ww_asset_load(f->st, &set, &d), 0);
    assert_int_equal(set.n, 1);
    assert_int_equal(set.assets[0].last_seen, 1800000000);
    assert_int_equal(set.nobserved, 1);
    assert_string_equal(set.observed[0].hostname, "dev2");
    assert_int_equal(set.observed[0].source, WW_SRC_LOG);
    assert_int_equal(set.observed[0].first_seen, 1800000000);
    assert_int_equal(set.observed[0].last_seen, 1800000100);
    ww_asset_set_release(&set);
}

static int count_each(void *ud, const ww_asset_t *a)
{
    (void)a;
    (*(int *)ud)++;
    return 0;
}

static void test_each(void **state)
{
    fx_t *f = *state;
    ww_import_stats_t s;
    assert_int_equal(import_file(f, "register.csv", &s), 0);
    int n = 0;
    ww_diag_t d;
    assert_int_equal(ww_asset_each(f->st, count_each, &n, &d), 0);
    assert_int_equal(n, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vocabularies),
        cmocka_unit_test(test_loose_headers),
        cmocka_unit_test(test_mac_norm),
        cmocka_unit_test(test_missing_updates_syntax),
        cmocka_unit_test(test_csv_reader),
        cmocka_unit_test_setup_teardown(test_csv_import_and_reimport, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_match_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_malformed_rows, setup, teardown),
        cmocka_unit_test(test_csv_sniff),
        cmocka_unit_test(test_date_orders),
        cmocka_unit_test_setup_teardown(test_workbook_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_import, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nmap_matching, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nmap_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrations_and_observe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_esu_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isolated_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counts_are_committed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
