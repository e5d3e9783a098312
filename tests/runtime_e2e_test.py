#!/usr/bin/env python3
"""A migration end to end, at run time: a generated tree shaped like the real pipeline repository
(scripts/gen_tree.py: pools missing, Cloud Functions as deployment units, tests patching clients) goes
through `poolify pools init` and `poolify migrate --apply` (plain, and with --unsafe-fixes), and
tests/runtime_check.py imports every module of both trees (from the repository root, from each unit's
own root, from scripts/), runs their tests and resolves their patch targets.

Fails on any module that stops importing (tree root, units, scripts), any patch target that stops
resolving, a patch that resolves but no longer intercepts (its test started failing) — in the plain
run any, with --unsafe-fixes any that `migrate --explain` did not list as needing a hand fix (an
unsafe fix may let a call escape a patch, and must say so) —, a second migrate run that would change
anything, or a usage error of the checker.

Run: python3 tests/runtime_e2e_test.py --poolify build/poolify [--scale 1] [--seed 1] [--keep DIR]
"""
import argparse
import json
import os
import re
import shutil
import sys
import tempfile

from testlib import run_command

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
GEN_TREE = os.path.join(ROOT, "scripts", "gen_tree.py")
RUNTIME_CHECK = os.path.join(HERE, "runtime_check.py")

# Test patches migrate with the code (retargeted, or the sites they reach held): no patch may stop
# intercepting, unless --unsafe-fixes applied a held site and migrate listed the patch as a hand fix.
INTERCEPT_ASSERTED = True
HAND_FIX = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):\d+: [\w-]+: test patch .* needs a hand fix: ")


def run(cmd, cwd=None):
    """run_command() with no time limit (ctest's bounds the whole test)."""
    return run_command(cmd, cwd, timeout=None)


def migrate(poolify, tree, unsafe):
    """pools init + migrate --apply in `tree`; returns (problems, the (file, line) of the test patches
    migrate lists as needing a hand fix)."""
    problems = []
    code, _, err = run([poolify, "pools", "init", "--quiet", "."], cwd=tree)
    if code != 0:
        problems.append(f"pools init exited {code}: {err.strip()}")
    flags = ["--unsafe-fixes"] if unsafe else []
    _, _, err = run([poolify, "migrate", "--explain", *flags, "."], cwd=tree)
    hand_fixes = {(m["file"], int(m["line"])) for m in map(HAND_FIX.match, err.splitlines()) if m}
    code, _, err = run([poolify, "migrate", "--apply", *flags, "."], cwd=tree)
    summary = err.strip().splitlines()[-1] if err.strip() else ""
    print(f"  migrate --apply {' '.join(flags)}: exit {code}; {summary}")
    if code != 0:
        problems.append(f"migrate --apply exited {code}: {err.strip()[-2000:]}")
    code, out, err = run([poolify, "migrate", *flags, "."], cwd=tree)
    if out.strip():
        problems.append("a second migrate run would change the tree again:\n" + out[:3000])
    return problems, hand_fixes


def check(before, after, report, pycache):
    code, _, err = run([sys.executable, RUNTIME_CHECK, "--before", before, "--after", after, "--units", "scripts",
                        "--json", report, "--jobs", "2", "--pycache", pycache])
    if code not in (0, 1) or not os.path.exists(report):
        return None, f"runtime_check failed to run (exit {code}):\n{err[-3000:]}"
    with open(report) as fh:
        return json.load(fh), err


def numbers(data):
    reg = data["regressions"]
    modules = reg["modules"]
    return {
        "modules regressed (tree root)": sum(1 for m in modules if m["kind"] == "repo"),
        "modules regressed (units)": sum(1 for m in modules if m["kind"] == "unit"),
        "units regressed": len({m["root"] for m in modules if m["kind"] == "unit"}),
        "modules regressed (scripts)": sum(1 for m in modules if m["kind"] == "extra"),
        "patches that stop resolving": len(reg["patch_targets"]),
        "patches that stop intercepting": len(reg["patches_not_intercepting"]),
        "tests regressed": len(reg["tests"]),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--poolify", required=True)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", help="work in this folder (kept) instead of a temporary one")
    args = ap.parse_args()
    poolify = os.path.abspath(args.poolify)
    work = args.keep or tempfile.mkdtemp(prefix="poolify-runtime-e2e-")
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    failures = []
    try:
        orig = os.path.join(work, "orig")
        code, _, err = run([sys.executable, GEN_TREE, "--out", orig, "--scale", str(args.scale), "--seed",
                            str(args.seed)])
        if code != 0:
            print(err, file=sys.stderr)
            return 1
        print(err.strip())
        pycache = os.path.join(work, "pycache")
        for name, unsafe in (("plain", False), ("unsafe-fixes", True)):
            tree = os.path.join(work, name)
            shutil.copytree(orig, tree, symlinks=True)
            print(f"{name}:")
            problems, hand_fixes = migrate(poolify, tree, unsafe)
            failures += [f"{name}: {p}" for p in problems]
            data, err = check(orig, tree, os.path.join(work, name + ".json"), pycache)
            if data is None:
                failures.append(f"{name}: {err}")
                continue
            counts = numbers(data)
            for k, v in counts.items():
                print(f"  {k}: {v}")
            reg = data["regressions"]
            for m in reg["modules"]:
                failures.append(f"{name}: module stops importing ({m['kind']} root {m['root']}): {m['module']}: "
                                f"{m['error']} {m.get('where', '')}")
            for p in reg["patch_targets"]:
                failures.append(f"{name}: patch target stops resolving: {p['file']}:{p['line']} {p['target']}: "
                                f"{p['error']}")
            for p in reg["patches_not_intercepting"]:
                line = f"{p['file']}:{p['line']} {p['target']}"
                if unsafe and (p["file"], p["line"]) in hand_fixes:
                    print(f"  listed as a hand fix by migrate (unsafe fix applied): {line}")
                elif INTERCEPT_ASSERTED:
                    failures.append(f"{name}: patch stops intercepting: {line}")
                else:
                    print(f"  (not asserted yet) patch stops intercepting: {line}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL:", f)
    print("runtime e2e:", "FAILED" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
