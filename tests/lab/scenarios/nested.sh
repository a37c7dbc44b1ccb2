# Scenario 4: real passthrough.  The clean GPU's group is bound to vfio-pci
# (sysfs writes, as in bind.sh), then a nested qemu-system-x86_64 (TCG, -S:
# the machine is built, the vfio devices realized and their DMA mapped, no
# code runs) gets both functions as -device vfio-pci,host=… as one
# multifunction slot on its root bus (with -S no firmware has numbered the
# buses behind bridges, so query-pci would not list devices there), and QMP
# query-pci must show them with their IDs in the nested machine.  Then the
# nested machine runs: its SeaBIOS must place their BARs and run the GPU's
# VGA option ROM (read from the device through VFIO), as its debug console
# shows.  The group is given back afterwards.
. "$PT_LAB/guest/lib.sh"

modprobe vfio_iommu_type1 || lab_fail "modprobe vfio_iommu_type1 failed"
group=$(lab_group "$PT_clean_gpu")
lab_shell_bind "$group"

qmp=/tmp/nested-qmp.sock
rm -f "$qmp"
qemu-system-x86_64 -accel tcg -S -nodefaults -no-user-config -display none -m 128 -machine q35 \
  -device "vfio-pci,host=$PT_clean_gpu,id=gpu,bus=pcie.0,addr=5.0,multifunction=on" \
  -device "vfio-pci,host=$PT_clean_audio,id=audio,bus=pcie.0,addr=5.1" \
  -chardev file,id=fw,path=/tmp/nested-firmware.log -device isa-debugcon,iobase=0x402,chardev=fw \
  -qmp "unix:$qmp,server=on,wait=off" > /tmp/nested-qemu.log 2>&1 &
pid=$!
want=()
for addr in "$PT_clean_gpu" "$PT_clean_audio"; do
  want+=("$(cut -c3- "/sys/bus/pci/devices/$addr/vendor"):$(cut -c3- "/sys/bus/pci/devices/$addr/device")")
done
PT_NESTED_FIRMWARE_LOG=/tmp/nested-firmware.log lab_expect "nested QEMU" qmp-query-pci "$qmp" 40 "${want[@]}"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
fi
wait "$pid"
echo "--- nested QEMU's output"
cat /tmp/nested-qemu.log
echo "--- nested firmware's log"
cat /tmp/nested-firmware.log
# SeaBIOS in the nested machine picks the passed-through VGA and runs its
# option ROM, which QEMU read from the device through VFIO.
grep -q "Using 00:05.0 for primary VGA" /tmp/nested-firmware.log \
  || lab_fail "the nested firmware did not take the passed-through GPU as its VGA"
grep -q "Running option rom at c000" /tmp/nested-firmware.log \
  || lab_fail "the nested firmware did not run the passed-through GPU's option ROM"

lab_shell_unbind "$group"
lab_done
