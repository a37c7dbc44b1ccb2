#!/usr/bin/python3
"""tests/lab/guest/labcheck.py: checks run inside a lab guest.

Reads the real kernel's sysfs (never through the project's code) and compares
what passthroughctl says with it.  Standard library only; the guest runs the
host's /usr/bin/python3.

  labcheck.py roles                 shell assignments ROLE=ADDRESS for the topology
  labcheck.py kernel-groups         the kernel's groups as a table (for the log)
  labcheck.py groups CTL            `CTL groups --json` equals the kernel's groups
  labcheck.py gpus CTL              `CTL gpus --json` gives the contract's verdicts
  labcheck.py root-facts            the root disk's and the default route's PCI functions
  labcheck.py status CTL            the IOMMU checks of `CTL status --json` match the kernel
  labcheck.py vfio-open GROUP ADDR… a VFIO container takes the group, a device fd per function
  labcheck.py qmp-query-pci SOCK WAIT ID…  a QEMU's query-pci shows each vendor:device ID
  labcheck.py boot-drivers PLAN     vfio-pci holds exactly the devices with IDs in PLAN's vfio_ids
  labcheck.py details CTL [--quick] `CTL snapshot` against sysfs, lspci, modprobe -R (not
                                    with --quick), /proc
  labcheck.py iommu-off CTL         groups, gpus and status with no IOMMU in the firmware
  labcheck.py plan-ok CTL ADDR… -- EXPECTED…   plan succeeds and takes exactly EXPECTED

Each prints what it found and, on a mismatch, `MISMATCH: …` lines; the exit
status is 1 when anything did not match.
"""

import json
import os
import re
import subprocess
import sys

SYS = "/sys"
EXPECT = os.path.join(os.environ.get("PT_RUN", "/nonexistent"), "expect.json")
ADDR_RE = re.compile(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")

problems = []


def mismatch(msg):
    problems.append(msg)
    print("MISMATCH: " + msg, flush=True)


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def pci_devices():
    devs = {}
    base = os.path.join(SYS, "bus", "pci", "devices")
    for addr in sorted(os.listdir(base)):
        d = os.path.join(base, addr)
        group_link = os.path.join(d, "iommu_group")
        driver_link = os.path.join(d, "driver")
        devs[addr] = {
            "address": addr,
            "vendor": read(os.path.join(d, "vendor"))[2:],
            "device": read(os.path.join(d, "device"))[2:],
            "class": read(os.path.join(d, "class"))[2:6],
            "driver": os.path.basename(os.readlink(driver_link)) if os.path.islink(driver_link) else None,
            "group": int(os.path.basename(os.readlink(group_link))) if os.path.islink(group_link) else None,
            "boot_vga": read(os.path.join(d, "boot_vga")) == "1",
        }
    return devs


def kernel_groups():
    groups = {}
    base = os.path.join(SYS, "kernel", "iommu_groups")
    for g in os.listdir(base) if os.path.isdir(base) else []:
        groups[int(g)] = sorted(os.listdir(os.path.join(base, g, "devices")))
    return groups


def roles():
    with open(EXPECT) as f:
        expect = json.load(f)
    out = {}
    for role, path in expect["roles"].items():
        d = os.path.join(SYS, "devices", "pci0000:00")
        ok = True
        for step in path:
            names = [n for n in os.listdir(d)
                     if ADDR_RE.match(n) and n.endswith(":" + step)]
            if len(names) != 1:
                ok = False
                break
            d = os.path.join(d, names[0])
        out[role] = os.path.basename(d) if ok else None
    return out


def ctl_json(ctl, *args, ok=(0,)):
    r = subprocess.run([ctl, *args, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode not in ok:
        mismatch(f"{os.path.basename(ctl)} {' '.join(args)} --json exited {r.returncode}: {r.stderr.strip()}")
        return None
    try:
        return json.loads(r.stdout)
    except ValueError as e:
        mismatch(f"{os.path.basename(ctl)} {' '.join(args)} --json printed no JSON: {e}")
        return None


def cmd_roles():
    for role, addr in roles().items():
        print(f"{role}={addr or ''}")


def cmd_kernel_groups():
    devs = pci_devices()
    groups = kernel_groups()
    for g in sorted(groups):
        for a in groups[g]:
            d = devs.get(a, {})
            print(f"group {g:3d}  {a}  {d.get('class')} {d.get('vendor')}:{d.get('device')}"
                  f"  {d.get('driver') or '-'}{'  boot_vga' if d.get('boot_vga') else ''}")
    for a, d in devs.items():
        if d["group"] is None:
            print(f"no group   {a}  {d['class']} {d['vendor']}:{d['device']}  {d['driver'] or '-'}")


def cmd_groups(ctl):
    devs = pci_devices()
    kgroups = kernel_groups()
    if not kgroups:
        mismatch("the kernel has no IOMMU groups: the emulated IOMMU is not on")
    got = ctl_json(ctl, "groups")
    if got is None:
        return
    kpairs = {(g, a) for g, addrs in kgroups.items() for a in addrs}
    cpairs = set()
    for g in got.get("groups", []):
        for d in g["devices"]:
            cpairs.add((g["id"], d["address"]))
            k = devs.get(d["address"])
            if k is None:
                mismatch(f"passthroughctl lists {d['address']}, which the kernel does not have")
                continue
            for key in ("vendor", "device", "class", "driver"):
                if d.get(key) != k[key]:
                    mismatch(f"{d['address']} {key}: passthroughctl {d.get(key)!r}, kernel {k[key]!r}")
    for g, a in sorted(kpairs - cpairs):
        mismatch(f"kernel group {g} holds {a}; passthroughctl does not say so")
    for g, a in sorted(cpairs - kpairs):
        mismatch(f"passthroughctl puts {a} in group {g}; the kernel does not")
    kung = sorted(a for a, d in devs.items() if d["group"] is None)
    cung = sorted(got.get("ungrouped", []))
    if kung != cung:
        mismatch(f"ungrouped: passthroughctl {cung}, kernel {kung}")
    print(f"groups: {len(kgroups)} kernel groups, {len(kpairs)} grouped functions, "
          f"{len(kung)} ungrouped; passthroughctl: {len(got.get('groups', []))} groups")


def neutral(d):
    return d["class"] == "0604" or (d["class"] == "0600" and d["driver"] is None)


def slot_of(addr):
    return addr.rsplit(".", 1)[0]


def expected_verdict(devs, kgroups, addr):
    """The contract's verdict for the GPU at ADDR, from the kernel's facts."""
    d = devs[addr]
    companions = sorted(a for a, x in devs.items()
                        if a != addr and slot_of(a) == slot_of(addr) and not neutral(x))
    if d["group"] is None:
        return {"group": None, "isolation": "unknown", "boot_vga": d["boot_vga"],
                "companions": companions, "blockers": []}
    blockers = sorted(a for a in kgroups[d["group"]]
                      if slot_of(a) != slot_of(addr) and not neutral(devs[a]))
    return {"group": d["group"], "isolation": "shared" if blockers else "clean",
            "boot_vga": d["boot_vga"], "companions": companions, "blockers": blockers}


def addresses(items):
    return sorted(x["address"] if isinstance(x, dict) else x for x in items)


def cmd_gpus(ctl):
    devs = pci_devices()
    kgroups = kernel_groups()
    got = ctl_json(ctl, "gpus")
    if got is None:
        return
    gpus = {g["address"]: g for g in got.get("gpus", [])}
    kgpus = sorted(a for a, d in devs.items() if d["class"].startswith("03"))
    if sorted(gpus) != kgpus:
        mismatch(f"GPUs: passthroughctl {sorted(gpus)}, kernel (class 03xx) {kgpus}")
    for a in kgpus:
        if a not in gpus:
            continue
        want = expected_verdict(devs, kgroups, a)
        have = gpus[a]
        have_n = {"group": have.get("group"), "isolation": have.get("isolation"),
                  "boot_vga": have.get("boot_vga"),
                  "companions": addresses(have.get("companions", [])),
                  "blockers": addresses(have.get("blockers", []))}
        for key in want:
            if want[key] != have_n[key]:
                mismatch(f"GPU {a} {key}: passthroughctl {have_n[key]!r}, kernel facts say {want[key]!r}")
        print(f"gpu {a} group {have_n['group']} {have_n['isolation']}"
              f"{' boot_vga' if have_n['boot_vga'] else ''}"
              f" companions {have_n['companions']} blockers {have_n['blockers']}")

    # What the topology was built to show, whatever the kernel did with it.
    r = roles()
    def verdict(role):
        return gpus.get(r.get(role) or "", {})
    if not any(g.get("boot_vga") for g in gpus.values()) and any(d["boot_vga"] for d in devs.values()):
        mismatch("no GPU is boot_vga though the kernel has one")
    if verdict("clean_gpu").get("isolation") != "clean":
        mismatch(f"the clean GPU {r.get('clean_gpu')} is {verdict('clean_gpu').get('isolation')!r}, not clean")
    if addresses(verdict("clean_gpu").get("companions", [])) != [r.get("clean_audio")]:
        mismatch(f"the clean GPU's companions are {addresses(verdict('clean_gpu').get('companions', []))},"
                 f" not its audio function {r.get('clean_audio')}")
    # (Without the root-bus VGA, the kernel's own boot_vga is what counts,
    # as checked above for every GPU.)
    if r.get("boot_vga"):
        if verdict("boot_vga").get("boot_vga") is not True:
            mismatch(f"the boot VGA {r.get('boot_vga')} is not boot_vga")
        for role in ("clean_gpu", "shared_gpu", "second_gpu"):
            if verdict(role).get("boot_vga") is not False:
                mismatch(f"{role} {r.get(role)} has boot_vga {verdict(role).get('boot_vga')!r}")
    if verdict("shared_gpu").get("isolation") != "shared":
        mismatch(f"the GPU behind the PCIe-to-PCI bridge {r.get('shared_gpu')} is "
                 f"{verdict('shared_gpu').get('isolation')!r}, not shared")
    elif r.get("shared_other") not in addresses(verdict("shared_gpu").get("blockers", [])):
        mismatch(f"the shared GPU's blockers {addresses(verdict('shared_gpu').get('blockers', []))}"
                 f" miss {r.get('shared_other')}")
    if r.get("shared_bridge") in addresses(verdict("shared_gpu").get("blockers", [])):
        mismatch("the PCIe-to-PCI bridge is counted as a blocker")
    if verdict("second_gpu").get("isolation") != "clean":
        mismatch(f"the second GPU {r.get('second_gpu')} is {verdict('second_gpu').get('isolation')!r}")


def root_facts():
    """The PCI functions under the root file system and the default route,
    read from the kernel the plain way."""
    disk = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == "/":
                dev = fields[2]
                path = os.path.realpath(os.path.join(SYS, "dev", "block", dev))
                found = [p for p in path.split("/") if ADDR_RE.match(p)]
                disk = found[-1] if found else None
    nic = None
    with open("/proc/net/route") as f:
        for line in f.readlines()[1:]:
            cols = line.split()
            if len(cols) >= 8 and cols[1] == "00000000" and cols[7] == "00000000":
                path = os.path.realpath(os.path.join(SYS, "class", "net", cols[0]))
                found = [p for p in path.split("/") if ADDR_RE.match(p)]
                nic = found[-1] if found else None
    return disk, nic


def cmd_root_facts():
    disk, nic = root_facts()
    print(f"root_disk_controller={disk or ''}")
    print(f"default_route_nic={nic or ''}")


def cmd_plan_ok(ctl, args):
    sep = args.index("--")
    addrs, expected = args[:sep], sorted(args[sep + 1:])
    got = ctl_json(ctl, "plan", *addrs)
    if got is None:
        return
    have = addresses(got.get("devices", []))
    if have != expected:
        mismatch(f"plan {' '.join(addrs)} takes {have}, expected {expected}")
    print(f"plan {' '.join(addrs)}: devices {have} vfio_ids {got.get('vfio_ids')!r}"
          f" kernel_args {got.get('kernel_args')}")
    for w in got.get("warnings", []):
        print(f"  warning: {w}")


def cmd_status(ctl):
    # status exits 1 when a check fails (under TCG an Intel CPU has no vmx).
    got = ctl_json(ctl, "status", ok=(0, 1))
    if got is None:
        return
    checks = {c["id"]: c for c in got.get("checks", [])}
    for c in got.get("checks", []):
        print(f"check {c['id']}: {c['state']}: {c.get('summary')}")
    table = "DMAR" if os.environ.get("PT_MODEL") == "intel" else "IVRS"
    facts = {
        "iommu-firmware": os.path.exists(os.path.join(SYS, "firmware", "acpi", "tables", table)),
        "iommu-kernel": bool(kernel_groups()),
        "interrupt-remapping": "IR-" in (read("/proc/interrupts") or ""),
        "gpu-candidate": True,
    }
    for cid, fact in facts.items():
        state = checks.get(cid, {}).get("state")
        want = "pass" if fact else "fail"
        if state != want:
            mismatch(f"check {cid} is {state!r}; the kernel says {want} "
                     f"({table} table, groups, IR- chips)")


# <linux/vfio.h>: _IO(VFIO_TYPE ';', VFIO_BASE 100 + n)
VFIO_GET_API_VERSION = 0x3B64
VFIO_CHECK_EXTENSION = 0x3B65
VFIO_SET_IOMMU = 0x3B66
VFIO_GROUP_GET_STATUS = 0x3B67
VFIO_GROUP_SET_CONTAINER = 0x3B68
VFIO_GROUP_GET_DEVICE_FD = 0x3B6A
VFIO_TYPE1v2_IOMMU = 3
VFIO_GROUP_FLAGS_VIABLE = 1


def cmd_vfio_open(group, addrs):
    """Does with the group what QEMU's vfio-pci does first: a container,
    the group set on it, the type1 IOMMU, a device fd per function."""
    import ctypes
    import fcntl
    import struct
    try:
        container = os.open("/dev/vfio/vfio", os.O_RDWR)
    except OSError as e:
        mismatch(f"cannot open /dev/vfio/vfio: {e}")
        return
    api = fcntl.ioctl(container, VFIO_GET_API_VERSION)
    if api != 0:
        mismatch(f"VFIO API version {api}, not 0")
    if fcntl.ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1:
        mismatch("the container lacks the type1v2 IOMMU (vfio_iommu_type1)")
    try:
        gfd = os.open(f"/dev/vfio/{group}", os.O_RDWR)
    except OSError as e:
        mismatch(f"cannot open /dev/vfio/{group}: {e}")
        return
    status = bytearray(struct.pack("II", 8, 0))
    fcntl.ioctl(gfd, VFIO_GROUP_GET_STATUS, status)
    flags = struct.unpack("II", status)[1]
    if not flags & VFIO_GROUP_FLAGS_VIABLE:
        mismatch(f"group {group} is not viable: some function is not on vfio-pci")
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ioctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)
    fd = ctypes.c_int(container)
    if libc.ioctl(gfd, VFIO_GROUP_SET_CONTAINER, ctypes.addressof(fd)) != 0:
        mismatch(f"group {group}: VFIO_GROUP_SET_CONTAINER: {os.strerror(ctypes.get_errno())}")
        return
    if libc.ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) != 0:
        mismatch(f"group {group}: VFIO_SET_IOMMU type1v2: {os.strerror(ctypes.get_errno())}")
        return
    for a in addrs:
        if read(os.path.join(SYS, "bus", "pci", "devices", a, "class")).startswith("0x0604"):
            continue
        name = ctypes.create_string_buffer(a.encode())
        dfd = libc.ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, ctypes.addressof(name))
        if dfd < 0:
            mismatch(f"group {group}: no device fd for {a}: {os.strerror(ctypes.get_errno())}")
        else:
            print(f"vfio: group {group} viable, device fd {dfd} for {a}")
            os.close(dfd)
    os.close(gfd)
    os.close(container)


def cmd_qmp_query_pci(path, wait, ids):
    """Connects to a QEMU's QMP socket (waiting up to WAIT seconds for it),
    runs query-pci and checks each VENDOR:DEVICE of IDS is on the machine."""
    import socket
    import time
    deadline = time.monotonic() + float(wait)
    sock = None
    while time.monotonic() < deadline:
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
            break
        except OSError:
            sock.close()
            sock = None
            time.sleep(0.5)
    if sock is None:
        mismatch(f"no QMP socket {path} within {wait} s: the nested QEMU did not start")
        return
    sock.settimeout(max(5.0, deadline - time.monotonic()))
    f = sock.makefile("rw")

    def call(cmd):
        f.write(json.dumps({"execute": cmd}) + "\n")
        f.flush()
        while True:
            msg = json.loads(f.readline())
            if "return" in msg or "error" in msg:
                return msg

    json.loads(f.readline())  # the greeting
    call("qmp_capabilities")
    reply = call("query-pci")
    if "error" in reply:
        mismatch(f"query-pci failed: {reply['error']}")
        return
    seen = []

    def walk(devices):
        for d in devices:
            ident = d.get("id", {})
            seen.append((f"{ident.get('vendor', 0):04x}:{ident.get('device', 0):04x}",
                         d.get("bus"), d.get("slot"), d.get("function"), d.get("qdev_id", "")))
            walk(d.get("pci_bridge", {}).get("devices", []))

    for bus in reply["return"]:
        walk(bus.get("devices", []))
    for ident, bus, slot, fn, qdev in seen:
        print(f"nested query-pci: {bus:02x}:{slot:02x}.{fn} {ident} {qdev}")
    for want in ids:
        if not any(s[0] == want for s in seen):
            mismatch(f"the nested machine's query-pci has no {want}")
    if problems:
        call("quit")
        return

    # Let the nested firmware run: it sizes and places the BARs of the
    # passed-through functions (through VFIO's config-space accesses) and
    # runs the GPU's option ROM, read through VFIO from the device.
    call("cont")
    placed = {}
    while time.monotonic() < deadline:
        time.sleep(2)
        placed = {}
        for bus in call("query-pci")["return"]:
            for d in bus.get("devices", []):
                ident = d.get("id", {})
                key = f"{ident.get('vendor', 0):04x}:{ident.get('device', 0):04x}"
                if key in ids:
                    bars = [r for r in d.get("regions", [])
                            if r.get("type") == "memory" and r.get("bar") != 6]
                    if bars and all(0 < r.get("address", 0) < 0xffffffff for r in bars):
                        placed[key] = [f"{r['address']:#x}+{r['size']:#x}" for r in bars]
        if len(placed) == len(ids):
            break
    # The firmware's log (isa-debugcon), when the nested QEMU writes one.
    fwlog = os.environ.get("PT_NESTED_FIRMWARE_LOG")
    while fwlog and time.monotonic() < deadline and "option rom" not in (read(fwlog) or "").lower():
        time.sleep(1)
    for want in ids:
        if want in placed:
            print(f"nested firmware placed the BARs of {want}: {' '.join(placed[want])}")
        else:
            mismatch(f"the nested firmware did not place the BARs of {want} within {wait} s")
    call("quit")


def cmd_boot_drivers(plan_path):
    """After a boot with a plan's arguments: vfio-pci holds exactly the
    devices whose IDs are in vfio_ids; the planned ones among them, the
    others named in the plan's warnings."""
    with open(plan_path) as f:
        plan = json.load(f)
    ids = set(plan.get("vfio_ids", "").split(","))
    planned = set(addresses(plan.get("devices", [])))
    warnings = " ".join(plan.get("warnings", []))
    devs = pci_devices()
    for a, d in devs.items():
        ident = f"{d['vendor']}:{d['device']}"
        print(f"{a} {ident} {d['class']} {d['driver'] or '-'}")
        if ident in ids:
            if d["driver"] != "vfio-pci":
                mismatch(f"{a} ({ident}, in vfio_ids) is on {d['driver']}, not vfio-pci")
            if a not in planned and a not in warnings and a[5:] not in warnings:
                mismatch(f"vfio-pci took {a} ({ident}) and the plan did not warn about it")
        elif d["driver"] == "vfio-pci":
            mismatch(f"{a} ({ident}) is on vfio-pci though its ID is not in {sorted(ids)}")
    for a in planned:
        if a not in devs:
            mismatch(f"the planned device {a} is gone")


GT_PER_GEN = {"2.5": 1, "5.0": 2, "5": 2, "8.0": 3, "8": 3, "16.0": 4, "16": 4,
              "32.0": 5, "32": 5, "64.0": 6, "64": 6}


def link_gen(text):
    m = re.match(r"^([0-9.]+) GT/s", text or "")
    return GT_PER_GEN.get(m.group(1), -1) if m else 0


def lspci_blocks():
    r = subprocess.run(["lspci", "-D", "-vvv"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    blocks, cur = {}, None
    for line in r.stdout.splitlines():
        m = re.match(r"^([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ", line)
        if m:
            cur = m.group(1)
            blocks[cur] = []
        if cur:
            blocks[cur].append(line)
    return {a: "\n".join(b) for a, b in blocks.items()}


def cmd_details(ctl, quick=False):
    """`CTL snapshot` against the kernel: every device attribute the
    snapshot holds against sysfs, the config-space capabilities against the
    kernel's reset methods, link attributes and lspci (pciutils), the
    modules against `modprobe -R`, the host facts against /proc; and the
    snapshot read back gives the same groups, gpus and status as the live
    host."""
    import tempfile
    snap = ctl_json(ctl, "snapshot")
    if snap is None:
        return
    lspci = lspci_blocks()
    base = os.path.join(SYS, "bus", "pci", "devices")
    seen = set()
    for d in snap.get("devices", []):
        a = d["address"]
        seen.add(a)
        p = os.path.join(base, a)
        if not os.path.isdir(p):
            mismatch(f"snapshot has {a}, the kernel does not")
            continue

        def attr(name):
            return read(os.path.join(p, name))

        def want(key, value):
            if d.get(key) != value:
                mismatch(f"{a} {key}: snapshot {d.get(key)!r}, kernel {value!r}")

        want("class", attr("class")[2:])
        want("revision", attr("revision")[2:])
        want("subsystem_vendor", attr("subsystem_vendor")[2:])
        want("subsystem_device", attr("subsystem_device")[2:])
        want("modalias", attr("modalias"))
        override = attr("driver_override")
        want("driver_override", None if override in (None, "(null)") else override)
        numa = attr("numa_node")
        want("numa_node", None if numa in (None, "-1") else int(numa))
        want("reset_method", attr("reset_method"))
        group = os.path.join(p, "iommu_group")
        want("iommu_group", int(os.path.basename(os.readlink(group))) if os.path.islink(group) else None)
        parts = os.path.realpath(p).split("/")
        parent = parts[-2] if ADDR_RE.match(parts[-2]) else None
        want("parent", parent)
        if not quick:
            r = subprocess.run(["modprobe", "-R", attr("modalias")], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
            mods = sorted(set(r.stdout.split())) if r.returncode == 0 else []
            if sorted(set(d.get("kernel_modules") or [])) != mods:
                mismatch(f"{a} kernel_modules: snapshot {d.get('kernel_modules')}, modprobe -R {mods}")

        caps = d.get("caps") or {}
        if not caps.get("known"):
            mismatch(f"{a}: capabilities unknown though we are root")
            continue
        methods = (attr("reset_method") or "").split()
        if caps.get("flr") != ("flr" in methods or "af_flr" in methods):
            mismatch(f"{a} caps.flr {caps.get('flr')}, kernel reset methods {methods}")
        if caps.get("pm_reset") != ("pm" in methods):
            mismatch(f"{a} caps.pm_reset {caps.get('pm_reset')}, kernel reset methods {methods}")
        block = lspci.get(a, "")
        if caps.get("pcie") != ("Express (" in block):
            mismatch(f"{a} caps.pcie {caps.get('pcie')}, lspci {'Express (' in block}")
        if caps.get("acs") != ("Access Control Services" in block):
            mismatch(f"{a} caps.acs {caps.get('acs')}, lspci {'Access Control Services' in block}")
        if caps.get("rebar") != ("Resizable BAR" in block or "Physical Resizable BAR" in block):
            mismatch(f"{a} caps.rebar {caps.get('rebar')}, lspci says otherwise")
        if attr("current_link_width") is not None:
            for key, name, conv in (("link_width", "current_link_width", int),
                                    ("link_width_max", "max_link_width", int),
                                    ("link_speed", "current_link_speed", link_gen),
                                    ("link_speed_max", "max_link_speed", link_gen)):
                kv = conv(attr(name))
                if caps.get(key) != kv:
                    mismatch(f"{a} caps.{key} {caps.get(key)}, kernel {name} {attr(name)!r}")
    for a in sorted(set(os.listdir(base)) - seen):
        mismatch(f"the kernel has {a}, the snapshot does not")

    host = snap.get("host", {})
    def host_want(key, value):
        if host.get(key) != value:
            mismatch(f"host {key}: snapshot {host.get(key)!r}, kernel {value!r}")
    host_want("kernel_release", os.uname().release)
    host_want("cmdline", read("/proc/cmdline"))
    with open("/proc/modules") as f:
        host_want("loaded_modules", sorted(line.split()[0] for line in f))
    host_want("acpi_dmar", os.path.exists(os.path.join(SYS, "firmware", "acpi", "tables", "DMAR")))
    host_want("acpi_ivrs", os.path.exists(os.path.join(SYS, "firmware", "acpi", "tables", "IVRS")))
    host_want("efi", os.path.isdir(os.path.join(SYS, "firmware", "efi")))
    host_want("interrupt_remapping", "IR-" in (read("/proc/interrupts") or ""))
    disk, nic = root_facts()
    host_want("root_disk_devices", [disk] if disk else [])
    host_want("default_route_devices", [nic] if nic else [])

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(snap, f)
        path = f.name
    for cmd in ("groups", "gpus", "status"):
        live = subprocess.run([ctl, cmd, "--json"], stdout=subprocess.PIPE, text=True).stdout
        back = subprocess.run([ctl, "--snapshot", path, cmd, "--json"], stdout=subprocess.PIPE, text=True).stdout
        if live != back:
            mismatch(f"`{cmd} --json` from the snapshot differs from the live host")
    os.unlink(path)
    print(f"details: {len(seen)} devices compared with sysfs, lspci and modprobe -R")


def cmd_iommu_off(ctl):
    """With the IOMMU off in the firmware: no groups, every function
    ungrouped, each GPU's isolation unknown, and the checks say why."""
    devs = pci_devices()
    groups = ctl_json(ctl, "groups")
    if groups is not None:
        if groups.get("groups"):
            mismatch(f"passthroughctl lists {len(groups['groups'])} groups; the kernel has none")
        if sorted(groups.get("ungrouped", [])) != sorted(devs):
            mismatch(f"ungrouped: passthroughctl {len(groups.get('ungrouped', []))} functions, kernel {len(devs)}")
    gpus = ctl_json(ctl, "gpus")
    for g in (gpus or {}).get("gpus", []):
        if g.get("isolation") != "unknown" or g.get("group") is not None:
            mismatch(f"GPU {g['address']}: isolation {g.get('isolation')!r} group {g.get('group')!r}"
                     " with no IOMMU groups")
    status = ctl_json(ctl, "status", ok=(0, 1))
    checks = {c["id"]: c for c in (status or {}).get("checks", [])}
    for cid in ("iommu-firmware", "iommu-kernel", "kernel-arguments"):
        c = checks.get(cid, {})
        print(f"check {cid}: {c.get('state')}: {c.get('summary')} fix: {c.get('fix')}")
    for cid in ("iommu-firmware", "iommu-kernel"):
        if checks.get(cid, {}).get("state") != "fail":
            mismatch(f"check {cid} is {checks.get(cid, {}).get('state')!r} with no IOMMU in the firmware")
    fix = json.dumps(checks.get("iommu-firmware", {}))
    vendor = "VT-d" if os.environ.get("PT_MODEL") == "intel" else "IOMMU"
    if vendor not in fix:
        mismatch(f"the iommu-firmware check does not name the {vendor} switch")


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "roles":
        cmd_roles()
    elif cmd == "kernel-groups":
        cmd_kernel_groups()
    elif cmd == "groups":
        cmd_groups(sys.argv[2])
    elif cmd == "gpus":
        cmd_gpus(sys.argv[2])
    elif cmd == "root-facts":
        cmd_root_facts()
    elif cmd == "status":
        cmd_status(sys.argv[2])
    elif cmd == "vfio-open":
        cmd_vfio_open(sys.argv[2], sys.argv[3:])
    elif cmd == "qmp-query-pci":
        cmd_qmp_query_pci(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "boot-drivers":
        cmd_boot_drivers(sys.argv[2])
    elif cmd == "details":
        cmd_details(sys.argv[2], quick="--quick" in sys.argv[3:])
    elif cmd == "iommu-off":
        cmd_iommu_off(sys.argv[2])
    elif cmd == "plan-ok":
        cmd_plan_ok(sys.argv[2], sys.argv[3:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
