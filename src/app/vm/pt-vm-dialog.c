/* pt-vm-dialog.c: the GPU-attach dialog (issue 6). It connects to libvirt,
 * lets the user describe a new domain or pick an existing one, shows a
 * preview run of the core (summary, issues, XML diff) and only then writes.
 * Every libvirt call runs in a worker thread of the core or of this file;
 * the dialog's GCancellable is cancelled when it closes. */
#define G_LOG_DOMAIN "passthrough"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pt-application.h"
#include "pt-debug.h"
#include "pt-mnemonic.h"
#include "pt-vm.h"
#include "pt-vm-dialog.h"
#include "pt-vm-domain-row.h"

struct _PtVmDialog
{
  AdwWindow            parent_instance;

  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkButton           *cancel_button;
  GtkButton           *back_button;
  GtkButton           *action_button;
  GtkStack            *stack;
  AdwEntryRow         *uri_row;
  GtkButton           *connect_button;
  AdwActionRow        *status_row;
  GtkSpinner          *status_spinner;
  GtkImage            *status_icon;
  AdwPreferencesGroup *target_group;
  GtkCheckButton      *new_check;
  GtkCheckButton      *existing_check;
  AdwPreferencesGroup *new_group;
  AdwEntryRow         *name_row;
  GtkLabel            *name_error;
  AdwPreferencesGroup *hardware_group;
  GtkSpinButton       *memory_spin;
  GtkSpinButton       *vcpus_spin;
  AdwComboRow         *graphics_row;
  AdwPreferencesGroup *storage_group;
  AdwComboRow         *disk_row;
  AdwActionRow        *disk_size_row;
  GtkSpinButton       *disk_size_spin;
  AdwActionRow        *disk_path_row;
  AdwActionRow        *iso_row;
  GtkButton           *iso_clear_button;
  GtkButton           *iso_button;
  GtkButton           *disk_path_button;
  AdwPreferencesGroup *existing_group;
  GtkListBox          *domain_list;
  GtkLabel            *domain_placeholder;
  AdwStatusPage       *busy_page;
  AdwStatusPage       *error_page;
  AdwPreferencesPage  *review_page;
  AdwPreferencesGroup *summary_group;
  GtkListBox          *summary_list;
  AdwPreferencesGroup *live_group;
  AdwActionRow        *live_row;
  GtkSwitch           *live_switch;
  AdwPreferencesGroup *issues_group;
  GtkListBox          *issues_list;
  AdwPreferencesGroup *diff_group;
  GtkTextView         *diff_view;
  AdwStatusPage       *done_page;
  GtkButton           *virt_manager_button;
  GtkLabel            *virt_manager_note;

  PtSelection         *selection;
  PtPlan              *plan;           /* the dialog's own: the core's threads read it */
  char                *plan_error;
  GCancellable        *cancellable;    /* replaced on each Connect, cancelled on close */
  PtVmConnection      *connection;
  PtVmResources        resources;
  GPtrArray           *domains;        /* PtVmDomainInfo, NULL until listed */
  GtkCheckButton      *domain_group;   /* never shown: makes even a single row a radio */
  gboolean             connecting;
  gboolean             listing;
  gboolean             uri_from_env;

  /* What is being reviewed or applied. */
  PtVmOp               op;
  char                *domain;
  PtVmState            domain_state;
  PtVmOptions         *options;        /* PT_VM_OP_CREATE only */
  PtVmResult          *preview;
  guint                preview_serial; /* only the newest preview is shown */
  gboolean             setting_live;   /* the switch is set by code, not by the user */
  char                *disk_path;      /* an existing image, chosen in the file chooser */
  char                *iso_path;
  char                *suggested_name; /* the last name the dialog filled in */

  /* PASSTHROUGH_VM_SCREENSHOT */
  char                *shot_key;
  guint                shot_frames;
  GHashTable          *shots_taken;
};

G_DEFINE_FINAL_TYPE (PtVmDialog, pt_vm_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_SELECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pt_vm_dialog_update (PtVmDialog *self);
static void row_remove_cb     (PtVmDomainRow *row,
                               PtVmDialog    *self);

/* ---- small helpers ------------------------------------------------------- */

/* TRUE when the answer to an asynchronous call is no longer wanted: the
 * dialog was closed, or Connect was pressed again since. */
static gboolean
is_stale (PtVmDialog   *self,
          GAsyncResult *result)
{
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return TRUE;
  return G_IS_TASK (result) && g_task_get_cancellable (G_TASK (result)) != self->cancellable;
}

static void
clear_list_box (GtkListBox *list)
{
  GtkListBoxRow *row;

  /* Rows only: the placeholder stays. */
  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static GtkWidget *
message_row_new (const char *icon_name,
                 const char *style_class,
                 const char *title,
                 const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  if (style_class != NULL)
    gtk_widget_add_css_class (icon, style_class);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  return row;
}

static PtVmDomainRow *
get_chosen_domain_row (PtVmDialog *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->domain_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (PT_IS_VM_DOMAIN_ROW (child) && pt_vm_domain_row_get_active (PT_VM_DOMAIN_ROW (child)))
      return PT_VM_DOMAIN_ROW (child);
  return NULL;
}

static gboolean
domain_exists (PtVmDialog *self,
               const char *name)
{
  if (self->domains == NULL)
    return FALSE;
  for (guint i = 0; i < self->domains->len; i++)
    {
      PtVmDomainInfo *info = g_ptr_array_index (self->domains, i);

      if (g_strcmp0 (info->name, name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* NULL when @name can be a new domain's name, else what is wrong with it. */
static char *
check_name (PtVmDialog *self,
            const char *name)
{
  if (name[0] == '\0')
    return g_strdup (_("Give the new VM a name."));
  if (strlen (name) > 64)
    return g_strdup (_("The name is too long: use at most 64 characters."));
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.+", *p) == NULL)
      return g_strdup (_("Use only letters, digits, “-”, “_”, “.” and “+” in the name."));
  if (name[0] == '.' || name[0] == '-')
    return g_strdup (_("The name cannot start with “.” or “-”."));
  if (domain_exists (self, name))
    return g_strdup_printf (_("A VM named “%s” exists already. Choose another name, or choose "
                              "“Existing virtual machine” to add the GPU to it."), name);
  return NULL;
}

/* GTK 4.8 joins a widget's accessible label and the labels it is
 * "labelled by" (a button's mnemonic label, an action row's title), so a
 * screen reader hears "Apply Apply"; give the widget exactly one name. */
static void
set_accessible_name (GtkWidget  *widget,
                     const char *name)
{
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
set_action_label (PtVmDialog *self,
                  const char *label,
                  const char *accessible_name)
{
  gtk_button_set_label (self->action_button, label);
  pt_mnemonic_fix_button (self->action_button);
  set_accessible_name (GTK_WIDGET (self->action_button), accessible_name);
}

static void
show_page (PtVmDialog *self,
           const char *name)
{
  gboolean setup = g_str_equal (name, "setup");
  gboolean review = g_str_equal (name, "review");
  gboolean done = g_str_equal (name, "done");
  gboolean error = g_str_equal (name, "error");

  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), setup || g_str_equal (name, "busy"));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button),
                          review || (error && self->plan != NULL));
  gtk_widget_set_visible (GTK_WIDGET (self->action_button), setup || review || done || error);
  gtk_widget_remove_css_class (GTK_WIDGET (self->action_button), "destructive-action");
  gtk_widget_add_css_class (GTK_WIDGET (self->action_button), "suggested-action");

  if (setup)
    set_action_label (self, _("_Review"), _("Review"));
  else if (review && self->op == PT_VM_OP_DETACH)
    {
      set_action_label (self, _("_Remove"), _("Remove"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->action_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->action_button), "destructive-action");
    }
  else if (review && self->op == PT_VM_OP_CREATE)
    set_action_label (self, _("C_reate"), _("Create"));
  else if (review)
    set_action_label (self, _("_Apply"), _("Apply"));
  else if (done || error)
    set_action_label (self, _("_Close"), _("Close"));
  if (error)
    gtk_widget_remove_css_class (GTK_WIDGET (self->action_button), "suggested-action");

  /* The window keeps its name; the header says what is being done. */
  adw_window_title_set_title (self->window_title,
                              self->op == PT_VM_OP_DETACH && !setup
                              ? _("Remove GPU from a Virtual Machine")
                              : _("Add GPU to a Virtual Machine"));

  pt_vm_dialog_update (self);

  if (review || done)
    gtk_widget_grab_focus (gtk_widget_get_sensitive (GTK_WIDGET (self->action_button))
                           ? GTK_WIDGET (self->action_button)
                           : GTK_WIDGET (self->back_button));
  else if (error)
    gtk_widget_grab_focus (GTK_WIDGET (self->plan != NULL ? self->back_button : self->action_button));
}

static void
show_error (PtVmDialog *self,
            const char *title,
            const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, escaped);
  show_page (self, "error");
}

/* A title for the error page that names the problem; the message (from
 * the core) says what to do. */
static const char *
error_title (const GError *error,
             const char   *fallback)
{
  if (error->domain != PT_VM_ERROR)
    return fallback;
  switch ((PtVmError) error->code)
    {
    case PT_VM_ERROR_CONFLICT:
      return _("The GPU Belongs to Another VM");
    case PT_VM_ERROR_EXISTS:
      return _("The Name Is Taken");
    case PT_VM_ERROR_NO_DOMAIN:
      return _("The VM Is Gone");
    case PT_VM_ERROR_UNSUPPORTED:
      return _("The Hypervisor Cannot Pass Through a GPU");
    case PT_VM_ERROR_NO_DAEMON:
    case PT_VM_ERROR_PERMISSION:
    case PT_VM_ERROR_UNREACHABLE:
      return _("Cannot Reach the Hypervisor");
    case PT_VM_ERROR_FAILED:
    case PT_VM_ERROR_INVALID_XML:
    case PT_VM_ERROR_INVALID_ARGUMENT:
    default:
      return fallback;
    }
}

static void
show_busy (PtVmDialog *self,
           const char *title,
           const char *description)
{
  adw_status_page_set_title (self->busy_page, title);
  adw_status_page_set_description (self->busy_page, description);
  show_page (self, "busy");
}

/* TRUE when connected to the URI the entry shows: an edited URI needs
 * Connect first. */
static gboolean
connected_to_shown_uri (PtVmDialog *self)
{
  g_autofree char *uri = NULL;

  if (self->connection == NULL || self->connecting)
    return FALSE;
  uri = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->uri_row))));
  return g_strcmp0 (uri, pt_vm_connection_get_uri (self->connection)) == 0;
}

/* Sensitivity and visibility of the setup page and the action button. */
static void
pt_vm_dialog_update (PtVmDialog *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean is_new = gtk_check_button_get_active (self->new_check);
  gboolean existing_disk = adw_combo_row_get_selected (self->disk_row) == 1;
  gboolean can_review = FALSE;
  g_autofree char *name_problem = NULL;
  const char *name;

  if (page == NULL)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->new_group), is_new);
  gtk_widget_set_visible (GTK_WIDGET (self->hardware_group), is_new);
  gtk_widget_set_visible (GTK_WIDGET (self->storage_group), is_new);
  gtk_widget_set_visible (GTK_WIDGET (self->existing_group), !is_new);
  gtk_widget_set_visible (GTK_WIDGET (self->disk_size_row), !existing_disk);
  gtk_widget_set_visible (GTK_WIDGET (self->disk_path_row), existing_disk);
  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button), !self->connecting);

  name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  name_problem = check_name (self, name);
  /* An empty name is not an error the user made; just not done yet. */
  gtk_widget_set_visible (GTK_WIDGET (self->name_error), name_problem != NULL && name[0] != '\0');
  gtk_label_set_label (self->name_error, name_problem != NULL ? name_problem : "");
  if (name_problem != NULL && name[0] != '\0')
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->name_row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (self->name_row), GTK_ACCESSIBLE_STATE_INVALID);
    }

  if (connected_to_shown_uri (self) && self->plan != NULL)
    {
      if (is_new)
        can_review = name_problem == NULL && !self->listing
                     && (!existing_disk || self->disk_path != NULL);
      else
        {
          PtVmDomainRow *row = get_chosen_domain_row (self);

          can_review = row != NULL && pt_vm_domain_row_get_usable (row);
        }
    }

  if (g_str_equal (page, "setup"))
    gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), can_review);
  else if (g_str_equal (page, "review"))
    gtk_widget_set_sensitive (GTK_WIDGET (self->action_button),
                              self->preview != NULL && self->preview->changed);
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self->action_button), TRUE);
}

/* ---- connecting ---------------------------------------------------------- */

typedef enum
{
  STATUS_IDLE,
  STATUS_BUSY,
  STATUS_OK,
  STATUS_ERROR,
} StatusKind;

static void
set_status (PtVmDialog *self,
            StatusKind  kind,
            const char *title,
            const char *subtitle)
{
  static const char *icons[] = {
    [STATUS_IDLE] = "network-offline-symbolic",
    [STATUS_BUSY] = NULL,
    [STATUS_OK] = "emblem-ok-symbolic",
    [STATUS_ERROR] = "dialog-error-symbolic",
  };

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->status_row), subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_spinner), kind == STATUS_BUSY);
  gtk_spinner_set_spinning (self->status_spinner, kind == STATUS_BUSY);
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), kind != STATUS_BUSY);
  if (icons[kind] != NULL)
    gtk_image_set_from_icon_name (self->status_icon, icons[kind]);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "error");
  if (kind == STATUS_OK)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "success");
  else if (kind == STATUS_ERROR)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), "error");
}

/* Memory, vCPUs and disk size as pt_vm_options_fill_defaults() would
 * choose them for this hypervisor. */
static void
apply_defaults (PtVmDialog *self)
{
  g_autoptr(PtVmOptions) options = pt_vm_options_new (NULL);
  GtkAdjustment *memory = gtk_spin_button_get_adjustment (self->memory_spin);
  GtkAdjustment *vcpus = gtk_spin_button_get_adjustment (self->vcpus_spin);

  pt_vm_options_fill_defaults (options, &self->resources);
  if (self->resources.memory_mib > 0)
    gtk_adjustment_set_upper (memory, MAX (self->resources.memory_mib, options->memory_mib));
  if (self->resources.cpus > 0)
    gtk_adjustment_set_upper (vcpus, MAX (self->resources.cpus, options->vcpus));
  gtk_spin_button_set_value (self->memory_spin, options->memory_mib);
  gtk_spin_button_set_value (self->vcpus_spin, options->vcpus);
  gtk_spin_button_set_value (self->disk_size_spin, options->disk_size_gib);
}

/* A name for the new VM that is not taken yet, unless the user has typed
 * one: that one stays, and says so when it is taken. */
static void
suggest_name (PtVmDialog *self)
{
  const char *current = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  /* Translators: the suggested name of a new VM; a libvirt domain name, so
   * only letters, digits, "-", "_", "." and "+". */
  const char *base = C_("vm name", "passthrough");
  g_autofree char *name = g_strdup (base);

  if (current[0] != '\0' && g_strcmp0 (current, self->suggested_name) != 0)
    return;
  for (guint i = 2; domain_exists (self, name) && i < 100; i++)
    {
      g_free (name);
      name = g_strdup_printf ("%s-%u", base, i);
    }
  g_free (self->suggested_name);
  self->suggested_name = g_strdup (name);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PtVmDialog) self = user_data;
  g_autoptr(GPtrArray) domains = NULL;
  g_autoptr(GError) error = NULL;

  domains = pt_vm_connection_list_domains_finish (PT_VM_CONNECTION (source), result, &error);
  if (is_stale (self, result))
    return;
  self->listing = FALSE;

  clear_list_box (self->domain_list);
  if (domains == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot list the VMs: %s"), error->message);

      gtk_label_set_label (self->domain_placeholder, message);
      pt_vm_dialog_update (self);
      return;
    }

  gtk_label_set_label (self->domain_placeholder,
                       _("There are no VMs on this hypervisor yet. Choose “New virtual machine”."));
  for (guint i = 0; i < domains->len; i++)
    {
      PtVmDomainInfo *info = g_ptr_array_index (domains, i);
      GtkWidget *row = pt_vm_domain_row_new (info, self->domain_group);

      g_signal_connect_object (row, "toggled", G_CALLBACK (pt_vm_dialog_update), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (row, "remove", G_CALLBACK (row_remove_cb), self, 0);
      gtk_list_box_append (self->domain_list, row);
    }

  g_clear_pointer (&self->domains, g_ptr_array_unref);
  self->domains = g_steal_pointer (&domains);
  suggest_name (self);
  pt_vm_dialog_update (self);
}

static void
resources_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_autofree PtVmResources *resources = g_new0 (PtVmResources, 1);
  GError *error = NULL;

  if (!pt_vm_connection_get_resources (source, resources, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&resources), g_free);
}

static void
resources_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PtVmDialog) self = user_data;
  g_autofree PtVmResources *resources = NULL;
  g_autoptr(GError) error = NULL;

  resources = g_task_propagate_pointer (G_TASK (result), &error);
  if (is_stale (self, result))
    return;
  if (resources == NULL)
    {
      /* Not fatal: the defaults then assume a modest machine. */
      g_debug ("No node info from the hypervisor: %s", error->message);
      return;
    }
  self->resources = *resources;
  apply_defaults (self);
}

static void
open_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PtVmDialog) self = user_data;
  g_autoptr(PtVmConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  const char *uri;

  connection = pt_vm_connection_open_finish (result, &error);
  if (is_stale (self, result))
    return;
  self->connecting = FALSE;

  if (connection == NULL)
    {
      set_status (self, STATUS_ERROR, _("Cannot connect"), error->message);
      gtk_label_set_label (self->domain_placeholder,
                           _("Connect to see the VMs on this hypervisor."));
      pt_vm_dialog_update (self);
      return;
    }

  self->connection = g_steal_pointer (&connection);
  uri = pt_vm_connection_get_uri (self->connection);
  set_status (self, STATUS_OK, _("Connected"), uri);

  /* Remember a URI that worked, unless it came from the test hook. */
  if (!self->uri_from_env)
    {
      GApplication *app = g_application_get_default ();

      if (PT_IS_APPLICATION (app))
        {
          GSettings *settings = pt_application_get_settings (PT_APPLICATION (app));
          g_autofree char *saved = g_settings_get_string (settings, "libvirt-uri");

          if (g_strcmp0 (saved, uri) != 0)
            g_settings_set_string (settings, "libvirt-uri", uri);
        }
    }

  task = g_task_new (self->connection, self->cancellable, resources_cb, g_object_ref (self));
  g_task_set_source_tag (task, resources_thread);
  g_task_run_in_thread (task, resources_thread);

  self->listing = TRUE;
  gtk_label_set_label (self->domain_placeholder, _("Looking for VMs…"));
  pt_vm_connection_list_domains_async (self->connection, self->plan, self->cancellable,
                                       list_cb, g_object_ref (self));
  pt_vm_dialog_update (self);
}

static void
pt_vm_dialog_connect (PtVmDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->uri_row));
  g_autofree char *uri = g_strstrip (g_strdup (text));
  g_autofree char *connecting = NULL;

  if (uri[0] == '\0')
    {
      g_free (uri);
      uri = g_strdup (PT_VM_DEFAULT_URI);
      gtk_editable_set_text (GTK_EDITABLE (self->uri_row), uri);
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->connection);
  g_clear_pointer (&self->domains, g_ptr_array_unref);
  memset (&self->resources, 0, sizeof self->resources);
  clear_list_box (self->domain_list);
  gtk_label_set_label (self->domain_placeholder, _("Connecting…"));
  self->connecting = TRUE;
  self->listing = FALSE;

  /* Translators: %s is a libvirt URI such as qemu:///system. */
  connecting = g_strdup_printf (_("Connecting to %s…"), uri);
  set_status (self, STATUS_BUSY, connecting, NULL);
  pt_vm_connection_open_async (uri, self->cancellable, open_cb, g_object_ref (self));
  pt_vm_dialog_update (self);
}

static void
connect_clicked_cb (PtVmDialog *self)
{
  pt_vm_dialog_connect (self);
}

static void
uri_changed_cb (PtVmDialog *self)
{
  /* Editing the URI away from the connected one asks for a new Connect. */
  if (self->connection != NULL && !self->connecting)
    {
      if (connected_to_shown_uri (self))
        set_status (self, STATUS_OK, _("Connected"), pt_vm_connection_get_uri (self->connection));
      else
        set_status (self, STATUS_IDLE, _("Not connected"), _("Press Connect to use this URI."));
    }
  pt_vm_dialog_update (self);
}

/* ---- the setup form ------------------------------------------------------ */

static void
form_changed_cb (PtVmDialog *self)
{
  pt_vm_dialog_update (self);
}

static void
target_toggled_cb (PtVmDialog *self)
{
  pt_vm_dialog_update (self);
}

static void
set_path_row (AdwActionRow *row,
              const char   *path,
              const char   *none)
{
  adw_action_row_set_subtitle (row, path != NULL ? path : none);
}

static void
disk_response_cb (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  g_autoptr(PtVmDialog) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      g_free (self->disk_path);
      self->disk_path = g_file_get_path (file);
      set_path_row (self->disk_path_row, self->disk_path, _("None chosen"));
      pt_vm_dialog_update (self);
    }
  g_object_unref (chooser);
}

static void
iso_response_cb (GtkNativeDialog *chooser,
                 int              response,
                 gpointer         user_data)
{
  g_autoptr(PtVmDialog) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      g_free (self->iso_path);
      self->iso_path = g_file_get_path (file);
      set_path_row (self->iso_row, self->iso_path, _("None (optional)"));
      gtk_widget_set_visible (GTK_WIDGET (self->iso_clear_button), self->iso_path != NULL);
    }
  g_object_unref (chooser);
}

/* The paths are the hypervisor's: for a remote URI the user types them as
 * they are over there, which the native chooser cannot browse. */
static void
choose_file (PtVmDialog    *self,
             const char    *title,
             GtkFileFilter *filter,
             GCallback      response_cb)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Choose"), _("_Cancel"));
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", response_cb, g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
choose_disk_cb (PtVmDialog *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Disk images"));
  gtk_file_filter_add_suffix (filter, "qcow2");
  gtk_file_filter_add_suffix (filter, "img");
  gtk_file_filter_add_suffix (filter, "raw");
  choose_file (self, _("Choose Disk Image"), filter, G_CALLBACK (disk_response_cb));
}

static void
choose_iso_cb (PtVmDialog *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Disc images (ISO)"));
  gtk_file_filter_add_mime_type (filter, "application/x-cd-image");
  gtk_file_filter_add_suffix (filter, "iso");
  choose_file (self, _("Choose Installation Medium"), filter, G_CALLBACK (iso_response_cb));
}

static void
clear_iso_cb (PtVmDialog *self)
{
  g_clear_pointer (&self->iso_path, g_free);
  set_path_row (self->iso_row, NULL, _("None (optional)"));
  gtk_widget_set_visible (GTK_WIDGET (self->iso_clear_button), FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->iso_row));
}

static PtVmOptions *
options_from_form (PtVmDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  PtVmOptions *options = pt_vm_options_new (name);

  options->memory_mib = (guint64) gtk_spin_button_get_value_as_int (self->memory_spin);
  options->vcpus = (guint) gtk_spin_button_get_value_as_int (self->vcpus_spin);
  options->graphics = adw_combo_row_get_selected (self->graphics_row) == 1
                      ? PT_VM_GRAPHICS_NONE : PT_VM_GRAPHICS_SPICE;
  if (adw_combo_row_get_selected (self->disk_row) == 1)
    options->disk_path = g_strdup (self->disk_path);
  else
    options->disk_size_gib = (guint64) gtk_spin_button_get_value_as_int (self->disk_size_spin);
  options->iso_path = g_strdup (self->iso_path);
  /* threads, pool and network: the core's defaults for this hypervisor. */
  pt_vm_options_fill_defaults (options, &self->resources);
  return options;
}

/* ---- review -------------------------------------------------------------- */

/* adw_preferences_page_scroll_to_top() is libadwaita 1.3: reset the page's
 * own scrolled window, its first child in 1.2. */
static void
scroll_to_top (GtkWidget *page)
{
  GtkWidget *child = gtk_widget_get_first_child (page);

  if (GTK_IS_SCROLLED_WINDOW (child))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (child)), 0);
}

static gboolean
domain_running (PtVmDialog *self)
{
  return self->op != PT_VM_OP_CREATE && pt_vm_state_is_active (self->domain_state);
}

/* The switch that also changes the live system (PT_VM_RUN_LIVE): hot-plug
 * into a running VM, or unplug and give the GPU back to the host. Offered
 * for a running VM, and for removal from a stopped one (a GPU hot-plugged
 * earlier stays on vfio-pci when its VM stops). */
static gboolean
live_offered (PtVmDialog *self)
{
  return self->op == PT_VM_OP_DETACH || (self->op == PT_VM_OP_ATTACH && domain_running (self));
}

static gboolean
live_requested (PtVmDialog *self)
{
  return live_offered (self) && gtk_switch_get_active (self->live_switch);
}

static void
update_live_row (PtVmDialog *self)
{
  gboolean on = gtk_switch_get_active (self->live_switch);
  const char *title;
  const char *subtitle;

  if (self->op == PT_VM_OP_ATTACH)
    {
      title = _("Add to the Running VM Now");
      subtitle = on ? _("The host gives up the GPU at once and the VM gets it without a restart "
                        "(hotplug). It stays on vfio-pci when the VM stops, until you remove it "
                        "again.")
                    : _("Off: the GPU is added at the VM’s next start.");
    }
  else if (domain_running (self))
    {
      title = _("Remove from the Running VM Now");
      subtitle = on ? _("The guest is asked to release the GPU now, then the host gets it back. "
                        "Close what uses the GPU in the guest first.")
                    : _("Off: the VM keeps the GPU until it shuts down.");
    }
  else
    {
      title = _("Give the GPU Back to the Host");
      subtitle = on ? _("Its drivers take it back now, if it is still on vfio-pci (as after adding "
                        "it to a running VM).")
                    : _("Off: the GPU stays on the driver it has now.");
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->live_row), title);
  /* The row's activatable widget: libadwaita labels the switch with the
   * row's title and describes it with the subtitle. */
  adw_action_row_set_subtitle (self->live_row, subtitle);
}

/* Sets up the live switch for a new review: shown when offered, off. */
static void
reset_live (PtVmDialog *self)
{
  self->setting_live = TRUE;
  gtk_switch_set_active (self->live_switch, FALSE);
  self->setting_live = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->live_group), live_offered (self));
  update_live_row (self);
}

static void
fill_review (PtVmDialog *self, gboolean refresh)
{
  PtVmResult *preview = self->preview;
  g_autofree char *title = NULL;
  const char *description = NULL;
  gboolean running = domain_running (self);
  guint n_issues = 0;

  switch (self->op)
    {
    case PT_VM_OP_CREATE:
      /* Translators: %s is a VM name. */
      title = g_strdup_printf (_("New VM “%s”"), self->domain);
      description = _("Nothing is written until you press Create.");
      break;
    case PT_VM_OP_ATTACH:
      /* Translators: %s is a VM name. */
      title = g_strdup_printf (_("Changes to “%s”"), self->domain);
      description = _("Only these devices are added; everything else in the VM stays as it is.");
      break;
    case PT_VM_OP_DETACH:
    default:
      /* Translators: %s is a VM name. */
      title = g_strdup_printf (_("Removal from “%s”"), self->domain);
      description = _("Only these devices are removed; everything else in the VM stays as it is.");
      break;
    }
  adw_preferences_group_set_title (self->summary_group, title);
  adw_preferences_group_set_description (self->summary_group, description);

  clear_list_box (self->summary_list);
  for (guint i = 0; preview->summary != NULL && i < preview->summary->len; i++)
    {
      const char *line = g_ptr_array_index (preview->summary, i);

      gtk_list_box_append (self->summary_list,
                           message_row_new (self->op == PT_VM_OP_DETACH
                                            ? "list-remove-symbolic" : "list-add-symbolic",
                                            NULL, line, NULL));
    }
  if (!preview->changed)
    {
      const char *nothing = self->op == PT_VM_OP_DETACH
                            ? _("Nothing to remove: the VM does not have these devices.")
                            : _("Nothing to change: the VM has these devices already.");

      gtk_list_box_append (self->summary_list,
                           message_row_new ("emblem-ok-symbolic", "success", nothing, NULL));
    }

  clear_list_box (self->issues_list);
  if (running && preview->changed && !live_requested (self))
    {
      /* Translators: %s is a VM name. */
      g_autofree char *what = g_strdup_printf (_("“%s” is running"), self->domain);

      gtk_list_box_append (self->issues_list,
                           message_row_new ("dialog-information-symbolic", NULL, what,
                                            _("The change is stored now and applies at the VM’s "
                                              "next start: shut it down and start it again (a "
                                              "restart inside the guest is not enough).")));
      n_issues++;
    }
  for (guint i = 0; preview->issues != NULL && i < preview->issues->len; i++)
    {
      PtVmIssue *issue = g_ptr_array_index (preview->issues, i);

      gtk_list_box_append (self->issues_list,
                           message_row_new (issue->fatal ? "dialog-error-symbolic"
                                                         : "dialog-warning-symbolic",
                                            issue->fatal ? "error" : "warning",
                                            issue->message, issue->fix));
      n_issues++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->issues_group), n_issues > 0);

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->diff_view),
                            preview->diff != NULL ? preview->diff : "", -1);
  gtk_widget_set_visible (GTK_WIDGET (self->diff_group),
                          preview->diff != NULL && preview->diff[0] != '\0');

  if (!refresh)
    scroll_to_top (GTK_WIDGET (self->review_page));
}

typedef struct
{
  PtVmDialog *self;
  guint       serial;
  gboolean    refresh;   /* the review is showing: update it in place */
} PreviewCall;

static void
preview_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  PreviewCall *call = user_data;
  g_autoptr(PtVmDialog) self = call->self;
  gboolean refresh = call->refresh;
  gboolean newest = call->serial == self->preview_serial;
  g_autoptr(PtVmResult) preview = NULL;
  g_autoptr(GError) error = NULL;

  g_free (call);
  preview = pt_vm_connection_run_finish (PT_VM_CONNECTION (source), result, &error);
  if (is_stale (self, result) || !newest)
    return;
  if (preview == NULL)
    {
      show_error (self, error_title (error, _("Cannot Prepare the Change")), error->message);
      return;
    }

  g_clear_pointer (&self->preview, pt_vm_result_free);
  self->preview = g_steal_pointer (&preview);
  fill_review (self, refresh);
  if (!refresh)
    show_page (self, "review");
}

/* @refresh: the review is showing and only the live switch changed; the
 * summary is updated in place, without the busy page. */
static void
start_preview (PtVmDialog *self, gboolean refresh)
{
  PreviewCall *call = g_new0 (PreviewCall, 1);

  call->self = g_object_ref (self);
  call->serial = ++self->preview_serial;
  call->refresh = refresh;
  if (!refresh)
    {
      g_clear_pointer (&self->preview, pt_vm_result_free);
      reset_live (self);
      show_busy (self, _("Preparing the Review"),
                 _("Reading the VM’s definition and checking for conflicts…"));
    }
  pt_vm_connection_run_async (self->connection, self->op, self->domain, self->plan, self->options,
                              PT_VM_RUN_PREVIEW | (live_requested (self) ? PT_VM_RUN_LIVE : 0),
                              self->cancellable, preview_cb, call);
}

static void
live_switch_cb (PtVmDialog *self)
{
  if (self->setting_live)
    return;
  update_live_row (self);
  if (self->preview != NULL && self->connection != NULL)
    start_preview (self, TRUE);
}

static void
review (PtVmDialog *self)
{
  g_clear_pointer (&self->domain, g_free);
  g_clear_pointer (&self->options, pt_vm_options_free);

  if (gtk_check_button_get_active (self->new_check))
    {
      self->op = PT_VM_OP_CREATE;
      self->options = options_from_form (self);
      self->domain = g_strdup (self->options->name);
      self->domain_state = PT_VM_STATE_OFF;
    }
  else
    {
      PtVmDomainRow *row = get_chosen_domain_row (self);

      g_return_if_fail (row != NULL);
      self->op = PT_VM_OP_ATTACH;
      self->domain = g_strdup (pt_vm_domain_row_get_name (row));
      self->domain_state = pt_vm_domain_row_get_state (row);
    }
  start_preview (self, FALSE);
}

/* "Remove GPU…" on a domain that has the plan: the same preview, for
 * PT_VM_OP_DETACH. The row knows nothing about the dialog. */
static void
row_remove_cb (PtVmDomainRow *row,
               PtVmDialog    *self)
{
  if (self->connection == NULL || self->connecting)
    return;
  g_clear_pointer (&self->domain, g_free);
  g_clear_pointer (&self->options, pt_vm_options_free);
  self->op = PT_VM_OP_DETACH;
  self->domain = g_strdup (pt_vm_domain_row_get_name (row));
  self->domain_state = pt_vm_domain_row_get_state (row);
  start_preview (self, FALSE);
}

/* ---- apply and after ----------------------------------------------------- */

static void
apply_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PtVmDialog) self = user_data;
  g_autoptr(PtVmResult) done = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  g_autofree char *virt_manager = NULL;

  done = pt_vm_connection_run_finish (PT_VM_CONNECTION (source), result, &error);
  if (is_stale (self, result))
    return;
  if (done == NULL)
    {
      show_error (self, error_title (error, _("The VM Was Not Changed")), error->message);
      return;
    }

  switch (self->op)
    {
    case PT_VM_OP_CREATE:
      /* Translators: %s is a VM name. */
      title = g_strdup_printf (_("“%s” Is Ready"), self->domain);
      description = g_strdup (self->iso_path != NULL
                              ? _("Start it and install the guest system from the installation "
                                  "medium, then the GPU’s driver inside the guest.")
                              : _("Start it and install the guest system, then the GPU’s driver "
                                  "inside the guest."));
      break;
    case PT_VM_OP_ATTACH:
      /* Translators: %s is a VM name. */
      title = g_strdup_printf (_("GPU Added to “%s”"), self->domain);
      if (done->live == PT_VM_LIVE_APPLIED)
        description = g_strdup (_("The running VM has the GPU now. Install or start its driver in "
                                  "the guest if it does not appear."));
      else if (done->live == PT_VM_LIVE_FAILED)
        /* Translators: %s says why, in libvirt's words. */
        description = g_strdup_printf (_("The running VM could not take it now: %s It gets the GPU "
                                         "when you shut it down and start it again."),
                                       done->live_error);
      else
        description = g_strdup (done->running
                                ? _("The VM is running: it gets the GPU when you shut it down and "
                                    "start it again.")
                                : _("The VM gets the GPU when it starts."));
      break;
    case PT_VM_OP_DETACH:
    default:
      /* Translators: %s is a VM name. */
      title = g_strdup_printf (_("GPU Removed from “%s”"), self->domain);
      if (done->live == PT_VM_LIVE_APPLIED)
        description = g_strdup (_("The GPU is back with the host."));
      else if (done->live == PT_VM_LIVE_PENDING)
        description = g_strdup (_("The guest has been asked to release the GPU and has not done so "
                                  "yet. It leaves when the guest lets it go, at the latest when "
                                  "the VM shuts down; remove it again then to give it back to the "
                                  "host."));
      else if (done->live == PT_VM_LIVE_FAILED)
        /* Translators: %s says why, in libvirt's words. */
        description = g_strdup_printf (_("The stored definition no longer has the GPU, but the live "
                                         "change failed: %s"), done->live_error);
      else
        description = g_strdup (done->running
                                ? _("The VM is running: it keeps the GPU until you shut it down.")
                                : _("The GPU stays with the host when the VM starts."));
      break;
    }
  adw_status_page_set_title (self->done_page, title);
  adw_status_page_set_description (self->done_page, description);

  virt_manager = g_find_program_in_path ("virt-manager");
  gtk_widget_set_visible (GTK_WIDGET (self->virt_manager_button), virt_manager != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->virt_manager_note), virt_manager == NULL);
  show_page (self, "done");
}

static void
apply (PtVmDialog *self)
{
  const char *title;

  switch (self->op)
    {
    case PT_VM_OP_CREATE:
      title = _("Creating the VM");
      break;
    case PT_VM_OP_ATTACH:
      title = _("Adding the GPU");
      break;
    case PT_VM_OP_DETACH:
    default:
      title = _("Removing the GPU");
      break;
    }
  show_busy (self, title, NULL);
  pt_vm_connection_run_async (self->connection, self->op, self->domain, self->plan, self->options,
                              live_requested (self) ? PT_VM_RUN_LIVE : PT_VM_RUN_DEFAULT,
                              self->cancellable, apply_cb, g_object_ref (self));
}

static void
virt_manager_clicked_cb (PtVmDialog *self)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = {
    "virt-manager",
    "--connect", pt_vm_connection_get_uri (self->connection),
    "--show-domain-console", self->domain,
    NULL
  };

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  if (process == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Cannot start Virtual Machine Manager: %s"),
                                                  error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
action_clicked_cb (PtVmDialog *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->action_button)))
    return;
  if (g_str_equal (page, "setup"))
    review (self);
  else if (g_str_equal (page, "review"))
    apply (self);
  else if (g_str_equal (page, "done") || g_str_equal (page, "error"))
    gtk_window_close (GTK_WINDOW (self));
}

static void
back_clicked_cb (PtVmDialog *self)
{
  g_clear_pointer (&self->preview, pt_vm_result_free);
  show_page (self, "setup");
}

/* ---- PASSTHROUGH_VM_SCREENSHOT ------------------------------------------- */

/* Debug hook for looking at the dialog without a display: with
 * PASSTHROUGH_VM_SCREENSHOT=PREFIX the dialog renders itself into
 * PREFIX-PAGE.png (PAGE: setup-new, setup-existing, review, error, done)
 * each time a page has settled, once per page. Size it with
 * PASSTHROUGH_VM_SCREENSHOT_SIZE=WxH. */
static gboolean
screenshot_tick_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  PtVmDialog *self = PT_VM_DIALOG (widget);
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;

  if (page == NULL || g_str_equal (page, "busy") || self->connecting || self->listing)
    {
      self->shot_frames = 0;
      return G_SOURCE_CONTINUE;
    }
  key = g_str_equal (page, "setup")
        ? g_strdup_printf ("setup-%s",
                           gtk_check_button_get_active (self->new_check) ? "new" : "existing")
        : g_strdup (page);
  if (g_strcmp0 (key, self->shot_key) != 0)
    {
      g_free (self->shot_key);
      self->shot_key = g_strdup (key);
      self->shot_frames = 0;
    }
  if (self->shot_frames++ != 40 || g_hash_table_contains (self->shots_taken, key))
    return G_SOURCE_CONTINUE;

  path = g_strdup_printf ("%s-%s.png", g_getenv ("PASSTHROUGH_VM_SCREENSHOT"), key);
  if (!pt_debug_save_screenshot (widget, path))
    {
      self->shot_frames = 0;
      return G_SOURCE_CONTINUE;
    }
  g_hash_table_add (self->shots_taken, g_steal_pointer (&key));
  return G_SOURCE_CONTINUE;
}

/* ---- the object ---------------------------------------------------------- */

static void
set_up_plan (PtVmDialog *self)
{
  PtHost *host = pt_selection_get_host (self->selection);
  const char *const *gpus = pt_selection_get_gpus (self->selection);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);

  if (host == NULL || gpus == NULL || gpus[0] == NULL)
    {
      show_error (self, _("No GPU Chosen"),
                  _("Tick the GPU to pass through in Devices or in the setup assistant first."));
      return;
    }
  self->plan = pt_plan_new (host, gpus, pt_selection_get_flags (self->selection), &error);
  if (self->plan == NULL)
    {
      show_error (self, _("This GPU Cannot Be Passed Through"), error->message);
      return;
    }

  for (guint i = 0; i < self->plan->requested->len; i++)
    {
      PtDevice *device = g_ptr_array_index (self->plan->requested, i);
      g_autofree char *name = pt_device_dup_display_name (device);

      if (subtitle->len > 0)
        g_string_append (subtitle, ", ");
      /* Translators: a GPU: its name, then its PCI address. */
      g_string_append_printf (subtitle, _("%s (%s)"), name, pt_device_get_address (device));
    }
  adw_window_title_set_subtitle (self->window_title, subtitle->str);
}

static gboolean
pt_vm_dialog_close_request (GtkWindow *window)
{
  PtVmDialog *self = PT_VM_DIALOG (window);

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (pt_vm_dialog_parent_class)->close_request (window);
}

static void
pt_vm_dialog_constructed (GObject *object)
{
  PtVmDialog *self = PT_VM_DIALOG (object);
  GApplication *app = g_application_get_default ();
  /* PASSTHROUGH_LIBVIRT_URI overrides the libvirt-uri setting and is not
   * saved: the UI test points the dialog at test:///default with it. */
  const char *env_uri = g_getenv ("PASSTHROUGH_LIBVIRT_URI");
  g_autofree char *uri = NULL;

  G_OBJECT_CLASS (pt_vm_dialog_parent_class)->constructed (object);

  if (env_uri != NULL && env_uri[0] != '\0')
    {
      uri = g_strdup (env_uri);
      self->uri_from_env = TRUE;
    }
  else if (PT_IS_APPLICATION (app))
    uri = g_settings_get_string (pt_application_get_settings (PT_APPLICATION (app)), "libvirt-uri");
  gtk_editable_set_text (GTK_EDITABLE (self->uri_row), uri != NULL ? uri : PT_VM_DEFAULT_URI);

  apply_defaults (self);
  suggest_name (self);
  show_page (self, "setup");
  if (self->selection != NULL)
    set_up_plan (self);
  else
    show_error (self, _("No GPU Chosen"),
                _("Tick the GPU to pass through in Devices or in the setup assistant first."));

  if (g_getenv ("PASSTHROUGH_VM_SCREENSHOT") != NULL)
    {
      int width = 0, height = 0;
      const char *size = g_getenv ("PASSTHROUGH_VM_SCREENSHOT_SIZE");

      if (size != NULL && sscanf (size, "%dx%d", &width, &height) == 2)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      self->shots_taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      gtk_widget_add_tick_callback (GTK_WIDGET (self), screenshot_tick_cb, NULL, NULL);
    }

  /* Connecting to a local libvirt is what nearly everyone wants first;
   * then the choice between a new and an existing VM. */
  if (self->plan != NULL)
    {
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->new_check));
      pt_vm_dialog_connect (self);
    }
}

static void
pt_vm_dialog_dispose (GObject *object)
{
  PtVmDialog *self = PT_VM_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), PT_TYPE_VM_DIALOG);

  G_OBJECT_CLASS (pt_vm_dialog_parent_class)->dispose (object);
}

static void
pt_vm_dialog_finalize (GObject *object)
{
  PtVmDialog *self = PT_VM_DIALOG (object);

  /* Every callback holds a reference, so no worker thread reads the plan
   * any more. */
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connection);
  g_clear_object (&self->selection);
  g_clear_object (&self->domain_group);
  g_clear_pointer (&self->plan, pt_plan_free);
  g_clear_pointer (&self->domains, g_ptr_array_unref);
  g_clear_pointer (&self->domain, g_free);
  g_clear_pointer (&self->options, pt_vm_options_free);
  g_clear_pointer (&self->preview, pt_vm_result_free);
  g_clear_pointer (&self->disk_path, g_free);
  g_clear_pointer (&self->iso_path, g_free);
  g_clear_pointer (&self->suggested_name, g_free);
  g_clear_pointer (&self->shot_key, g_free);
  g_clear_pointer (&self->shots_taken, g_hash_table_unref);

  G_OBJECT_CLASS (pt_vm_dialog_parent_class)->finalize (object);
}

static void
pt_vm_dialog_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PtVmDialog *self = PT_VM_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SELECTION:
      g_value_set_object (value, self->selection);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_vm_dialog_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PtVmDialog *self = PT_VM_DIALOG (object);

  switch (prop_id)
    {
    case PROP_SELECTION:
      self->selection = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pt_vm_dialog_class_init (PtVmDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = pt_vm_dialog_constructed;
  object_class->dispose = pt_vm_dialog_dispose;
  object_class->finalize = pt_vm_dialog_finalize;
  object_class->get_property = pt_vm_dialog_get_property;
  object_class->set_property = pt_vm_dialog_set_property;
  window_class->close_request = pt_vm_dialog_close_request;

  properties[PROP_SELECTION] =
    g_param_spec_object ("selection", NULL, NULL, PT_TYPE_SELECTION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PT_TYPE_VM_DOMAIN_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passthrough/Passthrough/vm/pt-vm-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, back_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, action_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, uri_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, status_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, status_spinner);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, target_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, new_check);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, existing_check);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, new_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, hardware_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, memory_spin);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, vcpus_spin);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, graphics_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, storage_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, disk_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, disk_size_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, disk_size_spin);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, disk_path_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, iso_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, iso_clear_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, iso_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, disk_path_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, existing_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, domain_list);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, domain_placeholder);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, busy_page);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, review_page);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, summary_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, summary_list);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, live_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, live_row);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, live_switch);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, issues_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, issues_list);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, diff_group);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, diff_view);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, done_page);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, virt_manager_button);
  gtk_widget_class_bind_template_child (widget_class, PtVmDialog, virt_manager_note);
  gtk_widget_class_bind_template_callback (widget_class, connect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, uri_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, target_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_disk_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_iso_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_iso_cb);
  gtk_widget_class_bind_template_callback (widget_class, action_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, virt_manager_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, live_switch_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pt_vm_dialog_init (PtVmDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pt_mnemonic_fix_buttons (GTK_WIDGET (self));

  self->domain_group = g_object_ref_sink (GTK_CHECK_BUTTON (gtk_check_button_new ()));
  /* A screen reader reads why a name is refused along with the name. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->name_row),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->name_error, NULL,
                                  -1);

  set_accessible_name (GTK_WIDGET (self->cancel_button), _("Cancel"));
  set_accessible_name (GTK_WIDGET (self->back_button), _("Back"));
  set_accessible_name (GTK_WIDGET (self->connect_button), _("Connect"));
  set_accessible_name (GTK_WIDGET (self->disk_path_button), _("Choose disk image"));
  set_accessible_name (GTK_WIDGET (self->iso_button), _("Choose installation medium"));
  set_accessible_name (GTK_WIDGET (self->virt_manager_button),
                       _("Open in Virtual Machine Manager"));
}

PtVmDialog *
pt_vm_dialog_new (GtkWindow   *parent,
                  PtSelection *selection)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PT_IS_SELECTION (selection), NULL);

  return g_object_new (PT_TYPE_VM_DIALOG,
                       "transient-for", parent,
                       "selection", selection,
                       NULL);
}
