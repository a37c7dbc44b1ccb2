#!/usr/bin/env python3
# test-app-data.py: the app's data, help and packaging, checked by the tools
# that will read them:
#
#  - the desktop entry (merged into the build tree): desktop-file-validate
#    has nothing to say, it starts our binary with our icon, and its
#    Name/GenericName/Comment/Keywords reach the catalogue;
#  - the AppStream metadata: appstreamcli validate --no-net --strict, and
#    --pedantic with nothing but the upper-case letters our app id has; the
#    launchable, the release, the translation domain; every screenshot it
#    names is a file in data/screenshots/;
#  - the GSettings schemas: glib-compile-schemas --strict --dry-run;
#  - the icons: well-formed SVG (xmllint) of the right size, rendered by
#    rsvg-convert; the symbolic one in one colour;
#  - the help: yelp-check validate on every page, no broken links and no
#    orphans, every page the app links (help:passthrough/ID, app.help::ID,
#    an app.help action-target) exists, the firmware page agrees with the
#    firmware data in src/core/pt-firmware.c, and the passthroughctl page
#    names every command and option of "passthroughctl --help";
#  - the Flatpak manifest: JSON with our app id and command, the two system
#    bus names and nothing broader, the app built from this tree with
#    -Dtests=false, tagged sources, and flatpak-builder --show-manifest.
#
# Usage: test-app-data.py --source-root DIR --build-root DIR
# (PASSTHROUGHCTL names the built passthroughctl.)  Prints TAP; a check is
# skipped only when the program it runs is not installed.

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from taplib import print_results

APP_ID = "io.github.passthrough.Passthrough"
DOMAIN = "passthrough"
RAW_SCREENSHOTS = "https://raw.githubusercontent.com/passthrough/passthrough/main/data/screenshots/"
MALLARD = "{http://projectmallard.org/1.0/}"
SVG = "{http://www.w3.org/2000/svg}"
# Pages the app may link with app.help (DESIGN.md, issue 5).
HELP_IDS = ["index", "getting-started", "firmware-settings", "choosing-a-gpu", "apply-and-undo",
            "trial-boot", "vms", "troubleshooting", "black-screen", "code-43", "amd-reset-bug",
            "secure-boot", "group-not-viable", "passthroughctl", "shortcuts"]
# Issues of appstreamcli --pedantic we accept: the app id is ours.
PEDANTIC_OK = {"cid-contains-uppercase-letter"}

results = []


def report(ok, name, diag=None, skip=None):
    if isinstance(diag, (list, tuple)):
        diag = "\n".join(str(d) for d in diag)
    results.append((ok, name, diag, skip))


def run(cmd, **kwargs):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    except OSError as e:
        return subprocess.CompletedProcess(cmd, 127, "", "cannot run %s: %s\n" % (cmd[0], e))


def missing(program, name):
    """Reports @name as skipped when @program is not installed."""
    if shutil.which(program) is None:
        report(True, name, skip="%s is not installed" % program)
        return True
    return False


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- desktop entry -------------------------------------------------------------

def desktop_values(path):
    values, group = {}, None
    for line in read_text(path).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            group = line
            continue
        key, _, value = line.partition("=")
        if group == "[Desktop Entry]":
            values[key.strip()] = value.strip()
    return values


def xgettext_msgids(path, src, extra_args=()):
    """The msgids xgettext extracts from @path (without the header), or None
    and the error."""
    r = run(["xgettext", "--from-code=UTF-8", "-o", "-"] + list(extra_args) + [path],
            env=dict(os.environ, GETTEXTDATADIRS=os.path.join(src, "data")))
    if r.returncode != 0:
        return None, r.stderr
    ids, cur = [], None
    for line in r.stdout.splitlines():
        if line.startswith("msgid "):
            cur = [line[6:].strip()[1:-1]]
        elif line.startswith('"') and cur is not None:
            cur.append(line.strip()[1:-1])
        else:
            if cur is not None and "".join(cur):
                ids.append("".join(cur))
            cur = None
    if cur is not None and "".join(cur):
        ids.append("".join(cur))
    return ids, r.stderr


def check_desktop(src, build):
    path = os.path.join(build, "data", APP_ID + ".desktop")
    if not os.path.exists(path):
        report(False, "desktop entry: built", "%s is missing" % path)
        return
    if not missing("desktop-file-validate", "desktop entry: desktop-file-validate"):
        r = run(["desktop-file-validate", path])
        report(r.returncode == 0 and not (r.stdout + r.stderr).strip(),
               "desktop entry: desktop-file-validate", r.stdout + r.stderr)
    v = desktop_values(path)
    report(v.get("Exec", "").split()[:1] == ["passthrough"] and v.get("Icon") == APP_ID
           and v.get("Type") == "Application" and v.get("Terminal") == "false"
           and v.get("StartupNotify") == "true",
           "desktop entry: starts passthrough with our icon",
           "Exec=%s Icon=%s" % (v.get("Exec"), v.get("Icon")))
    report(v.get("DBusActivatable", "false") == "false",
           "desktop entry: not D-Bus activatable (the app installs no session service file)")

    if missing("xgettext", "desktop entry: Name, GenericName, Comment and Keywords are translatable"):
        return
    template = os.path.join(src, "data", APP_ID + ".desktop.in")
    ids, err = xgettext_msgids(template, src)
    tv = desktop_values(template)
    want = [tv[k] for k in ("Name", "GenericName", "Comment", "Keywords") if k in tv]
    report(ids is not None and all(w in ids for w in want) and len(want) == 4,
           "desktop entry: Name, GenericName, Comment and Keywords are translatable",
           "xgettext found %s; wanted %s; %s" % (ids, want, err))


# ---- AppStream -------------------------------------------------------------------

def check_metainfo(src, build):
    path = os.path.join(build, "data", APP_ID + ".metainfo.xml")
    if not os.path.exists(path):
        report(False, "metainfo: built", "%s is missing" % path)
        return
    if not missing("appstreamcli", "metainfo: appstreamcli validate --no-net --strict"):
        r = run(["appstreamcli", "validate", "--no-net", "--strict", path])
        report(r.returncode == 0, "metainfo: appstreamcli validate --no-net --strict",
               r.stdout + r.stderr)
        r = run(["appstreamcli", "validate", "--no-net", "--pedantic", "--format=yaml", path])
        tags = re.findall(r"^- tag: (\S+)", r.stdout, re.M)
        extra = [t for t in tags if t not in PEDANTIC_OK]
        report(r.returncode == 0 and not extra,
               "metainfo: appstreamcli --pedantic finds nothing but our app id's capitals",
               r.stdout + r.stderr)

    root = ET.parse(path).getroot()
    report(root.tag == "component" and root.get("type") == "desktop-application"
           and root.findtext("id") == APP_ID, "metainfo: a desktop-application with our id")
    launch = root.find("launchable")
    report(launch is not None and launch.get("type") == "desktop-id"
           and launch.text == APP_ID + ".desktop", "metainfo: launches our desktop entry")
    report(root.findtext("project_license") == "GPL-3.0-or-later"
           and root.findtext("metadata_license") == "CC0-1.0", "metainfo: licenses")
    rating = root.find("content_rating")
    report(rating is not None and rating.get("type") == "oars-1.1", "metainfo: OARS 1.1 rating")
    tr = root.find("translation")
    report(tr is not None and tr.get("type") == "gettext" and tr.text == DOMAIN,
           "metainfo: translated with gettext domain %s" % DOMAIN)
    releases = [(r.get("version"), r.get("date")) for r in root.iter("release")]
    report(("0.1.0", "2026-11-26") in releases, "metainfo: release 0.1.0 of 2026-11-26",
           "releases: %s" % releases)
    urls = {u.get("type"): u.text for u in root.findall("url")}
    report(all(urls.get(t) for t in ("homepage", "bugtracker")), "metainfo: homepage and bug tracker",
           "urls: %s" % urls)
    project = read_text(os.path.join(src, "meson.build"))
    version = re.search(r"version:\s*'([^']+)'", project)
    report(version is not None and version.group(1) in [v for v, _ in releases],
           "metainfo: has a release for the project's version",
           "meson.build version %s, releases %s" % (version and version.group(1), releases))

    # Every screenshot is a file of this repository, by its raw URL.
    images = [i.text.strip() for i in root.iter("image")]
    diag = []
    for url in images:
        if not url.startswith(RAW_SCREENSHOTS):
            diag.append("%s is not under %s" % (url, RAW_SCREENSHOTS))
            continue
        name = url[len(RAW_SCREENSHOTS):]
        if not os.path.isfile(os.path.join(src, "data", "screenshots", name)):
            diag.append("data/screenshots/%s does not exist (named by %s)" % (name, url))
    report(images and not diag, "metainfo: every screenshot exists in data/screenshots/",
           diag or ([] if images else ["no screenshots"]))

    if missing("xgettext", "metainfo: name, summary, description and captions are translatable"):
        return
    template = os.path.join(src, "data", APP_ID + ".metainfo.xml.in")
    # xgettext picks the ITS rules by file name: give it the installed name.
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, APP_ID + ".metainfo.xml")
        shutil.copyfile(template, copy)
        ids, err = xgettext_msgids(copy, src)
    troot = ET.parse(template).getroot()
    want = [troot.findtext("name"), troot.findtext("summary")]
    want += [" ".join(c.text.split()) for c in troot.iter("caption")]
    got = [" ".join(i.split()) for i in (ids or [])]
    report(ids is not None and all(w in got for w in want) and len(got) >= len(want) + 3,
           "metainfo: name, summary, description and captions are translatable",
           "xgettext found %s; %s" % (got, err))


# ---- GSettings -------------------------------------------------------------------

def check_schemas(src):
    if missing("glib-compile-schemas", "schemas: glib-compile-schemas --strict --dry-run data/"):
        return
    r = run(["glib-compile-schemas", "--strict", "--dry-run", os.path.join(src, "data")])
    report(r.returncode == 0 and not r.stderr.strip(),
           "schemas: glib-compile-schemas --strict --dry-run data/", r.stdout + r.stderr)


# ---- icons -----------------------------------------------------------------------

def svg_colours(root):
    colours = set()
    for el in root.iter():
        for attr in ("fill", "stroke", "stop-color", "color"):
            if el.get(attr) not in (None, "none"):
                colours.add(el.get(attr).lower())
        for decl in (el.get("style") or "").split(";"):
            key, _, value = decl.partition(":")
            if key.strip() in ("fill", "stroke", "stop-color", "color") and value.strip() != "none":
                colours.add(value.strip().lower())
    return colours


def check_icon(src, rel, size, symbolic):
    path = os.path.join(src, "data", "icons", "hicolor", rel)
    name = "icon %s" % rel
    if not os.path.isfile(path):
        report(False, name + ": exists", "%s is missing" % path)
        return
    if not missing("xmllint", name + ": well-formed (xmllint)"):
        r = run(["xmllint", "--noout", "--nonet", path])
        report(r.returncode == 0 and not r.stderr.strip(), name + ": well-formed (xmllint)",
               r.stderr)
    root = ET.parse(path).getroot()
    report(root.tag == SVG + "svg" and root.get("viewBox") == "0 0 %d %d" % (size, size)
           and root.get("width") == str(size) and root.get("height") == str(size),
           name + ": an SVG of %d×%d with viewBox 0 0 %d %d" % (size, size, size, size),
           "width=%s height=%s viewBox=%s" % (root.get("width"), root.get("height"),
                                              root.get("viewBox")))
    forbidden = [el.tag for el in root.iter() if el.tag in (SVG + "image", SVG + "text",
                                                             SVG + "script", SVG + "foreignObject")]
    report(not forbidden, name + ": shapes only (no text, images or scripts)", forbidden)
    if symbolic:
        colours = svg_colours(root)
        report(colours == {"#2e3436"}, name + ": one colour, #2e3436", "colours: %s" % colours)
        gradients = [el.tag for el in root.iter() if "Gradient" in el.tag]
        report(not gradients, name + ": no gradients", gradients)
    if not missing("rsvg-convert", name + ": rsvg-convert renders it"):
        with tempfile.TemporaryDirectory() as tmp:
            png = os.path.join(tmp, "icon.png")
            r = run(["rsvg-convert", "-w", str(size * 2), "-o", png, path])
            ok = r.returncode == 0 and os.path.getsize(png) > 100 if os.path.exists(png) else False
            report(ok, name + ": rsvg-convert renders it", r.stderr)


# ---- help ------------------------------------------------------------------------

def help_pages(src):
    return sorted(glob.glob(os.path.join(src, "help", "C", "*.page")))


def check_help_pages(src):
    pages = help_pages(src)
    ids = {}
    for page in pages:
        base = os.path.basename(page)
        try:
            root = ET.parse(page).getroot()
        except ET.ParseError as e:
            report(False, "help %s: well-formed" % base, str(e))
            continue
        ids[root.get("id")] = base
        report(root.get("id") == base[:-5], "help %s: page id matches the file name" % base,
               "id=%s" % root.get("id"))
        info = root.find(MALLARD + "info")
        ok = (info is not None and info.find(MALLARD + "desc") is not None
              and info.find(MALLARD + "credit") is not None
              and info.find(MALLARD + "license") is not None
              and info.find(MALLARD + "revision") is not None
              and (root.get("id") == "index" or info.find(MALLARD + "link[@type='guide']") is not None))
        report(ok, "help %s: info has a guide link, credit, license, desc and revision" % base)
        if not missing("yelp-check", "help %s: yelp-check validate" % base):
            r = run(["yelp-check", "validate", page])
            report(r.returncode == 0 and not (r.stdout + r.stderr).strip(),
                   "help %s: yelp-check validate" % base, r.stdout + r.stderr)

    absent = [i for i in HELP_IDS if i not in ids]
    report(not absent, "help: every page the app may link exists", ["no page %s" % i for i in absent])

    meson = read_text(os.path.join(src, "help", "meson.build"))
    listed = set(re.findall(r"'([\w-]+\.page)'", meson))
    on_disk = {os.path.basename(p) for p in pages}
    report(listed == on_disk, "help: help/meson.build installs every page and only those",
           "not installed: %s; listed but missing: %s" % (sorted(on_disk - listed),
                                                          sorted(listed - on_disk)))

    helpdir = os.path.join(src, "help", "C")
    for what in ("links", "orphans"):
        if missing("yelp-check", "help: yelp-check %s" % what):
            continue
        r = run(["yelp-check", what, helpdir])
        report(r.returncode == 0 and not (r.stdout + r.stderr).strip(),
               "help: yelp-check %s" % what, r.stdout + r.stderr)
    return ids


def app_help_links(src):
    """(file, page id) of every help page the app's sources link."""
    found = []
    for path in sorted(glob.glob(os.path.join(src, "src", "app", "**", "*.c"), recursive=True) +
                       glob.glob(os.path.join(src, "src", "app", "**", "*.ui"), recursive=True)):
        text = read_text(path)
        rel = os.path.relpath(path, src)
        for m in re.finditer(r"help:passthrough/([A-Za-z0-9_.-]+)", text):
            found.append((rel, m.group(1)))
        for m in re.finditer(r"app\.help::([A-Za-z0-9_.-]+)", text):
            found.append((rel, m.group(1)))
        # app.help('page') as a detailed action name.
        for m in re.finditer(r"app\.help\(\s*['\"]([A-Za-z0-9_.-]+)['\"]\s*\)", text):
            found.append((rel, m.group(1)))
        if path.endswith(".ui"):
            try:
                root = ET.fromstring(text)
            except ET.ParseError:
                continue
            for obj in root.iter("object"):
                props = {p.get("name"): (p.text or "").strip() for p in obj.findall("property")}
                if props.get("action-name") == "app.help" and "action-target" in props:
                    target = props["action-target"].strip("'\"")
                    if target:
                        found.append((rel, target))
            # Menu items: <attribute name="action">app.help</attribute> with a target.
            for item in root.iter("item"):
                attrs = {a.get("name"): (a.text or "").strip() for a in item.findall("attribute")}
                if attrs.get("action") == "app.help" and attrs.get("target"):
                    found.append((rel, attrs["target"].strip("'\"")))
        else:
            # g_action_group_activate_action (…, "help", g_variant_new_string ("page")) and
            # gtk_widget_activate_action (…, "app.help", "s", "page").
            for m in re.finditer(r"\"(?:app\.)?help\",\s*(?:\"s\",\s*|g_variant_new_string\s*\(\s*)"
                                 r"\"([A-Za-z0-9_.-]+)\"", text):
                found.append((rel, m.group(1)))
    return found


def check_app_links(src, ids):
    links = app_help_links(src)
    bad = ["%s links help:passthrough/%s, which has no page" % (f, i) for f, i in links
           if i not in ids]
    report(not bad, "help: every page the app links exists (%d links)" % len(links), bad)


# The firmware page must say what src/core/pt-firmware.c says.

def c_split_args(s):
    out, depth, cur, i, instr = [], 0, "", 0, False
    while i < len(s):
        c = s[i]
        if instr:
            cur += c
            if c == "\\":
                cur += s[i + 1]
                i += 1
            elif c == '"':
                instr = False
        elif c == '"':
            instr = True
            cur += c
        elif c in "({":
            depth += 1
            cur += c
        elif c in ")}":
            depth -= 1
            cur += c
        elif c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def c_string(arg):
    arg = arg.strip()
    if arg == "NULL":
        return None
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', arg)
    return "".join(parts).replace('\\"', '"') if parts else None


FIRMWARE_DEFAULT_VALUE = {"CPU_VIRT_INTEL": "Enabled", "CPU_VIRT_AMD": "Enabled",
                          "IOMMU_INTEL": "Enabled", "ACS": "Enabled", "ABOVE_4G": "Enabled",
                          "REBAR": "Disabled"}
FIRMWARE_WITH_VALUE = ("IOMMU_AMD", "PRIMARY_DISPLAY", "IGPU", "CSM", "SECURE_BOOT")


def firmware_tables(src):
    """{table name: [(menu path, setting label, value)]} from pt-firmware.c."""
    text = read_text(os.path.join(src, "src", "core", "pt-firmware.c"))
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    tables = {}
    for m in re.finditer(r"static const PtFirmwareStep (\w+)\[\] = \{(.*?)\n\};", text, re.S):
        steps = []
        for item in c_split_args(m.group(2)):
            call = re.match(r"([A-Z_0-9]+)\s*\((.*)\)$", item, re.S)
            if call:
                macro, args = call.group(1), [c_string(a) for a in c_split_args(call.group(2))]
                if macro in FIRMWARE_WITH_VALUE:
                    name, path, value = args[0], args[1], args[2]
                else:
                    name, path, value = args[0], args[1], FIRMWARE_DEFAULT_VALUE.get(macro)
            else:
                args = c_split_args(item.strip()[1:-1])
                name, path, value = c_string(args[2]), c_string(args[3]), c_string(args[4])
            steps.append((path, name, value))
        tables[m.group(1)] = steps
    return tables


def check_firmware_page(src):
    tables = firmware_tables(src)
    page = os.path.join(src, "help", "C", "firmware-settings.page")
    root = ET.parse(page).getroot()
    rows = []
    for tr in root.iter(MALLARD + "tr"):
        cells = tr.findall(MALLARD + "td")
        seq = tr.find(".//" + MALLARD + "guiseq")
        if seq is None or len(cells) < 3:
            continue
        guis = [" ".join("".join(g.itertext()).split()) for g in seq.findall(MALLARD + "gui")]
        value = " ".join("".join(cells[-1].itertext()).split())
        rows.append((" > ".join(guis), value))
    diag = []
    n = 0
    for tname, steps in sorted(tables.items()):
        for path, name, value in steps:
            n += 1
            where = "%s > %s" % (path, name)
            if (where, value) not in rows:
                diag.append("%s: “%s” set to “%s” is not in firmware-settings.page"
                            % (tname, where, value))
    report(n > 0 and not diag,
           "help firmware-settings.page: every step of pt-firmware.c's %d tables (%d steps)"
           % (len(tables), n), diag)


def check_passthroughctl_page(src):
    ctl = os.environ.get("PASSTHROUGHCTL")
    name = "help passthroughctl.page: names every command and option of passthroughctl --help"
    if not ctl or not os.path.exists(ctl):
        report(False, name, "PASSTHROUGHCTL is not set to the built passthroughctl")
        return
    r = run([ctl, "--help"], env=dict(os.environ, LANGUAGE="", LC_ALL="C.UTF-8"))
    summary = r.stdout.split("Commands:", 1)[-1].split("Help Options:")[0]
    commands = re.findall(r"^  ([a-z]+)(?: |$)", summary, re.M)
    options = sorted(set(re.findall(r"^\s+(--[a-z-]+)", r.stdout, re.M)) - {"--help", "--version"})
    page = read_text(os.path.join(src, "help", "C", "passthroughctl.page"))
    diag = ["no <cmd>passthroughctl %s…</cmd>" % c for c in commands
            if not re.search(r"<cmd>passthroughctl %s\b" % re.escape(c), page)]
    diag += ["option %s is not described" % o for o in options
             if not re.search(r"<cmd>%s\b" % re.escape(o), page)]
    report(r.returncode == 0 and len(commands) >= 8 and not diag, name,
           diag + (["commands found: %s" % commands] if len(commands) < 8 else []))


KEY_NAMES = {"plus": "+", "minus": "-", "question": "?", "space": "Space", "Return": "Enter",
             "Escape": "Esc", "Delete": "Delete", "Tab": "Tab"}
MODIFIERS = {"Control": "Ctrl", "Primary": "Ctrl", "Shift": "Shift", "Alt": "Alt", "Super": "Super"}


def accel_keys(accel):
    """["Ctrl", "Q"] for "<Control>q"; None for the arrow keys."""
    mods = re.findall(r"<(\w+)>", accel)
    key = re.sub(r"<\w+>", "", accel)
    if key in ("Left", "Right", "Up", "Down"):
        return None
    key = KEY_NAMES.get(key, key.upper() if len(key) == 1 else key)
    return [MODIFIERS.get(m, m) for m in mods] + [key]


def check_shortcuts_page(src):
    accels = []
    app = read_text(os.path.join(src, "src", "app", "pt-application.c"))
    for m in re.finditer(r"_accels\[\]\s*=\s*\{([^}]*)\}", app):
        accels += re.findall(r'"([^"]+)"', m.group(1))
    overlay = os.path.join(src, "src", "app", "pt-shortcuts-window.ui")
    if os.path.exists(overlay):
        for prop in ET.parse(overlay).getroot().iter("property"):
            if prop.get("name") == "accelerator" and prop.text:
                accels += prop.text.split()
    page = read_text(os.path.join(src, "help", "C", "shortcuts.page"))
    page = re.sub(r"\s+", "", page)
    diag = []
    for accel in sorted(set(accels)):
        keys = accel_keys(accel)
        if keys is None:
            if "arrowkeys" not in page:
                diag.append("the arrow keys (%s) are not described" % accel)
            continue
        one = "".join("<key>%s</key>" % k for k in keys)
        want = "<keyseq>%s</keyseq>" % one if len(keys) > 1 else one
        if want not in page:
            diag.append("%s (%s) is not in shortcuts.page" % (accel, want))
    report(len(accels) > 0 and not diag,
           "help shortcuts.page: every accelerator of the app and its shortcuts window "
           "(%d)" % len(set(accels)), diag)


# ---- Flatpak ---------------------------------------------------------------------

def check_flatpak(src):
    path = os.path.join(src, "flatpak", APP_ID + ".json")
    try:
        manifest = json.loads(read_text(path))
    except (OSError, ValueError) as e:
        report(False, "flatpak: the manifest is JSON", str(e))
        return
    report(True, "flatpak: the manifest is JSON")
    report(manifest.get("id") == APP_ID and manifest.get("command") == "passthrough",
           "flatpak: our app id and command", "id=%s command=%s" % (manifest.get("id"),
                                                                 manifest.get("command")))
    runtime_ok = (manifest.get("runtime") == "org.gnome.Platform"
                  and manifest.get("sdk") == "org.gnome.Sdk"
                  and str(manifest.get("runtime-version", "")).isdigit()
                  and int(manifest["runtime-version"]) >= 43)
    report(runtime_ok, "flatpak: GNOME runtime 43 or later (GTK 4.8, libadwaita 1.2)",
           "runtime %s//%s" % (manifest.get("runtime"), manifest.get("runtime-version")))
    args = manifest.get("finish-args", [])
    for arg in ("--system-talk-name=io.github.passthrough.Helper1",
                "--system-talk-name=org.freedesktop.PolicyKit1"):
        report(arg in args, "flatpak: finish-args have %s" % arg)
    broad = [a for a in args if a in ("--socket=system-bus", "--socket=session-bus",
                                      "--filesystem=host", "--filesystem=host-os",
                                      "--filesystem=host-etc", "--device=all")]
    report(not broad, "flatpak: no broader permission than it needs", broad)
    modules = manifest.get("modules", [])
    app = modules[-1] if modules else {}
    report(app.get("name") == "passthrough" and app.get("buildsystem") == "meson"
           and {"type": "dir", "path": ".."} in app.get("sources", [])
           and "-Dtests=false" in app.get("config-opts", []),
           "flatpak: the last module builds this tree with meson -Dtests=false")
    untagged = ["%s: %s" % (m.get("name"), s.get("url")) for m in modules
                for s in m.get("sources", []) if isinstance(s, dict) and s.get("type") == "git"
                and not (s.get("tag") or s.get("commit"))]
    report(not untagged, "flatpak: every git source is a tag or a commit", untagged)
    names = [m.get("name") for m in modules]
    report(all(n in names for n in ("pciutils", "kmod", "polkit", "libvirt", "libvirt-glib")),
           "flatpak: builds what the GNOME runtime lacks", "modules: %s" % names)
    readme = os.path.join(src, "flatpak", "README.md")
    report(os.path.isfile(readme) and "passthroughd" in read_text(readme),
           "flatpak: README.md explains the helper on the host")
    if not missing("flatpak-builder", "flatpak: flatpak-builder --show-manifest reads it"):
        r = run(["flatpak-builder", "--show-manifest", path])
        try:
            shown = json.loads(r.stdout)
        except ValueError:
            shown = {}
        report(r.returncode == 0 and shown.get("id") == APP_ID,
               "flatpak: flatpak-builder --show-manifest reads it", r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    args = ap.parse_args()
    src, build = os.path.abspath(args.source_root), os.path.abspath(args.build_root)

    check_desktop(src, build)
    check_metainfo(src, build)
    check_schemas(src)
    check_icon(src, "scalable/apps/%s.svg" % APP_ID, 128, False)
    check_icon(src, "symbolic/apps/%s-symbolic.svg" % APP_ID, 16, True)
    ids = check_help_pages(src)
    check_app_links(src, ids)
    check_firmware_page(src)
    check_passthroughctl_page(src)
    check_shortcuts_page(src)
    check_flatpak(src)

    return print_results(results)


if __name__ == "__main__":
    sys.exit(main())
