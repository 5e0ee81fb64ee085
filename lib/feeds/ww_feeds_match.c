/* Matching an OS / firmware / software name and version, as people write them in a
 * register, to an endoflife.date release cycle.  The product is found by name
 * (aliases below, then loaded product titles); the version words are then compared
 * with each cycle's words ("2008-r2-sp1" = {2008, r2, sp1}; a numeric word matches a
 * longer version, so "22.04" matches "22.04.4").  When only a service pack or channel
 * word is missing, the cycle with the latest end date is taken (and flagged as an
 * assumption), so a missing detail can never turn a supported system into an
 * "unsupported" finding.  Windows 10/11 have their own rules: a feature update
 * (22H2) or build (10.0.19045) is required, and the edition picks the channel. */
#include "feeds/ww_feeds_int.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_TOK 24

typedef struct toks {
    char t[MAX_TOK][32];
    size_t n;
} toks_t;

static bool isdig(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_sep(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '(' || c == ')' || c == '/' ||
           c == '_' || c == '\'' || c == '"' || c == '-' || c == ':' || c == '+';
}

static void tok_add(toks_t *tk, const char *p, size_t n)
{
    if (n == 0 || tk->n == MAX_TOK)
        return;
    if (n >= sizeof tk->t[0])
        n = sizeof tk->t[0] - 1;
    for (size_t i = 0; i < n; i++)
        tk->t[tk->n][i] = (char)ww_lower((unsigned char)p[i]);
    tk->t[tk->n][n] = 0;
    /* "v7.4.3" -> "7.4.3" */
    char *s = tk->t[tk->n];
    if (s[0] == 'v' && isdig(s[1]))
        memmove(s, s + 1, strlen(s));
    tk->n++;
}

static void tokenize(toks_t *tk, const char *s)
{
    if (!s)
        return;
    const char *p = s;
    while (*p) {
        while (*p && is_sep(*p))
            p++;
        const char *q = p;
        while (*q && !is_sep(*q))
            q++;
        tok_add(tk, p, (size_t)(q - p));
        p = q;
    }
}

/* "service pack 1" / "sp 1" -> "sp1". */
static void join_sp(toks_t *tk)
{
    for (size_t i = 0; i < tk->n; i++) {
        size_t skip = 0;
        if (!strcmp(tk->t[i], "service") && i + 2 < tk->n && !strcmp(tk->t[i + 1], "pack") &&
            isdig(tk->t[i + 2][0]))
            skip = 2;
        else if (!strcmp(tk->t[i], "sp") && i + 1 < tk->n && isdig(tk->t[i + 1][0]))
            skip = 1;
        if (!skip)
            continue;
        char buf[32];
        snprintf(buf, sizeof buf, "sp%.28s", tk->t[i + skip]);
        memcpy(tk->t[i], buf, sizeof buf);
        memmove(&tk->t[i + 1], &tk->t[i + 1 + skip], (tk->n - i - 1 - skip) * sizeof tk->t[0]);
        tk->n -= skip;
    }
}

static bool has(const toks_t *tk, const char *w)
{
    for (size_t i = 0; i < tk->n; i++)
        if (!strcmp(tk->t[i], w))
            return true;
    return false;
}

/* A cycle word matches an input word when equal, or when the cycle word is a
 * version the input word extends ("22.04" / "22.04.4", "1.1.1" / "1.1.1w"). */
static bool word_match(const char *cw, const char *iw)
{
    if (!strcmp(cw, iw))
        return true;
    size_t n = strlen(cw);
    return isdig(cw[0]) && strncmp(cw, iw, n) == 0 && iw[n] && !isdig(iw[n]) &&
           (iw[n] == '.' || strchr(cw, '.') != NULL);
}

static bool word_present(const toks_t *in, const char *cw)
{
    for (size_t i = 0; i < in->n; i++)
        if (word_match(cw, in->t[i]))
            return true;
    return false;
}

static bool is_sp(const char *w)
{
    return w[0] == 's' && w[1] == 'p' && isdig(w[2]);
}

static bool is_qualifier(const char *w)
{
    static const char *const q[] = {"sac", "ac", "lts", "ltsc", "ltsb", "w", "e", "iot"};
    for (size_t i = 0; i < WW_ARRAY_LEN(q); i++)
        if (!strcmp(w, q[i]))
            return true;
    return is_sp(w);
}

/* Words of a cycle or label, lowercased; label words in quotes are codenames and
 * skipped. */
static void cycle_words(toks_t *tk, const char *s, bool label)
{
    memset(tk, 0, sizeof *tk);
    if (!label) {
        tokenize(tk, s);
        return;
    }
    char buf[128];
    size_t k = 0;
    bool quoted = false;
    for (const char *p = s; *p && k + 1 < sizeof buf; p++) {
        if (*p == '\'') {
            quoted = !quoted;
            continue;
        }
        if (!quoted)
            buf[k++] = *p;
    }
    buf[k] = 0;
    tokenize(tk, buf);
    join_sp(tk);
}

/* Score of a cycle against the input: (words matched, characters) or -1.  With
 * `loose`, service-pack and channel words of the cycle may be absent. */
static int score(const toks_t *in, const toks_t *cw, bool loose, int *chars)
{
    int n = 0, c = 0, strict = 0;
    for (size_t i = 0; i < cw->n; i++) {
        if (word_present(in, cw->t[i])) {
            n++;
            c += (int)strlen(cw->t[i]);
            if (!is_qualifier(cw->t[i]) && strpbrk(cw->t[i], "0123456789"))
                strict++;
            continue;
        }
        if (loose && is_qualifier(cw->t[i]))
            continue;
        return -1;
    }
    /* At least one real version word must match; qualifiers alone say nothing. */
    if (strict == 0)
        return -1;
    *chars = c;
    return n;
}

static int64_t end_of(const ww_eol_rel_t *r)
{
    int64_t e = r->eoes != WW_FEEDS_NODATE ? r->eoes : r->eol;
    return e == WW_FEEDS_ENDED ? INT64_MIN + 2 : e;
}

static const ww_eol_rel_t *generic(const ww_eol_product_t *p, const toks_t *in, bool *assumed)
{
    for (int pass = 0; pass < 2; pass++) {
        const ww_eol_rel_t *best = NULL;
        int bs = -1, bc = -1;
        for (size_t i = 0; i < p->nrel; i++) {
            const ww_eol_rel_t *r = &p->rel[i];
            for (int lab = 0; lab < 2; lab++) {
                if (lab && !*r->label)
                    continue;
                toks_t cw;
                cycle_words(&cw, lab ? r->label : r->cycle, lab);
                int chars = 0, s = score(in, &cw, pass == 1, &chars);
                if (s < 0)
                    continue;
                bool better =
                    s > bs || (s == bs && chars > bc) ||
                    (s == bs && chars == bc && best && pass == 1 && end_of(r) > end_of(best));
                if (better) {
                    best = r;
                    bs = s;
                    bc = chars;
                }
            }
        }
        if (best) {
            *assumed = pass == 1;
            return best;
        }
    }
    return NULL;
}

static const ww_eol_rel_t *find_cycle(const ww_eol_product_t *p, const char *cycle)
{
    for (size_t i = 0; i < p->nrel; i++)
        if (!strcmp(p->rel[i].cycle, cycle))
            return &p->rel[i];
    return NULL;
}

static bool is_feature(const char *w)
{
    size_t n = strlen(w);
    if (n == 4 && isdig(w[0]) && isdig(w[1]) && w[2] == 'h' && (w[3] == '1' || w[3] == '2'))
        return true;
    static const char *const old[] = {"1507", "1511", "1607", "1703", "1709",
                                      "1803", "1809", "1903", "1909", "2004"};
    for (size_t i = 0; i < WW_ARRAY_LEN(old); i++)
        if (!strcmp(w, old[i]))
            return true;
    return false;
}

/* Windows 10 / 11: feature update + edition -> cycle. */
static const ww_eol_rel_t *windows_desktop(const ww_eol_product_t *p, const toks_t *in,
                                           const char *major, bool *assumed, char *note,
                                           size_t notelen)
{
    char feat[32] = "";
    bool lts = has(in, "ltsc") || has(in, "ltsb") || has(in, "lts");
    bool iot = has(in, "iot");
    bool ent = has(in, "enterprise") || has(in, "education") || has(in, "e");
    for (size_t i = 0; i < in->n && !*feat; i++)
        if (is_feature(in->t[i]))
            snprintf(feat, sizeof feat, "%s", in->t[i]);
    if (!*feat && (lts || iot)) {
        static const char *const ltsc[][2] = {{"2015", "1507"},
                                              {"2016", "1607"},
                                              {"2019", "1809"},
                                              {"2021", "21h2"},
                                              {"2024", "24h2"}};
        for (size_t i = 0; i < WW_ARRAY_LEN(ltsc) && !*feat; i++)
            if (has(in, ltsc[i][0]))
                snprintf(feat, sizeof feat, "%s", ltsc[i][1]);
    }
    if (!*feat) {
        /* A build number: 10.0.19045[.xxxx] -> the cycle whose latest build it is. */
        for (size_t i = 0; i < in->n && !*feat; i++) {
            const char *w = in->t[i];
            if (strncmp(w, "10.0.", 5) != 0)
                continue;
            size_t bn = 5;
            while (isdig(w[bn]))
                bn++;
            for (size_t k = 0; k < p->nrel; k++) {
                const ww_eol_rel_t *r = &p->rel[k];
                if (strncmp(r->cycle, major, strlen(major)) != 0 ||
                    r->cycle[strlen(major)] != '-' || strncmp(r->latest, w, bn) != 0 ||
                    isdig(r->latest[bn]))
                    continue;
                const char *f = r->cycle + strlen(major) + 1;
                size_t fl = strcspn(f, "-");
                snprintf(feat, sizeof feat, "%.*s", (int)fl, f);
                break;
            }
        }
    }
    if (!*feat) {
        snprintf(note, notelen,
                 "Windows %s without a feature update (e.g. 22H2) or build (10.0.x) cannot be "
                 "matched",
                 major);
        return NULL;
    }
    char base[48], c[64];
    snprintf(base, sizeof base, "%s-%s", major, feat);
    const ww_eol_rel_t *r = NULL;
#define TRY(suffix)                                  \
    if (!r) {                                        \
        snprintf(c, sizeof c, "%s%s", base, suffix); \
        r = find_cycle(p, c);                        \
    }
    if (iot) {
        TRY("-iot-lts");
        TRY("-iot");
    }
    if (lts) {
        TRY("-e-lts");
        TRY("-lts");
    }
    bool consumer = has(in, "home") || has(in, "pro") || has(in, "professional");
    if (!iot && !lts && ent) {
        TRY("-e");
        TRY("");
    }
    if (!iot && !lts && !ent && consumer) {
        TRY("-w");
        TRY("");
    }
    if (!iot && !lts && !ent && !consumer) {
        /* Edition not given: take the longest-supported edition (Enterprise/Education),
           so a missing detail never reports a supported system as unsupported. */
        TRY("-e");
        if (r) {
            *assumed = true;
            snprintf(note, notelen,
                     "edition not given: Enterprise/Education dates assumed (Home/Pro "
                     "support ends sooner)");
        }
        TRY("");
        TRY("-w");
    }
#undef TRY
    if (!r)
        snprintf(note, notelen, "no release %s%s%s in the end-of-life data", base,
                 iot ? " IoT" : "", lts ? " LTSC" : "");
    return r;
}

/* ---- products -------------------------------------------------------------------- */

static const struct alias {
    const char *phrase; /* lowercase words */
    const char *slug;
} aliases[] = {
    {"windows server", "windows-server"},
    {"windows embedded", "windows-embedded"},
    {"windows xp embedded", "windows-embedded"},
    {"posready", "windows-embedded"},
    {"windows", "windows"},
    {"win", "windows"},
    {"ubuntu", "ubuntu"},
    {"debian", "debian"},
    {"red hat enterprise linux", "rhel"},
    {"redhat enterprise linux", "rhel"},
    {"rhel", "rhel"},
    {"suse linux enterprise server", "sles"},
    {"suse linux enterprise", "sles"},
    {"sles", "sles"},
    {"macos", "macos"},
    {"mac os x", "macos"},
    {"mac os", "macos"},
    {"os x", "macos"},
    {"osx", "macos"},
    {"ios xe", "cisco-ios-xe"},
    {"ios-xe", "cisco-ios-xe"},
    {"iosxe", "cisco-ios-xe"},
    /* Cisco's classic IOS is not Apple's: no data, so "unknown", never iOS dates. */
    {"cisco ios", "cisco-ios"},
    {"ipados", "ios"},
    {"iphone os", "ios"},
    {"ios", "ios"},
    {"android", "android"},
    {"esxi", "vmware-esxi"},
    {"vmware esxi", "vmware-esxi"},
    {"fortios", "fortios"},
    {"fortigate", "fortios"},
    {"google chrome", "chrome"},
    {"chrome", "chrome"},
    {"firefox", "firefox"},
    {"internet explorer", "internet-explorer"},
    {"ie", "internet-explorer"},
    {"exchange server", "msexchange"},
    {"exchange", "msexchange"},
    {"sql server", "mssqlserver"},
    {"mssql", "mssqlserver"},
    {"office", "office"},
    {"openssl", "openssl"},
    {"oracle jdk", "oracle-jdk"},
    {"java", "oracle-jdk"},
    {"jdk", "oracle-jdk"},
    {"jre", "oracle-jdk"},
    {"citrix virtual apps", "citrix-vad"},
    {"xenapp", "citrix-vad"},
    {"xendesktop", "citrix-vad"},
    {"citrix", "citrix-vad"},
};

/* Does the token list contain the phrase's words consecutively?  Returns the index
 * after the phrase or 0. */
static size_t phrase_at(const toks_t *tk, const char *phrase)
{
    toks_t ph;
    memset(&ph, 0, sizeof ph);
    tokenize(&ph, phrase);
    for (size_t i = 0; i + ph.n <= tk->n; i++) {
        size_t k = 0;
        while (k < ph.n && !strcmp(tk->t[i + k], ph.t[k]))
            k++;
        if (k == ph.n)
            return i + ph.n;
    }
    return 0;
}

static const ww_eol_product_t *product_by_slug(const ww_feeds_t *f, const char *slug)
{
    for (size_t i = 0; i < f->nprod; i++)
        if (!strcmp(f->prod[i].slug, slug))
            return &f->prod[i];
    return NULL;
}

static void fill(ww_eol_t *o, const ww_eol_product_t *p, const ww_eol_rel_t *r)
{
    o->product = p->slug;
    o->title = p->title;
    if (!r)
        return;
    o->status = WW_EOL_FOUND;
    o->cycle = r->cycle;
    o->label = *r->label ? r->label : r->cycle;
    o->release = r->release;
    o->eoas = r->eoas;
    o->eol = r->eol;
    o->eoes = r->eoes;
}

ww_eol_status_t ww_feeds_eol(const ww_feeds_t *f, const char *name, const char *version,
                             ww_eol_t *out)
{
    memset(out, 0, sizeof *out);
    out->status = WW_EOL_UNKNOWN_PRODUCT;
    out->product = out->title = out->cycle = out->label = "";
    out->release = out->eoas = out->eol = out->eoes = WW_FEEDS_NODATE;
    if (!name)
        name = "";
    toks_t nm, in;
    memset(&nm, 0, sizeof nm);
    memset(&in, 0, sizeof in);
    tokenize(&nm, name);
    tokenize(&in, name);
    tokenize(&in, version);
    join_sp(&in);
    /* "Win10", "win11" */
    for (size_t i = 0; i < in.n; i++)
        if (!strncmp(in.t[i], "win", 3) && isdig(in.t[i][3]))
            memmove(in.t[i], in.t[i] + 3, strlen(in.t[i] + 3) + 1);
    const ww_eol_product_t *p = NULL;
    const char *slug = NULL;
    for (size_t i = 0; i < WW_ARRAY_LEN(aliases) && !slug; i++) {
        if (phrase_at(&nm, aliases[i].phrase))
            slug = aliases[i].slug;
        else if (!strcmp(aliases[i].phrase, "win")) {
            for (size_t k = 0; k < nm.n; k++)
                if (!strncmp(nm.t[k], "win", 3) && isdig(nm.t[k][3]))
                    slug = aliases[i].slug;
        }
    }
    if (slug) {
        p = product_by_slug(f, slug);
    } else if (f) {
        /* Products added by `feeds import`: by slug or title words. */
        for (size_t i = 0; i < f->nprod && !p; i++) {
            char words[128];
            snprintf(words, sizeof words, "%s", f->prod[i].slug);
            for (char *c = words; *c; c++)
                if (*c == '-')
                    *c = ' ';
            if (phrase_at(&nm, words) || (*f->prod[i].title && phrase_at(&nm, f->prod[i].title)))
                p = &f->prod[i];
        }
    }
    if (!p) {
        snprintf(out->note, sizeof out->note, "no end-of-life data for \"%.100s\"", name);
        return out->status;
    }
    out->status = WW_EOL_UNKNOWN_VERSION;
    fill(out, p, NULL);
    const ww_eol_rel_t *r = NULL;
    bool assumed = false;
    if (!strcmp(p->slug, "windows")) {
        const char *major = NULL;
        static const char *const majors[] = {"11", "10", "8.1", "8", "7", "vista", "xp"};
        for (size_t i = 0; i < WW_ARRAY_LEN(majors) && !major; i++)
            if (has(&in, majors[i]))
                major = majors[i];
        if (major && (!strcmp(major, "11") || !strcmp(major, "10"))) {
            r = windows_desktop(p, &in, major, &assumed, out->note, sizeof out->note);
        } else if (major) {
            /* Vista and XP are cycles 6 and 5. */
            for (size_t i = 0; i < in.n; i++) {
                if (!strcmp(in.t[i], "vista"))
                    snprintf(in.t[i], sizeof in.t[i], "6");
                else if (!strcmp(in.t[i], "xp"))
                    snprintf(in.t[i], sizeof in.t[i], "5");
            }
            toks_t only;
            memset(&only, 0, sizeof only);
            for (size_t i = 0; i < in.n; i++)
                if (!strcmp(in.t[i], "6") || !strcmp(in.t[i], "5") || !strcmp(in.t[i], major) ||
                    is_sp(in.t[i]))
                    tok_add(&only, in.t[i], strlen(in.t[i]));
            r = generic(p, &only, &assumed);
            if (r && assumed)
                snprintf(out->note, sizeof out->note,
                         "service pack not given: the latest (%s) assumed", r->cycle);
        } else {
            snprintf(out->note, sizeof out->note, "Windows version not recognised");
        }
    } else {
        if (!strcmp(p->slug, "oracle-jdk")) {
            /* "1.8.0_391" is Java 8. */
            for (size_t i = 0; i < in.n; i++)
                if (!strncmp(in.t[i], "1.", 2) && isdig(in.t[i][2]))
                    memmove(in.t[i], in.t[i] + 2, strlen(in.t[i] + 2) + 1);
        }
        r = generic(p, &in, &assumed);
        if (r && assumed)
            snprintf(out->note, sizeof out->note,
                     "service pack or channel not given: %s assumed (the latest end date)",
                     *r->label ? r->label : r->cycle);
        else if (!r)
            snprintf(out->note, sizeof out->note, "version \"%.60s\" not in the %s data",
                     version && *version ? version : name, p->slug);
    }
    if (!r) {
        if (!out->note[0])
            snprintf(out->note, sizeof out->note, "version not found");
        return out->status;
    }
    fill(out, p, r);
    out->assumed = assumed;
    if (!out->note[0])
        snprintf(out->note, sizeof out->note, "matched %s %s", p->slug, r->cycle);
    return out->status;
}

/* ---- the same word rules for NHS cyber alerts (lib/cyberalert) --------------------- */

bool ww_feeds_name_has(const char *name, const char *phrase)
{
    toks_t tk;
    memset(&tk, 0, sizeof tk);
    tokenize(&tk, name);
    return phrase && *phrase && phrase_at(&tk, phrase) != 0;
}

bool ww_feeds_version_words(const char *need, const char *name, const char *version)
{
    toks_t nd, in;
    memset(&nd, 0, sizeof nd);
    memset(&in, 0, sizeof in);
    tokenize(&nd, need);
    join_sp(&nd);
    tokenize(&in, name);
    tokenize(&in, version);
    join_sp(&in);
    for (size_t i = 0; i < nd.n; i++)
        if (strpbrk(nd.t[i], "0123456789") && !word_present(&in, nd.t[i]))
            return false;
    return true;
}
