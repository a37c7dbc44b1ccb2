# Scenario 6: libvirt starts the VM that `passthroughctl vm create` built.
# A libvirtd runs in the guest (QEMU as root, no cgroups or security
# driver: the guest has neither a systemd nor an SELinux/AppArmor policy;
# the network "default" is a plain bridge), `vm create` defines the domain
# for the clean GPU with a small qcow2 disk through libvirt (Q35, UEFI, both
# functions as managed hostdevs), `virsh start` starts it (libvirt moves
# both functions to vfio-pci itself), QEMU's device tree in the running VM
# has a vfio-pci device for each function and QEMU holds /dev/vfio/GROUP,
# and destroying it gives the functions back to their drivers. Then the
# same with the VM running first: `vm attach --live` hot-plugs the group,
# `vm detach --live` asks for it back.
. "$PT_LAB/guest/lib.sh"

command -v libvirtd >/dev/null || lab_skip "libvirtd is not installed (libvirt-daemon-system)"
echo "clean GPU: $PT_clean_gpu $PT_clean_audio"
# The host drivers hold the functions first, as on a real host: libvirt must
# take them away and give them back.
modprobe bochs 2>/dev/null || modprobe bochs-drm || lab_fail "modprobe bochs failed"
modprobe snd_hda_intel || lab_fail "modprobe snd_hda_intel failed"
modprobe vfio-pci || lab_fail "modprobe vfio-pci failed"
modprobe vfio_iommu_type1 || lab_fail "modprobe vfio_iommu_type1 failed"
modprobe tun || lab_fail "modprobe tun failed"

# The guest sees the host's /etc through its overlay: start from no
# domains and networks of the host's own libvirt.
rm -f /etc/libvirt/qemu/*.xml /etc/libvirt/qemu/networks/*.xml /etc/libvirt/qemu/networks/autostart/*.xml
mkdir -p /run/libvirt /var/lib/libvirt/qemu /var/lib/libvirt/images /var/log/libvirt/qemu \
  /var/cache/libvirt/qemu /etc/libvirt
cat > /etc/libvirt/qemu.conf <<'CONF'
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
CONF
libvirtd --daemon --listen=0 2>/tmp/libvirtd.err || true
libvirtd --daemon 2>>/tmp/libvirtd.err
for i in $(seq 100); do
  virsh -c qemu:///system version >/dev/null 2>&1 && break
  sleep 0.2
done
virsh -c qemu:///system version || { cat /tmp/libvirtd.err; lab_fail "libvirtd did not start"; lab_done; }
export LIBVIRT_DEFAULT_URI=qemu:///system

# The network "default" as a plain bridge: no dnsmasq or firewall needed.
ip link add ptbr0 type bridge && ip link set ptbr0 up
cat > /tmp/net.xml <<'XML'
<network><name>default</name><forward mode='bridge'/><bridge name='ptbr0'/></network>
XML
virsh net-define /tmp/net.xml && virsh net-start default || lab_fail "could not start the bridge network"

disk=/var/lib/libvirt/images/pt-lab.qcow2
qemu-img create -q -f qcow2 "$disk" 64M || lab_fail "qemu-img create failed"

before_gpu=$(lab_driver "$PT_clean_gpu")
before_audio=$(lab_driver "$PT_clean_audio")
echo "drivers before: $before_gpu $before_audio"

# What vm create would define, then the definition itself through libvirt
# (this guest has no KVM: vm create sees that in the domain capabilities and
# builds an emulated domain, type qemu with CPU mode maximum).
"$PT_CTL" vm create pt-lab --gpu "$PT_clean_gpu" --memory 256 --vcpus 1 --disk "$disk" \
  --print-xml > /tmp/pt-lab-print.xml 2>/tmp/vm-print.err \
  || lab_fail "passthroughctl vm create --print-xml failed: $(grep -v '^Warning' /tmp/vm-print.err | head -n1)"
if ! "$PT_CTL" vm create pt-lab --gpu "$PT_clean_gpu" --memory 256 --vcpus 1 --disk "$disk" \
     --json > /tmp/vm-create.json 2>/tmp/vm-create.err; then
  cat /tmp/vm-create.err
  lab_fail "passthroughctl vm create failed: $(grep -v '^Warning' /tmp/vm-create.err | head -n1)"
  lab_done
fi
cat /tmp/vm-create.err /tmp/vm-create.json
virsh dumpxml --inactive pt-lab > /tmp/pt-lab.xml || lab_fail "libvirt has no domain pt-lab after vm create"
cat /tmp/pt-lab.xml
python3 - "$PT_clean_gpu" "$PT_clean_audio" <<'PY' || lab_fail "the defined domain is not what vm create promises"
import sys
import xml.etree.ElementTree as ET
d = ET.parse("/tmp/pt-lab.xml").getroot()
bad = []
if not d.find("os/type").get("machine", "").startswith("pc-q35"):
    bad.append("machine %s is not Q35" % d.find("os/type").get("machine"))
if d.find("os").get("firmware") != "efi" and d.find("os/loader") is None:
    bad.append("no UEFI firmware")
want = set()
for a in sys.argv[1:]:
    dom, bus, rest = a.split(":")
    slot, fn = rest.split(".")
    want.add((int(dom, 16), int(bus, 16), int(slot, 16), int(fn, 16)))
have = set()
for h in d.findall("devices/hostdev"):
    if h.get("type") == "pci" and h.get("managed") == "yes":
        ad = h.find("source/address")
        have.add(tuple(int(ad.get(k), 16) for k in ("domain", "bus", "slot", "function")))
if have != want:
    bad.append("managed PCI hostdevs %s, expected %s" % (sorted(have), sorted(want)))
for b in bad:
    print("MISMATCH:", b)
sys.exit(1 if bad else 0)
PY
if ! virsh start pt-lab; then
  tail -n 30 /var/log/libvirt/qemu/pt-lab.log
  lab_fail "virsh start pt-lab failed"
  virsh undefine --nvram pt-lab
  lab_done
fi
state=$(virsh domstate pt-lab)
echo "state: $state"
[ "$state" = running ] || lab_fail "the VM is $state, not running"
for addr in "$PT_clean_gpu" "$PT_clean_audio"; do
  [ "$(lab_driver "$addr")" = vfio-pci ] || lab_fail "libvirt did not give $addr to vfio-pci (driver $(lab_driver "$addr"))"
done
group=$(lab_group "$PT_clean_gpu")
[ -c "/dev/vfio/$group" ] || lab_fail "/dev/vfio/$group is missing while the VM runs"
# The firmware has not numbered the root ports' buses yet, so query-pci
# cannot list what is behind them; QEMU's device tree names each vfio-pci
# device and its host address.
virsh qemu-monitor-command --hmp pt-lab 'info qtree' > /tmp/qtree.txt \
  || lab_fail "info qtree through libvirt failed"
for addr in "$PT_clean_gpu" "$PT_clean_audio"; do
  grep -A3 'dev: vfio-pci' /tmp/qtree.txt | grep -q "host = \"$addr\"" \
    || lab_fail "the running VM has no vfio-pci device for $addr"
done
grep -B1 -A3 'dev: vfio-pci' /tmp/qtree.txt
# QEMU holds the group's VFIO file.
qemu_pid=$(cat /run/libvirt/qemu/pt-lab.pid 2>/dev/null)
ls -l "/proc/$qemu_pid/fd" 2>/dev/null | grep -q "/dev/vfio/$group" \
  || lab_fail "QEMU (pid ${qemu_pid:-?}) does not hold /dev/vfio/$group"
virsh destroy pt-lab || lab_fail "virsh destroy failed"
sleep 1
after_gpu=$(lab_driver "$PT_clean_gpu")
after_audio=$(lab_driver "$PT_clean_audio")
echo "drivers after: $after_gpu $after_audio"
[ "$after_gpu" = "$before_gpu" ] && [ "$after_audio" = "$before_audio" ] \
  || lab_fail "after the VM stopped the drivers are $after_gpu $after_audio, not $before_gpu $before_audio"

# Live: the same domain without the GPU runs; `vm attach --live` moves the
# group to vfio-pci and hot-plugs both functions into the running VM (into
# the spare root ports vm create gave it), `vm detach --live` asks for them
# back. The VM sits in its firmware, which does not answer an unplug
# request: libvirt then says the removal is pending, and destroying the VM
# ends it. Either way the stored definition follows at once. libvirt keeps
# functions it did not detach itself on vfio-pci when the VM stops; the
# same `vm detach --live` then gives them back to their host drivers.
"$PT_CTL" vm detach pt-lab "$PT_clean_gpu" >/tmp/vm-detach.out 2>&1 \
  || lab_fail "vm detach (stored) failed: $(tail -n1 /tmp/vm-detach.out)"
virsh start pt-lab || lab_fail "virsh start pt-lab without the GPU failed"
[ "$(lab_driver "$PT_clean_gpu")" = "$before_gpu" ] || lab_fail "starting without the GPU moved $PT_clean_gpu"
"$PT_CTL" vm attach pt-lab "$PT_clean_gpu" --live --json >/tmp/vm-live.json 2>/tmp/vm-live.err
rc=$?
cat /tmp/vm-live.json /tmp/vm-live.err
[ $rc -eq 0 ] || lab_fail "vm attach --live exited $rc"
lab_json_field /tmp/vm-live.json live | grep -qx applied || lab_fail "vm attach --live did not report live: applied"
for addr in "$PT_clean_gpu" "$PT_clean_audio"; do
  [ "$(lab_driver "$addr")" = vfio-pci ] || lab_fail "after the hotplug $addr is on $(lab_driver "$addr"), not vfio-pci"
done
virsh qemu-monitor-command --hmp pt-lab 'info qtree' > /tmp/qtree-live.txt \
  || lab_fail "info qtree after the hotplug failed"
for addr in "$PT_clean_gpu" "$PT_clean_audio"; do
  grep -A3 'dev: vfio-pci' /tmp/qtree-live.txt | grep -q "host = \"$addr\"" \
    || lab_fail "the running VM has no hot-plugged vfio-pci device for $addr"
  virsh dumpxml --inactive pt-lab | grep -q "function='0x${addr##*.}'" \
    || lab_fail "the stored definition lacks $addr after attach --live"
done
"$PT_CTL" vm detach pt-lab "$PT_clean_gpu" --live --json >/tmp/vm-unplug.json 2>/tmp/vm-unplug.err
rc=$?
cat /tmp/vm-unplug.json /tmp/vm-unplug.err
live=$(lab_json_field /tmp/vm-unplug.json live)
echo "detach --live: $live"
[ $rc -eq 0 ] && { [ "$live" = applied ] || [ "$live" = pending ]; } \
  || lab_fail "vm detach --live exited $rc with live: $live"
virsh dumpxml --inactive pt-lab | grep -q '<hostdev' && lab_fail "the stored definition keeps a hostdev after detach --live"
if [ "$live" = pending ]; then
  # Still in the VM: asking again stays pending, and the group stays on
  # vfio-pci while the VM holds it.
  "$PT_CTL" vm detach pt-lab "$PT_clean_gpu" --live --json >/tmp/vm-giveback.json 2>&1
  rc=$?
  again=$(lab_json_field /tmp/vm-giveback.json live)
  [ $rc -eq 0 ] && [ "$again" = pending ] \
    || lab_fail "asking again while the VM holds the functions gave exit $rc, live: $again"
  [ "$(lab_driver "$PT_clean_gpu")" = vfio-pci ] || lab_fail "$PT_clean_gpu left vfio-pci while the VM holds it"
fi
virsh destroy pt-lab || lab_fail "virsh destroy (live) failed"
sleep 1
# libvirt leaves functions it did not detach itself on vfio-pci; the same
# command on the stopped VM gives them back.
for addr in "$PT_clean_gpu" "$PT_clean_audio"; do
  [ "$(lab_driver "$addr")" = vfio-pci ] || lab_fail "after the live VM stopped $addr is on $(lab_driver "$addr"), not vfio-pci"
done
"$PT_CTL" vm detach pt-lab "$PT_clean_gpu" --live --json >/tmp/vm-giveback.json 2>&1 \
  || lab_fail "vm detach --live on the stopped VM failed: $(cat /tmp/vm-giveback.json)"
lab_json_field /tmp/vm-giveback.json live | grep -qx applied || lab_fail "the give-back did not report live: applied"
[ "$(lab_driver "$PT_clean_gpu")" = "$before_gpu" ] && [ "$(lab_driver "$PT_clean_audio")" = "$before_audio" ] \
  || lab_fail "after the give-back the drivers are $(lab_driver "$PT_clean_gpu") $(lab_driver "$PT_clean_audio"), not $before_gpu $before_audio"
virsh undefine --nvram pt-lab || lab_fail "virsh undefine failed"
lab_done
