/* pt-wizard-page.h: one step of the setup wizard. Pages say whether they are
 * complete (Next goes on), skippable (Next goes on anyway) and applying (a
 * change is running: navigation waits), and may have an apply hook that runs
 * when the user leaves them forward. */
#pragma once

#include <adwaita.h>
#include "pt-helper-client.h"
#include "pt-selection.h"

G_BEGIN_DECLS

#define PT_TYPE_WIZARD_PAGE (pt_wizard_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (PtWizardPage, pt_wizard_page, PT, WIZARD_PAGE, AdwBin)

struct _PtWizardPageClass
{
  AdwBinClass parent_class;

  /* The selection, its host or plan, the helper or the permission changed,
   * or the page is about to be shown: redraw from them. */
  void     (*update)       (PtWizardPage        *page);
  /* The page became the visible one. */
  void     (*shown)        (PtWizardPage        *page);
  /* Optional: work to finish before Next leaves the page. */
  void     (*apply_async)  (PtWizardPage        *page,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data);
  gboolean (*apply_finish) (PtWizardPage        *page,
                            GAsyncResult        *result,
                            GError             **error);

  gpointer padding[8];
};

const char     *pt_wizard_page_get_id         (PtWizardPage *self);
const char     *pt_wizard_page_get_title      (PtWizardPage *self);
void            pt_wizard_page_set_title      (PtWizardPage *self,
                                               const char   *title);
gboolean        pt_wizard_page_get_complete   (PtWizardPage *self);
void            pt_wizard_page_set_complete   (PtWizardPage *self,
                                               gboolean      complete);
gboolean        pt_wizard_page_get_skippable  (PtWizardPage *self);
void            pt_wizard_page_set_skippable  (PtWizardPage *self,
                                               gboolean      skippable);
gboolean        pt_wizard_page_get_applying   (PtWizardPage *self);
void            pt_wizard_page_set_applying   (PtWizardPage *self,
                                               gboolean      applying);

PtSelection    *pt_wizard_page_get_selection  (PtWizardPage   *self);
void            pt_wizard_page_set_selection  (PtWizardPage   *self,
                                               PtSelection    *selection);
PtHelperClient *pt_wizard_page_get_client     (PtWizardPage   *self);
void            pt_wizard_page_set_client     (PtWizardPage   *self,
                                               PtHelperClient *client);
/* polkit's permission for configure-boot, NULL until known or without polkit. */
GPermission    *pt_wizard_page_get_permission (PtWizardPage   *self);
void            pt_wizard_page_set_permission (PtWizardPage   *self,
                                               GPermission    *permission);
/* The host of the selection, or NULL before it is read. */
PtHost         *pt_wizard_page_get_host       (PtWizardPage   *self);
/* The application's settings (wizard-* keys). */
GSettings      *pt_wizard_page_get_settings   (PtWizardPage   *self);
/* Cancelled when the page goes away. */
GCancellable   *pt_wizard_page_get_cancellable (PtWizardPage  *self);

void            pt_wizard_page_update         (PtWizardPage *self);
void            pt_wizard_page_shown          (PtWizardPage *self);
gboolean        pt_wizard_page_has_apply      (PtWizardPage *self);
void            pt_wizard_page_apply_async    (PtWizardPage        *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        pt_wizard_page_apply_finish   (PtWizardPage  *self,
                                               GAsyncResult  *result,
                                               GError       **error);

/* Helpers for pages. */
/* Removes every row a page added to a boxed list. */
void            pt_wizard_clear_list          (GtkListBox   *list);
/* A label row for a boxed list that says @text; @css_class may be NULL. */
GtkWidget      *pt_wizard_message_row_new     (const char   *icon_name,
                                               const char   *text,
                                               const char   *css_class);
/* A row with an icon (@icon_name, in @css_class unless NULL), @title and,
 * unless NULL, @subtitle. With a @state ("Passed"), the icon's tooltip and
 * accessible name say it and a screen reader hears "@state: @title";
 * without, the icon is decoration, hidden from screen readers. */
GtkWidget      *pt_wizard_status_row_new      (const char   *icon_name,
                                               const char   *css_class,
                                               const char   *state,
                                               const char   *title,
                                               const char   *subtitle);
/* Rows for the Finished JSON of a change: the error or message, each file
 * with what happened to it, each command with its state. */
void            pt_wizard_fill_result         (GtkListBox   *list,
                                               gboolean      ok,
                                               const char   *json);
/* Asks polkit through @permission (may be NULL: then the helper asks
 * itself) unless it is already allowed. FALSE with an error when the user
 * dismissed the dialog or polkit refused. */
void            pt_wizard_authorize_async     (GPermission         *permission,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean        pt_wizard_authorize_finish    (GAsyncResult        *result,
                                               GError             **error);
/* Shows a toast in the window, if it is a PtWindow. */
void            pt_wizard_page_toast          (PtWizardPage *self,
                                               const char   *message);

G_END_DECLS
