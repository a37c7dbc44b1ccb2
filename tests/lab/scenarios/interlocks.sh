# Scenario 3 (read-only part): on the real kernel, `passthroughctl plan`
# refuses the boot VGA (without --allow-boot-vga), the controller of the
# root file system (the virtio disk the guest's / is on) and the NIC of the
# default route, and names the shared GPU's blocker; the clean GPU's plan
# takes exactly its slot, and the explicit choices (--allow-boot-vga,
# --allow-shared) and a NIC off the default route are planned.  The root disk and the route are checked first
# from the kernel itself, so a refusal is for the right device.
. "$PT_LAB/guest/lib.sh"

eval "$(lab_check root-facts)"
echo "root disk controller $root_disk_controller, default route NIC $default_route_nic"
[ "$root_disk_controller" = "$PT_disk" ] \
  || lab_fail "lab setup: / is on ${root_disk_controller:-nothing}, not the virtio disk $PT_disk"
[ "$default_route_nic" = "$PT_nic" ] \
  || lab_fail "lab setup: the default route is on ${default_route_nic:-nothing}, not $PT_nic"

lab_refuses "boot VGA" "boot display" plan "$PT_boot_vga"
lab_refuses "root disk controller" "root file system" plan "$PT_disk"
lab_refuses "default-route NIC" "default route" plan "$PT_nic"
lab_refuses "shared GPU" "${PT_shared_other#0000:}" plan "$PT_shared_gpu"

# What is allowed: exactly the group (and companions), bridges left out.
lab_expect "the clean GPU's plan" plan-ok "$PT_CTL" "$PT_clean_gpu" -- "$PT_clean_gpu" "$PT_clean_audio"
lab_expect "the second GPU's plan" plan-ok "$PT_CTL" "$PT_second_gpu" -- "$PT_second_gpu"
lab_expect "the GPU behind the switch" plan-ok "$PT_CTL" "$PT_switch_gpu" -- "$PT_switch_gpu"
lab_expect "a NIC off the default route" plan-ok "$PT_CTL" "$PT_switch_nic" -- "$PT_switch_nic"
lab_expect "the boot VGA with --allow-boot-vga" plan-ok "$PT_CTL" "$PT_boot_vga" --allow-boot-vga -- "$PT_boot_vga"
lab_expect "the shared GPU with --allow-shared" plan-ok "$PT_CTL" "$PT_shared_gpu" --allow-shared -- "$PT_shared_gpu" "$PT_shared_other"
# The explicit choices do not lift the other interlocks.
lab_refuses "root disk controller with --allow-shared --allow-boot-vga" "root file system" \
  plan "$PT_disk" --allow-shared --allow-boot-vga
lab_done
