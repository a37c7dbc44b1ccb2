# Scenario: the first setup of a host, from the start, on both models.
# Boot 2 is a host whose firmware has the IOMMU switched off (pt.iommu=off:
# QEMU gets no IOMMU device, so there is no DMAR/IVRS table) running the
# kernel as Debian installs it: passthroughctl must say so — no groups,
# every function ungrouped, GPU isolation "unknown", the iommu-firmware and
# iommu-kernel checks failing with the firmware switch named — and still
# plan the clean GPU (its slot functions, with a warning to check the
# groups after the reboot).  That plan is applied offline to a Debian tree.
# Boot 3 is the same host with the IOMMU switched on in the firmware and
# only the arguments the applied etc/default/grub holds: the groups must be
# there and vfio-pci must hold the planned devices (lab_boot_check).
. "$PT_LAB/guest/lib.sh"

case "$PT_PHASE" in
  1)
    echo pt.iommu=off > "$PT_NEXT/cmdline"
    exit 99
    ;;
  2)
    echo "/proc/cmdline: $(cat /proc/cmdline)"
    echo "--- the kernel on its IOMMU"
    dmesg | grep -iE 'DMAR|IOMMU|AMD-Vi|remapping' | head -20
    ls /sys/firmware/acpi/tables/DMAR /sys/firmware/acpi/tables/IVRS 2>/dev/null \
      && lab_fail "an IOMMU table is there though the firmware has the IOMMU off"
    ls /sys/kernel/iommu_groups 2>/dev/null | grep -q . \
      && lab_fail "the kernel made IOMMU groups without an IOMMU"
    "$PT_CTL" status
    lab_expect "passthroughctl with the IOMMU off" iommu-off "$PT_CTL"
    lab_expect "the plan without groups" plan-ok "$PT_CTL" "$PT_clean_gpu" -- "$PT_clean_gpu" "$PT_clean_audio"
    lab_target_apply "$PT_clean_gpu"
    python3 -c 'import json,sys; w=json.load(open(sys.argv[1]))["warnings"]; sys.exit(not any("group" in x.lower() for x in w))' \
      "$PT_NEXT/plan.json" || lab_fail "the plan without groups does not warn to check the groups after the reboot"
    [ $lab_failed = 0 ] && exit 99
    exit 1
    ;;
  *)
    lab_boot_check
    ;;
esac
lab_done
