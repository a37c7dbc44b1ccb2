"""What the UI tests share besides the AT-SPI session: TAP output, fixture
host roots and the app's environment. Plain Python (no gi), so a test can
import it before it clears G_DEBUG for its own AT-SPI client."""

import os
import subprocess
import sys

results = []


def ok(cond, what, detail=""):
    """One TAP line; the detail is printed as a diagnostic when it fails."""
    results.append(bool(cond))
    print("%s %d - %s" % ("ok" if cond else "not ok", len(results), what), flush=True)
    if not cond and detail:
        for line in str(detail).splitlines():
            print("#   " + line, flush=True)
    return cond


def stop_app(proc, log, what):
    """Ends the app started with its output in the file log, and checks what
    a person would not see: that it was still running (G_DEBUG=fatal-
    criticals would have ended it) and printed no GLib warning or critical.
    what names the app's run in the TAP lines."""
    alive = proc.poll() is None
    if alive:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    log.seek(0)
    output = log.read()
    ok(alive, "%s was still running at the end (no fatal critical)" % what, output[-3000:])
    bad = [l for l in output.splitlines() if "-WARNING" in l or "-CRITICAL" in l]
    ok(not bad, "%s printed no GLib warning or critical" % what, "\n".join(bad[:20]))


def finish():
    """Prints the TAP plan; the exit status for main()."""
    print("1..%d" % len(results))
    return 0 if all(results) else 1


def host_root(source_root, listing, dest):
    """Builds the fixture host root of tests/fixtures/hosts/LISTING.host."""
    subprocess.run([sys.executable, os.path.join(source_root, "tests", "fixtures", "mkhost.py"),
                    os.path.join(source_root, "tests", "fixtures", "hosts", listing + ".host"), dest],
                   check=True, stdout=subprocess.DEVNULL)
    return dest


def app_env(build_root, **extra):
    """The app's environment: uninstalled schemas and catalogue, settings in
    memory, English, and GLib criticals fatal."""
    env = dict(os.environ)
    env.update({
        "GSETTINGS_BACKEND": "memory",
        "GSETTINGS_SCHEMA_DIR": os.path.join(build_root, "data"),
        "PASSTHROUGH_LOCALEDIR": os.path.join(build_root, "po"),
        "G_DEBUG": "fatal-criticals",
        "LC_ALL": "C.UTF-8",
        "LANGUAGE": "",
    })
    env.update(extra)
    return env
