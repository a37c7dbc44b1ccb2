/* pt-test-util.h: building host roots from fixture listings for the tests. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

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

/* A host root's files, links and directories, path -> "file SHA MODE
 * UID:GID" / "link TARGET" / "dir MODE"; the journal under
 * var/lib/passthrough (and var, var/lib made for it) is left out. */
GHashTable *pt_test_tree_new          (const char *root);
/* Paths added, removed or changed between two trees, sorted (owned). */
GPtrArray  *pt_test_tree_diff         (GHashTable *a, GHashTable *b);
/* The same, one path per line, each ending in a newline ("" when equal). */
char       *pt_test_tree_diff_string  (GHashTable *a, GHashTable *b);
#define pt_test_assert_same_tree(a, b) G_STMT_START { \
    g_autofree char *pt_tree_diff_ = pt_test_tree_diff_string ((a), (b)); \
    g_assert_cmpstr (pt_tree_diff_, ==, ""); \
  } G_STMT_END

/* One run of the built passthroughctl ($PASSTHROUGHCTL). */
typedef struct
{
  int    status;   /* exit status */
  char  *out;
  char  *err;
} PtTestRun;

void pt_test_run_clear (PtTestRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PtTestRun, pt_test_run_clear)

/* Runs passthroughctl with @args (NULL-terminated) and, when @env_name is
 * not NULL, that environment variable set to @env_value. */
void pt_test_run_ctl (PtTestRun         *run,
                      const char        *env_name,
                      const char        *env_value,
                      const char *const *args);
#define pt_test_ctl(run, ...) \
  pt_test_run_ctl ((run), NULL, NULL, (const char *const[]) { __VA_ARGS__, NULL })

/* Parses @text, which must be a JSON object. */
JsonObject *pt_test_parse_object (JsonParser *parser, const char *text);

G_END_DECLS
