#!/usr/bin/env python3
"""Pool imports and `from M import *`, run for real: a name poolify adds at module level to a module
without __all__ is bound by every star import of it (and on through star importers without __all__),
where it could rebind a name the importer has (a cache's `get`) or give a value to one it reads.

For each golden case of that family (fixtures/golden/347..352), a scratch copy of input/ is migrated
with `poolify migrate --apply`, and a probe imports the star importers and calls them, before and after,
with the fake client libraries of tests/fakes on the path: the output must be the same (the stand-in
pool's functions raise, so a call that reaches the pool instead of the cache shows). A second migrate
run must change nothing.

Run: python3 tests/star_import_runtime_test.py --poolify build/poolify
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from testlib import run_poolify, split_poolify_argv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "fixtures", "golden")
FAKES = os.path.join(ROOT, "tests", "fakes")
POOLIFY = None

# case -> the probe run in the tree (its output is compared before and after the migration).
PROBE_PRELUDE = '''
def show(f, *args):
    try:
        print(repr(f(*args)))
    except Exception as e:
        print(type(e).__name__)
'''
PROBES = {
    "353-star-import-importer-imports-name-first-qualified": '''
from pkg import consumer
show(consumer.lookup, "k")
''',
    "354-star-import-importer-binds-or-reads-name-qualified": '''
from pkg import reports, settings, views
show(settings.get, "k")
print(views.get.__module__)
show(reports.report, "k")
''',
    "355-star-import-transitive-chain-qualified": '''
from app import main
show(main.lookup, "k")
''',
    "356-star-import-module-with-all-plain": '''
from pkg import consumer
show(consumer.lookup, "k")
''',
    "357-star-import-no-clash-plain": '''
from pkg import cached
show(cached.lookup, "k")
''',
    "358-star-import-get-and-http-pool-taken-left": '''
from pkg import consumer
show(consumer.lookup, "k")
print(type(consumer.http_pool).__name__, consumer.http_pool.maxsize)
''',
}


def probe(tree, code):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([tree, FAKES]), PYTHONDONTWRITEBYTECODE="1")
    env.pop("FAKE_CLIENTS_STRICT", None)
    p = subprocess.run([sys.executable, "-c", PROBE_PRELUDE + code], cwd=tree, env=env, capture_output=True,
                       text=True, timeout=60)
    return f"exit {p.returncode}\n{p.stdout}{p.stderr[-2000:]}"


class StarImportRuntime(unittest.TestCase):

    def check_case(self, case):
        with tempfile.TemporaryDirectory() as tmp:
            before = os.path.join(tmp, "before")
            after = os.path.join(tmp, "after")
            shutil.copytree(os.path.join(GOLDEN, case, "input"), before)
            shutil.copytree(before, after)
            code, _, err = run_poolify(POOLIFY, ["migrate", "--apply", "."], cwd=after, text=True)
            self.assertEqual(code, 0, err)
            code, out, err = run_poolify(POOLIFY, ["migrate", "."], cwd=after, text=True)
            self.assertEqual((code, out), (0, ""), err)
            expected = probe(before, PROBES[case])
            self.assertTrue(expected.startswith("exit 0\n"), expected)
            self.assertEqual(probe(after, PROBES[case]), expected)

    def test_every_case_has_its_probe(self):
        family = sorted(c for c in os.listdir(GOLDEN) if c.partition("-")[2].startswith("star-import-"))
        self.assertEqual(family, sorted(PROBES))

    def test_importer_imports_name_first(self):
        self.check_case("353-star-import-importer-imports-name-first-qualified")

    def test_importer_binds_or_reads_name(self):
        self.check_case("354-star-import-importer-binds-or-reads-name-qualified")

    def test_transitive_chain(self):
        self.check_case("355-star-import-transitive-chain-qualified")

    def test_module_with_all(self):
        self.check_case("356-star-import-module-with-all-plain")

    def test_no_clash(self):
        self.check_case("357-star-import-no-clash-plain")

    def test_both_names_taken(self):
        self.check_case("358-star-import-get-and-http-pool-taken-left")


if __name__ == "__main__":
    POOLIFY, argv = split_poolify_argv(__file__, sys.argv)
    unittest.main(argv=argv)
