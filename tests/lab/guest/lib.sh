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
