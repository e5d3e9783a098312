#!/usr/bin/env python3
"""The release artifacts of scripts/package.sh (python3 standard library, npm, tar, readelf).

    package_test.py --poolify BIN [unittest options]

Packages BIN with `scripts/package.sh --binary BIN --out TMP` (no build, no network), then:
- the archive poolify-<version>-linux-x64.tar.gz holds exactly the stripped binary, LICENSE and
  README.md under poolify-<version>-linux-x64/, and is the same bytes when packaged again;
- the npm package poolify-<version>.tgz installs offline (`npm install --global --offline` into a
  scratch prefix, with an empty npm cache) and its `bin` is the binary itself;
- with the build folder BIN lives in renamed away, the installed poolify, run from another folder,
  checks a copy of fixtures/pipeline in under a second (the rules it uses are the embedded ones).
ctest runs this test alone (RUN_SERIAL): no other test may need the build folder meanwhile. The
folder gets its name back however the test ends.
"""

import json
import os
import shutil
import signal
import sys
import tarfile
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import package, run_command, split_poolify_argv  # noqa: E402

POOLIFY = None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINE = os.path.join(ROOT, 'fixtures', 'pipeline')


def run(args, cwd=None, env=None):
    """run_command() with the time packaging and an npm install may take."""
    return run_command(args, cwd, env, timeout=300)


def has_symbols(path):
    code, out, err = run(['readelf', '-S', '-W', path])
    assert code == 0, err
    return '.symtab' in out or '.debug_info' in out


class MovedAway:
    """Renames `path` to a sibling for the duration of a with-block (also on SIGTERM/SIGINT)."""

    def __init__(self, path):
        self.path, self.moved = path, path + '.moved-away-by-package-test'

    def restore(self, *_):
        if os.path.exists(self.moved) and not os.path.exists(self.path):
            os.rename(self.moved, self.path)

    def __enter__(self):
        self.old = {s: signal.signal(s, self._signal) for s in (signal.SIGTERM, signal.SIGINT)}
        os.rename(self.path, self.moved)
        return self

    def _signal(self, signum, frame):
        self.restore()
        raise SystemExit(128 + signum)

    def __exit__(self, *exc):
        self.restore()
        for s, h in self.old.items():
            signal.signal(s, h)


class PackageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='poolify-package-test-')
        cls.dist = os.path.join(cls.tmp, 'dist')
        cls.artifacts = package(POOLIFY, cls.dist)
        cls.version = run([POOLIFY, '--version'])[1].split()[1]

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_artifact_names(self):
        self.assertEqual([os.path.basename(a) for a in self.artifacts],
                         ['poolify-%s-linux-x64.tar.gz' % self.version, 'poolify-%s.tgz' % self.version])
        for a in self.artifacts:
            self.assertTrue(os.path.isfile(a), a)

    def test_archive(self):
        name = 'poolify-%s-linux-x64' % self.version
        with tarfile.open(self.artifacts[0]) as t:
            members = {m.name: m for m in t.getmembers()}
            self.assertEqual(sorted(members), [name, name + '/LICENSE', name + '/README.md', name + '/poolify'])
            self.assertEqual(members[name + '/poolify'].mode & 0o777, 0o755)
            self.assertEqual((members[name + '/poolify'].uid, members[name + '/poolify'].uname), (0, ''))
            with open(os.path.join(ROOT, 'LICENSE'), 'rb') as f:
                self.assertEqual(t.extractfile(name + '/LICENSE').read(), f.read())
            unpacked = os.path.join(self.tmp, 'unpacked')
            t.extractall(unpacked)
        binary = os.path.join(unpacked, name, 'poolify')
        self.assertFalse(has_symbols(binary), 'the archived binary is not stripped')
        code, out, err = run([binary, '--version'], cwd=self.tmp)
        self.assertEqual(code, 0, err)
        self.assertEqual(out, run([POOLIFY, '--version'])[1])
        self.assertLess(os.path.getsize(binary), os.path.getsize(POOLIFY) if has_symbols(POOLIFY) else 1 << 40)

    def test_reproducible(self):
        again = package(POOLIFY, os.path.join(self.tmp, 'again'))
        for a, b in zip(self.artifacts, again):
            with open(a, 'rb') as f, open(b, 'rb') as g:
                self.assertEqual(f.read(), g.read(), '%s differs when packaged again' % os.path.basename(a))

    def test_npm_package_installs_offline_and_runs_without_the_build_tree(self):
        with tarfile.open(self.artifacts[1]) as t:
            self.assertEqual(sorted(t.getnames()), ['package/LICENSE', 'package/README.md', 'package/bin/poolify',
                                                    'package/package.json'])
            meta = json.load(t.extractfile('package/package.json'))
        self.assertEqual((meta['name'], meta['version'], meta['bin']), ('poolify', self.version,
                                                                         {'poolify': 'bin/poolify'}))
        self.assertNotIn('scripts', meta)  # nothing runs at install time
        prefix = os.path.join(self.tmp, 'prefix')
        env = dict(os.environ, npm_config_cache=os.path.join(self.tmp, 'npm-cache'), npm_config_update_notifier='false',
                   npm_config_audit='false', npm_config_fund='false')
        code, out, err = run(['npm', 'install', '--global', '--offline', '--prefix', prefix, self.artifacts[1]],
                             cwd=self.tmp, env=env)
        self.assertEqual(code, 0, out + err)
        installed = os.path.join(prefix, 'bin', 'poolify')
        self.assertTrue(os.access(installed, os.X_OK), installed)
        with open(os.path.realpath(installed), 'rb') as f:
            self.assertEqual(f.read(4), b'\x7fELF')  # the binary itself, no node shim

        elsewhere = os.path.join(self.tmp, 'elsewhere', 'pipeline')
        shutil.copytree(PIPELINE, elsewhere)
        want = run([POOLIFY, 'check', '--no-cache', '.'], cwd=elsewhere)
        self.assertEqual(want[0], 1, want[2])
        build = os.path.dirname(POOLIFY)
        with MovedAway(build):
            self.assertFalse(os.path.exists(POOLIFY))
            code, out, err = run([installed, 'check', '--no-cache', '.'], cwd=elsewhere)
            rules = run([installed, 'rules', 'list'], cwd=elsewhere)
            version = run([installed, '--version'], cwd=elsewhere)
        self.assertTrue(os.path.exists(POOLIFY), 'the build folder is back')
        self.assertEqual(code, 1, err)  # findings: the example tree is not migrated
        self.assertIn('poolify: 46 direct sites fail the check', err)
        self.assertEqual(out, want[1])
        self.assertEqual(rules[0], 0, rules[2])
        self.assertIn('\t<embedded>/bigquery.yaml\t', rules[1])
        self.assertEqual(version[1].split()[1], self.version)


def main():
    global POOLIFY
    POOLIFY, rest = split_poolify_argv('package_test.py', sys.argv[1:])
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == '__main__':
    main()
