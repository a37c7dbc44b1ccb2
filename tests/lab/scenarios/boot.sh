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
  release=$(uname -r)
  R=/tmp/target
  rm -rf "$R"
  cp -a "$PT_LAB/targets/debian12" "$R"
  mkdir -p "$R/sys" "$R/proc" "$R/dev" "$R/run" "$R/usr/sbin" "$R/usr/bin" \
    "$R/usr/lib/modules/$release" "$R/var/lib"
  ln -s usr/lib "$R/lib"
  ln -s usr/bin "$R/bin"
  ln -s usr/sbin "$R/sbin"
  cp -L /etc/os-release "$R/etc/os-release"
  for tool in update-grub update-initramfs; do
    printf '#!/bin/sh\nexit 0\n' > "$R/usr/sbin/$tool"
    chmod 755 "$R/usr/sbin/$tool"
  done
  mount --rbind /sys "$R/sys"
  mount --bind /proc "$R/proc"
  mount --bind /dev "$R/dev"
  mount --bind "/usr/lib/modules/$release" "$R/usr/lib/modules/$release"
  cp -a "$R/etc" /tmp/etc.before
  cp -a "$R/boot" /tmp/boot.before

  "$PT_CTL" --root "$R" plan "$PT_clean_gpu" --json > "$PT_NEXT/plan.json" \
    || lab_fail "plan --root on the Debian tree failed: $("$PT_CTL" --root "$R" plan "$PT_clean_gpu" 2>&1 >/dev/null)"
  cat "$PT_NEXT/plan.json"
  out=$("$PT_CTL" --root "$R" apply "$PT_clean_gpu" 2>&1)
  rc=$?
  echo "apply -> exit $rc: $out"
  [ $rc -eq 0 ] || lab_fail "apply --root failed (exit $rc): $out"
  for f in etc/default/grub etc/initramfs-tools/modules etc/modprobe.d/vfio.conf; do
    echo "--- $f after apply"
    cat "$R/$f"
  done
  sums1=$(cd "$R" && find etc boot -type f | sort | xargs sha256sum)
  out=$("$PT_CTL" --root "$R" apply "$PT_clean_gpu" 2>&1) || lab_fail "the second apply failed: $out"
  sums2=$(cd "$R" && find etc boot -type f | sort | xargs sha256sum)
  [ "$sums1" = "$sums2" ] || lab_fail "the second apply changed files: $(diff <(echo "$sums1") <(echo "$sums2") | grep '^[<>]' | head -3 | tr '\n' ' ')"

  (
    GRUB_CMDLINE_LINUX_DEFAULT= GRUB_CMDLINE_LINUX=
    . "$R/etc/default/grub"
    echo "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT"
  ) > "$PT_NEXT/cmdline"
  echo "kernel arguments for the second boot: $(cat "$PT_NEXT/cmdline")"
  grep -q 'vfio-pci.ids=\|vfio_pci.ids=' "$PT_NEXT/cmdline" || lab_fail "etc/default/grub has no vfio-pci.ids after apply"
  mkdir -p "$PT_NEXT/etc"
  cp -a "$R/etc/modprobe.d" "$R/etc/initramfs-tools" "$PT_NEXT/etc/"

  out=$("$PT_CTL" --root "$R" rollback 2>&1) || lab_fail "rollback failed: $out"
  echo "rollback: $out"
  diff -r /tmp/etc.before "$R/etc" && diff -r /tmp/boot.before "$R/boot" \
    || lab_fail "rollback did not restore etc/ and boot/ byte for byte"
  umount -l "$R/sys" "$R/proc" "$R/dev" "$R/usr/lib/modules/$release"
  [ $lab_failed = 0 ] && exit 99
  exit 1
fi

# The second boot.
echo "/proc/cmdline: $(cat /proc/cmdline)"
for word in $(cat "$PT_NEXT/cmdline"); do
  grep -qw -- "$word" /proc/cmdline || lab_fail "the kernel was not started with $word"
done
ls /sys/kernel/iommu_groups | grep -q . || lab_fail "no IOMMU groups after the boot with the planned arguments"
cp "$PT_NEXT"/etc/modprobe.d/*.conf /etc/modprobe.d/ 2>/dev/null
# initramfs-tools loads its modules file first, in order, then udev's
# coldplug loads a driver for every device.
while read -r module args; do
  case "$module" in ''|'#'*) continue;; esac
  echo "initramfs: modprobe $module $args"
  modprobe "$module" $args || lab_fail "modprobe $module (initramfs-tools modules) failed"
done < "$PT_NEXT/etc/initramfs-tools/modules"
for dev in /sys/bus/pci/devices/*; do
  modprobe -b -q "$(cat "$dev/modalias")" 2>/dev/null
done
lab_expect "drivers after the boot" boot-drivers "$PT_NEXT/plan.json"
lab_expect "groups after the boot" groups "$PT_CTL"
lab_done
