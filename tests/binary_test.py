#!/usr/bin/env python3
"""The built binary stands alone (python3 standard library only).

    binary_test.py --poolify BIN [--expect-static] [unittest options, e.g. -v]

- `poolify --version` prints the version, the commit and the SHA-256 of the embedded rules, which is
  that of rules/*.yaml (`cd rules && sha256sum *.yaml | sha256sum`).
- A copy of the binary outside its build tree uses the rules compiled into it (`<embedded>/...`),
  runs every rule's examples, and still takes `--rules` (and poolify.yaml's `rules:`) instead.
- With --expect-static (a POOLIFY_STATIC build): it needs no shared library but the C library's
  (no libtree-sitter, libfmt, libstdc++, libgcc_s, libtinfo, libz, LLVM).
- The tree-sitter runtime it carries parses a file of 65,534 comment lines (Debian's 0.20 runtime
  aborted on it with `free(): invalid size`).
"""

import hashlib
import os
import re
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import BQ_SRC, split_poolify_argv, write_file, write_pools  # noqa: E402
from testlib import run_command as run  # noqa: E402

POOLIFY = None
EXPECT_STATIC = False
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, 'rules')
# What a binary linked statically against everything but glibc may still load.
GLIBC = re.compile(r'^(linux-vdso\.so\.1|linux-gate\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|'
                   r'librt\.so\.1|ld-linux-x86-64\.so\.2|/lib64/ld-linux-x86-64\.so\.2)$')


def rules_hash():
    lines = ''
    for name in sorted(n for n in os.listdir(RULES) if n.endswith('.yaml')):
        with open(os.path.join(RULES, name), 'rb') as f:
            lines += '%s  %s\n' % (hashlib.sha256(f.read()).hexdigest(), name)
    return hashlib.sha256(lines.encode()).hexdigest()


class BinaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='poolify-binary-test-')
        # A copy outside the build tree, as an installed or downloaded binary would be.
        cls.copy = os.path.join(cls.tmp, 'bin', 'poolify')
        os.makedirs(os.path.dirname(cls.copy))
        shutil.copy2(POOLIFY, cls.copy)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_version_names_commit_and_rules_hash(self):
        code, out, err = run([POOLIFY, '--version'])
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 3, out)
        self.assertRegex(lines[0], r'^poolify \d+\.\d+\.\d+$')
        self.assertRegex(lines[1], r'^commit ([0-9a-f]{12}(-dirty)?|unknown)$')
        ids = sorted(n[:-len('.yaml')] for n in os.listdir(RULES) if n.endswith('.yaml'))
        self.assertEqual(lines[2], 'rules sha256:%s (%s)' % (rules_hash(), ', '.join(ids)))
        # the copy prints the same
        self.assertEqual(run([self.copy, '--version'])[1], out)

    def test_commit_is_the_source_trees(self):
        code, head, _ = run(['git', '-C', ROOT, 'rev-parse', '--short=12', 'HEAD'])
        if code != 0:
            self.skipTest('the source tree is not a git work tree')
        commit = run([POOLIFY, '--version'])[1].splitlines()[1].split()[1]
        self.assertEqual(commit.split('-')[0], head.strip())

    def test_build_tree_binary_reads_the_rules_folder(self):
        code, out, err = run([POOLIFY, 'rules', 'list'])
        self.assertEqual(code, 0, err)
        files = re.findall(r'^\S+\t(\S+)\t', out, re.M)
        self.assertTrue(files)
        self.assertEqual({os.path.dirname(f) for f in files}, {RULES})

    def test_copied_binary_uses_embedded_rules(self):
        code, out, err = run([self.copy, 'rules', 'list'], cwd=self.tmp)
        self.assertEqual(code, 0, err)
        files = re.findall(r'^\S+\t(\S+)\t', out, re.M)
        self.assertEqual(files, ['<embedded>/%s' % n for n in sorted(os.listdir(RULES)) if n.endswith('.yaml')])
        code, out, err = run([self.copy, 'rules', 'test'], cwd=self.tmp)
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, r'rules test: [1-9]\d* passed, 0 failed')
        # and migrates with them
        proj = os.path.join(self.tmp, 'proj-embedded')
        write_file(proj, 'main.py', BQ_SRC)
        write_pools(proj)
        code, out, err = run([self.copy, 'migrate', '--no-cache', '.'], cwd=proj)
        self.assertEqual(code, 0, err)
        self.assertIn('+from shared.clients.bigquery_pool import get_bigquery_client', out)

    def test_rules_option_and_config_override_embedded_rules(self):
        mine = os.path.join(self.tmp, 'my-rules')
        os.makedirs(mine, exist_ok=True)
        shutil.copy(os.path.join(RULES, 'http.yaml'), os.path.join(mine, 'only-http.yaml'))
        code, out, err = run([self.copy, 'rules', 'list', '--rules', mine], cwd=self.tmp)
        self.assertEqual(code, 0, err)
        self.assertEqual(re.findall(r'^\S+\t(\S+)\t', out, re.M), [os.path.join(mine, 'only-http.yaml')])
        # with only the http rule, the BigQuery site is not a site at all
        proj = os.path.join(self.tmp, 'proj-rules')
        write_file(proj, 'main.py', BQ_SRC)
        code, out, err = run([self.copy, 'migrate', '--no-cache', '--rules', mine, '.'], cwd=proj)
        self.assertEqual((code, out), (0, ''), err)
        write_file(proj, 'poolify.yaml', 'rules: [%s]\n' % mine)
        code, out, err = run([self.copy, 'migrate', '--no-cache', '.'], cwd=proj)
        self.assertEqual((code, out), (0, ''), err)
        # the embedded set by name, beside a folder
        code, out, err = run([self.copy, 'rules', 'list', '--rules', '<embedded>/bigquery.yaml', '--rules', mine],
                             cwd=self.tmp)
        self.assertEqual(code, 0, err)
        self.assertEqual(re.findall(r'^\S+\t(\S+)\t', out, re.M),
                         ['<embedded>/bigquery.yaml', os.path.join(mine, 'only-http.yaml')])

    def test_shared_libraries(self):
        if not EXPECT_STATIC:
            self.skipTest('not a POOLIFY_STATIC build')
        if os.environ.get('POOLIFY_SANITIZED'):
            self.skipTest('sanitizer builds link their runtimes dynamically')
        code, out, err = run(['ldd', POOLIFY])
        self.assertEqual(code, 0, err)
        libs = [line.split()[0] for line in out.splitlines() if line.strip()]
        self.assertTrue(any(lib.startswith('libc.so') for lib in libs), out)
        self.assertEqual([lib for lib in libs if not GLIBC.match(lib)], [], out)

    def test_comment_flood_does_not_crash(self):
        proj = os.path.join(self.tmp, 'flood')
        write_file(proj, 'z.py', 'from google.cloud import bigquery\nX = bigquery.Client\n' + '#\n' * 65534)
        code, out, err = run([self.copy, 'check', '--no-cache', '.'], cwd=proj)
        self.assertEqual(code, 1, err)  # a finding, not a signal
        self.assertIn('z.py:2:5: bigquery: direct reference to google.cloud.bigquery.Client', out)
        self.assertNotIn('free()', err)


def main():
    global POOLIFY, EXPECT_STATIC
    POOLIFY, rest = split_poolify_argv('binary_test.py', sys.argv[1:])
    rest = [a for a in rest if a]  # ctest passes the generator expression's empty result as ''
    if '--expect-static' in rest:
        rest.remove('--expect-static')
        EXPECT_STATIC = True
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == '__main__':
    main()
