# Scenario: `passthroughctl status` on the real kernel.  The IOMMU checks must
# agree with what the kernel shows: the ACPI table (DMAR for Intel, IVRS for
# AMD), populated /sys/kernel/iommu_groups, interrupt remapping ("IR-" chips
# in /proc/interrupts; QEMU's IOMMUs are started with intremap=on), and a GPU
# candidate (the clean GPU).
. "$PT_LAB/guest/lib.sh"

"$PT_CTL" status
lab_expect "status" status "$PT_CTL"
lab_done
