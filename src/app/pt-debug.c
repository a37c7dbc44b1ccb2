/* pt-debug.c: renders a widget into a PNG through its own GSK renderer. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include "pt-debug.h"

gboolean
pt_debug_save_screenshot (GtkWidget  *widget,
                          const char *path)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GtkNative *native;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  native = gtk_widget_get_native (widget);
  if (native == NULL || width <= 0 || height <= 0)
    return FALSE;

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)   /* a redraw is pending: the paintable has no image yet */
    return FALSE;

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_warning ("Could not write the screenshot %s", path);
      return FALSE;
    }
  return TRUE;
}
