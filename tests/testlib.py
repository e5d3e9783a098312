"""What the end-to-end test scripts share: finding the poolify binary named on the command line, the sample
sources each rule rewrites, writing and reading files of a scratch tree, and reading dotted names in an AST."""
import ast
import os
import shutil
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
