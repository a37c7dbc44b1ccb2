/* fuzz-main.c: a fuzz target as a plain test: every file named on the
 * command line (or in a directory named there) goes through
 * LLVMFuzzerTestOneInput() once. Built without libFuzzer. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pt-fuzz.h"

static int
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("%s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  fflush (stdout);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, len);
  return 0;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
run_path (const char *path, guint *n)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;
  int status = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      (*n)++;
      return run_file (path);
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    {
      fprintf (stderr, "cannot read %s\n", path);
      return 1;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    status |= run_path (g_ptr_array_index (names, i), n);
  return status;
}

int
main (int argc, char **argv)
{
  guint n = 0;
  int status = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    status |= run_path (argv[i], &n);
  if (n == 0)
    {
      fprintf (stderr, "no inputs\n");
      return 1;
    }
  printf ("%u inputs\n", n);
  return status;
}
