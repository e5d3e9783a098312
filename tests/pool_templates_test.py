#!/usr/bin/env python3
"""The reference pool modules in rules/templates (what `poolify pools init` writes), run for real.

Each template is copied to a scratch folder as shared/clients/<name>.py and imported from there.
The Google pools build fake client classes put in sys.modules: their constructors record their
arguments and sleep a little, so threads racing past a missing lock build two clients. The HTTP
pool runs with the installed requests against a server on 127.0.0.1 (a thread; each test stops
it, and it stops by itself after a minute).

Standard library only. Without requests the HTTP tests are skipped and the script exits 77, which
ctest reports as skipped (SKIP_RETURN_CODE), so a missing requests is seen, not passed over.

    python3 tests/pool_templates_test.py [unittest arguments]
"""
import ast
import contextlib
import functools
import glob
import http.server
import importlib
import inspect
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import types
import unittest
import warnings
from unittest import mock

try:
    import requests
    import urllib3.util.connection
except ImportError:
    requests = None

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, 'rules', 'templates')
THREADS = 32
BUILD_SECONDS = 0.05  # how long a fake client takes to build: long enough for races to show
FAKE_LIBRARIES = {'bigquery': ['Client'], 'storage': ['Client'], 'firestore': ['Client'],
                  'pubsub_v1': ['PublisherClient', 'SubscriberClient']}


def fake_client_class(name):
    """A client class whose constructor records (args, kwargs) in the class's `calls` and is slow."""
    calls = []

    def __init__(self, *args, **kwargs):
        calls.append((args, kwargs))
        time.sleep(BUILD_SECONDS)
    return type(name, (), {'__init__': __init__, 'calls': calls})


def load_template(test, name):
    """Imports rules/templates/<name>.py as shared.clients.<name> from a scratch folder, with fresh
    fake google.cloud libraries in sys.modules; everything is undone when the test ends.
    Returns (module, {library: fake module})."""
    root = tempfile.mkdtemp(prefix='pool-templates-')
    test.addCleanup(shutil.rmtree, root, True)
    package = os.path.join(root, 'shared', 'clients')
    os.makedirs(package)
    for folder in (os.path.dirname(package), package):
        open(os.path.join(folder, '__init__.py'), 'w').close()
    shutil.copy(os.path.join(TEMPLATES, name + '.py'), package)

    def ours(module_name):
        return module_name.split('.')[0] in ('google', 'shared')
    saved = {k: v for k, v in sys.modules.items() if ours(k)}
    for k in saved:
        del sys.modules[k]
    google, cloud = types.ModuleType('google'), types.ModuleType('google.cloud')
    google.__path__, cloud.__path__ = [], []
    google.cloud = cloud
    sys.modules.update({'google': google, 'google.cloud': cloud})
    fakes = {}
    for library, classes in FAKE_LIBRARIES.items():
        module = fakes[library] = types.ModuleType('google.cloud.' + library)
        for cls in classes:
            setattr(module, cls, fake_client_class(cls))
        setattr(cloud, library, module)
        sys.modules[module.__name__] = module
    sys.path.insert(0, root)
    importlib.invalidate_caches()

    def undo():
        sys.path.remove(root)
        for k in [k for k in sys.modules if ours(k)]:
            del sys.modules[k]
        sys.modules.update(saved)
    test.addCleanup(undo)
    return importlib.import_module('shared.clients.' + name), fakes


def call_together(functions):
    """Calls each function in its own thread, all released at once by a barrier; the results in order."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def run(i, function):
        try:
            barrier.wait(timeout=10)
            results[i] = function()
        except BaseException as e:  # noqa: B902 - reported below
            errors.append(e)
    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    if errors:
        raise errors[0]
    return results


def public_functions(module):
    return {name for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith('_')}


def check_in_fork_child(test, module, check):
    """Forks while the module's lock is held (as when another thread is building a client at that
    moment) and runs check() in the child; the test fails unless it returns True within 10 s."""
    sys.stdout.flush()
    sys.stderr.flush()
    with module._lock, warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)  # 3.12+: fork with threads alive
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                code = 0 if check() else 3
            except BaseException:  # noqa: B902 - the child must always exit here
                traceback.print_exc()
            finally:
                os._exit(code)
    deadline = time.monotonic() + 10
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            test.fail('the fork child hung: the lock held at the fork was not replaced')
        time.sleep(0.01)
    test.assertTrue(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
                    'the fork child did not get a fresh cache (status %d)' % status)


class TemplateFilesTest(unittest.TestCase):
    """Every shipped rule has a template defining what the rule rewrites to, in Python 3.8 syntax,
    importing only its client library and the standard library."""

    ALLOWED = {'bigquery_pool': {'google'}, 'storage_pool': {'google'}, 'firestore_pool': {'google'},
               'pubsub_pool': {'google'}, 'http_pool': {'requests', 'urllib3'}}

    def parse(self, name):
        with open(os.path.join(TEMPLATES, name + '.py'), encoding='utf-8') as f:
            return ast.parse(f.read(), name + '.py', feature_version=(3, 8))

    def test_every_rule_has_a_template_with_its_functions_and_keywords(self):
        rules = glob.glob(os.path.join(ROOT, 'rules', '*.yaml'))
        self.assertEqual(len(rules), 5)
        for rule in rules:
            with open(rule, encoding='utf-8') as f:
                text = f.read()
            modules = set(re.findall(r'module:\s*shared\.clients\.(\w+)', text))
            with self.subTest(rule=os.path.basename(rule)):
                self.assertEqual(len(modules), 1)
                defs = {node.name: node for node in self.parse(modules.pop()).body
                        if isinstance(node, ast.FunctionDef)}
                functions = set(re.findall(r'function:\s*(\w+)', text))
                self.assertLessEqual(functions, set(defs))
                parameters = {a.arg for name in functions for a in defs[name].args.args}
                self.assertLessEqual(set(re.findall(r'\bto:\s*(\w+)', text)), parameters)

    def test_python_38_syntax_and_only_allowed_imports(self):
        stdlib = getattr(sys, 'stdlib_module_names', None)
        for name, allowed in self.ALLOWED.items():
            with self.subTest(template=name):
                tree = self.parse(name)
                self.assertIsNotNone(ast.get_docstring(tree))
                imported = {alias.name.split('.')[0] for node in ast.walk(tree)
                            if isinstance(node, ast.Import) for alias in node.names}
                imported |= {node.module.split('.')[0] for node in ast.walk(tree)
                             if isinstance(node, ast.ImportFrom)}
                self.assertTrue(allowed & imported)
                if stdlib is not None:  # Python 3.10+
                    self.assertEqual(imported - allowed - set(stdlib), set())


class GooglePoolContract:
    """What every Google client pool promises. A subclass names the template and its `cases`:
    (function, keyword arguments, client class, the keyword arguments the constructor must get),
    each a key of its own; `aliases`: two argument sets that are the same key."""
    template = None
    cases = ()
    aliases = ()

    def setUp(self):
        self.pool, fakes = load_template(self, self.template)
        self.library = fakes[self.library_name]

    def call(self, case):
        function, kwargs = case[0], case[1]
        return getattr(self.pool, function)(**kwargs)

    def built(self, cls):
        return getattr(self.library, cls).calls

    def test_public_functions_are_the_rule_targets_and_clear_cache(self):
        self.assertEqual(public_functions(self.pool), {c[0] for c in self.cases} | {'clear_cache'})

    def test_one_client_per_key_when_threads_ask_together(self):
        order = [self.cases[i % len(self.cases)] for i in range(THREADS)]
        results = call_together([functools.partial(self.call, case) for case in order])
        for case in self.cases:
            got = [r for c, r in zip(order, results) if c is case]
            self.assertTrue(all(r is got[0] for r in got), case)
        for cls in {c[2] for c in self.cases}:
            self.assertEqual(len(self.built(cls)), sum(1 for c in self.cases if c[2] == cls))

    def test_distinct_keys_get_distinct_clients_and_a_key_keeps_its_client(self):
        first = [self.call(case) for case in self.cases]
        self.assertEqual(len({id(c) for c in first}), len(self.cases))
        self.assertEqual([self.call(case) for case in self.cases], first)
        for function, a, b in self.aliases:
            self.assertIs(getattr(self.pool, function)(**a), getattr(self.pool, function)(**b))

    def test_arguments_reach_the_constructor_as_the_library_expects(self):
        for case in self.cases:
            self.call(case)
            self.assertEqual(self.built(case[2])[-1], ((), case[3]), case)

    def test_clear_cache_forgets_clients(self):
        case = self.cases[0]
        before = self.call(case)
        self.pool.clear_cache()
        after = self.call(case)
        self.assertIsNot(after, before)
        self.assertEqual(len(self.built(case[2])), 2)
        self.assertIs(self.call(case), after)

    @unittest.skipUnless(hasattr(os, 'fork'), 'POSIX only')
    def test_fork_child_gets_a_fresh_cache(self):
        case = self.cases[0]
        parent = self.call(case)

        def child():
            mine = self.call(case)
            return mine is not parent and self.call(case) is mine and len(self.built(case[2])) == 2
        check_in_fork_child(self, self.pool, child)
        self.assertIs(self.call(case), parent)
        self.assertEqual(len(self.built(case[2])), 1)


class BigQueryPoolTest(GooglePoolContract, unittest.TestCase):
    template, library_name = 'bigquery_pool', 'bigquery'
    cases = (('get_bigquery_client', {'project_id': 'p1'}, 'Client', {'project': 'p1'}),
             ('get_bigquery_client', {'project_id': 'p1', 'location': 'EU'}, 'Client',
              {'project': 'p1', 'location': 'EU'}),
             ('get_bigquery_client', {'project_id': 'p2', 'location': 'EU'}, 'Client',
              {'project': 'p2', 'location': 'EU'}),
             ('get_bigquery_client', {'location': 'US'}, 'Client', {'location': 'US'}),
             ('get_bigquery_client', {}, 'Client', {}))
    aliases = (('get_bigquery_client', {}, {'project_id': None, 'location': None}),)


class StoragePoolTest(GooglePoolContract, unittest.TestCase):
    # storage.Client(project=None) means "no project", so the default must not pass project at all.
    template, library_name = 'storage_pool', 'storage'
    cases = (('get_storage_client', {'project_id': 'p1'}, 'Client', {'project': 'p1'}),
             ('get_storage_client', {'project_id': 'p2'}, 'Client', {'project': 'p2'}),
             ('get_storage_client', {}, 'Client', {}))
    aliases = (('get_storage_client', {}, {'project_id': None}),)


class FirestorePoolTest(GooglePoolContract, unittest.TestCase):
    template, library_name = 'firestore_pool', 'firestore'
    cases = (('get_firestore_client', {'project_id': 'p1'}, 'Client', {'project': 'p1'}),
             ('get_firestore_client', {'project_id': 'p1', 'database': 'runs'}, 'Client',
              {'project': 'p1', 'database': 'runs'}),
             ('get_firestore_client', {'database': 'runs'}, 'Client', {'database': 'runs'}),
             ('get_firestore_client', {}, 'Client', {}))
    aliases = (('get_firestore_client', {}, {'project_id': None, 'database': None}),)


class PubSubPoolTest(GooglePoolContract, unittest.TestCase):
    template, library_name = 'pubsub_pool', 'pubsub_v1'
    cases = (('get_pubsub_publisher', {}, 'PublisherClient', {}),
             ('get_pubsub_subscriber', {}, 'SubscriberClient', {}))


class Server(http.server.ThreadingHTTPServer):
    """Records every request: (method, path, query, client port, headers, body). Paths: /ok;
    /slow (answers after 2 s); /flaky/... (503 twice, then 200); /status/NNN (always NNN, with
    Retry-After: 0); /set-cookie (200 setting sid=abc); /login (302 to /ok setting sid=abc)."""
    daemon_threads = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), Handler)
        self.lock, self.seen = threading.Lock(), []

    def handle_error(self, request, client_address):
        pass  # the client gave up on /slow: nothing to report

    def requests_to(self, path):
        with self.lock:
            return [s for s in self.seen if s[1] == path]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive, so connection reuse can be seen

    def log_message(self, *args):
        pass

    def respond(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        path, _, query = self.path.partition('?')
        with self.server.lock:
            self.server.seen.append((self.command, path, query, self.client_address[1],
                                     dict(self.headers), body))
            count = sum(1 for s in self.server.seen if s[1] == path)
        status, headers = 200, {}
        if path == '/slow':
            time.sleep(2)
        elif path.startswith('/flaky/') and count <= 2:
            status = 503
        elif path.startswith('/status/'):
            status, headers = int(path.rsplit('/', 1)[1]), {'Retry-After': '0'}
        elif path == '/set-cookie':
            headers = {'Set-Cookie': 'sid=abc; Path=/'}
        elif path == '/login':
            status, headers = 302, {'Set-Cookie': 'sid=abc; Path=/', 'Location': '/ok'}
        payload = b'ok'
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = respond


@unittest.skipIf(requests is None, 'requests is not installed for this interpreter')
class HttpPoolTest(unittest.TestCase):
    def setUp(self):
        self.pool, _ = load_template(self, 'http_pool')
        self.pool.BACKOFF_FACTOR = 0  # urllib3's backoff is not under test; keep the retries quick
        self.server = Server()
        thread = threading.Thread(target=self.server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
        thread.start()
        deadline = threading.Timer(60, self.server.shutdown)  # stops by itself if a test hangs
        deadline.daemon = True
        deadline.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(thread.join, 5)
        self.addCleanup(self.server.shutdown)
        self.addCleanup(deadline.cancel)

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.server.server_address[1], path)

    def test_public_functions_are_the_rule_targets_and_clear_cache(self):
        self.assertEqual(public_functions(self.pool), {'get', 'post', 'get_http_session', 'clear_cache'})

    def test_get_and_post_have_the_signatures_of_requests(self):
        def shape(function):
            return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]
        self.assertEqual(shape(self.pool.get), shape(requests.get))
        self.assertEqual(shape(self.pool.post), shape(requests.post))

    def test_the_server_sees_what_requests_would_send(self):
        u, session = self.url('/ok'), self.pool.get_http_session()
        pairs = [(lambda: self.pool.get(u, {'a': '1'}, headers={'X-Trace': 't'}),
                  lambda: requests.get(u, {'a': '1'}, headers={'X-Trace': 't'})),
                 (lambda: self.pool.post(u, {'k': 'v'}), lambda: requests.post(u, {'k': 'v'})),
                 (lambda: self.pool.post(u, None, {'k': 'v'}), lambda: requests.post(u, None, {'k': 'v'}))]
        for verb in ('put', 'patch', 'delete', 'head', 'options'):
            pairs.append((functools.partial(getattr(session, verb), u), functools.partial(getattr(requests, verb), u)))
        pairs.append((lambda: session.request('GET', u), lambda: requests.request('GET', u)))
        for pooled, direct in pairs:
            pooled()
            direct()
        seen = [s[:3] + s[4:] for s in self.server.requests_to('/ok')]
        self.assertEqual(len(seen), 2 * len(pairs))
        for i in range(len(pairs)):
            self.assertEqual(seen[2 * i], seen[2 * i + 1])
        self.assertEqual(seen[0][2], 'a=1')
        self.assertEqual(json.loads(seen[4][4]), {'k': 'v'})

    def test_get_and_post_hand_the_session_what_requests_would(self):
        """No default timeout, header or other argument is added on the way to Session.request."""
        calls, real = [], requests.Session.request
        signature = inspect.signature(real)

        def record(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()  # Session.get passes allow_redirects=True, which is the default
            calls.append({k: v.upper() if k == 'method' else v for k, v in bound.arguments.items() if k != 'self'})
            return real(*args, **kwargs)
        u = self.url('/ok')
        forms = [('get', (u,), {}), ('get', (u, {'k': 'v'}), {'headers': {'X-Trace': 't'}, 'timeout': 5}),
                 ('post', (u, {'k': 'v'}), {}), ('post', (u, None, {'k': 'v'}), {'timeout': 5, 'stream': True})]
        with mock.patch.object(requests.Session, 'request', record):
            for name, args, kwargs in forms:
                getattr(self.pool, name)(*args, **kwargs)
                getattr(requests, name)(*args, **kwargs)
        self.assertEqual(len(calls), 2 * len(forms))
        for i in range(0, len(calls), 2):
            self.assertEqual(calls[i], calls[i + 1])

    def test_one_session_when_threads_ask_together(self):
        built = []

        class SlowSession(requests.Session):
            def __init__(self):
                built.append(self)
                time.sleep(BUILD_SECONDS)
                super().__init__()
        with mock.patch.object(requests, 'Session', SlowSession):
            sessions = call_together([self.pool.get_http_session] * THREADS)
        self.assertEqual(len(built), 1)
        self.assertTrue(all(s is built[0] for s in sessions))

    def test_connections_are_reused(self):
        for _ in range(3):
            self.pool.get(self.url('/ok'), timeout=5)
            self.pool.post(self.url('/ok'), json={}, timeout=5)
        self.assertEqual(len({s[3] for s in self.server.requests_to('/ok')}), 1)
        requests.get(self.url('/set-cookie'), timeout=5)  # the check can tell: requests.get connects anew
        requests.get(self.url('/set-cookie'), timeout=5)
        self.assertEqual(len({s[3] for s in self.server.requests_to('/set-cookie')}), 2)

    def test_a_post_read_timeout_raises_read_timeout_and_is_sent_once(self):
        with self.assertRaises(requests.exceptions.ReadTimeout):
            self.pool.post(self.url('/slow'), json={'n': 1}, timeout=0.5)
        self.assertEqual([s[0] for s in self.server.requests_to('/slow')], ['POST'])

    def test_a_get_read_timeout_raises_read_timeout_without_retries(self):
        with self.assertRaises(requests.exceptions.ReadTimeout):
            self.pool.get(self.url('/slow'), timeout=0.5)
        self.assertEqual([s[0] for s in self.server.requests_to('/slow')], ['GET'])

    def test_only_idempotent_methods_are_retried_and_only_on_502_503_504(self):
        session, tries = self.pool.get_http_session(), 1 + self.pool.RETRIES
        rows = [('GET', '/flaky/get', 200, 3), ('HEAD', '/flaky/head', 200, 3),
                ('OPTIONS', '/flaky/options', 200, 3), ('PUT', '/flaky/put', 200, 3),
                ('DELETE', '/flaky/delete', 200, 3), ('POST', '/flaky/post', 503, 1),
                ('PATCH', '/flaky/patch', 503, 1), ('GET', '/status/502', 502, tries),
                ('GET', '/status/504', 504, tries), ('GET', '/status/500', 500, 1),
                ('GET', '/status/429', 429, 1), ('PUT', '/status/413', 413, 1)]
        for method, path, status, count in rows:
            with self.subTest(method=method, path=path):
                if method == 'GET':
                    response = self.pool.get(self.url(path), timeout=5)
                elif method == 'POST':
                    response = self.pool.post(self.url(path), json={}, timeout=5)
                else:
                    response = session.request(method, self.url(path), timeout=5)
                self.assertEqual(response.status_code, status)
                self.assertEqual(len(self.server.requests_to(path)), count)

    def test_connection_errors_are_retried_for_idempotent_methods_only(self):
        with contextlib.closing(socket.socket()) as s:
            s.bind(('127.0.0.1', 0))
            closed = 'http://127.0.0.1:%d/' % s.getsockname()[1]  # nothing listens once closed
        session, tries = self.pool.get_http_session(), 1 + self.pool.RETRIES
        for method, count in (('GET', tries), ('HEAD', tries), ('OPTIONS', tries), ('PUT', tries),
                              ('DELETE', tries), ('POST', 1), ('PATCH', 1)):
            with self.subTest(method=method), \
                    mock.patch.object(urllib3.util.connection, 'create_connection',
                                      wraps=urllib3.util.connection.create_connection) as connect:
                with self.assertRaises(requests.exceptions.ConnectionError):
                    session.request(method, closed, timeout=5)
                self.assertEqual(connect.call_count, count)

    def test_cookies_are_not_kept_between_calls_but_follow_a_redirect(self):
        self.pool.get(self.url('/set-cookie'), timeout=5)
        self.pool.get(self.url('/ok'), timeout=5)
        self.assertNotIn('Cookie', self.server.requests_to('/ok')[0][4])
        self.assertEqual(self.pool.get(self.url('/login'), timeout=5).status_code, 200)
        requests.get(self.url('/login'), timeout=5)
        redirected = self.server.requests_to('/ok')[1:]
        self.assertEqual([s[4].get('Cookie') for s in redirected], ['sid=abc', 'sid=abc'])

    def test_clear_cache_forgets_the_session(self):
        before = self.pool.get_http_session()
        self.pool.clear_cache()
        after = self.pool.get_http_session()
        self.assertIsNot(after, before)
        self.assertIs(self.pool.get_http_session(), after)

    @unittest.skipUnless(hasattr(os, 'fork'), 'POSIX only')
    def test_fork_child_gets_a_fresh_session(self):
        parent = self.pool.get_http_session()

        def child():
            mine = self.pool.get_http_session()
            return mine is not parent and self.pool.get_http_session() is mine
        check_in_fork_child(self, self.pool, child)
        self.assertIs(self.pool.get_http_session(), parent)


def main():
    result = unittest.main(exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    if requests is None:
        print('pool_templates: the HTTP pool was not tested: requests is not installed for %s' % sys.executable,
              file=sys.stderr)
        sys.exit(77)


if __name__ == '__main__':
    main()
