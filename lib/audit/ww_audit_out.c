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
        else if (cs[i].auto_fail)
            s->autofail_controls_failing++;
    }
}

/* ---- table ----------------------------------------------------------------------- */

int ww_audit_write_table(const ww_audit_report_t *r, FILE *out)
{
    summary_t s;
    summarise(r, &s);
    char day[16];
    ww_audit_day_format(r->as_of_day, day, sizeof day);
    fprintf(out, "wardwatch audit: %zu asset%s in the register, as of %s\n", r->assets,
            r->assets == 1 ? "" : "s", day);
    fprintf(out, "Cyber Essentials / DSPT controls met: %zu of %zu assessed%s\n\n", s.controls_met,
            s.controls_assessed,
            s.autofail_controls_failing ? " (an automatic-fail control is failing)" : "");
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
            fprintf(out, "%s\n         why: ", f->auto_fail ? "  [AUTO-FAIL]" : "");
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

static const char *sev_colour[] = {"#9aa0a6", "#5b8def", "#f2b705", "#e8710a", "#c5221f"};

typedef struct slice {
    const char *label;
    double value;
    const char *colour;
} slice_t;

/* A donut chart: one circle per slice, drawn with stroke dashes, total in the middle. */
static void donut(FILE *out, const char *name, const char *centre, const char *centre_sub,
                  const slice_t *sl, size_t n)
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
            label_w + bar_w + 170, h, label_w + bar_w + 170, h);
    for (size_t i = 0; i < nc; i++) {
        const ww_audit_tally_t *t = &r->tally[i];
        int y = (int)i * row + 5;
        fprintf(out, "<text x=\"0\" y=\"%d\" class=\"ctl\">", y + 14);
        esc(out, cs[i].id);
        if (cs[i].auto_fail)
            fputs("<tspan class=\"af\"> \xe2\x80\xa2 automatic fail</tspan>", out);
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
        fprintf(out,
                "<rect class=\"bar pass\" data-value=\"%zu\" x=\"%d\" y=\"%d\" width=\"%.1f\" "
                "height=\"20\" fill=\"#188038\"/><rect class=\"bar fail\" data-value=\"%zu\" "
                "x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>",
                t->evaluated - t->failed, label_w, y + 3, pw, t->failed, label_w + pw, y + 3,
                bar_w - pw, cs[i].auto_fail ? "#c5221f" : "#e8710a");
        fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"val\">%s %.0f%% (%zu of %zu failing)</text>",
                label_w + bar_w + 8, y + 17, t->failed ? "\xe2\x9c\x97" : "\xe2\x9c\x93",
                floor(pass * 100), t->failed, t->evaluated);
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
    "background:#eceff1}.tag.r{background:#c5221f;color:#fff}.tag.i{background:#e8710a;"
    "color:#fff}.tag.a{background:#3c4043;color:#fff}.tag.c{background:#f2b705}"
    ".af{fill:#c5221f;font-weight:400;font-size:12px}td.asset{white-space:nowrap}"
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
        fputs("<span class=\"tag a\">Cyber Essentials auto-fail</span>", out);
}

int ww_audit_write_html(const ww_audit_report_t *r, FILE *out)
{
    summary_t s;
    summarise(r, &s);
    char day[16];
    ww_audit_day_format(r->as_of_day, day, sizeof day);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
          out);
    fprintf(out, "<title>Cyber security readiness, %s</title><style>%s</style></head>\n", day, css);
    fprintf(out, "<body data-report=\"wardwatch-audit\" data-findings=\"%zu\">\n", r->n);
    fprintf(out,
            "<header><h1>Cyber security readiness</h1><p>Cyber Essentials (Danzell v16) and NHS "
            "DSPT, from the asset register as of %s</p></header>\n<main>\n",
            day);

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
    fputs("</div>\n<div class=\"kpis\">", out);
    size_t unreg = r->medical_unregistered, med = r->medical_registered + unreg;
    fprintf(out,
            "<div class=\"kpi\"><b>%zu</b><span>assets in the register</span></div>"
            "<div class=\"kpi\"><b>%zu / %zu</b><span>controls met</span></div>"
            "<div class=\"kpi\"><b>%zu</b><span>findings (%zu critical)</span></div>"
            "<div class=\"kpi\"><b>%zu</b><span>automatic-fail findings</span></div>"
            "<div class=\"kpi\"><b>%zu</b><span>unsupported systems</span></div>"
            "<div class=\"kpi\"><b>%zu / %zu</b><span>medical devices registered</span></div>",
            r->assets, s.controls_met, s.controls_assessed, r->n, s.by_sev[WW_SEV_CRITICAL],
            s.auto_fail, r->nunsupported, r->medical_registered, med);
    fputs("</div>\n", out);

    /* Readiness per control. */
    fputs("<section id=\"controls\"><h2>Readiness per control</h2><p class=\"muted\">Share of "
          "the assets each control applies to that meet it. Red marks a control whose failure "
          "fails Cyber Essentials outright.</p>",
          out);
    control_chart(out, r);
    fputs("</section>\n", out);

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
        fprintf(out, "<tr><td>%zu</td><td class=\"asset\">", i + 1);
        esc(out, f->asset_id);
        fprintf(out, "</td><td><span class=\"sev\" style=\"color:%s\">%s</span> ",
                sev_colour[f->severity <= WW_SEV_CRITICAL ? f->severity : 0],
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
    donut(out, "severity", total, "findings", sev, WW_ARRAY_LEN(sev));
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
        {"Unsupported", (double)r->support[WW_SUPPORT_UNSUPPORTED], "#c5221f"},
        {"Support status unknown", (double)r->support[WW_SUPPORT_UNKNOWN], "#f2b705"},
        {"No OS recorded / not applicable", (double)r->support[WW_SUPPORT_NOT_EVALUATED],
         "#9aa0a6"},
    };
    snprintf(total, sizeof total, "%zu", r->assets);
    donut(out, "os-support", total, "assets", sup, WW_ARRAY_LEN(sup));
    fputs("<div style=\"flex:1 1 500px\">", out);
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
        {"Seen on the network, not registered", (double)unreg, "#c5221f"},
    };
    char cov[32];
    if (med)
        snprintf(cov, sizeof cov, "%.0f%%",
                 floor(100.0 * (double)r->medical_registered / (double)med));
    else
        snprintf(cov, sizeof cov, "n/a");
    donut(out, "medical", cov, "registered", md, WW_ARRAY_LEN(md));
    fputs("<div style=\"flex:1 1 500px\">", out);
    fprintf(out,
            "<p>%zu medical device%s in the register; %zu more seen on the network (by nmap or in "
            "logs) that the register does not hold.</p>",
            r->medical_registered, r->medical_registered == 1 ? " is" : "s are", unreg);
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
    /* Marks the page as drawn once the browser has laid it out: tests read it. */
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
