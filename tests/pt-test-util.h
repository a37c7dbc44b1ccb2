/* pt-test-util.h: building host roots from fixture listings for the tests. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Builds tests/fixtures/hosts/NAME.host into a new temporary directory with
 * tests/fixtures/mkhost.py and returns that directory (the host root). */
char *pt_test_build_host  (const char *name);
/* Builds a host from listing text given inline. */
char *pt_test_build_host_from_text (const char *listing);
/* Removes a tree made by the two functions above. */
void  pt_test_remove_tree (const char *path);
/* Path of a file in the source tree's tests/fixtures directory. */
char *pt_test_fixture_path (const char *relative);

G_END_DECLS
