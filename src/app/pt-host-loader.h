/* pt-host-loader.h: reads a host (root directory or snapshot file) off the
 * main loop, with the details the inspector shows. */
#pragma once

#include <gio/gio.h>
#include "pt-host.h"

G_BEGIN_DECLS

/* Exactly one of @root and @snapshot is non-NULL. */
void    pt_host_loader_load_async  (const char          *root,
                                    GFile               *snapshot,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
PtHost *pt_host_loader_load_finish (GAsyncResult        *result,
                                    GError             **error);

G_END_DECLS
