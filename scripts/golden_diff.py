#!/usr/bin/env python3
"""Print the expected.diff of a golden case: the diff, in git's format, from one tree to another.

    scripts/golden_diff.py fixtures/golden/NN-name/input /tmp/expected > fixtures/golden/NN-name/expected.diff

The second folder is the tree you expect poolify to leave (a copy of input/ edited by hand). The diff
has `a/` and `b/` prefixes relative to the trees, mode changes and new or deleted files, exactly as
`git diff` prints it between two commits (fixtures/golden/README.md); it is empty when the trees are
the same. Made in a scratch repository with no user or system git settings; the folders are not changed.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tests'))
from testlib import poolify_env  # noqa: E402


def git(repo, *args):
    return subprocess.run(['git', *args], cwd=repo, env=poolify_env(repo), check=True,
                          stdout=subprocess.PIPE).stdout


def write_tree(repo, tree):
    """Make the work tree of `repo` a copy of `tree`; the git tree object id of it."""
    for name in os.listdir(repo):
        if name != '.git':
            path = os.path.join(repo, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
    shutil.copytree(tree, repo, symlinks=True, dirs_exist_ok=True)
    git(repo, 'add', '--all', '--force')
    return git(repo, 'write-tree').strip().decode()


def tree_diff(before, after):
    """The bytes of `git diff` from the tree `before` to the tree `after`."""
    with tempfile.TemporaryDirectory(prefix='poolify-golden-diff-') as tmp:
        repo = os.path.join(tmp, 'repo')
        os.mkdir(repo)
        git(repo, 'init', '--quiet')
        git(repo, 'config', 'core.autocrlf', 'false')
        old, new = write_tree(repo, before), write_tree(repo, after)
        return git(repo, 'diff', '--no-color', '--no-ext-diff', '--binary', old, new)


def main(argv):
    if len(argv) != 2 or not all(os.path.isdir(d) for d in argv):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sys.stdout.buffer.write(tree_diff(*argv))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
