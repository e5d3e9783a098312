#!/usr/bin/env python3
"""Migration batches: patches per batch that reproduce the full migration, one commit per batch.

Run: python3 tests/batches_test.py --poolify build/poolify
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINE = os.path.join(ROOT, "fixtures", "pipeline")
POOLIFY = None
GIT_ENV = dict(os.environ, GIT_AUTHOR_NAME="poolify test", GIT_AUTHOR_EMAIL="test@example.invalid",
               GIT_COMMITTER_NAME="poolify test", GIT_COMMITTER_EMAIL="test@example.invalid",
               GIT_CONFIG_NOSYSTEM="1", HOME=tempfile.gettempdir())


def run(args, cwd, check=True):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=GIT_ENV)
    if check and r.returncode != 0:
        raise AssertionError(f"{args} exited {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


def read(path):
    with open(path) as fh:
        return fh.read()


def tree(path):
    """Every file below path (but .git) -> bytes."""
    out = {}
    for base, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if d != ".git"]
        for f in files:
            full = os.path.join(base, f)
            with open(full, "rb") as fh:
                out[os.path.relpath(full, path)] = fh.read()
    return out


class BatchTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.repo = os.path.join(self.tmp.name, "repo")
        shutil.copytree(PIPELINE, self.repo)
        os.environ["GIT_CEILING_DIRECTORIES"] = self.tmp.name
        run(["git", "init", "-q"], self.repo)
        run(["git", "add", "-A"], self.repo)
        run(["git", "commit", "-qm", "pristine"], self.repo)
        self.full = os.path.join(self.tmp.name, "full")
        shutil.copytree(PIPELINE, self.full)
        run([POOLIFY, "migrate", "--apply", "."], self.full)

    def test_patches_apply_in_order_and_reproduce_the_full_migration(self):
        out = os.path.join(self.tmp.name, "out")
        r = run([POOLIFY, "migrate", "--out", out, "."], self.repo)
        self.assertEqual(r.stdout, "", "with --out nothing goes to stdout")
        names = sorted(os.listdir(out))
        patches = [n for n in names if n.endswith(".patch")]
        # poolify.yaml of the example declares three batches; each gets patch, manifest and summary.
        self.assertEqual(patches, ["01-cloud_functions.patch", "02-grading_precompute.patch",
                                   "03-analytics_publishing_rest.patch"])
        for p in patches:
            stem = p[:-len(".patch")]
            self.assertIn(stem + ".md", names)
            manifest = json.loads(read(os.path.join(out, stem + ".manifest.json")))
            self.assertEqual(manifest["schema_version"], 1)
        self.assertEqual(tree(self.repo), tree(PIPELINE), "--out must not change the tree")
        for p in patches:
            run(["git", "apply", "--check", os.path.join(out, p)], self.repo)
            run(["git", "apply", os.path.join(out, p)], self.repo)
        self.assertEqual(tree(self.repo), tree(self.full))
        # Each file is in exactly one batch: the cloud functions only in the first.
        first = read(os.path.join(out, patches[0]))
        self.assertIn("orchestration/cloud_functions/", first)
        self.assertNotIn("data_processors/", first)

    def test_batch_summary_counts_rewrites_removals_and_left_sites(self):
        out = os.path.join(self.tmp.name, "out")
        run([POOLIFY, "migrate", "--out", out, "--batch", "grading_precompute", "."], self.repo)
        self.assertEqual(sorted(os.listdir(out)), ["01-grading_precompute.manifest.json", "01-grading_precompute.md",
                                                   "01-grading_precompute.patch"])
        summary = read(os.path.join(out, "01-grading_precompute.md"))
        self.assertTrue(summary.startswith("# poolify batch 01-grading_precompute\n"))
        # grading: 3 rewritten + 1 override removed (mlb_shadow_grading); precompute: 1 override removed
        # (player_daily_cache), 1 left (the project id is assigned after the client).
        self.assertIn("5 files changed: 3 sites rewritten (bigquery 3), 2 redundant overrides removed.", summary)
        self.assertIn("ml_feature_store_processor.py:23:26` bigquery: no project id in scope", summary)

    def test_batch_limits_what_is_changed(self):
        r = run([POOLIFY, "migrate", "--batch", "cloud_functions", "."], self.repo)
        files = [l[len("+++ b/"):] for l in r.stdout.splitlines() if l.startswith("+++ b/")]
        self.assertTrue(files)
        self.assertTrue(all(f.startswith("orchestration/cloud_functions/") for f in files), files)
        r = run([POOLIFY, "migrate", "--category", "scrapers", "."], self.repo)
        files = [l[len("+++ b/"):] for l in r.stdout.splitlines() if l.startswith("+++ b/")]
        self.assertTrue(files and all(f.startswith("scrapers/") for f in files), files)
        r = run([POOLIFY, "migrate", "--batch", "nosuch", "."], self.repo, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no batch 'nosuch'", r.stderr)

    def test_max_files_splits_into_numbered_batches(self):
        out = os.path.join(self.tmp.name, "out")
        run([POOLIFY, "migrate", "--out", out, "--max-files", "4", "."], self.repo)
        patches = sorted(n for n in os.listdir(out) if n.endswith(".patch"))
        self.assertEqual(patches[0], "01-cloud_functions-part1.patch")
        for p in patches:
            text = read(os.path.join(out, p))
            self.assertLessEqual(text.count("diff --git"), 4, p)
        for p in patches:
            run(["git", "apply", os.path.join(out, p)], self.repo)
        self.assertEqual(tree(self.repo), tree(self.full))

    def test_commit_makes_one_commit_per_batch(self):
        r = run([POOLIFY, "migrate", "--commit", "."], self.repo)
        log = run(["git", "log", "--format=%s"], self.repo).stdout.splitlines()
        self.assertEqual(log, ["poolify: migrate batch 03-analytics_publishing_rest to the shared pools",
                               "poolify: migrate batch 02-grading_precompute to the shared pools",
                               "poolify: migrate batch 01-cloud_functions to the shared pools",
                               "pristine"])
        body = run(["git", "log", "-1", "--format=%b", "HEAD~2"], self.repo).stdout
        self.assertIn("7 files changed: 14 sites rewritten", body)
        self.assertEqual(run(["git", "status", "--porcelain"], self.repo).stdout, "")
        self.assertEqual(tree(self.repo), tree(self.full))
        self.assertIn("committed", r.stderr)

    def test_commit_refuses_a_dirty_tree(self):
        with open(os.path.join(self.repo, "utils", "dates.py"), "a") as f:
            f.write("# local edit\n")
        r = run([POOLIFY, "migrate", "--commit", "."], self.repo, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("--allow-dirty", r.stderr)
        self.assertEqual(run(["git", "log", "--format=%s"], self.repo).stdout.splitlines(), ["pristine"])
        run([POOLIFY, "migrate", "--commit", "--allow-dirty", "."], self.repo)
        self.assertIn("# local edit", read(os.path.join(self.repo, "utils", "dates.py")))
        status = run(["git", "status", "--porcelain"], self.repo).stdout
        self.assertEqual(status.strip(), "M utils/dates.py", "the user's own change stays uncommitted")

    def test_commit_outside_git_is_refused(self):
        r = run([POOLIFY, "migrate", "--commit", "."], self.full, check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("git work tree", r.stderr)


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--poolify" not in args:
        sys.exit("usage: batches_test.py --poolify BIN [unittest args]")
    i = args.index("--poolify")
    POOLIFY = os.path.abspath(args[i + 1])
    del args[i:i + 2]
    unittest.main(argv=[sys.argv[0]] + args)
