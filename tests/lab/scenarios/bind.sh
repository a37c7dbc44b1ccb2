# Scenario 2 (mechanism): the clean GPU's whole group moves to vfio-pci at
# run time and back.  The host drivers are loaded first (bochs for the VGA
# functions, snd_hda_intel for the audio), as on a real host; then every
# function of the group is bound through driver_override + drivers_probe,
# /dev/vfio/GROUP must appear, a VFIO container must accept the group and
# hand out a device fd for each function (what QEMU does), and after the
# unbind the original drivers must hold the functions again.
# The writes are plain shell (lab_shell_bind in lib.sh), the mechanism;
# the daemon's Bind/Unbind (passthroughd on the guest's system bus with
# polkitd) is scenarios/daemon.sh.
. "$PT_LAB/guest/lib.sh"

modprobe bochs 2>/dev/null || modprobe bochs-drm || lab_fail "modprobe bochs failed"
modprobe snd_hda_intel || lab_fail "modprobe snd_hda_intel failed"
group=$(lab_group "$PT_clean_gpu")
declare -A before
members=()
for dev in /sys/kernel/iommu_groups/$group/devices/*; do
  addr=${dev##*/}
  members+=("$addr")
  before[$addr]=$(lab_driver "$addr")
  echo "group $group: $addr on ${before[$addr]}"
done
[ "${before[$PT_clean_gpu]}" != - ] || lab_fail "no host driver took the clean GPU $PT_clean_gpu"
[ "${before[$PT_clean_audio]}" != - ] || lab_fail "no host driver took the clean GPU's audio $PT_clean_audio"

lab_shell_bind "$group"
for addr in "${members[@]}"; do
  [ "$(lab_driver "$addr")" = vfio-pci ] || lab_fail "$addr is on $(lab_driver "$addr") after the bind, not vfio-pci"
done
[ -c "/dev/vfio/$group" ] || lab_fail "/dev/vfio/$group did not appear"
# passthroughctl sees the new drivers as the kernel does.
lab_expect "groups while bound" groups "$PT_CTL"
lab_expect "gpus while bound" gpus "$PT_CTL"
lab_expect "VFIO open" vfio-open "$group" "${members[@]}"

lab_shell_unbind "$group"
for addr in "${members[@]}"; do
  now=$(lab_driver "$addr")
  [ "$now" = "${before[$addr]}" ] || lab_fail "$addr is on $now after the unbind, not ${before[$addr]} as before"
done
[ -e "/dev/vfio/$group" ] && lab_fail "/dev/vfio/$group is still there after the unbind"
lab_expect "groups after the unbind" groups "$PT_CTL"
lab_done
