/* Writing a finished audit report: NDJSON (one finding per line, the keys in
 * order), a plain-text table grouped by severity, and one self-contained HTML page for
 * a board (inline CSS, SVG charts drawn here, no scripts from anywhere else). */
#include "audit/ww_audit_int.h"

#include <math.h>
#include <stdlib.h>

static const char *sev_upper[] = {"NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"};

static const char *sev_name(ww_sev_t s)
{
    static const char *names[] = {"none", "low", "medium", "high", "critical"};
    return s <= WW_SEV_CRITICAL ? names[s] : "none";
}

/* ---- text from records ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s that is not a C1 control, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t k = s[0] >= 0xC2 && s[0] <= 0xDF   ? 2
               : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
               : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                              : 0;
    if (!k || k > n)
        return 0;
    uint32_t cp = s[0] & (0x3F >> (k - 1));
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[k] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp <= 0x9F)
        return 0;
    return k;
}

/* Writes text that came from the register (names, versions, segments, evidence built
 * from them) so that it cannot act on whatever shows it: control characters (C0, DEL,
 * C1) and bytes that are not UTF-8 become visible escapes (\e, \n, \xHH; backslashes
 * doubled), the same spelling the command line uses; in HTML, < > & " ' become
 * entities too.  Returns the number of bytes written (for padding). */
static size_t put_text(FILE *out, const char *s, bool html)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : ""), *e = p + strlen((const char *)p);
    while (p < e) {
        unsigned char c = *p;
        const char *ent = NULL;
        if (html)
            ent = c == '<'    ? "&lt;"
                  : c == '>'  ? "&gt;"
                  : c == '&'  ? "&amp;"
                  : c == '"'  ? "&quot;"
                  : c == '\'' ? "&#39;"
                              : NULL;
        if (ent) {
            fputs(ent, out);
            w++, p++;
            continue;
        }
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            fputc(c, out);
            w++, p++;
            continue;
        }
        size_t k = c >= 0x80 ? utf8_len(p, (size_t)(e - p)) : 0;
        if (k) {
            fwrite(p, 1, k, out);
            w++, p += k;
            continue;
        }
        char esc[8];
        const char *named = c == '\\'   ? "\\\\"
                            : c == '\n' ? "\\n"
                            : c == '\t' ? "\\t"
                            : c == '\r' ? "\\r"
                            : c == 0x1B ? "\\e"
                                        : NULL;
        if (!named) {
            snprintf(esc, sizeof esc, "\\x%02X", c);
            named = esc;
        }
        fputs(named, out);
        w += strlen(named);
        p++;
    }
    return w;
}

/* ---- NDJSON ---------------------------------------------------------------------- */

static void json_field(ww_buf_t *b, const char *key, const char *val, bool first)
{
    if (!first)
        ww_buf_putc(b, ',');
    ww_buf_json_str(b, key, strlen(key));
    ww_buf_putc(b, ':');
    ww_buf_json_str(b, val ? val : "", val ? strlen(val) : 0);
}

int ww_audit_write_ndjson(const ww_audit_report_t *r, FILE *out)
{
    ww_buf_t b;
    ww_buf_init(&b, 1 << 20);
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const ww_audit_finding_t *f = &r->findings[i];
        ww_buf_clear(&b);
        ww_buf_putc(&b, '{');
        json_field(&b, "asset_id", f->asset_id, true);
        json_field(&b, "hostname", f->hostname, false);
        json_field(&b, "model", f->model, false);
        json_field(&b, "check", f->check, false);
        json_field(&b, "control", f->control, false);
        json_field(&b, "severity", sev_name(f->severity), false);
        ww_buf_printf(&b, ",\"auto_fail\":%s", f->auto_fail ? "true" : "false");
        json_field(&b, "title", f->title, false);
        json_field(&b, "evidence", f->evidence, false);
        json_field(&b, "remedy", f->remedy, false);
        ww_buf_puts(&b, "}\n");
        if (b.err)
            rc = b.err;
        else if (fwrite(b.p, 1, b.n, out) != b.n)
            rc = WW_EIO;
    }
    ww_buf_release(&b);
    if (rc == 0 && ferror(out))
        rc = WW_EIO;
    return rc;
}

/* ---- summary numbers shared by table and HTML ------------------------------------ */

typedef struct summary {
    size_t by_sev[5];
    size_t auto_fail;
    size_t assets_with_findings;
    size_t controls_assessed, controls_met;
    size_t autofail_controls_failing;
} summary_t;

static int id_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static void summarise(const ww_audit_report_t *r, summary_t *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < r->n; i++) {
        s->by_sev[r->findings[i].severity <= WW_SEV_CRITICAL ? r->findings[i].severity : 0]++;
        s->auto_fail += r->findings[i].auto_fail;
    }
    /* Distinct assets with findings (sort a copy of the names). */
    const char **ids = r->n ? malloc(r->n * sizeof *ids) : NULL;
    if (ids) {
        for (size_t i = 0; i < r->n; i++)
            ids[i] = r->findings[i].asset_id;
        qsort(ids, r->n, sizeof *ids, id_cmp);
        for (size_t i = 0; i < r->n; i++)
            s->assets_with_findings += i == 0 || strcmp(ids[i], ids[i - 1]);
        free(ids);
    }
    size_t nc;
    const ww_audit_control_t *cs = ww_audit_controls(&nc);
    for (size_t i = 0; i < nc; i++) {
        if (!r->tally[i].evaluated)
            continue;
        s->controls_assessed++;
        if (!r->tally[i].failed)
            s->controls_met++;
        else if (cs[i].auto_fail && r->tally[i].failed_auto)
            s->autofail_controls_failing++;
    }
}

/* "ward1-pc01, Dell OptiPlex 7010": the asset's hostname and make/model beside its ID
 * (the maker is left out when the model already starts with it).  "" when the
 * register gives neither. */
static void asset_words(const char *hostname, const char *maker, const char *model, char *out,
                        size_t cap)
{
    char mm[300];
    size_t mk = maker ? strlen(maker) : 0;
    if (model && *model && mk && strncasecmp(model, maker, mk) != 0)
        snprintf(mm, sizeof mm, "%s %s", maker, model);
    else if (model && *model)
        snprintf(mm, sizeof mm, "%s", model);
    else
        snprintf(mm, sizeof mm, "%s", maker && *maker ? maker : "");
    snprintf(out, cap, "%s%s%s", hostname ? hostname : "", hostname && *hostname && *mm ? ", " : "",
             mm);
}

static void finding_words(const ww_audit_finding_t *f, char *out, size_t cap)
{
    asset_words(f->hostname, f->maker, f->model, out, cap);
}

/* One sentence on a reference data set: its date and whether it is out of date on the
 * as-of day.  Returns true when it is stale (or its date is unknown). */
static bool data_words(const ww_audit_report_t *r, const char *what, int64_t day, int64_t age,
                       const char *extra, char *out, size_t cap)
{
    char d[16], asof[16];
    ww_audit_day_format(r->as_of_day, asof, sizeof asof);
    if (day == WW_AUDIT_NODAY) {
        snprintf(out, cap, "%s: date unknown%s%s", what, *extra ? "; " : "", extra);
        return true;
    }
    ww_audit_day_format(day, d, sizeof d);
    if (age > 0)
        snprintf(out, cap,
                 "%s dated %s%s%s is %lld days old on %s, more than %d: refresh it "
                 "(wardwatch feeds fetch)",
                 what, d, *extra ? ", " : "", extra, (long long)(r->as_of_day - day), asof,
                 WW_AUDIT_STALE_DAYS);
    else
        snprintf(out, cap, "%s dated %s%s%s", what, d, *extra ? ", " : "", extra);
    return age > 0;
}

/* Both data sets; *stale counts those out of date. */
static void data_lines(const ww_audit_report_t *r, char *kev, char *eol, size_t cap, int *stale)
{
    char extra[96] = "";
    if (r->kev_version[0])
        snprintf(extra, sizeof extra, "version %s", r->kev_version);
    *stale = data_words(r, "CISA KEV catalog", r->kev_day, ww_audit_kev_age(r), extra, kev, cap);
    *stale += data_words(r, "End-of-life data (endoflife.date)", r->eol_day, ww_audit_eol_age(r),
                         r->eol_source, eol, cap);
}

/* Medical device coverage: a percentage only when a network scan was imported. */
static void medical_words(const ww_audit_report_t *r, char *out, size_t cap)
{
    size_t med = r->medical_registered + r->medical_unregistered;
    if (!r->scans && !r->medical_unregistered)
        snprintf(out, cap, "not checked");
    else if (!med)
        snprintf(out, cap, "n/a");
    else
        snprintf(out, cap, "%.0f%%", floor(100.0 * (double)r->medical_registered / (double)med));
}

/* ---- table ----------------------------------------------------------------------- */

/* The trend as a one-line sparkline: one block per run, scaled to the largest count. */
static void sparkline(FILE *out, const ww_audit_report_t *r)
{
    static const char *const blocks[] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
                                         "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
                                         "\xe2\x96\x87", "\xe2\x96\x88"};
    if (r->nhistory < 2)
        return;
    size_t max = 0;
    for (size_t i = 0; i < r->nhistory; i++)
        if (r->history[i].findings > max)
            max = r->history[i].findings;
    const ww_audit_point_t *first = &r->history[0], *last = &r->history[r->nhistory - 1];
    char d0[16];
    ww_audit_day_format(first->day, d0, sizeof d0);
    fprintf(out, "Trend (findings per audit, %zu audits since %s): ", r->nhistory, d0);
    for (size_t i = 0; i < r->nhistory; i++)
        fputs(blocks[max ? r->history[i].findings * 7 / max : 0], out);
    long long delta = (long long)last->findings - (long long)first->findings;
    fprintf(out, "  %zu -> %zu (%s%lld)%s\n", first->findings, last->findings, delta > 0 ? "+" : "",
            delta,
            delta < 0   ? " better"
            : delta > 0 ? " worse"
                        : " no change");
    fprintf(out, "  automatic fails %zu -> %zu, critical %zu -> %zu\n", first->auto_fail,
            last->auto_fail, first->by_sev[WW_SEV_CRITICAL], last->by_sev[WW_SEV_CRITICAL]);
}

int ww_audit_write_table(const ww_audit_report_t *r, FILE *out)
{
    summary_t s;
    summarise(r, &s);
    char day[16];
    ww_audit_day_format(r->as_of_day, day, sizeof day);
    fprintf(out, "wardwatch audit: %zu asset%s in the register, as of %s\n", r->assets,
            r->assets == 1 ? "" : "s", day);
    fprintf(out, "Cyber Essentials / DSPT controls met: %zu of %zu assessed%s\n", s.controls_met,
            s.controls_assessed,
            s.autofail_controls_failing ? " (an automatic-fail control is failing)" : "");
    char med[32];
    medical_words(r, med, sizeof med);
    fprintf(out, "Medical devices registered: %s%s\n", med,
            r->scans ? "" : " (no network scan imported: wardwatch assets import scan.xml)");
    char kev[400], eol[400];
    int stale;
    data_lines(r, kev, eol, sizeof kev, &stale);
    fprintf(out, "%s", ww_audit_kev_age(r) > 0 || r->kev_day == WW_AUDIT_NODAY ? "WARNING: " : "");
    put_text(out, kev, false);
    fprintf(out, "\n%s",
            ww_audit_eol_age(r) > 0 || r->eol_day == WW_AUDIT_NODAY ? "WARNING: " : "");
    put_text(out, eol, false);
    fputc('\n', out);
    sparkline(out, r);
    fputc('\n', out);
    for (int sev = WW_SEV_CRITICAL; sev >= WW_SEV_LOW; sev--) {
        if (!s.by_sev[sev])
            continue;
        fprintf(out, "%s (%zu)\n", sev_upper[sev], s.by_sev[sev]);
        /* Stops once a write has failed (full disk, closed pipe): the caller reports it. */
        for (size_t i = 0; i < r->n && !ferror(out); i++) {
            const ww_audit_finding_t *f = &r->findings[i];
            if ((int)f->severity != sev)
                continue;
            fprintf(out, "  #%-4zu ", i + 1);
            for (size_t w = put_text(out, f->asset_id, false); w < 20; w++)
                fputc(' ', out);
            fprintf(out, " %-9s ", f->control);
            put_text(out, f->title, false);
            fprintf(out, "%s\n", f->auto_fail ? "  [AUTO-FAIL]" : "");
            char words[640];
            finding_words(f, words, sizeof words);
            if (*words) {
                fputs("         asset: ", out);
                put_text(out, words, false);
                fputc('\n', out);
            }
            fputs("         why: ", out);
            put_text(out, f->evidence, false);
            fputs("\n         do:  ", out);
            put_text(out, f->remedy, false);
            fputc('\n', out);
        }
        fputc('\n', out);
    }
    if (!r->n)
        fprintf(out, "No findings.\n\n");
    fprintf(out,
            "Summary: %zu finding%s on %zu of %zu assets: %zu critical, %zu high, %zu medium, "
            "%zu low; %zu automatic fail%s.\n",
            r->n, r->n == 1 ? "" : "s", s.assets_with_findings, r->assets,
            s.by_sev[WW_SEV_CRITICAL], s.by_sev[WW_SEV_HIGH], s.by_sev[WW_SEV_MEDIUM],
            s.by_sev[WW_SEV_LOW], s.auto_fail, s.auto_fail == 1 ? "" : "s");
    return ferror(out) ? WW_EIO : 0;
}

/* ---- HTML ------------------------------------------------------------------------ */

static void esc(FILE *out, const char *s)
{
    put_text(out, s, true);
}

/* Red is kept for automatic fails alone (AF_COLOUR, always on an element of class "af"),
 * so that a board reading the report sees at a glance what fails Cyber Essentials
 * outright; severities use other colours (critical is purple). */
#define AF_COLOUR "#c5221f"
static const char *sev_colour[] = {"#9aa0a6", "#5b8def", "#f2b705", "#e8710a", "#7b1fa2"};

typedef struct slice {
    const char *label;
    double value;
    const char *colour;
} slice_t;

/* A donut chart: one circle per slice, drawn with stroke dashes, total in the middle. */
static void donut(FILE *out, const char *name, const char *centre, const char *centre_sub,
                  const slice_t *sl, size_t n, bool csp)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += sl[i].value;
    const double rad = 70, circ = 2 * M_PI * rad;
    fprintf(
        out,
        "<figure class=\"chart\"><svg class=\"donut\" data-chart=\"%s\" viewBox=\"0 0 200 200\" "
        "width=\"200\" height=\"200\" role=\"img\" aria-label=\"",
        name);
    esc(out, name);
    fputs("\">", out);
    fprintf(out,
            "<circle cx=\"100\" cy=\"100\" r=\"%.0f\" fill=\"none\" stroke=\"#eceff1\" "
            "stroke-width=\"28\"/>",
            rad);
    double off = 0;
    for (size_t i = 0; i < n && total > 0; i++) {
        if (sl[i].value <= 0)
            continue;
        double len = circ * sl[i].value / total;
        fprintf(out,
                "<circle class=\"slice\" data-value=\"%.0f\" cx=\"100\" cy=\"100\" r=\"%.0f\" "
                "fill=\"none\" stroke=\"%s\" stroke-width=\"28\" stroke-dasharray=\"%.2f %.2f\" "
                "stroke-dashoffset=\"%.2f\" transform=\"rotate(-90 100 100)\"><title>",
                sl[i].value, rad, sl[i].colour, len, circ - len, -off);
        esc(out, sl[i].label);
        fprintf(out, ": %.0f</title></circle>", sl[i].value);
        off += len;
    }
    fputs("<text x=\"100\" y=\"100\" text-anchor=\"middle\" class=\"big\">", out);
    esc(out, centre);
    fputs("</text><text x=\"100\" y=\"122\" text-anchor=\"middle\" class=\"small\">", out);
    esc(out, centre_sub);
    fputs("</text></svg><figcaption><ul class=\"legend\">", out);
    for (size_t i = 0; i < n; i++) {
        if (csp)
            fprintf(out, "<li><span class=\"sw c-%s\"></span>", sl[i].colour + 1);
        else
            fprintf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>", sl[i].colour);
        esc(out, sl[i].label);
        fprintf(out, " <b>%.0f</b></li>", sl[i].value);
    }
    fputs("</ul></figcaption></figure>\n", out);
}

/* A horizontal bar chart of counts. */
static void bars(FILE *out, const char *name, const slice_t *sl, size_t n)
{
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (sl[i].value > max)
            max = sl[i].value;
    const int row = 26, label_w = 230, bar_w = 300;
    int h = (int)n * row + 10;
    fprintf(out,
            "<figure class=\"chart\"><svg class=\"bars\" data-chart=\"%s\" viewBox=\"0 0 %d %d\" "
            "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
            name, label_w + bar_w + 60, h, label_w + bar_w + 60, h, name);
    for (size_t i = 0; i < n; i++) {
        int y = (int)i * row + 5;
        double w = max > 0 ? bar_w * sl[i].value / max : 0;
        if (sl[i].value > 0 && w < 2)
            w = 2;
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">", label_w - 8,
                y + 16);
        esc(out, sl[i].label);
        fprintf(out,
                "</text><rect class=\"bar\" data-value=\"%.0f\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
                "height=\"18\" rx=\"3\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\" class=\"val\">%.0f"
                "</text>",
                sl[i].value, label_w, y + 3, w, sl[i].colour, label_w + w + 6, y + 16, sl[i].value);
    }
    fputs("</svg></figure>\n", out);
}

/* Readiness per control: a stacked bar (passing / failing share of assets assessed). */
static void control_chart(FILE *out, const ww_audit_report_t *r)
{
    size_t nc;
    const ww_audit_control_t *cs = ww_audit_controls(&nc);
    /* Two text lines per control (ID, then its statement), the bar to the right. */
    const int row = 44, label_w = 540, bar_w = 260;
    int h = (int)nc * row + 10;
    fprintf(out,
            "<svg class=\"controls\" data-chart=\"controls\" viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" role=\"img\" aria-label=\"Readiness per control\">",
            label_w + bar_w + 280, h, label_w + bar_w + 280, h);
    for (size_t i = 0; i < nc; i++) {
        const ww_audit_tally_t *t = &r->tally[i];
        int y = (int)i * row + 5;
        fprintf(out, "<text x=\"0\" y=\"%d\" class=\"ctl\">", y + 14);
        esc(out, cs[i].id);
        if (cs[i].auto_fail)
            fputs("<tspan class=\"af\"> \xe2\x80\xa2 automatic-fail control</tspan>", out);
        fprintf(out, "</text><text x=\"0\" y=\"%d\" class=\"lbl\">", y + 32);
        esc(out, cs[i].title);
        fputs("</text>", out);
        y += 6;
        if (!t->evaluated) {
            fprintf(out,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" rx=\"3\" fill=\"#eceff1\"/>"
                    "<text x=\"%d\" y=\"%d\" class=\"val\">not assessed</text>",
                    label_w, y + 3, bar_w, label_w + bar_w + 8, y + 17);
            continue;
        }
        double pass = (double)(t->evaluated - t->failed) / (double)t->evaluated;
        double pw = bar_w * pass;
        /* Only assets failing through an automatic-fail finding are drawn red; the rest
           of the failures of the same control (not restarted in 7 days, say) are not. */
        size_t af = cs[i].auto_fail ? t->failed_auto : 0;
        double aw = bar_w * (double)af / (double)t->evaluated, ow = bar_w - pw - aw;
        if (ow < 0)
            ow = 0;
        fprintf(out,
                "<rect class=\"bar pass\" data-value=\"%zu\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
                "height=\"20\" fill=\"#188038\"/>",
                t->evaluated - t->failed, label_w, y + 3, pw);
        if (af)
            fprintf(out,
                    "<rect class=\"bar fail af\" data-value=\"%zu\" x=\"%.1f\" y=\"%d\" "
                    "width=\"%.1f\" height=\"20\" fill=\"" AF_COLOUR "\"><title>automatic fail: "
                    "%zu</title></rect>",
                    af, label_w + pw, y + 3, aw, af);
        fprintf(out,
                "<rect class=\"bar fail\" data-value=\"%zu\" x=\"%.1f\" y=\"%d\" "
                "width=\"%.1f\" height=\"20\" fill=\"#e8710a\"/>",
                t->failed - af, label_w + pw + aw, y + 3, ow);
        fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"val\">%s %.0f%% (%zu of %zu failing",
                label_w + bar_w + 8, y + 17, t->failed ? "\xe2\x9c\x97" : "\xe2\x9c\x93",
                floor(pass * 100), t->failed, t->evaluated);
        if (af)
            fprintf(out, "; <tspan class=\"af\">%zu automatic</tspan>", af);
        fputs(")</text>", out);
    }
    fputs("</svg>\n", out);
}

/* The trend of findings over the audits kept in the store: one point per audit (the
 * latest run of each as-of day), total findings and automatic fails as lines. */
static void trend_chart(FILE *out, const ww_audit_report_t *r)
{
    const int w = 760, h = 240, left = 50, right = 50, top = 20, bottom = 40;
    size_t n = r->nhistory, max = 1;
    for (size_t i = 0; i < n; i++)
        if (r->history[i].findings > max)
            max = r->history[i].findings;
    fprintf(out,
            "<svg class=\"trend\" data-chart=\"trend\" data-points=\"%zu\" viewBox=\"0 0 %d %d\" "
            "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"Findings per audit over time\">",
            n, w, h, w, h);
    int pw = w - left - right, ph = h - top - bottom;
    /* Horizontal grid: 0, half and the maximum. */
    for (int g = 0; g <= 2; g++) {
        double v = (double)max * g / 2.0;
        double y = top + ph - ph * v / (double)max;
        fprintf(out,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"val\">%.0f</text>",
                left, y, w - right, y, left - 6, y + 4, v);
    }
    static const struct {
        const char *name, *colour, *cls;
    } series[] = {{"findings", "#1a73e8", "line"},
                  {"critical", "#7b1fa2", "line"},
                  {"automatic fails", AF_COLOUR, "line af"}};
    for (size_t k = 0; k < WW_ARRAY_LEN(series); k++) {
        fprintf(out, "<polyline class=\"%s\" data-series=\"%s\" stroke=\"%s\" points=\"",
                series[k].cls, series[k].name, series[k].colour);
        for (size_t i = 0; i < n; i++) {
            const ww_audit_point_t *p = &r->history[i];
            size_t v = k == 0 ? p->findings : k == 1 ? p->by_sev[WW_SEV_CRITICAL] : p->auto_fail;
            double x = left + (n > 1 ? pw * (double)i / (double)(n - 1) : pw / 2.0);
            double y = top + ph - ph * (double)v / (double)max;
            fprintf(out, "%s%.1f,%.1f", i ? " " : "", x, y);
        }
        fputs("\"/>", out);
    }
    for (size_t i = 0; i < n; i++) {
        const ww_audit_point_t *p = &r->history[i];
        double x = left + (n > 1 ? pw * (double)i / (double)(n - 1) : pw / 2.0);
        double y = top + ph - ph * (double)p->findings / (double)max;
        char d[16];
        ww_audit_day_format(p->day, d, sizeof d);
        fprintf(out,
                "<circle class=\"point\" data-value=\"%zu\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
                "fill=\"#1a73e8\"><title>%s: %zu findings, %zu critical, %zu automatic fails, "
                "%zu assets</title></circle>",
                p->findings, x, y, d, p->findings, p->by_sev[WW_SEV_CRITICAL], p->auto_fail,
                p->assets);
        /* Date labels: first, last and a few between, so they never overlap. */
        size_t step = n > 8 ? (n + 7) / 8 : 1;
        if (i == 0 || i + 1 == n || i % step == 0)
            fprintf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"val\">%s</text>",
                    x, h - bottom + 18, d);
    }
    fputs("</svg>\n", out);
}

static const char *css =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:0;"
    "color:#202124;background:#f6f8fa}"
    "header{background:#003087;color:#fff;padding:24px 40px}"
    "header h1{margin:0 0 4px;font-size:26px}header p{margin:0;opacity:.85}"
    "main{padding:16px 40px 40px;max-width:1200px}"
    "section{background:#fff;border-radius:8px;padding:16px 24px;margin:16px 0;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}"
    "h2{font-size:19px;margin:4px 0 12px;color:#003087}"
    ".verdict{font-size:18px;padding:12px 16px;border-radius:6px;margin:8px 0}"
    ".verdict.bad{background:#fce8e6;color:#a50e0e}.verdict.good{background:#e6f4ea;color:#137333}"
    ".kpis{display:flex;flex-wrap:wrap;gap:12px}"
    ".kpi{flex:1 1 150px;background:#fff;border-radius:8px;padding:12px 16px;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}.kpi b{display:block;font-size:28px}"
    ".kpi span{color:#5f6368;font-size:13px}"
    ".charts{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}"
    "figure{margin:0}.legend{list-style:none;padding:0;margin:6px 0;font-size:13px}"
    ".legend li{margin:2px 0}.sw{display:inline-block;width:11px;height:11px;margin-right:6px;"
    "border-radius:2px}"
    "svg text{font-family:inherit}.big{font-size:30px;font-weight:700}.small{font-size:12px;"
    "fill:#5f6368}.lbl{font-size:13px}.val{font-size:12px;fill:#3c4043}.ctl{font-size:13px;"
    "font-weight:700}"
    "table{border-collapse:collapse;width:100%;font-size:14px}"
    "th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e0e0e0;vertical-align:top}"
    "th{background:#f1f3f4}"
    ".tag{display:inline-block;font-size:11px;padding:1px 6px;border-radius:9px;margin:1px;"
    "background:#eceff1}.tag.r{background:#7b1fa2;color:#fff}.tag.i{background:#e8710a;"
    "color:#fff}.tag.af,.sw.af{background:" AF_COLOUR ";color:#fff}.tag.c{background:#f2b705}"
    "svg .af{fill:" AF_COLOUR ";font-weight:400;font-size:12px}td.asset{white-space:nowrap}"
    ".verdict.warn{background:#fef7e0;color:#7a4f01}.data{font-size:13px;color:#3c4043}"
    ".trend .line{fill:none;stroke-width:2.5}"
    ".sev{font-weight:700}.muted{color:#5f6368;font-size:13px}"
    "footer{color:#5f6368;font-size:12px;padding:0 40px 24px}";

static void tags(FILE *out, const ww_audit_finding_t *f)
{
    if (f->ransomware)
        fputs("<span class=\"tag r\">used by ransomware</span>", out);
    else if (f->kev)
        fputs("<span class=\"tag r\">exploited now</span>", out);
    if (f->internet)
        fputs("<span class=\"tag i\">internet-facing</span>", out);
    if (f->clinical >= WW_CRIT_HIGH)
        fprintf(out, "<span class=\"tag c\">clinical: %s</span>", ww_crit_name(f->clinical));
    if (f->auto_fail)
        fputs("<span class=\"tag af\">Cyber Essentials auto-fail</span>", out);
}

/* Every colour the report draws with, for the classes that stand in for inline styles
 * under a Content-Security-Policy (ww_audit_html_css). */
static const char *const all_colours[] = {"#9aa0a6", "#5b8def", "#f2b705", "#e8710a",
                                          "#7b1fa2", AF_COLOUR, "#188038", "#1a73e8"};

int ww_audit_html_css(ww_buf_t *b)
{
    ww_buf_puts(b, css);
    ww_buf_puts(b, ".grow{flex:1 1 500px}.back{display:inline-block;margin-top:8px;color:#fff}");
    for (size_t i = 0; i < WW_ARRAY_LEN(all_colours); i++)
        ww_buf_printf(b, ".sw.c-%s{background:%s}", all_colours[i] + 1, all_colours[i]);
    /* Text in a severity's colour must stay readable on white (WCAG AA, 4.5:1): the
     * light colours are darkened for text, the swatches keep them. */
    ww_buf_puts(b, ".sev.c-9aa0a6{color:#5f6368}.sev.c-5b8def{color:#1a4fb8}"
                   ".sev.c-f2b705{color:#7a4f01}.sev.c-e8710a{color:#a34a00}"
                   ".sev.c-7b1fa2{color:#7b1fa2}"
                   ".tag.i{background:#a34a00}.tag.c{background:#7a4f01;color:#fff}");
    return b->err;
}

int ww_audit_write_html(const ww_audit_report_t *r, FILE *out)
{
    return ww_audit_write_html_opts(r, NULL, out);
}

int ww_audit_write_html_opts(const ww_audit_report_t *r, const ww_audit_html_opts_t *o, FILE *out)
{
    bool csp = o && o->stylesheet;
    summary_t s;
    summarise(r, &s);
    char day[16];
    ww_audit_day_format(r->as_of_day, day, sizeof day);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
          out);
    if (csp) {
        fprintf(out, "<title>Cyber security readiness, %s</title><link rel=\"stylesheet\" href=\"",
                day);
        esc(out, o->stylesheet);
        fputs("\"></head>\n", out);
    } else {
        fprintf(out, "<title>Cyber security readiness, %s</title><style>%s</style></head>\n", day,
                css);
    }
    fprintf(out, "<body data-report=\"wardwatch-audit\" data-findings=\"%zu\">\n", r->n);
    fprintf(out,
            "<header><h1>Cyber security readiness</h1><p>Cyber Essentials (Danzell v16) and NHS "
            "DSPT, from the asset register as of %s</p>",
            day);
    if (o && o->back_href) {
        fputs("<a class=\"back\" href=\"", out);
        esc(out, o->back_href);
        fputs("\">", out);
        esc(out, o->back_text ? o->back_text : "Back");
        fputs("</a>", out);
    }
    fputs(csp ? "</header>\n<main id=\"maincontent\">\n" : "</header>\n<main>\n", out);

    /* Verdict and headline numbers. */
    bool ready = s.controls_assessed && s.controls_met == s.controls_assessed;
    fprintf(out, "<div class=\"verdict %s\">", ready ? "good" : "bad");
    if (ready)
        fputs("<b>Ready:</b> every control the register can evaluate is met.", out);
    else
        fprintf(out,
                "<b>Not ready for Cyber Essentials:</b> %zu of %zu controls are not met%s. The "
                "fixes below are ordered by risk.",
                s.controls_assessed - s.controls_met, s.controls_assessed,
                s.autofail_controls_failing ? ", including automatic-fail controls" : "");
    fputs("</div>\n", out);
    char kevs[400], eols[400];
    int stale;
    data_lines(r, kevs, eols, sizeof kevs, &stale);
    if (stale) {
        fputs("<div class=\"verdict warn\" id=\"stale-data\"><b>Reference data out of date:</b> "
              "findings about exploited vulnerabilities and end of support may be missing.",
              out);
        if (ww_audit_kev_age(r) > 0 || r->kev_day == WW_AUDIT_NODAY) {
            fputs(" ", out);
            esc(out, kevs);
            fputs(".", out);
        }
        if (ww_audit_eol_age(r) > 0 || r->eol_day == WW_AUDIT_NODAY) {
            fputs(" ", out);
            esc(out, eols);
            fputs(".", out);
        }
        fputs("</div>\n", out);
    }
    fputs("<p class=\"data\" id=\"data-dates\">Reference data: ", out);
    esc(out, kevs);
    fputs("; ", out);
    esc(out, eols);
    fputs(".</p>\n<div class=\"kpis\">", out);
    size_t unreg = r->medical_unregistered, med = r->medical_registered + unreg;
    char medpct[32];
    medical_words(r, medpct, sizeof medpct);
    fprintf(out,
            "<div class=\"kpi\"><b>%zu</b><span>assets in the register</span></div>"
            "<div class=\"kpi\"><b>%zu / %zu</b><span>controls met</span></div>"
            "<div class=\"kpi\"><b>%zu</b><span>findings (%zu critical)</span></div>"
            "<div class=\"kpi\"><b>%zu</b><span>automatic-fail findings</span></div>"
            "<div class=\"kpi\"><b>%zu</b><span>unsupported systems</span></div>"
            "<div class=\"kpi\" id=\"kpi-medical\"><b>%s</b><span>medical devices registered"
            "%s</span></div>",
            r->assets, s.controls_met, s.controls_assessed, r->n, s.by_sev[WW_SEV_CRITICAL],
            s.auto_fail, r->nunsupported, medpct, r->scans ? "" : " (no network scan imported)");
    (void)med;
    fputs("</div>\n", out);

    /* Readiness per control. */
    fputs("<section id=\"controls\"><h2>Readiness per control</h2><p class=\"muted\">Share of "
          "the assets each control applies to that meet it. Red marks a control whose failure "
          "fails Cyber Essentials outright.</p>",
          out);
    control_chart(out, r);
    fputs("</section>\n", out);

    /* Are we getting better? */
    fputs("<section id=\"trend\"><h2>Are we getting better?</h2><p class=\"muted\">Findings at "
          "each audit of this register (the latest run of each day).</p>",
          out);
    if (r->nhistory >= 2) {
        const ww_audit_point_t *a0 = &r->history[0], *a1 = &r->history[r->nhistory - 1];
        char d0[16];
        ww_audit_day_format(a0->day, d0, sizeof d0);
        long long delta = (long long)a1->findings - (long long)a0->findings;
        fprintf(out, "<p>%zu findings now, %zu on %s (%s%lld); automatic fails %zu, then %zu.</p>",
                a1->findings, a0->findings, d0, delta > 0 ? "+" : "", delta, a1->auto_fail,
                a0->auto_fail);
    } else {
        fputs("<p>This is the first audit kept for this register: the trend starts with the "
              "next one.</p>",
              out);
    }
    trend_chart(out, r);
    if (csp)
        fputs("<ul class=\"legend\"><li><span class=\"sw c-1a73e8\"></span>findings</li><li>"
              "<span class=\"sw c-7b1fa2\"></span>critical</li><li><span class=\"sw af\"></span>"
              "automatic fails</li></ul></section>\n",
              out);
    else
        fputs("<ul class=\"legend\"><li><span class=\"sw\" style=\"background:#1a73e8\"></span>"
              "findings</li><li><span class=\"sw\" style=\"background:#7b1fa2\"></span>critical"
              "</li><li><span class=\"sw af\"></span>automatic fails</li></ul></section>\n",
              out);

    /* Ten most urgent fixes. */
    fputs("<section id=\"urgent\"><h2>The ten most urgent fixes</h2>", out);
    if (!r->n)
        fputs("<p>Nothing to fix.</p>", out);
    else
        fputs("<table><tr><th>#</th><th>Asset</th><th>Problem</th><th>Why it is urgent</th>"
              "<th>What to do</th></tr>",
              out);
    for (size_t i = 0; i < r->n && i < 10; i++) {
        const ww_audit_finding_t *f = &r->findings[i];
        fprintf(out, "<tr%s><td>%zu</td><td class=\"asset\">", f->auto_fail ? " class=\"af\"" : "",
                i + 1);
        esc(out, f->asset_id);
        char words[640];
        finding_words(f, words, sizeof words);
        if (*words) {
            fputs("<br><span class=\"muted\">", out);
            esc(out, words);
            fputs("</span>", out);
        }
        const char *colour = sev_colour[f->severity <= WW_SEV_CRITICAL ? f->severity : 0];
        if (csp)
            fprintf(out, "</td><td><span class=\"sev c-%s\">%s</span> ", colour + 1,
                    sev_name(f->severity));
        else
            fprintf(out, "</td><td><span class=\"sev\" style=\"color:%s\">%s</span> ", colour,
                    sev_name(f->severity));
        esc(out, f->title);
        fputs("<br><span class=\"muted\">", out);
        esc(out, f->evidence);
        fputs("</span></td><td>", out);
        tags(out, f);
        fputs("</td><td>", out);
        esc(out, f->remedy);
        fputs("</td></tr>", out);
    }
    if (r->n)
        fputs("</table>", out);
    fputs("</section>\n", out);

    /* Findings overview charts. */
    fputs("<section id=\"overview\"><h2>All findings</h2><div class=\"charts\">", out);
    slice_t sev[] = {
        {"Critical", (double)s.by_sev[WW_SEV_CRITICAL], sev_colour[WW_SEV_CRITICAL]},
        {"High", (double)s.by_sev[WW_SEV_HIGH], sev_colour[WW_SEV_HIGH]},
        {"Medium", (double)s.by_sev[WW_SEV_MEDIUM], sev_colour[WW_SEV_MEDIUM]},
        {"Low", (double)s.by_sev[WW_SEV_LOW], sev_colour[WW_SEV_LOW]},
    };
    char total[32];
    snprintf(total, sizeof total, "%zu", r->n);
    donut(out, "severity", total, "findings", sev, WW_ARRAY_LEN(sev), csp);
    static const struct {
        const char *check, *label;
    } kinds[] = {
        {"kev", "Exploited vulnerabilities"},
        {"patch_overdue", "Fixes overdue (14 days)"},
        {"unsupported_os", "Unsupported OS / firmware"},
        {"unsupported_not_isolated", "Unsupported, not isolated"},
        {"unsupported_software", "Unsupported software"},
        {"mfa_missing", "No multi-factor sign-in"},
        {"default_credentials", "Default passwords"},
        {"firewall_off", "Host firewall off"},
        {"antimalware_off", "Anti-malware off"},
        {"autorun_on", "Auto-run on"},
        {"reboot_overdue", "Not restarted in 7 days"},
        {"unregistered_medical_device", "Unregistered medical devices"},
        {"support_unknown", "Support status unknown"},
    };
    slice_t by_check[WW_ARRAY_LEN(kinds)];
    for (size_t k = 0; k < WW_ARRAY_LEN(kinds); k++) {
        by_check[k].label = kinds[k].label;
        by_check[k].value = 0;
        by_check[k].colour = "#1a73e8";
        for (size_t i = 0; i < r->n; i++)
            if (!strcmp(r->findings[i].check, kinds[k].check)) {
                by_check[k].value++;
                if (r->findings[i].severity > WW_SEV_MEDIUM)
                    by_check[k].colour = sev_colour[r->findings[i].severity];
            }
    }
    bars(out, "by-check", by_check, WW_ARRAY_LEN(by_check));
    fputs("</div></section>\n", out);

    /* Unsupported systems. */
    fputs("<section id=\"unsupported\"><h2>Unsupported systems</h2><div class=\"charts\">", out);
    slice_t sup[] = {
        {"Supported", (double)r->support[WW_SUPPORT_SUPPORTED], "#188038"},
        {"On extended support (ESU)", (double)r->support[WW_SUPPORT_ESU], "#5b8def"},
        {"Unsupported", (double)r->support[WW_SUPPORT_UNSUPPORTED], "#7b1fa2"},
        {"Support status unknown", (double)r->support[WW_SUPPORT_UNKNOWN], "#f2b705"},
        {"No OS recorded / not applicable", (double)r->support[WW_SUPPORT_NOT_EVALUATED],
         "#9aa0a6"},
    };
    snprintf(total, sizeof total, "%zu", r->assets);
    donut(out, "os-support", total, "assets", sup, WW_ARRAY_LEN(sup), csp);
    fputs(csp ? "<div class=\"grow\">" : "<div style=\"flex:1 1 500px\">", out);
    if (!r->nunsupported)
        fputs("<p>No system runs an unsupported operating system or firmware.</p>", out);
    else
        fputs("<table><tr><th>Asset</th><th>Kind</th><th>System</th><th>Support ended</th>"
              "<th>Segment</th><th>Isolated</th></tr>",
              out);
    for (size_t i = 0; i < r->nunsupported && !ferror(out); i++) {
        const ww_audit_unsupported_t *u = &r->unsupported[i];
        char eol[16] = "date not given";
        if (u->eol_day != WW_AUDIT_ENDED && u->eol_day != WW_AUDIT_NEVER)
            ww_audit_day_format(u->eol_day, eol, sizeof eol);
        fputs("<tr><td>", out);
        esc(out, u->asset_id);
        char uw[640];
        asset_words(u->hostname, u->maker, u->model, uw, sizeof uw);
        if (*uw) {
            fputs("<br><span class=\"muted\">", out);
            esc(out, uw);
            fputs("</span>", out);
        }
        fputs("</td><td>", out);
        esc(out, u->type);
        fputs("</td><td>", out);
        esc(out, u->os);
        fprintf(out, "</td><td>%s</td><td>", eol);
        esc(out, *u->segment ? u->segment : "(none)");
        fprintf(out, "</td><td>%s%s</td></tr>", u->isolated ? "yes" : "<b>no</b>",
                u->internet ? " (internet-facing)" : "");
    }
    if (r->nunsupported)
        fputs("</table>", out);
    fputs("</div></div></section>\n", out);

    /* Medical devices. */
    fputs("<section id=\"medical\"><h2>Medical devices</h2><div class=\"charts\">", out);
    slice_t md[] = {
        {"Registered, MDS2 details recorded", (double)r->medical_with_mds2, "#188038"},
        {"Registered, MDS2 details missing", (double)(r->medical_registered - r->medical_with_mds2),
         "#f2b705"},
        {"Seen on the network, not registered", (double)unreg, "#e8710a"},
    };
    donut(out, "medical", medpct, "registered", md, WW_ARRAY_LEN(md), csp);
    fputs(csp ? "<div class=\"grow\">" : "<div style=\"flex:1 1 500px\">", out);
    fprintf(out,
            "<p>%zu medical device%s in the register; %zu more seen on the network (by nmap or in "
            "logs) that the register does not hold.</p>",
            r->medical_registered, r->medical_registered == 1 ? " is" : "s are", unreg);
    if (!r->scans)
        fputs("<p><b>Not checked:</b> no network scan has been imported, so nobody has looked "
              "for medical devices missing from the register (wardwatch assets import "
              "scan.xml, from nmap -oX).</p>",
              out);
    bool any = false;
    for (size_t i = 0; i < r->n && !ferror(out); i++) {
        const ww_audit_finding_t *f = &r->findings[i];
        if (strcmp(f->check, "unregistered_medical_device"))
            continue;
        if (!any)
            fputs("<table><tr><th>Device</th><th>Evidence</th></tr>", out);
        any = true;
        fputs("<tr><td>", out);
        esc(out, f->asset_id);
        fputs("</td><td>", out);
        esc(out, f->evidence);
        fputs("</td></tr>", out);
    }
    if (any)
        fputs("</table>", out);
    fputs("</div></div></section>\n</main>\n", out);
    fprintf(out,
            "<footer>Generated by wardwatch %s. Dates are compared as whole days as of %s. "
            "Risk order: exploited by ransomware, exploited, internet-facing, clinical "
            "criticality, automatic fail, severity (docs/audit.md).</footer>\n",
            ww_version(), day);
    /* Marks the page as drawn once the browser has laid it out: tests read it.  Not
     * under a Content-Security-Policy, which allows no inline script. */
    if (csp)
        fputs("</body></html>\n", out);
    else
        fputs("<script>window.addEventListener('load',function(){var s=document.querySelectorAll("
              "'svg[data-chart]');document.body.setAttribute('data-charts',String(s.length));"
              "document.body.setAttribute('data-rendered','done');});</script>\n</body></html>\n",
              out);
    return ferror(out) ? WW_EIO : 0;
}

int ww_audit_write(const ww_audit_report_t *r, ww_audit_format_t fmt, FILE *out)
{
    switch (fmt) {
    case WW_AUDIT_NDJSON: return ww_audit_write_ndjson(r, out);
    case WW_AUDIT_HTML: return ww_audit_write_html(r, out);
    default: return ww_audit_write_table(r, out);
    }
}
