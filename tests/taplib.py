"""TAP output for the Python tests that collect their results first
(test-app-data, test-daemon-data, test-fixtures, test-po): a list of
(ok, name, diagnostics, skip reason) tuples; diagnostics are a string or a
list of lines."""

import sys


def print_results(results, diag_when_ok=False):
    """Prints the plan and one line per result, with its diagnostics when it
    failed (or always, with diag_when_ok); returns the exit status."""
    print("1..%d" % len(results))
    failed = 0
    for i, (ok, name, diag, skip) in enumerate(results, 1):
        if skip:
            print("ok %d - %s # SKIP %s" % (i, name, skip))
            continue
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
        if not ok or diag_when_ok:
            for line in (diag.splitlines() if isinstance(diag, str) else diag or []):
                print("# " + line)
    sys.stdout.flush()
    return 1 if failed else 0
