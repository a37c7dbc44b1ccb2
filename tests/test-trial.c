/* test-trial.c: trial boots on fixture roots. "apply --trial" writes the
 * one-time entry (GRUB: a generator script, run here for real with sh and
 * Debian 12's 10_linux; systemd-boot, Fedora's BLS, Pop!_OS's kernelstub:
 * a copied loader entry) and the one-time command, and nothing that
 * changes the default boot; "confirm" refuses until the root's
 * proc/cmdline and driver links show the trial boot working, then applies
 * the permanent plan and removes the trial's files; rollback gives every
 * byte back. */
#define _GNU_SOURCE  /* ST_NOEXEC */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pt-bootconf.h"
#include "pt-bootconf-private.h"
#include "pt-fileutil.h"
#include "pt-host.h"
#include "pt-journal.h"
#include "pt-test-util.h"
#include "pt-trial.h"

#define ctl pt_test_ctl
#define parse_object pt_test_parse_object

#define SEED_ARGS "vfio-pci.ids=10de:13c2,10de:0fbb"

/* ---- trees, byte for byte ------------------------------------------------- */

/* ---- files under a root ------------------------------------------------ */

static char *
read_root_file (const char *root, const char *path)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  char *text = NULL;

  if (!g_file_get_contents (full, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
write_root_file (const char *root, const char *path, const char *text, int mode)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (full, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (full, mode), ==, 0);
}

static void
copy_fixture (const char *relative, const char *root, const char *path, int mode)
{
  g_autofree char *from = pt_test_fixture_path (relative);
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (from, &text, NULL, NULL));
  write_root_file (root, path, text, mode);
}

static gboolean
root_has (const char *root, const char *path)
{
  g_autofree char *full = g_build_filename (root, path, NULL);

  return g_file_test (full, G_FILE_TEST_EXISTS);
}

/* Moves a device to @driver the way the kernel shows it: the driver link
 * of its sysfs directory. */
static void
bind_to (const char *root, const char *address, const char *driver)
{
  g_autofree char *dev = g_build_filename (root, "sys/bus/pci/devices", address, NULL);
  g_autofree char *real = realpath (dev, NULL);
  g_autofree char *link = NULL;
  g_autofree char *old = NULL;
  g_autofree char *target = NULL;
  g_autofree char *drivers = g_build_filename (root, "sys/bus/pci/drivers", driver, NULL);
  char *slash;

  g_assert_nonnull (real);
  link = g_build_filename (real, "driver", NULL);
  old = g_file_read_link (link, NULL);
  g_assert_nonnull (old);
  /* same depth, other driver: "../../../bus/pci/drivers/nouveau" */
  slash = strrchr (old, '/');
  g_assert_nonnull (slash);
  *slash = '\0';
  target = g_strdup_printf ("%s/%s", old, driver);
  g_assert_cmpint (g_mkdir_with_parents (drivers, 0755), ==, 0);
  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (symlink (target, link), ==, 0);
}

/* ---- hosts --------------------------------------------------------------- */

/* The seed machine's hardware (GTX 970 on nouveau in group 1, its audio,
 * the iGPU as boot display) under @header: the distribution, kernel,
 * command line and files of each test. */
static char *
build_host (const char *header)
{
  g_autofree char *seed_path = pt_test_fixture_path ("hosts/seed.host");
  g_autofree char *seed = NULL;
  g_autoptr(GString) listing = g_string_new (header);
  const char *devices;
  const char *keep[] = {
    "CPU:", "CPU id:", "CPU cores:", "CPU threads:", "Virtualization:", "Board:", "System:",
    "BIOS:", "Firmware:", "Secure Boot:", "ACPI:", "Interrupt remapping:", "Root:",
    "Network:", NULL,
  };
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (seed_path, &seed, NULL, NULL));
  devices = strstr (seed, "\nIOMMU Group 0:");
  g_assert_nonnull (devices);
  lines = g_strsplit (seed, "\n", -1);
  for (guint i = 0; lines[i] != NULL && !g_str_has_prefix (lines[i], "IOMMU Group"); i++)
    for (guint k = 0; keep[k] != NULL; k++)
      if (g_str_has_prefix (lines[i], keep[k]) && strstr (header, keep[k]) == NULL)
        g_string_append_printf (listing, "%s\n", lines[i]);
  g_string_append (listing, devices);
  return pt_test_build_host_from_text (listing->str);
}

/* ---- running commands ------------------------------------------------- */

static char *
argv_lines (JsonObject *obj, const char *member)
{
  JsonArray *regenerate = json_object_get_array_member (obj, member);
  g_autoptr(GString) s = g_string_new (NULL);

  g_assert_nonnull (regenerate);
  for (guint i = 0; i < json_array_get_length (regenerate); i++)
    {
      JsonArray *argv = json_array_get_array_element (regenerate, i);

      for (guint k = 0; k < json_array_get_length (argv); k++)
        g_string_append_printf (s, "%s%s", k ? " " : "", json_array_get_string_element (argv, k));
      g_string_append_c (s, '\n');
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* "path change" per line, from an apply's "changes" (diffs from /dev/null
 * create, to /dev/null remove). */
static char *
change_lines (JsonObject *obj)
{
  JsonArray *changes = json_object_get_array_member (obj, "changes");
  g_autoptr(GString) s = g_string_new (NULL);

  g_assert_nonnull (changes);
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *c = json_array_get_object_element (changes, i);
      const char *diff = json_object_get_string_member (c, "diff");
      const char *what = g_str_has_prefix (diff, "--- /dev/null") ? "created"
                         : strstr (diff, "+++ /dev/null") != NULL ? "removed" : "modified";

      g_string_append_printf (s, "%s %s\n", json_object_get_string_member (c, "path"), what);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* apply --trial --json; returns the transaction id. */
static char *
apply_trial (const char *root, JsonParser *parser, JsonObject **out)
{
  g_auto(PtTestRun) r = { 0 };
  JsonObject *obj;

  ctl (&r, "--root", root, "apply", "--trial", "01:00.0", "--json");
  g_test_message ("%s%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  obj = parse_object (parser, r.out);
  g_assert_nonnull (json_object_get_string_member (obj, "transaction"));
  if (out != NULL)
    *out = obj;
  return g_strdup (json_object_get_string_member (obj, "transaction"));
}

/* The arguments an apply's trial entry adds, as one line. */
static char *
trial_args (JsonObject *obj)
{
  JsonArray *args = json_object_get_array_member (json_object_get_object_member (obj, "trial"),
                                                  "args");
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (args); i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", json_array_get_string_element (args, i));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* The trial boot as the kernel would show it: @args on proc/cmdline, and
 * the GPU and its audio on vfio-pci. */
static void
boot_trial (const char *root, const char *args, gboolean bind)
{
  g_autofree char *cmdline = read_root_file (root, "proc/cmdline");
  g_autofree char *trimmed = g_strstrip (g_strdup (cmdline));
  g_autofree char *booted = g_strdup_printf ("%s %s\n", trimmed, args);

  write_root_file (root, "proc/cmdline", booted, 0444);
  if (bind)
    {
      bind_to (root, "0000:01:00.0", "vfio-pci");
      bind_to (root, "0000:01:00.1", "vfio-pci");
    }
}

/* ---- GRUB: the seed machine (Manjaro) -------------------------------------- */

static void
test_grub_plan (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autoptr(GHashTable) before = pt_test_tree_new (root);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *id = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *regenerate = NULL;
  g_autofree char *vfio = NULL;
  g_autofree char *script = NULL;
  g_autofree char *script_path = g_build_filename (root, "etc/grub.d/99_passthrough_trial", NULL);
  JsonObject *obj, *trial;
  struct stat st;

  id = apply_trial (root, parser, &obj);
  changes = change_lines (obj);
  /* the default entry's file stays as it is */
  g_assert_cmpstr (changes, ==,
                   "etc/grub.d/99_passthrough_trial created\n"
                   "etc/mkinitcpio.conf modified\n"
                   "etc/modprobe.d/vfio.conf created\n");
  regenerate = argv_lines (obj, "regenerate");
  g_assert_cmpstr (regenerate, ==,
                   "mkinitcpio -P\n"
                   "grub-mkconfig -o /boot/grub/grub.cfg\n"
                   "grub-reboot passthrough-trial\n");
  trial = json_object_get_object_member (obj, "trial");
  g_assert_cmpstr (json_object_get_string_member (trial, "entry"), ==, "passthrough-trial");
  g_assert_cmpstr (json_object_get_string_member (trial, "pending"), ==, id);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (trial, "args")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (trial, "args"), 0),
                   ==, SEED_ARGS);

  /* softdep only: IDs here would bind the GPU on the usual boot too */
  vfio = read_root_file (root, "etc/modprobe.d/vfio.conf");
  g_assert_nonnull (strstr (vfio, "softdep nouveau pre: vfio-pci\n"));
  g_assert_null (strstr (vfio, "ids="));
  {
    g_autofree char *grub = read_root_file (root, "etc/default/grub");

    g_assert_null (strstr (grub, "vfio-pci.ids"));
  }

  g_assert_cmpint (stat (script_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0755);
  script = read_root_file (root, "etc/grub.d/99_passthrough_trial");
  g_assert_true (g_str_has_prefix (script, "#! /bin/sh\n" PT_BOOTCONF_TRIAL_MARKER));
  g_assert_nonnull (strstr (script, "trial_args='" SEED_ARGS "'\n"));

  /* Applying the same trial again writes nothing and says how to boot it. */
  {
    g_auto(PtTestRun) r = { 0 };
    g_autoptr(GHashTable) applied = pt_test_tree_new (root);
    g_autoptr(GHashTable) now = NULL;

    ctl (&r, "--root", root, "apply", "--trial", "01:00.0");
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Nothing to change"));
    g_assert_nonnull (strstr (r.out, id));
    g_assert_nonnull (strstr (r.out, "grub-reboot passthrough-trial"));
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (applied, now);
  }

  /* The text form names the commands to run inside that system. */
  {
    g_auto(PtTestRun) rb = { 0 };
    g_auto(PtTestRun) r = { 0 };
    g_autofree char *hint = g_strdup_printf ("chroot %s grub-reboot passthrough-trial\n", root);

    ctl (&rb, "--root", root, "rollback");
    g_assert_cmpint (rb.status, ==, 0);
    ctl (&r, "--root", root, "apply", "--trial", "01:00.0");
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, hint));
    g_assert_nonnull (strstr (r.out, "passthroughctl confirm"));
    g_assert_nonnull (strstr (r.out, "rollback "));
  }
  {
    g_auto(PtTestRun) rb = { 0 };
    g_autoptr(GHashTable) after = NULL;

    ctl (&rb, "--root", root, "rollback");
    g_assert_cmpint (rb.status, ==, 0);
    after = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, after);
  }
  pt_test_remove_tree (root);
}

/* The environment grub-mkconfig exports to its scripts, for the seed's
 * /etc/default/grub, with the GRUB library and a fake grub-probe. */
static GPtrArray *
grub_env (const char *tools, const char *boot, const char *grub_default)
{
  GPtrArray *env = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *lib = pt_test_fixture_path ("distro/debian-grub/usr/share/grub");

  g_ptr_array_add (env, g_strdup ("PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
  g_ptr_array_add (env, g_strdup ("LC_ALL=C"));
  g_ptr_array_add (env, g_strdup_printf ("pkgdatadir=%s", lib));
  g_ptr_array_add (env, g_strdup_printf ("grub_probe=%s/grub-probe", tools));
  g_ptr_array_add (env, g_strdup_printf ("grub_mkrelpath=%s/grub-mkrelpath", tools));
  g_ptr_array_add (env, g_strdup_printf ("PT_TEST_BOOT=%s", boot));
  g_ptr_array_add (env, g_strdup ("GRUB_DEVICE=/dev/sda2"));
  g_ptr_array_add (env, g_strdup ("GRUB_DEVICE_UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96"));
  g_ptr_array_add (env, g_strdup ("GRUB_DEVICE_BOOT=/dev/sda2"));
  g_ptr_array_add (env, g_strdup ("GRUB_FS=ext2"));
  g_ptr_array_add (env, g_strdup_printf ("GRUB_DEFAULT=%s", grub_default));
  g_ptr_array_add (env, g_strdup ("GRUB_TIMEOUT=5"));
  g_ptr_array_add (env, g_strdup ("GRUB_DISTRIBUTOR=Manjaro"));
  g_ptr_array_add (env, g_strdup ("GRUB_CMDLINE_LINUX="));
  g_ptr_array_add (env, g_strdup ("GRUB_CMDLINE_LINUX_DEFAULT=quiet "
                                  "resume=UUID=4b26c43b-c6ef-4d50-aabe-bb0200bf03d3 "
                                  "udev.log_priority=3 intel_iommu=on iommu=pt"));
  g_ptr_array_add (env, g_strdup ("GRUB_SAVEDEFAULT=true"));
  g_ptr_array_add (env, g_strdup ("GRUB_GFXPAYLOAD_LINUX=keep"));
  g_ptr_array_add (env, g_strdup ("GRUB_DISABLE_RECOVERY=true"));
  g_ptr_array_add (env, NULL);
  return env;
}

static char *
run_sh (const char *script, GPtrArray *env, char **err, int *status)
{
  const char *argv[] = { "sh", script, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, (char **) env->pdata, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  *status = WEXITSTATUS (wait_status);
  return out;
}

/* The first menu entry of grub.cfg text, up to its closing brace. */
static char *
first_entry (const char *text)
{
  const char *start = g_str_has_prefix (text, "menuentry ") ? text : strstr (text, "\nmenuentry ");
  const char *end;

  g_assert_nonnull (start);
  if (*start == '\n')
    start++;
  end = strstr (start, "\n}\n");
  g_assert_nonnull (end);
  return g_strndup (start, end + 3 - start);
}

/* The generator script, run as grub-mkconfig runs it, with Debian 12's
 * 10_linux beside it and a fake kernel list: its entry is 10_linux's first
 * one with the trial arguments, a title and id of its own and no
 * savedefault, and the guard falls back to GRUB_DEFAULT. */
static void
test_grub_script (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autofree char *tools = g_build_filename (root, "tmp/tools", NULL);
  g_autofree char *boot = g_build_filename (root, "tmp/boot", NULL);
  g_autofree char *linux_text = NULL;
  g_autofree char *linux_fixture = pt_test_fixture_path ("distro/debian-grub/etc/grub.d/10_linux");
  g_autofree char *grubd = g_build_filename (root, "etc/grub.d", NULL);
  g_autofree char *script = NULL;
  g_autofree char *linux_script = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) env = NULL;
  g_autofree char *id = NULL;
  const char *tool_names[] = { "sh", "sed", "sort", "dpkg", "gettext", NULL };
  struct statvfs vfs;

  for (guint i = 0; tool_names[i] != NULL; i++)
    {
      g_autofree char *found = g_find_program_in_path (tool_names[i]);

      if (found == NULL)
        {
          g_autofree char *why = g_strdup_printf ("%s is not installed (10_linux needs it)",
                                                  tool_names[i]);

          g_test_skip (why);
          pt_test_remove_tree (root);
          return;
        }
    }

  /* Debian's 10_linux globs /boot/vmlinuz-*: here the fake kernels. */
  g_assert_true (g_file_get_contents (linux_fixture, &linux_text, NULL, NULL));
  {
    const char *glob = "for i in /boot/vmlinuz-* /vmlinuz-* /boot/kernel-* ; do";
    g_auto(GStrv) parts = g_strsplit (linux_text, glob, -1);

    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    g_free (linux_text);
    linux_text = g_strjoinv ("for i in \"$PT_TEST_BOOT\"/vmlinuz-* ; do", parts);
  }
  write_root_file (root, "etc/grub.d/10_linux", linux_text, 0755);
  write_root_file (root, "tmp/boot/vmlinuz-5.4-x86_64", "", 0644);
  write_root_file (root, "tmp/boot/initramfs-5.4-x86_64.img", "", 0644);
  write_root_file (root, "tmp/boot/vmlinuz-5.9-x86_64", "", 0644);
  write_root_file (root, "tmp/boot/initramfs-5.9-x86_64.img", "", 0644);
  write_root_file (root, "tmp/tools/grub-probe",
                   "#!/bin/sh\n"
                   "for a in \"$@\"; do case \"$a\" in --target=*) t=${a#--target=};; esac; done\n"
                   "case \"$t\" in\n"
                   "  fs) echo ext2;;\n"
                   "  fs_uuid) echo aeae42e3-30f2-44ff-a71f-710e311a3a96;;\n"
                   "  partmap) echo gpt;;\n"
                   "  abstraction) ;;\n"
                   "  compatibility_hint) echo hd0,gpt2;;\n"
                   "  hints_string) echo --hint-efi=hd0,gpt2;;\n"
                   "  *) exit 1;;\n"
                   "esac\n", 0755);
  write_root_file (root, "tmp/tools/grub-mkrelpath", "#!/bin/sh\necho \"$1\"\n", 0755);

  id = apply_trial (root, parser, NULL);
  /* 10_linux is there: no warning about it */
  {
    g_autofree char *summary_dir = g_build_filename (root, "var/lib/passthrough/transactions",
                                                     id, "manifest.json", NULL);

    g_assert_true (g_file_test (summary_dir, G_FILE_TEST_EXISTS));
  }

  /* Where scripts cannot be executed (a noexec /dev/shm), run copies. */
  if (statvfs (grubd, &vfs) == 0 && (vfs.f_flag & ST_NOEXEC) != 0)
    {
      g_autofree char *dir = g_dir_make_tmp ("pt-grubd-XXXXXX", NULL);
      g_autofree char *text = read_root_file (root, "etc/grub.d/99_passthrough_trial");

      write_root_file (dir, "10_linux", linux_text, 0755);
      write_root_file (dir, "99_passthrough_trial", text, 0755);
      g_free (grubd);
      grubd = g_steal_pointer (&dir);
    }
  script = g_build_filename (grubd, "99_passthrough_trial", NULL);
  linux_script = g_build_filename (grubd, "10_linux", NULL);

  env = grub_env (tools, boot, "saved");
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *linux_out = NULL;
    g_autofree char *linux_err = NULL;
    g_autofree char *ours = NULL;
    g_autofree char *theirs = NULL;
    g_auto(GStrv) our_lines = NULL;
    g_auto(GStrv) their_lines = NULL;
    int status = -1;
    guint k = 0;

    out = run_sh (script, env, &err, &status);
    g_test_message ("%s%s", out, err);
    g_assert_cmpint (status, ==, 0);
    linux_out = run_sh (linux_script, env, &linux_err, &status);
    g_assert_cmpint (status, ==, 0);

    ours = first_entry (out);
    theirs = first_entry (linux_out);
    g_assert_true (g_str_has_prefix (ours, "menuentry 'Passthrough trial: Manjaro GNU/Linux' "));
    g_assert_nonnull (strstr (ours, " $menuentry_id_option 'passthrough-trial' {\n"));
    /* one entry only */
    g_assert_null (strstr (out, "submenu"));
    g_assert_cmpstr (strstr (out + 1, "\nmenuentry "), ==, NULL);

    /* line by line: 10_linux's own entry, with our arguments at the end of
     * the kernel line and without savedefault */
    our_lines = g_strsplit (ours, "\n", -1);
    their_lines = g_strsplit (theirs, "\n", -1);
    g_assert_nonnull (strstr (theirs, "\tsavedefault\n"));
    g_assert_null (strstr (ours, "savedefault"));
    for (guint i = 1; their_lines[i] != NULL; i++)
      {
        const char *line = their_lines[i];

        if (g_str_equal (line, "\tsavedefault"))
          continue;
        k++;
        g_assert_nonnull (our_lines[k]);
        if (g_str_has_prefix (line, "\tlinux\t"))
          {
            g_autofree char *want = g_strconcat (line, " " SEED_ARGS, NULL);

            g_assert_true (g_str_has_prefix (line, "\tlinux\t"));
            g_assert_nonnull (strstr (line, "/vmlinuz-5.9-x86_64 root=/dev/sda2 ro "));
            g_assert_cmpstr (our_lines[k], ==, want);
          }
        else
          g_assert_cmpstr (our_lines[k], ==, line);
      }
    g_assert_null (our_lines[k + 1]);

    /* the guard boots GRUB_DEFAULT (here: the saved entry) when next_entry
     * could not be cleared */
    g_assert_nonnull (strstr (out, "if [ \"${default}\" = \"passthrough-trial\" ]; then\n"
                                   "  load_env next_entry\n"));
    g_assert_nonnull (strstr (out, "    set default=\"${saved_entry}\"\n"));
  }

  /* GRUB_DEFAULT=0: grub-reboot works without "saved" (00_header reads
   * next_entry whatever GRUB_DEFAULT says), and the guard uses 0. */
  g_clear_pointer (&env, g_ptr_array_unref);
  env = grub_env (tools, boot, "0");
  {
    g_autofree char *header = pt_test_fixture_path ("distro/debian-grub/etc/grub.d/00_header");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = -1;

    out = run_sh (header, env, &err, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, "if [ \"${next_entry}\" ] ; then\n"
                                   "   set default=\"${next_entry}\"\n"
                                   "   set next_entry=\n"
                                   "   save_env next_entry\n"));
    g_assert_nonnull (strstr (out, "   set default=\"0\"\n"));
    g_free (out);
    g_free (err);
    out = run_sh (script, env, &err, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_nonnull (strstr (out, "    set default=\"0\"\n"));
  }

  /* 10_linux failing or missing: no entry (the guard stays), and
   * grub-mkconfig goes on. */
  write_root_file (grubd, "10_linux", "#!/bin/sh\nexit 1\n", 0755);
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = -1;

    out = run_sh (script, env, &err, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_true (g_str_has_prefix (out, "if [ \"${default}\" = \"passthrough-trial\" ]"));
    g_assert_null (strstr (out, "menuentry"));
    g_assert_nonnull (strstr (err, "no trial entry"));
  }
  {
    g_autofree char *path = g_build_filename (grubd, "10_linux", NULL);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = -1;

    g_assert_cmpint (g_unlink (path), ==, 0);
    out = run_sh (script, env, &err, &status);
    g_assert_cmpint (status, ==, 0);
    g_assert_null (strstr (out, "menuentry"));
    g_assert_nonnull (strstr (out, "load_env next_entry"));
    g_assert_nonnull (strstr (err, "no trial entry"));
  }
  if (!g_str_has_prefix (grubd, root))
    pt_test_remove_tree (grubd);
  pt_test_remove_tree (root);
}

/* confirm refuses until the trial boot works, then applies the permanent
 * plan and removes the script; each rollback steps back byte for byte. */
static void
test_grub_confirm (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autoptr(GHashTable) before = pt_test_tree_new (root);
  g_autoptr(GHashTable) tried = NULL;
  g_autoptr(GHashTable) booted = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *trial_id = NULL;
  g_autofree char *confirm_id = NULL;

  trial_id = apply_trial (root, parser, NULL);
  tried = pt_test_tree_new (root);

  /* The usual entry booted: proc/cmdline lacks the arguments. */
  {
    g_auto(PtTestRun) r = { 0 };
    g_autoptr(GHashTable) now = NULL;

    ctl (&r, "--root", root, "confirm");
    g_test_message ("%s%s", r.out, r.err);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "lacks " SEED_ARGS));
    g_assert_nonnull (strstr (r.err, "fallback worked"));
    g_assert_nonnull (strstr (r.err, "grub-reboot passthrough-trial"));
    g_assert_nonnull (strstr (r.err, trial_id));
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (tried, now);
  }

  /* A permanent apply with a trial waiting is its confirmation. */
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "apply", "01:00.0");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "fallback worked"));
    g_assert_nonnull (strstr (r.err, "confirms it"));
  }

  /* The trial booted, but the GPU stayed on nouveau. */
  boot_trial (root, SEED_ARGS, FALSE);
  {
    g_auto(PtTestRun) r = { 0 };
    g_autoptr(GHashTable) now = NULL;
    g_autoptr(GHashTable) want = pt_test_tree_new (root);

    ctl (&r, "--root", root, "confirm", "--json");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_cmpstr (r.out, ==, "");
    g_assert_nonnull (strstr (r.err, "0000:01:00.0 is bound to nouveau"));
    g_assert_nonnull (strstr (r.err, "0000:01:00.1 is bound to snd_hda_intel"));
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (want, now);
  }

  /* The trial boot as it should be. */
  bind_to (root, "0000:01:00.0", "vfio-pci");
  bind_to (root, "0000:01:00.1", "vfio-pci");
  booted = pt_test_tree_new (root);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtHost) host = pt_host_load (root, PT_HOST_LOAD_NO_NAMES, &error);
    g_autoptr(PtTrial) trial = NULL;

    g_assert_no_error (error);
    trial = pt_trial_find_pending (root, &error);
    g_assert_no_error (error);
    g_assert_nonnull (trial);
    g_assert_cmpstr (trial->transaction, ==, trial_id);
    g_assert_cmpstr (trial->addresses[0], ==, "0000:01:00.0");
    g_assert_cmpstr (trial->devices[0], ==, "0000:01:00.0");
    g_assert_cmpstr (trial->devices[1], ==, "0000:01:00.1");
    g_assert_null (trial->devices[2]);
    g_assert_true (pt_trial_check_booted (trial, host, &error));
    g_assert_no_error (error);
    /* what passthroughd runs before an Apply without "trial" */
    g_assert_true (pt_trial_check_apply (root, host, &error));
    g_assert_no_error (error);
  }
  {
    g_auto(PtTestRun) r = { 0 };
    g_autofree char *changes = NULL;
    g_autofree char *regenerate = NULL;
    g_autofree char *grub = NULL;
    g_autofree char *vfio = NULL;
    JsonObject *obj;

    ctl (&r, "--root", root, "confirm", "--json");
    g_test_message ("%s%s", r.out, r.err);
    g_assert_cmpint (r.status, ==, 0);
    obj = parse_object (parser, r.out);
    confirm_id = g_strdup (json_object_get_string_member (obj, "transaction"));
    g_assert_nonnull (confirm_id);
    g_assert_cmpstr (json_object_get_string_member (obj, "confirmed"), ==, trial_id);
    changes = change_lines (obj);
    g_assert_cmpstr (changes, ==,
                     "etc/default/grub modified\n"
                     "etc/modprobe.d/vfio.conf modified\n"
                     "etc/grub.d/99_passthrough_trial removed\n");
    regenerate = argv_lines (obj, "regenerate");
    g_assert_cmpstr (regenerate, ==,
                     "mkinitcpio -P\n"
                     "grub-mkconfig -o /boot/grub/grub.cfg\n");
    grub = read_root_file (root, "etc/default/grub");
    g_assert_nonnull (strstr (grub, "intel_iommu=on iommu=pt " SEED_ARGS "\"\n"));
    vfio = read_root_file (root, "etc/modprobe.d/vfio.conf");
    g_assert_nonnull (strstr (vfio, "options vfio-pci ids=10de:13c2,10de:0fbb\n"));
    g_assert_false (root_has (root, "etc/grub.d/99_passthrough_trial"));
  }

  /* Confirmed: nothing waits, and the permanent apply has nothing left. */
  {
    g_auto(PtTestRun) r = { 0 };
    g_auto(PtTestRun) again = { 0 };

    ctl (&r, "--root", root, "confirm");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "No trial boot is waiting"));
    ctl (&again, "--root", root, "apply", "01:00.0");
    g_assert_cmpint (again.status, ==, 0);
    g_assert_nonnull (strstr (again.out, "Nothing to change"));
  }

  /* Rolling back the confirmation brings the trial back, then the trial's
   * rollback the tree before it. */
  {
    g_auto(PtTestRun) r = { 0 };
    g_autoptr(GHashTable) now = NULL;

    ctl (&r, "--root", root, "rollback", confirm_id);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "restored etc/grub.d/99_passthrough_trial"));
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (booted, now);
  }
  {
    g_auto(PtTestRun) r = { 0 };
    g_autoptr(GHashTable) now = NULL;
    g_autoptr(GHashTable) want = NULL;
    g_autofree char *diff = NULL;

    ctl (&r, "--root", root, "rollback", trial_id);
    g_assert_cmpint (r.status, ==, 0);
    now = pt_test_tree_new (root);
    /* only what boot_trial() changed differs from the start */
    diff = pt_test_tree_diff_string (before, now);
    g_assert_cmpstr (diff, ==,
                     "proc/cmdline\n"
                     "sys/bus/pci/drivers/vfio-pci\n"
                     "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/driver\n"
                     "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1/driver\n");
  }
  pt_test_remove_tree (root);
}

/* Rolling a trial back removes its files, and the one-time command turns
 * into the one that clears it. */
static void
test_grub_rollback (void)
{
  g_autofree char *root = pt_test_build_host ("seed");
  g_autoptr(GHashTable) before = pt_test_tree_new (root);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *id = apply_trial (root, parser, NULL);
  g_auto(PtTestRun) r = { 0 };
  g_autoptr(GHashTable) after = NULL;
  g_autofree char *clear = g_strdup_printf ("chroot %s grub-editenv - unset next_entry\n", root);

  ctl (&r, "--root", root, "rollback");
  g_test_message ("%s%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, id));
  g_assert_nonnull (strstr (r.out, "removed etc/grub.d/99_passthrough_trial\n"));
  g_assert_nonnull (strstr (r.out, "removed etc/modprobe.d/vfio.conf\n"));
  g_assert_nonnull (strstr (r.out, "restored etc/mkinitcpio.conf\n"));
  g_assert_nonnull (strstr (r.out, clear));
  g_assert_null (strstr (r.out, "grub-reboot"));
  after = pt_test_tree_new (root);
  pt_test_assert_same_tree (before, after);

  /* once more in JSON */
  {
    g_auto(PtTestRun) a = { 0 };
    g_auto(PtTestRun) rb = { 0 };
    g_autoptr(JsonParser) p2 = json_parser_new ();
    g_autofree char *commands = NULL;
    g_autoptr(GHashTable) now = NULL;
    g_autofree char *id2 = apply_trial (root, parser, NULL);

    ctl (&rb, "--root", root, "rollback", id2, "--json");
    g_assert_cmpint (rb.status, ==, 0);
    commands = argv_lines (parse_object (p2, rb.out), "regenerate");
    g_assert_cmpstr (commands, ==,
                     "mkinitcpio -P\n"
                     "grub-mkconfig -o /boot/grub/grub.cfg\n"
                     "grub-editenv - unset next_entry\n");
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, now);
  }
  pt_test_remove_tree (root);
}

/* ---- systemd-boot ---------------------------------------------------------- */

#define ARCH_HEADER \
  "Name: sdboot\n" \
  "Kernel: 6.6.8-arch1-1\n" \
  "Cmdline: initrd=\\initramfs-linux.img root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 rw quiet intel_iommu=on\n" \
  "OS: arch\n" \
  "Touch: usr/bin/bootctl\n" \
  "Touch: usr/bin/mkinitcpio\n" \
  "File: etc/mkinitcpio.conf\n" \
  "\t| MODULES=()\n" \
  "\t| HOOKS=(base udev autodetect modconf block filesystems fsck)\n" \
  "File: boot/loader/entries/arch.conf\n" \
  "\t| title   Arch Linux\n" \
  "\t| linux   /vmlinuz-linux\n" \
  "\t| initrd  /initramfs-linux.img\n" \
  "\t| options root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 rw quiet intel_iommu=on\n" \
  "File: boot/loader/entries/arch-fallback.conf\n" \
  "\t| title   Arch Linux (fallback initramfs)\n" \
  "\t| linux   /vmlinuz-linux\n" \
  "\t| initrd  /initramfs-linux-fallback.img\n" \
  "\t| options root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 rw intel_iommu=on\n"

static void
test_sdboot (void)
{
  g_autofree char *root = build_host (ARCH_HEADER
                                      "File: boot/loader/loader.conf\n"
                                      "\t| default arch.conf\n"
                                      "\t| timeout 3\n");
  g_autoptr(GHashTable) before = pt_test_tree_new (root);
  g_autoptr(GHashTable) booted = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *trial_id = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *regenerate = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *original = read_root_file (root, "boot/loader/entries/arch.conf");
  const char *args = "iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb";
  JsonObject *obj;

  trial_id = apply_trial (root, parser, &obj);
  changes = change_lines (obj);
  g_assert_cmpstr (changes, ==,
                   "boot/loader/entries/passthrough-trial.conf created\n"
                   "etc/mkinitcpio.conf modified\n"
                   "etc/modprobe.d/vfio.conf created\n");
  regenerate = argv_lines (obj, "regenerate");
  g_assert_cmpstr (regenerate, ==,
                   "mkinitcpio -P\n"
                   "bootctl set-oneshot passthrough-trial.conf\n");
  entry = read_root_file (root, "boot/loader/entries/passthrough-trial.conf");
  g_assert_cmpstr (entry, ==,
                   PT_BOOTCONF_TRIAL_MARKER ": a copy of arch.conf for one trial boot with the "
                   "added kernel arguments.\n"
                   "# \"passthroughctl confirm\" and \"passthroughctl rollback\" remove it.\n"
                   "title   Passthrough trial: Arch Linux\n"
                   "linux   /vmlinuz-linux\n"
                   "initrd  /initramfs-linux.img\n"
                   "options root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 rw quiet "
                   "intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb\n");
  {
    g_autofree char *now = read_root_file (root, "boot/loader/entries/arch.conf");

    g_assert_cmpstr (now, ==, original);
  }

  /* confirm: refused on the usual boot, done on the trial boot */
  {
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "confirm");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "lacks iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb"));
    g_assert_nonnull (strstr (r.err, "bootctl set-oneshot passthrough-trial.conf"));
  }
  boot_trial (root, args, TRUE);
  booted = pt_test_tree_new (root);
  {
    g_auto(PtTestRun) r = { 0 };
    g_autofree char *confirm_changes = NULL;
    g_autofree char *confirm_regenerate = NULL;

    ctl (&r, "--root", root, "confirm", "--json");
    g_test_message ("%s%s", r.out, r.err);
    g_assert_cmpint (r.status, ==, 0);
    obj = parse_object (parser, r.out);
    confirm_changes = change_lines (obj);
    g_assert_cmpstr (confirm_changes, ==,
                     "boot/loader/entries/arch-fallback.conf modified\n"
                     "boot/loader/entries/arch.conf modified\n"
                     "etc/modprobe.d/vfio.conf modified\n"
                     "boot/loader/entries/passthrough-trial.conf removed\n");
    confirm_regenerate = argv_lines (obj, "regenerate");
    g_assert_cmpstr (confirm_regenerate, ==, "mkinitcpio -P\n");
    g_assert_false (root_has (root, "boot/loader/entries/passthrough-trial.conf"));
  }
  {
    g_auto(PtTestRun) r1 = { 0 };
    g_auto(PtTestRun) r2 = { 0 };
    g_autoptr(GHashTable) now = NULL;
    g_autofree char *diff = NULL;

    ctl (&r1, "--root", root, "rollback");
    g_assert_cmpint (r1.status, ==, 0);
    now = pt_test_tree_new (root);
    pt_test_assert_same_tree (booted, now);
    g_clear_pointer (&now, g_hash_table_unref);
    ctl (&r2, "--root", root, "rollback", trial_id);
    g_assert_cmpint (r2.status, ==, 0);
    g_assert_nonnull (strstr (r2.out, "bootctl set-oneshot ''\n"));
    now = pt_test_tree_new (root);
    diff = pt_test_tree_diff_string (before, now);
    g_assert_cmpstr (diff, ==,
                     "proc/cmdline\n"
                     "sys/bus/pci/drivers/vfio-pci\n"
                     "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/driver\n"
                     "sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1/driver\n");
  }
  pt_test_remove_tree (root);
}

/* Without a default, systemd-boot boots the entry that sorts first: a copy
 * could be it. Entries with a sort-key (kernel-install since systemd 251)
 * let the copy sort after them; "default @saved" is refused. */
static void
test_sdboot_default (void)
{
  {
    g_autofree char *root = build_host (ARCH_HEADER);
    g_autoptr(GHashTable) before = pt_test_tree_new (root);
    g_autoptr(GHashTable) after = NULL;
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "apply", "--trial", "01:00.0");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "no default entry"));
    g_assert_nonnull (strstr (r.err, "bootctl set-default arch.conf"));
    after = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, after);
    pt_test_remove_tree (root);
  }
  {
    g_autofree char *root = build_host (ARCH_HEADER
                                        "File: boot/loader/loader.conf\n"
                                        "\t| default @saved\n");
    g_auto(PtTestRun) r = { 0 };

    ctl (&r, "--root", root, "apply", "--trial", "01:00.0");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "@saved"));
    pt_test_remove_tree (root);
  }
  /* bootctl set-default: the EFI variable names the default */
  {
    g_autofree char *root = build_host (ARCH_HEADER);
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *id = NULL;
    const char name[] = "arch-fallback.conf";
    g_autoptr(GByteArray) var = g_byte_array_new ();
    g_autofree char *path = g_build_filename (root, "sys/firmware/efi/efivars",
                                              "LoaderEntryDefault-4a67b082-0a4c-41cf-b6c7-"
                                              "440b29bb8c4f", NULL);
    g_autofree char *entry = NULL;
    const guint8 attributes[4] = { 0x07, 0, 0, 0 };

    g_byte_array_append (var, attributes, 4);
    for (guint i = 0; i <= strlen (name); i++)
      {
        guint8 unit[2] = { (guint8) name[i], 0 };

        g_byte_array_append (var, unit, 2);
      }
    g_assert_true (g_file_set_contents (path, (const char *) var->data, var->len, NULL));
    id = apply_trial (root, parser, NULL);
    entry = read_root_file (root, "boot/loader/entries/passthrough-trial.conf");
    g_assert_nonnull (strstr (entry, "a copy of arch-fallback.conf"));
    g_assert_nonnull (strstr (entry, "title   Passthrough trial: Arch Linux (fallback initramfs)\n"));
    pt_test_remove_tree (root);
  }
  /* kernel-install entries with a sort-key: the first one is copied and
   * its copy sorts after it */
  {
    g_autofree char *root = build_host (
      "Name: sdboot\n"
      "Kernel: 6.1.0-13-amd64\n"
      "Cmdline: BOOT_IMAGE=/vmlinuz-6.1.0-13-amd64 root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 ro quiet\n"
      "OS: debian\n"
      "Touch: usr/bin/bootctl\n"
      "Touch: usr/sbin/update-initramfs\n"
      "File: etc/kernel/cmdline\n"
      "\t| root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 ro quiet\n"
      "File: boot/efi/loader/loader.conf\n"
      "\t| #timeout 3\n"
      "\t| #console-mode keep\n"
      "File: boot/efi/loader/entries/4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d-6.1.0-12-amd64.conf\n"
      "\t| title      Debian GNU/Linux 12 (bookworm)\n"
      "\t| version    6.1.0-12-amd64\n"
      "\t| machine-id 4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d\n"
      "\t| sort-key   debian\n"
      "\t| options    root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 ro quiet\n"
      "\t| linux      /4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d/6.1.0-12-amd64/linux\n"
      "\t| initrd     /4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d/6.1.0-12-amd64/initrd.img-6.1.0-12-amd64\n"
      "File: boot/efi/loader/entries/4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d-6.1.0-13-amd64.conf\n"
      "\t| title      Debian GNU/Linux 12 (bookworm)\n"
      "\t| version    6.1.0-13-amd64\n"
      "\t| machine-id 4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d\n"
      "\t| sort-key   debian\n"
      "\t| options    root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 ro quiet\n"
      "\t| linux      /4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d/6.1.0-13-amd64/linux\n"
      "\t| initrd     /4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d/6.1.0-13-amd64/initrd.img-6.1.0-13-amd64\n");
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *id = NULL;
    g_autofree char *entry = NULL;
    g_autofree char *regenerate = NULL;
    g_autofree char *cmdline = read_root_file (root, "etc/kernel/cmdline");
    JsonObject *obj;

    id = apply_trial (root, parser, &obj);
    regenerate = argv_lines (obj, "regenerate");
    g_assert_true (g_str_has_suffix (regenerate, "bootctl set-oneshot passthrough-trial.conf\n"));
    entry = read_root_file (root, "boot/efi/loader/entries/passthrough-trial.conf");
    g_assert_nonnull (strstr (entry, "-6.1.0-13-amd64.conf for one trial boot"));
    g_assert_nonnull (strstr (entry, "sort-key   debian-passthrough-trial\n"));
    g_assert_nonnull (strstr (entry, "version    6.1.0-13-amd64\n"));
    g_assert_nonnull (strstr (entry, "ro quiet intel_iommu=on iommu=pt vfio-pci.ids="));
    /* the default's command line stays */
    {
      g_autofree char *now = read_root_file (root, "etc/kernel/cmdline");

      g_assert_cmpstr (now, ==, cmdline);
    }
    pt_test_remove_tree (root);
  }
}

/* ---- Fedora: GRUB with Boot Loader Specification entries -------------------- */

#define FEDORA_ENTRY "4a5e1c0d2b3f4e6a8c7d9e0f1a2b3c4d-6.5.6-300.fc39.x86_64.conf"

static char *
build_fedora (const char *extra)
{
  g_autofree char *header = g_strconcat ("Name: fedora\n"
                                         "Kernel: 6.5.6-300.fc39.x86_64\n"
                                         "Cmdline: BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.5.6-300.fc39.x86_64 "
                                         "root=UUID=5d1a7c3e-2f4b-4a8e-9c6d-0e1f2a3b4c5d ro "
                                         "rootflags=subvol=root rhgb quiet\n"
                                         "OS: fedora\n"
                                         "Touch: usr/sbin/grub2-mkconfig\n"
                                         "Touch: usr/sbin/grub2-reboot\n"
                                         "Touch: usr/sbin/grubby\n"
                                         "Touch: usr/bin/dracut\n"
                                         "Touch: boot/grub2/grub.cfg\n", extra, NULL);
  char *root = build_host (header);

  copy_fixture ("distro/fedora/etc/default/grub", root, "etc/default/grub", 0644);
  copy_fixture ("distro/fedora/boot/loader/entries/" FEDORA_ENTRY, root,
                "boot/loader/entries/" FEDORA_ENTRY, 0644);
  return root;
}

static void
test_fedora_bls (void)
{
  g_autofree char *root = build_fedora ("");
  g_autoptr(GHashTable) before = pt_test_tree_new (root);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *id = NULL;
  g_autofree char *changes = NULL;
  g_autofree char *regenerate = NULL;
  g_autofree char *entry = NULL;
  JsonObject *obj;

  id = apply_trial (root, parser, &obj);
  changes = change_lines (obj);
  g_assert_nonnull (strstr (changes, "boot/loader/entries/passthrough-trial.conf created\n"));
  /* the guard only: blscfg makes the entry */
  g_assert_nonnull (strstr (changes, "etc/grub.d/99_passthrough_trial created\n"));
  g_assert_null (strstr (changes, "etc/default/grub"));
  g_assert_null (strstr (changes, FEDORA_ENTRY));
  regenerate = argv_lines (obj, "regenerate");
  g_assert_true (g_str_has_suffix (regenerate, "grub2-mkconfig -o /boot/grub2/grub.cfg\n"
                                               "grub2-reboot passthrough-trial\n"));
  g_assert_null (strstr (regenerate, "grubby"));
  {
    g_autofree char *script = read_root_file (root, "etc/grub.d/99_passthrough_trial");

    g_assert_null (strstr (script, "10_linux"));
    g_assert_nonnull (strstr (script, "load_env next_entry"));
  }
  entry = read_root_file (root, "boot/loader/entries/passthrough-trial.conf");
  g_assert_nonnull (strstr (entry, "title Passthrough trial: Fedora Linux (6.5.6-300.fc39.x86_64)"));
  /* sorts after every kernel: blscfg puts the newest version first */
  g_assert_nonnull (strstr (entry, "\nversion 0\n"));
  g_assert_nonnull (strstr (entry, "rhgb quiet intel_iommu=on iommu=pt vfio-pci.ids="));
  g_assert_cmpint (pt_bootconf_verscmp ("0", "6.5.6-300.fc39.x86_64"), <, 0);

  /* confirm: grubby updates the kernels' entries, the copy goes */
  {
    g_autofree char *args = trial_args (obj);

    g_assert_cmpstr (args, ==, "intel_iommu=on iommu=pt vfio-pci.ids=10de:13c2,10de:0fbb");
    boot_trial (root, args, TRUE);
  }
  {
    g_auto(PtTestRun) r = { 0 };
    g_autofree char *confirm_changes = NULL;
    g_autofree char *confirm_regenerate = NULL;

    ctl (&r, "--root", root, "confirm", "--json");
    g_test_message ("%s%s", r.out, r.err);
    g_assert_cmpint (r.status, ==, 0);
    obj = parse_object (parser, r.out);
    confirm_changes = change_lines (obj);
    g_assert_nonnull (strstr (confirm_changes, "etc/default/grub modified\n"));
    g_assert_nonnull (strstr (confirm_changes,
                              "boot/loader/entries/passthrough-trial.conf removed\n"));
    g_assert_nonnull (strstr (confirm_changes, "etc/grub.d/99_passthrough_trial removed\n"));
    confirm_regenerate = argv_lines (obj, "regenerate");
    g_assert_nonnull (strstr (confirm_regenerate, "grubby --update-kernel=ALL"));
    g_assert_null (strstr (confirm_regenerate, "grub2-reboot"));
  }
  pt_test_remove_tree (root);

  /* A default by position could move: refused. */
  {
    g_autofree char *positional = build_fedora ("");
    g_autofree char *grub = read_root_file (positional, "etc/default/grub");
    g_autofree char *edited = g_strconcat (grub, "GRUB_DEFAULT=2\n", NULL);
    g_auto(PtTestRun) r = { 0 };

    write_root_file (positional, "etc/default/grub", edited, 0644);
    ctl (&r, "--root", positional, "apply", "--trial", "01:00.0");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "position"));
    g_assert_false (root_has (positional, "boot/loader/entries/passthrough-trial.conf"));
    pt_test_remove_tree (positional);
  }
}

/* ---- Pop!_OS: kernelstub ------------------------------------------------------ */

#define POP_HEADER \
  "Name: pop\n" \
  "Kernel: 6.6.6-76060606-generic\n" \
  "Cmdline: initrd=\\EFI\\Pop_OS-aeae42e3-30f2-44ff-a71f-710e311a3a96\\initrd.img root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 ro quiet loglevel=0 systemd.show_status=false splash\n" \
  "OS: pop\n" \
  "Touch: usr/bin/kernelstub\n" \
  "Touch: usr/sbin/update-initramfs\n"

static void
test_kernelstub (void)
{
  /* No systemd-boot entries to copy (a BIOS install): refused, naming the
   * way back. */
  {
    g_autofree char *root = build_host (POP_HEADER);
    g_autoptr(GHashTable) before = NULL;
    g_autoptr(GHashTable) after = NULL;
    g_auto(PtTestRun) r = { 0 };

    copy_fixture ("distro/pop/etc/kernelstub/configuration", root,
                  "etc/kernelstub/configuration", 0644);
    copy_fixture ("distro/pop/etc/initramfs-tools/modules", root,
                  "etc/initramfs-tools/modules", 0644);
    before = pt_test_tree_new (root);
    ctl (&r, "--root", root, "apply", "--trial", "01:00.0");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "Apply without --trial"));
    g_assert_nonnull (strstr (r.err, "recovery"));
    g_assert_nonnull (strstr (r.err, "rollback"));
    after = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, after);
    pt_test_remove_tree (root);
  }
  /* The ESP kernelstub writes: a copy of Pop_OS-current, booted once. */
  {
    g_autofree char *root = build_host (
      POP_HEADER
      "File: boot/efi/loader/loader.conf\n"
      "\t| default Pop_OS-current\n"
      "File: boot/efi/loader/entries/Pop_OS-current.conf\n"
      "\t| title Pop!_OS\n"
      "\t| linux /EFI/Pop_OS-aeae42e3-30f2-44ff-a71f-710e311a3a96/vmlinuz.efi\n"
      "\t| initrd /EFI/Pop_OS-aeae42e3-30f2-44ff-a71f-710e311a3a96/initrd.img\n"
      "\t| options root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 ro quiet loglevel=0 "
      "systemd.show_status=false splash\n"
      "File: boot/efi/loader/entries/Pop_OS-oldkern.conf\n"
      "\t| title Pop!_OS\n"
      "\t| linux /EFI/Pop_OS-aeae42e3-30f2-44ff-a71f-710e311a3a96/vmlinuz-previous.efi\n"
      "\t| initrd /EFI/Pop_OS-aeae42e3-30f2-44ff-a71f-710e311a3a96/initrd.img-previous\n"
      "\t| options root=UUID=aeae42e3-30f2-44ff-a71f-710e311a3a96 ro quiet loglevel=0 "
      "systemd.show_status=false splash\n");
    g_autoptr(GHashTable) before = NULL;
    g_autoptr(JsonParser) parser = json_parser_new ();
    g_autofree char *id = NULL;
    g_autofree char *changes = NULL;
    g_autofree char *regenerate = NULL;
    g_autofree char *entry = NULL;
    g_autofree char *config = NULL;
    g_autoptr(GHashTable) after = NULL;
    g_auto(PtTestRun) rb = { 0 };
    JsonObject *obj;

    copy_fixture ("distro/pop/etc/kernelstub/configuration", root,
                  "etc/kernelstub/configuration", 0644);
    copy_fixture ("distro/pop/etc/initramfs-tools/modules", root,
                  "etc/initramfs-tools/modules", 0644);
    before = pt_test_tree_new (root);
    config = read_root_file (root, "etc/kernelstub/configuration");
    id = apply_trial (root, parser, &obj);
    changes = change_lines (obj);
    g_assert_nonnull (strstr (changes, "boot/efi/loader/entries/passthrough-trial.conf created\n"));
    g_assert_null (strstr (changes, "etc/kernelstub/configuration"));
    regenerate = argv_lines (obj, "regenerate");
    /* systemd-boot 249 (Pop!_OS 22.04) names entries without ".conf", as
     * its loader.conf does */
    g_assert_true (g_str_has_suffix (regenerate, "bootctl set-oneshot passthrough-trial\n"));
    g_assert_null (strstr (regenerate, "kernelstub"));
    entry = read_root_file (root, "boot/efi/loader/entries/passthrough-trial.conf");
    g_assert_nonnull (strstr (entry, "title Passthrough trial: Pop!_OS\n"));
    g_assert_nonnull (strstr (entry, "/vmlinuz.efi\n"));
    g_assert_nonnull (strstr (entry, "splash intel_iommu=on iommu=pt vfio-pci.ids="));

    ctl (&rb, "--root", root, "rollback", id);
    g_assert_cmpint (rb.status, ==, 0);
    after = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, after);
    pt_test_remove_tree (root);
  }
}

/* ---- what cannot be tried --------------------------------------------------- */

static void
test_refusals (void)
{
  /* The default entry has the arguments already. */
  {
    g_autofree char *root = pt_test_build_host ("seed");
    g_auto(PtTestRun) a = { 0 };
    g_auto(PtTestRun) r = { 0 };
    g_autoptr(GHashTable) before = NULL;
    g_autoptr(GHashTable) after = NULL;

    ctl (&a, "--root", root, "apply", "01:00.0");
    g_assert_cmpint (a.status, ==, 0);
    before = pt_test_tree_new (root);
    ctl (&r, "--root", root, "apply", "--trial", "01:00.0");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "already"));
    after = pt_test_tree_new (root);
    pt_test_assert_same_tree (before, after);
    pt_test_remove_tree (root);
  }
  /* A trial file Passthrough did not write is neither replaced nor
   * removed. */
  {
    g_autofree char *root = pt_test_build_host ("seed");
    g_auto(PtTestRun) r = { 0 };
    g_auto(PtTestRun) a = { 0 };

    write_root_file (root, "etc/grub.d/99_passthrough_trial", "#!/bin/sh\n# mine\n", 0755);
    ctl (&r, "--root", root, "apply", "--trial", "01:00.0");
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "not written by Passthrough"));
    ctl (&a, "--root", root, "apply", "01:00.0");
    g_assert_cmpint (a.status, ==, 0);
    g_assert_null (strstr (a.out, "99_passthrough_trial\n---"));
    g_assert_nonnull (strstr (a.out, "was not written by it"));
    g_assert_true (root_has (root, "etc/grub.d/99_passthrough_trial"));
    pt_test_remove_tree (root);
  }
}

/* GRUB cannot clear next_entry on btrfs: said at once (the guard in the
 * script keeps the usual entry booting). */
static void
test_grubenv_warning (void)
{
  g_autofree char *root = build_host ("Name: btrfs\n"
                                      "Root: 0000:00:1f.2 sda2 fs=btrfs\n"
                                      "Kernel: 5.9.16-1-MANJARO\n"
                                      "Cmdline: BOOT_IMAGE=/boot/vmlinuz-5.9-x86_64 quiet intel_iommu=on iommu=pt\n"
                                      "OS: manjaro\n"
                                      "Touch: usr/bin/grub-mkconfig\n"
                                      "Touch: usr/bin/mkinitcpio\n");
  g_auto(PtTestRun) r = { 0 };

  copy_fixture ("distro/manjaro/etc/default/grub", root, "etc/default/grub", 0644);
  copy_fixture ("distro/manjaro/etc/mkinitcpio.conf", root, "etc/mkinitcpio.conf", 0644);
  ctl (&r, "--root", root, "apply", "--trial", "01:00.0");
  g_test_message ("%s%s", r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "/boot/grub is on btrfs"));
  pt_test_remove_tree (root);
}

/* ---- the parts ------------------------------------------------------------------ */

static void
test_verscmp (void)
{
  /* the UAPI version format's own examples, oldest first */
  const char *order[] = {
    "122.1", "123~rc1-1", "123", "123-a", "123-a.1", "123-1", "123-1.1", "123^post1",
    "123.a-1", "123.1-1", "123a-1", "124-1", NULL,
  };

  for (guint i = 0; order[i] != NULL; i++)
    {
      g_assert_cmpint (pt_bootconf_verscmp (order[i], order[i]), ==, 0);
      for (guint k = i + 1; order[k] != NULL; k++)
        {
          g_assert_cmpint (pt_bootconf_verscmp (order[i], order[k]), <, 0);
          g_assert_cmpint (pt_bootconf_verscmp (order[k], order[i]), >, 0);
        }
    }
  g_assert_cmpint (pt_bootconf_verscmp ("00123", "123"), ==, 0);
  g_assert_cmpint (pt_bootconf_verscmp ("6.1.0-13-amd64", "6.1.0-9-amd64"), >, 0);
  g_assert_cmpint (pt_bootconf_verscmp (NULL, "1"), <, 0);
}

static void
test_rollback_commands (void)
{
  g_autoptr(PtTransaction) t = g_new0 (PtTransaction, 1);
  g_autoptr(GPtrArray) commands = NULL;
  const char *mk[] = { "grub2-mkconfig", "-o", "/boot/grub2/grub.cfg", NULL };
  const char *reboot[] = { "grub2-reboot", "passthrough-trial", NULL };
  const char *oneshot[] = { "bootctl", "set-oneshot", "passthrough-trial.conf", NULL };

  t->regenerate = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (t->regenerate, g_strdupv ((char **) mk));
  g_ptr_array_add (t->regenerate, g_strdupv ((char **) reboot));
  g_ptr_array_add (t->regenerate, g_strdupv ((char **) oneshot));
  t->files = g_ptr_array_new ();
  t->paths = g_new0 (char *, 1);
  t->created_dirs = g_new0 (char *, 1);
  t->removed_dirs = g_new0 (char *, 1);

  /* not a trial: as they are */
  commands = pt_trial_rollback_commands (t);
  g_assert_cmpuint (commands->len, ==, 3);
  g_assert_cmpstr (((char **) g_ptr_array_index (commands, 1))[0], ==, "grub2-reboot");
  g_clear_pointer (&commands, g_ptr_array_unref);

  t->trial = TRUE;
  commands = pt_trial_rollback_commands (t);
  g_assert_cmpuint (commands->len, ==, 3);
  g_assert_true (g_strv_equal (g_ptr_array_index (commands, 0), (const char *const *) mk));
  {
    const char *clear_grub[] = { "grub2-editenv", "-", "unset", "next_entry", NULL };
    const char *clear_sd[] = { "bootctl", "set-oneshot", "", NULL };

    g_assert_true (g_strv_equal (g_ptr_array_index (commands, 1), (const char *const *) clear_grub));
    g_assert_true (g_strv_equal (g_ptr_array_index (commands, 2), (const char *const *) clear_sd));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trial/verscmp", test_verscmp);
  g_test_add_func ("/trial/rollback-commands", test_rollback_commands);
  g_test_add_func ("/trial/grub/plan", test_grub_plan);
  g_test_add_func ("/trial/grub/script", test_grub_script);
  g_test_add_func ("/trial/grub/confirm", test_grub_confirm);
  g_test_add_func ("/trial/grub/rollback", test_grub_rollback);
  g_test_add_func ("/trial/systemd-boot", test_sdboot);
  g_test_add_func ("/trial/systemd-boot/default", test_sdboot_default);
  g_test_add_func ("/trial/fedora-bls", test_fedora_bls);
  g_test_add_func ("/trial/kernelstub", test_kernelstub);
  g_test_add_func ("/trial/refusals", test_refusals);
  g_test_add_func ("/trial/grub/grubenv-warning", test_grubenv_warning);
  return g_test_run ();
}
