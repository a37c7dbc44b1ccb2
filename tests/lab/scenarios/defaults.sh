# Scenario: Debian 12's kernel with no IOMMU argument at all (boot 2 gets
# none; the lab otherwise adds intel_iommu=on on Intel).  Measured: both
# the Intel and the AMD IOMMU come up by themselves — Debian builds 6.1
# with CONFIG_INTEL_IOMMU_DEFAULT_ON unset but
# CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y (on, except for the integrated
# GPU).  passthroughctl's groups must equal the kernel's, and its
# kernel-arguments check must not fail (it may suggest intel_iommu=on).
# Should a kernel change that default, this scenario shows it.
. "$PT_LAB/guest/lib.sh"

if [ "$PT_PHASE" = 1 ]; then
  : > "$PT_NEXT/cmdline"
  exit 99
fi
echo "/proc/cmdline: $(cat /proc/cmdline)"
modules=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^pt.modules=//p')
grep -E 'INTEL_IOMMU_DEFAULT_ON|CONFIG_AMD_IOMMU=' "$modules/../../../boot/config-$(uname -r)"
dmesg | grep -iE 'DMAR: dmar0|AMD-Vi: .*(found|Interrupt)|Adding to iommu group 0$' | head -5
ls /sys/kernel/iommu_groups | grep -q . || lab_fail "no IOMMU groups without IOMMU arguments on $PT_MODEL"
lab_expect "groups" groups "$PT_CTL"
state=$("$PT_CTL" status --json | python3 -c 'import json,sys; print([c["state"] for c in json.load(sys.stdin)["checks"] if c["id"] == "kernel-arguments"][0])')
echo "kernel-arguments check: $state"
[ "$state" != fail ] || lab_fail "the kernel-arguments check fails though the kernel has the IOMMU on"
lab_done
