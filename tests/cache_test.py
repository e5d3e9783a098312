#!/usr/bin/env python3
"""The cache of per-file results (check and manifest keep one by default): a warm run gives the same
bytes as a cold one, changed files are analyzed again, and a cache that is corrupt, from other rules or
from another poolify, or from a run with the other tier of fixes (--unsafe-fixes) is never trusted.

Run: python3 tests/cache_test.py --poolify build/poolify
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from testlib import BQ_INFERRED_SRC, poolify_env, run_poolify, split_poolify_argv, write_file, write_pools

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINE = os.path.join(ROOT, "fixtures", "pipeline")
RULES = os.path.join(ROOT, "rules")
POOLIFY = None


def run(cwd, *args):
    return run_poolify(POOLIFY, args, cwd, text=True)


def reused(stderr):
    m = re.search(r"reused (\d+) of (\d+) file results", stderr)
    return int(m.group(1)) if m else 0


def whole(stderr):
    """Whether the run took the last run's results whole (no file analyzed, no cross-file step run)."""
    return "the last run's results, whole" in stderr


class CacheTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.root = os.path.join(self.tmp.name, "tree")
        shutil.copytree(PIPELINE, self.root)
        self.cache = os.path.join(self.tmp.name, "cache")

    def check(self, *extra):
        return run(self.root, "check", "--format", "json", "--cache", self.cache, *extra, ".")

    def traced_check(self, syscalls, *extra):
        """check (JSON, this cache) under strace, tracing `syscalls`: the run and the trace's lines."""
        trace = os.path.join(self.tmp.name, "trace")
        env = poolify_env(self.root)
        # LeakSanitizer cannot run under ptrace (the sanitizer build of scripts/sanitize.sh): the leak
        # check is that build's job in every other test, not this one's.
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "detect_leaks=0"]))
        p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=" + syscalls, "-o", trace, POOLIFY, "check",
                            "--format", "json", *extra, "--cache", self.cache, "."], cwd=self.root, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with open(trace, encoding="utf-8", errors="replace") as f:
            return p, f.readlines()

    def test_warm_runs_give_the_same_bytes_and_reuse_every_file(self):
        cold = self.check()
        self.assertEqual(cold.code, 1, cold.stderr)
        self.assertEqual(reused(cold.stderr), 0)
        warm = self.check()
        self.assertEqual((warm.code, warm.stdout), (cold.code, cold.stdout))
        self.assertEqual(reused(warm.stderr), len([1 for _, _, fs in os.walk(self.root) for f in fs
                                                   if f.endswith(".py")]))
        m_cold = run(self.root, "manifest", "--format", "json", "--no-cache", ".")
        m_warm = run(self.root, "manifest", "--format", "json", "--cache", self.cache, ".")
        self.assertEqual(m_warm.stdout, m_cold.stdout)
        self.assertGreater(reused(m_warm.stderr), 0)

    def test_a_changed_file_is_analyzed_again(self):
        self.check()
        path = os.path.join(self.root, "scrapers", "nbac_schedule_api.py")
        with open(path, "a") as f:
            f.write("\n\ndef extra(url):\n    return requests.get(url)\n")
        warm = self.check()
        fresh = run(self.root, "check", "--format", "json", "--no-cache", ".")
        self.assertEqual(warm.stdout, fresh.stdout)
        self.assertIn('"line": 41', warm.stdout)  # the new site
        total = len([1 for _, _, fs in os.walk(self.root) for f in fs if f.endswith(".py")])
        self.assertEqual(reused(warm.stderr), total - 1)

    # Stat data first, as git's index: a file whose size, mtime, ctime and inode are unchanged is not read
    # again. A change that keeps the size and puts the old mtime back (touch -r, rsync -t, a restore) still
    # changes the ctime: the file is analyzed again.
    def test_a_change_with_the_mtime_restored_is_analyzed_again(self):
        path = os.path.join(self.root, "scrapers", "nbac_schedule_api.py")
        with open(path) as f:
            text = f.read()
        changed = text.replace("requests.get(", "requests.put(", 1)
        self.assertNotEqual(changed, text)
        self.assertEqual(len(changed), len(text))
        old = os.stat(path)
        time.sleep(2.2)  # older than the racy window: the cold run records stat data it will trust
        cold = self.check()
        with open(path, "w") as f:
            f.write(changed)
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
        self.assertEqual((os.stat(path).st_size, os.stat(path).st_mtime_ns), (old.st_size, old.st_mtime_ns))
        warm = self.check()
        fresh = run(self.root, "check", "--format", "json", "--no-cache", ".")
        self.assertEqual(warm.stdout, fresh.stdout)
        self.assertNotEqual(warm.stdout, cold.stdout)
        total = len([1 for _, _, fs in os.walk(self.root) for f in fs if f.endswith(".py")])
        self.assertEqual(reused(warm.stderr), total - 1)

    # A file's plans depend on the pool module it would call (its functions' signatures): a pool edited
    # since, with every file using it unchanged, changes the verdicts, whether the pool module is one of
    # the run's files or lies outside the paths checked.
    def test_an_edited_pool_module_is_read_again(self):
        pool = os.path.join(self.root, "shared", "clients", "http_pool.py")
        with open(pool) as f:
            text = f.read()
        strict = text.replace("def get(url: str, **kwargs: Any)", "def get(url: str, *, tenant: str, **kwargs: Any)")
        self.assertNotEqual(strict, text)
        for paths in (["."], ["scrapers"]):
            with open(pool, "w") as f:
                f.write(text)
            args = ("check", "--format", "json", "--cache", self.cache, *paths)
            first = run(self.root, *args)
            self.assertIn("nbac_schedule_api.py", first.stdout)
            with open(pool, "w") as f:
                f.write(strict)
            warm = run(self.root, *args)
            fresh = run(self.root, "check", "--format", "json", "--no-cache", *paths)
            self.assertEqual(warm.stdout, fresh.stdout)
            self.assertNotEqual(warm.stdout, first.stdout)
            self.assertIn("missing 1 required keyword-only argument: 'tenant'", warm.stdout)

    # The last run's results are read, never mapped: another process truncating the file in place
    # while a run reads it (an editor, a script clearing the cache) must not kill the run with SIGBUS.
    def test_the_results_file_is_read_not_mapped(self):
        self.check()
        p, trace = self.traced_check("openat,mmap,close")
        self.assertTrue(whole(p.stderr), p.stderr)
        results, mapped = set(), []
        for line in trace:
            m = re.search(r'openat\(.*"([^"]*poolify-results[^"]*)".* = (\d+)$', line.strip())
            if m:
                results.add(m.group(2))
                continue
            m = re.search(r"close\((\d+)\)", line)
            if m:
                results.discard(m.group(1))
                continue
            m = re.search(r"mmap\([^,]*, \d+, [^,]*, [^,]*, (\d+),", line)
            if m and m.group(1) in results:
                mapped.append(line.strip())
        self.assertEqual(mapped, [])
        self.assertTrue(any("poolify-results" in line for line in trace), "the results file was not opened")

    # A pool import that would leak through `import *` into a module binding both `get` and `http_pool`:
    # migrate leaves the site. check and the manifest say so too, cold and from a cache migrate wrote
    # (the star-import fact is kept per file), and agree again once the importer no longer takes the
    # module's name.
    def test_check_and_manifest_count_a_star_import_clash_as_migrate_does(self):
        star = os.path.join(ROOT, "fixtures", "golden", "358-star-import-get-and-http-pool-taken-left", "input")
        root = os.path.join(self.tmp.name, "star")
        shutil.copytree(star, root)
        subprocess.run(["git", "init", "-q", root], check=True)

        def fixable(*cache):
            m = run(root, "manifest", "--format", "json", *cache, ".")
            return json.loads(m.stdout)["summary"]["fixable_sites"]

        def said(*cache):
            c = run(root, "check", "--format", "json", *cache, ".")
            return [(d["path"], d["line"], d["message"].endswith("poolify migrate rewrites it"), d["message"])
                    for d in json.loads(c.stdout)["findings"]]

        cache = ("--cache", self.cache)
        migrated = run(root, "migrate", *cache, ".")
        self.assertIn("rewrote 0 sites", migrated.stderr)
        cold = said("--no-cache")
        self.assertEqual([(p, line, f) for p, line, f, _ in cold], [("pkg/helpers.py", 5, False)])
        self.assertIn("through the `import *` at pkg/consumer.py:4:1", cold[0][3])
        self.assertEqual(said(*cache), cold)
        self.assertEqual((fixable("--no-cache"), fixable(*cache)), (0, 0))
        # Another file edited: the importer's result comes from the cache, its star import with it.
        with open(os.path.join(root, "pkg", "cache.py"), "a") as f:
            f.write("# edited\n")
        self.assertEqual([f for _, _, f, _ in said(*cache)], [False])
        # The importer's own `http_pool` renamed: migrate reaches the pool through its module, and
        # check and the manifest, from the cache, count the site as fixable.
        consumer = os.path.join(root, "pkg", "consumer.py")
        with open(consumer) as f:
            text = f.read()
        with open(consumer, "w") as f:
            f.write(text.replace("http_pool = ", "connections = "))
        self.assertEqual([f for _, _, f, _ in said(*cache)], [True])
        self.assertEqual(said(*cache), said("--no-cache"))
        self.assertEqual(fixable(*cache), 1)
        self.assertIn("rewrote 1 site", run(root, "migrate", *cache, ".").stderr)

    # A warm run that found nothing new leaves the cache file alone (not even replaced by the same bytes).
    def test_a_run_that_changed_nothing_does_not_rewrite_the_cache(self):
        time.sleep(2.2)  # files older than the racy window
        self.check()
        dat = os.path.join(self.cache, "poolify-cache.dat")
        before = os.stat(dat)
        warm = self.check()
        self.assertEqual(warm.code, 1, warm.stderr)
        after = os.stat(dat)
        self.assertEqual((after.st_ino, after.st_mtime_ns), (before.st_ino, before.st_mtime_ns))

    # check and manifest keep their last results whole: a run whose files all have the stat data that run
    # recorded (and nothing else it depends on changed) takes them as they are, and says so, in every
    # output format.
    def test_a_run_where_nothing_changed_takes_the_last_results_whole(self):
        time.sleep(2.2)  # files older than the racy window
        for n, args in enumerate((("--format", "json"), ("--format", "text"), ("--format", "sarif"),
                                  ("--format", "github"))):
            fresh = run(self.root, "check", "--no-cache", *args, ".")
            first = run(self.root, "check", "--cache", self.cache, *args, ".")
            again = run(self.root, "check", "--cache", self.cache, *args, ".")
            # The format is not an input of the analysis: the first run's results serve every format.
            self.assertEqual(whole(first.stderr), n > 0, first.stderr)
            self.assertTrue(whole(again.stderr), again.stderr)
            self.assertEqual(reused(again.stderr), len([1 for _, _, fs in os.walk(self.root) for f in fs
                                                        if f.endswith(".py")]))
            self.assertEqual((again.code, again.stdout), (fresh.code, fresh.stdout), args)
            self.assertEqual((first.code, first.stdout), (fresh.code, fresh.stdout), args)
        # The manifest lists the inherited clients and the overrides the class index decided.
        fresh = run(self.root, "manifest", "--format", "json", "--no-cache", ".")
        self.assertIn('"inherited"', fresh.stdout)
        first = run(self.root, "manifest", "--format", "json", "--cache", self.cache, ".")
        again = run(self.root, "manifest", "--format", "json", "--cache", self.cache, ".")
        self.assertTrue(whole(again.stderr), again.stderr)
        self.assertEqual((again.code, again.stdout), (fresh.code, fresh.stdout))
        self.assertEqual(first.stdout, fresh.stdout)

    # What the results depend on besides the files' bytes: the tier of fixes, the configuration, what the
    # import roots find on disk (a function folder that gains a requirements.txt is deployed alone: its
    # pool modules must resolve there), the list of files. Each change is seen; the next run keeps the
    # results again.
    def test_the_last_results_are_not_taken_when_anything_they_depend_on_changed(self):
        time.sleep(2.2)
        self.check()
        self.assertTrue(whole(self.check().stderr))
        fn = os.path.join(self.root, "orchestration", "cloud_functions", "daily_health_check")

        def unit():
            write_file(fn, "requirements.txt", "google-cloud-bigquery\n")

        def config():
            with open(os.path.join(self.root, "poolify.yaml"), "a") as f:
                f.write('units: ["orchestration/cloud_functions/*"]\n')

        def removed():
            os.remove(os.path.join(self.root, "scrapers", "oddsa_events.py"))

        for name, change, extra in (("unsafe fixes", None, ("--unsafe-fixes",)), ("unit", unit, ()),
                                    ("config", config, ()), ("removed file", removed, ())):
            before = self.check(*extra) if change else None
            if change:
                change()
            after = self.check(*extra)
            fresh = run(self.root, "check", "--format", "json", "--no-cache", *extra, ".")
            self.assertFalse(whole(after.stderr), name)
            self.assertEqual((after.code, after.stdout), (fresh.code, fresh.stdout), name)
            if name in ("unit", "config"):
                self.assertTrue(after.stdout != before.stdout, name)  # the change matters to the findings
            if change is not removed:  # no file changed: the run just made keeps its results whole
                self.assertTrue(whole(self.check(*extra).stderr), name)

    # Files written just before a run (or during it) may change again within the same timestamp: their
    # stat data prove nothing. As git's index does, the next run hashes their bytes again: the results
    # are taken whole only when every such file still holds the bytes that run analyzed.
    @unittest.skipUnless(shutil.which("strace"), "strace is not installed")
    def test_results_recorded_over_racy_files_are_taken_whole_only_when_their_bytes_are_unchanged(self):
        first = self.check()  # the tree was copied just now: its files' ctimes are racy
        p, trace = self.traced_check("open,openat")
        self.assertTrue(whole(p.stderr), p.stderr)
        self.assertEqual(p.stdout, first.stdout)
        opened = {line for line in trace if '.py"' in line and "ENOENT" not in line}
        self.assertNotEqual(opened, set(), "the racy files were not read again")
        # A racy file whose bytes changed (size and mtime kept): the results are not taken whole.
        time.sleep(2.2)
        self.check()  # recorded over files older than the racy window, bar the one written next
        path = os.path.join(self.root, "scrapers", "nbac_schedule_api.py")
        with open(path) as f:
            text = f.read()
        old = os.stat(path)
        with open(path, "w") as f:
            f.write(text.replace("requests.get(", "requests.put(", 1))
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
        changed = self.check()
        self.assertFalse(whole(changed.stderr), changed.stderr)
        fresh = run(self.root, "check", "--format", "json", "--no-cache", ".")
        self.assertEqual(changed.stdout, fresh.stdout)
        self.assertNotEqual(changed.stdout, first.stdout)

    # A file whose stat data changed but not its bytes (touched; checked out again; a fresh clone with
    # the cache restored) costs a read and a hash, not an analysis: the results are taken whole, and
    # recorded with the new stat data, so the run after reads no Python file.
    @unittest.skipUnless(shutil.which("strace"), "strace is not installed")
    def test_touched_files_are_hashed_once_and_the_results_taken_whole(self):
        time.sleep(2.2)  # files older than the racy window
        cold = self.check()
        touched = [os.path.join(self.root, "scrapers", "nbac_schedule_api.py"),
                   os.path.join(self.root, "shared", "clients", "bigquery_pool.py")]
        for path in touched:
            st = os.stat(path)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))  # a second earlier: the bytes stay
        time.sleep(2.2)  # the touch is older than the racy window of the run that records it

        def traced_check():
            p, trace = self.traced_check("open,openat")
            return p, {os.path.normpath(os.path.join(self.root, m.group(1))) for line in trace
                       for m in [re.search(r'"([^"]*\.py)"', line)] if m and "ENOENT" not in line}

        p, opened = traced_check()
        self.assertTrue(whole(p.stderr), p.stderr)
        self.assertEqual((p.returncode, p.stdout), (cold.code, cold.stdout))
        self.assertEqual(opened, set(touched))  # the touched files, read to hash them; no other
        p, opened = traced_check()
        self.assertTrue(whole(p.stderr), p.stderr)
        self.assertEqual((p.returncode, p.stdout), (cold.code, cold.stdout))
        self.assertEqual(opened, set())  # their new stat data were recorded

    # A damaged results file is never trusted: the run does the work and gives what a fresh run gives.
    def test_a_damaged_results_file_is_ignored(self):
        time.sleep(2.2)
        fresh = run(self.root, "check", "--format", "json", "--no-cache", ".")
        self.check()
        dat = os.path.join(self.cache, "poolify-results.dat")
        with open(dat, "rb") as f:
            data = bytearray(f.read())
        at = data.find(b"bigquery.Client")
        self.assertGreater(at, 0)
        data[at] ^= 0x20
        with open(dat, "wb") as f:
            f.write(bytes(data))
        warm = self.check()
        self.assertFalse(whole(warm.stderr), warm.stderr)
        self.assertEqual((warm.code, warm.stdout), (fresh.code, fresh.stdout))

    # Was a bug (fixed): the test patches' reach (which sites a test's patch intercepts) read and parsed
    # every test and every module it imports on every run, and again each file whose text after the run
    # it asked about: a warm check of 20,000 files took 10.8 s and 790 MB instead of 1.5 s and 140 MB.
    # What it needs of a file is kept in the cache: a warm check opens no Python file at all.
    @unittest.skipUnless(shutil.which("strace"), "strace is not installed")
    def test_a_warm_check_opens_no_python_file(self):
        time.sleep(2.2)  # files older than the racy window: known unchanged by their stat data
        cold = self.check()
        p, trace = self.traced_check("open,openat")
        self.assertEqual((p.returncode, p.stdout), (cold.code, cold.stdout), p.stderr)
        opened = [line for line in trace if '.py"' in line and "ENOENT" not in line]
        self.assertEqual(opened, [], "a warm check opened Python files")

    # As git's index does, the walk's one stat of each file is what the cache compares: a warm check
    # asks the file system about each listed Python file once, never again per file (a second stat per
    # file was 4% of a warm check of 20,000 files; resolving the imports of the tests' patches statted
    # every candidate path of every import, 7%: they now come from folder listings).
    @unittest.skipUnless(shutil.which("strace"), "strace is not installed")
    def test_a_warm_check_stats_each_python_file_once(self):
        time.sleep(2.2)  # files older than the racy window
        cold = self.check()
        p, trace = self.traced_check("stat,lstat,newfstatat,statx,getcwd")
        self.assertEqual((p.returncode, p.stdout), (cold.code, cold.stdout), p.stderr)
        listed = {os.path.relpath(os.path.join(d, f), self.root) for d, _, fs in os.walk(self.root) for f in fs
                  if f.endswith(".py")}
        counts = {}
        getcwd = 0
        for line in trace:
            getcwd += bool(re.match(r"(\d+ +)?getcwd\(", line))
            m = re.search(r'"([^"]*\.py)"', line)
            if m and "ENOENT" not in line:
                rel = os.path.normpath(m.group(1))
                if rel in listed:
                    counts[rel] = counts.get(rel, 0) + 1
        self.assertEqual(set(counts), listed)  # the walk looked at every one
        # Packages and the pool modules are what import resolution asks about (a few times per run,
        # not per file); any other module is looked at by the walk alone.
        again = {rel: n for rel, n in counts.items() if n > 1 and os.path.basename(rel) != "__init__.py"
                 and not rel.startswith("shared/clients/")}
        self.assertEqual(again, {}, "modules stat'ed more than once")
        # The working directory is asked a few times per run, not once or more per file (it was 4% of
        # a warm check at 20,000 files).
        self.assertLess(getcwd, len(listed) // 2, "getcwd calls")

    # When another file's bytes changed too, the results are not taken whole and the run analyzes; a
    # touched file that was hashed while they were asked for is then found in the cache by that hash,
    # not read a second time.
    @unittest.skipUnless(shutil.which("strace"), "strace is not installed")
    def test_a_file_hashed_while_the_results_were_asked_for_is_not_read_again(self):
        time.sleep(2.2)  # files older than the racy window
        self.check()
        touched = os.path.join(self.root, "data_processors", "analytics", "analytics_base.py")
        edited = os.path.join(self.root, "scrapers", "nbac_schedule_api.py")  # after it, in path order
        st = os.stat(touched)
        os.utime(touched, ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))
        with open(edited, "a") as f:
            f.write("\n\ndef extra(url):\n    return requests.get(url)\n")
        # One job: the files whose stat data changed are hashed in path order, the touched one first.
        p, trace = self.traced_check("open,openat", "--jobs", "1")
        self.assertFalse(whole(p.stderr), p.stderr)
        fresh = run(self.root, "check", "--format", "json", "--no-cache", ".")
        self.assertEqual((p.returncode, p.stdout), (fresh.code, fresh.stdout))
        opens = [line for line in trace if '/analytics_base.py"' in line and "ENOENT" not in line]
        self.assertEqual(len(opens), 1, opens)

    # The cache written after a change holds the entries reused from the file read and the new one, in
    # one file: the next run reuses every file, gives the same output, and leaves that file alone.
    # The change itself is appended to the cache's log: the .dat, many times its size, is not written again.
    def test_the_cache_written_after_a_change_is_whole_and_then_left_alone(self):
        time.sleep(2.2)  # files older than the racy window
        self.check()
        dat = os.path.join(self.cache, "poolify-cache.dat")
        log = dat + ".log"
        first = os.stat(dat)
        self.assertFalse(os.path.exists(log))
        path = os.path.join(self.root, "scrapers", "nbac_schedule_api.py")
        with open(path, "a") as f:
            f.write("\n# changed\n")
        time.sleep(2.2)  # the changed file too
        changed = self.check()
        self.assertEqual(changed.stdout, run(self.root, "check", "--format", "json", "--no-cache", ".").stdout)
        before = os.stat(dat)
        self.assertEqual((before.st_ino, before.st_mtime_ns), (first.st_ino, first.st_mtime_ns))
        self.assertTrue(0 < os.path.getsize(log) < before.st_size // 4)
        logged = os.stat(log)
        again = self.check()
        self.assertEqual(again.stdout, changed.stdout)
        total = len([1 for _, _, fs in os.walk(self.root) for f in fs if f.endswith(".py")])
        self.assertEqual(reused(again.stderr), total)
        after = os.stat(dat)
        self.assertEqual((after.st_ino, after.st_mtime_ns), (before.st_ino, before.st_mtime_ns))
        self.assertEqual((os.stat(log).st_size, os.stat(log).st_mtime_ns), (logged.st_size, logged.st_mtime_ns))

    def test_a_cache_file_that_cannot_be_written_is_one_warning_and_the_other_is_still_written(self):
        # The per-file cache and the results are written side by side: a failure of either is said
        # once, changes nothing in the findings or the exit code, and does not stop the other's write.
        # (A folder where the file goes: the rename over it fails, for root too.)
        plain = run(self.root, "check", "--format", "json", "--no-cache", ".")
        for blocked, other in (("poolify-cache.dat", "poolify-results.dat"),
                               ("poolify-results.dat", "poolify-cache.dat")):
            with self.subTest(blocked=blocked):
                shutil.rmtree(self.cache, ignore_errors=True)
                os.makedirs(os.path.join(self.cache, blocked))
                p = self.check()
                self.assertEqual((p.code, p.stdout), (plain.code, plain.stdout), p.stderr)
                self.assertEqual(p.stderr.count("the cache could not be written"), 1, p.stderr)
                self.assertTrue(os.path.isdir(os.path.join(self.cache, blocked)))
                self.assertTrue(os.path.isfile(os.path.join(self.cache, other)), os.listdir(self.cache))
                self.assertEqual([f for f in os.listdir(self.cache) if ".poolify-" in f], [])  # no temp file left

    def test_a_file_with_an_unsafe_site_is_reused(self):
        root = os.path.join(self.tmp.name, "small")
        write_pools(root)
        write_file(root, "poolify.yaml", "")
        write_file(root, "jobs/run.py", BQ_INFERRED_SRC)
        total = len([1 for _, _, fs in os.walk(root) for f in fs if f.endswith(".py")])
        cold = run(root, "check", "--cache", self.cache, ".")
        self.assertIn("1 more fixable with --unsafe-fixes", cold.stderr)
        warm = run(root, "check", "--cache", self.cache, ".")
        self.assertEqual((warm.code, warm.stdout), (cold.code, cold.stdout))
        self.assertEqual(reused(warm.stderr), total, warm.stderr)

    def test_runs_with_and_without_unsafe_fixes_never_share_an_outcome(self):
        # A plain run leaves the 8 unsafe fixes that --unsafe-fixes applies: an outcome cached by one must
        # never be served to the other. Each run equals the same run without a cache.
        def cached(command, flags):
            return run(self.root, command, *flags, "--cache", self.cache, *(
                ("--format", "json") if command == "manifest" else ()), ".")

        def fresh(command, flags):
            return run(self.root, command, *flags, "--no-cache", *(
                ("--format", "json") if command == "manifest" else ()), ".")

        for command in ("manifest", "migrate"):
            shutil.rmtree(self.cache, ignore_errors=True)
            want = {flags: fresh(command, flags) for flags in ((), ("--unsafe-fixes",))}
            self.assertNotEqual(want[()].stdout, want[("--unsafe-fixes",)].stdout)
            hits = []
            for flags in ((), (), ("--unsafe-fixes",), ("--unsafe-fixes",), (), ("--unsafe-fixes",)):
                with self.subTest(command=command, flags=flags):
                    got = cached(command, flags)
                    self.assertEqual((got.code, got.stdout), (want[flags].code, want[flags].stdout))
                    self.assertEqual(re.sub(r"poolify: reused .*\n", "", got.stderr), want[flags].stderr)
                    hits.append(reused(got.stderr))
            # The cache was used: the second run of each kind in a row reused files.
            self.assertGreater(hits[1], 0, (command, hits))
            self.assertGreater(hits[3], 0, (command, hits))

    def test_an_import_kept_for_another_module_follows_that_module(self):
        # pkg/loader.py's `bigquery` import is left unused by the rewrite; whether it stays depends on
        # pkg/report.py (`from pkg.loader import bigquery`), not on loader's bytes: a warm run must see
        # report.py change, both ways, and give what a cold run gives.
        root = os.path.join(self.tmp.name, "crossmod")
        write_pools(root)
        write_file(root, "poolify.yaml", "")
        write_file(root, "pkg/__init__.py", "")
        write_file(root, "pkg/loader.py", "from google.cloud import bigquery\n\nPROJECT_ID = 'p'\n\n\n"
                   "def row_count(table):\n    return bigquery.Client(project=PROJECT_ID).get_table(table).num_rows\n")
        uses = "from pkg.loader import bigquery\n\nCONFIG = bigquery.QueryJobConfig()\n"
        plain = "CONFIG = None\n"
        for text, kept in ((uses, True), (plain, False), (uses, True)):
            with self.subTest(kept=kept):
                write_file(root, "pkg/report.py", text)
                warm = run(root, "migrate", "--explain", "--cache", self.cache, ".")
                cold = run(root, "migrate", "--explain", "--no-cache", ".")
                self.assertEqual((warm.code, warm.stdout), (cold.code, cold.stdout))
                self.assertEqual("-from google.cloud import bigquery" in warm.stdout, not kept, warm.stdout)
                self.assertEqual("import kept: pkg/report.py:1 imports bigquery from this module" in warm.stderr,
                                 kept, warm.stderr)

    def test_a_session_configured_in_another_module_follows_that_module(self):
        # pkg/base.py's `self.session = requests.Session()` is shared with --unsafe-fixes unless other
        # code configures it through `session`: that depends on pkg/authed.py, not on base's bytes. A
        # warm run (whose plan of base.py comes from the cache) must see authed.py change, both ways,
        # and give what a cold run gives; check (which takes the last run's results whole when no
        # file changed) and manifest must agree with migrate.
        root = os.path.join(self.tmp.name, "session")
        write_pools(root)
        write_file(root, "poolify.yaml", "")
        write_file(root, "pkg/__init__.py", "")
        write_file(root, "pkg/base.py", "import requests\n\n\nclass BaseClient:\n    def __init__(self):\n"
                   "        self.session = requests.Session()\n\n    def fetch(self, url):\n"
                   "        return self.session.get(url, timeout=10)\n")
        head = "from pkg.base import BaseClient\n\n\nclass AuthedClient(BaseClient):\n" \
               "    def __init__(self, token):\n        super().__init__()\n"
        plain = head + "        self.token = token\n"
        configured = head + "        self.session.headers.update({'Authorization': token})\n"
        reason = "session is configured by other code (pkg/authed.py:7: .headers)"
        for text, left in ((plain, False), (plain, False), (configured, True), (configured, True), (plain, False)):
            with self.subTest(left=left):
                write_file(root, "pkg/authed.py", text)
                warm = run(root, "migrate", "--unsafe-fixes", "--explain", "--cache", self.cache, ".")
                cold = run(root, "migrate", "--unsafe-fixes", "--explain", "--no-cache", ".")
                said = [[line for line in r.stderr.splitlines() if not line.startswith("poolify:")] for r in (warm, cold)]
                self.assertEqual((warm.code, warm.stdout, said[0]), (cold.code, cold.stdout, said[1]))
                self.assertEqual("+        self.session = get_http_session()" in warm.stdout, not left, warm.stdout)
                self.assertEqual(reason in warm.stderr, left, warm.stderr)
                for command in (["check", "--unsafe-fixes", "--format", "json"], ["manifest", "--format", "json"]):
                    warm = run(root, *command, "--cache", self.cache, ".")
                    again = run(root, *command, "--cache", self.cache, ".")
                    cold = run(root, *command, "--no-cache", ".")
                    self.assertEqual((warm.code, warm.stdout), (cold.code, cold.stdout), command)
                    self.assertEqual((again.code, again.stdout), (cold.code, cold.stdout), command)
                    self.assertEqual(reason in cold.stdout, left, cold.stdout)

    def test_a_corrupt_cache_is_ignored_whole(self):
        self.check()
        cache_file = os.path.join(self.cache, "poolify-cache.dat")
        with open(cache_file, "rb") as f:
            data = f.read()
        self.assertIn(b"bigquery.Client", data)
        # Truncated; one byte of a site's text changed (same length); a length made longer; another
        # stamp; garbage; empty. None of them may change a single byte of the output.
        site = data.index(b"bigquery.Client")
        longer = re.sub(rb"(\d+) ", lambda m: str(int(m.group(1)) + 3).encode() + b" ", data[200:], count=1)
        for broken in (data[: len(data) // 2], data[:site] + b"X" + data[site + 1:], data[:200] + longer,
                       data.replace(b"poolify-cache", b"poolify-cachf", 1), b"garbage\n", b""):
            with open(cache_file, "wb") as f:
                f.write(broken)
            r = self.check()
            self.assertEqual(r.stdout, run(self.root, "check", "--format", "json", "--no-cache", ".").stdout)

    def test_other_rules_do_not_use_the_cache(self):
        self.check()
        rules = os.path.join(self.tmp.name, "rules")
        shutil.copytree(RULES, rules)
        with open(os.path.join(rules, "http.yaml"), "a") as f:
            f.write("\n# a change in a rule file invalidates the cache\n")
        r = self.check("--rules", rules)
        self.assertEqual(reused(r.stderr), 0)

    def test_no_cache_writes_nothing(self):
        r = run(self.root, "check", "--no-cache", "--cache", self.cache, ".")
        self.assertEqual(r.code, 1)
        self.assertFalse(os.path.exists(self.cache))

    def test_default_cache_lives_in_git_or_beside_the_tree(self):
        self.assertEqual(run(self.root, "check", ".").code, 1)  # the sites found, as without a cache
        self.assertTrue(os.path.exists(os.path.join(self.root, ".poolify-cache", "poolify-cache.dat")))
        subprocess.run(["git", "init", "-q"], cwd=self.root, check=True)
        shutil.rmtree(os.path.join(self.root, ".poolify-cache"))
        run(self.root, "check", ".")
        self.assertTrue(os.path.exists(os.path.join(self.root, ".git", "poolify-cache", "poolify-cache.dat")))
        self.assertFalse(os.path.exists(os.path.join(self.root, ".poolify-cache")))
        # migrate never writes a cache unless asked.
        shutil.rmtree(os.path.join(self.root, ".git", "poolify-cache"))
        run(self.root, "migrate", ".")
        self.assertFalse(os.path.exists(os.path.join(self.root, ".git", "poolify-cache")))

    def test_concurrent_runs_leave_a_usable_cache(self):
        time.sleep(2.2)  # files older than the racy window: the results the runs record can be taken whole
        procs = [subprocess.Popen([POOLIFY, "check", "--format", "json", "--cache", self.cache, "."], cwd=self.root,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
        outs = [p.communicate(timeout=120) for p in procs]
        self.assertEqual(len({o[0] for o in outs}), 1, "concurrent runs disagree")
        warm = self.check()
        self.assertEqual(warm.stdout, outs[0][0])
        self.assertGreater(reused(warm.stderr), 0)
        self.assertTrue(whole(warm.stderr), warm.stderr)  # the results one of them wrote, whole
        leftovers = [f for f in os.listdir(self.cache) if f.endswith(".tmp")]
        self.assertEqual(leftovers, [])


if __name__ == "__main__":
    POOLIFY, args = split_poolify_argv("cache_test.py", sys.argv[1:])
    unittest.main(argv=[sys.argv[0]] + args)
