/* pt-wizard-review-page.c: everything Apply would do, computed locally from
 * the shared selection (or, for a trial boot, from pt_trial_plan_new on the
 * same host): each file's diff, the kernel arguments, the devices, the
 * regeneration commands, the warnings and notes, or why the plan refuses.
 * The diffs and arguments are plain labels so screen readers and UI tests
 * find them. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "pt-bootconf.h"
#include "pt-trial.h"
#include "pt-verdict.h"
#include "pt-wizard-review-page.h"

struct _PtWizardReviewPage
{
  PtWizardPage  parent_instance;

  GtkListBox   *message_list;
  AdwActionRow *trial_row;
  GtkSwitch    *trial_switch;
  AdwActionRow *boot_vga_row;
  GtkSwitch    *boot_vga_switch;
  AdwActionRow *shared_row;
  GtkSwitch    *shared_switch;
  GtkWidget    *plan_box;
  GtkLabel     *kernel_args_label;
  GtkListBox   *devices_list;
  AdwPreferencesGroup *files_group;
  GtkBox       *files_box;
  GtkWidget    *confirm_group;
  GtkBox       *confirm_box;
  GtkLabel     *commands_label;

  GCancellable *plan_cancellable;
  char         *key;          /* what self->result was planned for */
  struct _PlanOutput *result;
  gboolean      syncing;
};

G_DEFINE_FINAL_TYPE (PtWizardReviewPage, pt_wizard_review_page, PT_TYPE_WIZARD_PAGE)

static void
add_message (PtWizardReviewPage *self,
             const char         *icon_name,
             const char         *text,
             const char         *css_class)
{
  gtk_list_box_append (self->message_list, pt_wizard_message_row_new (icon_name, text, css_class));
}

static GtkWidget *
file_card_new (const char *path,
               const char *diff)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *label = gtk_label_new (diff);
  g_autofree char *shown = g_strconcat ("/", path, NULL);
  g_autofree char *name = g_strdup_printf (_("Changes to %s"), shown);

  gtk_label_set_text (GTK_LABEL (title), shown);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (box), title);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "card");
  gtk_widget_add_css_class (label, "pt-wizard-code");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

static GtkWidget *
device_row_new (PtDevice   *device,
                const char *note)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *name = pt_device_dup_display_name (device);
  g_autofree char *ids = pt_device_dup_ids (device);
  g_autofree char *title = g_markup_escape_text (name, -1);
  g_autofree char *subtitle = NULL;
  const char *driver = pt_device_get_driver (device);

  if (note != NULL)
    subtitle = g_markup_printf_escaped ("%s · %s · %s", pt_device_get_address (device), ids, note);
  else if (driver != NULL)
    /* Translators: address · vendor:device IDs · "now on" driver */
    subtitle = g_markup_printf_escaped (_("%s · %s · now on %s"), pt_device_get_address (device), ids, driver);
  else
    subtitle = g_markup_printf_escaped ("%s · %s", pt_device_get_address (device), ids);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (row, "property");
  return row;
}

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

static gboolean
get_trial (PtWizardReviewPage *self)
{
  GSettings *settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));

  return settings != NULL ? g_settings_get_boolean (settings, "wizard-trial") : TRUE;
}

/* Which of the plan options matter for the ticked GPUs. */
static void
update_options (PtWizardReviewPage *self,
                PtSelection        *selection,
                PtHost             *host)
{
  const char *const *gpus = pt_selection_get_gpus (selection);
  PtPlanFlags flags = pt_selection_get_flags (selection);
  gboolean boot_vga = (flags & PT_PLAN_ALLOW_BOOT_VGA) != 0;
  gboolean shared = (flags & PT_PLAN_ALLOW_SHARED) != 0;

  for (guint i = 0; gpus[i] != NULL; i++)
    {
      PtDevice *device = pt_host_lookup_device (host, gpus[i]);
      g_autoptr(PtGpu) gpu = NULL;

      if (device == NULL)
        continue;
      if (pt_device_get_boot_vga (device) == PT_TRISTATE_YES)
        boot_vga = TRUE;
      gpu = pt_gpu_new (host, device);
      if (gpu->isolation == PT_ISOLATION_SHARED)
        shared = TRUE;
    }

  self->syncing = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->boot_vga_row), boot_vga);
  gtk_widget_set_visible (GTK_WIDGET (self->shared_row), shared);
  gtk_switch_set_active (self->boot_vga_switch, (flags & PT_PLAN_ALLOW_BOOT_VGA) != 0);
  gtk_switch_set_active (self->shared_switch, (flags & PT_PLAN_ALLOW_SHARED) != 0);
  self->syncing = FALSE;
}

static void
fill_files (GtkBox *box,
            PtPlan *plan)
{
  clear_box (box);
  for (guint i = 0; i < plan->changes->len; i++)
    {
      PtPlanChange *change = g_ptr_array_index (plan->changes, i);
      gtk_box_append (box, file_card_new (change->path, change->diff));
    }
  if (plan->changes->len == 0)
    {
      GtkWidget *label = gtk_label_new (_("No file needs to change: this machine is already set up this way."));

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (box, label);
    }
}

/* @plan is what Apply writes now; @later, for a trial, what keeping the
 * settings writes after the trial boot (the permanent plan). */
static void
show_plan (PtWizardReviewPage *self,
           PtPlan             *plan,
           PtPlan             *later)
{
  g_autofree char *args = g_strjoinv (" ", plan->kernel_args);
  g_autoptr(GString) commands = g_string_new (NULL);
  g_autofree char *systems = NULL;

  gtk_label_set_text (self->kernel_args_label, args);

  pt_wizard_clear_list (self->devices_list);
  for (guint i = 0; i < plan->devices->len; i++)
    gtk_list_box_append (self->devices_list, device_row_new (g_ptr_array_index (plan->devices, i), NULL));
  for (guint i = 0; i < plan->kept->len; i++)
    gtk_list_box_append (self->devices_list,
                         device_row_new (g_ptr_array_index (plan->kept, i), _("stays with the host")));

  /* Translators: the boot loader and the initramfs system, e.g. "grub", "initramfs-tools". */
  systems = g_strdup_printf (_("Boot loader: %s. Initramfs: %s."),
                             plan->bootloader != NULL ? plan->bootloader : _("none found"),
                             plan->initramfs != NULL ? plan->initramfs : _("none found"));
  adw_preferences_group_set_description (self->files_group, systems);
  adw_preferences_group_set_title (self->files_group,
                                   later != NULL ? _("Files for the Trial Boot") : _("Files"));
  fill_files (self->files_box, plan);
  gtk_widget_set_visible (self->confirm_group, later != NULL);
  if (later != NULL)
    fill_files (self->confirm_box, later);

  for (guint i = 0; i < plan->regenerate->len; i++)
    {
      g_auto(GStrv) quoted = NULL;
      char **argv = g_ptr_array_index (plan->regenerate, i);
      guint n = g_strv_length (argv);

      quoted = g_new0 (char *, n + 1);
      for (guint j = 0; j < n; j++)
        quoted[j] = g_shell_quote (argv[j]);
      if (i > 0)
        g_string_append_c (commands, '\n');
      g_string_append (commands, "# ");
      for (guint j = 0; j < n; j++)
        {
          /* Plain words need no quotes to be read. */
          gboolean plain = strpbrk (argv[j], " '\"$`\\*?[]{}()<>|&;#~") == NULL && argv[j][0] != '\0';
          if (j > 0)
            g_string_append_c (commands, ' ');
          g_string_append (commands, plain ? argv[j] : quoted[j]);
        }
    }
  if (commands->len == 0)
    g_string_append (commands, C_("commands", "None"));
  gtk_label_set_text (self->commands_label, commands->str);

  for (guint i = 0; i < plan->warnings->len; i++)
    add_message (self, "dialog-warning-symbolic", g_ptr_array_index (plan->warnings, i), "warning");
  for (guint i = 0; i < plan->notes->len; i++)
    add_message (self, "dialog-information-symbolic", g_ptr_array_index (plan->notes, i), NULL);
}

/* Planning the files reads the boot configuration under the host root:
 * done in a thread on the host the selection holds (a host is not changed
 * after it is read), keyed so that updates that change nothing reuse it. */

typedef struct
{
  PtHost      *host;
  GStrv        gpus;
  PtPlanFlags  flags;
  gboolean     trial;
} PlanInput;

typedef struct _PlanOutput
{
  PtPlan      *full;
  GError      *full_error;
  PtTrialPlan *trial;
  GError      *trial_error;
} PlanOutput;

static void
plan_input_free (PlanInput *in)
{
  g_clear_object (&in->host);
  g_strfreev (in->gpus);
  g_free (in);
}

static void
plan_output_free (PlanOutput *out)
{
  g_clear_pointer (&out->full, pt_plan_free);
  g_clear_pointer (&out->trial, pt_trial_plan_free);
  g_clear_error (&out->full_error);
  g_clear_error (&out->trial_error);
  g_free (out);
}

static void
plan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PlanInput *in = task_data;
  PlanOutput *out = g_new0 (PlanOutput, 1);
  const char *const *gpus = (const char *const *) in->gpus;

  out->full = pt_plan_new (in->host, gpus, in->flags, &out->full_error);
  if (out->full != NULL && !pt_bootconf_plan (out->full, &out->full_error))
    g_clear_pointer (&out->full, pt_plan_free);
  /* The trial writes other files than the permanent plan (an entry used
   * once); the permanent ones follow when the trial is kept. */
  if (out->full != NULL && in->trial && !pt_host_is_snapshot (in->host))
    out->trial = pt_trial_plan_new (in->host, gpus, in->flags, &out->trial_error);

  g_task_return_pointer (task, out, (GDestroyNotify) plan_output_free);
}

static void
show_result (PtWizardReviewPage *self)
{
  PlanOutput *out = self->result;

  if (out->full == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The boot configuration cannot be changed as it is: %s"),
                                               out->full_error->message);
      add_message (self, "dialog-error-symbolic", text, "error");
      return;
    }
  /* A snapshot's plan carries its own note that it has no files. */
  if (out->trial_error != NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("A trial boot is not possible on this machine: %s Turn off “Try for one "
                           "boot first” to make the change permanent at once."), out->trial_error->message);
      add_message (self, "dialog-error-symbolic", text, "error");
    }

  if (out->trial != NULL)
    show_plan (self, out->trial->plan, out->full);
  else
    show_plan (self, out->full, NULL);
}

static void
finish_update (PtWizardReviewPage *self)
{
  gboolean planned = self->result != NULL && self->result->full != NULL;

  gtk_widget_set_visible (self->plan_box, planned);
  gtk_widget_set_visible (GTK_WIDGET (self->message_list),
                          gtk_widget_get_first_child (GTK_WIDGET (self->message_list)) != NULL);
  pt_wizard_page_set_complete (PT_WIZARD_PAGE (self), planned && self->result->trial_error == NULL);
}

static void
plan_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree char *key = user_data;
  PtWizardReviewPage *self = PT_WIZARD_REVIEW_PAGE (source);
  PlanOutput *out;

  out = g_task_propagate_pointer (G_TASK (result), NULL);
  if (out == NULL)
    return;  /* cancelled: a newer plan is on its way */
  if (self->message_list == NULL || g_strcmp0 (key, self->key) != 0)
    {
      plan_output_free (out);
      return;
    }
  g_clear_pointer (&self->result, plan_output_free);
  self->result = out;
  pt_wizard_page_update (PT_WIZARD_PAGE (self));
}

static void
pt_wizard_review_page_update (PtWizardPage *page)
{
  PtWizardReviewPage *self = PT_WIZARD_REVIEW_PAGE (page);
  PtSelection *selection = pt_wizard_page_get_selection (page);
  PtHost *host = pt_wizard_page_get_host (page);
  const char *const *gpus;
  const GError *plan_error;
  g_autofree char *joined = NULL;
  g_autofree char *key = NULL;

  if (self->message_list == NULL)
    return;

  pt_wizard_clear_list (self->message_list);

  if (selection == NULL || host == NULL)
    goto invalid;

  gpus = pt_selection_get_gpus (selection);
  update_options (self, selection, host);
  if (gpus[0] == NULL)
    {
      add_message (self, "dialog-information-symbolic",
                   _("No graphics card is chosen yet. Go back and tick one."), NULL);
      goto invalid;
    }

  /* The selection's plan says what is taken, or why not. */
  plan_error = pt_selection_get_plan_error (selection);
  if (pt_selection_get_plan (selection) == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Passthrough will not set up this choice. %s"),
                                               plan_error != NULL ? plan_error->message : "");
      add_message (self, "dialog-error-symbolic", text, "error");
      goto invalid;
    }

  joined = g_strjoinv (",", (char **) gpus);
  key = g_strdup_printf ("%p/%s/%u/%d", (gpointer) host, joined,
                         pt_selection_get_flags (selection), get_trial (self));
  if (g_strcmp0 (key, self->key) == 0 && self->result != NULL)
    {
      show_result (self);
      finish_update (self);
      return;
    }

  if (g_strcmp0 (key, self->key) != 0)
    {
      PlanInput *in = g_new0 (PlanInput, 1);
      GTask *task;

      g_cancellable_cancel (self->plan_cancellable);
      g_clear_object (&self->plan_cancellable);
      self->plan_cancellable = g_cancellable_new ();
      g_free (self->key);
      self->key = g_strdup (key);
      g_clear_pointer (&self->result, plan_output_free);

      in->host = g_object_ref (host);
      in->gpus = g_strdupv ((char **) gpus);
      in->flags = pt_selection_get_flags (selection);
      in->trial = get_trial (self);
      task = g_task_new (self, self->plan_cancellable, plan_done_cb, g_strdup (key));
      g_task_set_source_tag (task, pt_wizard_review_page_update);
      g_task_set_task_data (task, in, (GDestroyNotify) plan_input_free);
      g_task_run_in_thread (task, plan_thread);
      g_object_unref (task);
    }
  add_message (self, "content-loading-symbolic", _("Reading the boot configuration…"), "dim-label");
  finish_update (self);
  return;

invalid:
  g_cancellable_cancel (self->plan_cancellable);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->result, plan_output_free);
  finish_update (self);
}

static void
flags_switch_cb (PtWizardReviewPage *self)
{
  PtSelection *selection = pt_wizard_page_get_selection (PT_WIZARD_PAGE (self));
  PtPlanFlags flags = PT_PLAN_FLAGS_NONE;

  if (self->syncing || selection == NULL)
    return;
  if (gtk_switch_get_active (self->boot_vga_switch))
    flags |= PT_PLAN_ALLOW_BOOT_VGA;
  if (gtk_switch_get_active (self->shared_switch))
    flags |= PT_PLAN_ALLOW_SHARED;
  pt_selection_set_flags (selection, flags);
}

static void
trial_changed_cb (GSettings          *settings,
                  const char         *key,
                  PtWizardReviewPage *self)
{
  pt_wizard_page_update (PT_WIZARD_PAGE (self));
}

/* Leaving Review forward saves the choice, so that the app can resume at
 * Verify after the reboot with the same GPUs. */
static void
pt_wizard_review_page_apply_async (PtWizardPage        *page,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (page, cancellable, callback, user_data);
  GSettings *settings = pt_wizard_page_get_settings (page);
  PtSelection *selection = pt_wizard_page_get_selection (page);

  g_task_set_source_tag (task, pt_wizard_review_page_apply_async);
  if (settings != NULL && selection != NULL)
    g_settings_set_strv (settings, "wizard-gpus", pt_selection_get_gpus (selection));
  g_task_return_boolean (task, TRUE);
}

static gboolean
pt_wizard_review_page_apply_finish (PtWizardPage  *page,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
pt_wizard_review_page_dispose (GObject *object)
{
  PtWizardReviewPage *self = PT_WIZARD_REVIEW_PAGE (object);
  GSettings *settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));

  if (settings != NULL)
    g_signal_handlers_disconnect_by_data (settings, self);
  gtk_widget_dispose_template (GTK_WIDGET (object), PT_TYPE_WIZARD_REVIEW_PAGE);
  self->message_list = NULL;
  g_cancellable_cancel (self->plan_cancellable);
  g_clear_object (&self->plan_cancellable);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->result, plan_output_free);

  G_OBJECT_CLASS (pt_wizard_review_page_parent_class)->dispose (object);
}

static void
pt_wizard_review_page_class_init (PtWizardReviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PtWizardPageClass *page_class = PT_WIZARD_PAGE_CLASS (klass);

  object_class->dispose = pt_wizard_review_page_dispose;
  page_class->update = pt_wizard_review_page_update;
  page_class->apply_async = pt_wizard_review_page_apply_async;
  page_class->apply_finish = pt_wizard_review_page_apply_finish;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/wizard/pt-wizard-review-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, message_list);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, trial_row);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, trial_switch);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, boot_vga_row);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, boot_vga_switch);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, shared_row);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, shared_switch);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, plan_box);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, kernel_args_label);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, devices_list);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, files_group);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, files_box);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, confirm_group);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, confirm_box);
  gtk_widget_class_bind_template_child (widget_class, PtWizardReviewPage, commands_label);
  gtk_widget_class_bind_template_callback (widget_class, flags_switch_cb);
}

static void
pt_wizard_review_page_init (PtWizardReviewPage *self)
{
  GSettings *settings;

  gtk_widget_init_template (GTK_WIDGET (self));

  settings = pt_wizard_page_get_settings (PT_WIZARD_PAGE (self));
  if (settings != NULL)
    {
      g_settings_bind (settings, "wizard-trial", self->trial_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_signal_connect (settings, "changed::wizard-trial", G_CALLBACK (trial_changed_cb), self);
    }
}
