#!/usr/bin/python3
# test-ui-vm.py: drives the GPU-attach dialog (src/app/vm/) through AT-SPI in
# a private session (tests/ui/atspi_session.py) on the seed machine's host
# root, against libvirt's built-in test driver (test:///default, which has
# one running domain named "test"):
#
#  - the app starts on the device inspector with the GTX 970 (0000:01:00.0)
#    ticked (PASSTHROUGH_SELECT_GPUS); the plan area's "Add to a VM…" opens
#    the dialog, pointed at test:///default (PASSTHROUGH_LIBVIRT_URI), which
#    connects by itself;
#  - every interactive widget of the dialog has an accessible name;
#  - "Existing virtual machine" lists the domain "test" as a radio button,
#    says it is running, and Review shows the preview: the summary names
#    0000:01:00.0 and its audio function 0000:01:00.1, the running domain
#    gets the change at its next start unless "Add to the Running VM Now" is
#    switched on (then the summary names the hotplug), and the XML diff adds
#    <hostdev mode="subsystem" type="pci" managed="yes"> with bus 0x01;
#  - nothing is applied: Apply is offered but not pressed; Back returns to
#    the choice and Cancel closes the dialog;
#  - on a second test-driver host (a node XML file) whose domain "gaming"
#    has the GPU, adding it to "office" is refused (it belongs to
#    "gaming"), and only "gaming" offers "Remove GPU", whose preview removes
#    both hostdevs (- lines in the diff);
#  - Apply itself, only on the test driver's in-memory copy of "test" (gone
#    when the app exits): the result page, and "Open in Virtual Machine
#    Manager" runs virt-manager (a stand-in first in PATH) with --connect
#    URI --show-domain-console test;
#  - the dialog is a module (passthrough-vm.so, vm/ beside the executable):
#    a copy of the app without it answers "Add to a VM…" with a message
#    naming the module and the fix, which Return closes;
#  - the app printed no GLib warning or critical (and G_DEBUG=fatal-criticals
#    would have killed it).
#
# Usage: test-ui-vm.py --source-root DIR --build-root DIR. Prints TAP.
# Needs Debian's python3-gi, gir1.2-atspi-2.0, xvfb and at-spi2-core; skips
# when they are missing.

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ui"))
from uitest import app_env, finish, host_root, ok, stop_app  # noqa: E402


DIALOG_TITLE = "Add GPU to a Virtual Machine"



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    args = ap.parse_args()

    # meson's G_DEBUG=fatal-warnings is for the app (which gets
    # fatal-criticals below), not for this client: libatspi warns when the
    # app's accessibility cache is not up yet. GLib reads G_DEBUG when it is
    # loaded, which the import below does.
    os.environ.pop("G_DEBUG", None)
    sys.path.insert(0, os.path.join(args.source_root, "tests", "ui"))
    try:
        import atspi_session as s
    except (ImportError, ValueError) as e:
        print("1..0 # SKIP AT-SPI from python3-gi is not available: %s" % e)
        return 0

    app_bin = os.path.join(args.build_root, "src", "app", "passthrough")
    tmp = tempfile.mkdtemp(prefix="pt-ui-vm-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    root = os.path.join(tmp, "seed")
    host_root(args.source_root, "seed", root)

    try:
        session = s.Session(1280, 900).__enter__()
    except s.SessionError as e:
        print("1..0 # SKIP no desktop session for the UI test: %s" % e)
        return 0

    base_env = app_env(args.build_root, PASSTHROUGH_SELECT_GPUS="0000:01:00.0")
    # A test-driver host whose domain "gaming" has the GPU already.
    node_xml = os.path.join(tmp, "node.xml")
    with open(node_xml, "w") as f:
        f.write(NODE_XML)
    try:
        run_app(s, app_bin, root, tmp, dict(base_env, PASSTHROUGH_LIBVIRT_URI="test:///default"),
                attach_steps, "attach")
        run_app(s, app_bin, root, tmp, dict(base_env, PASSTHROUGH_LIBVIRT_URI="test://" + node_xml),
                detach_steps, "detach")
        # A virt-manager that writes down how it was started.
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        fake = os.path.join(bindir, "virt-manager")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\nprintf "%%s\\n" "$@" > "%s"\n' % os.path.join(tmp, "virt-manager.args"))
        os.chmod(fake, 0o755)
        apply_env = dict(base_env, PASSTHROUGH_LIBVIRT_URI="test:///default",
                         PATH=bindir + os.pathsep + base_env.get("PATH", "/usr/bin:/bin"))
        run_app(s, app_bin, root, tmp, apply_env,
                lambda s, proc: apply_steps(s, proc, os.path.join(tmp, "virt-manager.args")), "apply")
        # The app alone, without the VM module beside it (and none installed
        # in a build machine's LIBDIR/passthrough): the dialog's place is
        # taken by a message naming the module and the fix.
        lonely = os.path.join(tmp, "lonely")
        os.mkdir(lonely)
        shutil.copy(app_bin, lonely)
        run_app(s, os.path.join(lonely, "passthrough"), root, tmp, base_env, no_module_steps, "no module")
    finally:
        session.__exit__(None, None, None)
        subprocess.run(["rm", "-rf", tmp])

    return finish()


NODE_XML = """<node>
  <domain type="test">
    <name>gaming</name>
    <memory>8388608</memory>
    <vcpu>4</vcpu>
    <os><type arch="x86_64" machine="q35">hvm</type></os>
    <devices>
      <hostdev mode="subsystem" type="pci" managed="yes">
        <source><address domain="0x0000" bus="0x01" slot="0x00" function="0x0"/></source>
      </hostdev>
      <hostdev mode="subsystem" type="pci" managed="yes">
        <source><address domain="0x0000" bus="0x01" slot="0x00" function="0x1"/></source>
      </hostdev>
    </devices>
  </domain>
  <domain type="test">
    <name>office</name>
    <memory>4194304</memory>
    <vcpu>2</vcpu>
    <os><type arch="x86_64" machine="q35">hvm</type></os>
  </domain>
</node>
"""


def run_app(s, app_bin, root, tmp, env, steps, label):
    errlog = open(os.path.join(tmp, "app-%s.stderr" % label), "w+")
    proc = subprocess.Popen([app_bin, "--root", root, "--page", "devices"], env=env,
                            stdout=errlog, stderr=subprocess.STDOUT)
    try:
        steps(s, proc)
    except s.SessionError as e:
        ok(False, "%s: the UI answered as expected" % label, e)
    finally:
        stop_app(proc, errlog, "%s: the app" % label)


def wait_for_text(s, node, predicate, timeout=20):
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = s.all_text(node)
        if predicate(text):
            return True, text
        time.sleep(0.3)
    return False, text


def is_enabled(node):
    import atspi_session
    from gi.repository import Atspi
    return atspi_session.has_state(node, Atspi.StateType.SENSITIVE)


def wait_enabled(node, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_enabled(node):
            return True
        time.sleep(0.2)
    return False


def find_radio(s, root, name, timeout=15):
    """GTK 4.8 gives grouped check buttons the role "check box"; later
    versions "radio button"."""
    deadline = time.monotonic() + timeout
    while True:
        for role in ("radio button", "check box"):
            try:
                return s.find(root, role=role, name=name, timeout=0)
            except s.SessionError:
                pass
        if time.monotonic() > deadline:
            raise s.SessionError("no radio button named %r is showing" % name)
        time.sleep(0.2)


def press_key(keysym):
    from gi.repository import Atspi
    Atspi.generate_keyboard_event(keysym, None, Atspi.KeySynthType.SYM)
    time.sleep(0.05)


def focus_by_tab(s, node):
    """Tabs until node, something inside it, or the list row it belongs to
    has the keyboard focus, as a keyboard user does. GTK 4.8 does not
    implement AT-SPI's grab_focus."""
    from gi.repository import Atspi
    row = node.get_parent()
    while row is not None and s.role_name(row) != "list item":
        row = row.get_parent()
    for _ in range(80):
        if any(s.has_state(n, Atspi.StateType.FOCUSED) for n in s.walk(node)) or \
           (row is not None and s.has_state(row, Atspi.StateType.FOCUSED)):
            return
        press_key(0xff09)  # Tab
        time.sleep(0.05)
    raise s.SessionError("Tab never reached %r" % s.name_of(node))


def choose(s, node):
    """Checks a radio button with Tab and Space: GTK 4.8 gives check
    buttons no AT-SPI action."""
    from gi.repository import Atspi
    focus_by_tab(s, node)
    press_key(0x20)  # space
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if s.has_state(node, Atspi.StateType.CHECKED):
            return
        time.sleep(0.1)
    raise s.SessionError("Space did not check %r" % s.name_of(node))


def choose_off(s, node):
    """Unchecks a switch or check button with Tab and Space."""
    from gi.repository import Atspi
    focus_by_tab(s, node)
    press_key(0x20)  # space
    if not s.wait_for(lambda: not s.has_state(node, Atspi.StateType.CHECKED), timeout=5):
        raise s.SessionError("Space did not uncheck %r" % s.name_of(node))


def type_into(mnemonic, text):
    """Replaces the text of an entry from the keyboard, reaching it by its
    mnemonic (Alt+letter): a GTK 4.8 entry row's text field reports no
    focus over AT-SPI, so Tab cannot tell when it got there."""
    from gi.repository import Atspi
    Atspi.generate_keyboard_event(1 << 3, None, Atspi.KeySynthType.LOCKMODIFIERS)  # Mod1: Alt
    press_key(ord(mnemonic))
    Atspi.generate_keyboard_event(1 << 3, None, Atspi.KeySynthType.UNLOCKMODIFIERS)
    time.sleep(0.3)
    press_key(0xff57)  # End
    for _ in range(40):
        press_key(0xff08)  # BackSpace
    Atspi.generate_keyboard_event(0, text, Atspi.KeySynthType.STRING)
    time.sleep(0.3)


def find_dialog(s, app, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s.refresh(app)
        for i in range(app.get_child_count()):
            child = app.get_child_at_index(i)
            if child is not None and s.name_of(child) == DIALOG_TITLE and s.is_showing(child):
                return child
        time.sleep(0.2)
    return None


def open_dialog(s, app):
    """Presses the inspector's "Add to a VM…" (the GPU is ticked through
    PASSTHROUGH_SELECT_GPUS) and returns the dialog, or None."""
    frame = s.find(app, role="frame", timeout=60)
    try:
        button = s.find(frame, role="push button", name="Add to a VM…", timeout=60, actionable=True)
    except s.SessionError:
        s.dump(frame, file=sys.stdout)
        raise
    s.activate(button)
    return find_dialog(s, app, timeout=60)


def dialog_closed(s, app, dialog):
    """Waits for the dialog itself to go, then checks that the application
    has no such window left. GTK 4.8 answers GetChildAtIndex for a window
    destroyed since the client's GetChildCount with a NULL path (a GLib
    critical, fatal here): the application's windows are listed again only
    once the dialog reports itself gone, and a moment later."""
    if not s.wait_gone(dialog, timeout=30):
        return False
    time.sleep(1)
    return find_dialog(s, app, timeout=0.5) is None


INTERACTIVE = {"push button", "toggle button", "radio button", "check box", "spin button",
               "text", "entry", "combo box", "menu button", "link"}


def unnamed_widgets(s, root):
    missing = []
    for node in s.walk(root):
        if not s.is_showing(node) or s.role_name(node) not in INTERACTIVE:
            continue
        if not s.name_of(node).strip():
            # An editable text inside a named entry row or spin button is
            # named by its parent.
            parent = node.get_parent()
            if parent is not None and s.name_of(parent).strip() and s.role_name(node) == "text":
                continue
            missing.append("%s under %s %r" % (s.role_name(node), s.role_name(parent),
                                               s.name_of(parent)))
    return missing


def attach_steps(s, proc):
    from gi.repository import Atspi

    app = s.find_app("passthrough", timeout=60, pid=proc.pid)
    dialog = open_dialog(s, app)
    if not ok(dialog is not None, "the inspector's \"Add to a VM…\" opens the VM dialog for the ticked GPU"):
        for i in range(app.get_child_count()):
            s.dump(app.get_child_at_index(i), file=sys.stdout)
        return

    found, text = wait_for_text(s, dialog, lambda t: "Connected" in t or "Cannot connect" in t)
    ok(found and "Connected" in text and "test:///default" in text,
       "it connects to test:///default by itself", text[-1500:])
    ok("GTX 970" in text and "0000:01:00.0" in text, "its subtitle names the GPU", text[:500])

    missing = unnamed_widgets(s, dialog)
    ok(not missing, "every interactive widget of the setup page has an accessible name",
       "\n".join(missing))

    # A new VM may not take the name of an existing one.
    review = s.find(dialog, role="push button", name="Review")
    type_into("a", "test")  # N_ame
    found, text = wait_for_text(s, dialog, lambda t: "exists already" in t, timeout=10)
    ok(found and not is_enabled(review),
       "Alt+A reaches the name; a new VM named like the existing \"test\" is refused, "
       "Review disabled", text[-800:])
    type_into("a", "win11")
    ok(wait_enabled(review, timeout=10) and "exists already" not in s.all_text(dialog),
       "a free name enables Review")

    choose(s, find_radio(s, dialog, "Existing virtual machine"))
    radio = find_radio(s, dialog, "test", timeout=20)
    ok(True, "Existing virtual machine lists the domain \"test\" as a radio button")
    row = s.find(dialog, role="list item", name="test")
    description = s.all_text(row)
    ok("Running" in description and "next start" in description,
       "the domain is described as running, getting the GPU at its next start", description)
    ok(not is_enabled(review), "Review waits until a domain is chosen")
    choose(s, radio)
    ok(wait_enabled(review) and radio.get_state_set().contains(Atspi.StateType.CHECKED),
       "choosing \"test\" checks it and enables Review")

    missing = unnamed_widgets(s, dialog)
    ok(not missing, "every interactive widget of the domain list has an accessible name",
       "\n".join(missing))

    s.activate(review)
    hostdev = re.compile(r"""<hostdev mode=["']subsystem["'] type=["']pci["'] managed=["']yes["']>""")
    found, text = wait_for_text(s, dialog, lambda t: hostdev.search(t) is not None, timeout=30)
    ok(found, "the review's XML diff adds <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">",
       text[-2500:])
    ok(re.search(r"""<address domain=["']0x0000["'] bus=["']0x01["'] slot=["']0x00["'] function=["']0x0["']""",
                 text) is not None,
       "the hostdev's source is bus 0x01, slot 0x00, function 0x0")
    ok("+    </hostdev>" in text or re.search(r"^\+\s*</hostdev>", text, re.M) is not None,
       "the added lines are marked + in a unified diff")
    ok("Add 0000:01:00.0" in text and "Add 0000:01:00.1" in text,
       "the summary lists the GPU and its audio function", text[:1500])
    ok("is running" in text and "next start" in text,
       "the review says the running domain gets the change at its next start")
    ok("SeaBIOS" in text, "the review shows the core's issues (legacy BIOS) with their fix")
    # The running VM: hot-plug is offered, off by default; switched on, the
    # summary says what happens now instead of at the next start.
    from gi.repository import Atspi
    # GTK 4.8 gives a GtkSwitch the AT-SPI role of a check box.
    live = s.find(dialog, role="check box", name="Add to the Running VM Now", timeout=10)
    ok(not s.has_state(live, Atspi.StateType.CHECKED),
       "a running VM offers \"Add to the Running VM Now\", switched off")
    choose(s, live)
    found, text = wait_for_text(s, dialog, lambda t: "hotplug" in t and "next start:" not in t, timeout=30)
    ok(found and "stays on vfio-pci" in text,
       "switched on, the review says the group moves to vfio-pci and is hot-plugged now", text[:2000])
    choose_off(s, live)
    found, text = wait_for_text(s, dialog, lambda t: "hotplug" not in t and "next start" in t, timeout=30)
    ok(found, "switched off again, the change is for the next start again", text[:2000])
    apply_button = s.find(dialog, role="push button", name="Apply")
    ok(is_enabled(apply_button), "Apply is offered (and not pressed)")
    missing = unnamed_widgets(s, dialog)
    ok(not missing, "every interactive widget of the review has an accessible name",
       "\n".join(missing))

    # Back to the choice, then Cancel: the dialog goes, nothing was applied.
    s.activate(s.find(dialog, role="push button", name="Back"))
    find_radio(s, dialog, "test", timeout=10)
    ok(True, "Back returns to the choice of VM")
    s.activate(s.find(dialog, role="push button", name="Cancel"))
    ok(dialog_closed(s, app, dialog), "Cancel closes the dialog")
    ok(proc.poll() is None, "the app keeps running after the dialog closes")



def detach_steps(s, proc):
    app = s.find_app("passthrough", timeout=60, pid=proc.pid)
    dialog = open_dialog(s, app)
    if not ok(dialog is not None, "detach: the VM dialog opens on a second test host"):
        return
    choose(s, find_radio(s, dialog, "Existing virtual machine"))
    row = s.find(dialog, role="list item", name="gaming", timeout=20)
    ok("has the GPU already" in s.all_text(row), "a domain with the GPU says so", s.all_text(row))
    remove = s.find(dialog, role="push button", name="Remove GPU from gaming")
    ok(not any(s.name_of(n) == "Remove GPU from office" and s.is_showing(n) for n in s.walk(dialog)),
       "only the domain with the GPU offers Remove GPU")
    # The GPU is in "gaming": adding it to "office" is refused before anything is written.
    choose(s, find_radio(s, dialog, "office"))
    review = s.find(dialog, role="push button", name="Review")
    wait_enabled(review)
    s.activate(review)
    found, text = wait_for_text(s, dialog, lambda t: "The GPU Belongs to Another VM" in t, timeout=30)
    ok(found and "gaming" in text[text.find("The GPU Belongs"):],
       "adding the GPU to \"office\" is refused: it belongs to \"gaming\"", text[-1500:])
    s.activate(s.find(dialog, role="push button", name="Back"))
    remove = s.find(dialog, role="push button", name="Remove GPU from gaming", timeout=10)

    s.activate(remove)
    removed = re.compile(r"""^-\s*<hostdev mode=["']subsystem["'] type=["']pci["'] managed=["']yes["']>""", re.M)
    found, text = wait_for_text(s, dialog, lambda t: removed.search(t) is not None, timeout=30)
    ok(found, "Remove GPU previews the hostdev's removal as - lines", text[-2500:])
    ok("Remove the PCI host device 0000:01:00.0" in text and "Remove the PCI host device 0000:01:00.1" in text,
       "the summary lists both functions to remove")
    ok(is_enabled(s.find(dialog, role="push button", name="Remove")), "Remove is offered (and not pressed)")
    s.activate(s.find(dialog, role="push button", name="Back"))
    find_radio(s, dialog, "gaming", timeout=10)
    ok(True, "detach: Back returns to the choice of VM")
    press_key(0xff1b)  # Escape
    ok(dialog_closed(s, app, dialog), "Escape closes the dialog")



def windows_text(s, app):
    """The text of each of the app's windows, read afresh."""
    s.refresh(app)
    windows = (app.get_child_at_index(i) for i in range(app.get_child_count()))
    return [s.all_text(w) for w in windows if w is not None]


def no_module_steps(s, proc):
    app = s.find_app("passthrough", timeout=60, pid=proc.pid)
    frame = s.find(app, role="frame", timeout=60)
    s.activate(s.find(frame, role="push button", name="Add to a VM…", timeout=60, actionable=True))
    text = s.wait_for(lambda: next((t for t in windows_text(s, app) if "Cannot Open" in t), ""),
                      timeout=30, interval=0.3)
    ok("The VM Dialog Cannot Open" in text and "passthrough-vm.so, is not installed" in text
       and "Reinstall Passthrough" in text,
       "no module: \"Add to a VM…\" shows a message naming passthrough-vm.so and the fix",
       text or " ".join(windows_text(s, app))[-1500:])
    press_key(0xff0d)  # Return: the message's Close
    ok(s.wait_for(lambda: not any("Cannot Open" in t for t in windows_text(s, app)), timeout=15, interval=0.3),
       "no module: Return closes the message")


def apply_steps(s, proc, args_file):
    app = s.find_app("passthrough", timeout=60, pid=proc.pid)
    dialog = open_dialog(s, app)
    if not ok(dialog is not None, "apply: the VM dialog opens"):
        return
    choose(s, find_radio(s, dialog, "Existing virtual machine"))
    choose(s, find_radio(s, dialog, "test", timeout=20))
    review = s.find(dialog, role="push button", name="Review")
    wait_enabled(review)
    s.activate(review)
    apply_button = s.find(dialog, role="push button", name="Apply", timeout=30)
    s.activate(apply_button)
    found, text = wait_for_text(s, dialog, lambda t: "GPU Added to" in t, timeout=30)
    ok(found and "shut it down and start it again" in text,
       "Apply on the test driver ends on \"GPU Added to “test”\", for its next start", text[-1500:])
    s.activate(s.find(dialog, role="push button", name="Open in Virtual Machine Manager"))
    deadline = time.monotonic() + 10
    while not os.path.exists(args_file) and time.monotonic() < deadline:
        time.sleep(0.2)
    args = open(args_file).read().split("\n")[:-1] if os.path.exists(args_file) else []
    ok(args == ["--connect", "test:///default", "--show-domain-console", "test"],
       "Open in Virtual Machine Manager runs virt-manager --connect URI --show-domain-console test",
       repr(args))
    ok(dialog_closed(s, app, dialog), "and the dialog closes")


if __name__ == "__main__":
    sys.exit(main())
