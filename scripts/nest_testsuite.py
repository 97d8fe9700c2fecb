#!/usr/bin/env python3
"""Run NEST 3.10's own test suite against NEST or against spindle.nest.

The nest-simulator wheel ships NEST's pytest suite
(``nest/share/nest/testsuite/pytests``). This script runs chosen
directories of it, one test file per pytest process (a crash or hang costs
one file, never the run), and records every test's outcome:

    # NEST itself: which tests NEST passes on this machine
    scripts/nest_testsuite.py run --python /tmp/venv-nest/bin/python \\
        --out results/DIR/nest.json
    # spindle.nest, through a throwaway package `nest` that re-exports it
    scripts/nest_testsuite.py run --python .venv-py/bin/python \\
        --module spindle.nest --testsuite SUITE --out results/DIR/spindle.json
    # per directory: of the tests NEST passes, how many pass on Spindle,
    # and the largest groups of failures by their error
    scripts/nest_testsuite.py table results/DIR/nest.json results/DIR/spindle.json

With ``--module spindle.nest`` the suite is copied to a temporary folder
and run with a folder on PYTHONPATH holding a package ``nest`` whose
``__init__`` puts ``spindle.nest`` (and its submodules) in its place: NEST
itself is never installed beside Spindle. ``--testsuite`` defaults to the
suite of the wheel that ``--python`` imports as ``nest`` (for NEST), so for
Spindle pass the path printed by the NEST run (also in its JSON).
"""

import argparse
import collections
import concurrent.futures
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

DIRS = ["connect", "neurons", "other", "recording", "regressions", "stimulating", "synapses"]

SHIM = '''\
"""A stand-in for PyNEST: spindle.nest under the name nest (scripts/nest_testsuite.py)."""
import importlib
import sys

_real = importlib.import_module("spindle.nest")
for _name, _mod in list(sys.modules.items()):
    if _name.startswith("spindle.nest."):
        sys.modules["nest." + _name[len("spindle.nest."):]] = _mod
sys.modules["nest"] = _real
'''


def wheel_suite(python):
    code = "import nest, pathlib; print(pathlib.Path(nest.__file__).parent / 'share/nest/testsuite/pytests')"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"error: {python} cannot import nest to find its test suite; pass --testsuite")
    return out.stdout.strip().splitlines()[-1]


def run_file(python, suite, rel, env, timeout):
    """Outcomes of one test file: {nodeid: [outcome, message]}, or a note."""
    with tempfile.TemporaryDirectory() as tmp:
        xml = pathlib.Path(tmp) / "junit.xml"
        cmd = [python, "-m", "pytest", rel, "-q", "-p", "no:cacheprovider",
               f"--junitxml={xml}", "-o", "junit_family=xunit1"]
        try:
            proc = subprocess.run(cmd, cwd=suite, env=env, capture_output=True, text=True,
                                  timeout=timeout)
            note = None if proc.returncode in (0, 1, 5) else f"pytest exited {proc.returncode}"
            tail = (proc.stdout + proc.stderr)[-600:]
        except subprocess.TimeoutExpired:
            return {}, f"timed out after {timeout} s"
        if not xml.exists():
            return {}, f"{note or 'no report'}: {tail.strip()[-300:]}"
        results = {}
        for case in ET.parse(xml).getroot().iter("testcase"):
            nodeid = f"{case.get('file') or rel}::{case.get('classname', '').split('.')[-1]}::{case.get('name')}"
            outcome, message = "passed", ""
            for child in case:
                if child.tag in ("failure", "error"):
                    outcome = "failed" if child.tag == "failure" else "error"
                    message = (child.get("message") or child.text or "").strip()
                    break
                if child.tag == "skipped":
                    outcome, message = "skipped", (child.get("message") or "").strip()
            results[nodeid] = [outcome, message[:400]]
        if not results and note:
            return {}, f"{note}: {tail.strip()[-300:]}"
        return results, None


def cmd_run(args):
    # Each file runs with the suite's copy as working directory, so a
    # relative interpreter path (`.venv-py/bin/python`) is made absolute.
    if os.sep in args.python:
        args.python = os.path.abspath(args.python)
    suite_src = pathlib.Path(args.testsuite or wheel_suite(args.python))
    if not (suite_src / "conftest.py").exists():
        sys.exit(f"error: no NEST test suite at {suite_src}")
    dirs = args.dirs.split(",")
    for d in dirs:
        if not (suite_src / d).is_dir():
            sys.exit(f"error: the suite has no directory {d!r}")
    work = pathlib.Path(tempfile.mkdtemp(prefix="nest-testsuite-"))
    suite = work / "pytests"
    shutil.copytree(suite_src, suite, ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ)
    if args.module != "nest":
        shim = work / "shim" / "nest"
        shim.mkdir(parents=True)
        (shim / "__init__.py").write_text(SHIM.replace("spindle.nest", args.module))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(shim.parent), env.get("PYTHONPATH")]))
    files = sorted(str(p.relative_to(suite)) for d in dirs for p in (suite / d).rglob("test_*.py"))
    started = time.time()
    outcomes, notes = {}, {}
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def write(path, done):
        # Whole or not at all: a reader never sees half a file.
        record = {
            "module": args.module,
            "python": args.python,
            "testsuite": str(suite_src),
            "dirs": dirs,
            "wall_seconds": round(time.time() - started, 1),
            "files": len(files),
            "files_done": done,
            "file_notes": notes,
            "tests": dict(sorted(outcomes.items())),
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1) + "\n")
        tmp.replace(path)

    # A long run leaves what it has so far in OUT.partial (same format,
    # `files_done` < `files`), so that an interrupted run is not lost.
    partial = out.with_name(out.name + ".partial")
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_file, args.python, suite, f, env, args.timeout): f for f in files}
        for i, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            f = futures[fut]
            res, note = fut.result()
            outcomes.update(res)
            if note:
                notes[f] = note
            print(f"[{i}/{len(files)}] {f}: {len(res)} tests{' (' + note[:80] + ')' if note else ''}",
                  file=sys.stderr, flush=True)
            if i % 10 == 0:
                write(partial, i)
    shutil.rmtree(work, ignore_errors=True)
    write(out, len(files))
    partial.unlink(missing_ok=True)
    counts = collections.Counter(v[0] for v in outcomes.values())
    print(f"{len(outcomes)} tests in {len(files)} files: {dict(counts)}; wrote {out}")


def group_of(message):
    """A failure's group: its exception and the message's gist."""
    first = message.strip().splitlines()[0] if message.strip() else "(no message)"
    first = re.sub(r"0x[0-9a-f]+", "0x…", first)
    first = re.sub(r"\d+(\.\d+)?", "N", first)
    return first[:110]


def cmd_table(args):
    nest = json.loads(pathlib.Path(args.nest).read_text())
    spin = json.loads(pathlib.Path(args.spindle).read_text())
    rows, groups = [], collections.Counter()
    total_n = total_s = 0
    for d in nest["dirs"]:
        passed = [t for t, (o, _) in nest["tests"].items() if o == "passed" and t.startswith(d + "/")]
        ok = [t for t in passed if spin["tests"].get(t, ["missing"])[0] == "passed"]
        for t in passed:
            o, m = spin["tests"].get(t, ["missing", ""])
            if o != "passed":
                f = t.split("::")[0]
                groups[group_of(m) if o != "missing" else
                       f"file did not run: {spin['file_notes'].get(f, 'no result')[:80]}"] += 1
        total_n += len(passed)
        total_s += len(ok)
        pct = 100 * len(ok) / len(passed) if passed else 0
        rows.append(f"| {d} | {len(passed)} | {len(ok)} | {pct:.1f} % |")
    pct = 100 * total_s / total_n if total_n else 0
    print("| directory | tests NEST 3.10 passes | of them, passing on spindle.nest | share |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print(f"| all | {total_n} | {total_s} | {pct:.1f} % |")
    print(f"\nLargest groups of the {total_n - total_s} that do not pass:\n")
    for g, n in groups.most_common(args.groups):
        print(f"- {n}: {g}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run the suite with one interpreter")
    r.add_argument("--python", required=True, help="the interpreter (with pytest and pandas)")
    r.add_argument("--module", default="nest", help="nest (NEST itself) or spindle.nest")
    r.add_argument("--testsuite", help="the suite's pytests folder (default: the wheel's)")
    r.add_argument("--dirs", default=",".join(DIRS))
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument("--timeout", type=int, default=300, help="seconds per test file")
    r.add_argument("--out", required=True)
    t = sub.add_parser("table", help="NEST's passes against Spindle's, per directory")
    t.add_argument("nest")
    t.add_argument("spindle")
    t.add_argument("--groups", type=int, default=12)
    args = p.parse_args()
    if args.cmd == "run":
        if args.jobs < 1 or args.timeout < 1:
            sys.exit("error: --jobs and --timeout must be >= 1")
        cmd_run(args)
    else:
        cmd_table(args)


if __name__ == "__main__":
    main()
