"""TAP output for the Python tests that collect their results first
(test-app-data, test-daemon-data, test-fixtures): a list of
(ok, name, diagnostics, skip reason) tuples."""


def print_results(results):
    """Prints the plan and one line per result; the exit status."""
    print("1..%d" % len(results))
    failed = 0
    for i, (ok, name, diag, skip) in enumerate(results, 1):
        if skip:
            print("ok %d - %s # SKIP %s" % (i, name, skip))
            continue
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in (diag or "").splitlines():
                print("# " + line)
    return 1 if failed else 0
