#!/usr/bin/env python3
"""Migration batches: patches per batch that reproduce the full migration, one commit per batch.

Run: python3 tests/batches_test.py --poolify build/poolify
"""
import json
import os
import shutil
import sys
import tempfile
import unittest

from testlib import files_under, poolify_env, read_text, run_poolify, split_poolify_argv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINE = os.path.join(ROOT, "fixtures", "pipeline")
POOLIFY = None
# Who commits in the scratch repositories (the tests' git commands and poolify --commit).
IDENTITY = dict(GIT_AUTHOR_NAME="poolify test", GIT_AUTHOR_EMAIL="test@example.invalid",
                GIT_COMMITTER_NAME="poolify test", GIT_COMMITTER_EMAIL="test@example.invalid",
                HOME=tempfile.gettempdir())


def checked(args, r, check):
    if check and r.code != 0:
        raise AssertionError(f"{args} exited {r.code}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


def poolify(args, cwd, check=True):
    """poolify ARGS in cwd (text output); an exit code other than 0 fails the test when `check`."""
    return checked(args, run_poolify(POOLIFY, args, cwd, env=poolify_env(cwd, IDENTITY), text=True), check)


def git(args, cwd, check=True):
    """git ARGS in cwd, with the environment poolify gets."""
    return checked(args, run_poolify("git", args, cwd, env=poolify_env(cwd, IDENTITY), text=True), check)


class BatchTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.repo = os.path.join(self.tmp.name, "repo")
        shutil.copytree(PIPELINE, self.repo)
        git(["init", "-q"], self.repo)
        git(["add", "-A"], self.repo)
        git(["commit", "-qm", "pristine"], self.repo)
        self.full = os.path.join(self.tmp.name, "full")
        shutil.copytree(PIPELINE, self.full)
        poolify(["migrate", "--apply", "."], self.full)

    def test_patches_apply_in_order_and_reproduce_the_full_migration(self):
        out = os.path.join(self.tmp.name, "out")
        r = poolify(["migrate", "--out", out, "."], self.repo)
        self.assertEqual(r.stdout, "", "with --out nothing goes to stdout")
        names = sorted(os.listdir(out))
        patches = [n for n in names if n.endswith(".patch")]
        # poolify.yaml of the example declares three batches; each gets patch, manifest and summary.
        self.assertEqual(patches, ["01-cloud_functions.patch", "02-grading_precompute.patch",
                                   "03-analytics_publishing_rest.patch"])
        for p in patches:
            stem = p[:-len(".patch")]
            self.assertIn(stem + ".md", names)
            manifest = json.loads(read_text(out, stem + ".manifest.json"))
            self.assertEqual(manifest["schema_version"], 1)
        self.assertEqual(files_under(self.repo), files_under(PIPELINE), "--out must not change the tree")
        for p in patches:
            git(["apply", "--check", os.path.join(out, p)], self.repo)
            git(["apply", os.path.join(out, p)], self.repo)
        self.assertEqual(files_under(self.repo), files_under(self.full))
        # Each file is in exactly one batch: the cloud functions only in the first.
        first = read_text(out, patches[0])
        self.assertIn("orchestration/cloud_functions/", first)
        self.assertNotIn("data_processors/", first)

    def test_batch_summary_counts_rewrites_removals_and_left_sites(self):
        out = os.path.join(self.tmp.name, "out")
        poolify(["migrate", "--out", out, "--batch", "grading_precompute", "."], self.repo)
        self.assertEqual(sorted(os.listdir(out)), ["01-grading_precompute.manifest.json", "01-grading_precompute.md",
                                                   "01-grading_precompute.patch"])
        summary = read_text(out, "01-grading_precompute.md")
        self.assertTrue(summary.startswith("# poolify batch 01-grading_precompute\n"))
        # grading: 2 rewritten and 1 override removed (mlb_shadow_grading passes its own `project_id` to
        # `super().__init__(project_id)`, which makes the base's client for it), 1 held for the test patch whose
        # target is a constant (prediction_accuracy_processor.py: tests/test_grading.py keeps intercepting it, so
        # its patches stay and the test file is not in the batch); precompute: 1 override removed
        # (player_daily_cache), 1 left for --unsafe-fixes (the project id is assigned right after the client:
        # moving it up is an unsafe fix).
        self.assertIn("4 files changed: 2 sites rewritten (bigquery 2), 2 redundant overrides removed.", summary)
        self.assertNotIn("tests/test_grading.py` (", summary)
        self.assertIn("- `data_processors/grading/prediction_accuracy_processor.py:18:26` bigquery: unsafe fix, applied "
                      "with `--unsafe-fixes`: tests/test_grading.py:26 patches "
                      "data_processors.grading.prediction_accuracy_processor.bigquery.Client, which intercepts this "
                      "call; ", summary)
        self.assertIn("ml_feature_store_processor.py:23:26` bigquery: unsafe fix, applied with `--unsafe-fixes`: "
                      "moves 'self.project_id = ...' from line 24 above line 23; ", summary)

    def test_batch_limits_what_is_changed(self):
        r = poolify(["migrate", "--batch", "cloud_functions", "."], self.repo)
        files = [l[len("+++ b/"):] for l in r.stdout.splitlines() if l.startswith("+++ b/")]
        self.assertTrue(files)
        self.assertTrue(all(f.startswith("orchestration/cloud_functions/") for f in files), files)
        r = poolify(["migrate", "--category", "scrapers", "."], self.repo)
        files = [l[len("+++ b/"):] for l in r.stdout.splitlines() if l.startswith("+++ b/")]
        self.assertTrue(files and all(f.startswith("scrapers/") for f in files), files)
        r = poolify(["migrate", "--batch", "nosuch", "."], self.repo, check=False)
        self.assertEqual(r.code, 2)
        self.assertIn("no batch 'nosuch'", r.stderr)

    def test_max_files_splits_into_numbered_batches(self):
        out = os.path.join(self.tmp.name, "out")
        poolify(["migrate", "--out", out, "--max-files", "4", "."], self.repo)
        patches = sorted(n for n in os.listdir(out) if n.endswith(".patch"))
        self.assertEqual(patches[0], "01-cloud_functions-part1.patch")
        for p in patches:
            text = read_text(out, p)
            self.assertLessEqual(text.count("diff --git"), 4, p)
        for p in patches:
            git(["apply", os.path.join(out, p)], self.repo)
        self.assertEqual(files_under(self.repo), files_under(self.full))

    def test_commit_makes_one_commit_per_batch(self):
        r = poolify(["migrate", "--commit", "."], self.repo)
        log = git(["log", "--format=%s"], self.repo).stdout.splitlines()
        self.assertEqual(log, ["poolify: migrate batch 03-analytics_publishing_rest to the shared pools",
                               "poolify: migrate batch 02-grading_precompute to the shared pools",
                               "poolify: migrate batch 01-cloud_functions to the shared pools",
                               "pristine"])
        body = git(["log", "-1", "--format=%b", "HEAD~2"], self.repo).stdout
        # The cloud functions' safe fixes (counted from the sources): daily_health_check bigquery :22 and
        # firestore :33, phase2_to_phase3 pubsub :53, phase3_to_phase4 firestore :42, stale_running_cleanup
        # bigquery :19 and firestore :42, transition_monitor bigquery :32. Their 6 bigquery.Client() calls
        # without a project and grading_alert's POST (:34) are unsafe fixes, left; grading_alert and
        # pipeline_reconciliation have nothing else to rewrite, so they do not change.
        self.assertIn("5 files changed: 7 sites rewritten (bigquery 3, firestore 3, pubsub 1), "
                      "0 redundant overrides removed.", body)
        self.assertIn("- `orchestration/cloud_functions/daily_health_check/main.py:53:14` bigquery: unsafe fix, "
                      "applied with `--unsafe-fixes`: project_id=PROJECT_ID is taken from scope", body)
        self.assertEqual(body.count("unsafe fix, applied with `--unsafe-fixes`: "), 7)
        self.assertNotIn("## Unsafe fixes applied", body)
        self.assertEqual(git(["status", "--porcelain"], self.repo).stdout, "")
        self.assertEqual(files_under(self.repo), files_under(self.full))
        self.assertIn("committed", r.stderr)

    def test_unsafe_fixes_batches(self):
        # With --unsafe-fixes the patches reproduce `migrate --unsafe-fixes --apply`, and each batch lists
        # the unsafe fixes it applied for review.
        full = os.path.join(self.tmp.name, "full-unsafe")
        shutil.copytree(PIPELINE, full)
        poolify(["migrate", "--unsafe-fixes", "--apply", "."], full)
        out = os.path.join(self.tmp.name, "out")
        poolify(["migrate", "--unsafe-fixes", "--out", out, "."], self.repo)
        patches = sorted(n for n in os.listdir(out) if n.endswith(".patch"))
        self.assertEqual(len(patches), 3)
        for p in patches:
            git(["apply", os.path.join(out, p)], self.repo)
        self.assertEqual(files_under(self.repo), files_under(full))
        self.assertNotEqual(files_under(full), files_under(self.full))
        summary = read_text(out, "01-cloud_functions.md")
        # The 7 safe fixes above plus the 7 unsafe ones (6 bigquery, the POST), in two more files
        # (grading_alert, pipeline_reconciliation).
        self.assertIn("7 files changed: 14 sites rewritten (bigquery 9, firestore 3, http 1, pubsub 1), "
                      "0 redundant overrides removed.", summary)
        applied = summary.split("## Unsafe fixes applied (review: the rewrite is right only if what each says holds)"
                                "\n\n")[1].split("\n\n")[0].splitlines()
        self.assertEqual([l.split("`")[1] for l in applied], [
            "orchestration/cloud_functions/daily_health_check/main.py:53:14",
            "orchestration/cloud_functions/grading_alert/main.py:19:17",
            "orchestration/cloud_functions/grading_alert/main.py:34:20",
            "orchestration/cloud_functions/phase2_to_phase3/main.py:27:17",
            "orchestration/cloud_functions/phase3_to_phase4/main.py:26:14",
            "orchestration/cloud_functions/phase3_to_phase4/main.py:49:17",
            "orchestration/cloud_functions/pipeline_reconciliation/main.py:33:14"])
        self.assertIn("main.py:26:14` bigquery: project_id=project_id is taken from scope, but bigquery.Client() "
                      "without project= used the library's default, which may differ", summary)
        self.assertNotIn("unsafe fix, applied with", summary)
        left = summary.split("## Sites left (with the reason poolify did not rewrite them)\n\n")[1].splitlines()
        self.assertEqual(len(left), 3, summary)  # credentials, .close(), with

    def test_commit_refuses_a_dirty_tree(self):
        with open(os.path.join(self.repo, "utils", "dates.py"), "a") as f:
            f.write("# local edit\n")
        r = poolify(["migrate", "--commit", "."], self.repo, check=False)
        self.assertEqual(r.code, 2)
        self.assertIn("--allow-dirty", r.stderr)
        self.assertEqual(git(["log", "--format=%s"], self.repo).stdout.splitlines(), ["pristine"])
        poolify(["migrate", "--commit", "--allow-dirty", "."], self.repo)
        self.assertIn("# local edit", read_text(self.repo, "utils/dates.py"))
        status = git(["status", "--porcelain"], self.repo).stdout
        self.assertEqual(status.strip(), "M utils/dates.py", "the user's own change stays uncommitted")

    def test_commit_outside_git_is_refused(self):
        r = poolify(["migrate", "--commit", "."], self.full, check=False)
        self.assertEqual(r.code, 2)
        self.assertIn("git work tree", r.stderr)


if __name__ == "__main__":
    POOLIFY, args = split_poolify_argv("batches_test.py", sys.argv[1:])
    unittest.main(argv=[sys.argv[0]] + args)
