#!/usr/bin/env python3
"""The example pipeline end to end: the exact migration (fixtures/pipeline-expected), applied.

Run: python3 tests/pipeline_test.py --poolify build/poolify
"""
import os
import re
import shutil
import sys
import tempfile
import unittest

from testlib import git_apply, run_poolify

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINE = os.path.join(ROOT, "fixtures", "pipeline")
EXPECTED = os.path.join(ROOT, "fixtures", "pipeline-expected")
POOLIFY = None
LOCATED = re.compile(r"^\S+:\d+:\d+: ")


def tree(path):
    out = {}
    for base, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d not in (".git", "__pycache__")]
        for f in files:
            full = os.path.join(base, f)
            with open(full, "rb") as fh:
                out[os.path.relpath(full, path)] = fh.read()
    return out


class PipelineTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.work = os.path.join(self.tmp.name, "pipeline")
        shutil.copytree(PIPELINE, self.work)

    def poolify(self, *args, cwd=None):
        return run_poolify(POOLIFY, args, cwd or self.work, timeout=300)

    def test_the_migration_is_exactly_the_reviewed_one(self):
        r = self.poolify("migrate", "--explain", ".")
        self.assertEqual(r.code, 0, r.stderr.decode())
        with open(os.path.join(EXPECTED, "migrate.diff"), "rb") as f:
            self.assertEqual(r.stdout.decode(), f.read().decode())
        explain = [l for l in r.stderr.decode().splitlines() if LOCATED.match(l)]
        with open(os.path.join(EXPECTED, "explain.txt")) as f:
            self.assertEqual(explain, f.read().splitlines())
        self.assertIn("rewrote 32 sites, removed 7 overrides, left 7 sites", r.stderr.decode())

    def test_the_diff_applies_and_equals_apply_then_nothing_more_changes(self):
        pristine = os.path.join(self.tmp.name, "pristine")
        shutil.copytree(PIPELINE, pristine)
        with open(os.path.join(EXPECTED, "migrate.diff"), "rb") as f:
            applied = git_apply(f.read(), pristine)
        self.assertEqual(applied.code, 0, applied.stderr.decode())
        r = self.poolify("migrate", "--apply", ".")
        self.assertEqual(r.code, 0, r.stderr.decode())
        self.assertEqual(tree(self.work), tree(pristine))
        for rel, data in tree(self.work).items():
            if rel.endswith(".py"):
                compile(data, rel, "exec")
        again = self.poolify("migrate", ".")
        self.assertEqual((again.code, again.stdout), (0, b""))

    def test_jobs_do_not_change_the_output(self):
        one = self.poolify("migrate", "--explain", "--jobs", "1", ".")
        four = self.poolify("migrate", "--explain", "--jobs", "4", ".")
        self.assertEqual((one.code, one.stdout, one.stderr), (four.code, four.stdout, four.stderr))


if __name__ == "__main__":
    args = sys.argv[1:]
    i = args.index("--poolify")
    POOLIFY = os.path.abspath(args[i + 1])
    del args[i:i + 2]
    unittest.main(argv=[sys.argv[0]] + args)
