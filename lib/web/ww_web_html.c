/* Writing HTML safely: text, attribute and URL escaping that turns any value -- script
 * tags, attribute breakers, invalid UTF-8, control bytes, megabytes of it -- into
 * visible text, and the base page layout on the NHS design system's classes (header
 * with the service name, skip link, main landmark, footer), which works without
 * JavaScript. */
#include <stdio.h>
#include <string.h>

#include "web/ww_web_int.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD, shown where a byte could not be */

/* Escapes for text and for quoted attributes alike: quoting both quote characters
   means one function is safe in either context. */
static int put_escaped(ww_buf_t *b, const char *p, size_t n, size_t max)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, run = 0;
    while (i < n) {
        if (max && i >= max) {
            ww_buf_append(b, p + run, i - run);
            run = i = n;
            ww_buf_puts(b, "\xE2\x80\xA6"); /* … */
            break;
        }
        unsigned char c = s[i];
        const char *rep = NULL;
        size_t adv = 1;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '`': rep = "&#96;"; break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
                rep = REPLACEMENT;
            } else if (c >= 0x80) {
                size_t l = ww__web_utf8_len(s + i, n - i);
                if (!l)
                    rep = REPLACEMENT;
                else
                    adv = l;
            }
        }
        if (rep) {
            ww_buf_append(b, p + run, i - run);
            ww_buf_puts(b, rep);
            i += 1;
            run = i;
        } else {
            i += adv;
        }
    }
    if (run < n)
        ww_buf_append(b, p + run, n - run);
    return b->err;
}

int ww_html_text(ww_buf_t *b, const char *p, size_t n, size_t max)
{
    return put_escaped(b, p, n, max);
}

int ww_html_attr(ww_buf_t *b, const char *p, size_t n)
{
    return put_escaped(b, p, n, 0);
}

/* Is p[0..n) a URL we let the browser follow? */
static bool url_allowed(const char *p, size_t n)
{
    if (n == 0 || p[0] == ' ' || p[n - 1] == ' ')
        return false; /* browsers strip outer spaces before they read the scheme */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            return false; /* browsers drop tabs and newlines anywhere ("java\tscript:") */
    }
    if (p[0] == '/')
        return n == 1 || p[1] != '/'; /* "//host" leaves the site */
    /* A scheme is letters, digits, + - . before the first ':' (that comes before any
       '/', '?' or '#'); without one the URL is relative. */
    size_t i = 0;
    while (i < n && p[i] != ':' && p[i] != '/' && p[i] != '?' && p[i] != '#')
        i++;
    if (i == n || p[i] != ':')
        return true;
    ww_str_t scheme = {p, i};
    return ww_str_ieq_z(scheme, "https") || ww_str_ieq_z(scheme, "http") ||
           ww_str_ieq_z(scheme, "mailto");
}

int ww_html_url(ww_buf_t *b, const char *p, size_t n)
{
    if (!url_allowed(p, n))
        return ww_buf_putc(b, '#');
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80 || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == ' ') {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            ww_buf_append(b, e, 3);
        } else if (c == '&') {
            ww_buf_puts(b, "&amp;");
        } else {
            ww_buf_putc(b, (char)c);
        }
    }
    return b->err;
}

/* ---- the layout ------------------------------------------------------------------ */

int ww_web_page_begin(ww_buf_t *b, const ww_web_page_t *pg)
{
    ww_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en-GB\" class=\"nhsuk-template\">\n<head>\n"
                   "<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>");
    ww_html_textz(b, pg && pg->title ? pg->title : "wardwatch");
    ww_buf_puts(b,
                " \xE2\x80\x93 wardwatch</title>\n"
                "<link rel=\"stylesheet\" href=\"/assets/nhsuk-frontend/nhsuk-frontend.min.css\">\n"
                "<link rel=\"stylesheet\" href=\"/assets/wardwatch.css\">\n"
                "<link rel=\"icon\" href=\"/assets/nhsuk-frontend/images/favicon.svg\" "
                "type=\"image/svg+xml\">\n"
                "</head>\n<body class=\"nhsuk-template__body\">\n"
                "<a class=\"nhsuk-skip-link\" href=\"#maincontent\">Skip to main content</a>\n"
                "<header class=\"nhsuk-header\" role=\"banner\">\n"
                "<div class=\"nhsuk-header__container nhsuk-width-container\">\n"
                "<div class=\"nhsuk-header__service\">\n"
                "<a class=\"nhsuk-header__service-logo\" href=\"/\">"
                "<span class=\"nhsuk-header__service-name\">wardwatch</span></a>\n"
                "</div>\n");
    if (pg && pg->user) {
        /* Sign-out is a POST with the CSRF token: a link would let any page sign the
           user out. */
        ww_buf_puts(b, "<nav class=\"nhsuk-header__account\" aria-label=\"Account\">\n"
                       "<ul class=\"nhsuk-header__account-list\">\n"
                       "<li class=\"nhsuk-header__account-item\">");
        ww_html_textz(b, pg->user);
        if (pg->role) {
            ww_buf_puts(b, " (");
            ww_html_textz(b, pg->role);
            ww_buf_puts(b, ")");
        }
        ww_buf_puts(b, "</li>\n<li class=\"nhsuk-header__account-item\">"
                       "<form class=\"nhsuk-header__account-form\" method=\"post\" "
                       "action=\"/logout\"><input type=\"hidden\" name=\"" WW_WEB_CSRF_FIELD
                       "\" value=\"");
        ww_html_attr(b, pg->csrf ? pg->csrf : "", pg->csrf ? strlen(pg->csrf) : 0);
        ww_buf_puts(b, "\"><button class=\"nhsuk-header__account-button\" type=\"submit\">"
                       "Sign out</button></form></li>\n</ul>\n</nav>\n");
    }
    ww_buf_puts(b, "</div>\n</header>\n"
                   "<div class=\"nhsuk-width-container\">\n"
                   "<main class=\"nhsuk-main-wrapper\" id=\"maincontent\" role=\"main\">\n");
    return b->err;
}

int ww_web_page_end(ww_buf_t *b)
{
    ww_buf_puts(b,
                "</main>\n</div>\n"
                "<footer class=\"nhsuk-footer\" role=\"contentinfo\">\n"
                "<div class=\"nhsuk-width-container\">\n<div class=\"nhsuk-footer__meta\">\n"
                "<h2 class=\"nhsuk-u-visually-hidden\">Support links</h2>\n"
                "<ul class=\"nhsuk-footer__list\">\n"
                "<li class=\"nhsuk-footer__list-item\"><a class=\"nhsuk-footer__list-item-link\" "
                "href=\"/report\">Report a cyber security concern</a></li>\n"
                "<li class=\"nhsuk-footer__list-item\"><a class=\"nhsuk-footer__list-item-link\" "
                "href=\"/help\">Cyber security advice</a></li>\n"
                "</ul>\n<p class=\"nhsuk-body-s\">wardwatch " WW_VERSION "</p>\n"
                "</div>\n</div>\n</footer>\n"
                "<script type=\"module\" src=\"/assets/wardwatch.js\"></script>\n"
                "</body>\n</html>\n");
    return b->err;
}
