# Scenario 2 (through the daemon) and the binding half of scenario 3:
# passthroughd on the guest's real system bus (dbus-daemon --system with the
# project's bus policy) with a real polkitd (the project's actions; root is
# authorised by polkit itself).  Bind(clean GPU) moves its whole group from
# bochs/snd_hda_intel to vfio-pci, /dev/vfio/N appears and a VFIO container
# takes it; Bind of the boot VGA, the root disk's controller and the
# default-route NIC is refused and changes no driver; Unbind gives the
# original drivers back.  A group holding a bridge (the NIC behind the
# switch, with its downstream port) is bound with the bridge left on
# pcieport and VFIO finds it viable; the shared GPU is refused.  Then the
# same through `passthroughctl bind` and `unbind` once the CLI has them.
# Skips when passthroughd is not built.
. "$PT_LAB/guest/lib.sh"

daemon=$PT_BUILD/src/daemon/passthroughd
policy=$PT_BUILD/data/io.github.passthrough.policy
[ -x "$daemon" ] || lab_skip "passthroughd is not built in $PT_BUILD"
[ -f "$policy" ] || lab_skip "no $policy in the build"
polkitd=
for p in /usr/lib/polkit-1/polkitd /usr/libexec/polkitd /usr/libexec/polkit-1/polkitd; do
  [ -x "$p" ] && polkitd=$p && break
done
[ -n "$polkitd" ] || lab_skip "polkitd is not installed (PT_LAB_PACKAGES)"
command -v dbus-daemon > /dev/null && command -v gdbus > /dev/null \
  || lab_skip "dbus-daemon or gdbus is not installed (PT_LAB_PACKAGES)"

# The guest's /etc and /usr are the overlay: installing is safe.
mkdir -p /etc/dbus-1/system.d /usr/share/polkit-1/actions /run/dbus
cp "$PT_SRC/data/io.github.passthrough.Helper1.conf" /etc/dbus-1/system.d/
cp "$policy" /usr/share/polkit-1/actions/
dbus-daemon --system --fork --nosyslog || lab_fail "dbus-daemon --system did not start"
"$polkitd" --no-debug > /tmp/polkitd.log 2>&1 &
polkit_pid=$!
lab_wait_name org.freedesktop.PolicyKit1 30 || lab_fail "polkitd did not appear on the system bus"
"$daemon" --timeout 0 --verbose > /tmp/passthroughd.log 2>&1 &
daemon_pid=$!
lab_wait_name io.github.passthrough.Helper1 30 || lab_fail "passthroughd did not appear on the system bus"

modprobe bochs 2>/dev/null || modprobe bochs-drm || lab_fail "modprobe bochs failed"
modprobe snd_hda_intel || lab_fail "modprobe snd_hda_intel failed"
group=$(lab_group "$PT_clean_gpu")
declare -A before
members=()
for dev in /sys/kernel/iommu_groups/$group/devices/*; do
  addr=${dev##*/}
  members+=("$addr")
  before[$addr]=$(lab_driver "$addr")
done

for role in boot_vga disk nic; do
  var=PT_$role
  addr=${!var}
  was=$(lab_driver "$addr")
  if out=$(lab_helper Bind "['$addr']" 2>&1); then
    lab_fail "Bind($role $addr) succeeded: $out"
  else
    echo "Bind($role $addr) refused: $out"
  fi
  [ "$(lab_driver "$addr")" = "$was" ] || lab_fail "Bind($role) moved $addr from $was to $(lab_driver "$addr")"
done

if out=$(lab_helper Bind "['$PT_clean_gpu']" 2>&1); then
  echo "Bind($PT_clean_gpu): $out"
else
  lab_fail "Bind($PT_clean_gpu) failed: $out"
fi
for addr in "${members[@]}"; do
  echo "after Bind: $addr on $(lab_driver "$addr") (was ${before[$addr]})"
  [ "$(lab_driver "$addr")" = vfio-pci ] || lab_fail "after Bind $addr is on $(lab_driver "$addr"), not vfio-pci"
done
[ -c "/dev/vfio/$group" ] || lab_fail "/dev/vfio/$group did not appear after Bind"
lab_expect "VFIO open after Bind" vfio-open "$group" "${members[@]}"
lab_expect "groups after Bind" groups "$PT_CTL"

if out=$(lab_helper Unbind "['$PT_clean_gpu']" 2>&1); then
  echo "Unbind($PT_clean_gpu): $out"
else
  lab_fail "Unbind($PT_clean_gpu) failed: $out"
fi
for addr in "${members[@]}"; do
  now=$(lab_driver "$addr")
  echo "after Unbind: $addr on $now"
  [ "$now" = "${before[$addr]}" ] || lab_fail "after Unbind $addr is on $now, not ${before[$addr]} as before"
done

# A group with a bridge in it: the e1000e behind the switch's second
# downstream port shares its group with that port.  Bind must move the NIC
# (not the default route's) and leave the port on pcieport, and VFIO must
# find the group viable that way.
nic_group=$(lab_group "$PT_switch_nic")
port_was=$(lab_driver "$PT_switch_down2")
modprobe e1000e
nic_was=$(lab_driver "$PT_switch_nic")
echo "group $nic_group: $(ls "/sys/kernel/iommu_groups/$nic_group/devices" | tr '\n' ' ')"
if out=$(lab_helper Bind "['$PT_switch_nic']" 2>&1); then
  echo "Bind($PT_switch_nic): $out"
  [ "$(lab_driver "$PT_switch_nic")" = vfio-pci ] || lab_fail "after Bind the switch NIC is on $(lab_driver "$PT_switch_nic")"
  [ "$(lab_driver "$PT_switch_down2")" = "$port_was" ] \
    || lab_fail "Bind moved the bridge $PT_switch_down2 from $port_was to $(lab_driver "$PT_switch_down2")"
  lab_expect "VFIO open of a group with a bridge" vfio-open "$nic_group" "$PT_switch_nic" "$PT_switch_down2"
  out=$(lab_helper Unbind "['$PT_switch_nic']" 2>&1) || lab_fail "Unbind($PT_switch_nic) failed: $out"
  [ "$(lab_driver "$PT_switch_nic")" = "$nic_was" ] \
    || lab_fail "after Unbind the switch NIC is on $(lab_driver "$PT_switch_nic"), not $nic_was"
else
  lab_fail "Bind($PT_switch_nic) (a NIC off the default route) failed: $out"
fi
# A shared group is not taken without --allow-shared (the daemon has no
# such option for Bind): refused, nothing moved.
was=$(lab_driver "$PT_shared_other")
if out=$(lab_helper Bind "['$PT_shared_gpu']" 2>&1); then
  lab_fail "Bind of the shared GPU $PT_shared_gpu succeeded: $out"
else
  echo "Bind(shared GPU) refused: $out"
fi
[ "$(lab_driver "$PT_shared_other")" = "$was" ] || lab_fail "a refused Bind moved $PT_shared_other"

# The same through passthroughctl, once it has bind/unbind (it goes
# through the daemon with the root "/").
out=$("$PT_CTL" bind "$PT_clean_gpu" 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "not available" <<< "$out"; then
  echo "passthroughctl bind: not there yet ($out)"
else
  echo "passthroughctl bind $PT_clean_gpu -> exit $rc: $out"
  [ $rc -eq 0 ] || lab_fail "passthroughctl bind $PT_clean_gpu exited $rc: $out"
  for addr in "${members[@]}"; do
    [ "$(lab_driver "$addr")" = vfio-pci ] || lab_fail "after passthroughctl bind $addr is on $(lab_driver "$addr")"
  done
  lab_refuses "passthroughctl bind of the boot VGA" "boot display" bind "$PT_boot_vga"
  out=$("$PT_CTL" unbind "$PT_clean_gpu" 2>&1) || lab_fail "passthroughctl unbind $PT_clean_gpu failed: $out"
  for addr in "${members[@]}"; do
    now=$(lab_driver "$addr")
    [ "$now" = "${before[$addr]}" ] || lab_fail "after passthroughctl unbind $addr is on $now, not ${before[$addr]}"
  done
fi

kill "$daemon_pid" "$polkit_pid" 2>/dev/null
kill "$(cat /run/dbus/pid 2>/dev/null)" 2>/dev/null
echo "--- passthroughd's log"
cat /tmp/passthroughd.log
lab_done
