/* pt-wizard-gpu-page.c: the host's GPUs with their verdicts; ticking one
 * ticks it in the shared selection, which the Device Inspector shows too.
 * The rows are built once per host and only synced on selection changes,
 * so that ticking keeps the keyboard focus where it is. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-verdict.h"
#include "pt-window.h"
#include "pt-wizard-gpu-page.h"

struct _PtWizardGpuPage
{
  PtWizardPage  parent_instance;

  GtkListBox   *gpu_list;
  GtkListBox   *plan_list;

  PtHost       *shown_host;   /* the host the rows were built for */
  GPtrArray    *checks;       /* GtkCheckButton, one per row */
  gboolean      syncing;
};

G_DEFINE_FINAL_TYPE (PtWizardGpuPage, pt_wizard_gpu_page, PT_TYPE_WIZARD_PAGE)

static void
check_toggled_cb (GtkCheckButton  *check,
                  PtWizardGpuPage *self)
{
  PtSelection *selection = pt_wizard_page_get_selection (PT_WIZARD_PAGE (self));
  const char *address = g_object_get_data (G_OBJECT (check), "pt-address");

  if (self->syncing || selection == NULL)
    return;
  pt_selection_set_gpu (selection, address, gtk_check_button_get_active (check));
}

static void
toggle_activated_cb (GSimpleAction  *action,
                     GVariant       *parameter,
                     GtkCheckButton *check)
{
  gtk_check_button_set_active (check, !gtk_check_button_get_active (check));
}

/* GTK 4.8 gives check buttons no AT-SPI action of their own; it offers the
 * actions of a widget's own action group instead, so this gives assistive
 * technologies (and UI tests) a way to tick the box. */
static void
add_toggle_action (GtkWidget *check)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) toggle = g_simple_action_new ("toggle", NULL);

  g_signal_connect_object (toggle, "activate", G_CALLBACK (toggle_activated_cb), check, 0);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (toggle));
  gtk_widget_insert_action_group (check, "gpu", G_ACTION_GROUP (group));
}

static char *
names_of (GPtrArray *devices)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < devices->len; i++)
    {
      g_autofree char *name = pt_device_dup_display_name (g_ptr_array_index (devices, i));

      if (i > 0)
        g_string_append (s, ", ");
      g_string_append (s, name);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GtkWidget *
gpu_row_new (PtWizardGpuPage *self,
             PtGpu           *gpu)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *tag;
  PtDevice *device = gpu->device;
  const char *address = pt_device_get_address (device);
  const char *driver = pt_device_get_driver (device);
  g_autofree char *name = pt_device_dup_display_name (device);
  g_autofree char *escaped = g_markup_escape_text (name, -1);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  const char *verdict;
  const char *css_class;

  switch (gpu->isolation)
    {
    case PT_ISOLATION_CLEAN:
      verdict = _("Own group");
      css_class = "success";
      /* Translators: the IOMMU verdict of a GPU, then its address. */
      g_string_append_printf (subtitle, _("%s · IOMMU group %d, nothing else in it"),
                              address, pt_device_get_iommu_group (device));
      break;
    case PT_ISOLATION_SHARED:
      {
        g_autofree char *blockers = names_of (gpu->blockers);

        verdict = _("Shared group");
        css_class = "warning";
        g_string_append_printf (subtitle, _("%s · IOMMU group %d, shared with %s"),
                                address, pt_device_get_iommu_group (device), blockers);
        break;
      }
    case PT_ISOLATION_UNKNOWN:
    default:
      verdict = _("IOMMU off");
      css_class = "error";
      g_string_append_printf (subtitle, _("%s · no IOMMU groups: turn the IOMMU on first"), address);
      break;
    }

  if (gpu->companions->len > 0)
    {
      g_autofree char *companions = names_of (gpu->companions);
      g_string_append (subtitle, "\n");
      g_string_append_printf (subtitle, _("Comes along: %s"), companions);
    }
  if (pt_device_get_boot_vga (device) == PT_TRISTATE_YES)
    {
      g_string_append (subtitle, "\n");
      g_string_append (subtitle, _("The computer starts on this display: passing it through leaves the host without a screen."));
      verdict = _("Boot display");
      css_class = "warning";
    }
  if (driver != NULL)
    {
      g_string_append (subtitle, "\n");
      g_string_append_printf (subtitle, _("Driver now: %s"), driver);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  {
    g_autofree char *markup = g_markup_escape_text (subtitle->str, -1);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), markup);
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle->str, -1);

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  add_toggle_action (check);
  g_object_set_data_full (G_OBJECT (check), "pt-address", g_strdup (address), g_free);
  g_signal_connect (check, "toggled", G_CALLBACK (check_toggled_cb), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  g_ptr_array_add (self->checks, check);

  tag = gtk_label_new (verdict);
  gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (tag, "caption-heading");
  gtk_widget_add_css_class (tag, css_class);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), tag);

  return row;
}

static void
rebuild (PtWizardGpuPage *self,
         PtHost          *host)
{
  g_autoptr(GPtrArray) gpus = NULL;

  pt_wizard_clear_list (self->gpu_list);
  g_ptr_array_set_size (self->checks, 0);
  g_set_object (&self->shown_host, host);
  if (host == NULL)
    return;

  gpus = pt_host_list_gpus (host);
  for (guint i = 0; i < gpus->len; i++)
    gtk_list_box_append (self->gpu_list, gpu_row_new (self, g_ptr_array_index (gpus, i)));
  if (gpus->len == 0)
    gtk_list_box_append (self->gpu_list,
                         pt_wizard_message_row_new ("dialog-information-symbolic",
                                                    _("This machine has no graphics card to pass through."),
                                                    NULL));
}

static void
pt_wizard_gpu_page_update (PtWizardPage *page)
{
  PtWizardGpuPage *self = PT_WIZARD_GPU_PAGE (page);
  PtSelection *selection = pt_wizard_page_get_selection (page);
  PtHost *host = pt_wizard_page_get_host (page);
  const GError *plan_error;
  const char *const *ticked;

  if (host != self->shown_host)
    rebuild (self, host);
  if (selection == NULL)
    return;

  self->syncing = TRUE;
  for (guint i = 0; i < self->checks->len; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (self->checks, i);
      const char *address = g_object_get_data (G_OBJECT (check), "pt-address");

      gtk_check_button_set_active (check, pt_selection_has_gpu (selection, address));
    }
  self->syncing = FALSE;

  /* A refusal shows here already; the Review page says the rest. */
  pt_wizard_clear_list (self->plan_list);
  plan_error = pt_selection_get_plan_error (selection);
  if (plan_error != NULL)
    gtk_list_box_append (self->plan_list,
                         pt_wizard_message_row_new ("dialog-error-symbolic", plan_error->message, "error"));
  gtk_widget_set_visible (GTK_WIDGET (self->plan_list), plan_error != NULL);

  ticked = pt_selection_get_gpus (selection);
  pt_wizard_page_set_complete (page, ticked != NULL && ticked[0] != NULL);
}

static void
show_inspector_cb (PtWizardGpuPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (PT_IS_WINDOW (root))
    pt_window_set_visible_page (PT_WINDOW (root), "devices");
}

static void
pt_wizard_gpu_page_dispose (GObject *object)
{
  PtWizardGpuPage *self = PT_WIZARD_GPU_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_WIZARD_GPU_PAGE);
  g_clear_object (&self->shown_host);
  g_clear_pointer (&self->checks, g_ptr_array_unref);

  G_OBJECT_CLASS (pt_wizard_gpu_page_parent_class)->dispose (object);
}

static void
pt_wizard_gpu_page_class_init (PtWizardGpuPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PtWizardPageClass *page_class = PT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = pt_wizard_gpu_page_dispose;
  page_class->update = pt_wizard_gpu_page_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/wizard/pt-wizard-gpu-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizardGpuPage, gpu_list);
  gtk_widget_class_bind_template_child (widget_class, PtWizardGpuPage, plan_list);
  gtk_widget_class_bind_template_callback (widget_class, show_inspector_cb);
}

static void
pt_wizard_gpu_page_init (PtWizardGpuPage *self)
{
  self->checks = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
