#!/usr/bin/env python3
"""Self-test of tests/runtime_check.py: it must catch every kind of runtime regression a migration can
cause, and pass a tree that did not change.

    python3 tests/runtime_check_test.py [unittest arguments]

Builds one small tree in a temporary folder, holding one case per kind of regression, and a migrated
copy in which each case is broken the way poolify breaks it:

  pkg/missing_pool.py   imports a pool module that does not exist (and pkg/uses_missing.py imports it)
  fn_unit/              a unit that imports shared.clients.bigquery_pool, which only the tree root has
  fn_shadow/            a unit whose own shared/__init__.py (utils only) shadows the root's shared
  pkg/exporter.py       `from google.cloud import storage` removed: "pkg.exporter.storage.Client" breaks
  pkg/scraper.py,       the code calls the pool; the patches still resolve but no longer intercept
  pkg/proc.py             (a string target on requests.get; patch.object(proc.bigquery, "Client"))
  pkg/a.py, pkg/b.py    b does `from pkg.a import bigquery`, a no longer imports it (so tests/test_b.py
                        does not load: its patch of pkg.fine.triple is not "no longer intercepting")
  bin/tool.py           the pool import lands above the sys.path.insert it needs (--units bin); the
                        bin/backfill.py before it imports that pool correctly (tool must not find it
                        already loaded)

and, in both trees, a module that kills its interpreter, one that never finishes importing and a test
that always fails (none of them is a regression). The checker runs once on (tree, migrated copy) and
once on (tree, unchanged copy); each test method asserts on the JSON report. Last, a tree made by
scripts/gen_tree.py must come out the same twice and pass its own tests, strict, before any migration.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'scripts'))
from gen_tree import pool_source  # noqa: E402  (the generated trees' pools: same code here)
from testlib import write_file  # noqa: E402

CHECKER = os.path.join(HERE, 'runtime_check.py')
GENERATOR = os.path.join(os.path.dirname(HERE), 'scripts', 'gen_tree.py')

SLACK = 'def notify(text):\n    return text\n'
BEFORE = {
    'shared/__init__.py': '',
    'shared/clients/__init__.py': '',
    'shared/clients/bigquery_pool.py': pool_source('bigquery'),
    'shared/clients/http_pool.py': pool_source('http'),
    'shared/clients/storage_pool.py': pool_source('storage'),
    'shared/utils/__init__.py': '',
    'shared/utils/slack.py': SLACK,
    'pkg/__init__.py': '',
    'pkg/fine.py': 'def double(x):\n    return 2 * x\n\n\ndef triple(x):\n    return 3 * x\n',
    'pkg/crash.py': 'import os\n\nos._exit(3)\n',
    'pkg/hang.py': 'while True:\n    pass\n',
    'pkg/missing_pool.py': ('from google.cloud import firestore\n\nPROJECT_ID = "p"\n\n\n'
                            'def db():\n    return firestore.Client(project=PROJECT_ID)\n'),
    'pkg/uses_missing.py': 'from pkg.missing_pool import db\n\nDB = db\n',
    'pkg/exporter.py': ('from google.cloud import storage\n\n\n'
                        'def upload(name, data):\n'
                        '    storage.Client(project="p").bucket("b").blob(name).upload_from_string(data)\n'),
    'pkg/scraper.py': ('import requests\n\n\n'
                       'def fetch(url):\n    try:\n        return requests.get(url, timeout=5).json()\n'
                       '    except requests.exceptions.Timeout:\n        return None\n'),
    'pkg/proc.py': ('from google.cloud import bigquery\n\n\n'
                    'class Proc:\n    def __init__(self, project_id):\n'
                    '        self.client = bigquery.Client(project=project_id)\n'
                    '        self.config = bigquery.QueryJobConfig(use_legacy_sql=False)\n'),
    'pkg/a.py': 'from google.cloud import bigquery\n\n\ndef client():\n    return bigquery.Client(project="p")\n',
    'pkg/b.py': 'from pkg.a import bigquery\n\n\ndef config():\n    return bigquery.QueryJobConfig()\n',
    'fn_unit/main.py': ('from google.cloud import bigquery\n\n\n'
                        'def handler(request):\n    return bigquery.Client(project="p").query("SELECT 1")\n'),
    'fn_unit/requirements.txt': 'google-cloud-bigquery\n',
    'fn_shadow/main.py': ('from google.cloud import bigquery\n\nfrom shared.utils.slack import notify\n\n\n'
                          'def handler(request):\n    notify("run")\n    return bigquery.Client(project="p")\n'),
    'fn_shadow/requirements.txt': 'google-cloud-bigquery\n',
    'fn_shadow/shared/__init__.py': '',
    'fn_shadow/shared/utils/__init__.py': '',
    'fn_shadow/shared/utils/slack.py': SLACK,
    'bin/tool.py': ('import os\nimport sys\n\n'
                    'sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n\n'
                    'from google.cloud import bigquery  # noqa: E402\n\nimport shared.clients  # noqa: E402\n\n\n'
                    'def run():\n    return bigquery.Client(project="p")\n'),
    'bin/backfill.py': ('import os\nimport sys\n\n'
                        'sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n\n'
                        'from shared.clients.bigquery_pool import get_bigquery_client  # noqa: E402\n'),
    'tests/__init__.py': '',
    'tests/test_b.py': '''import unittest
from unittest import mock

from pkg import b


class BTest(unittest.TestCase):
    @mock.patch("pkg.fine.triple")
    def test_config(self, mock_triple):
        self.assertIsNotNone(b.config())
''',
    'tests/test_cases.py': '''import unittest
from unittest import mock

from pkg import exporter, fine, proc, scraper

EXPORT_TARGET = "pkg.exporter.storage.Client"


class ExporterTest(unittest.TestCase):
    @mock.patch("pkg.fine.double")
    @mock.patch(EXPORT_TARGET)
    def test_upload(self, mock_client, mock_double):
        exporter.upload("x.json", "{}")
        mock_client.assert_called_once_with(project="p")


class ScraperTest(unittest.TestCase):
    def test_fetch(self):
        with mock.patch("pkg.scraper.requests.get") as mock_get:
            mock_get.return_value.json.return_value = {"ok": True}
            self.assertEqual(scraper.fetch("https://example.com"), {"ok": True})

    @mock.patch("pkg.fine.double", return_value=0)
    def test_decorated_neighbour(self, mock_double):
        self.assertEqual(fine.double(3), 0)


class ProcTest(unittest.TestCase):
    def test_client(self):
        with mock.patch.object(proc.bigquery, "Client") as mock_client:
            proc.Proc("p")
        mock_client.assert_called_once_with(project="p")


class FineTest(unittest.TestCase):
    def test_fine(self):
        self.assertEqual(fine.double(2), 4)

    def test_always_fails(self):
        self.assertEqual(fine.double(2), 5)
''',
}

# What poolify's current output does to each case.
MIGRATED = {
    'pkg/missing_pool.py': ('from shared.clients.firestore_pool import get_firestore_client\n\nPROJECT_ID = "p"\n\n\n'
                            'def db():\n    return get_firestore_client(project_id=PROJECT_ID)\n'),
    'pkg/exporter.py': ('from shared.clients.storage_pool import get_storage_client\n\n\n'
                        'def upload(name, data):\n'
                        '    get_storage_client(project_id="p").bucket("b").blob(name).upload_from_string(data)\n'),
    'pkg/scraper.py': ('import requests\nfrom shared.clients.http_pool import get\n\n\n'
                       'def fetch(url):\n    try:\n        return get(url, timeout=5).json()\n'
                       '    except requests.exceptions.Timeout:\n        return None\n'),
    'pkg/proc.py': ('from google.cloud import bigquery\nfrom shared.clients.bigquery_pool import get_bigquery_client\n\n\n'
                    'class Proc:\n    def __init__(self, project_id):\n'
                    '        self.client = get_bigquery_client(project_id=project_id)\n'
                    '        self.config = bigquery.QueryJobConfig(use_legacy_sql=False)\n'),
    'pkg/a.py': ('from shared.clients.bigquery_pool import get_bigquery_client\n\n\n'
                 'def client():\n    return get_bigquery_client(project_id="p")\n'),
    'fn_unit/main.py': ('from shared.clients.bigquery_pool import get_bigquery_client\n\n\n'
                        'def handler(request):\n    return get_bigquery_client(project_id="p").query("SELECT 1")\n'),
    'fn_shadow/main.py': ('from shared.clients.bigquery_pool import get_bigquery_client\nfrom shared.utils.slack import notify\n\n\n'
                          'def handler(request):\n    notify("run")\n    return get_bigquery_client(project_id="p")\n'),
    'bin/tool.py': ('import os\nimport sys\nfrom shared.clients.bigquery_pool import get_bigquery_client\n\n'
                    'sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n\n'
                    'import shared.clients  # noqa: E402\n\n\n'
                    'def run():\n    return get_bigquery_client(project_id="p")\n'),
}


def build(root, files):
    for rel, text in files.items():
        write_file(root, rel, text)


def check(before, after, out):
    """Run the checker; (exit status, stderr, the JSON report)."""
    proc = subprocess.run([sys.executable, CHECKER, '--before', before, '--after', after, '--json', out,
                           '--units', 'bin', '--item-timeout', '3', '--timeout', '120'],
                          capture_output=True, text=True, timeout=600)
    with open(out, encoding='utf-8') as f:
        return proc.returncode, proc.stderr, json.load(f)


class RuntimeCheckTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='runtime-check-test-')
        before, after, same = (os.path.join(cls.tmp, name) for name in ('before', 'after', 'same'))
        build(before, BEFORE)
        shutil.copytree(before, after)
        shutil.copytree(before, same)
        build(after, MIGRATED)
        cls.status, cls.stderr, cls.report = check(before, after, os.path.join(cls.tmp, 'migrated.json'))
        cls.same_status, cls.same_stderr, cls.same = check(before, same, os.path.join(cls.tmp, 'same.json'))
        reg = cls.report['regressions']
        cls.modules = {(r['root'], r['module']): r for r in reg['modules']}
        cls.tests = {r['test']: r for r in reg['tests']}
        cls.targets = {r['target']: r for r in reg['patch_targets']}
        cls.not_intercepting = {r['target']: r for r in reg['patches_not_intercepting']}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_unchanged_tree_passes(self):
        self.assertEqual(self.same_status, 0, self.same_stderr)
        self.assertEqual(self.same['regressions'],
                         {'modules': [], 'tests': [], 'patch_targets': [], 'patches_not_intercepting': []})
        self.assertIn('no regressions', self.same_stderr)
        counts = self.same['counts']['before']
        self.assertEqual((counts['repo']['tests'], counts['repo']['passed']), (7, 6))
        self.assertEqual((counts['repo']['patch_sites'], counts['repo']['patch_sites_resolved']), (6, 6))
        self.assertEqual((counts['unit']['roots'], counts['extra']['roots']), (2, 1))

    def test_everything_else_imports_in_both_trees(self):
        failing = {(r['root'], r['module']) for r in self.same['failures']['before']['modules']}
        self.assertEqual(failing, {('.', 'pkg.crash'), ('.', 'pkg.hang')})
        self.assertEqual(self.same['counts']['before']['repo']['imported'],
                         self.same['counts']['before']['repo']['modules'] - 2)

    def test_crashing_and_hanging_imports_are_bounded(self):
        errors = {r['module']: r['error'] for r in self.same['failures']['after']['modules']}
        self.assertIn('status 3', errors['pkg.crash'])
        self.assertIn('timed out', errors['pkg.hang'])

    def test_regressions_exit_1(self):
        self.assertEqual(self.status, 1, self.stderr)
        self.assertIn('REGRESSIONS', self.stderr)

    def test_exactly_the_broken_modules(self):
        self.assertEqual(set(self.modules), {('.', 'pkg.missing_pool'), ('.', 'pkg.uses_missing'), ('.', 'pkg.b'),
                                             ('.', 'tests.test_b'), ('fn_unit', 'main'), ('fn_shadow', 'main'),
                                             ('bin', 'tool')})

    def test_missing_pool_module(self):
        for module in ('pkg.missing_pool', 'pkg.uses_missing'):
            r = self.modules[('.', module)]
            self.assertIn("No module named 'shared.clients.firestore_pool'", r['error'])
            self.assertEqual(r['where'], 'pkg/missing_pool.py:1')

    def test_unit_cannot_reach_the_root_shared(self):
        r = self.modules[('fn_unit', 'main')]
        self.assertEqual(r['kind'], 'unit')
        self.assertIn("No module named 'shared'", r['error'])

    def test_unit_own_shared_shadows_the_root(self):
        r = self.modules[('fn_shadow', 'main')]
        self.assertEqual(r['kind'], 'unit')
        self.assertIn("No module named 'shared.clients'", r['error'])

    def test_pool_import_above_sys_path_insert(self):
        r = self.modules[('bin', 'tool')]
        self.assertEqual((r['kind'], r['where']), ('extra', 'bin/tool.py:3'))

    def test_removed_name_imported_elsewhere(self):
        self.assertIn("cannot import name 'bigquery' from 'pkg.a'", self.modules[('.', 'pkg.b')]['error'])

    def test_removed_import_breaks_string_target(self):
        r = self.targets['pkg.exporter.storage.Client']
        self.assertIn("has no attribute 'storage'", r['error'])
        self.assertEqual((r['file'], r['line']), ('tests/test_cases.py', 11))
        self.assertEqual(self.tests['tests.test_cases.ExporterTest.test_upload']['outcome'], 'error')

    def test_patches_that_no_longer_intercept(self):
        self.assertEqual(self.not_intercepting['pkg.scraper.requests.get']['tests'],
                         ['tests.test_cases.ScraperTest.test_fetch'])
        self.assertIn('would reach real network', self.not_intercepting['pkg.scraper.requests.get']['detail'])
        self.assertEqual(self.not_intercepting['pkg.proc.bigquery.Client']['tests'],
                         ['tests.test_cases.ProcTest.test_client'])

    def test_each_patch_counted_once(self):
        # only the patch that broke: not the other patch of its test, nor one of the next test in its class
        self.assertEqual(set(self.targets), {'pkg.exporter.storage.Client'})
        self.assertEqual(set(self.not_intercepting), {'pkg.scraper.requests.get', 'pkg.proc.bigquery.Client'})

    def test_exactly_the_broken_tests(self):
        self.assertEqual(set(self.tests), {'tests.test_cases.ExporterTest.test_upload',
                                           'tests.test_cases.ScraperTest.test_fetch',
                                           'tests.test_cases.ProcTest.test_client',
                                           'tests.test_b.BTest.test_config'})

    def test_test_of_a_module_that_no_longer_loads(self):
        r = self.tests['tests.test_b.BTest.test_config']
        self.assertEqual(r['outcome'], 'missing')
        self.assertIn("cannot import name 'bigquery' from 'pkg.a'", r['detail'])


class GeneratedTreeTest(unittest.TestCase):
    """scripts/gen_tree.py: deterministic, and its tree passes its own tests (strict) before migration."""

    def test_generated_tree_imports_and_passes_its_tests(self):
        with tempfile.TemporaryDirectory(prefix='gen-tree-test-') as tmp:
            trees = [os.path.join(tmp, name) for name in ('one', 'two')]
            for tree in trees:
                subprocess.run([sys.executable, GENERATOR, '--out', tree, '--scale', '1', '--seed', '7'],
                               check=True, capture_output=True, timeout=120)
            same = subprocess.run(['diff', '-r', '--no-dereference', trees[0], trees[1]], capture_output=True)
            self.assertEqual(same.returncode, 0, same.stdout[-2000:])
            status, stderr, report = check(trees[0], trees[1], os.path.join(tmp, 'report.json'))
            self.assertEqual(status, 0, stderr)
            self.assertEqual(report['failures']['before'], {'modules': [], 'tests': [], 'patch_targets': []})
            counts = report['counts']['before']
            self.assertEqual((counts['unit']['roots'], counts['repo']['tests']), (6, counts['repo']['passed']))
            self.assertGreater(counts['repo']['patch_sites'], 50)


if __name__ == '__main__':
    unittest.main()
