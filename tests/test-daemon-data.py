#!/usr/bin/env python3
# test-daemon-data.py: the privileged side's system files in data/, checked
# by the tools that will read them:
#
#  - the polkit policy: valid against polkit's DTD (xmllint), both actions
#    with auth_admin_keep for active sessions and auth_admin otherwise, and
#    translations merged into it by our ITS rules (msgfmt --xml);
#  - the bus policy: dbus-daemon starts with a system bus configuration
#    that includes it, and only root may own the name;
#  - the D-Bus activation file: the name, the installed daemon, the unit;
#  - the systemd unit: "systemd-analyze verify" has nothing to say, and the
#    sandbox keeps what the daemon needs (see the comments in the unit).
#
# Usage: test-daemon-data.py --source-root DIR --build-root DIR
# Prints TAP; exits non-zero on any failure.

import argparse
import configparser
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from taplib import print_results

BUS_NAME = "io.github.passthrough.Helper1"
ACTIONS = ["io.github.passthrough.configure-boot", "io.github.passthrough.bind-device"]
POLKIT_DTD = "/usr/share/polkit-1/policyconfig-1.dtd"

results = []


def report(ok, name, diag=None, skip=None):
    results.append((ok, name, diag, skip))


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def check_policy(src, build):
    policy = os.path.join(build, "data", "io.github.passthrough.policy")
    if not os.path.exists(policy):
        report(False, "policy: built", "%s is missing" % policy)
        return
    if shutil.which("xmllint") is None:
        report(True, "policy: valid against polkit's DTD", skip="xmllint is not installed")
    else:
        cmd = ["xmllint", "--noout", "--nonet"]
        if os.path.exists(POLKIT_DTD):
            cmd += ["--dtdvalid", POLKIT_DTD]
        r = run(cmd + [policy])
        report(r.returncode == 0 and r.stderr == "", "policy: valid against polkit's DTD",
               r.stderr)

    root = ET.parse(policy).getroot()
    found = {a.get("id"): a for a in root.findall("action")}
    report(sorted(found) == sorted(ACTIONS), "policy: exactly our two actions",
           "found %s" % sorted(found))
    for action_id in ACTIONS:
        a = found.get(action_id)
        if a is None:
            continue
        d = a.find("defaults")
        got = {k: d.findtext(k) for k in ("allow_any", "allow_inactive", "allow_active")}
        want = {"allow_any": "auth_admin", "allow_inactive": "auth_admin",
                "allow_active": "auth_admin_keep"}
        report(got == want, "policy: %s defaults" % action_id, "got %s" % got)
        report(bool(a.findtext("description")) and bool(a.findtext("message")),
               "policy: %s has a description and a message" % action_id)

    # Our ITS rules carry translations of both elements into the merged file.
    template = os.path.join(src, "data", "io.github.passthrough.policy.in")
    with tempfile.TemporaryDirectory() as tmp:
        po = os.path.join(tmp, "xx.po")
        pot = run(["xgettext", "--its=" + os.path.join(src, "data", "its", "polkit.its"),
                   "-o", "-", template])
        # Every msgid line but the header's.
        n_msgids = sum(1 for l in pot.stdout.splitlines() if l.startswith("msgid ")) - 1
        report(pot.returncode == 0 and n_msgids == 2 * len(ACTIONS),
               "policy: xgettext finds every description and message",
               "found %d; stderr %s" % (n_msgids, pot.stderr))
        with open(po, "w", encoding="utf-8") as f:
            f.write('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n')
            for a in found.values():
                for tag in ("description", "message"):
                    text = a.findtext(tag)
                    f.write('msgid "%s"\nmsgstr "XX %s"\n\n' % (text, text))
        with open(os.path.join(tmp, "LINGUAS"), "w") as f:
            f.write("xx\n")
        out = os.path.join(tmp, "out.policy")
        e = dict(os.environ, GETTEXTDATADIRS=os.path.join(src, "data"))
        r = run(["msgfmt", "--xml", "--template", template, "-d", tmp, "-o", out], env=e)
        merged = open(out, encoding="utf-8").read() if r.returncode == 0 else ""
        n = merged.count('xml:lang="xx"')
        report(r.returncode == 0 and n == 2 * len(ACTIONS),
               "policy: translations merge into both elements of both actions",
               "msgfmt: %s; %d translated elements" % (r.stderr, n))


def start_bus(config_text, tmp):
    config = os.path.join(tmp, "system.conf")
    with open(config, "w") as f:
        f.write(config_text)
    return subprocess.Popen(["dbus-daemon", "--config-file", config, "--nofork", "--nopidfile",
                             "--nosyslog", "--print-address"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def check_bus_policy(src):
    conf = os.path.join(src, "data", "io.github.passthrough.Helper1.conf")
    root = ET.parse(conf).getroot()
    owners = [(p.attrib, a.get("own")) for p in root.findall("policy")
              for a in p.findall("allow") if a.get("own")]
    report(owners == [({"user": "root"}, BUS_NAME)], "bus policy: only root owns the name",
           "got %s" % owners)
    sends = [a.attrib for p in root.findall("policy") if p.get("context") == "default"
             for a in p.findall("allow")]
    report(all(s.get("send_destination") == BUS_NAME for s in sends) and
           {"send_destination": BUS_NAME, "send_interface": BUS_NAME} in sends,
           "bus policy: everyone may call the interface, and nothing else",
           "got %s" % sends)

    if shutil.which("dbus-daemon") is None:
        report(True, "bus policy: dbus-daemon accepts it", skip="dbus-daemon is not installed")
        return
    with tempfile.TemporaryDirectory() as tmp:
        text = ('<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"'
                ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
                '<busconfig><type>system</type><listen>unix:path=%s/bus</listen>'
                '<auth>EXTERNAL</auth><policy context="default"><allow user="*"/></policy>'
                '<include>%s</include></busconfig>\n' % (tmp, conf))
        p = start_bus(text, tmp)
        try:
            line = p.stdout.readline()
            ok = line.startswith("unix:")
            err = ""
        finally:
            p.terminate()
            _, err = p.communicate(timeout=10)
        report(ok, "bus policy: dbus-daemon starts with it", err)

        # And a broken include would have been noticed: the check can fail.
        bad = os.path.join(tmp, "bad.conf")
        with open(bad, "w") as f:
            f.write("<busconfig><policy><allow own=</busconfig>")
        p = start_bus(text.replace(conf, bad), tmp)
        try:
            line = p.stdout.readline()
        finally:
            p.kill()
            p.communicate(timeout=10)
        report(not line.startswith("unix:"), "bus policy: dbus-daemon refuses a broken one")


def read_ini(path):
    cp = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    cp.optionxform = str
    with open(path) as f:
        cp.read_file(f)
    return cp


def check_service_file(build):
    path = os.path.join(build, "data", "io.github.passthrough.Helper1.service")
    cp = read_ini(path)
    s = cp["D-BUS Service"]
    report(s.get("Name") == BUS_NAME, "service file: Name")
    report(s.get("Exec", "").endswith("/passthroughd") and os.path.isabs(s.get("Exec", "")),
           "service file: Exec is the installed passthroughd", s.get("Exec"))
    report(s.get("User") == "root", "service file: User=root")
    report(s.get("SystemdService") == "passthroughd.service", "service file: SystemdService")


def unit_values(path):
    values = {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("["):
            continue
        key, _, value = line.partition("=")
        values.setdefault(key, []).append(value)
    return values


def check_unit(build):
    path = os.path.join(build, "data", "passthroughd.service")
    v = unit_values(path)
    report(v.get("Type") == ["dbus"] and v.get("BusName") == [BUS_NAME],
           "unit: Type=dbus with our BusName")
    for key, want in (("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
                      ("NoNewPrivileges", "yes"), ("ProtectHome", "yes")):
        report(v.get(key) == [want], "unit: %s=%s" % (key, want), "got %s" % v.get(key))
    # Each of these would break the daemon (see the unit's comments).
    for key in ("ProtectKernelModules", "ProtectKernelTunables", "PrivateNetwork",
                "PrivateDevices", "DevicePolicy", "ProtectClock"):
        report(key not in v, "unit: no %s" % key)
    # A path without '-' must exist on every system, or the unit fails.
    paths = [p for value in v.get("ReadWritePaths", []) for p in value.split()]
    hard = [p for p in paths if not p.startswith("-")]
    report(hard == ["/etc"], "unit: only /etc is a required writable path", "got %s" % hard)
    for p in ("/boot", "/efi"):
        report("-" + p in paths, "unit: %s writable when present" % p)
    report(v.get("StateDirectory") == ["passthrough"] and
           v.get("RuntimeDirectory") == ["passthrough"] and
           v.get("RuntimeDirectoryPreserve") == ["yes"],
           "unit: journal and bound-device records are writable and kept")

    if shutil.which("systemd-analyze") is None:
        report(True, "unit: systemd-analyze verify", skip="systemd-analyze is not installed")
        return
    daemon = os.path.join(build, "src", "daemon", "passthroughd")
    with tempfile.TemporaryDirectory() as tmp:
        # The installed path does not exist in a build tree: point at the build.
        text = open(path).read()
        exec_start = [l for l in text.splitlines() if l.startswith("ExecStart=")][0]
        text = text.replace(exec_start, "ExecStart=" + daemon)
        unit = os.path.join(tmp, "passthroughd.service")
        with open(unit, "w") as f:
            f.write(text)
        r = run(["systemd-analyze", "verify", "--man=no", unit])
        report(r.returncode == 0 and r.stderr.strip() == "", "unit: systemd-analyze verify",
               r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    args = ap.parse_args()

    check_policy(args.source_root, args.build_root)
    check_bus_policy(args.source_root)
    check_service_file(args.build_root)
    check_unit(args.build_root)

    return print_results(results)


if __name__ == "__main__":
    sys.exit(main())
