/* Unit tests for the front door's pieces that need no server (the module's .c is
 * included to reach its statics): the rate limit (per address, overall, the window,
 * the table's cap), the advice for every pair of answers, the levels, matching a
 * device's name and the word list's filter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../lib/console/ww_console_report.c"

static void rate_reset(void)
{
    pthread_mutex_lock(&rate.mu);
    rate.nslot = 0;
    rate.all_n = 0;
    rate.all_start = 0;
    pthread_mutex_unlock(&rate.mu);
}

static void test_rate(void **state)
{
    (void)state;
    rate_reset();
    int64_t t = 1000000;
    for (int i = 0; i < RATE_PER_ADDR; i++)
        assert_int_equal(rate_take("10.0.0.1", t + i), 0);
    assert_int_equal(rate_take("10.0.0.1", t + 10), 1); /* this address is over */
    assert_int_equal(rate_take("10.0.0.2", t + 10), 0); /* another is not */
    /* The window passes: the address may report again. */
    assert_int_equal(rate_take("10.0.0.1", t + RATE_WINDOW_S), 0);

    /* Everyone together: RATE_ALL in a window, then nobody. */
    rate_reset();
    char a[32];
    int ok = 0;
    for (int i = 0; i < RATE_ALL + 50; i++) {
        snprintf(a, sizeof a, "10.1.%d.%d", i / 250, i % 250);
        ok += rate_take(a, t) == 0;
    }
    assert_int_equal(ok, RATE_ALL);
    assert_int_equal(rate_take("10.9.9.9", t + 1), 2);
    assert_int_equal(rate_take("10.9.9.9", t + RATE_WINDOW_S + 1), 0);

    /* The table never holds more than RATE_SLOTS addresses; the stalest goes first. */
    rate_reset();
    for (int i = 0; i < RATE_SLOTS + 10; i++) {
        snprintf(a, sizeof a, "10.2.%d.%d", i / 250, i % 250);
        rate_take(a, t + i * 4); /* 4 s apart, so the global window rolls over */
    }
    assert_int_equal(rate.nslot, RATE_SLOTS);
    bool first_kept = false;
    for (uint32_t i = 0; i < rate.nslot; i++)
        first_kept |= !strcmp(rate.slot[i].addr, "10.2.0.0");
    assert_false(first_kept);
    rate_reset();
}

static bool has_step(const advice_t *a, const char *start)
{
    for (uint32_t i = 0; i < a->n; i++)
        if (!strncmp(a->steps[i].fmt, start, strlen(start)))
            return true;
    return false;
}

static void test_advice(void **state)
{
    (void)state;
    ww_console_contacts_t k = {"the desk on 01632 960000", "report@trust.example", "0300 303 5222"};
    advice_t a;
    /* Every pair of answers gets at least one step, each naming its contact. */
    for (size_t w = 0; w < WW_ARRAY_LEN(whats); w++)
        for (size_t d = 0; d <= WW_ARRAY_LEN(dids); d++) {
            advice_for(&a, &k, whats[w].key, d < WW_ARRAY_LEN(dids) ? dids[d].key : NULL);
            assert_true(a.n >= 1 && a.n <= MAX_STEPS);
            for (uint32_t i = 0; i < a.n; i++)
                assert_true(!strstr(a.steps[i].fmt, "%s") || *a.steps[i].arg);
        }
    advice_for(&a, &k, "email", "no");
    assert_false(a.urgent);
    assert_true(has_step(&a, "Do not click any links"));
    assert_true(has_step(&a, "Forward the email as an attachment to %s"));
    assert_false(has_step(&a, "Change your password now."));
    advice_for(&a, &k, "clicked", "password");
    assert_true(a.urgent);
    assert_true(has_step(&a, "Change your password now."));
    assert_true(has_step(&a, "Call %s now and tell them"));
    advice_for(&a, &k, "clicked", "link");
    assert_true(has_step(&a, "If a page asked for your password"));
    advice_for(&a, &k, "email", "attachment");
    assert_true(a.urgent);
    assert_true(has_step(&a, "Unplug its network cable"));
    assert_true(has_step(&a, "Forward the email"));
    assert_false(has_step(&a, "Do not click any links"));
    advice_for(&a, &k, "computer", NULL);
    assert_true(a.urgent);
    assert_true(has_step(&a, "Leave the computer switched on"));
    advice_for(&a, &k, "lost", "no");
    assert_true(has_step(&a, "Call %s now, so they can lock the device"));
    advice_for(&a, &k, NULL, NULL);
    assert_false(a.urgent);
    assert_true(has_step(&a, "You do not need to do anything else"));

    /* The JSON twin: the contacts written in, valid JSON strings. */
    ww_buf_t b;
    ww_buf_init(&b, 0);
    ww_console_contacts_t evil = {"desk \"on\" <b>", "x@y", "0\n1"};
    advice_json(&b, &evil, "lost", NULL);
    assert_non_null(strstr(b.p, "\"urgent\":true,\"steps\":[\"Call desk \\\"on\\\" <b> now"));
    assert_non_null(strstr(b.p, "\"out_of_hours\":\"Out of hours"));
    assert_non_null(strstr(b.p, "on 0\\n1.\"}"));
    /* The page: the contact is escaped. */
    ww_buf_clear(&b);
    advice(&b, &evil, "lost", NULL);
    assert_non_null(strstr(b.p, "<strong>desk &quot;on&quot; &lt;b&gt;</strong>"));
    assert_null(strstr(b.p, "<b>"));
    ww_buf_release(&b);
}

static void test_levels(void **state)
{
    (void)state;
    /* The alert's level is the highest of the two answers'. */
    assert_int_equal(choice_find(whats, WW_ARRAY_LEN(whats), "email")->level, WW_LEVEL_LOW);
    assert_int_equal(choice_find(whats, WW_ARRAY_LEN(whats), "computer")->level, WW_LEVEL_HIGH);
    assert_int_equal(choice_find(dids, WW_ARRAY_LEN(dids), "password")->level, WW_LEVEL_HIGH);
    assert_int_equal(choice_find(dids, WW_ARRAY_LEN(dids), "attachment")->level, WW_LEVEL_HIGH);
    assert_null(choice_find(whats, WW_ARRAY_LEN(whats), "EMAIL"));
    assert_null(choice_find(whats, WW_ARRAY_LEN(whats), NULL));
}

static void test_hosts_and_words(void **state)
{
    (void)state;
    assert_true(same_host("ward7-pc01", "WARD7-PC01"));
    assert_true(same_host("ward7-pc01.trust.nhs.uk", "ward7-pc01"));
    assert_true(same_host("ward7-pc01", "ward7-pc01.trust.nhs.uk"));
    assert_false(same_host("ward7-pc01.a.uk", "ward7-pc01.b.uk"));
    assert_false(same_host("ward7-pc011", "ward7-pc01"));
    assert_false(same_host("", "x"));
    assert_true(word_ok("kettle", 6));
    assert_false(word_ok("Kettle", 6));
    assert_false(word_ok("cat", 3));
    assert_false(word_ok("kettledrum", 10));
    assert_false(word_ok("it's", 4));
    assert_false(word_ok("deadly", 6)); /* holds an unkind word */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_advice),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_hosts_and_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
