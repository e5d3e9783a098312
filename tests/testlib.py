"""What the end-to-end test scripts (and scripts/stress.py) share: finding the poolify binary named on the
command line, the sample sources each rule rewrites, writing and reading files of a scratch tree, a git-proof
environment, a small tmpfs to fill, and a path longer than PATH_MAX."""
import errno
import os
import shutil
import subprocess
import sys


def split_poolify_argv(script, argv):
    """(absolute path of the binary given as --poolify BIN or --poolify=BIN, the other arguments).

    Exits with a usage message (status 2) when the binary is missing or not executable."""
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
    if os.sep not in binary:
        binary = shutil.which(binary) or binary
    path = os.path.abspath(binary)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        print(f'{script}: error: {binary} is not an executable file', file=sys.stderr)
        sys.exit(2)
    return path, rest


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
BQ_SRC = '''\
from google.cloud import bigquery

PROJECT_ID = "demo"


def run():
    return bigquery.Client()
'''
BQ_OUT = '''\
from shared.clients.bigquery_pool import get_bigquery_client

PROJECT_ID = "demo"


def run():
    return get_bigquery_client(project_id=PROJECT_ID)
'''


def write_file(root, rel, data, mode=None):
    """Write `data` (str: UTF-8; bytes: as is) to root/rel, making its folders; returns the path."""
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data.encode('utf-8') if isinstance(data, str) else data)
    if mode is not None:
        os.chmod(path, mode)
    return path


def read(root, rel):
    with open(os.path.join(root, rel), 'rb') as f:
        return f.read()


def base_env(root, no_color=True):
    """An environment in which git never looks above `root` (it may find a repository at `root` itself) nor
    reads user/system settings. `no_color`: True sets NO_COLOR, False removes it, None leaves it."""
    env = os.environ.copy()
    env['GIT_CEILING_DIRECTORIES'] = os.path.dirname(root)
    env['GIT_CONFIG_NOSYSTEM'] = '1'
    env['GIT_CONFIG_GLOBAL'] = os.devnull
    for var in ('GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE'):
        env.pop(var, None)
    if no_color:
        env['NO_COLOR'] = '1'
    elif no_color is not None:
        env.pop('NO_COLOR', None)
    return env


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
