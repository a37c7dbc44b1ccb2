/* pt-host-loader.c: reads a host in a worker thread. Scanning sysfs,
 * config space and the module index is blocking I/O; the window must stay
 * responsive while it runs (700-function servers take tens of ms). */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-host-loader.h"

typedef struct
{
  char  *root;
  GFile *snapshot;
} LoadData;

/* The host the command line names, read while GTK starts up (two cores
 * do both at once); the first window's load takes it instead of reading
 * the host again. */
static struct
{
  GMutex    lock;
  GCond     cond;
  gboolean  started;
  gboolean  done;
  gboolean  taken;
  char     *root;
  char     *snapshot_uri;
  PtHost   *host;
  GError   *error;
} preload;

static PtHost *
load_host (const char    *root,
           GFile         *snapshot,
           GCancellable  *cancellable,
           GError       **error)
{
  if (snapshot != NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_load_contents (snapshot, cancellable, &contents, &length, NULL, error))
        return NULL;
      return pt_host_load_snapshot_data (contents, length, error);
    }

  return pt_host_load (root, PT_HOST_LOAD_DETAILS, error);
}

static gpointer
preload_thread (gpointer data)
{
  g_autoptr(GFile) snapshot = preload.snapshot_uri != NULL ? g_file_new_for_uri (preload.snapshot_uri) : NULL;
  GError *error = NULL;
  PtHost *host = load_host (preload.root, snapshot, NULL, &error);

  g_mutex_lock (&preload.lock);
  preload.host = host;
  preload.error = error;
  preload.done = TRUE;
  g_cond_broadcast (&preload.cond);
  g_mutex_unlock (&preload.lock);
  return NULL;
}

void
pt_host_loader_preload (const char *root,
                        GFile      *snapshot)
{
  g_return_if_fail ((root == NULL) != (snapshot == NULL));

  g_mutex_lock (&preload.lock);
  if (!preload.started)
    {
      preload.started = TRUE;
      preload.root = g_strdup (root);
      preload.snapshot_uri = snapshot != NULL ? g_file_get_uri (snapshot) : NULL;
      g_thread_unref (g_thread_new ("pt-host-preload", preload_thread, NULL));
    }
  g_mutex_unlock (&preload.lock);
}

/* Takes the preloaded host when it is the one asked for and nobody took it
 * yet; waits for it if it is still being read. */
static gboolean
take_preload (LoadData  *ld,
              PtHost   **host,
              GError   **error)
{
  g_autofree char *uri = ld->snapshot != NULL ? g_file_get_uri (ld->snapshot) : NULL;
  gboolean match;

  g_mutex_lock (&preload.lock);
  match = preload.started && !preload.taken &&
          g_strcmp0 (preload.root, ld->root) == 0 &&
          g_strcmp0 (preload.snapshot_uri, uri) == 0;
  if (match)
    {
      while (!preload.done)
        g_cond_wait (&preload.cond, &preload.lock);
      preload.taken = TRUE;
      *host = g_steal_pointer (&preload.host);
      if (preload.error != NULL)
        g_propagate_error (error, g_steal_pointer (&preload.error));
    }
  g_mutex_unlock (&preload.lock);
  return match;
}

static void
load_data_free (gpointer data)
{
  LoadData *ld = data;

  g_free (ld->root);
  g_clear_object (&ld->snapshot);
  g_free (ld);
}

PtHost *
pt_host_loader_take_preloaded (const char *root,
                               GFile      *snapshot)
{
  g_autofree char *uri = snapshot != NULL ? g_file_get_uri (snapshot) : NULL;
  PtHost *host = NULL;

  g_mutex_lock (&preload.lock);
  if (preload.started && preload.done && !preload.taken && preload.host != NULL &&
      g_strcmp0 (preload.root, snapshot != NULL ? NULL : root) == 0 &&
      g_strcmp0 (preload.snapshot_uri, uri) == 0)
    {
      preload.taken = TRUE;
      host = g_steal_pointer (&preload.host);
    }
  g_mutex_unlock (&preload.lock);
  return host;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *ld = task_data;
  g_autoptr(PtHost) host = NULL;
  g_autoptr(GError) error = NULL;

  if (!take_preload (ld, &host, &error))
    host = load_host (ld->root, ld->snapshot, cancellable, &error);

  if (host == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&host), g_object_unref);
}

void
pt_host_loader_load_async (const char          *root,
                           GFile               *snapshot,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *ld;

  g_return_if_fail ((root == NULL) != (snapshot == NULL));

  ld = g_new0 (LoadData, 1);
  ld->root = g_strdup (root);
  ld->snapshot = snapshot != NULL ? g_object_ref (snapshot) : NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pt_host_loader_load_async);
  g_task_set_task_data (task, ld, load_data_free);
  g_task_run_in_thread (task, load_thread);
}

PtHost *
pt_host_loader_load_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
