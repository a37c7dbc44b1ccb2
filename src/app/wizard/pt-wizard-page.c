/* pt-wizard-page.c: the base class of the wizard's pages, after
 * gnome-initial-setup's GisPage. It holds what every page reads (the shared
 * selection, the helper client, polkit's permission) and calls the page's
 * update() whenever any of them changes. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pt-application.h"
#include "pt-mnemonic.h"
#include "pt-text-row.h"
#include "pt-tooltip.h"
#include "pt-window.h"
#include "pt-wizard-page.h"

typedef struct
{
  char           *id;
  char           *title;
  gboolean        complete;
  gboolean        skippable;
  gboolean        applying;

  PtSelection    *selection;
  PtHelperClient *client;
  GPermission    *permission;
  GCancellable   *cancellable;
  gboolean        stale;   /* the selection changed while unmapped */
} PtWizardPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PtWizardPage, pt_wizard_page, ADW_TYPE_BIN)

static void pt_wizard_page_map (GtkWidget *widget);

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_COMPLETE,
  PROP_SKIPPABLE,
  PROP_APPLYING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pt_wizard_page_dispose (GObject *object)
{
  PtWizardPage *self = PT_WIZARD_PAGE (object);
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  if (priv->selection != NULL)
    g_signal_handlers_disconnect_by_data (priv->selection, self);
  if (priv->permission != NULL)
    g_signal_handlers_disconnect_by_data (priv->permission, self);
  g_clear_object (&priv->selection);
  g_clear_object (&priv->client);
  g_clear_object (&priv->permission);

  G_OBJECT_CLASS (pt_wizard_page_parent_class)->dispose (object);
}

/* Every page's template is built by now: its buttons with a mnemonic get
 * the names they read with (pt-mnemonic.h). */
static void
pt_wizard_page_constructed (GObject *object)
{
  G_OBJECT_CLASS (pt_wizard_page_parent_class)->constructed (object);
  pt_mnemonic_fix_buttons (GTK_WIDGET (object));
}

static void
pt_wizard_page_finalize (GObject *object)
{
  PtWizardPage *self = PT_WIZARD_PAGE (object);
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_clear_object (&priv->cancellable);
  g_free (priv->id);
  g_free (priv->title);

  G_OBJECT_CLASS (pt_wizard_page_parent_class)->finalize (object);
}

static void
pt_wizard_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PtWizardPage *self = PT_WIZARD_PAGE (object);
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, priv->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, priv->complete);
      break;
    case PROP_SKIPPABLE:
      g_value_set_boolean (value, priv->skippable);
      break;
    case PROP_APPLYING:
      g_value_set_boolean (value, priv->applying);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_wizard_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PtWizardPage *self = PT_WIZARD_PAGE (object);
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_ID:
      g_free (priv->id);
      priv->id = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      pt_wizard_page_set_title (self, g_value_get_string (value));
      break;
    case PROP_COMPLETE:
      pt_wizard_page_set_complete (self, g_value_get_boolean (value));
      break;
    case PROP_SKIPPABLE:
      pt_wizard_page_set_skippable (self, g_value_get_boolean (value));
      break;
    case PROP_APPLYING:
      pt_wizard_page_set_applying (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_wizard_page_class_init (PtWizardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pt_wizard_page_constructed;
  object_class->dispose = pt_wizard_page_dispose;
  GTK_WIDGET_CLASS (klass)->map = pt_wizard_page_map;
  object_class->finalize = pt_wizard_page_finalize;
  object_class->get_property = pt_wizard_page_get_property;
  object_class->set_property = pt_wizard_page_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SKIPPABLE] =
    g_param_spec_boolean ("skippable", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_APPLYING] =
    g_param_spec_boolean ("applying", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pt_wizard_page_init (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  priv->cancellable = g_cancellable_new ();
}

const char *
pt_wizard_page_get_id (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), NULL);

  return priv->id;
}

const char *
pt_wizard_page_get_title (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), NULL);

  return priv->title;
}

void
pt_wizard_page_set_title (PtWizardPage *self,
                          const char   *title)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_if_fail (PT_IS_WIZARD_PAGE (self));

  if (g_strcmp0 (priv->title, title) == 0)
    return;
  g_free (priv->title);
  priv->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

#define BOOLEAN_ACCESSORS(name, NAME)                                          \
gboolean                                                                       \
pt_wizard_page_get_##name (PtWizardPage *self)                                 \
{                                                                              \
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);      \
                                                                               \
  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), FALSE);                      \
                                                                               \
  return priv->name;                                                           \
}                                                                              \
                                                                               \
void                                                                           \
pt_wizard_page_set_##name (PtWizardPage *self,                                 \
                           gboolean      value)                                \
{                                                                              \
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);      \
                                                                               \
  g_return_if_fail (PT_IS_WIZARD_PAGE (self));                                 \
                                                                               \
  value = !!value;                                                             \
  if (priv->name == value)                                                     \
    return;                                                                    \
  priv->name = value;                                                          \
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_##NAME]);         \
}

BOOLEAN_ACCESSORS (complete, COMPLETE)
BOOLEAN_ACCESSORS (skippable, SKIPPABLE)
BOOLEAN_ACCESSORS (applying, APPLYING)

/* A page nobody sees (another step, or the Devices view in front) waits
 * until it is mapped: on a 700-function server the GPU list and the checks
 * would otherwise be rebuilt for every tick in the inspector, and before
 * the inspector's first frame. The wizard updates a page itself before it
 * shows it. */
static void
selection_changed_cb (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      priv->stale = TRUE;
      return;
    }
  pt_wizard_page_update (self);
}

static void
pt_wizard_page_map (GtkWidget *widget)
{
  PtWizardPage *self = PT_WIZARD_PAGE (widget);
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  GTK_WIDGET_CLASS (pt_wizard_page_parent_class)->map (widget);

  if (priv->stale)
    pt_wizard_page_update (self);
}

PtSelection *
pt_wizard_page_get_selection (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), NULL);

  return priv->selection;
}

void
pt_wizard_page_set_selection (PtWizardPage *self,
                              PtSelection  *selection)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_if_fail (PT_IS_WIZARD_PAGE (self));

  if (priv->selection == selection)
    return;
  if (priv->selection != NULL)
    g_signal_handlers_disconnect_by_data (priv->selection, self);
  g_set_object (&priv->selection, selection);
  if (selection != NULL)
    g_signal_connect_swapped (selection, "changed", G_CALLBACK (selection_changed_cb), self);
  selection_changed_cb (self);
}

PtHelperClient *
pt_wizard_page_get_client (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), NULL);

  return priv->client;
}

void
pt_wizard_page_set_client (PtWizardPage   *self,
                           PtHelperClient *client)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_if_fail (PT_IS_WIZARD_PAGE (self));

  if (g_set_object (&priv->client, client))
    selection_changed_cb (self);
}

GPermission *
pt_wizard_page_get_permission (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), NULL);

  return priv->permission;
}

void
pt_wizard_page_set_permission (PtWizardPage *self,
                               GPermission  *permission)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_if_fail (PT_IS_WIZARD_PAGE (self));

  if (priv->permission == permission)
    return;
  if (priv->permission != NULL)
    g_signal_handlers_disconnect_by_data (priv->permission, self);
  g_set_object (&priv->permission, permission);
  if (permission != NULL)
    g_signal_connect_swapped (permission, "notify", G_CALLBACK (selection_changed_cb), self);
  selection_changed_cb (self);
}

PtHost *
pt_wizard_page_get_host (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), NULL);

  return priv->selection != NULL ? pt_selection_get_host (priv->selection) : NULL;
}

GSettings *
pt_wizard_page_get_settings (PtWizardPage *self)
{
  GApplication *app = g_application_get_default ();

  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), NULL);

  return PT_IS_APPLICATION (app) ? pt_application_get_settings (PT_APPLICATION (app)) : NULL;
}

GCancellable *
pt_wizard_page_get_cancellable (PtWizardPage *self)
{
  PtWizardPagePrivate *priv = pt_wizard_page_get_instance_private (self);

  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), NULL);

  return priv->cancellable;
}

void
pt_wizard_page_update (PtWizardPage *self)
{
  g_return_if_fail (PT_IS_WIZARD_PAGE (self));

  ((PtWizardPagePrivate *) pt_wizard_page_get_instance_private (self))->stale = FALSE;
  if (PT_WIZARD_PAGE_GET_CLASS (self)->update != NULL)
    PT_WIZARD_PAGE_GET_CLASS (self)->update (self);
}

void
pt_wizard_page_shown (PtWizardPage *self)
{
  g_return_if_fail (PT_IS_WIZARD_PAGE (self));

  if (PT_WIZARD_PAGE_GET_CLASS (self)->shown != NULL)
    PT_WIZARD_PAGE_GET_CLASS (self)->shown (self);
}

gboolean
pt_wizard_page_has_apply (PtWizardPage *self)
{
  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), FALSE);

  return PT_WIZARD_PAGE_GET_CLASS (self)->apply_async != NULL;
}

void
pt_wizard_page_apply_async (PtWizardPage        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PT_IS_WIZARD_PAGE (self));
  g_return_if_fail (pt_wizard_page_has_apply (self));

  PT_WIZARD_PAGE_GET_CLASS (self)->apply_async (self, cancellable, callback, user_data);
}

gboolean
pt_wizard_page_apply_finish (PtWizardPage  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (PT_IS_WIZARD_PAGE (self), FALSE);

  return PT_WIZARD_PAGE_GET_CLASS (self)->apply_finish (self, result, error);
}

void
pt_wizard_clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

GtkWidget *
pt_wizard_message_row_new (const char *icon_name,
                           const char *text,
                           const char *css_class)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (text);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  if (icon_name != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

      gtk_widget_set_valign (icon, GTK_ALIGN_START);
      if (css_class != NULL)
        gtk_widget_add_css_class (icon, css_class);
      gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
      gtk_box_append (GTK_BOX (box), icon);
    }
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

GtkWidget *
pt_wizard_status_row_new (const char *icon_name,
                          const char *css_class,
                          const char *state,
                          const char *title,
                          const char *subtitle)
{
  GtkWidget *row = pt_text_row_new (title, subtitle);
  GtkWidget *icon = pt_text_row_add_icon (PT_TEXT_ROW (row), icon_name, css_class);

  if (state != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s: %s", state, title);

      pt_tooltip_set_text (icon, state);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN);
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, state, -1);
      /* Named "state: title" instead of by its title alone. */
      gtk_accessible_reset_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
      gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
    }
  return row;
}

void
pt_wizard_page_toast (PtWizardPage *self,
                      const char   *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (PT_IS_WINDOW (root))
    pt_window_add_toast (PT_WINDOW (root), message);
}

static const char *
file_change_text (const char *change)
{
  if (g_strcmp0 (change, "created") == 0)
    return _("created");
  if (g_strcmp0 (change, "modified") == 0)
    return _("changed");
  if (g_strcmp0 (change, "restored") == 0)
    return _("restored");
  if (g_strcmp0 (change, "removed") == 0)
    return _("removed");
  if (g_strcmp0 (change, "unchanged") == 0)
    return _("unchanged");
  return change;
}

void
pt_wizard_fill_result (GtkListBox *list,
                       gboolean    ok,
                       const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj = NULL;
  JsonNode *node;
  const char *error = NULL;
  const char *message = NULL;

  pt_wizard_clear_list (list);
  if (json != NULL && json_parser_load_from_data (parser, json, -1, NULL) &&
      (node = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (node))
    obj = json_node_get_object (node);

  if (obj != NULL)
    {
      error = json_object_get_string_member_with_default (obj, "error", NULL);
      message = json_object_get_string_member_with_default (obj, "message", NULL);
    }
  if (!ok || error != NULL)
    gtk_list_box_append (list, pt_wizard_message_row_new ("dialog-error-symbolic",
                                                          error != NULL ? error : _("The change did not finish."),
                                                          "error"));
  if (message != NULL)
    gtk_list_box_append (list, pt_wizard_message_row_new ("dialog-information-symbolic", message, NULL));
  if (obj == NULL)
    return;

  if (json_object_has_member (obj, "files") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "files")))
    {
      JsonArray *files = json_object_get_array_member (obj, "files");

      for (guint i = 0; i < json_array_get_length (files); i++)
        {
          JsonObject *f = json_array_get_object_element (files, i);
          const char *path, *change;
          g_autofree char *shown = NULL;

          if (f == NULL)
            continue;
          path = json_object_get_string_member_with_default (f, "path", "?");
          change = json_object_get_string_member_with_default (f, "change", "");
          shown = path[0] == '/' ? g_strdup (path) : g_strconcat ("/", path, NULL);
          gtk_list_box_append (list, pt_wizard_status_row_new ("text-x-generic-symbolic", NULL, NULL, shown,
                                                     file_change_text (change)));
        }
    }

  if (json_object_has_member (obj, "commands") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (obj, "commands")))
    {
      JsonArray *commands = json_object_get_array_member (obj, "commands");

      for (guint i = 0; i < json_array_get_length (commands); i++)
        {
          JsonObject *c = json_array_get_object_element (commands, i);
          g_autoptr(GString) line = g_string_new (NULL);
          const char *state;
          const char *icon_name = "emblem-ok-symbolic";
          const char *css_class = "success";
          g_autofree char *subtitle = NULL;

          if (c == NULL)
            continue;
          if (json_object_has_member (c, "argv") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (c, "argv")))
            {
              JsonArray *argv = json_object_get_array_member (c, "argv");

              for (guint j = 0; j < json_array_get_length (argv); j++)
                {
                  if (j > 0)
                    g_string_append_c (line, ' ');
                  g_string_append (line, json_array_get_string_element (argv, j));
                }
            }
          state = json_object_get_string_member_with_default (c, "state", "");
          if (g_str_equal (state, "done"))
            subtitle = g_strdup (_("done"));
          else if (g_str_equal (state, "failed"))
            {
              const char *output = json_object_get_string_member_with_default (c, "output", "");
              gint64 status = json_object_get_int_member_with_default (c, "exit_status", -1);
              const char *tail = output;
              size_t len = strlen (output);

              /* The end of the output says what went wrong. */
              if (len > 400)
                tail = g_utf8_find_next_char (output + len - 400, NULL);
              subtitle = g_strdup_printf (_("failed with exit status %d: %s"), (int) status,
                                          tail != NULL ? tail : "");
              icon_name = "dialog-error-symbolic";
              css_class = "error";
            }
          else
            {
              subtitle = g_strdup (_("not run: run it inside that system"));
              icon_name = "media-playback-pause-symbolic";
              css_class = "dim-label";
            }
          gtk_list_box_append (list, pt_wizard_status_row_new (icon_name, css_class, NULL, line->str, subtitle));
        }
    }
}

static void
acquire_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_permission_acquire_finish (G_PERMISSION (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 _("Nothing was changed: the password dialog was closed."));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                                 _("Nothing was changed: %s"), error->message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
pt_wizard_authorize_async (GPermission         *permission,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pt_wizard_authorize_async);
  if (permission == NULL || g_permission_get_allowed (permission) ||
      !g_permission_get_can_acquire (permission))
    {
      /* The helper checks again in any case, and asks when it may. */
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_permission_acquire_async (permission, cancellable, acquire_cb, g_steal_pointer (&task));
}

gboolean
pt_wizard_authorize_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
