#!/usr/bin/env python3
"""scripts/setup.sh and the scripts/poolify wrapper, with stand-ins (python3 standard library only).

    setup_test.py [unittest options]

Copies the two scripts and the npm manifests into a scratch "checkout" and runs them with a PATH of
a few basic tools and fakes of dpkg-query, apt-get, npm and cmake that record what they are asked
(nothing is installed, downloaded or built):
- --for-tool asks apt-get for the build's packages only (no chromium, doctest, python3), --for-tests
  for those too; neither for libtree-sitter-dev (the runtime is built from npm sources);
- one line on stderr per step taken (packages, npm sources), the tools' own output only on failure,
  nothing at all when everything is there;
- the wrapper's first run says it builds poolify, configures without the tests and builds only the
  `poolify` target; later runs rebuild quietly; then it runs the binary with the arguments.
"""

import os
import shutil
import tempfile
import unittest

from testlib import run_command

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASIC_TOOLS = ('bash', 'sh', 'env', 'mktemp', 'rm', 'cat', 'touch', 'dirname', 'readlink', 'mkdir', 'flock', 'sed',
               'id', 'grep', 'head', 'tail', 'ls', 'cp', 'mv', 'chmod', 'pwd', 'tr', 'wc')
# (cmake and npm are not asked for: their commands are on PATH here, the fakes, and that counts)
TOOL_PACKAGES = {'llvm-14-dev', 'libclang-14-dev', 'libclang-cpp14-dev', 'libfmt-dev', 'libncurses-dev', 'zlib1g-dev',
                 'ninja-build', 'g++', 'git', 'nodejs'}
TEST_PACKAGES = {'doctest-dev', 'python3', 'python3-yaml', 'chromium', 'strace'}

FAKES = {
    # installed when listed in $FAKE/installed
    'dpkg-query': '''#!/bin/bash
pkg="${@: -1}"
grep -qx "$pkg" "$FAKE/installed" 2>/dev/null && { printf 'ii '; exit 0; }
exit 1
''',
    'apt-get': '''#!/bin/bash
echo "apt-get $*" >>"$FAKE/log"
echo "Reading package lists... (apt-get's own chatter)"
[ -f "$FAKE/apt-fails" ] && [ "$1" != update ] && { echo "E: Unable to locate package (fake failure)" >&2; exit 100; }
if [ "$1" != update ]; then
  for a in "$@"; do case "$a" in -*|install) ;; *) echo "$a" >>"$FAKE/installed" ;; esac; done
fi
exit 0
''',
    'sudo': '''#!/bin/bash
exec "$@"
''',
    'npm': '''#!/bin/bash
echo "npm $*" >>"$FAKE/log"
echo "added 4 packages (npm's own chatter)"
mkdir -p node_modules/tree-sitter/vendor/tree-sitter/lib/src node_modules/tree-sitter/vendor/tree-sitter/lib/include/tree_sitter \\
  node_modules/tree-sitter-python/src
touch node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c \\
  node_modules/tree-sitter/vendor/tree-sitter/lib/include/tree_sitter/api.h \\
  node_modules/tree-sitter-python/src/parser.c node_modules/tree-sitter-python/src/scanner.c
''',
    'cmake': '''#!/bin/bash
echo "cmake $*" >>"$FAKE/log"
echo "-- cmake's own chatter"
if [ "$1" = --build ]; then
  printf '#!/bin/bash\\necho "fake poolify $*"\\n' >"$2/poolify"
  chmod +x "$2/poolify"
else
  while [ $# -gt 0 ]; do [ "$1" = -B ] && { mkdir -p "$2"; touch "$2/CMakeCache.txt" "$2/build.ninja"; }; shift; done
fi
''',
}


class SetupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='poolify-setup-test-')
        self.repo = os.path.join(self.tmp, 'checkout')
        os.makedirs(os.path.join(self.repo, 'scripts'))
        for rel in ('scripts/setup.sh', 'scripts/poolify', 'package.json', 'package-lock.json'):
            shutil.copy2(os.path.join(ROOT, rel), os.path.join(self.repo, rel))
        self.fake = os.path.join(self.tmp, 'fake')
        self.bin = os.path.join(self.tmp, 'bin')
        os.makedirs(self.fake)
        os.makedirs(self.bin)
        for tool in BASIC_TOOLS:
            path = shutil.which(tool)
            self.assertIsNotNone(path, tool)
            os.symlink(path, os.path.join(self.bin, tool))
        for name, text in FAKES.items():
            path = os.path.join(self.bin, name)
            with open(path, 'w') as f:
                f.write(text)
            os.chmod(path, 0o755)
        self.env = {'PATH': self.bin, 'FAKE': self.fake, 'HOME': self.tmp, 'TMPDIR': self.tmp}

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_script(self, *args):
        return run_command(['bash', *args], self.tmp, self.env, timeout=60)

    def log(self):
        path = os.path.join(self.fake, 'log')
        if not os.path.exists(path):
            return []
        with open(path) as f:
            lines = f.read().splitlines()
        os.remove(path)
        return lines

    def requested(self, log):
        installs = [l.split()[1:] for l in log if l.startswith('apt-get') and ' install ' in l]
        self.assertEqual(len(installs), 1, log)
        return {a for a in installs[0] if not a.startswith('-') and a != 'install'}

    def setup_sh(self, *args):
        return self.run_script(os.path.join(self.repo, 'scripts', 'setup.sh'), *args)

    def test_for_tool_then_for_tests(self):
        code, out, err = self.setup_sh('--for-tool')
        self.assertEqual(code, 0, err)
        lines = err.splitlines()
        self.assertEqual(len(lines), 2, err)
        self.assertTrue(lines[0].startswith('setup.sh: installing packages (apt-get): '), err)
        self.assertTrue(lines[1].startswith('setup.sh: npm ci: '), err)
        self.assertEqual(out, '')  # apt-get's and npm's chatter stays in the log
        log = self.log()
        self.assertEqual(self.requested(log), TOOL_PACKAGES)
        self.assertIn('npm ci --ignore-scripts --no-audit --no-fund --loglevel=error', log)
        # everything there: silent, nothing run
        self.assertEqual(self.setup_sh('--for-tool'), (0, '', ''))
        self.assertEqual(self.log(), [])
        # the tests' extras, and only those
        code, out, err = self.setup_sh('--for-tests')
        self.assertEqual(code, 0, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertEqual(self.requested(self.log()), TEST_PACKAGES)
        self.assertEqual(self.setup_sh(), (0, '', ''))  # no option: the same as --for-tests

    def test_default_is_for_tests(self):
        code, out, err = self.setup_sh()
        self.assertEqual(code, 0, err)
        self.assertEqual(self.requested(self.log()), TOOL_PACKAGES | TEST_PACKAGES)

    def test_for_lint_installs_llvm_14_format_and_tidy_only(self):
        self.env['POOLIFY_LLVM_BIN'] = os.path.join(self.tmp, 'no-llvm')  # neither tool is there
        code, out, err = self.setup_sh('--for-lint')
        self.assertEqual(code, 0, err)
        self.assertEqual(err.splitlines(), ['setup.sh: installing packages (apt-get): clang-format-14 clang-tidy-14'])
        log = self.log()
        self.assertEqual(self.requested(log), {'clang-format-14', 'clang-tidy-14'})
        self.assertFalse([l for l in log if l.startswith('npm')], log)

    def test_failure_shows_the_tools_output(self):
        open(os.path.join(self.fake, 'apt-fails'), 'w').close()
        code, out, err = self.setup_sh('--for-tool')
        self.assertEqual(code, 1)
        self.assertIn('E: Unable to locate package (fake failure)', err)
        self.assertIn('setup.sh: error: apt-get install failed', err)

    def test_unknown_option(self):
        code, out, err = self.setup_sh('--everything')
        self.assertEqual(code, 1)
        self.assertIn("unknown option '--everything'", err)

    def test_wrapper_first_run_builds_the_tool_only(self):
        wrapper = os.path.join(self.repo, 'scripts', 'poolify')
        code, out, err = self.run_script(wrapper, 'check', '--format', 'json', '.')
        self.assertEqual(code, 0, err)
        self.assertEqual(out, 'fake poolify check --format json .\n')
        lines = err.splitlines()
        self.assertEqual([l.split(':')[0] for l in lines], ['setup.sh', 'setup.sh', 'scripts/poolify'], err)
        self.assertEqual(lines[-1], 'scripts/poolify: building poolify (first run, a few minutes)')
        log = self.log()
        cmake = [l for l in log if l.startswith('cmake')]
        self.assertEqual(len(cmake), 2, log)
        self.assertIn('-DPOOLIFY_TESTS=OFF', cmake[0].split())
        self.assertEqual(cmake[1].split()[-2:], ['--target', 'poolify'])
        self.assertEqual(self.requested(log), TOOL_PACKAGES)
        # later runs: an incremental build, nothing said
        code, out, err = self.run_script(wrapper, '--version')
        self.assertEqual((code, out, err), (0, 'fake poolify --version\n', ''))
        self.assertEqual([l.split()[:2] for l in self.log()], [['cmake', '--build']])

    def test_wrapper_shows_a_failed_build(self):
        wrapper = os.path.join(self.repo, 'scripts', 'poolify')
        with open(os.path.join(self.bin, 'cmake'), 'w') as f:
            f.write('#!/bin/bash\necho "ninja: error: the compiler said no"\nexit 1\n')
        code, out, err = self.run_script(wrapper, '--version')
        self.assertEqual(code, 1)
        self.assertIn('ninja: error: the compiler said no', err)
        self.assertIn("scripts/poolify: error: 'cmake -S", err)


if __name__ == '__main__':
    unittest.main()
