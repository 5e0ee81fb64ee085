/* The front door for staff: /report (a few plain questions, an optional suspicious
 * email, then advice at once), /help (short advice pages and a passphrase generator),
 * all without signing in and without JavaScript; and, for analysts, the reported
 * email's page (/reports/{id}/email) and its JSON twin.
 *
 * A report becomes an alert of its own kind (rule "wardwatch.staff-report") in the
 * alert store, with the answers, the reporter's device's recent alerts and, for an
 * uploaded email, its parsed summary and the stored alerts that share its sender,
 * link hosts or attachment hashes.  The form is open to anyone on the network, so
 * reports are rate-limited per address and overall, and uploads are capped. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "alerts/ww_alerts.h"
#include "console/ww_console.h"
#include "mail/ww_eml.h"
#include "sigma/ww_sigma.h"

#define RULE_ID "wardwatch.staff-report"
#define REPORT_MAX_EML (10u << 20) /* an uploaded email; larger: forward it instead */
#define REPORT_MAX_FIELD 200       /* device, name, contact */
#define REPORT_MAX_DETAILS 2000    /* what happened, in the reporter's words */
#define RATE_PER_ADDR 5            /* reports from one address per window */
#define RATE_ALL 200               /* reports from everyone per window */
#define RATE_WINDOW_S 3600
#define RATE_SLOTS 1024    /* addresses remembered; the stalest is forgotten first */
#define RECENT_MAX 20      /* the device's recent alerts attached to a report */
#define RECENT_SCAN 50000  /* alerts of the last 24 h looked at for them */
#define SEEN_DAYS 7        /* how far back an email's indicators are searched */
#define SEEN_SCAN 20000    /* alerts searched for them */
#define SEEN_INDICATORS 40 /* indicators searched */
#define SEEN_PER_IND 10    /* alerts listed per indicator */
#define WORDS_MAX 200000   /* words kept from the word list */
#define WORDLIST_MAX (16u << 20)
#define NS 1000000000LL

/* ---- what people can answer (one table each) ---------------------------------------- */

typedef struct choice {
    const char *key;   /* the form value */
    const char *label; /* the radio's label */
    const char *title; /* in the alert's title and the analyst's view */
    int level;         /* WW_LEVEL_*: what this answer alone is worth */
} choice_t;

static const choice_t whats[] = {
    {"email", "I got a suspicious email", "a suspicious email", WW_LEVEL_LOW},
    {"clicked", "I clicked a link or typed my password", "clicked a link or typed a password",
     WW_LEVEL_MEDIUM},
    {"computer", "My computer is acting strangely", "a computer acting strangely", WW_LEVEL_HIGH},
    {"lost", "I lost a device (laptop, phone, tablet or memory stick)", "a lost device",
     WW_LEVEL_MEDIUM},
    {"other", "Something else", "something else", WW_LEVEL_LOW},
};

static const choice_t dids[] = {
    {"no", "No, I did not click or type anything", "did not click or type anything", WW_LEVEL_LOW},
    {"link", "I clicked a link", "clicked a link", WW_LEVEL_MEDIUM},
    {"attachment", "I opened an attachment", "opened an attachment", WW_LEVEL_HIGH},
    {"password", "I typed my password or other details", "typed a password or other details",
     WW_LEVEL_HIGH},
    {"unsure", "I'm not sure", "not sure", WW_LEVEL_MEDIUM},
};

static const choice_t *choice_find(const choice_t *t, size_t n, const char *key)
{
    for (size_t i = 0; key && i < n; i++)
        if (!strcmp(t[i].key, key))
            return &t[i];
    return NULL;
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* ---- the rate limit ------------------------------------------------------------------- */

typedef struct rate_slot {
    char addr[64];
    int64_t start; /* the window's start, s */
    uint32_t n;
} rate_slot_t;

static struct {
    pthread_mutex_t mu;
    rate_slot_t slot[RATE_SLOTS];
    uint32_t nslot;
    int64_t all_start;
    uint32_t all_n;
} rate = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Counts one report from addr at now.  0: allowed; 1: this address has sent
   RATE_PER_ADDR in the window; 2: everyone together has sent RATE_ALL. */
static int rate_take(const char *addr, int64_t now)
{
    int rc = 0;
    pthread_mutex_lock(&rate.mu);
    if (now - rate.all_start >= RATE_WINDOW_S)
        rate.all_start = now, rate.all_n = 0;
    rate_slot_t *s = NULL, *stalest = NULL;
    for (uint32_t i = 0; i < rate.nslot; i++) {
        if (!strcmp(rate.slot[i].addr, addr))
            s = &rate.slot[i];
        if (!stalest || rate.slot[i].start < stalest->start)
            stalest = &rate.slot[i];
    }
    if (!s) {
        /* A full table forgets the address whose window began longest ago. */
        s = rate.nslot < RATE_SLOTS ? &rate.slot[rate.nslot++] : stalest;
        snprintf(s->addr, sizeof s->addr, "%s", addr);
        s->start = now;
        s->n = 0;
    }
    if (now - s->start >= RATE_WINDOW_S)
        s->start = now, s->n = 0;
    if (s->n >= RATE_PER_ADDR)
        rc = 1;
    else if (rate.all_n >= RATE_ALL)
        rc = 2;
    else
        s->n++, rate.all_n++;
    pthread_mutex_unlock(&rate.mu);
    return rc;
}

/* ---- the word list for passphrases ------------------------------------------------------ */

/* Words a generator should never put in front of a member of staff. */
static const char *const unkind[] = {
    "bastard", "bitch", "bollocks", "crap", "damn", "dick",  "fuck",  "kill", "nazi",   "piss",
    "rape",    "shit",  "slut",     "twat", "wank", "whore", "death", "dead", "suicide"};

#define WORDS_MIN 1000 /* fewer: not a list to pick passphrases from */

static struct {
    pthread_mutex_t mu;
    bool ready; /* then blob, words and n never change again */
    char *blob;
    char **words;
    uint32_t n;
} wl = {.mu = PTHREAD_MUTEX_INITIALIZER};

static bool word_ok(const char *w, size_t n)
{
    if (n < 4 || n > 8)
        return false;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return false;
    for (size_t i = 0; i < WW_ARRAY_LEN(unkind); i++)
        if (memmem(w, n, unkind[i], strlen(unkind[i])))
            return false;
    return true;
}

/* Loads the list: $WW_WORDLIST, else the wbritish package's, else the system's
   /usr/share/dict/words.  Lines that are not 4 to 8 lower-case letters are left out
   (names, plurals with apostrophes, accented words). */
static void wl_load(void)
{
    const char *env = getenv("WW_WORDLIST");
    const char *paths[] = {env, "/usr/share/dict/british-english", "/usr/share/dict/words"};
    char *blob = NULL, **words = NULL;
    size_t len = 0;
    uint32_t n = 0;
    for (size_t i = 0; i < WW_ARRAY_LEN(paths) && !blob; i++) {
        if (!paths[i] || !*paths[i])
            continue;
        if (ww_read_file(paths[i], WORDLIST_MAX, &blob, &len) != 0)
            blob = NULL;
        if (env && *env && i == 0)
            break; /* an explicit list is the only one tried */
    }
    if (!blob || !(words = malloc(WORDS_MAX * sizeof *words)))
        goto out;
    char *p = blob, *e = blob + len;
    while (p < e && n < WORDS_MAX) {
        char *nl = memchr(p, '\n', (size_t)(e - p));
        char *le = nl ? nl : e;
        *le = 0;
        if (le > p && le[-1] == '\r')
            le[-1] = 0;
        if (word_ok(p, strlen(p)))
            words[n++] = p;
        p = le + 1;
    }
    if (n < WORDS_MIN)
        goto out;
    wl.blob = blob, wl.words = words, wl.n = n, wl.ready = true;
    blob = NULL, words = NULL;
out:
    free(blob);
    free(words);
}

/* True when the word list is loaded.  A missing (or too short) list is looked for
   again at the next request, so installing the package needs no restart. */
static bool wl_ready(void)
{
    pthread_mutex_lock(&wl.mu);
    if (!wl.ready)
        wl_load();
    bool r = wl.ready;
    pthread_mutex_unlock(&wl.mu);
    return r;
}

/* ---- small HTML pieces ------------------------------------------------------------------ */

static void h1(ww_buf_t *b, const char *text)
{
    ww_buf_puts(b, "<h1>");
    ww_html_textz(b, text);
    ww_buf_puts(b, "</h1>\n");
}

static void para(ww_buf_t *b, const char *text)
{
    ww_buf_puts(b, "<p>");
    ww_html_textz(b, text);
    ww_buf_puts(b, "</p>\n");
}

static void radios(ww_buf_t *b, const char *name, const char *legend, const char *hint,
                   const choice_t *t, size_t n, const char *chosen, const char *error)
{
    ww_buf_printf(b, "<div class=\"nhsuk-form-group%s\">\n<fieldset class=\"nhsuk-fieldset\"",
                  error ? " nhsuk-form-group--error" : "");
    ww_console_described_by(b, name, true, error != NULL);
    ww_buf_puts(b, ">\n<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--m\">\n"
                   "<h2 class=\"nhsuk-fieldset__heading\">");
    ww_html_textz(b, legend);
    ww_buf_puts(b, "</h2>\n</legend>\n");
    ww_console_hint(b, name, hint);
    if (error)
        ww_console_error_message(b, name, error);
    ww_buf_puts(b, "<div class=\"nhsuk-radios\">\n");
    for (size_t i = 0; i < n; i++) {
        ww_buf_printf(b,
                      "<div class=\"nhsuk-radios__item\">\n<input class=\"nhsuk-radios__input\" "
                      "id=\"%s%s%s\" name=\"%s\" type=\"radio\" value=\"%s\"%s>\n"
                      "<label class=\"nhsuk-label nhsuk-radios__label\" for=\"%s%s%s\">",
                      name, i ? "-" : "", i ? t[i].key : "", name, t[i].key,
                      chosen && !strcmp(chosen, t[i].key) ? " checked" : "", name, i ? "-" : "",
                      i ? t[i].key : "");
        ww_html_textz(b, t[i].label);
        ww_buf_puts(b, "</label>\n</div>\n");
    }
    ww_buf_puts(b, "</div>\n</fieldset>\n</div>\n");
}

static void text_input(ww_buf_t *b, const char *id, const char *label, const char *hint,
                       const char *autocomplete, const char *value, const char *error)
{
    ww_console_input(b, &(ww_console_input_t){.id = id,
                                              .label = label,
                                              .hint = hint,
                                              .error = error,
                                              .value = value && *value ? value : NULL,
                                              .autocomplete = autocomplete,
                                              .maxlength = REPORT_MAX_FIELD});
}

/* ---- /report: the form ------------------------------------------------------------------- */

typedef struct answers {
    const char *what, *did, *device, *name, *contact, *details;
} answers_t;

static int report_form(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, const answers_t *a,
                       const char *error, const char *error_field, unsigned status)
{
    const char *tok = ww_web_pre_token(req, resp);
    if (!tok)
        return WW_ENOMEM;
    resp->status = status;
    ww_console_page_begin(c, req, resp,
                          error ? "Error: Report a cyber security concern"
                                : "Report a cyber security concern",
                          "/report");
    ww_buf_t *b = &resp->body;
    if (error)
        ww_console_error_summary(b, 2, error, error_field);
    h1(b, "Report a cyber security concern");
    ww_buf_puts(b, "<p class=\"nhsuk-body-l\">Tell us if something does not look right. "
                   "You will get advice straight away.</p>\n"
                   "<p>You do not need to sign in. You will not get into trouble for reporting, "
                   "even if you clicked something. The sooner we know, the more we can do.</p>\n");
    ww_buf_puts(b, "<form method=\"post\" action=\"/report\" enctype=\"multipart/form-data\" "
                   "novalidate>\n<input type=\"hidden\" name=\"" WW_WEB_CSRF_FIELD "\" value=\"");
    ww_html_attr(b, tok, strlen(tok));
    ww_buf_puts(b, "\">\n");
    radios(b, "what", "What happened?", "Choose the one that fits best.", whats,
           WW_ARRAY_LEN(whats), a->what,
           error_field && !strcmp(error_field, "what") ? error : NULL);
    radios(b, "did", "Did you click anything or enter any details?",
           "For example, a link in an email, an attachment, or your password on a web page.", dids,
           WW_ARRAY_LEN(dids), a->did, error_field && !strcmp(error_field, "did") ? error : NULL);
    text_input(b, "device", "Which computer or device is it?",
               "The name on the label, if it has one. We have filled this in if we know the "
               "computer you are using now.",
               "off", a->device, error_field && !strcmp(error_field, "device") ? error : NULL);
    /* An error about a field is shown beside it as well as in the summary. */
    const char *derr = error_field && !strcmp(error_field, "details") ? error : NULL;
    char hint[200];
    snprintf(hint, sizeof hint,
             "For example, what the email asked you to do, or what you saw on the screen. Up "
             "to %d characters.",
             REPORT_MAX_DETAILS);
    ww_console_field_begin(b, "details", "Tell us what happened (optional)", hint, derr);
    ww_buf_puts(b, "<textarea class=\"nhsuk-textarea\" id=\"details\" name=\"details\" "
                   "rows=\"4\"");
    ww_console_described_by(b, "details", true, derr != NULL);
    ww_buf_printf(b, " maxlength=\"%d\">", REPORT_MAX_DETAILS);
    ww_html_textz(b, a->details);
    ww_buf_puts(b, "</textarea>\n");
    ww_console_field_end(b);
    ww_buf_puts(b, "<h2>How can we contact you? (optional)</h2>\n"
                   "<p>We may need to ask you a question. You can leave these empty.</p>\n");
    text_input(b, "name", "Your name", NULL, "name", a->name,
               error_field && !strcmp(error_field, "name") ? error : NULL);
    text_input(b, "contact", "Phone number, extension or email address", NULL, "off", a->contact,
               error_field && !strcmp(error_field, "contact") ? error : NULL);
    const char *eerr = error_field && !strcmp(error_field, "eml") ? error : NULL;
    snprintf(hint, sizeof hint,
             "Save the email as a file (.eml): in Outlook, drag it from your inbox to your "
             "desktop, or choose File, Save As. Up to %u MB.",
             REPORT_MAX_EML >> 20);
    ww_console_field_begin(b, "eml", "The suspicious email, if you have it (optional)", hint, eerr);
    ww_buf_puts(b, "<input class=\"nhsuk-file-upload\" id=\"eml\" name=\"eml\" type=\"file\" "
                   "accept=\".eml,message/rfc822\"");
    ww_console_described_by(b, "eml", true, eerr != NULL);
    ww_buf_puts(b, ">\n");
    ww_console_field_end(b);
    ww_buf_puts(b, "<button class=\"nhsuk-button\" type=\"submit\">Send report</button>\n</form>\n"
                   "<p><a href=\"/help\">Advice on staying safe online</a></p>\n");
    return ww_console_page_end(resp);
}

static int h_report_form(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    answers_t a = {0};
    /* The device, when the address asking is a registered asset's. */
    ww_console_db_t *db;
    ww_diag_t diag = {0};
    if (req->peer && *req->peer && ww_console_db(c, &db, &diag) == 0) {
        ww_asset_t as;
        if (ww_asset_find(db->reg, req->peer, &req->arena, &as, &diag) == 1)
            a.device = *nz(as.hostname) ? as.hostname : nz(as.asset_id);
    }
    return report_form(c, req, resp, &a, NULL, NULL, 200);
}

/* ---- advice ------------------------------------------------------------------------------ */

/* One thing to do: fmt has at most one %s, for a contact the trust configured. */
typedef struct step {
    const char *fmt;
    const char *arg;
} step_t;

#define MAX_STEPS 10

typedef struct advice {
    step_t steps[MAX_STEPS];
    uint32_t n;
    bool urgent;
} advice_t;

static void add_step(advice_t *a, const char *fmt, const char *arg)
{
    if (a->n < MAX_STEPS)
        a->steps[a->n++] = (step_t){fmt, nz(arg)};
}

/* What to do now, for these answers (what NULL: general advice). */
static void advice_for(advice_t *a, const ww_console_contacts_t *k, const char *what,
                       const char *did)
{
    bool password = did && !strcmp(did, "password");
    bool attachment = did && !strcmp(did, "attachment");
    bool link = did && (!strcmp(did, "link") || !strcmp(did, "unsure"));
    bool email = what && !strcmp(what, "email");
    bool clicked = what && !strcmp(what, "clicked");
    bool computer = what && !strcmp(what, "computer");
    bool lost = what && !strcmp(what, "lost");
    memset(a, 0, sizeof *a);
    a->urgent = password || attachment || computer || lost;
    if (password)
        add_step(a,
                 "Change your password now. Do it from another computer or your phone if you can, "
                 "in case this one has been affected.",
                 NULL);
    else if (clicked || link)
        add_step(a,
                 "If a page asked for your password and you typed it, change your password now, "
                 "from another computer or your phone if you can.",
                 NULL);
    if (password || clicked)
        add_step(a,
                 "If you use the same password for anything else, change it there too. Use a "
                 "different password for each account.",
                 NULL);
    if (computer || attachment) {
        add_step(a,
                 "Leave the computer switched on. Do not turn it off or restart it: this can "
                 "lose information the IT team need.",
                 NULL);
        add_step(a, "Unplug its network cable, or turn off its Wi-Fi.", NULL);
        add_step(a,
                 "Use another computer for your work until the IT team tell you this one is "
                 "safe.",
                 NULL);
    }
    if (email) {
        if (!did || !strcmp(did, "no"))
            add_step(a, "Do not click any links or open any attachments in the email.", NULL);
        add_step(a,
                 "Forward the email as an attachment to %s, then delete it. In Outlook, choose "
                 "More actions, then Forward as attachment.",
                 k->phishing_address);
    }
    if (lost) {
        add_step(a, "Call %s now, so they can lock the device and protect what is on it.",
                 k->service_desk);
        add_step(a, "Change the passwords of the accounts you used on it, from another device.",
                 NULL);
        add_step(a,
                 "If it held patient or staff information, tell your Information Governance "
                 "team as well.",
                 NULL);
    } else if (a->urgent || clicked) {
        add_step(a, "Call %s now and tell them you have sent this report.", k->service_desk);
    } else {
        add_step(a, "You do not need to do anything else. If it becomes urgent, call %s.",
                 k->service_desk);
    }
}

static const char out_of_hours[] =
    "Out of hours, if you cannot reach the service desk and you think systems are being "
    "attacked, call the national Cyber Security Operations Centre on %s.";

/* A step as HTML (the contact in bold) or as plain text. */
static void step_out(ww_buf_t *b, const step_t *st, bool html)
{
    const char *s = strstr(st->fmt, "%s");
    size_t head = s ? (size_t)(s - st->fmt) : strlen(st->fmt);
    if (!html) {
        ww_buf_append(b, st->fmt, head);
        if (s) {
            ww_buf_puts(b, st->arg);
            ww_buf_puts(b, s + 2);
        }
        return;
    }
    ww_html_text(b, st->fmt, head, 0);
    if (s) {
        ww_buf_puts(b, "<strong>");
        ww_html_textz(b, st->arg);
        ww_buf_puts(b, "</strong>");
        ww_html_textz(b, s + 2);
    }
}

static void advice(ww_buf_t *b, const ww_console_contacts_t *k, const char *what, const char *did)
{
    advice_t a;
    advice_for(&a, k, what, did);
    ww_buf_printf(b,
                  "<div class=\"nhsuk-card nhsuk-card--care nhsuk-card--care--%s\">\n"
                  "<div class=\"nhsuk-card--care__heading-container\">\n"
                  "<h2 class=\"nhsuk-card--care__heading\"><span role=\"text\">"
                  "<span class=\"nhsuk-u-visually-hidden\">%s: </span>What to do now</span>"
                  "</h2>\n<span class=\"nhsuk-card--care__arrow\" aria-hidden=\"true\"></span>\n"
                  "</div>\n<div class=\"nhsuk-card__content\">\n<ol class=\"nhsuk-list "
                  "nhsuk-list--number\">\n",
                  a.urgent ? "urgent" : "non-urgent", a.urgent ? "Urgent advice" : "Advice");
    for (uint32_t i = 0; i < a.n; i++) {
        ww_buf_puts(b, "<li>");
        step_out(b, &a.steps[i], true);
        ww_buf_puts(b, "</li>\n");
    }
    ww_buf_puts(b, "</ol>\n</div>\n</div>\n<h2>If you cannot get through</h2>\n<p>");
    step_t ooh = {out_of_hours, nz(k->csoc_phone)};
    step_out(b, &ooh, true);
    ww_buf_puts(b, "</p>\n");
}

/* The same advice for the JSON API: {"urgent":..,"steps":[..],"out_of_hours":".."}. */
static void advice_json(ww_buf_t *b, const ww_console_contacts_t *k, const char *what,
                        const char *did)
{
    advice_t a;
    advice_for(&a, k, what, did);
    ww_buf_t t;
    ww_buf_init(&t, 4096);
    ww_buf_printf(b, "{\"urgent\":%s,\"steps\":[", a.urgent ? "true" : "false");
    for (uint32_t i = 0; i < a.n; i++) {
        ww_buf_clear(&t);
        step_out(&t, &a.steps[i], false);
        if (i)
            ww_buf_putc(b, ',');
        ww_buf_json_str(b, t.p ? t.p : "", t.n);
    }
    ww_buf_clear(&t);
    step_t ooh = {out_of_hours, nz(k->csoc_phone)};
    step_out(&t, &ooh, false);
    ww_buf_puts(b, "],\"out_of_hours\":");
    ww_buf_json_str(b, t.p ? t.p : "", t.n);
    ww_buf_putc(b, '}');
    ww_buf_release(&t);
}

static int h_report_thanks(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    const choice_t *w = choice_find(whats, WW_ARRAY_LEN(whats), ww_web_query(req, "what"));
    const choice_t *d = choice_find(dids, WW_ARRAY_LEN(dids), ww_web_query(req, "did"));
    const char *ref = ww_web_query(req, "ref");
    bool ref_ok = ref && strlen(ref) == 8;
    for (size_t i = 0; ref_ok && i < 8; i++)
        ref_ok = isxdigit((unsigned char)ref[i]) != 0;
    ww_console_page_begin(c, req, resp, "Your report has been sent", "/report");
    ww_buf_t *b = &resp->body;
    ww_buf_puts(b, "<div class=\"nhsuk-panel\">\n<h1 class=\"nhsuk-panel__title\">"
                   "Your report has been sent</h1>\n<div class=\"nhsuk-panel__body\">");
    if (ref_ok) {
        ww_buf_puts(b, "Your reference is<br><strong>");
        ww_html_textz(b, ref);
        ww_buf_puts(b, "</strong>");
    } else {
        ww_buf_puts(b, "The IT security team has your report.");
    }
    ww_buf_puts(b, "</div>\n</div>\n");
    para(b, "Thank you. You have done the right thing by telling us. Reporting quickly helps us "
            "stop a problem from spreading.");
    advice(b, &ww_console_cfg(c)->contacts, w ? w->key : NULL, d ? d->key : NULL);
    ww_buf_puts(b, "<h2>What happens next</h2>\n");
    para(b, "The IT security team will look at your report. If you gave your contact details, "
            "they may get in touch to ask a few questions.");
    ww_buf_puts(b, "<p><a href=\"/report\">Report something else</a></p>\n"
                   "<p><a href=\"/help\">Advice on staying safe online</a></p>\n");
    return ww_console_page_end(resp);
}

/* ---- the report as an alert --------------------------------------------------------------- */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* Does alert host h name this device?  Equal, or equal first labels ("ward7-pc01" and
   "ward7-pc01.trust.nhs.uk"), any case. */
static bool same_host(const char *h, const char *dev)
{
    if (!*h || !*dev)
        return false;
    size_t hn = strcspn(h, "."), dn = strcspn(dev, ".");
    return !strcasecmp(h, dev) || (hn == dn && !strncasecmp(h, dev, hn) && (!h[hn] || !dev[dn]));
}

typedef struct recent {
    const char *device; /* typed or from the register */
    const ww_asset_t *asset;
    const char *peer;        /* the reporter's address, when the device was not typed */
    char *items[RECENT_MAX]; /* this slice's newest matches (malloc'd JSON), a ring */
    uint32_t n, next, scanned;
} recent_t;

static bool recent_match(const recent_t *r, const ww_alert_t *a)
{
    if (!strcmp(nz(a->rule_id), RULE_ID))
        return false;
    if (r->device && same_host(nz(a->host), r->device))
        return true;
    if (r->peer && *r->peer && !strcmp(nz(a->src_ip), r->peer))
        return true;
    if (r->asset) {
        const ww_asset_t *s = r->asset;
        if (*nz(s->asset_id) && !strcmp(nz(a->asset_id), s->asset_id))
            return true;
        if (same_host(nz(a->host), nz(s->hostname)))
            return true;
        for (size_t i = 0; i < s->nips; i++)
            if (*nz(a->src_ip) && !strcmp(a->src_ip, s->ips[i]))
                return true;
    }
    return false;
}

static int recent_fn(void *ud, const ww_alert_t *a)
{
    recent_t *r = ud;
    if (++r->scanned > RECENT_SCAN)
        return 1;
    if (!recent_match(r, a))
        return 0;
    ww_buf_t o;
    ww_buf_init(&o, 4096);
    char ts[40];
    ww_time_format(a->ts != WW_TIME_NONE ? a->ts : a->received, ts, sizeof ts);
    ww_buf_puts(&o, "{\"id\":");
    ww_buf_json_str(&o, a->id, strlen(a->id));
    ww_buf_puts(&o, ",\"rule_id\":");
    ww_buf_json_str(&o, nz(a->rule_id), strlen(nz(a->rule_id)));
    ww_buf_puts(&o, ",\"title\":");
    ww_buf_json_str(&o, nz(a->rule_title), strlen(nz(a->rule_title)));
    ww_buf_printf(&o, ",\"level\":\"%s\",\"priority\":%d,\"time\":\"%s\",\"host\":",
                  ww_level_name(a->level), a->priority, ts);
    ww_buf_json_str(&o, nz(a->host), strlen(nz(a->host)));
    ww_buf_putc(&o, '}');
    if (!o.err) {
        free(r->items[r->next]);
        r->items[r->next] = strdup(o.p);
        r->next = (r->next + 1) % RECENT_MAX;
        if (r->n < RECENT_MAX)
            r->n++;
    }
    ww_buf_release(&o);
    return 0;
}

/* The device's alerts of the last 24 hours, newest first (at most RECENT_MAX), as a
   JSON array into b.  The day is read an hour at a time from the newest hour, so on a
   busy store the RECENT_SCAN alerts looked at are the latest ones. */
static int recent_alerts(ww_store_t *st, const char *device, const ww_asset_t *asset,
                         const char *peer, ww_buf_t *b, uint32_t *count, ww_diag_t *diag)
{
    recent_t r = {.device = device, .asset = asset, .peer = peer};
    int64_t now = now_ns();
    uint32_t kept = 0;
    int rc = 0;
    ww_buf_putc(b, '[');
    for (int h = 0; h < 24 && kept < RECENT_MAX && rc == 0; h++) {
        ww_alert_query_t q = {.since = now - (int64_t)(h + 1) * 3600 * NS,
                              .until = h ? now - (int64_t)h * 3600 * NS - 1 : WW_TIME_NONE};
        rc = ww_alerts_query(st, &q, recent_fn, &r, diag);
        /* This hour's matches, newest first, after the later hours'. */
        for (uint32_t i = 0; i < r.n && kept < RECENT_MAX; i++) {
            uint32_t k = (r.next + RECENT_MAX - 1 - i) % RECENT_MAX;
            ww_buf_puts(b, kept++ ? "," : "");
            ww_buf_puts(b, r.items[k]);
        }
        for (uint32_t i = 0; i < RECENT_MAX; i++) {
            free(r.items[i]);
            r.items[i] = NULL;
        }
        r.n = r.next = 0;
    }
    ww_buf_putc(b, ']');
    *count = kept;
    return rc == 1 ? 0 : rc; /* 1: the scan cap; what was seen is kept */
}

/* ---- an email's indicators in stored alerts ---------------------------------------------- */

typedef struct indicator {
    const char *kind; /* "sender_address", "link_host", "attachment_sha256", ... */
    char *value;      /* lower-cased */
    uint32_t nalerts; /* alerts listed */
    uint32_t total;   /* alerts matched */
    char ids[SEEN_PER_IND][WW_ALERT_ID_LEN + 1];
    char *titles[SEEN_PER_IND];
} indicator_t;

typedef struct seen {
    indicator_t ind[SEEN_INDICATORS];
    uint32_t n;
    const char *self; /* this report's alert id: not a match of itself */
    ww_buf_t low;     /* the alert's event, lower-cased */
    uint32_t scanned;
    bool capped;
} seen_t;

static void seen_add(seen_t *s, const char *kind, const char *v)
{
    if (!v || strlen(v) < 4 || s->n >= SEEN_INDICATORS)
        return;
    for (uint32_t i = 0; i < s->n; i++)
        if (!strcasecmp(s->ind[i].value, v))
            return;
    char *low = strdup(v);
    if (!low)
        return;
    for (char *p = low; *p; p++)
        *p = (char)ww_lower((unsigned char)*p);
    s->ind[s->n].kind = kind;
    s->ind[s->n].value = low;
    s->n++;
}

static void seen_from_eml(seen_t *s, const ww_eml_t *m)
{
    seen_add(s, "sender_address", m->from_addr);
    seen_add(s, "sender_domain", m->from_domain);
    seen_add(s, "reply_to_address", m->reply_to_addr);
    seen_add(s, "reply_to_domain", m->reply_to_domain);
    for (uint32_t i = 0; i < m->nattachments; i++)
        seen_add(s, "attachment_sha256", m->attachments[i].sha256);
    for (uint32_t i = 0; i < m->nlinks; i++)
        seen_add(s, "link_host", m->links[i].host);
}

static int seen_fn(void *ud, const ww_alert_t *a)
{
    seen_t *s = ud;
    if (++s->scanned > SEEN_SCAN) {
        s->capped = true;
        return 1;
    }
    if (s->self && !strcmp(a->id, s->self))
        return 0;
    ww_buf_clear(&s->low);
    const char *ev = nz(a->event_json);
    if (ww_buf_append(&s->low, ev, strlen(ev)) != 0)
        return 0;
    ww_buf_putc(&s->low, ' ');
    ww_buf_puts(&s->low, nz(a->host));
    ww_buf_putc(&s->low, ' ');
    ww_buf_puts(&s->low, nz(a->user));
    for (size_t i = 0; i < s->low.n; i++)
        s->low.p[i] = (char)ww_lower((unsigned char)s->low.p[i]);
    for (uint32_t i = 0; i < s->n; i++) {
        indicator_t *in = &s->ind[i];
        if (!memmem(s->low.p, s->low.n, in->value, strlen(in->value)))
            continue;
        in->total++;
        if (in->nalerts < SEEN_PER_IND) {
            snprintf(in->ids[in->nalerts], sizeof in->ids[0], "%s", a->id);
            in->titles[in->nalerts] = strdup(nz(a->rule_title));
            in->nalerts++;
        }
    }
    return 0;
}

/* Searches the alerts of the last SEEN_DAYS days, newest day first, for s's
   indicators (at most SEEN_SCAN alerts). */
static int seen_search(ww_store_t *st, seen_t *s, ww_diag_t *diag)
{
    if (!s->n)
        return 0;
    ww_buf_init(&s->low, WW_ALERT_MAX_EVENT + 1024);
    int64_t now = now_ns();
    int rc = 0;
    for (int d = 0; d < SEEN_DAYS && rc == 0; d++) {
        ww_alert_query_t q = {.since = now - (int64_t)(d + 1) * 24 * 3600 * NS,
                              .until = now - (int64_t)d * 24 * 3600 * NS - (d ? 1 : 0)};
        if (d == 0)
            q.until = WW_TIME_NONE; /* and what is dated ahead of the clock */
        rc = ww_alerts_query(st, &q, seen_fn, s, diag);
    }
    ww_buf_release(&s->low);
    return rc == 1 ? 0 : rc;
}

static void seen_json(const seen_t *s, ww_buf_t *b)
{
    ww_buf_putc(b, '[');
    bool first = true;
    for (uint32_t i = 0; i < s->n; i++) {
        const indicator_t *in = &s->ind[i];
        if (!in->total)
            continue;
        ww_buf_puts(b, first ? "{\"kind\":" : ",{\"kind\":");
        first = false;
        ww_buf_json_str(b, in->kind, strlen(in->kind));
        ww_buf_puts(b, ",\"value\":");
        ww_buf_json_str(b, in->value, strlen(in->value));
        ww_buf_printf(b, ",\"alerts_total\":%u,\"alerts\":[", in->total);
        for (uint32_t k = 0; k < in->nalerts; k++) {
            ww_buf_puts(b, k ? ",{\"id\":" : "{\"id\":");
            ww_buf_json_str(b, in->ids[k], strlen(in->ids[k]));
            ww_buf_puts(b, ",\"title\":");
            ww_buf_json_str(b, nz(in->titles[k]), strlen(nz(in->titles[k])));
            ww_buf_putc(b, '}');
        }
        ww_buf_puts(b, "]}");
    }
    ww_buf_putc(b, ']');
}

static void seen_release(seen_t *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        free(s->ind[i].value);
        for (uint32_t k = 0; k < s->ind[i].nalerts; k++)
            free(s->ind[i].titles[k]);
    }
}

/* ---- the uploaded email ------------------------------------------------------------------- */

/* Reads an upload into memory (it is at most REPORT_MAX_EML).  0 or WW_EIO/WW_ENOMEM. */
static int read_upload(const ww_web_file_t *f, char **out)
{
    char *p = malloc(f->size + 1);
    if (!p)
        return WW_ENOMEM;
    size_t got = 0;
    while (got < f->size) {
        ssize_t r = pread(f->fd, p + got, f->size - got, (off_t)got);
        if (r <= 0) {
            free(p);
            return WW_EIO;
        }
        got += (size_t)r;
    }
    p[got] = 0;
    *out = p;
    return 0;
}

static int reports_dir(const ww_console_t *c, char *out, size_t n)
{
    const char *sd = ww_console_cfg(c)->state_dir;
    snprintf(out, n, "%s/reports", sd && *sd ? sd : ".");
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return WW_EIO;
    return 0;
}

/* ---- /report: the answers -------------------------------------------------------------------- */

static ww_web_file_t *upload_of(ww_web_req_t *req)
{
    for (uint32_t i = 0; i < req->nfiles; i++)
        if (!strcmp(req->files[i].field, "eml") && req->files[i].size > 0)
            return &req->files[i];
    return NULL;
}

static void json_kv(ww_buf_t *b, const char *k, const char *v)
{
    ww_buf_putc(b, ',');
    ww_buf_json_str(b, k, strlen(k));
    ww_buf_putc(b, ':');
    ww_buf_json_str(b, nz(v), strlen(nz(v)));
}

static int limited_page(ww_console_t *c, ww_web_req_t *req, ww_web_resp_t *resp, int why)
{
    const ww_console_contacts_t *k = &ww_console_cfg(c)->contacts;
    resp->status = 429;
    ww_web_resp_header(resp, "Retry-After", "3600");
    ww_console_page_begin(c, req, resp, "We have a lot of reports right now", "/report");
    ww_buf_t *b = &resp->body;
    h1(b,
       why == 1 ? "You have sent several reports already" : "We have a lot of reports right now");
    para(b, why == 1 ? "Thank you for your reports. We have had several from this computer in the "
                       "last hour, so we cannot take another one here just now."
                     : "Thank you. We are getting a lot of reports at the moment, so we cannot "
                       "take another one here just now.");
    ww_buf_puts(b, "<p>If it is urgent, please call <strong>");
    ww_html_textz(b, nz(k->service_desk));
    ww_buf_puts(b, "</strong> instead. You can also try this form again in an hour.</p>\n");
    advice(b, k, NULL, NULL);
    return ww_console_page_end(resp);
}

static bool too_long(const char *v, size_t max)
{
    return v && strlen(v) > max;
}

/* Stores a report as an alert (and its email, when f is not NULL, under reports/).
   0 with *out, or WW_E* with diag. */
typedef struct stored {
    char id[WW_ALERT_ID_LEN + 1];
    int level;
} stored_t;

static int store_report(ww_console_t *c, ww_web_req_t *req, const answers_t *a, const choice_t *w,
                        const choice_t *d, ww_web_file_t *f, stored_t *out, ww_diag_t *diag)
{
    ww_console_db_t *db;
    ww_buf_t ev, recent;
    ww_buf_init(&ev, WW_ALERT_MAX_EVENT);
    ww_buf_init(&recent, 64u << 10);
    ww_eml_t *m = NULL;
    char *raw = NULL;
    seen_t seen = {0};
    int rc = ww_console_db(c, &db, diag);
    if (rc)
        goto out;

    /* The device: as typed, else the register's asset at the asking address. */
    ww_asset_t asset_buf;
    const ww_asset_t *asset = NULL;
    const char *device = a->device && *a->device ? a->device : NULL;
    if ((device && ww_asset_find(db->reg, device, &req->arena, &asset_buf, diag) == 1) ||
        (!device && *nz(req->peer) &&
         ww_asset_find(db->reg, req->peer, &req->arena, &asset_buf, diag) == 1))
        asset = &asset_buf;
    if (!device && asset)
        device = *nz(asset->hostname) ? asset->hostname : nz(asset->asset_id);

    /* The alert's id: the time in hex, then randomness, so a page can find it by time. */
    int64_t t = now_ns();
    uint8_t rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    ww_alert_t al = {0};
    snprintf(al.id, sizeof al.id, "%016llx%02x%02x%02x%02x%02x%02x%02x%02x",
             (unsigned long long)(t / NS), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
             rnd[7]);

    /* The email: kept under reports/ by its SHA-256, parsed, its indicators searched. */
    char keep[1200] = "";
    if (f) {
        char dir[1024];
        if ((rc = reports_dir(c, dir, sizeof dir)) != 0) {
            ww_diag_set(diag, dir, 0, 0, "cannot create the reports folder: %s", strerror(errno));
            goto out;
        }
        snprintf(keep, sizeof keep, "%s/%s.eml", dir, f->sha256_hex);
        if ((rc = read_upload(f, &raw)) != 0) {
            ww_diag_set(diag, "", 0, 0, "reading the uploaded email failed");
            goto out;
        }
        if ((rc = ww_web_file_keep(f, keep)) != 0) {
            ww_diag_set(diag, keep, 0, 0, "keeping the uploaded email failed: %s", strerror(errno));
            goto out;
        }
    }

    ww_buf_puts(&ev, "{\"kind\":\"staff-report\"");
    if (f) {
        ww_buf_printf(&ev, ",\"email_sha256\":\"%s\",\"email_page\":\"/reports/%s/email\"",
                      f->sha256_hex, al.id);
    }
    json_kv(&ev, "what", w->key);
    json_kv(&ev, "what_happened", w->label);
    json_kv(&ev, "clicked_or_entered", d ? d->label : "not answered");
    json_kv(&ev, "device", device);
    json_kv(&ev, "details", a->details);
    json_kv(&ev, "reporter_name", a->name);
    json_kv(&ev, "reporter_contact", a->contact);
    json_kv(&ev, "reporter_address", req->peer);
    if (asset) {
        json_kv(&ev, "asset_id", asset->asset_id);
        json_kv(&ev, "asset_hostname", asset->hostname);
        json_kv(&ev, "asset_segment", asset->segment);
        json_kv(&ev, "asset_owner", asset->owner);
    }
    uint32_t nrecent = 0;
    const char *peer = a->device && *a->device ? NULL : req->peer;
    if ((rc = recent_alerts(db->st, device, asset, peer, &recent, &nrecent, diag)) != 0)
        goto out;
    ww_buf_printf(&ev, ",\"device_recent_alerts_count\":%u,\"device_recent_alerts\":", nrecent);
    ww_buf_append(&ev, recent.p ? recent.p : "[]", recent.p ? recent.n : 2);
    size_t mark = ev.n;
    if (f) {
        ww_buf_printf(&ev, ",\"email_file\":{\"name\":");
        ww_buf_json_str(&ev, f->filename, strlen(f->filename));
        ww_buf_printf(&ev, ",\"size\":%llu,\"sha256\":\"%s\"}", (unsigned long long)f->size,
                      f->sha256_hex);
        ww_diag_t ed = {0};
        int prc = ww_eml_parse(raw, f->size, NULL, &m, &ed);
        if (prc < 0) {
            ww_buf_puts(&ev, ",\"email_error\":");
            char em[400];
            snprintf(em, sizeof em, "line %u: %s", ed.line, ed.msg);
            ww_buf_json_str(&ev, em, strlen(em));
        } else {
            ww_buf_puts(&ev, ",\"email\":");
            ww_eml_json(m, &ev);
            seen.self = al.id;
            seen_from_eml(&seen, m);
            if ((rc = seen_search(db->st, &seen, diag)) != 0)
                goto out;
            ww_buf_puts(&ev, ",\"email_seen_in_alerts\":");
            seen_json(&seen, &ev);
        }
    }
    ww_buf_putc(&ev, '}');
    if (ev.err && ev.p && mark < ev.n) {
        /* Past the alert's cap: keep the answers and the device's alerts, and say
           where the email's summary is. */
        ev.err = 0;
        ev.n = mark;
        ev.p[mark] = 0;
        ww_buf_puts(&ev, ",\"email_note\":\"the email's summary is too large to keep in the "
                         "alert: its page (email_page) shows it\"}");
    }

    char title[160], why[200];
    snprintf(title, sizeof title, "Staff report: %s", w->title);
    al.rule_id = RULE_ID;
    al.rule_title = title;
    al.level = w->level > (d ? d->level : WW_LEVEL_LOW) ? w->level : (d ? d->level : WW_LEVEL_LOW);
    al.ts = t;
    al.received = t;
    al.host = nz(device);
    al.user = "";
    al.src_ip = nz(req->peer);
    al.source = "console /report";
    al.position = "";
    al.techniques = "";
    al.event_json = ev.p;
    ww_alert_prioritise(&al, asset, why, sizeof why);
    bool inserted = false;
    if ((rc = ww_alerts_put(db->st, &al, &inserted, diag)) != 0)
        goto out;
    char detail[300];
    snprintf(detail, sizeof detail, "%s; level %s%s%s", w->key, ww_level_name(al.level),
             f ? "; email " : "", f ? f->sha256_hex : "");
    ww_console_audit(c, req, "report.create", al.id, detail);

    out->level = al.level;
    snprintf(out->id, sizeof out->id, "%s", al.id);
out:
    seen_release(&seen);
    ww_eml_free(m);
    free(raw);
    ww_buf_release(&ev);
    ww_buf_release(&recent);
    return rc;
}

/* The first thing wrong with the answers: its message and the field it is about, or
   NULL when they can be stored. */
static const char *validate(ww_console_t *c, const answers_t *a, const ww_web_file_t *f,
                            const char **field, char *msg, size_t msgn)
{
    *field = "what";
    if (!choice_find(whats, WW_ARRAY_LEN(whats), a->what))
        return "Select what happened";
    *field = "did";
    if (a->did && *a->did && !choice_find(dids, WW_ARRAY_LEN(dids), a->did))
        return "Select one of the answers about clicking";
    *field = "device";
    if (too_long(a->device, REPORT_MAX_FIELD))
        return "The device name must be 200 characters or fewer";
    *field = "name";
    if (too_long(a->name, REPORT_MAX_FIELD))
        return "Your name must be 200 characters or fewer";
    *field = "contact";
    if (too_long(a->contact, REPORT_MAX_FIELD))
        return "Your contact details must be 200 characters or fewer";
    *field = "details";
    if (too_long(a->details, REPORT_MAX_DETAILS)) {
        snprintf(msg, msgn, "Tell us what happened in %d characters or fewer", REPORT_MAX_DETAILS);
        return msg;
    }
    *field = "eml";
    if (f && f->size > REPORT_MAX_EML) {
        snprintf(msg, msgn,
                 "The email file is bigger than %u MB. Forward the email as an attachment to %s "
                 "instead",
                 REPORT_MAX_EML >> 20, nz(ww_console_cfg(c)->contacts.phishing_address));
        return msg;
    }
    return NULL;
}

static int h_report(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    answers_t a = {
        .what = ww_web_form(req, "what"),
        .did = ww_web_form(req, "did"),
        .device = ww_web_form(req, "device"),
        .name = ww_web_form(req, "name"),
        .contact = ww_web_form(req, "contact"),
        .details = ww_web_form(req, "details"),
    };
    ww_web_file_t *f = upload_of(req);
    char msg[300];
    const char *field;
    const char *err = validate(c, &a, f, &field, msg, sizeof msg);
    if (err)
        return report_form(c, req, resp, &a, err, field, 400);
    int lim = rate_take(nz(req->peer), (int64_t)time(NULL));
    if (lim)
        return limited_page(c, req, resp, lim);
    const choice_t *what = choice_find(whats, WW_ARRAY_LEN(whats), a.what);
    const choice_t *did = choice_find(dids, WW_ARRAY_LEN(dids), a.did);
    stored_t done;
    ww_diag_t diag = {0};
    if (store_report(c, req, &a, what, did, f, &done, &diag) != 0)
        return ww_console_fail(c, req, resp, &diag);
    char loc[200];
    snprintf(loc, sizeof loc, "/report/thanks?ref=%.8s&what=%s&did=%s", done.id + 16, what->key,
             did ? did->key : "");
    return ww_web_resp_redirect(resp, loc);
}

/* POST /api/v1/reports: the same report as JSON, for a kiosk or an intranet page
   (no file: an email is uploaded with the form). */
static int h_api_report(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_buf_t *b = &resp->body;
    if (ww_web_json_type(req, 0) != 'o')
        return ww_web_resp_error(req, resp, 400, "the body must be a JSON object");
    static const char *const keys[] = {"what", "did", "device", "name", "contact", "details"};
    const char *v[6] = {0};
    for (size_t i = 0; i < 6; i++) {
        uint32_t m = ww_web_json_member(req, 0, keys[i]);
        if (!m)
            continue;
        int t = ww_web_json_type(req, m);
        if (t == 'z')
            continue;
        size_t n;
        if (t != 's' || !(v[i] = ww_web_json_str(req, m, &n)) || strlen(v[i]) != n) {
            char why[80];
            snprintf(why, sizeof why, "%s must be a string (without NUL)", keys[i]);
            return ww_web_resp_error(req, resp, 400, why);
        }
    }
    answers_t a = {v[0], v[1], v[2], v[3], v[4], v[5]};
    char msg[300];
    const char *field;
    const char *err = validate(c, &a, NULL, &field, msg, sizeof msg);
    if (err) {
        ww_console_json(resp, 400);
        ww_buf_puts(b, "{\"error\":");
        ww_buf_json_str(b, err, strlen(err));
        ww_buf_puts(b, ",\"field\":");
        ww_buf_json_str(b, field, strlen(field));
        ww_buf_puts(b, "}\n");
        return 0;
    }
    int lim = rate_take(nz(req->peer), (int64_t)time(NULL));
    if (lim) {
        ww_console_json(resp, 429);
        ww_web_resp_header(resp, "Retry-After", "3600");
        ww_buf_puts(b, lim == 1 ? "{\"error\":\"too many reports from this address; try again "
                                  "in an hour or call the service desk\",\"advice\":"
                                : "{\"error\":\"too many reports at the moment; try again in an "
                                  "hour or call the service desk\",\"advice\":");
        advice_json(b, &ww_console_cfg(c)->contacts, NULL, NULL);
        ww_buf_puts(b, "}\n");
        return 0;
    }
    const choice_t *what = choice_find(whats, WW_ARRAY_LEN(whats), a.what);
    const choice_t *did = choice_find(dids, WW_ARRAY_LEN(dids), a.did);
    stored_t done;
    ww_diag_t diag = {0};
    if (store_report(c, req, &a, what, did, NULL, &done, &diag) != 0)
        return ww_console_fail(c, req, resp, &diag);
    ww_console_json(resp, 201);
    ww_buf_printf(b, "{\"id\":\"%s\",\"reference\":\"%.8s\",\"level\":\"%s\",\"advice\":", done.id,
                  done.id + 16, ww_level_name(done.level));
    advice_json(b, &ww_console_cfg(c)->contacts, what->key, did ? did->key : NULL);
    ww_buf_puts(b, "}\n");
    return 0;
}

/* ---- the reported email, for analysts ----------------------------------------------------- */

typedef struct find {
    const char *id;
    char sha[65];
    bool found;
} find_t;

static int find_fn(void *ud, const ww_alert_t *a)
{
    find_t *f = ud;
    if (strcmp(a->id, f->id))
        return 0;
    f->found = true;
    /* Our own key: a quote inside any string value is escaped, so the first
       occurrence of the key with its quotes is the key. */
    const char *k = strstr(nz(a->event_json), "\"email_sha256\":\"");
    if (k) {
        k += 16;
        size_t n = strspn(k, "0123456789abcdef");
        if (n == 64)
            memcpy(f->sha, k, 64), f->sha[64] = 0;
    }
    return 1;
}

/* Finds report id (its first 16 hex digits are its time in seconds).  1 found, 0 not,
   or WW_E*. */
static int find_report(ww_store_t *st, const char *id, find_t *f, ww_diag_t *diag)
{
    memset(f, 0, sizeof *f);
    f->id = id;
    if (strlen(id) != WW_ALERT_ID_LEN || strspn(id, "0123456789abcdef") != WW_ALERT_ID_LEN)
        return 0;
    char hex[17];
    memcpy(hex, id, 16);
    hex[16] = 0;
    int64_t s = (int64_t)strtoull(hex, NULL, 16);
    if (s <= 0 || s > INT64_MAX / NS - 10)
        return 0;
    ww_alert_query_t q = {.since = (s - 1) * NS, .until = (s + 2) * NS, .rule = RULE_ID};
    int rc = ww_alerts_query(st, &q, find_fn, f, diag);
    if (rc < 0)
        return rc;
    return f->found ? 1 : 0;
}

/* Loads the email a report kept: 0 with *m (NULL when it has none or it cannot be
   read as an email; *why says so), or WW_E*. */
static int load_email(ww_console_t *c, const find_t *f, ww_eml_t **m, char *why, size_t whyn)
{
    *m = NULL;
    if (!f->sha[0]) {
        snprintf(why, whyn, "This report has no email attached.");
        return 0;
    }
    char dir[1024], path[1200];
    const char *sd = ww_console_cfg(c)->state_dir;
    snprintf(dir, sizeof dir, "%s/reports", sd && *sd ? sd : ".");
    snprintf(path, sizeof path, "%s/%s.eml", dir, f->sha);
    char *raw = NULL;
    size_t n = 0;
    int rc = ww_read_file(path, REPORT_MAX_EML, &raw, &n);
    if (rc) {
        snprintf(why, whyn, "The email file kept for this report (%s.eml) cannot be read.", f->sha);
        return 0;
    }
    ww_diag_t d = {0};
    rc = ww_eml_parse(raw, n, NULL, m, &d);
    free(raw);
    if (rc == WW_ENOMEM)
        return rc;
    if (rc < 0)
        snprintf(why, whyn, "The file is not an email: line %u: %s", d.line, d.msg);
    return 0;
}

static void row(ww_buf_t *b, const char *key, const char *value)
{
    ww_buf_puts(b,
                "<div class=\"nhsuk-summary-list__row\">\n<dt class=\"nhsuk-summary-list__key\">");
    ww_html_textz(b, key);
    ww_buf_puts(b, "</dt>\n<dd class=\"nhsuk-summary-list__value ww-value\">");
    ww_html_text(b, nz(value), strlen(nz(value)), 2000);
    ww_buf_puts(b, "</dd>\n</div>\n");
}

static void verdict_tag(ww_buf_t *b, const char *name, const char *v)
{
    const char *colour = !*v                                            ? "grey"
                         : !strcmp(v, "pass")                           ? "green"
                         : !strcmp(v, "fail") || !strcmp(v, "softfail") ? "red"
                                                                        : "yellow";
    ww_buf_printf(b, "<strong class=\"nhsuk-tag nhsuk-tag--%s\">", colour);
    ww_html_textz(b, name);
    ww_buf_puts(b, " ");
    ww_html_textz(b, *v ? v : "not stated");
    ww_buf_puts(b, "</strong> ");
}

static void th(ww_buf_t *b, const char *const *cols, size_t n)
{
    ww_buf_puts(b, "<thead class=\"nhsuk-table__head\"><tr class=\"nhsuk-table__row\">");
    for (size_t i = 0; i < n; i++) {
        ww_buf_puts(b, "<th class=\"nhsuk-table__header\" scope=\"col\">");
        ww_html_textz(b, cols[i]);
        ww_buf_puts(b, "</th>");
    }
    ww_buf_puts(b, "</tr></thead>\n<tbody class=\"nhsuk-table__body\">\n");
}

static void td(ww_buf_t *b, const char *v, size_t max)
{
    ww_buf_puts(b, "<td class=\"nhsuk-table__cell ww-value\">");
    ww_html_text(b, nz(v), strlen(nz(v)), max);
    ww_buf_puts(b, "</td>");
}

static void email_html(ww_buf_t *b, const ww_eml_t *m, const seen_t *s)
{
    ww_buf_puts(b, "<h2>Headers</h2>\n<dl class=\"nhsuk-summary-list\">\n");
    row(b, "Subject", m->subject);
    char from[1024];
    snprintf(from, sizeof from, "%s%s%s%s", m->from_name, *m->from_name ? " <" : "", m->from_addr,
             *m->from_name ? ">" : "");
    row(b, "From", *m->from_addr ? from : m->from);
    row(b, "Sender domain", m->from_domain);
    if (*m->reply_to) {
        bool differs = *m->reply_to_domain && strcasecmp(m->reply_to_domain, m->from_domain);
        ww_buf_puts(
            b, "<div class=\"nhsuk-summary-list__row\">\n<dt class=\"nhsuk-summary-list__key\">"
               "Reply-To</dt>\n<dd class=\"nhsuk-summary-list__value ww-value\">");
        ww_html_text(b, m->reply_to, strlen(m->reply_to), 2000);
        if (differs)
            ww_buf_puts(b, " <strong class=\"nhsuk-tag nhsuk-tag--red\">another domain than "
                           "the sender</strong>");
        ww_buf_puts(b, "</dd>\n</div>\n");
    }
    row(b, "Return-Path", m->return_path);
    row(b, "To", m->to);
    if (*m->cc)
        row(b, "Cc", m->cc);
    row(b, "Date", m->date);
    row(b, "Message-ID", m->message_id);
    ww_buf_puts(b, "<div class=\"nhsuk-summary-list__row\">\n<dt class=\"nhsuk-summary-list__key\">"
                   "Authentication (as stated by the receiving server)</dt>\n"
                   "<dd class=\"nhsuk-summary-list__value\">");
    verdict_tag(b, "SPF", m->spf);
    verdict_tag(b, "DKIM", m->dkim);
    verdict_tag(b, "DMARC", m->dmarc);
    if (*m->dkim_domain) {
        ww_buf_puts(b, "<br>DKIM signed by <span class=\"ww-value\">");
        ww_html_textz(b, m->dkim_domain);
        ww_buf_puts(b, "</span>");
    }
    ww_buf_puts(b, "</dd>\n</div>\n</dl>\n");

    ww_buf_printf(b, "<h2>Received chain (%u hops, newest first)</h2>\n", m->nreceived);
    if (m->nreceived) {
        static const char *const cols[] = {"Hop", "From", "Address", "By"};
        ww_buf_puts(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                       "nhsuk-u-visually-hidden\">Servers the email passed through</caption>\n");
        th(b, cols, 4);
        for (uint32_t i = 0; i < m->nreceived; i++) {
            char hop[16];
            snprintf(hop, sizeof hop, "%u", i + 1);
            ww_buf_puts(b, "<tr class=\"nhsuk-table__row\">");
            td(b, hop, 0);
            td(b, m->received[i].from, 200);
            td(b, m->received[i].ip, 80);
            td(b, m->received[i].by, 200);
            ww_buf_puts(b, "</tr>\n");
        }
        ww_buf_puts(b, "</tbody>\n</table>\n");
    }

    ww_buf_printf(b, "<h2>Links (%u)</h2>\n", m->nlinks);
    if (m->nlinks) {
        ww_buf_puts(b, "<p>The real targets are shown as text: they are not links.</p>\n");
        static const char *const cols[] = {"Text shown", "Real target", "Host", "Warning"};
        ww_buf_puts(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                       "nhsuk-u-visually-hidden\">Links in the email</caption>\n");
        th(b, cols, 4);
        for (uint32_t i = 0; i < m->nlinks; i++) {
            const ww_eml_link_t *l = &m->links[i];
            ww_buf_puts(b, "<tr class=\"nhsuk-table__row\">");
            td(b,
               l->form   ? "(a form sends typed details here)"
               : l->text ? l->text
                         : "(the "
                           "address "
                           "itself)",
               200);
            ww_buf_puts(b, "<td class=\"nhsuk-table__cell ww-value\"><code>");
            ww_html_text(b, l->url, strlen(l->url), 500);
            ww_buf_puts(b, "</code></td>");
            td(b, l->host, 200);
            ww_buf_puts(b, "<td class=\"nhsuk-table__cell\">");
            if (l->mismatch) {
                ww_buf_puts(b, "<strong class=\"nhsuk-tag nhsuk-tag--red\">text shows ");
                ww_html_textz(b, l->shown_host);
                ww_buf_puts(b, ", goes elsewhere</strong>");
            }
            if (l->form)
                ww_buf_puts(b, "<strong class=\"nhsuk-tag nhsuk-tag--orange\">form</strong>");
            ww_buf_puts(b, "</td></tr>\n");
        }
        ww_buf_puts(b, "</tbody>\n</table>\n");
    }

    ww_buf_printf(b, "<h2>Attachments (%u)</h2>\n", m->nattachments);
    if (m->nattachments) {
        static const char *const cols[] = {"Name", "Type", "Size (bytes)", "Hashes"};
        ww_buf_puts(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                       "nhsuk-u-visually-hidden\">Attachments in the email</caption>\n");
        th(b, cols, 4);
        for (uint32_t i = 0; i < m->nattachments; i++) {
            const ww_eml_attachment_t *a = &m->attachments[i];
            char size[32];
            snprintf(size, sizeof size, "%llu", (unsigned long long)a->size);
            ww_buf_puts(b, "<tr class=\"nhsuk-table__row\">");
            td(b, *a->filename ? a->filename : "(no name)", 200);
            td(b, a->content_type, 100);
            td(b, size, 0);
            ww_buf_printf(b,
                          "<td class=\"nhsuk-table__cell ww-value\">SHA-256 <code>%s</code>"
                          "<br>SHA-1 <code>%s</code><br>MD5 <code>%s</code></td></tr>\n",
                          a->sha256, a->sha1, a->md5);
        }
        ww_buf_puts(b, "</tbody>\n</table>\n");
    }

    ww_buf_puts(b, "<h2>Seen in other alerts</h2>\n");
    uint32_t hits = 0;
    for (uint32_t i = 0; s && i < s->n; i++)
        hits += s->ind[i].total > 0;
    if (!hits) {
        ww_buf_printf(b,
                      "<p>None of its sender, link hosts or attachment hashes appear in the "
                      "alerts of the last %d days.</p>\n",
                      SEEN_DAYS);
    } else {
        static const char *const cols[] = {"Indicator", "Value", "Alerts"};
        ww_buf_puts(b, "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
                       "nhsuk-u-visually-hidden\">Indicators found in stored alerts</caption>\n");
        th(b, cols, 3);
        for (uint32_t i = 0; i < s->n; i++) {
            const indicator_t *in = &s->ind[i];
            if (!in->total)
                continue;
            ww_buf_puts(b, "<tr class=\"nhsuk-table__row\">");
            td(b, in->kind, 0);
            td(b, in->value, 200);
            ww_buf_printf(b, "<td class=\"nhsuk-table__cell ww-value\">%u: ", in->total);
            for (uint32_t k = 0; k < in->nalerts; k++) {
                ww_buf_puts(b, k ? "<br>" : "");
                ww_html_textz(b, in->titles[k]);
                ww_buf_puts(b, " (<code>");
                ww_html_textz(b, in->ids[k]);
                ww_buf_puts(b, "</code>)");
            }
            ww_buf_puts(b, "</td></tr>\n");
        }
        ww_buf_puts(b, "</tbody>\n</table>\n");
    }

    if (*m->text) {
        ww_buf_puts(b, "<h2>The start of its text</h2>\n<pre class=\"ww-value\">");
        ww_html_textz(b, m->text);
        ww_buf_puts(b, "</pre>\n");
    }
    if (m->nproblems) {
        ww_buf_puts(b, "<h2>Problems reading it</h2>\n<ul>\n");
        for (uint32_t i = 0; i < m->nproblems; i++) {
            ww_buf_printf(b, "<li>line %u: ", m->problems[i].line);
            ww_html_textz(b, m->problems[i].msg);
            ww_buf_puts(b, "</li>\n");
        }
        ww_buf_puts(b, "</ul>\n");
    }
}

static int email_common(ww_web_req_t *req, ww_web_resp_t *resp, ww_console_t *c, bool json)
{
    ww_diag_t diag = {0};
    ww_console_db_t *db;
    ww_eml_t *m = NULL;
    seen_t seen = {0};
    find_t f;
    char why[400] = "";
    int rc = ww_console_db(c, &db, &diag);
    if (rc)
        goto out;
    const char *id = nz(ww_web_param(req, "id"));
    rc = find_report(db->st, id, &f, &diag);
    if (rc < 0)
        goto out;
    if (rc == 0) {
        rc = 0;
        ww_web_resp_error(req, resp, 404, "There is no staff report with this id.");
        goto out;
    }
    if ((rc = load_email(c, &f, &m, why, sizeof why)) != 0)
        goto out;
    if (m) {
        seen.self = id;
        seen_from_eml(&seen, m);
        if ((rc = seen_search(db->st, &seen, &diag)) != 0)
            goto out;
    }
    ww_buf_t *b = &resp->body;
    if (json) {
        ww_console_json(resp, 200);
        ww_buf_puts(b, "{\"report\":");
        ww_buf_json_str(b, id, strlen(id));
        ww_buf_puts(b, ",\"email_sha256\":");
        ww_buf_json_str(b, f.sha, strlen(f.sha));
        if (m) {
            ww_buf_puts(b, ",\"email\":");
            ww_eml_json(m, b);
            ww_buf_puts(b, ",\"seen_in_alerts\":");
            seen_json(&seen, b);
        } else {
            ww_buf_puts(b, ",\"email\":null,\"why\":");
            ww_buf_json_str(b, why, strlen(why));
        }
        ww_buf_puts(b, "}\n");
        goto out;
    }
    ww_console_page_begin(c, req, resp, "Reported email", "/alerts");
    ww_buf_puts(b, "<span class=\"nhsuk-caption-l\">Staff report <code>");
    ww_html_textz(b, id);
    ww_buf_puts(b, "</code></span>\n<h1>Reported email</h1>\n");
    if (!m) {
        para(b, why);
    } else {
        ww_buf_puts(b, "<p>Stored as <code>reports/");
        ww_html_textz(b, f.sha);
        ww_buf_puts(b, ".eml</code>. Nothing in it has been opened or followed.</p>\n");
        email_html(b, m, &seen);
    }
    ww_console_page_end(resp);
out:
    seen_release(&seen);
    ww_eml_free(m);
    if (rc)
        return ww_console_fail(c, req, resp, &diag);
    return 0;
}

static int h_report_email(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return email_common(req, resp, ud, false);
}

static int h_api_report_email(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    return email_common(req, resp, ud, true);
}

/* ---- /help ----------------------------------------------------------------------------------- */

static void help_nav(ww_buf_t *b)
{
    ww_buf_puts(b, "<h2>More advice</h2>\n<ul class=\"nhsuk-list\">\n"
                   "<li><a href=\"/help/passphrase\">Make a strong password from three random "
                   "words</a></li>\n"
                   "<li><a href=\"/help/restart\">Restart your computer at least once a week</a>"
                   "</li>\n"
                   "<li><a href=\"/help/reporting\">Report anything odd, quickly</a></li>\n"
                   "<li><a href=\"/report\">Report a cyber security concern</a></li>\n</ul>\n");
}

static int h_help(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_console_page_begin(c, req, resp, "Staying safe online at work", "/help");
    ww_buf_t *b = &resp->body;
    h1(b, "Staying safe online at work");
    ww_buf_puts(b, "<p class=\"nhsuk-body-l\">Three habits protect you, your patients and the "
                   "hospital.</p>\n");
    ww_buf_puts(b, "<h2><a href=\"/help/passphrase\">Use three random words as your "
                   "password</a></h2>\n");
    para(b, "Three random words make a password that is long, hard to guess and easy to "
            "remember. Use a different one for every account, and never reuse your work "
            "password anywhere else.");
    ww_buf_puts(b, "<h2><a href=\"/help/restart\">Restart your computer at least once a "
                   "week</a></h2>\n");
    para(b, "Updates that fix security problems only start working after a restart.");
    ww_buf_puts(b, "<h2><a href=\"/help/reporting\">Report anything odd, quickly</a></h2>\n");
    para(b, "If you think you clicked something you should not have, or your computer or email "
            "is acting strangely, tell the IT team straight away. You will not be blamed.");
    ww_buf_puts(b, "<a class=\"nhsuk-button\" href=\"/report\">Report a concern</a>\n");
    return ww_console_page_end(resp);
}

static int h_help_restart(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    ww_console_page_begin(c, req, resp, "Restart your computer at least once a week", "/help");
    ww_buf_t *b = &resp->body;
    h1(b, "Restart your computer at least once a week");
    para(b, "Your computer gets security updates in the background. Most of them only start "
            "working after it restarts. A computer that is never restarted stays open to "
            "attacks that were fixed weeks ago.");
    ww_buf_puts(b, "<h2>What to do</h2>\n<ul>\n<li>Restart, do not just lock or log off, at "
                   "least once a week. The end of a shift is a good time.</li>\n"
                   "<li>If the computer asks to restart for updates, let it, as soon as it is "
                   "safe for patient care.</li>\n<li>If a shared computer on your ward is "
                   "never restarted, tell the service desk.</li>\n</ul>\n");
    ww_buf_puts(b, "<div class=\"nhsuk-inset-text\">\n<span class=\"nhsuk-u-visually-hidden\">"
                   "Information: </span>\n<p>Do not restart a computer you have reported as "
                   "acting strangely. Leave it on and unplug its network cable.</p>\n</div>\n");
    help_nav(b);
    return ww_console_page_end(resp);
}

static int h_help_reporting(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    const ww_console_contacts_t *k = &ww_console_cfg(c)->contacts;
    ww_console_page_begin(c, req, resp, "Report anything odd, quickly", "/help");
    ww_buf_t *b = &resp->body;
    h1(b, "Report anything odd, quickly");
    para(b, "Most attacks start with an email. Anyone can be caught out. What matters is "
            "telling us quickly, so we can stop it spreading to other computers and other "
            "wards. You will not be blamed.");
    ww_buf_puts(b, "<h2>Report it if</h2>\n<ul>\n<li>you clicked a link or opened an attachment "
                   "that you are now unsure about</li>\n<li>you typed your password into a page "
                   "you reached from an email</li>\n<li>your computer is slow, shows strange "
                   "messages, or files have changed their names</li>\n<li>you lost a laptop, "
                   "phone, tablet or memory stick</li>\n</ul>\n");
    ww_buf_puts(b, "<h2>How to report</h2>\n<ul>\n<li>Use the <a href=\"/report\">report a "
                   "concern form</a>: it gives you advice straight away.</li>\n<li>Or call ");
    ww_buf_puts(b, "<strong>");
    ww_html_textz(b, nz(k->service_desk));
    ww_buf_puts(b, "</strong>.</li>\n<li>Forward suspicious emails as an attachment to <strong>");
    ww_html_textz(b, nz(k->phishing_address));
    ww_buf_puts(b, "</strong>.</li>\n</ul>\n");
    help_nav(b);
    return ww_console_page_end(resp);
}

static int h_help_passphrase(ww_web_req_t *req, ww_web_resp_t *resp, void *ud)
{
    ww_console_t *c = ud;
    bool ready = wl_ready();
    const char *wq = ww_web_query(req, "words");
    uint32_t nw = wq && !strcmp(wq, "4") ? 4 : 3;
    ww_console_page_begin(c, req, resp, "Make a strong password from three random words", "/help");
    ww_buf_t *b = &resp->body;
    h1(b, "Make a strong password from three random words");
    para(b, "Three random words together make a password that is long enough to be hard to "
            "crack, and easy for you to remember.");
    ww_buf_puts(b, "<ul>\n<li>Pick words at random, not a phrase or song lyric, and not names of "
                   "family, pets or teams.</li>\n<li>Use a different password for every "
                   "account. Never reuse your work password anywhere else.</li>\n<li>You can "
                   "add numbers or symbols if a system asks for them.</li>\n<li>Never tell "
                   "anyone your password, even IT staff. We will never ask for it.</li>\n</ul>\n");
    ww_buf_puts(b, "<h2>Some random words to start from</h2>\n");
    if (sodium_init() < 0 || !ready) {
        ww_buf_puts(b, "<div class=\"nhsuk-warning-callout\">\n<h3 class=\"nhsuk-warning-callout__"
                       "label\"><span role=\"text\"><span class=\"nhsuk-u-visually-hidden\">"
                       "Important: </span>The word generator is not available</span></h3>\n<p>");
        ww_html_textz(b, "The list of words it uses is not installed on this server, so it cannot "
                         "suggest words. Your IT team can install it (the wbritish package). "
                         "You can still choose three random words yourself.");
        ww_buf_puts(b, "</p>\n</div>\n");
    } else {
        /* randombytes_uniform: uniform over the list, from the system's CSPRNG. */
        ww_buf_puts(b, "<p class=\"nhsuk-body-l\"><strong class=\"ww-passphrase\" "
                       "id=\"passphrase\">");
        for (uint32_t i = 0; i < nw; i++) {
            const char *w = wl.words[randombytes_uniform(wl.n)];
            if (i)
                ww_buf_puts(b, " ");
            ww_html_textz(b, w);
        }
        ww_buf_puts(b, "</strong></p>\n");
        ww_buf_printf(b,
                      "<p>These words were picked at random from %u words just for you, and are "
                      "not stored. Put them together, with or without spaces. You can swap a "
                      "word you do not like for another random one.</p>\n",
                      wl.n);
        ww_buf_printf(b,
                      "<form method=\"get\" action=\"/help/passphrase\">\n<input type=\"hidden\" "
                      "name=\"words\" value=\"%u\">\n<button class=\"nhsuk-button "
                      "nhsuk-button--secondary\" type=\"submit\">Show me other words</button>\n"
                      "</form>\n",
                      nw);
        ww_buf_printf(b,
                      "<p><a href=\"/help/passphrase?words=%u\">Show me %s words instead</a></p>\n",
                      nw == 3 ? 4 : 3, nw == 3 ? "four" : "three");
    }
    help_nav(b);
    return ww_console_page_end(resp);
}

/* ---- routes ------------------------------------------------------------------------------------
 */

static const ww_web_route_t routes[] = {
    {"GET", "/report", WW_WEB_ANON, false, h_report_form, NULL},
    {"POST", "/report", WW_WEB_ANON, true, h_report, NULL},
    {"POST", "/api/v1/reports", WW_WEB_ANON, true, h_api_report, NULL},
    {"GET", "/report/thanks", WW_WEB_ANON, false, h_report_thanks, NULL},
    {"GET", "/help", WW_WEB_ANON, false, h_help, NULL},
    {"GET", "/help/passphrase", WW_WEB_ANON, false, h_help_passphrase, NULL},
    {"GET", "/help/restart", WW_WEB_ANON, false, h_help_restart, NULL},
    {"GET", "/help/reporting", WW_WEB_ANON, false, h_help_reporting, NULL},
    {"GET", "/reports/{id}/email", WW_WEB_ANALYST, false, h_report_email, NULL},
    {"GET", "/api/v1/reports/{id}/email", WW_WEB_ANALYST, false, h_api_report_email, NULL},
};

uint32_t ww_console_report_routes(const ww_web_route_t **out)
{
    *out = routes;
    return WW_ARRAY_LEN(routes);
}
