# tests/lab/guest/lib.sh: sourced by the scenarios (tests/lab/scenarios/*.sh)
# in the lab guest.  Environment from stage2: PT_MODEL, PT_SRC, PT_BUILD,
# PT_RUN, PT_CTL (the built passthroughctl), PT_LAB, PT_DETAILS, and one
# PT_<role>=ADDRESS per topology role (PT_clean_gpu, PT_boot_vga, PT_disk…).

lab_failed=0

# lab_fail MESSAGE: the scenario fails; the first message is its detail line.
lab_fail () {
  echo "FAIL: $*"
  echo "$*" >> "$PT_DETAILS"
  lab_failed=1
}

lab_check () {
  python3 "$PT_LAB/guest/labcheck.py" "$@"
}

# lab_expect WHAT CHECK ARGS…: runs labcheck.py CHECK ARGS…, shows its
# output, and fails the scenario with its first MISMATCH line.
lab_expect () {
  local what=$1 out rc
  shift
  out=$(lab_check "$@" 2>&1)
  rc=$?
  echo "$out"
  if [ $rc -ne 0 ]; then
    lab_fail "$what: $(grep -m1 -E 'MISMATCH|Error' <<< "$out" | sed 's/^MISMATCH: //')"
  fi
}

# lab_refuses WHAT REGEX ARGS…: `passthroughctl ARGS` must exit 1 with a
# message on stderr matching REGEX (grep -E, case-insensitive).
lab_refuses () {
  local what=$1 regex=$2 out rc
  shift 2
  out=$("$PT_CTL" "$@" 2>&1 >/dev/null)
  rc=$?
  echo "passthroughctl $* -> exit $rc: $out"
  if [ $rc -ne 1 ]; then
    lab_fail "$what: passthroughctl $* exited $rc, not 1 (refusal): $out"
  elif ! grep -qiE "$regex" <<< "$out"; then
    lab_fail "$what: passthroughctl $* refused without /$regex/: $out"
  fi
}

lab_done () {
  exit $lab_failed
}

# lab_group ADDRESS: the kernel's IOMMU group number of a function.
lab_group () {
  basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"
}

# lab_json_field FILE FIELD: a top-level field of a JSON file (empty when
# missing or null).
lab_json_field () {
  python3 -c 'import json, sys
v = json.load(open(sys.argv[1])).get(sys.argv[2])
print("" if v is None else v)' "$1" "$2" 2>/dev/null
}

# lab_driver ADDRESS: the driver bound to a function, or "-".
lab_driver () {
  local link=/sys/bus/pci/devices/$1/driver
  if [ -L "$link" ]; then basename "$(readlink "$link")"; else echo -; fi
}

# lab_shell_bind GROUP: moves every function of GROUP to vfio-pci with plain
# sysfs writes (driver_override, unbind, drivers_probe), the mechanism
# pt-bind.c uses.  Bridges (class 0604) stay where they are.
lab_shell_bind () {
  local dev addr
  modprobe vfio-pci || lab_fail "modprobe vfio-pci failed"
  for dev in /sys/kernel/iommu_groups/$1/devices/*; do
    addr=${dev##*/}
    case $(cat "$dev/class") in 0x0604*) continue;; esac
    echo vfio-pci > "$dev/driver_override"
    [ -L "$dev/driver" ] && echo "$addr" > "$dev/driver/unbind"
    echo "$addr" > /sys/bus/pci/drivers_probe
    echo "bound $addr: $(lab_driver "$addr")"
  done
}

# lab_shell_unbind GROUP: gives the functions back: clears driver_override,
# unbinds from vfio-pci and probes again, so their own drivers take them.
lab_shell_unbind () {
  local dev addr
  for dev in /sys/kernel/iommu_groups/$1/devices/*; do
    addr=${dev##*/}
    case $(cat "$dev/class") in 0x0604*) continue;; esac
    echo > "$dev/driver_override"
    [ "$(lab_driver "$addr")" = vfio-pci ] && echo "$addr" > /sys/bus/pci/drivers/vfio-pci/unbind
    echo "$addr" > /sys/bus/pci/drivers_probe
    echo "gave back $addr: $(lab_driver "$addr")"
  done
}

# lab_skip REASON: the scenario cannot run here (exit 77, SKIP).
lab_skip () {
  echo "SKIP: $*"
  echo "$*" >> "$PT_DETAILS"
  exit 77
}

# lab_wait_name NAME [SECONDS]: waits until NAME has an owner on the system bus.
lab_wait_name () {
  local i
  for i in $(seq $((${2:-20} * 5))); do
    gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
      --method org.freedesktop.DBus.NameHasOwner "$1" 2>/dev/null | grep -q true && return 0
    sleep 0.2
  done
  return 1
}

# lab_helper METHOD ARGS…: calls io.github.passthrough.Helper1.METHOD as root.
lab_helper () {
  local method=$1
  shift
  gdbus call --system --dest io.github.passthrough.Helper1 \
    --object-path /io/github/passthrough/Helper1 \
    --method "io.github.passthrough.Helper1.$method" "$@"
}

# lab_target_apply ADDRESS…: `passthroughctl --root TREE apply ADDRESS…` on
# a Debian 12 tree (tests/lab/targets/debian12) with this guest's /sys,
# /proc, /dev and module tree bound in.  A second apply must change
# nothing.  The plan (plan.json), the kernel arguments of the applied
# etc/default/grub (cmdline) and the applied modprobe.d and initramfs-tools
# files go to $PT_NEXT for the next boot; then `rollback` must restore the
# tree byte for byte.
lab_target_apply () {
  local release R out rc sums1 sums2 f tool
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

  "$PT_CTL" --root "$R" plan "$@" --json > "$PT_NEXT/plan.json" \
    || lab_fail "plan --root on the Debian tree failed: $("$PT_CTL" --root "$R" plan "$@" 2>&1 >/dev/null)"
  cat "$PT_NEXT/plan.json"
  out=$("$PT_CTL" --root "$R" apply "$@" 2>&1)
  rc=$?
  echo "apply -> exit $rc: $out"
  [ $rc -eq 0 ] || lab_fail "apply --root failed (exit $rc): $out"
  for f in etc/default/grub etc/initramfs-tools/modules etc/modprobe.d/vfio.conf; do
    echo "--- $f after apply"
    cat "$R/$f"
  done
  sums1=$(cd "$R" && find etc boot -type f | sort | xargs sha256sum)
  out=$("$PT_CTL" --root "$R" apply "$@" 2>&1) || lab_fail "the second apply failed: $out"
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
}

# lab_boot_check: in a boot started with what lab_target_apply left in
# $PT_PREV: the arguments are on /proc/cmdline, the groups are there, and
# after the initramfs-tools modules and a udev-like coldplug (modprobe of
# every device's modalias in address order, with the applied modprobe.d)
# vfio-pci holds exactly the devices whose IDs are in the plan's vfio_ids,
# and passthroughctl's groups still equal the kernel's.
lab_boot_check () {
  local word module args dev
  echo "/proc/cmdline: $(cat /proc/cmdline)"
  for word in $(cat "$PT_PREV/cmdline"); do
    grep -qw -- "$word" /proc/cmdline || lab_fail "the kernel was not started with $word"
  done
  ls /sys/kernel/iommu_groups | grep -q . || lab_fail "no IOMMU groups after the boot with the planned arguments"
  cp "$PT_PREV"/etc/modprobe.d/*.conf /etc/modprobe.d/ 2>/dev/null
  # initramfs-tools loads its modules file first, in order, then udev's
  # coldplug loads a driver for every device.
  while read -r module args; do
    case "$module" in ''|'#'*) continue;; esac
    echo "initramfs: modprobe $module $args"
    modprobe "$module" $args || lab_fail "modprobe $module (initramfs-tools modules) failed"
  done < "$PT_PREV/etc/initramfs-tools/modules"
  for dev in /sys/bus/pci/devices/*; do
    modprobe -b -q "$(cat "$dev/modalias")" 2>/dev/null
  done
  lab_expect "drivers after the boot" boot-drivers "$PT_PREV/plan.json"
  lab_expect "groups after the boot" groups "$PT_CTL"
}
