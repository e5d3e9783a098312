#!/usr/bin/env python3
"""Golden-case runner for poolify (python3 standard library only).

    golden.py --poolify BIN --case fixtures/golden/NN-name     one case (one ctest test per case)
    golden.py --poolify BIN --all fixtures/golden              every case; last line "N passed, M failed"

A case is a folder with input/, expected/, explain.txt and optionally args and exit_code
(see fixtures/golden/README.md). For each case, from scratch copies of input/ with the copy as the
current directory:

  1. `BIN migrate --explain ARGS .` (dry run): exit code as in exit_code (default 0), the
     `path:line:col: ...` lines on stderr equal explain.txt, the tree is left untouched, and the
     unified diff on stdout `git apply`s to a pristine copy of input/ giving expected/;
  2. `BIN migrate --apply --explain ARGS .`: same exit code and explain lines, and the tree equals
     expected/ byte for byte, file modes included (no file missing, no file extra);
  3. `BIN migrate --apply ARGS .` again: same exit code, nothing on stdout, nothing changed.

Exit code 0 when every case passes, 1 otherwise, 2 on bad usage.
"""

import argparse
import concurrent.futures
import difflib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

EXPLAIN_LINE = re.compile(r'^\S+:\d+:\d+: ')
# Directories the tool may create for itself in the tree it runs on; not part of the comparison.
IGNORED_DIRS = {'.poolify-cache'}
TIMEOUT = 120          # seconds per poolify invocation
MAX_DIFF_LINES = 200   # per file shown in a failure report


class CaseError(Exception):
    """The case folder itself is malformed."""


def read_case(case_dir):
    for required in ('input', 'expected'):
        if not os.path.isdir(os.path.join(case_dir, required)):
            raise CaseError(f'{case_dir}: missing {required}/')
    explain_path = os.path.join(case_dir, 'explain.txt')
    if not os.path.isfile(explain_path):
        raise CaseError(f'{case_dir}: missing explain.txt (an empty file when nothing is explained)')
    with open(explain_path, encoding='utf-8') as f:
        explain = [line.rstrip('\r') for line in f.read().split('\n')]
    while explain and explain[-1] == '':
        explain.pop()

    args = []
    args_path = os.path.join(case_dir, 'args')
    if os.path.isfile(args_path):
        with open(args_path, encoding='utf-8') as f:
            args = [line.rstrip('\r') for line in f.read().split('\n')]
        args = [a for a in args if a != '']

    exit_code = 0
    code_path = os.path.join(case_dir, 'exit_code')
    if os.path.isfile(code_path):
        with open(code_path, encoding='utf-8') as f:
            text = f.read().strip()
        try:
            exit_code = int(text)
        except ValueError:
            raise CaseError(f'{code_path}: not an integer: {text!r}') from None
    return args, exit_code, explain


def snapshot(root):
    """{relative path: (kind, content, mode)} for every file and symlink under root."""
    tree = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
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


def _repr_lines(data):
    return [repr(line) for line in data.splitlines(keepends=True)]


def compare_trees(actual, expected, actual_label, expected_label):
    """A list of human-readable differences between two snapshots (empty when identical)."""
    problems = []
    for rel in sorted(set(expected) - set(actual)):
        problems.append(f'missing file: {rel} (in {expected_label}, not in {actual_label})')
    for rel in sorted(set(actual) - set(expected)):
        problems.append(f'extra file: {rel} (in {actual_label}, not in {expected_label})')
    for rel in sorted(set(actual) & set(expected)):
        a_kind, a_data, a_mode = actual[rel]
        e_kind, e_data, e_mode = expected[rel]
        if a_kind != e_kind:
            problems.append(f'{rel}: is a {a_kind} in {actual_label}, a {e_kind} in {expected_label}')
            continue
        if a_data != e_data:
            diff = list(difflib.unified_diff(
                _repr_lines(e_data), _repr_lines(a_data),
                fromfile=f'{expected_label}/{rel}', tofile=f'{actual_label}/{rel}', lineterm=''))
            if len(diff) > MAX_DIFF_LINES:
                diff = diff[:MAX_DIFF_LINES] + [f'... ({len(diff) - MAX_DIFF_LINES} more diff lines)']
            if not diff:  # same lines by repr: cannot happen, but never report an empty difference
                diff = [f'{len(e_data)} vs {len(a_data)} bytes']
            problems.append(f'{rel}: content differs (lines shown with repr()):\n' + '\n'.join(diff))
        if a_mode != e_mode:
            problems.append(f'{rel}: mode {a_mode:o} in {actual_label}, {e_mode:o} in {expected_label}')
    return problems


def explain_lines(stderr):
    text = stderr.decode('utf-8', errors='backslashreplace')
    return [line for line in text.split('\n') if EXPLAIN_LINE.match(line)]


def compare_explain(actual, expected, step):
    if actual == expected:
        return []
    diff = difflib.unified_diff(expected, actual, fromfile='explain.txt', tofile=f'stderr of {step}', lineterm='')
    return [f'{step}: explain lines differ from explain.txt:\n' + '\n'.join(diff)]


def show_output(label, data, limit=4000):
    text = data.decode('utf-8', errors='backslashreplace')
    if len(text) > limit:
        text = text[:limit] + f'\n... ({len(text) - limit} more characters)'
    return f'--- {label} ---\n{text}' if text else f'--- {label}: (empty) ---'


def run(cmd, cwd, stdin=None):
    """(returncode, stdout, stderr); returncode None on timeout or when the command cannot start."""
    try:
        p = subprocess.run(cmd, cwd=cwd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT, env=os.environ.copy())
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b'', (e.stderr or b'') + f'\n[timed out after {TIMEOUT} s]'.encode()
    except OSError as e:
        return None, b'', f'[cannot run {cmd[0]}: {e}]'.encode()


def git_env(tmp):
    env = os.environ.copy()
    # Never let git find a repository above the scratch copy, nor pick up user or system settings.
    env['GIT_CEILING_DIRECTORIES'] = tmp
    env['GIT_CONFIG_NOSYSTEM'] = '1'
    env['GIT_CONFIG_GLOBAL'] = os.devnull
    for var in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE'):
        env.pop(var, None)
    return env


def run_case(poolify, case_dir, keep=False):
    """A list of failure descriptions; empty when the case passes."""
    try:
        args, want_code, want_explain = read_case(case_dir)
    except (CaseError, OSError, UnicodeDecodeError) as e:
        return [f'malformed case: {e}']

    failures = []
    input_dir = os.path.join(case_dir, 'input')
    expected = snapshot(os.path.join(case_dir, 'expected'))
    original = snapshot(input_dir)

    tmp = tempfile.mkdtemp(prefix='poolify-golden-')
    try:
        work = os.path.join(tmp, 'work')
        pristine = os.path.join(tmp, 'pristine')
        shutil.copytree(input_dir, work, symlinks=True)
        shutil.copytree(input_dir, pristine, symlinks=True)

        def check_code(step, code, out, err):
            if code != want_code:
                got = 'no exit code' if code is None else f'exit code {code}'
                failures.append(f'{step}: {got}, expected {want_code}\n'
                                + show_output('stdout', out) + '\n' + show_output('stderr', err))
                return False
            return True

        # 1. Dry run.
        step = 'migrate --explain (dry run)'
        code, diff, err = run([poolify, 'migrate', '--explain', *args, '.'], work)
        if code is None:
            return failures + [f'{step}: {err.decode(errors="backslashreplace").strip()}']
        check_code(step, code, diff, err)
        failures += compare_explain(explain_lines(err), want_explain, step)
        failures += [f'{step} changed the tree: {p}'
                     for p in compare_trees(snapshot(work), original, 'after dry run', 'input')]
        applied = True
        if diff.strip():  # an empty diff leaves the pristine copy as it is
            a_code, a_out, a_err = run_git_apply(diff, pristine, git_env(tmp))
            if a_code != 0:
                applied = False
                failures.append(f'{step}: git apply of the dry-run diff failed\n'
                                + show_output('git apply output', a_out + a_err) + '\n'
                                + show_output('dry-run diff', diff, limit=20000))
        if applied:
            problems = compare_trees(snapshot(pristine), expected, 'input+dry-run diff', 'expected')
            if problems:
                failures.append(f'{step}: the diff applied to input/ does not give expected/:\n'
                                + '\n'.join(problems) + '\n' + show_output('dry-run diff', diff, limit=20000))

        # 2. Apply.
        step = 'migrate --apply --explain'
        code, out, err = run([poolify, 'migrate', '--apply', '--explain', *args, '.'], work)
        if code is None:
            return failures + [f'{step}: {err.decode(errors="backslashreplace").strip()}']
        check_code(step, code, out, err)
        failures += compare_explain(explain_lines(err), want_explain, step)
        after_apply = snapshot(work)
        problems = compare_trees(after_apply, expected, 'after --apply', 'expected')
        if problems:
            failures.append(f'{step}: the tree differs from expected/:\n' + '\n'.join(problems))

        # 3. Idempotency.
        step = 'second migrate --apply'
        code, out, err = run([poolify, 'migrate', '--apply', *args, '.'], work)
        if code is None:
            return failures + [f'{step}: {err.decode(errors="backslashreplace").strip()}']
        check_code(step, code, out, err)
        if out:
            failures.append(f'{step}: expected no output on stdout\n' + show_output('stdout', out))
        problems = compare_trees(snapshot(work), after_apply, 'after second run', 'after first run')
        if problems:
            failures.append(f'{step}: not idempotent, it changed the tree again:\n' + '\n'.join(problems))
        return failures
    finally:
        if keep:
            print(f'[kept scratch copies in {tmp}]', file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_git_apply(diff, cwd, env):
    try:
        p = subprocess.run(['git', 'apply', '--whitespace=nowarn', '-'], cwd=cwd, input=diff,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, b'', str(e).encode()


def report(name, failures):
    if not failures:
        return f'PASS {name}'
    body = '\n\n'.join(failures)
    return f'FAIL {name}\n' + '\n'.join('    ' + line for line in body.split('\n'))


def find_cases(root):
    return [os.path.join(root, d) for d in sorted(os.listdir(root))
            if os.path.isdir(os.path.join(root, d))
            and (os.path.isdir(os.path.join(root, d, 'input')) or os.path.isdir(os.path.join(root, d, 'expected')))]


def resolve_binary(binary):
    if os.sep in binary or (os.altsep and os.altsep in binary):
        return os.path.abspath(binary)
    return shutil.which(binary) or os.path.abspath(binary)


def main(argv=None):
    parser = argparse.ArgumentParser(description='Run poolify golden cases (see fixtures/golden/README.md).')
    parser.add_argument('--poolify', required=True, metavar='BIN', help='the poolify binary')
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument('--case', metavar='DIR', help='run the one case in DIR')
    which.add_argument('--all', metavar='DIR', help='run every case folder in DIR')
    parser.add_argument('-j', '--jobs', type=int, default=1, help='cases run in parallel with --all (default 1)')
    parser.add_argument('--keep', action='store_true', help='keep the scratch copies (their path is printed)')
    opts = parser.parse_args(argv)

    poolify = resolve_binary(opts.poolify)
    if not (os.path.isfile(poolify) and os.access(poolify, os.X_OK)):
        print(f'golden.py: error: {opts.poolify} is not an executable file', file=sys.stderr)
        return 2

    if opts.case:
        if not os.path.isdir(opts.case):
            print(f'golden.py: error: no such case folder: {opts.case}', file=sys.stderr)
            return 2
        failures = run_case(poolify, opts.case, opts.keep)
        print(report(os.path.basename(os.path.normpath(opts.case)), failures))
        return 1 if failures else 0

    if not os.path.isdir(opts.all):
        print(f'golden.py: error: no such folder: {opts.all}', file=sys.stderr)
        return 2
    cases = find_cases(opts.all)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        results = pool.map(lambda c: (c, run_case(poolify, c, opts.keep)), cases)
        for case, failures in results:
            print(report(os.path.basename(case), failures), flush=True)
            if failures:
                failed += 1
            else:
                passed += 1
    if not cases:
        print(f'golden.py: error: no case folders (with input/ or expected/) in {opts.all}', file=sys.stderr)
    print(f'{passed} passed, {failed} failed')
    return 0 if cases and not failed else 1


if __name__ == '__main__':
    sys.exit(main())
