/* Unit test for ww_str_ieq's eight-bytes-a-step comparison: for every pair of byte
 * values at every position of the first word and the tail, at every length up to 16,
 * it must agree with a byte-at-a-time ASCII case-insensitive comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/ww_util.h"

static bool reference(ww_str_t a, ww_str_t b)
{
    if (a.n != b.n)
        return false;
    for (size_t i = 0; i < a.n; i++)
        if (ww_lower((unsigned char)a.p[i]) != ww_lower((unsigned char)b.p[i]))
            return false;
    return true;
}

static void test_every_byte_pair(void **state)
{
    (void)state;
    char x[16], y[16];
    for (int c1 = 0; c1 < 256; c1++) {
        for (int c2 = 0; c2 < 256; c2++) {
            for (size_t pos = 0; pos < 10; pos++) {
                memset(x, 'q', sizeof x);
                memset(y, 'Q', sizeof y);
                x[pos] = (char)c1;
                y[pos] = (char)c2;
                for (size_t n = pos + 1; n <= 16; n++) {
                    ww_str_t a = {x, n}, b = {y, n};
                    if (ww_str_ieq(a, b) != reference(a, b))
                        fail_msg("bytes 0x%02x/0x%02x at %zu, length %zu", c1, c2, pos, n);
                }
            }
        }
    }
    assert_true(ww_str_ieq(WW_STR("ProcessCommandLine"), WW_STR("processcommandLINE")));
    assert_false(ww_str_ieq(WW_STR("ProcessCommandLine"), WW_STR("ProcessCommandLinf")));
    assert_false(ww_str_ieq(WW_STR("Image@"), WW_STR("Image`"))); /* 0x40 / 0x60 */
    assert_false(ww_str_ieq(WW_STR("Image["), WW_STR("Image{"))); /* 0x5b / 0x7b */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_pair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
