#!/usr/bin/env python3
"""Golden-case runner for poolify (python3 standard library only).

    golden.py --poolify BIN --case fixtures/golden/NN-name     one case (one ctest test per case)
    golden.py --poolify BIN --all fixtures/golden              every case; last line "N passed, M failed"

A migrate case is a folder with input/, expected.diff, explain.txt and optionally args and exit_code
(see fixtures/golden/README.md). Its expected tree is input/ with expected.diff applied by `git apply`
(testlib.build_expected_tree: the case is malformed when the diff does not apply cleanly). For each
case, from scratch copies of input/ with the copy as the current directory:

  1. `BIN migrate --explain ARGS .` (dry run): exit code as in exit_code (default 0), the
     `path:line:col: ...` lines on stderr equal explain.txt, the tree is left untouched, and the
     unified diff on stdout `git apply`s to a pristine copy of input/ giving the expected tree;
  2. `BIN migrate --apply --explain ARGS .`: same exit code and explain lines, and the tree equals
     the expected tree byte for byte, file modes included (no file missing, no file extra);
  3. `BIN migrate --apply ARGS .` again: same exit code, nothing on stdout, nothing changed.

A command case is a folder GROUP/NAME with a `command` file (the arguments, one per line),
expected.out, and optionally exit_code, expected.err and its own input/ (else GROUP/input/ is used).
From a scratch copy of the input with the copy as the current directory:

  1. `BIN ARGS`: exit code as in exit_code (default 0), stdout equals expected.out byte for byte,
     stderr equals expected.err byte for byte when the case has one, the tree is left untouched;
  2. `BIN ARGS` again (check and manifest now find their cache warm): same exit code and stdout,
     the tree still untouched.

Exit code 0 when every case passes, 1 otherwise, 2 on bad usage.
"""

import argparse
import concurrent.futures
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

from testlib import (COMMAND, EXPECTED_DIFF, CaseError, build_expected_tree, command_cases, explain_lines, git_apply,
                     migrate_cases, poolify_binary, run_poolify, snapshot, tally_cases)

# Directories the tool may create for itself in the tree it runs on; not part of the comparison.
IGNORED_DIRS = {'.poolify-cache'}
TIMEOUT = 120          # seconds per poolify invocation
MAX_DIFF_LINES = 200   # per file shown in a failure report


def read_case(case_dir):
    if not os.path.isdir(os.path.join(case_dir, 'input')):
        raise CaseError(f'{case_dir}: missing input/')
    if os.path.exists(os.path.join(case_dir, 'expected')):
        raise CaseError(f'{case_dir}: has an expected/ folder; the expectation is {EXPECTED_DIFF} '
                        '(the diff from input/ to the expected tree)')
    explain_path = os.path.join(case_dir, 'explain.txt')
    if not os.path.isfile(explain_path):
        raise CaseError(f'{case_dir}: missing explain.txt (an empty file when nothing is explained)')
    with open(explain_path, encoding='utf-8') as f:
        explain = [line.rstrip('\r') for line in f.read().split('\n')]
    while explain and explain[-1] == '':
        explain.pop()

    args_path = os.path.join(case_dir, 'args')
    args = read_lines(args_path) if os.path.isfile(args_path) else []
    return args, read_exit_code(case_dir), explain


def read_lines(path):
    """The non-empty lines of a text file (a trailing \\r dropped from each)."""
    with open(path, encoding='utf-8') as f:
        return [line.rstrip('\r') for line in f.read().split('\n') if line.rstrip('\r') != '']


def read_exit_code(case_dir):
    """The expected exit code: the case's exit_code file, else 0."""
    code_path = os.path.join(case_dir, 'exit_code')
    if not os.path.isfile(code_path):
        return 0
    with open(code_path, encoding='utf-8') as f:
        text = f.read().strip()
    try:
        return int(text)
    except ValueError:
        raise CaseError(f'{code_path}: not an integer: {text!r}') from None


def read_command_case(case_dir):
    """(input folder, arguments, exit code, expected stdout, expected stderr or None) of a command case."""
    args = read_lines(os.path.join(case_dir, COMMAND))
    if not args:
        raise CaseError(f'{case_dir}: {COMMAND} names no arguments')
    input_dir = os.path.join(case_dir, 'input')
    if not os.path.isdir(input_dir):
        input_dir = os.path.join(os.path.dirname(os.path.normpath(case_dir)), 'input')
        if not os.path.isdir(input_dir):
            raise CaseError(f'{case_dir}: no input/, neither its own nor its group\'s')
    expected = {}
    for name in ('expected.out', 'expected.err'):
        path = os.path.join(case_dir, name)
        if os.path.isfile(path):
            with open(path, 'rb') as f:
                expected[name] = f.read()
    if 'expected.out' not in expected:
        raise CaseError(f'{case_dir}: missing expected.out (an empty file when nothing is printed)')
    return input_dir, args, read_exit_code(case_dir), expected['expected.out'], expected.get('expected.err')


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


def run(poolify, args, cwd):
    """(returncode, stdout, stderr) of poolify ARGS in the scratch tree `cwd` (git sees no repository
    above it); returncode None on timeout or when the command cannot start."""
    try:
        return run_poolify(poolify, args, cwd, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b'', (e.stderr or b'') + f'\n[timed out after {TIMEOUT} s]'.encode()
    except OSError as e:
        return None, b'', f'[cannot run {poolify}: {e}]'.encode()


def check_code_of(failures, step, code, want_code, out, err):
    """Note in `failures` an exit code other than `want_code`; whether it was the expected one."""
    if code != want_code:
        got = 'no exit code' if code is None else f'exit code {code}'
        failures.append(f'{step}: {got}, expected {want_code}\n'
                        + show_output('stdout', out) + '\n' + show_output('stderr', err))
        return False
    return True


def run_case(poolify, case_dir, keep=False):
    """A list of failure descriptions; empty when the case passes."""
    tmp = tempfile.mkdtemp(prefix='poolify-golden-')
    try:
        if os.path.isfile(os.path.join(case_dir, COMMAND)):
            return run_command_case(poolify, case_dir, tmp)
        return run_migrate_case(poolify, case_dir, tmp)
    except (CaseError, OSError, UnicodeDecodeError) as e:
        return [f'malformed case: {e}']
    finally:
        if keep:
            print(f'[kept scratch copies in {tmp}]', file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def run_migrate_case(poolify, case_dir, tmp):
    """The failures of one migrate case, run in the scratch folder `tmp`."""
    args, want_code, want_explain = read_case(case_dir)
    failures = []
    input_dir = os.path.join(case_dir, 'input')
    build_expected_tree(case_dir, os.path.join(tmp, 'expected'))
    expected = snapshot(os.path.join(tmp, 'expected'), IGNORED_DIRS)
    original = snapshot(input_dir, IGNORED_DIRS)

    work = os.path.join(tmp, 'work')
    pristine = os.path.join(tmp, 'pristine')
    shutil.copytree(input_dir, work, symlinks=True)
    shutil.copytree(input_dir, pristine, symlinks=True)

    def check_code(step, code, out, err):
        return check_code_of(failures, step, code, want_code, out, err)

    # 1. Dry run.
    step = 'migrate --explain (dry run)'
    code, diff, err = run(poolify, ['migrate', '--explain', *args, '.'], work)
    if code is None:
        return failures + [f'{step}: {err.decode(errors="backslashreplace").strip()}']
    check_code(step, code, diff, err)
    failures += compare_explain(explain_lines(err), want_explain, step)
    failures += [f'{step} changed the tree: {p}'
                 for p in compare_trees(snapshot(work, IGNORED_DIRS), original, 'after dry run', 'input')]
    applied = True
    if diff.strip():  # an empty diff leaves the pristine copy as it is
        a_code, a_out, a_err = git_apply(diff, pristine, timeout=TIMEOUT)
        if a_code != 0:
            applied = False
            failures.append(f'{step}: git apply of the dry-run diff failed\n'
                            + show_output('git apply output', a_out + a_err) + '\n'
                            + show_output('dry-run diff', diff, limit=20000))
    if applied:
        problems = compare_trees(snapshot(pristine, IGNORED_DIRS), expected, 'input+dry-run diff', 'expected')
        if problems:
            failures.append(f'{step}: the diff applied to input/ does not give input/+{EXPECTED_DIFF}:\n'
                            + '\n'.join(problems) + '\n' + show_output('dry-run diff', diff, limit=20000))

    # 2. Apply.
    step = 'migrate --apply --explain'
    code, out, err = run(poolify, ['migrate', '--apply', '--explain', *args, '.'], work)
    if code is None:
        return failures + [f'{step}: {err.decode(errors="backslashreplace").strip()}']
    check_code(step, code, out, err)
    failures += compare_explain(explain_lines(err), want_explain, step)
    after_apply = snapshot(work, IGNORED_DIRS)
    problems = compare_trees(after_apply, expected, 'after --apply', 'expected')
    if problems:
        failures.append(f'{step}: the tree differs from input/+{EXPECTED_DIFF}:\n' + '\n'.join(problems))

    # 3. Idempotency.
    step = 'second migrate --apply'
    code, out, err = run(poolify, ['migrate', '--apply', *args, '.'], work)
    if code is None:
        return failures + [f'{step}: {err.decode(errors="backslashreplace").strip()}']
    check_code(step, code, out, err)
    if out:
        failures.append(f'{step}: expected no output on stdout\n' + show_output('stdout', out))
    problems = compare_trees(snapshot(work, IGNORED_DIRS), after_apply, 'after second run', 'after first run')
    if problems:
        failures.append(f'{step}: not idempotent, it changed the tree again:\n' + '\n'.join(problems))
    return failures


def compare_output(step, name, actual, expected):
    """A failure (in a list) when the bytes `actual` printed by `step` differ from the case's file `name`."""
    if actual == expected:
        return []
    diff = list(difflib.unified_diff(_repr_lines(expected), _repr_lines(actual), fromfile=name,
                                     tofile=f'output of {step}', lineterm=''))
    if len(diff) > MAX_DIFF_LINES:
        diff = diff[:MAX_DIFF_LINES] + [f'... ({len(diff) - MAX_DIFF_LINES} more diff lines)']
    return [f'{step}: differs from {name} (lines shown with repr()):\n' + '\n'.join(diff)]


def run_command_case(poolify, case_dir, tmp):
    """The failures of one command case, run in the scratch folder `tmp`."""
    input_dir, args, want_code, want_out, want_err = read_command_case(case_dir)
    failures = []
    original = snapshot(input_dir, IGNORED_DIRS)
    work = os.path.join(tmp, 'work')
    shutil.copytree(input_dir, work, symlinks=True)
    step = 'poolify ' + ' '.join(args)
    for label in ('', ' (again)'):
        code, out, err = run(poolify, args, work)
        if code is None:
            return failures + [f'{step}{label}: {err.decode(errors="backslashreplace").strip()}']
        check_code_of(failures, step + label, code, want_code, out, err)
        failures += compare_output(step + label, 'expected.out', out, want_out)
        if want_err is not None and not label:  # a second run may say that it used the cache
            failures += compare_output(step + label + ' on stderr', 'expected.err', err, want_err)
        failures += [f'{step}{label} changed the tree: {p}'
                     for p in compare_trees(snapshot(work, IGNORED_DIRS), original, 'after the run', 'input')]
    return failures


def report(name, failures):
    if not failures:
        return f'PASS {name}'
    body = '\n\n'.join(failures)
    return f'FAIL {name}\n' + '\n'.join('    ' + line for line in body.split('\n'))


def find_cases(root):
    """[(name as in the ctest test golden.NAME, case folder)]: migrate cases, then command cases."""
    return ([(os.path.basename(c), c) for c in migrate_cases(root)]
            + [(f'{group}.{os.path.basename(c)}', c) for group, c in command_cases(root)])


def case_name(case_dir):
    """NN-name for a migrate case, GROUP.NAME for a command case (as in the ctest test golden.NAME)."""
    case_dir = os.path.normpath(os.path.abspath(case_dir))
    name = os.path.basename(case_dir)
    if os.path.isfile(os.path.join(case_dir, COMMAND)):
        return f'{os.path.basename(os.path.dirname(case_dir))}.{name}'
    return name


def main(argv=None):
    parser = argparse.ArgumentParser(description='Run poolify golden cases (see fixtures/golden/README.md).')
    parser.add_argument('--poolify', required=True, metavar='BIN', help='the poolify binary')
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument('--case', metavar='DIR', help='run the one case in DIR')
    which.add_argument('--all', metavar='DIR', help='run every case folder in DIR')
    parser.add_argument('-j', '--jobs', type=int, default=1, help='cases run in parallel with --all (default 1)')
    parser.add_argument('--keep', action='store_true', help='keep the scratch copies (their path is printed)')
    opts = parser.parse_args(argv)

    poolify = poolify_binary('golden.py', opts.poolify)

    if opts.case:
        if not os.path.isdir(opts.case):
            print(f'golden.py: error: no such case folder: {opts.case}', file=sys.stderr)
            return 2
        failures = run_case(poolify, opts.case, opts.keep)
        print(report(case_name(opts.case), failures))
        return 1 if failures else 0

    if not os.path.isdir(opts.all):
        print(f'golden.py: error: no such folder: {opts.all}', file=sys.stderr)
        return 2
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        results = pool.map(lambda nc: (nc[0], run_case(poolify, nc[1], opts.keep)), find_cases(opts.all))
        return tally_cases('golden.py', opts.all, ((report(name, failures), bool(failures))
                                                   for name, failures in results))


if __name__ == '__main__':
    sys.exit(main())
