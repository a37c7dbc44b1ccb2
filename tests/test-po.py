#!/usr/bin/env python3
# test-po.py: keeps the gettext catalogue honest.
#
#  - every po/LINGUAS language has a .po that msgfmt -c accepts;
#  - po/POTFILES.in lists every source file with translatable strings (and
#    every .policy.in/.desktop.in/.metainfo.xml.in under data/), and only
#    files that exist;
#  - each catalogue translates every message the sources have now: xgettext
#    with the keywords of meson's "glib" preset, msgmerge, then no
#    untranslated and no fuzzy messages (each one is named);
#  - the built .mo is where bindtextdomain (PASSTHROUGH_LOCALEDIR) looks, and
#    passthroughctl really speaks German with LANGUAGE=de, English without.
#
# Usage: test-po.py --source-root DIR --build-root DIR
# (PASSTHROUGHCTL names the built passthroughctl.)  Prints TAP; exits
# non-zero on any failure.

import argparse
import gettext
import os
import re
import shutil
import subprocess
import sys
import tempfile

from taplib import print_results

DOMAIN = "passthrough"

# meson's i18n.gettext(preset: 'glib') passes these to xgettext (plus -k_).
XGETTEXT_ARGS = [
    "--from-code=UTF-8",
    "--add-comments",
    "-k_",
    "--keyword=_",
    "--keyword=N_",
    "--keyword=C_:1c,2",
    "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2",
    "--keyword=g_dngettext:2,3",
    "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format",
    "--flag=C_:2:pass-c-format",
    "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format",
    "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format",
    "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format",
    "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format",
    "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format",
    "--flag=g_printerr:1:c-format",
    "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format",
    "--flag=g_sprintf:2:c-format",
    "--flag=g_snprintf:3:c-format",
]

# A call that marks a string for translation (glib/gi18n.h and libintl.h).
C_MARKER = re.compile(r"(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_|ngettext|dngettext|dgettext|"
                      r"g_dgettext|g_dngettext|g_dcgettext|g_dpgettext2?)\s*\(")
MERGED_SUFFIXES = (".policy.in", ".desktop.in", ".metainfo.xml.in", ".appdata.xml.in")
UI_MARKER = re.compile(r"translatable\s*=\s*[\"'](?:yes|true|1)[\"']")

results = []
LOCALEDIR = None  # <builddir>/po, where i18n.gettext() puts LANG/LC_MESSAGES/DOMAIN.mo


def report(ok, name, diag=None, skip=None):
    results.append((ok, name, diag, skip))


def run(cmd, env=None, input=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, input=input)
    except OSError as e:
        # Reported by the check that ran it, as a failure, not a traceback.
        return subprocess.CompletedProcess(cmd, 127, "", "cannot run %s: %s\n" % (cmd[0], e))


def read_list(path):
    """Lines of a POTFILES/LINGUAS-style file, without comments and blanks."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                out.append(line)
    return out


def strip_c_comments(text):
    """C source without its comments, and string and character literals
    emptied: a marker inside a literal is not a call."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif c == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def has_translatable_strings(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return False
    if path.endswith((".c", ".h")):
        return C_MARKER.search(strip_c_comments(text)) is not None
    if path.endswith(".ui"):
        return UI_MARKER.search(text) is not None
    # Inputs of i18n.merge_file(): translated through POTFILES.in as a whole.
    return path.endswith(MERGED_SUFFIXES)


def po_entries(text):
    """(references, msgctxt, msgid, is_fuzzy) of each message in a .po text."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        refs, ctxt, msgid, fuzzy, field = [], None, None, False, None
        for line in block.splitlines():
            if line.startswith("#:"):
                refs.extend(line[2:].split())
            elif line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith("#~"):
                field = None
                break
            elif line.startswith("msgctxt "):
                field, ctxt = "ctxt", unquote(line[8:])
            elif line.startswith("msgid "):
                field, msgid = "id", unquote(line[6:])
            elif line.startswith("msg"):
                field = None
            elif line.startswith('"'):
                if field == "id":
                    msgid += unquote(line)
                elif field == "ctxt":
                    ctxt += unquote(line)
        if msgid:
            entries.append((refs, ctxt, msgid, fuzzy))
    return entries


def unquote(s):
    s = s.strip()[1:-1]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), s)


def describe(refs, ctxt, msgid):
    where = refs[0] if refs else "?"
    text = msgid if len(msgid) <= 100 else msgid[:100] + "…"
    text = text.replace("\n", "\\n")
    return "%s: %s“%s”" % (where, "[%s] " % ctxt if ctxt else "", text)


# ---- checks ---------------------------------------------------------------

def check_linguas(podir, languages):
    if not languages:
        report(False, "po/LINGUAS lists at least one language")
        return
    missing = [l for l in languages if not os.path.exists(os.path.join(podir, l + ".po"))]
    stray = sorted(f[:-3] for f in os.listdir(podir)
                   if f.endswith(".po") and f[:-3] not in languages)
    diag = ["LINGUAS lists %s but there is no po/%s.po" % (l, l) for l in missing]
    diag += ["po/%s.po exists but LINGUAS does not list %s" % (l, l) for l in stray]
    report(not diag, "po/LINGUAS (%s) matches the .po files" % " ".join(languages), diag)


def check_msgfmt(podir, lang):
    po = os.path.join(podir, lang + ".po")
    r = run(["msgfmt", "-c", "--check-format", "--statistics", "-o", "/dev/null", po])
    # --statistics goes to stderr too; anything else there is a complaint.
    lines = [l for l in r.stderr.splitlines()
             if not re.match(r"^\d+ translated message", l)]
    report(r.returncode == 0 and not lines,
           "msgfmt -c --check-format accepts po/%s.po" % lang, lines)


def check_potfiles_complete(source_root, listed):
    unlisted = []
    for top in ("src", "data"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(source_root, top)):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, source_root)
                if rel not in listed and has_translatable_strings(path):
                    unlisted.append(rel)
    report(not unlisted, "po/POTFILES.in lists every source file with translatable strings",
           ["%s marks strings for translation but is not in po/POTFILES.in" % f
            for f in unlisted])


def check_potfiles_exist(source_root, listed):
    gone = [f for f in listed if not os.path.isfile(os.path.join(source_root, f))]
    report(not gone, "every file in po/POTFILES.in exists",
           ["po/POTFILES.in lists %s, which does not exist" % f for f in gone])


def make_pot(source_root, listed, tmp):
    """The template of the sources, as `ninja passthrough-pot` makes it."""
    pot = os.path.join(tmp, DOMAIN + ".pot")
    potfiles = os.path.join(tmp, "POTFILES")
    # Missing files are reported above; leave them out here.
    with open(potfiles, "w", encoding="utf-8") as f:
        f.writelines(p + "\n" for p in listed
                     if os.path.isfile(os.path.join(source_root, p)))
    # The ITS rules for .policy files live in data/its (po/meson.build's
    # data_dirs), so extraction does not depend on polkit being installed.
    env = dict(os.environ)
    env["GETTEXTDATADIRS"] = os.path.join(source_root, "data")
    r = run(["xgettext", "--package-name=" + DOMAIN, "-D", source_root,
             "-f", potfiles, "-o", pot] + XGETTEXT_ARGS, env=env)
    if r.returncode != 0:
        return None, r.stderr.strip().splitlines()
    return pot, [l for l in r.stderr.splitlines() if l.strip()]


def check_complete(podir, lang, pot, pot_error, tmp):
    name = "po/%s.po translates every message in the sources (xgettext + msgmerge)" % lang
    if pot is None:
        report(False, name, ["xgettext failed:"] + pot_error)
        return
    merged = os.path.join(tmp, lang + ".po")
    r = run(["msgmerge", "--quiet", "-o", merged, os.path.join(podir, lang + ".po"), pot])
    if r.returncode != 0:
        report(False, name, ["msgmerge failed:"] + r.stderr.splitlines())
        return
    diag = []
    untranslated = run(["msgattrib", "--untranslated", "--no-obsolete", merged]).stdout
    fuzzy = run(["msgattrib", "--only-fuzzy", "--no-obsolete", merged]).stdout
    for refs, ctxt, msgid, _ in po_entries(untranslated):
        diag.append("untranslated: " + describe(refs, ctxt, msgid))
    for refs, ctxt, msgid, _ in po_entries(fuzzy):
        diag.append("fuzzy: " + describe(refs, ctxt, msgid))
    # Format flags come from the sources now, so check the formats again.
    r = run(["msgfmt", "-c", "--check-format", "-o", "/dev/null", merged])
    if r.returncode != 0:
        diag += ["after msgmerge: " + l for l in r.stderr.splitlines()]
    if diag:
        diag.append("run “ninja -C <builddir> passthrough-update-po” and translate these "
                    "in po/%s.po" % lang)
    report(not diag, name, diag)


def check_mo(build_root, lang):
    mo = os.path.join(build_root, "po", lang, "LC_MESSAGES", DOMAIN + ".mo")
    report(os.path.isfile(mo),
           "the build tree has po/%s/LC_MESSAGES/%s.mo" % (lang, DOMAIN),
           None if os.path.isfile(mo) else ["%s is missing" % mo])
    return mo if os.path.isfile(mo) else None


# ---- passthroughctl speaks the catalogue's language ------------------------

FORMAT = re.compile(r"%(?:\d+\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp%]")


def catalogue(mo):
    with open(mo, "rb") as f:
        return gettext.GNUTranslations(f)._catalog


def find_message(cat, line):
    """The msgid (with %-formats) that produced @line, and its arguments."""
    best = None
    for msgid in cat:
        if not isinstance(msgid, str) or not msgid or "\x04" in msgid:
            continue
        text = msgid.rstrip("\n")
        parts = FORMAT.split(text)
        literal = sum(len(p) for p in parts)
        if literal < 10 or (best and literal <= best[2]):
            continue
        convs = FORMAT.findall(text)
        if any(c == "%%" for c in convs):
            continue
        pattern = "".join(re.escape(p) + ("(.*?)" if i < len(convs) else "")
                          for i, p in enumerate(parts))
        m = re.fullmatch(pattern, line, re.S)
        if m:
            best = (msgid, m.groups(), literal)
    return best


def ctl_env(lang):
    env = dict(os.environ)
    env["PASSTHROUGH_LOCALEDIR"] = LOCALEDIR
    for var in ("LANGUAGE", "LANG", "LC_MESSAGES"):
        env.pop(var, None)
    env["LC_ALL"] = "C.UTF-8"
    if lang:
        env["LANGUAGE"] = lang
    return env


def check_cli_error(ctl, cat, lang, args, about, name):
    """passthroughctl @args fails with a message about @about; with
    LANGUAGE=@lang it prints the catalogue's translation of that message."""
    english = run([ctl] + args, env=ctl_env(None))
    local = run([ctl] + args, env=ctl_env(lang))
    diag = []
    lines = [l for l in english.stderr.splitlines() if l.strip()]
    if english.returncode == 0 or about not in english.stderr:
        report(False, name, ["passthroughctl %s: exit %d, no message about %s on stderr: %s"
                             % (" ".join(args), english.returncode, about,
                                english.stderr.strip())])
        return
    for line in lines:
        found = find_message(cat, line)
        if found is None:
            diag.append("no message in the catalogue produces “%s”" % line)
            continue
        msgid, values, _ = found
        msgstr = cat[msgid].rstrip("\n")
        try:
            expected = msgstr % tuple(values) if values else msgstr
        except (TypeError, ValueError) as e:
            diag.append("cannot fill in “%s”: %s" % (msgstr, e))
            continue
        if expected == line:
            diag.append("“%s” is the same in %s and English" % (line, lang))
        if expected not in local.stderr:
            diag.append("expected “%s” on stderr with LANGUAGE=%s" % (expected, lang))
            diag.append("got: " + local.stderr.strip())
    if local.returncode != english.returncode:
        diag.append("exit status %d with LANGUAGE=%s but %d without"
                    % (local.returncode, lang, english.returncode))
    report(not diag, name, diag)


def check_cli_english(ctl, cat, args, name):
    r = run([ctl] + args, env=ctl_env(None))
    diag = []
    translations = {v.rstrip("\n") for k, v in cat.items()
                    if isinstance(k, str) and k and v != k}
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    if not lines:
        diag.append("nothing on stderr")
    for line in lines:
        if find_message(cat, line) is None:
            diag.append("“%s” is not an English message of the catalogue" % line)
        if line in translations:
            diag.append("“%s” is translated although LANGUAGE is not set" % line)
    report(not diag, name, diag)


def check_cli_help(ctl, cat, lang, name):
    english = run([ctl, "--help"], env=ctl_env(None))
    local = run([ctl, "--help"], env=ctl_env(lang))
    diag = []
    seen = 0
    for msgid, msgstr in cat.items():
        if (not isinstance(msgid, str) or len(msgid) < 8 or FORMAT.search(msgid)
                or msgid not in english.stdout or msgstr == msgid):
            continue
        seen += 1
        if msgstr not in local.stdout:
            diag.append("“%s” is not translated in --help" % msgid.split("\n")[0])
    if seen == 0:
        diag.append("no catalogue message found in the English --help output")
    report(not diag, name, diag)


# ---- main --------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-root", required=True)
    parser.add_argument("--build-root", required=True)
    opts = parser.parse_args()
    source_root = os.path.abspath(opts.source_root)
    build_root = os.path.abspath(opts.build_root)
    podir = os.path.join(source_root, "po")
    global LOCALEDIR
    LOCALEDIR = os.path.join(build_root, "po")

    languages = [l for line in read_list(os.path.join(podir, "LINGUAS")) for l in line.split()]
    listed = read_list(os.path.join(podir, "POTFILES.in"))
    ctl = os.environ.get("PASSTHROUGHCTL")

    check_linguas(podir, languages)
    languages = [l for l in languages if os.path.exists(os.path.join(podir, l + ".po"))]
    for lang in languages:
        check_msgfmt(podir, lang)
    check_potfiles_complete(source_root, set(listed))
    check_potfiles_exist(source_root, listed)

    with tempfile.TemporaryDirectory(prefix="test-po-") as tmp:
        pot, pot_messages = make_pot(source_root, listed, tmp)
        for lang in languages:
            check_complete(podir, lang, pot, pot_messages, tmp)

    mos = {lang: check_mo(build_root, lang) for lang in languages}

    cli = [
        ("de", ["--root", "/nonexistent", "groups"], "/nonexistent",
         "passthroughctl --root /nonexistent groups: German error with LANGUAGE=de"),
        ("de", ["frobnicate"], "frobnicate",
         "passthroughctl frobnicate: German unknown-command message with LANGUAGE=de"),
        ("de", None, None, "passthroughctl speaks English without LANGUAGE"),
        ("de", "--help", None, "passthroughctl --help is translated with LANGUAGE=de"),
    ]
    for lang, args, about, name in cli:
        if ctl is None:
            report(True, name, skip="PASSTHROUGHCTL does not name the built passthroughctl")
        elif not os.access(ctl, os.X_OK):
            report(False, name, ["PASSTHROUGHCTL=%s is not an executable file" % ctl])
        elif lang not in languages:
            report(True, name, skip="po/LINGUAS does not list %s" % lang)
        elif not mos.get(lang):
            report(False, name, ["no %s.mo in the build tree" % lang])
        elif args is None:
            check_cli_english(ctl, catalogue(mos[lang]), ["frobnicate"], name)
        elif args == "--help":
            check_cli_help(ctl, catalogue(mos[lang]), lang, name)
        else:
            check_cli_error(ctl, catalogue(mos[lang]), lang, args, about, name)

    return print_results(results, diag_when_ok=True)


if __name__ == "__main__":
    if shutil.which("msgfmt") is None or shutil.which("xgettext") is None:
        print("1..0 # SKIP gettext tools (msgfmt, xgettext, msgmerge) are not installed")
        sys.exit(0)
    sys.exit(main())
