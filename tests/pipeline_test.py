#!/usr/bin/env python3
"""The example pipeline end to end: the exact migrations (fixtures/pipeline-expected), plain and with
--unsafe-fixes, applied.

Run: python3 tests/pipeline_test.py --poolify build/poolify
"""
import os
import re
import shutil
import sys
import tempfile
import unittest

from testlib import files_under, git_apply, run_poolify, split_poolify_argv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINE = os.path.join(ROOT, "fixtures", "pipeline")
EXPECTED = os.path.join(ROOT, "fixtures", "pipeline-expected")
POOLIFY = None
LOCATED = re.compile(r"^\S+:\d+:\d+: ")


def tree(path):
    """{relative path: bytes} of the files below path, but git's and Python's own."""
    return files_under(path, (".git", "__pycache__"))


# The two reviewed migrations (fixtures/pipeline-expected/README.md): flags, diff, explain lines, summary.
PLAIN = ((), "migrate.diff", "explain.txt",
         "rewrote 19 sites, removed 4 overrides, left 23 sites (16 of them fixable with --unsafe-fixes)\n")
UNSAFE = (("--unsafe-fixes",), "migrate-unsafe.diff", "explain-unsafe.txt",
          "rewrote 32 sites, removed 7 overrides, left 7 sites, retargeted 1 test patch (1 needs a hand fix)\n")


def expected(name):
    with open(os.path.join(EXPECTED, name), "rb") as f:
        return f.read()


class PipelineTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.work = os.path.join(self.tmp.name, "pipeline")
        shutil.copytree(PIPELINE, self.work)

    def poolify(self, *args, cwd=None):
        return run_poolify(POOLIFY, args, cwd or self.work, timeout=300)

    def pristine_with(self, diff_name):
        """A fresh copy of the example tree with the reviewed diff `diff_name` applied by git."""
        pristine = os.path.join(self.tmp.name, "pristine-" + diff_name)
        shutil.copytree(PIPELINE, pristine)
        applied = git_apply(expected(diff_name), pristine)
        self.assertEqual(applied.code, 0, applied.stderr.decode())
        return pristine

    def test_the_migration_is_exactly_the_reviewed_one(self):
        for flags, diff_name, explain_name, summary in (PLAIN, UNSAFE):
            with self.subTest(flags=flags):
                r = self.poolify("migrate", *flags, "--explain", ".")
                self.assertEqual(r.code, 0, r.stderr.decode())
                self.assertEqual(r.stdout.decode(), expected(diff_name).decode())
                explain = [l for l in r.stderr.decode().splitlines() if LOCATED.match(l)]
                self.assertEqual(explain, expected(explain_name).decode().splitlines())
                self.assertIn(summary, r.stderr.decode())

    def test_the_tiers_differ_only_in_the_unsafe_sites(self):
        # The unsafe run explains the same sites, each unsafe one with "unsafe fix applied" where the plain
        # run says "unsafe fix, applied with --unsafe-fixes"; and its diff holds every line of the plain one.
        plain = expected("explain.txt").decode().splitlines()
        unsafe = expected("explain-unsafe.txt").decode().splitlines()
        deferred = [l for l in plain if ": unsafe fix, applied with --unsafe-fixes: " in l]
        self.assertEqual(len(deferred), 16)
        # Test patches move with the sites they intercept: the held call of prediction_accuracy_processor
        # is rewritten only by --unsafe-fixes, so only that run retargets its decorator patch and lists the
        # constant-target patch as a hand fix.
        patch = lambda l: ": test patch " in l
        self.assertEqual([l.replace(": unsafe fix, applied with --unsafe-fixes: ", ": unsafe fix applied: ")
                          for l in plain if not patch(l)], [l for l in unsafe if not patch(l)])
        self.assertEqual([l.split(": ")[0] for l in unsafe if patch(l)],
                         ["tests/test_grading.py:12:17", "tests/test_grading.py:26:25"])
        self.assertFalse([l for l in plain if patch(l)])
        self.assertFalse([l for l in plain if ": unsafe fix applied: " in l])

    def test_the_diff_applies_and_equals_apply_then_nothing_more_changes(self):
        for flags, diff_name, _, _ in (PLAIN, UNSAFE):
            with self.subTest(flags=flags):
                work = os.path.join(self.tmp.name, "work-" + diff_name)
                shutil.copytree(PIPELINE, work)
                pristine = self.pristine_with(diff_name)
                r = self.poolify("migrate", *flags, "--apply", ".", cwd=work)
                self.assertEqual(r.code, 0, r.stderr.decode())
                self.assertEqual(tree(work), tree(pristine))
                for rel, data in tree(work).items():
                    if rel.endswith(".py"):
                        compile(data, rel, "exec")
                again = self.poolify("migrate", *flags, "--apply", ".", cwd=work)
                self.assertEqual((again.code, again.stdout), (0, b""))
                self.assertEqual(tree(work), tree(pristine))
                self.assertIn(b"changed 0, rewrote 0 sites, removed 0 overrides", again.stderr)

    def test_unsafe_fixes_after_a_plain_apply_give_the_unsafe_migration(self):
        r = self.poolify("migrate", "--apply", ".")
        self.assertEqual(r.code, 0, r.stderr.decode())
        self.assertEqual(tree(self.work), tree(self.pristine_with("migrate.diff")))
        # What is left for --unsafe-fixes: the 13 unsafe sites, the 3 unsafe override removals and
        # the test patches of the held site (one retargeted, one listed as a hand fix), nothing else.
        r = self.poolify("migrate", "--unsafe-fixes", "--apply", ".")
        self.assertEqual(r.code, 0, r.stderr.decode())
        self.assertIn(b"changed 15, rewrote 13 sites, removed 3 overrides, left 7 sites, retargeted 1 test patch "
                      b"(1 needs a hand fix)\n", r.stderr)
        # The same tree as one --unsafe-fixes run: a file that gains a pool import in each step gets it at
        # the same sorted place either way.
        self.assertEqual(tree(self.work), tree(self.pristine_with("migrate-unsafe.diff")))

    def test_jobs_do_not_change_the_output(self):
        for flags, _, _, _ in (PLAIN, UNSAFE):
            with self.subTest(flags=flags):
                one = self.poolify("migrate", *flags, "--explain", "--jobs", "1", ".")
                four = self.poolify("migrate", *flags, "--explain", "--jobs", "4", ".")
                self.assertEqual((one.code, one.stdout, one.stderr), (four.code, four.stdout, four.stderr))


if __name__ == "__main__":
    POOLIFY, args = split_poolify_argv("pipeline_test.py", sys.argv[1:])
    unittest.main(argv=[sys.argv[0]] + args)
