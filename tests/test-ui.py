#!/usr/bin/python3
# test-ui.py: drives the real app through AT-SPI, as a screen reader or a
# keyboard user would, in a private session (Xvfb, session bus, AT-SPI bus;
# tests/ui/atspi_session.py) on the seed machine's host root:
#
#  - the window comes up on the setup wizard and every step can be left with
#    the button a screen reader calls "Next";
#  - on "Choose GPU" the GTX 970 is ticked by its accessible name;
#  - buttons are named as they read, without a mnemonic's underscore;
#  - the Review page shows the diff with `iommu=pt` and the planned
#    `vfio-pci.ids=10de:13c2,10de:0fbb`, and the kernel arguments;
#  - the device inspector names the GPU node "GeForce GTX 970, 01:00.0,
#    group 1, clean" (its verdict), without the same words again as its
#    description;
#  - the list view, made when first shown, has the GPU ticked in the wizard;
#  - a snapshot that is not JSON gets a page that says why and how to make
#    a new one, whose Try Again reads it again;
#  - the details pane's rows are named "Address: 0000:01:00.0" and copy
#    their value when activated (read back from the X clipboard);
#  - the main menu opens the shortcuts window, named "Keyboard Shortcuts";
#  - nothing under the host root changed (nothing was applied), and the app
#    printed no GLib warning or critical (G_DEBUG=fatal-criticals would
#    also have killed it).
#
# Usage: test-ui.py --source-root DIR --build-root DIR. Prints TAP.
# Needs Debian's python3-gi, gir1.2-atspi-2.0, xvfb and at-spi2-core
# (PT_UI_TEST_PACKAGES in build-aux/deps.sh); skips when they are missing.

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ui"))
from uitest import app_env, finish, host_root, ok, stop_app  # noqa: E402


def tree_digest(root):
    h = hashlib.sha256()
    for d, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        if d.startswith(os.path.join(root, "sys")) or d.startswith(os.path.join(root, "proc")):
            continue
        for f in sorted(files):
            p = os.path.join(d, f)
            if os.path.islink(p):
                h.update(("L" + p + os.readlink(p)).encode())
            elif os.path.isfile(p):
                h.update(("F" + p).encode())
                with open(p, "rb") as fh:
                    h.update(fh.read())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    args = ap.parse_args()

    # This process is the screen reader: AT-SPI's own warnings about
    # objects going away must not kill it (meson sets fatal-warnings). The
    # app gets G_DEBUG=fatal-criticals below.
    os.environ.pop("G_DEBUG", None)
    sys.path.insert(0, os.path.join(args.source_root, "tests", "ui"))
    try:
        import atspi_session as s
    except (ImportError, ValueError) as e:
        print("1..0 # SKIP AT-SPI from python3-gi is not available: %s" % e)
        return 0

    app_bin = os.path.join(args.build_root, "src", "app", "passthrough")
    tmp = tempfile.mkdtemp(prefix="pt-ui-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    root = os.path.join(tmp, "seed")
    host_root(args.source_root, "seed", root)
    before = tree_digest(root)

    try:
        session = s.Session(1280, 900).__enter__()
    except s.SessionError as e:
        print("1..0 # SKIP no desktop session for the UI test: %s" % e)
        return 0

    env = app_env(args.build_root)
    errlog = open(os.path.join(tmp, "app.stderr"), "w+")
    proc = subprocess.Popen([app_bin, "--root", root, "--page", "setup"], env=env,
                            stdout=errlog, stderr=subprocess.STDOUT)
    try:
        run_steps(s, proc)
        run_error(s, app_bin, env, tmp)
    except s.SessionError as e:
        ok(False, "the UI answered as expected", e)
    finally:
        stop_app(proc, errlog, "the app")
        session.__exit__(None, None, None)
        ok(tree_digest(root) == before, "nothing under the host root changed (nothing applied)")
        subprocess.run(["rm", "-rf", tmp])

    return finish()


def run_error(s, app_bin, env, tmp):
    """A second window, on a snapshot that is not JSON: the page that says
    why, with the parser's words and a Try Again button that reads it
    again. The page is made only when it is needed."""
    bad = os.path.join(tmp, "truncated.json")
    with open(bad, "w") as f:
        f.write('{"format": "passthrough-host-snapshot", "version": 1, "host": {')
    log = open(os.path.join(tmp, "error-app.stderr"), "w+")
    proc = subprocess.Popen([app_bin, "--snapshot", bad], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        app = s.find_app("passthrough", timeout=60, pid=proc.pid)
        frame = s.find(app, role="frame", timeout=30)
        s.find(frame, name="Cannot Read This Host", timeout=30)
        text = s.all_text(frame)
        ok("not complete, well-formed JSON" in text and "passthroughctl snapshot" in text,
           "a snapshot that is not JSON shows why, and how to make a new one", text[-600:])
        button = s.find(frame, role="push button", name="Try Again", timeout=10, actionable=True)
        s.activate(button)
        time.sleep(1)
        ok(s.find(frame, name="Cannot Read This Host", timeout=15) is not None,
           "Try Again reads the snapshot again and says the same")
    finally:
        stop_app(proc, log, "the app on a broken snapshot")


def wizard_step(s, frame):
    """The number N of the wizard's "Step N of M" indicator, or None."""
    for node in s.walk(frame):
        m = re.match(r"Step (\d+) of \d+$", s.name_of(node))
        if m and s.is_showing(node):
            return int(m.group(1))
    return None


def wizard_title(s, frame):
    """The title shown under the step indicator: the label that follows it."""
    seen = False
    for node in s.walk(frame):
        name = s.name_of(node)
        if seen and s.role_name(node) == "label" and name:
            return name
        if re.match(r"Step \d+ of \d+$", name):
            seen = True
    return None


def run_steps(s, proc):
    app = s.find_app("passthrough", timeout=60, pid=proc.pid)
    frame = s.find(app, role="frame", timeout=30)
    ok(True, "the app's window is on the accessibility bus")

    # The wizard: Next, step by step, until Choose GPU; each Next waits for
    # the "Step N of M" indicator to move on, however slow the machine.
    gpu = None
    step = s.wait_for(lambda: wizard_step(s, frame), timeout=60)
    for _ in range(6):
        if step is None or wizard_title(s, frame) == "Choose GPU":
            break
        s.activate(s.find(frame, role="push button", name="Next", timeout=30))
        previous = step
        step = s.wait_for(lambda: (wizard_step(s, frame) or 0) > previous and wizard_step(s, frame), timeout=60)
    try:
        gpu = s.find(frame, contains="GTX 970", role="check box", timeout=60, actionable=True)
    except s.SessionError:
        gpu = None
    if not ok(gpu is not None, "the Choose GPU step lists the GeForce GTX 970 as a check box"):
        s.dump(frame, file=sys.stdout)
        return
    s.activate(gpu)
    from gi.repository import Atspi
    ok(s.wait_for(lambda: s.has_state(gpu, Atspi.StateType.CHECKED), timeout=15),
       "ticking it by its accessible name checks it")

    s.activate(s.find(frame, role="push button", name="Next", timeout=30))
    deadline = time.monotonic() + 60
    text = ""
    while time.monotonic() < deadline:
        text = s.all_text(frame)
        if "vfio-pci.ids=10de:13c2,10de:0fbb" in text:
            break
        time.sleep(0.5)
    ok("vfio-pci.ids=10de:13c2,10de:0fbb" in text,
       "Review shows the planned vfio-pci.ids=10de:13c2,10de:0fbb", text[-2000:])
    added = [l for l in text.splitlines()
             if l.startswith("+") and "iommu=pt" in l and "vfio-pci.ids=10de:13c2,10de:0fbb" in l]
    ok(added, "Review's diff adds a kernel command line with iommu=pt and the vfio-pci IDs",
       "\n".join(l for l in text.splitlines() if l.startswith(("+", "-")))[:2000])
    ok("etc/default/grub" in text, "Review names the file it would change (etc/default/grub)")
    ok("mkinitcpio" in text, "Review names the initramfs system (mkinitcpio) for this Manjaro host")

    # Buttons are named as they read, without the mnemonic's underscore
    # (GTK 4.8 would say "_Apply Changes Apply Changes"). Every page of the
    # wizard is in the tree by now, shown or not.
    buttons = [s.name_of(n) for n in s.walk(frame) if s.role_name(n) in ("push button", "toggle button")]
    raw = [b for b in buttons if "_" in b]
    ok(buttons and not raw and "Apply Changes" in buttons and "Back" in buttons,
       "the wizard's %d buttons are named as they read (\"Apply Changes\", not \"_Apply Changes Apply Changes\")"
       % len(buttons), ", ".join(raw or buttons))

    # The device inspector: the GPU node speaks its verdict.
    tab = s.find(frame, role="page tab", name="Devices", timeout=10)
    s.activate(tab)
    name, node = "", None
    deadline = time.monotonic() + 20
    while node is None and time.monotonic() < deadline:
        node = next((n for n in s.walk(frame) if "GTX 970" in s.name_of(n) and "group" in s.name_of(n)), None)
        name = s.name_of(node) if node is not None else ""
        time.sleep(0.5)
    ok("01:00.0" in name and "group 1" in name and "clean" in name,
       "the inspector's GPU node is named with address, group and verdict",
       name or "no accessible name with \"GTX 970\" and \"group\"")
    # Its tooltip says the same, but a screen reader must not hear it twice.
    description = node.get_description() if node is not None else None
    ok(node is not None and description != name,
       "the GPU node's accessible description does not repeat its name", description)

    # The details pane names each row with its value, and activating a row
    # copies the value (a toast says so).
    row = None
    try:
        row = s.find(frame, name="Address: 0000:01:00.0", timeout=20)
    except s.SessionError:
        pass
    ok(row is not None, "the details pane has a row named \"Address: 0000:01:00.0\"")
    if row is not None:
        s.click(row)
        # The toast is near the top of the tree: a shallow walk finds it
        # before it times out, on a sanitizer build too.
        copied = s.wait_for(lambda: any(s.name_of(n) == "Copied" for n in s.walk(frame, max_depth=7)),
                            timeout=15)
        ok(copied, "activating it copies the value (the \"Copied\" toast)")
        # What another program pastes is the row's value.
        pasted = s.wait_for(lambda: s.clipboard_text(timeout=5) == "0000:01:00.0", timeout=15)
        ok(pasted, "the clipboard then holds the address, as another program would paste it",
           repr(s.clipboard_text(timeout=5)))

    # The list view is made when it is first shown, with the window's
    # selection: the GTX 970 ticked in the wizard is ticked there too.
    tick = None
    try:
        s.activate(s.find(frame, name="Show the List", timeout=10, actionable=True))
        tick = s.find(frame, name="Pass through GeForce GTX 970", timeout=20)
    except s.SessionError:
        pass
    ok(tick is not None and s.wait_for(lambda: s.has_state(tick, s.Atspi.StateType.CHECKED), timeout=10),
       "the list view, made when first shown, has the GTX 970 ticked as the wizard left it")
    s.activate(s.find(frame, name="Show the Graph", timeout=10, actionable=True))

    # The shortcuts window is built only when it is asked for (the main
    # menu, as Ctrl+? would), and has a name a screen reader can say.
    s.activate(s.find(frame, name="Main Menu", timeout=10, actionable=True))
    s.activate(s.find(app, role="menu item", name="Keyboard Shortcuts", timeout=10, actionable=True))
    shortcuts = s.wait_for(lambda: next((app.get_child_at_index(i) for i in range(app.get_child_count())
                                         if s.name_of(app.get_child_at_index(i)) == "Keyboard Shortcuts"),
                                        None), timeout=20)
    ok(shortcuts is not None and "Open host snapshot" in s.all_text(shortcuts),
       "the main menu opens a window named Keyboard Shortcuts that lists them",
       ", ".join(s.name_of(app.get_child_at_index(i)) for i in range(app.get_child_count())))


if __name__ == "__main__":
    sys.exit(main())
