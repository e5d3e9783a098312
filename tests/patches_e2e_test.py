#!/usr/bin/env python3
"""Test patches that follow the code, run for real: a small tree with a BigQuery loader, an http
fetcher, the pool modules (which build clients through the libraries) and a unittest suite that patches
the clients every way poolify retargets (decorator, context manager, patch.object, aliased imports,
assertions with the direct call's keywords). The suite runs with the fake client libraries of
tests/fakes and FAKE_CLIENTS_STRICT=1, so a client constructor or request that no patch intercepts
raises: before `migrate --apply`, after it (the patches were retargeted and still intercept: each test
checks its mock was called; the POST site is an unsafe fix, so the run passes --unsafe-fixes), and, as the control that shows the check can fail, on the migrated code
with the test file as it was (its old targets no longer resolve).

Run: python3 tests/patches_e2e_test.py --poolify build/poolify
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from testlib import run_poolify, split_poolify_argv, write_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKES = os.path.join(ROOT, "tests", "fakes")
POOLIFY = None

FILES = {
    "shared/__init__.py": "",
    "shared/clients/__init__.py": "",
    "shared/clients/bigquery_pool.py": '''"""One BigQuery client per (project, location)."""
import threading

from google.cloud import bigquery

_lock = threading.Lock()
_clients = {}


def get_bigquery_client(project_id=None, location=None):
    with _lock:
        key = (project_id, location)
        if key not in _clients:
            _clients[key] = bigquery.Client(project=project_id, location=location)
        return _clients[key]
''',
    "shared/clients/http_pool.py": '''"""Module-level request functions over one shared session."""
import requests


def get(url, params=None, **kwargs):
    return requests.get(url, params=params, **kwargs)


def post(url, data=None, json=None, **kwargs):
    return requests.post(url, data=data, json=json, **kwargs)
''',
    "pkg/__init__.py": "",
    "pkg/loader.py": '''"""Loads tables from BigQuery."""
from google.cloud import bigquery


def load(table, project_id):
    client = bigquery.Client(project=project_id)
    return client.get_table(table)


def load_eu(table, project_id):
    client = bigquery.Client(project_id, location="EU")
    return client.get_table(table)
''',
    "pkg/fetch.py": '''import requests

URL = "https://example.com/prices.json"


def fetch():
    return requests.get(URL, timeout=30).json()


def push(prices):
    return requests.post(URL, json=prices, timeout=30).status_code
''',
    "tests/__init__.py": "",
    "tests/test_loader.py": '''import unittest
from unittest import mock
from unittest import mock as um
from unittest.mock import call
from unittest.mock import patch as p

from pkg import loader


class LoaderTest(unittest.TestCase):
    @mock.patch("pkg.loader.bigquery.Client")
    def test_decorator(self, client_cls):
        client_cls.return_value.get_table.return_value = "t"
        self.assertEqual(loader.load("events", "p"), "t")
        client_cls.assert_called_once_with(project="p")
        client_cls.return_value.get_table.assert_called_once_with("events")

    def test_context_manager(self):
        with p("pkg.loader.bigquery.Client") as client_cls:
            loader.load_eu("events", "p")
        client_cls.assert_called_once_with("p", location="EU")

    @mock.patch.object(loader.bigquery, "Client")
    def test_patch_object(self, client_cls):
        loader.load("events", "p")
        loader.load_eu("events", "q")
        client_cls.assert_has_calls([call(project="p"), call().get_table("events"), call("q", location="EU"),
                                     call().get_table("events")])

    @um.patch("pkg.loader.bigquery.Client")
    def test_aliased(self, client_cls):
        loader.load("events", "p")
        self.assertEqual(client_cls.call_count, 1)
''',
    "tests/test_fetch.py": '''import unittest
from unittest import mock

from pkg import fetch


class FetchTest(unittest.TestCase):
    @mock.patch("pkg.fetch.requests.get")
    def test_get(self, get):
        get.return_value.json.return_value = {"a": 1}
        self.assertEqual(fetch.fetch(), {"a": 1})
        get.assert_called_once_with(fetch.URL, timeout=30)

    def test_post(self):
        with mock.patch("pkg.fetch.requests.post") as post:
            post.return_value.status_code = 204
            self.assertEqual(fetch.push({}), 204)
        post.assert_called_once_with(fetch.URL, json={}, timeout=30)
''',
}


# A subclass that gets its client from its base, and a test that patches the library through the
# subclass's module: the site it reaches is in the base's module, which the retargeted patch must
# name as the test imports it.
INHERITED = {
    "pkg/base.py": '''from google.cloud import bigquery


class Base:
    def __init__(self, project_id):
        self.project_id = project_id
        self.bq_client = bigquery.Client(project=self.project_id)
''',
    "pkg/job.py": '''from google.cloud import bigquery

from pkg.base import Base


class Job(Base):
    def run(self):
        return self.bq_client.query("select 1", job_config=bigquery.QueryJobConfig())
''',
    "tests/test_job.py": '''import unittest
from unittest import mock

from pkg.job import Job


class JobTest(unittest.TestCase):
    @mock.patch("pkg.job.bigquery.Client")
    def test_query(self, client_cls):
        Job("p").run()
        self.assertTrue(client_cls.called)
''',
}


def run_tests(tree):
    """unittest discovery in `tree` with the fakes behind it; (exit code, output)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([tree, FAKES]), FAKE_CLIENTS_STRICT="1",
               PYTHONDONTWRITEBYTECODE="1")
    p = subprocess.run([sys.executable, "-m", "unittest", "discover", "-s", "tests", "-t", ".", "-v"], cwd=tree,
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    return p.returncode, p.stdout


class PatchesFollowTheCode(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tree = os.path.join(tmp.name, "tree")
        for rel, body in FILES.items():
            write_file(self.tree, rel, body)

    def migrate(self):
        r = run_poolify(POOLIFY, ["migrate", "--apply", "--explain", "--unsafe-fixes", "."], self.tree, text=True)
        self.assertEqual(r.code, 0, r.stderr)
        return r.stderr

    def test_patches_intercept_before_and_after_migration(self):
        code, out = run_tests(self.tree)
        self.assertEqual(code, 0, "the suite must pass before the migration:\n" + out)
        self.assertIn("Ran 6 tests", out)
        explain = self.migrate()
        with open(os.path.join(self.tree, "pkg", "loader.py")) as f:
            self.assertNotIn("bigquery.Client", f.read(), "every site is migrated")
        with open(os.path.join(self.tree, "tests", "test_loader.py")) as f:
            test = f.read()
        self.assertIn('@mock.patch("pkg.loader.get_bigquery_client")', test)
        self.assertIn('with p("pkg.loader.get_bigquery_client") as client_cls:', test)
        self.assertIn('@mock.patch.object(loader, "get_bigquery_client")', test)
        self.assertIn('client_cls.assert_called_once_with(project_id="p")', test)
        self.assertIn('client_cls.assert_called_once_with(project_id="p", location="EU")', test)
        with open(os.path.join(self.tree, "tests", "test_fetch.py")) as f:
            self.assertIn('@mock.patch("pkg.fetch.get")', f.read())
        self.assertEqual(explain.count("test patch retargeted"), 6, explain)
        self.assertIn("retargeted 6 test patches", explain)
        code, out = run_tests(self.tree)
        self.assertEqual(code, 0, "the retargeted patches must still intercept:\n" + out)
        self.assertIn("Ran 6 tests", out)
        # A second run has nothing left to do.
        r = run_poolify(POOLIFY, ["migrate", "--unsafe-fixes", "."], self.tree, text=True)
        self.assertEqual((r.code, r.stdout), (0, ""), r.stderr)

    def test_a_patch_moved_to_another_module_is_named_from_the_root_the_test_imports_from(self):
        # poolify started in the tree's parent names the tree's modules "tree.pkg...", the test
        # imports them as "pkg...": the retargeted patch must use the test's names, or it would patch
        # a second copy of the module (or none) and intercept nothing.
        for rel, body in INHERITED.items():
            write_file(self.tree, rel, body)
        self.migrate_from_parent("tests/test_job.py", '@mock.patch("pkg.base.get_bigquery_client")')

    def test_a_patch_of_the_library_is_retargeted_under_the_name_the_test_imports(self):
        # A patch of the library itself reaches the sites of every module the test imports; moved to
        # the one module that holds them, it must name that module as the test's sys.path imports it
        # ("pkg.loader"), not as the run started in the tree's parent calls it ("tree.pkg.loader").
        write_file(self.tree, "tests/test_library.py", """import unittest
from unittest import mock

from pkg import loader


class LibraryPatchTest(unittest.TestCase):
    @mock.patch("google.cloud.bigquery.Client")
    def test_library(self, client_cls):
        loader.load("events", "p")
        self.assertEqual(client_cls.call_count, 1)
""")
        self.migrate_from_parent("tests/test_library.py", '@mock.patch("pkg.loader.get_bigquery_client")')

    def migrate_from_parent(self, test_rel, patch):
        # The tree has a poolify.yaml (its root is the import root) and poolify runs in its parent,
        # which names the tree's modules "tree.pkg...": the test file `test_rel` must get `patch`, and
        # the migrated suite must pass (every patch still intercepts).
        write_file(self.tree, "poolify.yaml", "# the tree's root: its modules import from here\n")
        parent = os.path.dirname(self.tree)
        r = run_poolify(POOLIFY, ["migrate", "--apply", "--unsafe-fixes", "tree"], parent, text=True)
        self.assertEqual(r.code, 0, r.stderr)
        with open(os.path.join(self.tree, test_rel)) as f:
            test = f.read()
        self.assertIn(patch, test)
        self.assertNotIn("tree.", test)
        code, out = run_tests(self.tree)
        self.assertEqual(code, 0, "the retargeted patches must still intercept:\n" + out)
        self.assertIn("Ran 7 tests", out)

    def test_the_old_patches_fail_on_migrated_code(self):
        # The control: migrated code with the test files as they were. The suite must fail, or the
        # check above could not tell a retargeted patch from one that no longer intercepts.
        originals = {rel: FILES[rel] for rel in ("tests/test_loader.py", "tests/test_fetch.py")}
        self.migrate()
        for rel, body in originals.items():
            write_file(self.tree, rel, body)
        code, out = run_tests(self.tree)
        self.assertNotEqual(code, 0, out)
        self.assertIn("has no attribute 'bigquery'", out)
        self.assertIn("has no attribute 'requests'", out)


if __name__ == "__main__":
    POOLIFY, args = split_poolify_argv("patches_e2e_test.py", sys.argv[1:])
    if not shutil.which(sys.executable):
        sys.exit("no python")
    unittest.main(argv=[sys.argv[0]] + args)
