/* test-address.c: PCI address parsing is the first gate for anything a
 * user or caller types; it must accept lspci's forms and nothing else. */
#include "config.h"

#include "pt-address.h"

static void
test_valid (void)
{
  const struct { const char *in; const char *out; } cases[] = {
    { "01:00.0", "0000:01:00.0" },
    { "0000:01:00.1", "0000:01:00.1" },
    { "0A:1f.7", "0000:0a:1f.7" },
    { "10000:e0:06.0", "10000:e0:06.0" },   /* Intel VMD domain */
    { "ffff:ff:1f.7", "ffff:ff:1f.7" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *s = NULL;
      PtAddress a;

      g_assert_true (pt_address_parse (cases[i].in, &a, &error));
      g_assert_no_error (error);
      s = pt_address_to_string (&a);
      g_assert_cmpstr (s, ==, cases[i].out);
    }
}

static void
test_invalid (void)
{
  const char *cases[] = {
    "", "1:00.0", "01:0.0", "01:00", "01:00.8", "01:20.0", "001:00.0",
    "0000:01:00.0.0", "../../etc/passwd", "01:00.0/../x", "01:00.0 ", " 01:00.0",
    "000:01:00.0", "123456789:01:00.0", "g1:00.0", "0000:01:00.-1", "01:00.0\n",
    "0000::01:00.0", "01.00.0",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      PtAddress a;

      g_assert_false (pt_address_parse (cases[i], &a, &error));
      g_assert_error (error, PT_ERROR, PT_ERROR_INVALID_ADDRESS);
      g_assert_nonnull (strstr (error->message, "01:00.0"));
    }
}

static void
test_compare (void)
{
  PtAddress a, b, c, d;

  g_assert_true (pt_address_parse ("00:1f.0", &a, NULL));
  g_assert_true (pt_address_parse ("01:00.0", &b, NULL));
  g_assert_true (pt_address_parse ("01:00.1", &c, NULL));
  g_assert_true (pt_address_parse ("10000:00:00.0", &d, NULL));
  g_assert_cmpint (pt_address_compare (&a, &b), <, 0);
  g_assert_cmpint (pt_address_compare (&c, &b), >, 0);
  g_assert_cmpint (pt_address_compare (&d, &c), >, 0);
  g_assert_cmpint (pt_address_compare (&b, &b), ==, 0);
  g_assert_true (pt_address_same_slot (&b, &c));
  g_assert_false (pt_address_same_slot (&a, &b));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/address/valid", test_valid);
  g_test_add_func ("/address/invalid", test_invalid);
  g_test_add_func ("/address/compare", test_compare);
  return g_test_run ();
}
