/* The pieces of a console form that every module writes alike (see ww_console.h): the
 * error summary at the top, a form row (group, label, hint, error message) and a
 * labelled input in the NHS design system's markup, and the store a handler opens or
 * answers 500.  One copy, so a fix to escaping or to an aria attribute reaches every
 * page at once.  Every value from a request or a store is escaped here; ids, names,
 * types and extra attributes are the caller's literals. */
#include <stdio.h>
#include <string.h>

#include "console/ww_console.h"

/* open, the id escaped, mid, the text escaped, close: an element named after a field. */
static void about(ww_buf_t *b, const char *open, const char *id, const char *mid, const char *text,
                  const char *close)
{
    ww_buf_puts(b, open);
    ww_html_attr(b, id, strlen(id));
    ww_buf_puts(b, mid);
    ww_html_textz(b, text ? text : "");
    ww_buf_puts(b, close);
}

void ww_console_error_summary(ww_buf_t *b, int level, const char *msg, const char *field_id)
{
    level = level == 1 ? 1 : 2;
    ww_buf_printf(b,
                  "<div class=\"nhsuk-error-summary\" aria-labelledby=\"error-summary-title\" "
                  "role=\"alert\" tabindex=\"-1\">\n<h%d class=\"nhsuk-error-summary__title\" "
                  "id=\"error-summary-title\">There is a problem</h%d>\n"
                  "<div class=\"nhsuk-error-summary__body\">\n",
                  level, level);
    if (field_id)
        about(b, "<ul class=\"nhsuk-list nhsuk-error-summary__list\">\n<li><a href=\"#", field_id,
              "\">", msg, "</a></li>\n</ul>\n");
    else
        about(b, "<p>", "", "", msg, "</p>\n");
    ww_buf_puts(b, "</div>\n</div>\n");
}

void ww_console_hint(ww_buf_t *b, const char *id, const char *hint)
{
    about(b, "<div class=\"nhsuk-hint\" id=\"", id, "-hint\">", hint, "</div>\n");
}

void ww_console_error_message(ww_buf_t *b, const char *id, const char *error)
{
    about(b, "<span class=\"nhsuk-error-message\" id=\"", id,
          "-error\"><span class=\"nhsuk-u-visually-hidden\">Error:</span> ", error, "</span>\n");
}

void ww_console_field_begin(ww_buf_t *b, const char *id, const char *label, const char *hint,
                            const char *error)
{
    ww_buf_printf(b, "<div class=\"nhsuk-form-group%s\">\n",
                  error ? " nhsuk-form-group--error" : "");
    about(b, "<label class=\"nhsuk-label\" for=\"", id, "\">", label, "</label>\n");
    if (hint)
        ww_console_hint(b, id, hint);
    if (error)
        ww_console_error_message(b, id, error);
}

void ww_console_described_by(ww_buf_t *b, const char *id, bool hint, bool error)
{
    if (!hint && !error)
        return;
    ww_buf_puts(b, " aria-describedby=\"");
    if (hint) {
        ww_html_attr(b, id, strlen(id));
        ww_buf_puts(b, "-hint");
    }
    if (error) {
        if (hint)
            ww_buf_putc(b, ' ');
        ww_html_attr(b, id, strlen(id));
        ww_buf_puts(b, "-error");
    }
    ww_buf_putc(b, '"');
}

void ww_console_field_end(ww_buf_t *b)
{
    ww_buf_puts(b, "</div>\n");
}

void ww_console_input(ww_buf_t *b, const ww_console_input_t *in)
{
    const char *name = in->name ? in->name : in->id;
    ww_console_field_begin(b, in->id, in->label, in->hint, in->error);
    ww_buf_puts(b, "<input class=\"nhsuk-input");
    if (in->width)
        ww_buf_printf(b, " nhsuk-input--width-%s", in->width);
    if (in->error)
        ww_buf_puts(b, " nhsuk-input--error");
    ww_buf_puts(b, "\" id=\"");
    ww_html_attr(b, in->id, strlen(in->id));
    ww_buf_puts(b, "\" name=\"");
    ww_html_attr(b, name, strlen(name));
    ww_buf_printf(b, "\" type=\"%s\"", in->type ? in->type : "text");
    if (in->autocomplete)
        ww_buf_printf(b, " autocomplete=\"%s\"", in->autocomplete);
    if (in->maxlength > 0)
        ww_buf_printf(b, " maxlength=\"%d\"", in->maxlength);
    ww_console_described_by(b, in->id, in->hint != NULL, in->error != NULL);
    if (in->extra)
        ww_buf_puts(b, in->extra);
    if (in->value) {
        ww_buf_puts(b, " value=\"");
        ww_html_attr(b, in->value, strlen(in->value));
        ww_buf_putc(b, '"');
    }
    ww_buf_puts(b, ">\n");
    ww_console_field_end(b);
}

ww_console_db_t *ww_console_db_or_fail(ww_console_t *c, const ww_web_req_t *req,
                                       ww_web_resp_t *resp)
{
    ww_console_db_t *db;
    ww_diag_t d = {0};
    if (ww_console_db(c, &db, &d) != 0) {
        ww_console_fail(c, req, resp, &d);
        return NULL;
    }
    return db;
}
