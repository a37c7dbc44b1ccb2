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

static void
load_data_free (gpointer data)
{
  LoadData *ld = data;

  g_free (ld->root);
  g_clear_object (&ld->snapshot);
  g_free (ld);
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

  if (ld->snapshot != NULL)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_load_contents (ld->snapshot, cancellable, &contents, &length, NULL, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      host = pt_host_load_snapshot_data (contents, length, &error);
    }
  else
    {
      host = pt_host_load (ld->root, PT_HOST_LOAD_DETAILS, &error);
    }

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
