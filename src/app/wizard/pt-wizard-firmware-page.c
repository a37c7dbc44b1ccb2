/* pt-wizard-firmware-page.c: where this board's firmware keeps the settings
 * passthrough needs (pt-firmware), and the readiness checks (pt-checks) on
 * the host as it was last read. "Check Again" asks the window to read the
 * machine again; the new host comes back through the selection. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>

#include "pt-checks.h"
#include "pt-firmware.h"
#include "pt-wizard-firmware-page.h"

struct _PtWizardFirmwarePage
{
  PtWizardPage          parent_instance;

  GtkBox               *content_box;
  AdwPreferencesGroup  *checks_group;
  AdwPreferencesGroup  *guidance_group;
  GtkListBox           *guidance_list;
  GtkListBox           *checks_list;
  GtkButton            *check_button;
};

G_DEFINE_FINAL_TYPE (PtWizardFirmwarePage, pt_wizard_firmware_page, PT_TYPE_WIZARD_PAGE)

static void
state_look (PtCheckState  state,
            const char  **icon_name,
            const char  **css_class,
            const char  **text)
{
  switch (state)
    {
    case PT_CHECK_PASS:
      *icon_name = "emblem-ok-symbolic";
      *css_class = "success";
      *text = _("Passed");
      break;
    case PT_CHECK_WARN:
      *icon_name = "dialog-warning-symbolic";
      *css_class = "warning";
      *text = _("Warning");
      break;
    case PT_CHECK_FAIL:
      *icon_name = "dialog-error-symbolic";
      *css_class = "error";
      *text = _("Failed");
      break;
    case PT_CHECK_UNKNOWN:
    default:
      *icon_name = "dialog-question-symbolic";
      *css_class = "dim-label";
      *text = _("Unknown");
      break;
    }
}

static GtkWidget *
check_row_new (PtCheck *check)
{
  const char *icon_name, *css_class, *text;

  state_look (check->state, &icon_name, &css_class, &text);
  return pt_wizard_status_row_new (icon_name, css_class, text, check->summary,
                                   check->state != PT_CHECK_PASS ? check->fix : NULL);
}

static const char *
need_text (PtFirmwareNeed need)
{
  switch (need)
    {
    case PT_FIRMWARE_NEED_REQUIRED:
      return _("Required");
    case PT_FIRMWARE_NEED_RECOMMENDED:
      return _("Recommended");
    case PT_FIRMWARE_NEED_OPTIONAL:
    default:
      return _("Optional");
    }
}

/* Whether a failing check points at this firmware setting. */
static gboolean
step_failing (const PtFirmwareStep *step,
              GPtrArray            *checks)
{
  const char *ids[2] = { NULL, NULL };

  switch (step->setting)
    {
    case PT_FIRMWARE_SETTING_CPU_VIRT:
      ids[0] = "cpu-virtualization";
      break;
    case PT_FIRMWARE_SETTING_IOMMU:
      ids[0] = "iommu-firmware";
      ids[1] = "interrupt-remapping";
      break;
    case PT_FIRMWARE_SETTING_SECURE_BOOT:
      ids[0] = "secure-boot";
      break;
    case PT_FIRMWARE_SETTING_CSM:
      ids[0] = "efi-boot";
      break;
    default:
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      PtCheck *check = ids[i] != NULL ? pt_checks_find (checks, ids[i]) : NULL;

      if (check != NULL && check->state == PT_CHECK_FAIL)
        return TRUE;
    }
  return FALSE;
}

static GtkWidget *
step_row_new (const PtFirmwareStep *step,
              gboolean              failing)
{
  GtkWidget *row = adw_expander_row_new ();
  GtkWidget *label;
  GtkWidget *tag;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *location = pt_firmware_step_dup_location (step);
  g_autofree char *instruction = pt_firmware_step_dup_instruction (step);
  g_autofree char *body = NULL;

  title = g_markup_escape_text (_(step->name), -1);
  /* Translators: "Advanced > CPU Configuration: Enabled" */
  subtitle = g_markup_printf_escaped (_("%s: %s"), location, _(step->value));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);

  tag = gtk_label_new (failing ? _("Change this") : need_text (step->need));
  gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (tag, "caption");
  if (failing)
    gtk_widget_add_css_class (tag, "error");
  else if (step->need == PT_FIRMWARE_NEED_REQUIRED)
    gtk_widget_add_css_class (tag, "accent");
  else
    gtk_widget_add_css_class (tag, "dim-label");
  adw_expander_row_add_action (ADW_EXPANDER_ROW (row), tag);

  body = g_strdup_printf ("%s\n\n%s", instruction, _(step->why));
  label = gtk_label_new (body);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (row), label);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), failing);
  return row;
}

static void
pt_wizard_firmware_page_update (PtWizardPage *page)
{
  PtWizardFirmwarePage *self = PT_WIZARD_FIRMWARE_PAGE (page);
  PtHost *host = pt_wizard_page_get_host (page);
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  const char *vendor_id;
  const char *vendor_name = NULL;
  const char *cpu_name;
  g_autofree char *description = NULL;

  pt_wizard_clear_list (self->checks_list);
  pt_wizard_clear_list (self->guidance_list);
  if (host == NULL)
    {
      pt_wizard_page_set_complete (page, FALSE);
      return;
    }

  /* pt_checks_run() only looks at what the host already holds. */
  checks = pt_checks_run (host);
  for (guint i = 0; i < checks->len; i++)
    gtk_list_box_append (self->checks_list, check_row_new (g_ptr_array_index (checks, i)));
  pt_wizard_page_set_complete (page, pt_checks_overall (checks) != PT_CHECK_FAIL);

  /* With something failing the firmware menus come first: that is where
   * the fix usually is. Otherwise the passing checks lead. */
  if (pt_checks_overall (checks) == PT_CHECK_FAIL)
    gtk_box_reorder_child_after (self->content_box, GTK_WIDGET (self->guidance_group), NULL);
  else
    gtk_box_reorder_child_after (self->content_box, GTK_WIDGET (self->checks_group), NULL);

  switch (pt_host_get_cpu_vendor (host))
    {
    case PT_CPU_VENDOR_INTEL:
      cpu_name = _("Intel");
      break;
    case PT_CPU_VENDOR_AMD:
      cpu_name = _("AMD");
      break;
    case PT_CPU_VENDOR_UNKNOWN:
    default:
      cpu_name = NULL;
      break;
    }
  vendor_id = pt_firmware_board_vendor_id (pt_host_get_board_vendor (host));
  if (vendor_id != NULL)
    vendor_name = pt_firmware_vendor_display_name (vendor_id);

  if (cpu_name != NULL && vendor_name != NULL)
    /* Translators: "This machine: Intel processor, ASUS board (PRIME Z390-A). …" */
    description = g_strdup_printf (_("This machine: %s processor, %s board (%s). Open the firmware setup "
                                     "(often Del, F2 or F10 while the computer starts) and check these "
                                     "settings."),
                                   cpu_name, vendor_name,
                                   pt_host_get_board_name (host) != NULL ? pt_host_get_board_name (host) : "?");
  else
    description = g_strdup (_("Your board’s maker is not in Passthrough’s tables, so these are the "
                              "usual names. Open the firmware setup (often Del, F2 or F10 while the "
                              "computer starts) and look for them."));
  adw_preferences_group_set_description (self->guidance_group, description);

  steps = pt_firmware_guidance (pt_host_get_cpu_vendor (host),
                                pt_host_get_board_vendor (host),
                                pt_host_get_board_name (host));
  for (guint i = 0; i < steps->len; i++)
    {
      const PtFirmwareStep *step = g_ptr_array_index (steps, i);

      gtk_list_box_append (self->guidance_list, step_row_new (step, step_failing (step, checks)));
    }
}

static void
check_again_cb (PtWizardFirmwarePage *self)
{
  /* The window reads the host off the main loop and hands it to the
   * selection, which updates every page. */
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.reload", NULL))
    pt_wizard_page_update (PT_WIZARD_PAGE (self));
}

static void
pt_wizard_firmware_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_WIZARD_FIRMWARE_PAGE);

  G_OBJECT_CLASS (pt_wizard_firmware_page_parent_class)->dispose (object);
}

static void
pt_wizard_firmware_page_class_init (PtWizardFirmwarePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PtWizardPageClass *page_class = PT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = pt_wizard_firmware_page_dispose;
  page_class->update = pt_wizard_firmware_page_update;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/wizard/pt-wizard-firmware-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizardFirmwarePage, content_box);
  gtk_widget_class_bind_template_child (widget_class, PtWizardFirmwarePage, checks_group);
  gtk_widget_class_bind_template_child (widget_class, PtWizardFirmwarePage, guidance_group);
  gtk_widget_class_bind_template_child (widget_class, PtWizardFirmwarePage, guidance_list);
  gtk_widget_class_bind_template_child (widget_class, PtWizardFirmwarePage, checks_list);
  gtk_widget_class_bind_template_child (widget_class, PtWizardFirmwarePage, check_button);
  gtk_widget_class_bind_template_callback (widget_class, check_again_cb);
}

static void
pt_wizard_firmware_page_init (PtWizardFirmwarePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
