/* Unit tests for the console's shared form pieces (lib/console/ww_console_form.c):
 * the error summary (a link to the field, or a paragraph; its heading level), a form
 * row's hint and error message with the aria-describedby that names them, and the
 * labelled input's attributes.  Every value a request can carry is escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "console/ww_console.h"

/* b's text, NUL-terminated for strstr. */
static const char *text(ww_buf_t *b)
{
    ww_buf_putc(b, 0);
    b->n--;
    assert_int_equal(b->err, 0);
    return b->p;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_error_summary(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 1 << 16);
    ww_console_error_summary(&b, 2, "Enter a <title> & try", "title");
    const char *s = text(&b);
    assert_non_null(strstr(s, "role=\"alert\""));
    assert_non_null(strstr(s, "aria-labelledby=\"error-summary-title\""));
    assert_non_null(strstr(s, "<h2 class=\"nhsuk-error-summary__title\" "
                              "id=\"error-summary-title\">There is a problem</h2>"));
    assert_non_null(strstr(s, "<a href=\"#title\">Enter a &lt;title&gt; &amp; try</a>"));
    assert_null(strstr(s, "<title>"));

    /* No field: the message as a paragraph; level 1 when it is the page's heading. */
    ww_buf_clear(&b);
    ww_console_error_summary(&b, 1, "bad \"x\"", NULL);
    s = text(&b);
    assert_non_null(strstr(s, "<h1 class=\"nhsuk-error-summary__title\""));
    assert_non_null(strstr(s, "</h1>"));
    assert_non_null(strstr(s, "<p>bad &quot;x&quot;</p>"));
    assert_null(strstr(s, "<a href"));
    /* Any other level is an h2. */
    ww_buf_clear(&b);
    ww_console_error_summary(&b, 7, "m", NULL);
    assert_non_null(strstr(text(&b), "<h2 "));

    /* A field id from a request is an attribute value, escaped. */
    ww_buf_clear(&b);
    ww_console_error_summary(&b, 2, "m", "x\"><script>");
    s = text(&b);
    assert_null(strstr(s, "<script>"));
    assert_non_null(strstr(s, "href=\"#x&quot;&gt;&lt;script&gt;\""));
    ww_buf_release(&b);
}

static void test_described_by(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 4096);
    ww_console_described_by(&b, "host", false, false);
    assert_string_equal(text(&b), "");
    ww_console_described_by(&b, "host", true, false);
    assert_string_equal(text(&b), " aria-describedby=\"host-hint\"");
    ww_buf_clear(&b);
    ww_console_described_by(&b, "host", false, true);
    assert_string_equal(text(&b), " aria-describedby=\"host-error\"");
    ww_buf_clear(&b);
    ww_console_described_by(&b, "host", true, true);
    assert_string_equal(text(&b), " aria-describedby=\"host-hint host-error\"");
    ww_buf_release(&b);
}

static void test_field_row(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 4096);
    ww_console_field_begin(&b, "note", "Add a <note>", "What & why", "Too long");
    ww_console_field_end(&b);
    const char *s = text(&b);
    assert_non_null(strstr(s, "<div class=\"nhsuk-form-group nhsuk-form-group--error\">"));
    assert_non_null(strstr(s, "<label class=\"nhsuk-label\" for=\"note\">Add a &lt;note&gt;"
                              "</label>"));
    assert_non_null(strstr(s, "<div class=\"nhsuk-hint\" id=\"note-hint\">What &amp; why</div>"));
    assert_non_null(strstr(s, "<span class=\"nhsuk-error-message\" id=\"note-error\"><span "
                              "class=\"nhsuk-u-visually-hidden\">Error:</span> Too long</span>"));
    assert_int_equal(count(s, "<div"), count(s, "</div>"));

    /* Neither hint nor error: the label alone, the group unmarked. */
    ww_buf_clear(&b);
    ww_console_field_begin(&b, "q", "Search", NULL, NULL);
    s = text(&b);
    assert_non_null(strstr(s, "<div class=\"nhsuk-form-group\">"));
    assert_null(strstr(s, "nhsuk-hint"));
    assert_null(strstr(s, "nhsuk-error-message"));
    ww_buf_release(&b);
}

static void test_input(void **state)
{
    (void)state;
    ww_buf_t b;
    ww_buf_init(&b, 4096);
    ww_console_input(&b, &(ww_console_input_t){.id = "ca-ref",
                                               .name = "ref",
                                               .label = "Reference",
                                               .hint = "For example CC-4567",
                                               .error = "Enter the reference",
                                               .value = "\"><img src=x>",
                                               .autocomplete = "off",
                                               .width = "20",
                                               .maxlength = 200});
    const char *s = text(&b);
    assert_non_null(strstr(s, "<input class=\"nhsuk-input nhsuk-input--width-20 "
                              "nhsuk-input--error\" id=\"ca-ref\" name=\"ref\" type=\"text\" "
                              "autocomplete=\"off\" maxlength=\"200\" "
                              "aria-describedby=\"ca-ref-hint ca-ref-error\" "
                              "value=\"&quot;&gt;&lt;img src=x&gt;\">"));
    assert_null(strstr(s, "<img"));
    assert_int_equal(count(s, "<div"), count(s, "</div>"));

    /* The defaults: name is the id, type text, no value attribute for NULL, an empty
       one for "", extra attributes as given. */
    ww_buf_clear(&b);
    ww_console_input(&b, &(ww_console_input_t){.id = "totp",
                                               .label = "Code",
                                               .type = "password",
                                               .extra = " inputmode=\"numeric\""});
    s = text(&b);
    assert_non_null(strstr(s, "id=\"totp\" name=\"totp\" type=\"password\" "
                              "inputmode=\"numeric\">"));
    assert_null(strstr(s, "value="));
    assert_null(strstr(s, "aria-describedby"));
    ww_buf_clear(&b);
    ww_console_input(&b, &(ww_console_input_t){.id = "host", .label = "Host", .value = ""});
    assert_non_null(strstr(text(&b), "type=\"text\" value=\"\">"));
    ww_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_summary),
        cmocka_unit_test(test_described_by),
        cmocka_unit_test(test_field_row),
        cmocka_unit_test(test_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
