/* test-firmware.c: board vendor names and the firmware guidance tables. */
#define G_LOG_DOMAIN "test-firmware"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "pt-firmware.h"

static const PtCpuVendor cpus[] = { PT_CPU_VENDOR_INTEL, PT_CPU_VENDOR_AMD };

/* DMI board vendors as real machines report them, one per tabled vendor. */
static const char *const tabled_vendors[] = {
  "ASUSTeK COMPUTER INC.",
  "Micro-Star International Co., Ltd.",
  "Gigabyte Technology Co., Ltd.",
  "ASRock",
  "Dell Inc.",
  "LENOVO",
  "HP",
  "HPE",
  "Supermicro",
};

static void
test_vendor_ids (void)
{
  static const struct
  {
    const char *dmi;
    const char *id;
  } cases[] = {
    { "ASUSTeK COMPUTER INC.", "asus" },
    { "ASUSTeK Computer INC.", "asus" },
    { "ASUSTek Computer Inc.", "asus" },
    { "Micro-Star International Co., Ltd.", "msi" },
    { "Micro-Star International Co.,Ltd", "msi" },
    { "MSI", "msi" },
    { "Gigabyte Technology Co., Ltd.", "gigabyte" },
    { "GIGABYTE", "gigabyte" },
    { "ASRock", "asrock" },
    { "ASRockRack", "asrock-rack" },
    { "Dell Inc.", "dell" },
    { "Dell Computer Corporation", "dell" },
    { "LENOVO", "lenovo" },
    { "HP", "hp" },
    { "Hewlett-Packard", "hp" },
    { "HPE", "hpe" },
    { "Hewlett Packard Enterprise", "hpe" },
    { "Supermicro", "supermicro" },
    { "Super Micro Computer, Inc.", "supermicro" },
    { "  Supermicro  ", "supermicro" },
    { "Framework", "framework" },
    { "Acer", "acer" },
    { "BIOSTAR Group", "biostar" },
    { "EVGA", "evga" },
    { "Intel Corporation", "intel" },
    /* placeholders and look-alikes */
    { "To Be Filled By O.E.M.", NULL },
    { "Default string", NULL },
    { "System manufacturer", NULL },
    { "Intelligent Systems", NULL },
    { "HPC Systems", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].dmi);
      g_assert_cmpstr (pt_firmware_board_vendor_id (cases[i].dmi), ==, cases[i].id);
    }
  g_assert_null (pt_firmware_board_vendor_id (NULL));

  g_assert_cmpstr (pt_firmware_vendor_display_name ("asus"), ==, "ASUS");
  g_assert_cmpstr (pt_firmware_vendor_display_name ("supermicro"), ==, "Supermicro");
  g_assert_null (pt_firmware_vendor_display_name ("nonesuch"));
}

static void
assert_step_complete (const PtFirmwareStep *step)
{
  g_assert_nonnull (step);
  g_assert_cmpuint (step->setting, <, PT_FIRMWARE_N_SETTINGS);
  g_assert_nonnull (step->name);
  g_assert_cmpstr (step->name, !=, "");
  g_assert_nonnull (step->menu_path);
  g_assert_cmpstr (step->menu_path, !=, "");
  g_assert_nonnull (step->value);
  g_assert_nonnull (step->why);
  /* Paths use " > " between menus and never end in one. */
  g_assert_false (g_str_has_suffix (step->menu_path, ">"));
  g_assert_null (strstr (step->menu_path, " / "));
}

static void
test_every_vendor_has_virt_and_iommu (void)
{
  for (guint v = 0; v < G_N_ELEMENTS (tabled_vendors); v++)
    for (guint c = 0; c < G_N_ELEMENTS (cpus); c++)
      {
        g_autoptr(GPtrArray) steps = pt_firmware_guidance (cpus[c], tabled_vendors[v], NULL);
        const PtFirmwareStep *virt;
        const PtFirmwareStep *iommu;
        int last = -1;

        g_test_message ("%s, cpu %d", tabled_vendors[v], cpus[c]);
        g_assert_true (pt_firmware_has_vendor_table (tabled_vendors[v]));

        virt = pt_firmware_lookup (cpus[c], tabled_vendors[v], NULL, PT_FIRMWARE_SETTING_CPU_VIRT);
        iommu = pt_firmware_lookup (cpus[c], tabled_vendors[v], NULL, PT_FIRMWARE_SETTING_IOMMU);
        assert_step_complete (virt);
        assert_step_complete (iommu);
        g_assert_cmpint (virt->need, ==, PT_FIRMWARE_NEED_REQUIRED);
        g_assert_cmpint (iommu->need, ==, PT_FIRMWARE_NEED_REQUIRED);
        g_assert_cmpint (virt->setting, ==, PT_FIRMWARE_SETTING_CPU_VIRT);
        g_assert_cmpint (iommu->setting, ==, PT_FIRMWARE_SETTING_IOMMU);

        /* The why names the right technology for the CPU. */
        if (cpus[c] == PT_CPU_VENDOR_INTEL)
          {
            g_assert_nonnull (strstr (virt->why, "vmx"));
            g_assert_nonnull (strstr (iommu->why, "DMAR"));
          }
        else
          {
            g_assert_nonnull (strstr (virt->why, "svm"));
            g_assert_nonnull (strstr (iommu->why, "IVRS"));
          }

        /* Steps come in setting order, each setting once, CPU first. */
        g_assert_cmpuint (steps->len, >=, 2);
        g_assert_true (g_ptr_array_index (steps, 0) == virt);
        g_assert_true (g_ptr_array_index (steps, 1) == iommu);
        for (guint i = 0; i < steps->len; i++)
          {
            const PtFirmwareStep *step = g_ptr_array_index (steps, i);

            assert_step_complete (step);
            g_assert_cmpint ((int) step->setting, >, last);
            last = step->setting;
            g_assert_true (pt_firmware_lookup (cpus[c], tabled_vendors[v], NULL,
                                               step->setting) == step);
          }
      }
}

static void
test_vendor_paths (void)
{
  static const struct
  {
    PtCpuVendor        cpu;
    const char        *vendor;
    PtFirmwareSetting  setting;
    const char        *location;
  } cases[] = {
    { PT_CPU_VENDOR_INTEL, "ASUSTeK COMPUTER INC.", PT_FIRMWARE_SETTING_IOMMU,
      "Advanced > System Agent (SA) Configuration > VT-d" },
    { PT_CPU_VENDOR_AMD, "ASUSTeK COMPUTER INC.", PT_FIRMWARE_SETTING_CPU_VIRT,
      "Advanced > CPU Configuration > SVM Mode" },
    { PT_CPU_VENDOR_AMD, "ASUSTeK COMPUTER INC.", PT_FIRMWARE_SETTING_IOMMU,
      "Advanced > AMD CBS > NBIO Common Options > IOMMU" },
    { PT_CPU_VENDOR_INTEL, "Micro-Star International Co., Ltd.", PT_FIRMWARE_SETTING_CPU_VIRT,
      "OC > CPU Features > Intel Virtualization Tech" },
    { PT_CPU_VENDOR_AMD, "Micro-Star International Co., Ltd.", PT_FIRMWARE_SETTING_IOMMU,
      "Settings > Advanced > AMD CBS > NBIO Common Options > IOMMU" },
    { PT_CPU_VENDOR_AMD, "Gigabyte Technology Co., Ltd.", PT_FIRMWARE_SETTING_CPU_VIRT,
      "Tweaker > Advanced CPU Settings > SVM Mode" },
    { PT_CPU_VENDOR_AMD, "Gigabyte Technology Co., Ltd.", PT_FIRMWARE_SETTING_IOMMU,
      "Settings > Miscellaneous > IOMMU" },
    { PT_CPU_VENDOR_INTEL, "Gigabyte Technology Co., Ltd.", PT_FIRMWARE_SETTING_IOMMU,
      "Settings > Miscellaneous > VT-d" },
    { PT_CPU_VENDOR_AMD, "ASRock", PT_FIRMWARE_SETTING_IOMMU,
      "Advanced > AMD CBS > NBIO Common Options > IOMMU" },
    { PT_CPU_VENDOR_INTEL, "Dell Inc.", PT_FIRMWARE_SETTING_IOMMU,
      "Virtualization Support > VT for Direct I/O > Enable VT for Direct I/O" },
    { PT_CPU_VENDOR_INTEL, "LENOVO", PT_FIRMWARE_SETTING_CPU_VIRT,
      "Security > Virtualization > Intel Virtualization Technology" },
    { PT_CPU_VENDOR_INTEL, "LENOVO", PT_FIRMWARE_SETTING_IOMMU,
      "Security > Virtualization > Intel VT-d Feature" },
    { PT_CPU_VENDOR_INTEL, "Hewlett-Packard", PT_FIRMWARE_SETTING_CPU_VIRT,
      "Advanced > System Options > Virtualization Technology (VTx)" },
    { PT_CPU_VENDOR_INTEL, "Supermicro", PT_FIRMWARE_SETTING_CPU_VIRT,
      "Advanced > CPU Configuration > Intel Virtualization Technology" },
    { PT_CPU_VENDOR_INTEL, "Supermicro", PT_FIRMWARE_SETTING_IOMMU,
      "Advanced > Chipset Configuration > North Bridge > IIO Configuration > "
      "Intel VT for Directed I/O (VT-d)" },
    { PT_CPU_VENDOR_AMD, "Super Micro Computer, Inc.", PT_FIRMWARE_SETTING_IOMMU,
      "Advanced > NB Configuration > IOMMU" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const PtFirmwareStep *step = pt_firmware_lookup (cases[i].cpu, cases[i].vendor, NULL,
                                                       cases[i].setting);
      g_autofree char *location = NULL;

      g_assert_nonnull (step);
      location = pt_firmware_step_dup_location (step);
      g_assert_cmpstr (location, ==, cases[i].location);
    }

  /* OEM desktops do not offer Above 4G: no step rather than a wrong path. */
  g_assert_null (pt_firmware_lookup (PT_CPU_VENDOR_INTEL, "Dell Inc.", NULL,
                                     PT_FIRMWARE_SETTING_ABOVE_4G));
  g_assert_null (pt_firmware_lookup (PT_CPU_VENDOR_INTEL, "LENOVO", NULL,
                                     PT_FIRMWARE_SETTING_RESIZABLE_BAR));
}

static void
test_generic_fallback (void)
{
  const char *unknown[] = { "Totally Unknown Boards Ltd.", "To Be Filled By O.E.M.",
                            "BIOSTAR Group", NULL };

  for (guint c = 0; c < G_N_ELEMENTS (cpus); c++)
    {
      g_autoptr(GPtrArray) generic = pt_firmware_guidance (cpus[c], NULL, NULL);

      g_assert_cmpuint (generic->len, >=, 7);
      for (guint u = 0; u < G_N_ELEMENTS (unknown); u++)
        {
          g_autoptr(GPtrArray) steps = pt_firmware_guidance (cpus[c], unknown[u], "X570 ANYTHING");

          g_assert_cmpuint (steps->len, ==, generic->len);
          for (guint i = 0; i < steps->len; i++)
            g_assert_true (g_ptr_array_index (steps, i) == g_ptr_array_index (generic, i));
        }
    }
  g_assert_false (pt_firmware_has_vendor_table ("BIOSTAR Group"));
  g_assert_false (pt_firmware_has_vendor_table (NULL));

  /* The generic steps cover every setting a passthrough setup touches. */
  for (PtFirmwareSetting s = PT_FIRMWARE_SETTING_CPU_VIRT; s < PT_FIRMWARE_N_SETTINGS; s++)
    {
      if (s == PT_FIRMWARE_SETTING_ACS || s == PT_FIRMWARE_SETTING_IGPU)
        continue;
      g_assert_nonnull (pt_firmware_lookup (PT_CPU_VENDOR_INTEL, "Unknown", NULL, s));
      g_assert_nonnull (pt_firmware_lookup (PT_CPU_VENDOR_AMD, "Unknown", NULL, s));
    }
  g_assert_cmpstr (pt_firmware_lookup (PT_CPU_VENDOR_AMD, NULL, NULL,
                                       PT_FIRMWARE_SETTING_CPU_VIRT)->name, ==, "SVM Mode");

  /* An unknown CPU vendor gets steps naming both technologies, even on a
   * board vendor with tables. */
  {
    const PtFirmwareStep *virt = pt_firmware_lookup (PT_CPU_VENDOR_UNKNOWN, "ASUSTeK COMPUTER INC.",
                                                     NULL, PT_FIRMWARE_SETTING_CPU_VIRT);

    g_assert_nonnull (virt);
    g_assert_nonnull (strstr (virt->name, "Intel"));
    g_assert_nonnull (strstr (virt->name, "SVM"));
    g_assert_nonnull (pt_firmware_lookup (PT_CPU_VENDOR_UNKNOWN, NULL, NULL,
                                          PT_FIRMWARE_SETTING_IOMMU));
  }
}

/* The seed guide's ASUS MAXIMUS VII Ranger (Z97). */
static void
test_seed_board (void)
{
  static const struct
  {
    PtFirmwareSetting  setting;
    const char        *location;
    const char        *value;
  } expected[] = {
    { PT_FIRMWARE_SETTING_CPU_VIRT,
      "Advanced > CPU Configuration > Intel Virtualization Technology", "Enabled" },
    { PT_FIRMWARE_SETTING_IOMMU, "Advanced > System Agent Configuration > VT-d", "Enabled" },
    { PT_FIRMWARE_SETTING_PRIMARY_DISPLAY,
      "Advanced > System Agent Configuration > Graphics Configuration > Primary Display",
      "CPU Graphics" },
    { PT_FIRMWARE_SETTING_IGPU,
      "Advanced > System Agent Configuration > Graphics Configuration > CPU Graphics Multi-Monitor",
      "Enabled" },
    { PT_FIRMWARE_SETTING_ABOVE_4G, "Boot > Above 4G Decoding", "Enabled" },
    { PT_FIRMWARE_SETTING_SECURE_BOOT, "Boot > Secure Boot > OS Type", "Other OS" },
  };
  g_autoptr(GPtrArray) steps = NULL;
  g_autofree char *instruction = NULL;
  const PtFirmwareStep *step;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *location = NULL;

      step = pt_firmware_lookup (PT_CPU_VENDOR_INTEL, "ASUSTeK COMPUTER INC.",
                                 "MAXIMUS VII RANGER", expected[i].setting);
      g_assert_nonnull (step);
      location = pt_firmware_step_dup_location (step);
      g_assert_cmpstr (location, ==, expected[i].location);
      g_assert_cmpstr (step->value, ==, expected[i].value);
    }

  /* A Z97 board has no Resizable BAR. */
  g_assert_null (pt_firmware_lookup (PT_CPU_VENDOR_INTEL, "ASUSTeK COMPUTER INC.",
                                     "MAXIMUS VII RANGER", PT_FIRMWARE_SETTING_RESIZABLE_BAR));
  steps = pt_firmware_guidance (PT_CPU_VENDOR_INTEL, "ASUSTeK COMPUTER INC.", "Maximus VII Ranger");
  g_assert_cmpuint (steps->len, ==, 7);

  step = pt_firmware_lookup (PT_CPU_VENDOR_INTEL, "ASUSTeK COMPUTER INC.", "MAXIMUS VII RANGER",
                             PT_FIRMWARE_SETTING_CPU_VIRT);
  instruction = pt_firmware_step_dup_instruction (step);
  g_assert_cmpstr (instruction, ==,
                   "In the firmware setup, set Advanced > CPU Configuration > "
                   "Intel Virtualization Technology to Enabled.");

  /* Current ASUS boards use the newer names; MAXIMUS VIII is not VII. */
  step = pt_firmware_lookup (PT_CPU_VENDOR_INTEL, "ASUSTeK COMPUTER INC.", "MAXIMUS VIII HERO",
                             PT_FIRMWARE_SETTING_IOMMU);
  g_assert_cmpstr (step->menu_path, ==, "Advanced > System Agent (SA) Configuration");
  step = pt_firmware_lookup (PT_CPU_VENDOR_INTEL, "ASUSTeK COMPUTER INC.",
                             "ROG STRIX Z790-E GAMING WIFI", PT_FIRMWARE_SETTING_ABOVE_4G);
  g_assert_cmpstr (step->menu_path, ==, "Advanced > PCI Subsystem Settings");
}

static void
test_instruction_with_note (void)
{
  const PtFirmwareStep *step;
  g_autofree char *instruction = NULL;

  step = pt_firmware_lookup (PT_CPU_VENDOR_AMD, "ASUSTeK COMPUTER INC.", NULL,
                             PT_FIRMWARE_SETTING_CPU_VIRT);
  instruction = pt_firmware_step_dup_instruction (step);
  g_assert_cmpstr (instruction, ==,
                   "In the firmware setup, set Advanced > CPU Configuration > SVM Mode to Enabled.");
  g_clear_pointer (&instruction, g_free);

  step = pt_firmware_lookup (PT_CPU_VENDOR_AMD, "ASUSTeK COMPUTER INC.", NULL,
                             PT_FIRMWARE_SETTING_IOMMU);
  g_assert_nonnull (step->note);
  instruction = pt_firmware_step_dup_instruction (step);
  g_assert_true (g_str_has_prefix (instruction,
                                   "In the firmware setup, set Advanced > AMD CBS > "
                                   "NBIO Common Options > IOMMU to Enabled. "));
  g_assert_true (g_str_has_suffix (instruction, step->note));
}

static void
test_setting_ids (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (PtFirmwareSetting s = 0; s < PT_FIRMWARE_N_SETTINGS; s++)
    {
      const char *id = pt_firmware_setting_to_string (s);

      g_assert_nonnull (id);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, (gpointer) id);
    }
  g_assert_cmpstr (pt_firmware_setting_to_string (PT_FIRMWARE_SETTING_CPU_VIRT), ==,
                   "cpu-virtualization");
  g_assert_cmpstr (pt_firmware_setting_to_string (PT_FIRMWARE_SETTING_ABOVE_4G), ==,
                   "above-4g-decoding");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/firmware/vendor-ids", test_vendor_ids);
  g_test_add_func ("/firmware/every-vendor-has-virt-and-iommu", test_every_vendor_has_virt_and_iommu);
  g_test_add_func ("/firmware/vendor-paths", test_vendor_paths);
  g_test_add_func ("/firmware/generic-fallback", test_generic_fallback);
  g_test_add_func ("/firmware/seed-board", test_seed_board);
  g_test_add_func ("/firmware/instruction-with-note", test_instruction_with_note);
  g_test_add_func ("/firmware/setting-ids", test_setting_ids);

  return g_test_run ();
}
