# Scenario 1: `passthroughctl groups --json` equals the kernel's
# /sys/kernel/iommu_groups (same (group, address) pairs, IDs, class, driver,
# ungrouped functions), and `gpus --json` gives the contract's verdicts: the
# clean GPU with its HDA function as companion is clean, the boot VGA is
# boot_vga, the GPU behind the PCIe-to-PCI bridge is shared with the serial
# card as blocker, the second GPU is clean.
. "$PT_LAB/guest/lib.sh"

echo "--- the kernel's IOMMU groups"
lab_check kernel-groups
echo "--- groups"
lab_expect "groups" groups "$PT_CTL"
echo "--- gpus"
lab_expect "gpus" gpus "$PT_CTL"
lab_done
