"""What the end-to-end test scripts share: finding the poolify binary named on the command line, the
environment and the calls that run it (and git, or any other command) on a scratch tree, a run's result as
the tests read it (exit code, output, --explain lines), the sample sources each rule rewrites, writing,
reading and snapshotting the files of a scratch tree, and the golden cases' layout
(fixtures/golden/README.md): which folders are cases, the expected tree of a migrate case (input/ with
expected.diff applied), and the tally of a run over them; building the release artifacts; reading dotted
names in an AST; and for the safety tests and scripts/stress.py, a small tmpfs to fill and a path longer
than PATH_MAX."""
import ast
import collections
import contextlib
import errno
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap

TIMEOUT = 120  # seconds per poolify (or git) run, unless the caller says otherwise
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the source tree


def poolify_binary(script, binary):
    """The absolute path of the poolify binary named on `script`'s command line: a path, or a name looked up
    on PATH. Exits with a message (status 2) when it is not an executable file."""
    if os.sep not in binary:
        binary = shutil.which(binary) or binary
    path = os.path.abspath(binary)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        print(f'{script}: error: {binary} is not an executable file', file=sys.stderr)
        sys.exit(2)
    return path


def split_poolify_argv(script, argv):
    """(absolute path of the binary given as --poolify BIN or --poolify=BIN, the other arguments).

    Exits with a usage message (status 2) when the binary is missing or not executable (poolify_binary)."""
    binary, rest, i = None, [], 0
    while i < len(argv):
        a = argv[i]
        if a == '--poolify' and i + 1 < len(argv):
            binary = argv[i + 1]
            i += 2
            continue
        if a.startswith('--poolify='):
            binary = a.split('=', 1)[1]
        else:
            rest.append(a)
        i += 1
    if binary is None:
        print(f'usage: {script} --poolify BIN [unittest arguments]', file=sys.stderr)
        sys.exit(2)
    return poolify_binary(script, binary), rest


def poolify_env(root, overrides=None):
    """An environment for running poolify or git on the scratch tree `root`: git may find a repository at
    `root` itself but never above it, and reads no user or system settings. `overrides` ({name: value, or
    None to unset}) adjusts it further."""
    env = os.environ.copy()
    env['GIT_CEILING_DIRECTORIES'] = os.path.dirname(root)
    env['GIT_CONFIG_NOSYSTEM'] = '1'
    env['GIT_CONFIG_GLOBAL'] = os.devnull
    for var in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE'):
        env.pop(var, None)
    for name, value in (overrides or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def base_env(root, no_color=True):
    """poolify_env(root) with NO_COLOR set (no_color=True), removed (False: the tests of colour set what
    they need) or as this process has it (None)."""
    return poolify_env(root, {} if no_color is None else {'NO_COLOR': '1' if no_color else None})


Run = collections.namedtuple('Run', 'code stdout stderr')


def run_poolify(binary, args, cwd, env=None, stdin=None, timeout=TIMEOUT, text=False):
    """Run `binary ARGS` in `cwd` and capture its output: Run(code, stdout, stderr), bytes (str with
    text=True, decoded as subprocess does). `env` defaults to poolify_env(cwd). A timeout raises
    subprocess.TimeoutExpired, as subprocess.run does. `binary` is poolify, or a program the tests run
    beside it in the same environment (git in batches_test and cli_test; run_command runs any command)."""
    p = subprocess.run([binary, *args], cwd=cwd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=poolify_env(cwd) if env is None else env, timeout=timeout, text=text)
    return Run(p.returncode, p.stdout, p.stderr)


def git_apply(diff, cwd, env=None, options=(), timeout=TIMEOUT):
    """`git apply --whitespace=nowarn OPTIONS -` of the bytes `diff` in `cwd` (env: poolify_env(cwd)):
    Run(code, stdout, stderr); code None when git cannot run or times out (the reason in stderr)."""
    try:
        return run_poolify('git', ['apply', '--whitespace=nowarn', *options, '-'], cwd, env=env, stdin=diff,
                           timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return Run(None, b'', str(e).encode())


def run_command(args, cwd=None, env=None, timeout=TIMEOUT):
    """Run the command ARGS in `cwd` (None: this process's) and capture its output as text: Run(code, stdout,
    stderr), read as UTF-8 (a byte that is not becomes U+FFFD). `env` is its whole environment (None: this
    process's own; poolify_env(root) for a run on a scratch tree). A timeout (None: no limit) raises
    subprocess.TimeoutExpired."""
    code, out, err = run_poolify(args[0], args[1:], cwd, env=os.environ if env is None else env, timeout=timeout)
    return Run(code, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'))


def package(binary, out):
    """The release artifacts scripts/package.sh makes of `binary` in the folder `out`: the archive, then the
    npm package. Raises AssertionError, with its output, when it fails."""
    code, stdout, err = run_command(['bash', os.path.join(ROOT, 'scripts', 'package.sh'), '--binary', binary,
                                     '--out', out], timeout=300)
    if code != 0:
        raise AssertionError('package.sh failed (%d):\n%s%s' % (code, stdout, err))
    return stdout.split()


# A `--explain` line: `path:line:col: what` (fixtures/golden/README.md).
EXPLAIN_LINE = re.compile(r'^(?P<path>\S+?):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$')


def explain_lines(stderr):
    """The `--explain` lines (EXPLAIN_LINE) of `stderr`, in order: str, or bytes read as UTF-8 with any
    other byte backslash-escaped."""
    if isinstance(stderr, bytes):
        stderr = stderr.decode('utf-8', errors='backslashreplace')
    return [line for line in stderr.split('\n') if EXPLAIN_LINE.match(line)]


class Result:
    """A finished run as a test reads it: the exit code, what it wrote as bytes (out, err) and as text
    (stdout, stderr: UTF-8, any other byte backslash-escaped), and the seconds it took when it was timed.
    Its repr, the message of a failed assertion, shows it all, each stream cut after `shown` characters
    (None: whole)."""

    def __init__(self, code, out, err, seconds=None, shown=None):
        self.code, self.out, self.err, self.seconds, self.shown = code, out, err, seconds, shown

    @property
    def stdout(self):
        return self.out.decode('utf-8', errors='backslashreplace')

    @property
    def stderr(self):
        return self.err.decode('utf-8', errors='backslashreplace')

    def lines(self):
        """The lines of stderr that are not empty, in order."""
        return [l for l in self.stderr.split('\n') if l != '']

    def explain(self):
        """The `path:line:col: ...` lines of stderr, in order."""
        return explain_lines(self.stderr)

    def summary(self):
        """The summary lines of stderr (`poolify: scanned ...`)."""
        return [l for l in self.stderr.split('\n') if l.startswith('poolify: scanned ')]

    def json(self):
        """stdout read as JSON."""
        return json.loads(self.stdout)

    def __repr__(self):
        def cut(text):
            if self.shown is None or len(text) <= self.shown:
                return text
            return text[:self.shown] + f'... ({len(text)} characters)'
        took = '' if self.seconds is None else f' after {self.seconds:.1f} s'
        return f'exit {self.code}{took}\n--- stdout ---\n{cut(self.stdout)}\n--- stderr ---\n{cut(self.stderr)}'


# The smallest sources each rule rewrites, and what they become (shared by several test files).
REQUESTS_SRC = '''\
import requests


def fetch(url):
    return requests.get(url)
'''
REQUESTS_OUT = '''\
from shared.clients.http_pool import get


def fetch(url):
    return get(url)
'''
# The client is only used (a query), never handed out: returned, it would be left.
# BQ_SRC passes its project, so its rewrite is a safe fix (a plain `migrate` applies it); BQ_INFERRED_SRC
# does not, so the project is taken from scope: an unsafe fix, applied only with --unsafe-fixes. Both
# become BQ_OUT. BQ_UNSAFE_REASON is why (--explain, check, manifest, batch and report say it).
BQ_SRC = '''\
from google.cloud import bigquery

PROJECT_ID = "demo"


def run():
    return bigquery.Client(project=PROJECT_ID).query("SELECT 1")
'''
BQ_INFERRED_SRC = '''\
from google.cloud import bigquery

PROJECT_ID = "demo"


def run():
    return bigquery.Client().query("SELECT 1")
'''
BQ_UNSAFE_REASON = ("project_id=PROJECT_ID is taken from scope, but bigquery.Client() without project= used the "
                    "library's default, which may differ")
BQ_OUT = '''\
from shared.clients.bigquery_pool import get_bigquery_client

PROJECT_ID = "demo"


def run():
    return get_bigquery_client(project_id=PROJECT_ID).query("SELECT 1")
'''


def bq_inferred_explain(path, applied):
    """The `--explain` lines of BQ_INFERRED_SRC written at `path`: its site is an unsafe fix, reported by a
    plain run (applied=False) and rewritten with --unsafe-fixes (applied=True)."""
    tier = 'unsafe fix applied' if applied else 'unsafe fix, applied with --unsafe-fixes'
    return [f'{path}:7:12: bigquery: project_id from PROJECT_ID', f'{path}:7:12: bigquery: {tier}: {BQ_UNSAFE_REASON}']


# Stand-ins for the pool modules the shipped rules import: poolify rewrites a site only when its
# pool module is importable where the file runs, so a scratch tree that is to be migrated has them.
POOL_MODULES = {
    'shared/clients/bigquery_pool.py': ['get_bigquery_client(project_id=None, location=None)'],
    'shared/clients/http_pool.py': ['get(url, params=None, **kwargs)', 'post(url, data=None, json=None, **kwargs)',
                                    'get_http_session()'],
    'shared/clients/storage_pool.py': ['get_storage_client(project_id=None)'],
    'shared/clients/firestore_pool.py': ['get_firestore_client(project_id=None, database=None)'],
    'shared/clients/pubsub_pool.py': ['get_pubsub_publisher()', 'get_pubsub_subscriber()'],
}


# Files write_pools() writes (the modules and the packages' __init__.py files).
POOL_FILES = len(POOL_MODULES) + 2


def write_pools(root, modules=None):
    """Writes the shipped rules' pool modules (all, or those named by path) under root, with the
    packages' __init__.py files; returns their relative paths."""
    written = []
    for rel, functions in POOL_MODULES.items():
        if modules is not None and rel not in modules:
            continue
        for pkg in ('shared', 'shared/clients'):
            if not os.path.exists(os.path.join(root, pkg, '__init__.py')):
                write_file(root, pkg + '/__init__.py', '')
        body = '"""A stand-in for the tree\'s pool module."""\n' + ''.join(
            f'\n\ndef {f}:\n    raise NotImplementedError\n' for f in functions)
        write_file(root, rel, body)
        written.append(rel)
    return written


def write_file(root, rel, data, mode=None):
    """Write `data` (str: UTF-8; bytes: as is) to root/rel, making its folders; returns the path."""
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data.encode('utf-8') if isinstance(data, str) else data)
    if mode is not None:
        os.chmod(path, mode)
    return path


def write_dedented(root, rel, content, mode=None):
    """write_file() of `content` as a test writes it inline: str is dedented (textwrap.dedent), bytes
    written as they are."""
    return write_file(root, rel, textwrap.dedent(content) if isinstance(content, str) else content, mode)


def read(root, rel):
    """The bytes of root/rel."""
    with open(os.path.join(root, rel), 'rb') as f:
        return f.read()


def read_text(root, rel):
    """The text of root/rel, read as UTF-8."""
    with open(os.path.join(root, rel), encoding='utf-8') as f:
        return f.read()


def snapshot(root, skip=('.git',)):
    """{relative path: (kind, content, mode)} for every file and symlink under root, but in the folders
    named in `skip` (git's own, unless told): ('file', bytes, permission bits) or ('symlink', its target
    as bytes, None). Two snapshots are equal when the trees are."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        for name in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root).replace(os.sep, '/')
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                tree[rel] = ('symlink', os.readlink(full).encode(), None)
            else:
                with open(full, 'rb') as f:
                    tree[rel] = ('file', f.read(), stat.S_IMODE(st.st_mode))
    return tree


def files_under(root, skip=('.git',)):
    """{relative path: bytes} of every regular file under root, but in the folders named in `skip`
    (snapshot() without modes and symlinks)."""
    return {rel: data for rel, (kind, data, _) in snapshot(root, skip).items() if kind == 'file'}


# --------------------------------------------------------------------------------------------
# Golden cases (fixtures/golden/README.md)

EXPECTED_DIFF = 'expected.diff'
COMMAND = 'command'
# "Hunk #2 succeeded at 14 (offset 3 lines)." from `git apply --verbose`: the diff's line numbers are wrong.
HUNK_OFFSET = re.compile(rb'^Hunk #\d+ succeeded at .*$', re.M)


EXTENDED_HEADER = re.compile(rb'^(old mode|new mode|deleted file mode|new file mode|similarity index|'
                             rb'dissimilarity index|rename from|rename to|copy from|copy to|index) ')
HUNK_HEADER = re.compile(rb'^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@')


def diff_structure_problem(diff):
    """None when every line of `diff` (bytes) belongs to a patch in git's format: `diff --git` headers,
    extended headers, `---`/`+++` lines and hunks whose body has exactly the lines their `@@` header
    counts. Else the first line that does not (git apply would skip it silently, as it skips any text
    between patches)."""
    lines = diff.split(b'\n')
    if lines[-1] != b'':
        return 'the last line does not end with a newline'
    lines.pop()
    i, n = 0, len(lines)

    def bad(what):
        return f'line {i + 1}: {what}: {lines[i][:80]!r}' if i < n else f'line {i + 1}: {what}: end of file'
    while i < n:
        if not lines[i].startswith(b'diff --git '):
            return bad('not part of a patch (a `diff --git` line was expected)')
        i += 1
        while i < n and EXTENDED_HEADER.match(lines[i]):
            i += 1
        if i < n and (lines[i] == b'GIT binary patch' or lines[i].startswith(b'Binary files ')):
            while i < n and not lines[i].startswith(b'diff --git '):
                i += 1
            continue
        if i < n and lines[i].startswith(b'--- '):
            i += 1
            if i >= n or not lines[i].startswith(b'+++ '):
                return bad('a `+++` line was expected')
            i += 1
            if i >= n or not HUNK_HEADER.match(lines[i]):
                return bad('a hunk header was expected')
            while i < n and HUNK_HEADER.match(lines[i]):
                m = HUNK_HEADER.match(lines[i])
                old, new = int(m.group(1) or b'1'), int(m.group(2) or b'1')
                i += 1
                while old > 0 or new > 0:
                    kind = lines[i][:1] if i < n else None
                    if kind == b' ' and old and new:
                        old, new = old - 1, new - 1
                    elif kind == b'-' and old:
                        old -= 1
                    elif kind == b'+' and new:
                        new -= 1
                    else:
                        return bad(f'the hunk needs {old} more old and {new} more new lines')
                    i += 1
                    if i < n and lines[i].startswith(b'\\ '):  # \ No newline at end of file
                        i += 1
    return None


class CaseError(Exception):
    """A case folder is malformed, or its expected.diff does not apply cleanly to its input/."""


def tally_cases(script, folder, outcomes):
    """Prints the report of each case of `folder` as `outcomes` yields it ((report or None, whether the case
    failed)), then `N passed, M failed`; no case at all is an error. The exit status: 0 when there were
    cases and every one passed, else 1."""
    passed = failed = 0
    for report, case_failed in outcomes:
        if report:
            print(report, flush=True)
        if case_failed:
            failed += 1
        else:
            passed += 1
    if not passed + failed:
        print(f'{script}: error: no case folders in {folder}', file=sys.stderr)
    print(f'{passed} passed, {failed} failed')
    return 0 if passed + failed and not failed else 1


def is_command_group(folder):
    """Whether `folder` holds command cases (sub-folders with a `command` file) rather than being a case."""
    return os.path.isdir(folder) and any(os.path.isfile(os.path.join(folder, d, COMMAND))
                                         for d in os.listdir(folder))


def migrate_cases(golden_root):
    """The migrate cases under golden_root, sorted: the folders right under it, but command groups, that
    have input/ or expected.diff (or an expected/ folder: a case in the old format, reported as malformed)."""
    return [os.path.join(golden_root, d) for d in sorted(os.listdir(golden_root))
            if any(os.path.exists(os.path.join(golden_root, d, f)) for f in ('input', EXPECTED_DIFF, 'expected'))
            and not is_command_group(os.path.join(golden_root, d))]


def command_cases(golden_root):
    """The command cases under golden_root, sorted: (group name, case folder) for every GROUP/NAME/command."""
    return [(g, os.path.join(golden_root, g, d))
            for g in sorted(os.listdir(golden_root)) if is_command_group(os.path.join(golden_root, g))
            for d in sorted(os.listdir(os.path.join(golden_root, g)))
            if os.path.isfile(os.path.join(golden_root, g, d, COMMAND))]


def build_expected_tree(case_dir, dest):
    """Make `dest` (which must not exist) the tree a migrate case expects: a copy of case_dir/input/ with
    case_dir/expected.diff applied by `git apply` (an empty expected.diff: nothing changes). Raises
    CaseError when expected.diff is missing, holds anything but patches (diff_structure_problem), or
    does not apply cleanly: git apply applies every hunk exactly where its context matches, or nothing at
    all, and a hunk found away from its stated line (an offset) is refused as well."""
    diff_path = os.path.join(case_dir, EXPECTED_DIFF)
    if not os.path.isdir(os.path.join(case_dir, 'input')):
        raise CaseError(f'{case_dir}: missing input/')
    if not os.path.isfile(diff_path):
        raise CaseError(f'{case_dir}: missing {EXPECTED_DIFF} (an empty file when nothing may change)')
    with open(diff_path, 'rb') as f:
        diff = f.read()
    shutil.copytree(os.path.join(case_dir, 'input'), dest, symlinks=True)
    if not diff:
        return
    problem = diff_structure_problem(diff)
    if problem:
        raise CaseError(f'{diff_path} is not a diff in git\'s format: {problem}')
    code, out, err = git_apply(diff, dest, options=('--verbose',))
    offsets = HUNK_OFFSET.findall(err)
    if code != 0 or offsets:
        why = b'\n'.join(offsets) if code == 0 else out + err
        raise CaseError(f'{diff_path} does not apply cleanly to input/:\n'
                        + why.decode('utf-8', errors='backslashreplace').strip())


@contextlib.contextmanager
def expected_tree(case_dir):
    """The path of a scratch copy of a migrate case's expected tree (build_expected_tree), removed afterwards."""
    tmp = tempfile.mkdtemp(prefix='poolify-expected-')
    try:
        tree = os.path.join(tmp, 'expected')
        build_expected_tree(case_dir, tree)
        yield tree
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Dotted names in an AST (ast_oracle, runtime_check)

def dotted(expr):
    """'a.b.c' for Name/Attribute chains, else None."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return '.'.join(reversed(parts))


# --------------------------------------------------------------------------------------------
# A small tmpfs to fill, and a path longer than PATH_MAX (safety_test, scripts/stress.py)

def try_mount_tmpfs(path, options):
    """Mount a tmpfs at `path`; True on success (needs root)."""
    os.makedirs(path, exist_ok=True)
    if os.geteuid() != 0 or shutil.which('mount') is None:
        return False
    p = subprocess.run(['mount', '-t', 'tmpfs', '-o', options, 'tmpfs', path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode == 0


def unmount(path):
    if subprocess.run(['umount', path], stdout=subprocess.PIPE, stderr=subprocess.PIPE).returncode != 0:
        subprocess.run(['umount', '-l', path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def fill_disk(path):
    """Write to `path` until the file system is full; returns the bytes written."""
    total = 0
    with open(path, 'wb', buffering=0) as f:
        for size in (4096, 1):  # then smaller pieces, so not even one byte is left
            while True:
                try:
                    n = f.write(b'\0' * size)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
                if not n:
                    break
                total += n
    return total


def write_beyond_path_max(root, name, data, limit=4200):
    """Writes `data` to root/d.../d.../name, nested until the path is longer than `limit` bytes (PATH_MAX
    is 4096): folder by folder through descriptors, as no path that long can be opened. Remove the tree
    with `rm -rf` (shutil.rmtree cannot go that deep)."""
    fd, length = os.open(root, os.O_RDONLY), len(root)
    try:
        while length < limit:
            os.mkdir('d' * 200, dir_fd=fd)
            nxt = os.open('d' * 200, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, length = nxt, length + 201
        with open(os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), 'wb') as f:
            f.write(data.encode() if isinstance(data, str) else data)
    finally:
        os.close(fd)
