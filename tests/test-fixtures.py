#!/usr/bin/env python3
# test-fixtures.py: builds every tests/fixtures/hosts/*.host with mkhost.py
# and reads the result back with the real tools — lspci through libpci's
# sysfs backend, modprobe/modinfo through libkmod — to prove the fake hosts
# look like real ones.  Prints TAP; exits non-zero on any failure.

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, FIXTURES)
import mkhost  # noqa: E402

from taplib import print_results

LSPCI = shutil.which("lspci") or ("/usr/bin/lspci" if os.path.exists("/usr/bin/lspci") else None)
MODPROBE = shutil.which("modprobe") or next(
    (p for p in ("/usr/sbin/modprobe", "/sbin/modprobe") if os.path.exists(p)), None)
MODINFO = shutil.which("modinfo") or next(
    (p for p in ("/usr/sbin/modinfo", "/sbin/modinfo") if os.path.exists(p)), None)
DEPMOD = shutil.which("depmod") or next(
    (p for p in ("/usr/sbin/depmod", "/sbin/depmod") if os.path.exists(p)), None)

results = []

# Inode creation is what costs on slow disks: use a memory file system
# when there is one.
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def report(ok, name, diag=None, skip=None):
    results.append((ok, name, diag, skip))


def lspci(root, *args):
    r = subprocess.run([LSPCI, "-A", "linux-sysfs", "-O", "sysfs.path=%s/sys/bus/pci" % root] + list(args),
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("lspci %s failed: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def blocks(text):
    """Splits lspci output into {address: [lines]}."""
    out = {}
    cur = None
    for line in text.splitlines():
        if not line:
            continue
        if not line[0].isspace():
            addr, _, rest = line.partition(" ")
            cur = addr
            out[cur] = [rest]
        elif cur is not None:
            out[cur].append(line.strip())
    return out


def full(addr):
    return mkhost.fmt_addr(addr)


def check_fixture(path):
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        host = mkhost.parse_listing(f.read())
    mkhost.build_topology(host)
    root = tempfile.mkdtemp(prefix="pt-fixture-%s-" % name, dir=SCRATCH)
    try:
        r = subprocess.run([sys.executable, os.path.join(FIXTURES, "mkhost.py"), path, root],
                           capture_output=True, text=True)
        report(r.returncode == 0, "%s: mkhost.py builds it" % name, r.stderr.strip())
        if r.returncode != 0:
            return
        devs = host.devices
        # -- lspci: device lines, subsystems, drivers
        terse = blocks(lspci(root, "-nnDk"))
        problems = []
        listed = {full(d.addr) for d in devs}
        for extra in sorted(set(terse) - listed):
            problems.append("lspci shows unlisted %s" % extra)
        for d in devs:
            a = full(d.addr)
            if a not in terse:
                problems.append("%s missing from lspci" % a)
                continue
            lines = terse[a]
            want = d.name
            got = lines[0]
            # The listing's text after the address: class name [cccc]: ...
            text = re.sub(r"^\S+\s+", "", _line_of(path, d))
            if got != text:
                problems.append("%s: lspci says %r, listing %r" % (a, got, text))
            sub = d.attr("subsystem")
            got_sub = next((l[len("Subsystem: "):] for l in lines if l.startswith("Subsystem: ")), None)
            if sub is not None and got_sub != sub:
                problems.append("%s: subsystem %r, listing %r" % (a, got_sub, sub))
            drv = d.attr("kernel driver in use")
            got_drv = next((l.split(": ", 1)[1] for l in lines if l.startswith("Kernel driver in use:")), None)
            if drv != got_drv:
                problems.append("%s: driver %r, listing %r" % (a, got_drv, drv))
            label = d.attr("devicename")
            got_label = next((l.split(": ", 1)[1] for l in lines if l.startswith("DeviceName:")), None)
            if label is not None and label != got_label:
                problems.append("%s: DeviceName %r, listing %r" % (a, got_label, label))
        report(not problems, "%s: lspci -nnk reads back all %d device lines" % (name, len(devs)),
               "\n".join(problems[:20]))

        # -- lspci -vv: capabilities, IOMMU group, bus numbers
        verbose = blocks(lspci(root, "-vvvD"))
        problems = []
        ncaps = 0
        for d in devs:
            a = full(d.addr)
            v = verbose.get(a, [])
            joined = "\n".join(v)
            caps = mkhost.parse_caps(d)
            rm = d.attr("reset_method") or ""
            if caps.flr or "flr" in rm.split():
                ncaps += 1
                if not re.search(r"FLReset\+", joined):
                    problems.append("%s: FLReset+ missing" % a)
            if caps.link_max is not None:
                ncaps += 1
                gen_speed = {1: "2.5GT/s", 2: "5GT/s", 3: "8GT/s", 4: "16GT/s", 5: "32GT/s", 6: "64GT/s"}
                m = re.search(r"LnkCap:\s+Port #\d+, Speed (\S+), Width x(\d+)", joined)
                if not m or (m.group(1), int(m.group(2))) != (gen_speed[caps.link_max[0]], caps.link_max[1]):
                    problems.append("%s: LnkCap %s, listing %s" % (a, m and m.groups(), caps.link_max))
                m = re.search(r"LnkSta:\s+Speed (\S+)(?: \(\w+\))?, Width x(\d+)", joined)
                if not m or (m.group(1), int(m.group(2))) != (gen_speed[caps.link_cur[0]], caps.link_cur[1]):
                    problems.append("%s: LnkSta %s, listing %s" % (a, m and m.groups(), caps.link_cur))
            if caps.acs:
                ncaps += 1
                m = re.search(r"ACSCap:\s+(.*)", joined)
                names = {"sv": "SrcValid", "tb": "TransBlk", "rr": "ReqRedir", "cr": "CmpltRedir",
                         "uf": "UpstreamFwd", "ec": "EgressCtrl", "dt": "DirectTrans"}
                if not m:
                    problems.append("%s: no ACS capability" % a)
                else:
                    for key, bit in mkhost.ACS_BITS.items():
                        want = "+" if caps.acs[0] & bit else "-"
                        if names[key] + want not in m.group(1):
                            problems.append("%s: ACSCap %s%s expected" % (a, names[key], want))
                    m = re.search(r"ACSCtl:\s+(.*)", joined)
                    for key, bit in mkhost.ACS_BITS.items():
                        want = "+" if caps.acs[1] & bit else "-"
                        if not m or names[key] + want not in m.group(1):
                            problems.append("%s: ACSCtl %s%s expected" % (a, names[key], want))
            if caps.rebar is not None:
                ncaps += 1
                if "Resizable BAR" not in joined:
                    problems.append("%s: Resizable BAR missing" % a)
                else:
                    m = re.search(r"BAR (\d): current size: (\w+), supported: (.*)", joined)
                    bar, mn, mx, cur = caps.rebar
                    if not m:
                        problems.append("%s: Resizable BAR sizes missing" % a)
                    else:
                        sizes = m.group(3).split()
                        if _size(sizes[0]) != mn or _size(sizes[-1]) != mx:
                            problems.append("%s: ReBAR supports %s..%s" % (a, sizes[0], sizes[-1]))
                        if bar is not None and int(m.group(1)) != bar:
                            problems.append("%s: ReBAR on BAR %s" % (a, m.group(1)))
            g = re.search(r"IOMMU group: (\d+)", joined)
            if (int(g.group(1)) if g else None) != d.group:
                problems.append("%s: lspci IOMMU group %s, listing %s" % (a, g and g.group(1), d.group))
            if d.is_bridge:
                m = re.search(r"Bus: primary=(\w+), secondary=(\w+), subordinate=(\w+)", joined)
                if not m or int(m.group(1), 16) != d.addr[1]:
                    problems.append("%s: bridge bus numbers %s" % (a, m and m.groups()))
        report(not problems, "%s: lspci -vv sees %d listed capabilities and the groups" % (name, ncaps),
               "\n".join(problems[:20]))

        # -- sysfs layout: groups, nesting, attributes
        problems = []
        sysd = os.path.join(root, "sys")
        groups = {}
        for d in devs:
            if d.group is not None:
                groups.setdefault(d.group, set()).add(full(d.addr))
        on_disk = {}
        gdir = os.path.join(sysd, "kernel", "iommu_groups")
        for g in os.listdir(gdir):
            on_disk[int(g)] = set(os.listdir(os.path.join(gdir, g, "devices")))
            for dev in on_disk[int(g)]:
                link = os.path.join(gdir, g, "devices", dev)
                if os.path.isabs(os.readlink(link)):
                    problems.append("group link %s is absolute" % link)
                back = os.path.realpath(os.path.join(link, "iommu_group"))
                if back != os.path.realpath(os.path.join(gdir, g)):
                    problems.append("%s/iommu_group does not point back at group %s" % (dev, g))
        if on_disk != groups:
            problems.append("groups on disk %s, listing %s" % (sorted(on_disk), sorted(groups)))
        for d in devs:
            a = full(d.addr)
            link = os.path.join(sysd, "bus", "pci", "devices", a)
            if os.path.isabs(os.readlink(link)):
                problems.append("%s link is absolute" % a)
            real = os.path.realpath(link)
            if not real.startswith(os.path.realpath(os.path.join(sysd, "devices")) + "/"):
                problems.append("%s resolves outside sys/devices" % a)
            parent = os.path.basename(os.path.dirname(real))
            if d.parent is not None and parent != full(d.parent.addr):
                problems.append("%s sits under %s, not %s" % (a, parent, full(d.parent.addr)))
            if d.parent is None and not parent.startswith("pci"):
                problems.append("%s: root-bus device under %s" % (a, parent))
            if d.group is None and os.path.lexists(os.path.join(real, "iommu_group")):
                problems.append("%s: ungrouped device has an iommu_group link" % a)
            has_bv = os.path.exists(os.path.join(real, "boot_vga"))
            if has_bv != (d.classcode == 0x0300):
                problems.append("%s: boot_vga present=%s for class %04x" % (a, has_bv, d.classcode))
            if has_bv and _read(real, "boot_vga") != d.attr("boot_vga", "0"):
                problems.append("%s: boot_vga %s" % (a, _read(real, "boot_vga")))
            if _read(real, "driver_override") != (d.attr("driver_override") or "(null)"):
                problems.append("%s: driver_override %r" % (a, _read(real, "driver_override")))
            if _read(real, "modalias") != mkhost.modalias(d) or not re.match(
                    r"^pci:v[0-9A-F]{8}d[0-9A-F]{8}sv[0-9A-F]{8}sd[0-9A-F]{8}bc[0-9A-F]{2}sc[0-9A-F]{2}i[0-9A-F]{2}$",
                    _read(real, "modalias")):
                problems.append("%s: modalias %r" % (a, _read(real, "modalias")))
            if _read(real, "vendor") != "0x%04x" % d.vendor or _read(real, "class")[:6] != "0x%04x" % d.classcode:
                problems.append("%s: vendor/class files" % a)
            cfg = os.path.getsize(os.path.join(real, "config"))
            if cfg not in (256, 4096):
                problems.append("%s: config is %d bytes" % (a, cfg))
            rm = d.attr("reset_method")
            if (rm is not None) != os.path.exists(os.path.join(real, "reset_method")):
                problems.append("%s: reset_method presence" % a)
            drv = d.attr("kernel driver in use")
            if drv:
                dl = os.path.join(real, "driver")
                if os.path.basename(os.readlink(dl)) != drv or not os.path.isdir(dl):
                    problems.append("%s: driver link" % a)
        report(not problems, "%s: sysfs tree, group links and attributes match" % name,
               "\n".join(problems[:20]))

        # -- host facts
        problems = []
        hd = host.header
        cpuinfo = _read(root, "proc/cpuinfo")
        virt = hd.get("virtualization", "").lower()
        if virt in ("vmx", "svm") and not re.search(r"^flags\t\t: .*\b%s\b" % virt, cpuinfo, re.M):
            problems.append("cpuinfo lacks %s" % virt)
        if virt in ("off", "disabled") and re.search(r"\b(vmx|svm)\b", cpuinfo):
            problems.append("cpuinfo has vmx/svm although virtualization is off")
        if "cmdline" in hd and _read(root, "proc/cmdline") != hd["cmdline"]:
            problems.append("proc/cmdline differs")
        if "kernel" in hd and _read(root, "proc/sys/kernel/osrelease") != hd["kernel"]:
            problems.append("osrelease differs")
        osr = _read(root, "etc/os-release")
        want_id = hd.get("os", "debian").split()[0]
        if not re.search(r"^ID=%s$" % re.escape(want_id), osr, re.M):
            problems.append("os-release ID is not %s" % want_id)
        efi = hd.get("firmware", "UEFI").lower() in ("uefi", "efi")
        sbfile = os.path.join(root, "sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c")
        if efi != os.path.exists(sbfile):
            problems.append("EFI variables presence")
        elif efi:
            data = open(sbfile, "rb").read()
            want = 1 if mkhost.parse_onoff(hd.get("secure boot"), False) else 0
            if len(data) != 5 or data[:4] != b"\x06\0\0\0" or data[4] != want:
                problems.append("SecureBoot variable %r" % data)
        for t in ("DMAR", "IVRS"):
            present = os.path.exists(os.path.join(root, "sys/firmware/acpi/tables", t))
            if present != (t in hd.get("acpi", "").upper()):
                problems.append("ACPI %s presence" % t)
        for t in os.listdir(os.path.join(root, "sys/firmware/acpi/tables")):
            data = open(os.path.join(root, "sys/firmware/acpi/tables", t), "rb").read()
            if data[:4].decode() != t or sum(data) & 0xff:
                problems.append("ACPI table %s header or checksum" % t)
        if "board" in hd:
            if _read(root, "sys/class/dmi/id/board_vendor") != hd["board"].split("/")[0].strip():
                problems.append("DMI board_vendor")
        if "root" in hd:
            dev = hd["root"].split()[0]
            real = os.path.realpath(os.path.join(sysd, "bus/pci/devices", full(mkhost.parse_addr(dev))))
            mi = _read(root, "proc/self/mountinfo").splitlines()
            rootline = next((l for l in mi if l.split()[4] == "/"), None)
            majmin = rootline.split()[2]
            blk = os.path.realpath(os.path.join(sysd, "dev/block", majmin))
            seen = set()
            while "virtual/block/dm-" in blk and blk not in seen:
                seen.add(blk)
                slaves = os.listdir(os.path.join(blk, "slaves"))
                blk = os.path.realpath(os.path.join(blk, "slaves", slaves[0]))
            if not blk.startswith(real + "/"):
                problems.append("root block device %s is not under %s" % (blk, real))
        for spec in host.multi.get("network", []):
            dev, iface = spec.split()[:2]
            real = os.path.realpath(os.path.join(sysd, "bus/pci/devices", full(mkhost.parse_addr(dev))))
            if os.path.realpath(os.path.join(sysd, "class/net", iface, "device")) != real:
                problems.append("net %s device link" % iface)
        route = _read(root, "proc/net/route").splitlines()
        if host.multi.get("network") and not any(l.split()[1] == "00000000" for l in route[1:]):
            problems.append("no default route")
        mods = _read(root, "proc/modules").splitlines()
        for l in mods:
            if not re.match(r"^\w+ \d+ \d+ (-|(\w+,)+) Live 0x[0-9a-f]{16}$", l):
                problems.append("proc/modules line %r" % l)
        ints = _read(root, "proc/interrupts")
        ir = mkhost.parse_onoff(hd.get("interrupt remapping"), any(d.group is not None for d in devs))
        if ir != ("IR-IO-APIC" in ints):
            problems.append("interrupt remapping chips in proc/interrupts")
        report(not problems, "%s: host facts (cpuinfo, firmware, DMI, disk, network, modules)" % name,
               "\n".join(problems[:20]))

        # -- kernel modules through libkmod
        release = hd.get("kernel", "6.1.0-13-amd64")
        if not (DEPMOD and MODPROBE):
            report(True, "%s: modprobe -R resolves modaliases" % name, skip="kmod is not installed")
            return
        problems = []
        n = 0
        for d in devs:
            want = mkhost.expected_modules(d)
            if not want:
                continue
            n += 1
            r = subprocess.run([MODPROBE, "-d", root, "-S", release, "-R", mkhost.modalias(d)],
                               capture_output=True, text=True)
            got = set(r.stdout.split())
            if got != set(want):
                problems.append("%s: modprobe -R gives %s, listing %s" % (full(d.addr), sorted(got), want))
        builtin = hd.get("builtin", "").replace(",", " ").split()
        r = subprocess.run([MODINFO, "-b", root, "-k", release, "vfio_pci"], capture_output=True, text=True)
        if r.returncode != 0:
            problems.append("modinfo vfio_pci failed: %s" % r.stderr.strip())
        elif ("vfio_pci" in builtin) != ("(builtin)" in r.stdout):
            problems.append("vfio_pci built-in state: %s" % r.stdout.splitlines()[:2])
        elif "alias:          vfio_pci:v*d*sv*sd*bc*sc*i*" not in r.stdout:
            problems.append("vfio_pci lacks its driver_override alias")
        report(not problems, "%s: modprobe -R resolves %d modaliases to the listed modules" % (name, n),
               "\n".join(problems[:20]))
    finally:
        shutil.rmtree(root, ignore_errors=True)


_line_cache = {}


def _line_of(path, d):
    if path not in _line_cache:
        with open(path, encoding="utf-8") as f:
            _line_cache[path] = f.read().splitlines()
    return _line_cache[path][d.lineno - 1].strip()


def _read(base, rel):
    try:
        with open(os.path.join(base, rel), encoding="utf-8", errors="replace") as f:
            return f.read().rstrip("\n")
    except OSError:
        return None


def _size(s):
    m = re.match(r"(\d+)([KMGT])B", s)
    return int(m.group(1)) << {"K": 10, "M": 20, "G": 30, "T": 40}[m.group(2)]


def check_errors():
    bad = [
        ("IOMMU Group 1:\n\t00:01.0 PCI bridge: no class code [8086:0c01]\n", "no [class]"),
        ("IOMMU Group 1:\n\t00:01.0 PCI bridge [0604]: Intel\n", "no [vendor:device]"),
        ("Kernel: 6.1.0\nIOMMU Group 1:\n\t01:00.0 VGA compatible controller [0300]: x [10de:13c2]\n"
         "\t\tparent: 00:01.0\n", "parent 0000:00:01.0 is not listed"),
        ("IOMMU Group 1:\n\t00:02.0 VGA compatible controller [0300]: x [8086:0412]\n"
         "\t\tcaps: pcie=sideways\n", "unknown pcie type"),
        ("OS: beos\nIOMMU Group 1:\n\t00:02.0 VGA compatible controller [0300]: x [8086:0412]\n",
         "unknown OS"),
    ]
    for text, want in bad:
        d = tempfile.mkdtemp(prefix="pt-fixture-bad-", dir=SCRATCH)
        try:
            p = os.path.join(d, "bad.host")
            with open(p, "w") as f:
                f.write(text)
            r = subprocess.run([sys.executable, os.path.join(FIXTURES, "mkhost.py"), p, os.path.join(d, "root")],
                               capture_output=True, text=True)
            report(r.returncode == 1 and want in r.stderr,
                   "a listing with %s is refused with a message" % want, r.stderr.strip())
        finally:
            shutil.rmtree(d, ignore_errors=True)


def check_cache():
    if not DEPMOD:
        report(True, "the module cache gives the same indexes", skip="kmod is not installed")
        return
    d = tempfile.mkdtemp(prefix="pt-fixture-cache-", dir=SCRATCH)
    try:
        seed = os.path.join(FIXTURES, "hosts", "seed.host")
        env = dict(os.environ, PT_FIXTURE_CACHE=os.path.join(d, "cache"))
        outs = []
        for i, e in enumerate((env, env, {k: v for k, v in env.items() if k != "PT_FIXTURE_CACHE"})):
            root = os.path.join(d, "r%d" % i)
            subprocess.run([sys.executable, os.path.join(FIXTURES, "mkhost.py"), seed, root],
                           env=e, check=True, capture_output=True)
            rel = [x for x in os.listdir(os.path.join(root, "lib/modules"))][0]
            with open(os.path.join(root, "lib/modules", rel, "modules.alias")) as f:
                outs.append(f.read())
        report(outs[0] == outs[1] == outs[2] and "alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau" in outs[0],
               "the module cache gives the same indexes as a fresh depmod")
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    if LSPCI is None:
        print("1..0 # SKIP lspci is not installed (apt-get install pciutils pci.ids)")
        return 0
    hosts = sorted(glob.glob(os.path.join(FIXTURES, "hosts", "*.host")))
    for h in hosts:
        try:
            check_fixture(h)
        except Exception as e:  # a crash in one fixture must not hide the others
            report(False, "%s: checks ran" % os.path.basename(h), repr(e))
    check_errors()
    check_cache()
    return print_results(results)


if __name__ == "__main__":
    sys.exit(main())
