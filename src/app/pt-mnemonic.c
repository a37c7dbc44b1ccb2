/* pt-mnemonic.c: screen-reader names for buttons with a mnemonic (see the
 * header). Only buttons that use an underline are touched; a button with
 * an icon or a custom child keeps the name it has. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <string.h>

#include "pt-mnemonic.h"

/* "_Apply Changes" → "Apply Changes"; "__" is a literal underscore. */
static char *
strip_mnemonic (const char *label)
{
  GString *s = g_string_sized_new (strlen (label));

  for (const char *p = label; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          if (p[1] != '_')
            continue;
          p++;
        }
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

void
pt_mnemonic_fix_button (GtkButton *button)
{
  const char *label;
  g_autofree char *shown = NULL;

  g_return_if_fail (GTK_IS_BUTTON (button));

  label = gtk_button_get_label (button);
  if (label == NULL || !gtk_button_get_use_underline (button))
    return;
  shown = strip_mnemonic (label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, shown, -1);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

void
pt_mnemonic_fix_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root))
    pt_mnemonic_fix_button (GTK_BUTTON (root));
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    pt_mnemonic_fix_buttons (child);
}
