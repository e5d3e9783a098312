#!/usr/bin/env python3
"""Checks that the golden expected outputs are valid Python (python3 standard library only).

    check_outputs.py fixtures/golden

For every migrate case folder, every .py file of the expected tree (input/ with expected.diff applied,
see fixtures/golden/README.md) whose counterpart under input/ compiles must compile too: a rewrite may never turn working code into a syntax error. Files are compiled from their
bytes with compile(), so encoding cookies and a UTF-8 BOM are honoured as by the interpreter; an input
that does not compile (a deliberate syntax-error case) exempts its counterpart.

Prints one line per failing file, then "N passed, M failed" counted per case.
Exit code 0 when all pass, 1 when any fails (or no case is found), 2 on bad usage.
"""

import os
import sys
import warnings

from testlib import CaseError, expected_tree, migrate_cases, tally_cases


def compile_error(path):
    """None when the file compiles, else a one-line description of why not."""
    try:
        with open(path, 'rb') as f:
            source = f.read()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')  # SyntaxWarning / DeprecationWarning are not failures
            compile(source, path, 'exec', dont_inherit=True)
        return None
    except SyntaxError as e:
        where = f'line {e.lineno}' + (f', column {e.offset}' if e.offset else '')
        return f'{type(e).__name__}: {e.msg} ({where})'
    except (ValueError, OSError) as e:  # null bytes, undecodable source, unreadable file
        return f'{type(e).__name__}: {e}'


def check_case(case_dir):
    """(number of files checked, list of failure lines)."""
    try:
        with expected_tree(case_dir) as expected_root:
            return check_tree(case_dir, expected_root)
    except CaseError as e:
        return 0, [f'{e}']


def check_tree(case_dir, expected_root):
    """check_case on the expected tree of case_dir, built at expected_root."""
    input_root = os.path.join(case_dir, 'input')
    checked, failures = 0, []
    for dirpath, dirnames, filenames in os.walk(expected_root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith('.py'):
                continue
            expected_path = os.path.join(dirpath, name)
            rel = os.path.relpath(expected_path, expected_root)
            input_path = os.path.join(input_root, rel)
            if not os.path.isfile(input_path) or compile_error(input_path) is not None:
                continue
            checked += 1
            error = compile_error(expected_path)
            if error:
                failures.append(f'{case_dir}: expected {rel} (input/ + expected.diff) does not compile, '
                                f'though input/{rel} does: {error}')
    return checked, failures


def main(argv):
    if len(argv) != 1 or argv[0] in ('-h', '--help'):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    root = argv[0]
    if not os.path.isdir(root):
        print(f'check_outputs.py: error: no such folder: {root}', file=sys.stderr)
        return 2
    outcomes = (check_case(case)[1] for case in migrate_cases(root))
    return tally_cases('check_outputs.py', root, (('\n'.join(failures), bool(failures)) for failures in outcomes))


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
