# Scenario: the boot display is a discrete card behind a root port, as on
# most desktops.  Boot 2 has no VGA on the root bus (pt.novga), so the
# firmware starts the clean GPU (behind rp1) and routes VGA to it through
# its port; the kernel must mark it boot_vga.  passthroughctl must agree
# (gpus: boot_vga true, still clean with its audio companion), `plan`
# must refuse it as the boot display, and with --allow-boot-vga plan both
# functions with the warning that the host console goes dark.
. "$PT_LAB/guest/lib.sh"

if [ "$PT_PHASE" = 1 ]; then
  if [ "$PT_MODEL" = intel ]; then echo "pt.novga intel_iommu=on"; else echo pt.novga; fi > "$PT_NEXT/cmdline"
  exit 99
fi
[ -z "$PT_boot_vga" ] || lab_fail "lab setup: the root-bus VGA $PT_boot_vga is still there"
for d in /sys/bus/pci/devices/*; do
  [ "$(cat "$d/boot_vga" 2>/dev/null)" = 1 ] && echo "the kernel's boot VGA: ${d##*/}"
done
[ "$(cat "/sys/bus/pci/devices/$PT_clean_gpu/boot_vga" 2>/dev/null)" = 1 ] \
  || lab_fail "lab setup: the firmware did not boot from $PT_clean_gpu (its boot_vga is not 1)"
lab_expect "gpus" gpus "$PT_CTL"
verdict=$("$PT_CTL" gpus --json | python3 -c 'import json,sys
g=[x for x in json.load(sys.stdin)["gpus"] if x["address"]==sys.argv[1]][0]
print(g["boot_vga"], g["isolation"])' "$PT_clean_gpu")
echo "passthroughctl on $PT_clean_gpu: boot_vga isolation = $verdict"
[ "$verdict" = "True clean" ] || lab_fail "passthroughctl says boot_vga isolation = $verdict for the discrete boot GPU"
lab_refuses "the discrete boot GPU" "boot display" plan "$PT_clean_gpu"
lab_expect "the discrete boot GPU with --allow-boot-vga" plan-ok "$PT_CTL" "$PT_clean_gpu" --allow-boot-vga -- "$PT_clean_gpu" "$PT_clean_audio"
"$PT_CTL" plan "$PT_clean_gpu" --allow-boot-vga --json | grep -q "console goes dark" \
  || lab_fail "the plan with --allow-boot-vga does not warn that the host console goes dark"
lab_done
