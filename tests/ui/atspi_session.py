"""A private desktop session for UI tests: Xvfb, a session bus, the AT-SPI
bus, and helpers to find and drive widgets through AT-SPI as a screen
reader or a person using the keyboard would.

Used by tests/test-ui.py and build-aux/screenshots. Needs Debian's python3
(python3-gi, gir1.2-atspi-2.0), xvfb and at-spi2-core.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402


class SessionError(Exception):
    pass


def _free_display():
    for n in range(90, 200):
        if not os.path.exists("/tmp/.X11-unix/X%d" % n) and not os.path.exists("/tmp/.X%d-lock" % n):
            return n
    raise SessionError("no free X display number between :90 and :199")


class Session:
    """Starts Xvfb, a dbus-daemon session bus and the accessibility bus, and
    sets the environment so that this process's Atspi talks to them."""

    def __init__(self, width=1280, height=900):
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix="pt-ui-")
        self.display = ":%d" % _free_display()
        self.width = width
        self.height = height

    def __enter__(self):
        for prog in ("Xvfb", "dbus-daemon"):
            if shutil.which(prog) is None:
                raise SessionError("%s is not installed" % prog)
        self._spawn(["Xvfb", self.display, "-screen", "0", "%dx%dx24" % (self.width, self.height),
                     "-nolisten", "tcp", "-noreset"])
        deadline = time.monotonic() + 20
        sock = "/tmp/.X11-unix/X" + self.display[1:]
        while not os.path.exists(sock):
            if time.monotonic() > deadline:
                raise SessionError("Xvfb did not start on " + self.display)
            time.sleep(0.05)
        os.environ["DISPLAY"] = self.display
        os.environ.pop("WAYLAND_DISPLAY", None)
        os.environ["XDG_RUNTIME_DIR"] = self.tmp
        os.chmod(self.tmp, 0o700)
        out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                             check=True, capture_output=True, text=True).stdout.split()
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = out[0]
        self.dbus_pid = int(out[1])
        launcher = "/usr/libexec/at-spi-bus-launcher"
        if not os.path.exists(launcher):
            raise SessionError("at-spi2-core (at-spi-bus-launcher) is not installed")
        self._spawn([launcher, "--launch-immediately"])
        os.environ["NO_AT_BRIDGE"] = "0"
        os.environ["GTK_A11Y"] = "atspi"
        # Wait for the accessibility bus to be registered on the session bus.
        deadline = time.monotonic() + 20
        while True:
            r = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus",
                                "/org/a11y/bus", "org.a11y.Bus.GetAddress"],
                               capture_output=True, text=True)
            if r.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise SessionError("the AT-SPI bus did not start: " + r.stderr.strip())
            time.sleep(0.1)
        Atspi.init()
        return self

    def _spawn(self, argv, **kw):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def __exit__(self, *exc):
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        try:
            os.kill(self.dbus_pid, signal.SIGKILL)
        except (AttributeError, ProcessLookupError):
            pass
        # The accessibility bus's dbus-daemon leaves the launcher's process
        # group: find it by its socket under our directory.
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            if self.tmp.encode() in cmdline:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def role_name(node):
    try:
        return node.get_role_name()
    except Exception:
        return "?"


def name_of(node):
    try:
        return node.get_name() or ""
    except Exception:
        return ""


def walk(node, depth=0, max_depth=60):
    """Depth-first over the accessible tree below node (node included)."""
    if node is None or depth > max_depth:
        return
    yield node
    try:
        n = node.get_child_count()
    except Exception:
        return
    for i in range(n):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, max_depth)


def is_showing(node):
    try:
        # GTK 4.8 sets VISIBLE from gtk_widget_is_visible() (which includes
        # the ancestors) and never SHOWING.
        return node.get_state_set().contains(Atspi.StateType.VISIBLE)
    except Exception:
        return False


def find_app(name, timeout=30, pid=None):
    """The application NAME on the accessibility bus; with pid, only that
    process's (an app that is still shutting down keeps its entry for a
    moment, and the next one has the same name)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desktop = Atspi.get_desktop(0)
        refresh(desktop)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            if app is None or name_of(app) != name:
                continue
            try:
                if pid is not None and app.get_process_id() != pid:
                    continue
            except Exception:
                continue
            return app
        time.sleep(0.2)
    raise SessionError("application %r did not appear on the accessibility bus" % name)


def wait_for(predicate, timeout=15, interval=0.1):
    """Polls predicate() until it is true or timeout seconds pass; returns
    its last value. For state that the app changes a moment after an
    action (a check box's CHECKED, a dialog going away): a fixed sleep
    fails on a loaded machine."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def has_state(node, state):
    try:
        return node.get_state_set().contains(state)
    except Exception:
        return False


def wait_gone(node, timeout=30):
    """True once node is no longer visible (hidden, destroyed or defunct):
    asks the node itself, never its parent's child list (GTK 4.8 answers
    GetChildAtIndex for a window destroyed meanwhile with a critical)."""
    return wait_for(lambda: not is_showing(node) or has_state(node, Atspi.StateType.DEFUNCT),
                    timeout=timeout, interval=0.2)


def refresh(node):
    """Drops libatspi's cached children and states of node and below. GTK
    4.8 has no AT-SPI Cache object, and a children-changed event that came
    before this client listened is lost: a window opened in that moment
    (a dialog the app opens by itself) would stay invisible to the
    client's cached child list."""
    try:
        node.clear_cache()
    except Exception:
        pass


def has_action(node):
    try:
        return node.get_action_iface() is not None and Atspi.Action.get_n_actions(node) > 0
    except Exception:
        return False


def find(root, role=None, name=None, contains=None, showing=True, timeout=15, actionable=False):
    """The first node below root matching role (AT-SPI role name, like
    "push button") and name (exact) or contains (substring of the name);
    with actionable, only nodes that offer an action (GTK 4.8 marks widgets
    of a hidden stack page visible too: the page that is not shown may
    hold a node of the same name)."""
    deadline = time.monotonic() + timeout
    while True:
        refresh(root)
        for node in walk(root):
            if role is not None and role_name(node) != role:
                continue
            n = name_of(node)
            if name is not None and n != name:
                continue
            if contains is not None and contains not in n:
                continue
            if showing and not is_showing(node):
                continue
            if actionable and not has_action(node):
                continue
            return node
        if time.monotonic() > deadline:
            raise SessionError("no %s named %r%s is showing" % (role or "node", name or contains,
                                                                 " (substring)" if contains else ""))
        time.sleep(0.2)


def text_of(node):
    try:
        t = node.get_text_iface()
    except Exception:
        t = None
    if t is None:
        return name_of(node)
    return Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node))


def all_text(root):
    """Every name and text content below root, joined by newlines."""
    parts = []
    for node in walk(root):
        if not is_showing(node):
            continue
        parts.append(name_of(node))
        try:
            if node.get_text_iface() is not None:
                parts.append(text_of(node))
        except Exception:
            pass
    return "\n".join(p for p in parts if p)


def activate(node):
    """Runs the node's first action (click, press, toggle, activate)."""
    action = node.get_action_iface()
    if action is None or Atspi.Action.get_n_actions(node) == 0:
        raise SessionError("%s %r has no action" % (role_name(node), name_of(node)))
    if not Atspi.Action.do_action(node, 0):
        raise SessionError("the action of %s %r failed" % (role_name(node), name_of(node)))


def click(node):
    """Clicks the middle of the node with the first mouse button, for what
    has no AT-SPI action (GTK 4.8 gives list box rows none). GTK reports
    positions in its window, and the session has no window manager, so
    the window's origin is the screen's."""
    def extents():
        e = Atspi.Component.get_extents(node, Atspi.CoordType.WINDOW)
        return (e.x, e.y, e.width, e.height)

    # Where it stays put: a pane may still be sliding or growing.
    last = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = extents()
        if now == last:
            break
        last = now
        time.sleep(0.25)
    x, y, width, height = last
    if width <= 0 or height <= 0:
        raise SessionError("%s %r has no size on screen" % (role_name(node), name_of(node)))
    Atspi.generate_mouse_event(x + width // 2, y + height // 2, "b1c")


def clipboard_text(timeout=10):
    """The text on the session's clipboard, read as another X client would
    (GDK 4 from gir1.2-gtk-4.0), or None if none arrives in time: the app
    that copied it must answer while this waits."""
    gi.require_version("Gdk", "4.0")
    from gi.repository import Gdk, GLib

    display = Gdk.Display.open(os.environ["DISPLAY"])
    if display is None:
        raise SessionError("cannot open the session's display %r" % os.environ.get("DISPLAY"))
    loop = GLib.MainLoop()
    result = {}

    def done(clipboard, res):
        try:
            result["text"] = clipboard.read_text_finish(res)
        except GLib.Error as e:
            result["error"] = e.message
        loop.quit()

    display.get_clipboard().read_text_async(None, done)
    source = GLib.timeout_add(int(timeout * 1000), loop.quit)
    loop.run()
    if "text" in result or "error" in result:
        GLib.source_remove(source)
    display.close()
    return result.get("text")


def dump(root, file=None):
    for node in walk(root):
        depth = 0
        p = node
        while True:
            try:
                p = p.get_parent()
            except Exception:
                break
            if p is None or p == root:
                break
            depth += 1
            if depth > 60:
                break
        print("%s%s %r%s" % ("  " * depth, role_name(node), name_of(node),
                             "" if is_showing(node) else " (hidden)"), file=file)
