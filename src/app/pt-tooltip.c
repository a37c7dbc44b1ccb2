/* pt-tooltip.c: tooltips given in ::query-tooltip; see pt-tooltip.h. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include "pt-tooltip.h"

#define TOOLTIP_KEY "pt-tooltip-text"
#define HANDLER_KEY "pt-tooltip-handler"

static gboolean
query_tooltip_cb (GtkWidget  *widget,
                  int         x,
                  int         y,
                  gboolean    keyboard_mode,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  const char *text = g_object_get_data (G_OBJECT (widget), TOOLTIP_KEY);

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

void
pt_tooltip_set_text (GtkWidget  *widget,
                     const char *text)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* One handler, however often the text changes or is taken away. */
  if (g_object_get_data (G_OBJECT (widget), HANDLER_KEY) == NULL)
    {
      g_signal_connect (widget, "query-tooltip", G_CALLBACK (query_tooltip_cb), NULL);
      g_object_set_data (G_OBJECT (widget), HANDLER_KEY, GINT_TO_POINTER (TRUE));
    }
  g_object_set_data_full (G_OBJECT (widget), TOOLTIP_KEY,
                          text != NULL && *text != '\0' ? g_strdup (text) : NULL, g_free);
  gtk_widget_set_has_tooltip (widget, text != NULL && *text != '\0');
}
