# Scenario 5: offline apply, then a boot with what it planned.
# First boot: a Debian 12 target tree (tests/lab/targets/debian12: GRUB and
# initramfs-tools files as installed) gets the guest's /sys, /proc, /dev and
# module tree bound in, and `passthroughctl --root TREE apply` is run for
# the clean GPU.  A second apply must change nothing; the kernel arguments
# now in etc/default/grub, the modprobe.d and initramfs-tools files go to
# the second boot; `rollback` must then restore the tree byte for byte.
# Second boot (the kernel started with those arguments): the arguments are
# on /proc/cmdline, the groups are there, and after the initramfs-tools
# modules and a udev-like coldplug (modprobe of every device's modalias, in
# address order, with the applied modprobe.d) vfio-pci holds exactly the
# devices whose IDs are in the plan's vfio_ids — the planned ones, and those
# the plan warned share their IDs — while every other device keeps its
# driver.
. "$PT_LAB/guest/lib.sh"

if [ "$PT_PHASE" = 1 ]; then
  lab_target_apply "$PT_clean_gpu"
  [ $lab_failed = 0 ] && exit 99
  exit 1
fi
lab_boot_check
lab_done
