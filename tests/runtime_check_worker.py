#!/usr/bin/env python3
"""The worker of tests/runtime_check.py: runs inside each fresh interpreter the checker starts.

    python3 -E -s tests/runtime_check_worker.py SPEC.json OUT.jsonl      (started by runtime_check.py)

SPEC says what to do in which root: "imports" (import each module, then resolve each patch target,
restoring the interpreter's state between items) or "tests" (unittest discovery and run). The root
becomes the cwd and sys.path[0], tests/fakes comes right after it. OUT gets one JSON line per event:
{"start": key} before an item, its result {"key": key, ...} after it, {"done": true} at the end, so the
checker can tell which item hung or killed the interpreter and start a new one after it. Standard
library only, and only what the worker needs (it starts once per root).
"""
import importlib
import json
import os
import re
import signal
import sys
import traceback

PASSING = ('pass', 'skip')


# ---------------------------------------------------------------------------------------------------
class ItemTimeout(BaseException):
    """Raised by the alarm when one import or test runs longer than --item-timeout (not an Exception,
    so the code under test cannot swallow it)."""


def _on_alarm(signum, frame):
    raise ItemTimeout('timed out')


def _arm(seconds):
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _disarm():
    signal.setitimer(signal.ITIMER_REAL, 0)


def _under(path, dirs):
    path = os.path.normpath(os.path.abspath(path))
    return any(path == d or path.startswith(d + os.sep) for d in dirs)


def describe(exc_type, exc, tb, tree):
    """(one-line error, 'path:line' of the innermost frame inside the tree or '')."""
    text = str(exc).strip().splitlines()
    message = exc_type.__name__ + (': ' + text[-1] if text else '')
    if text and text[0].startswith('Failed to import test module'):
        message = text[-1]  # the import's own error, not unittest's wrapper
    frames = [(f.filename, f.lineno) for f in traceback.extract_tb(tb)]
    # unittest reports a test module that fails to import with the import's traceback as the message
    frames += [(m.group(1), int(m.group(2))) for m in re.finditer(r'File "([^"]+)", line (\d+)', str(exc))]
    where = ''
    for filename, line in frames:
        if _under(filename, [tree]):
            where = '%s:%d' % (os.path.relpath(os.path.normpath(filename), tree), line)
    return message[:400], where


class Sandbox:
    """What one import may change and the next must not see: sys.path, import hooks, cwd, argv,
    environment, and modules that came from anywhere else than where the root (or the fakes) provide
    them. A module the root itself provides under its name stays loaded, so each is executed once;
    one that was found through a path an earlier module added is dropped (the next module must find
    it on its own)."""

    def __init__(self, tree, root, fakes):
        self.tree = tree
        self.owned = [os.path.normpath(tree), os.path.normpath(fakes)]
        self.bases = [os.path.normpath(root), os.path.normpath(fakes)]
        self.path, self.meta_path, self.path_hooks = list(sys.path), list(sys.meta_path), list(sys.path_hooks)
        self.cwd, self.argv, self.environ = os.getcwd(), list(sys.argv), dict(os.environ)
        self.modules = set(sys.modules)

    def _stale(self, name, module):
        """True for a first-party module that is not the one the root or the fakes provide under name."""
        try:
            spec = getattr(module, '__spec__', None)
            if spec is None:
                return True  # made at run time by the code under check
            f = getattr(module, '__file__', None)
            places = [f] if f else list(getattr(spec, 'submodule_search_locations', None) or ())
            if not any(_under(p, self.owned) for p in places):
                return False  # standard library, site-packages
            rel = name.replace('.', os.sep)
            expected = {os.path.join(b, rel + suffix) for b in self.bases for suffix in ('.py', os.sep + '__init__.py', '')}
            return not any(os.path.normpath(p) in expected for p in places)
        except Exception:  # noqa: BLE001 - e.g. a namespace package whose parent is gone
            return True

    def restore(self):
        sys.path[:], sys.meta_path[:], sys.path_hooks[:] = self.path, self.meta_path, self.path_hooks
        sys.argv[:] = self.argv
        if os.getcwd() != self.cwd:
            os.chdir(self.cwd)
        if os.environ != self.environ:
            os.environ.clear()
            os.environ.update(self.environ)
        # decide first, delete after: a namespace package's path is computed from its parent's entry
        new = [name for name in sys.modules if name not in self.modules]
        stale = [name for name in new if self._stale(name, sys.modules[name])]
        for name in stale:
            del sys.modules[name]
        self.modules.update(new)  # the ones kept are not looked at again
        self.modules.difference_update(stale)

    def run(self, fn, item_timeout):
        """fn() bounded by the alarm; {"ok": True} or {"ok": False, "error": ..., "where": ...}."""
        try:
            _arm(item_timeout)
            try:
                fn()
            finally:
                _disarm()
            return {'ok': True}
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit and timeouts are results too
            error, where = describe(type(exc), exc, exc.__traceback__, self.tree)
            return {'ok': False, 'error': error, 'where': where}
        finally:
            self.restore()


def resolve_target(target):
    """Resolve a dotted patch target as mock does: import the longest importable module prefix (a, a.b,
    ... until a name is not a module), then getattr the rest. Raises what went wrong; an error while
    importing a prefix that exists is raised as it is (the traceback names the failing file)."""
    parts = target.split('.')
    obj, used = None, 0
    for i in range(1, len(parts) + 1):
        name = '.'.join(parts[:i])
        try:
            obj, used = importlib.import_module(name), i
        except ModuleNotFoundError as exc:
            if exc.name == name:
                break  # not a module: the rest are attributes
            raise
    if obj is None:
        raise ModuleNotFoundError('No module named %r' % parts[0], name=parts[0])
    for attr in parts[used:]:
        if not hasattr(obj, attr):
            raise AttributeError('%s has no attribute %r' % (getattr(obj, '__name__', repr(obj)), attr))
        obj = getattr(obj, attr)
    return obj


def worker_imports(spec, skip, emit):
    box = Sandbox(spec['tree'], spec['root'], spec['fakes'])
    items = [('import:' + m, importlib.import_module, m) for m in spec['modules']]
    items += [('target:' + t, resolve_target, t) for t in spec['targets']]
    for key, fn, arg in items:
        if key in skip:
            continue
        emit({'start': key})
        emit(dict(box.run(lambda: fn(arg), spec['item_timeout']), key=key))


def test_key(test):
    """The id of a test, or of what a loader/fixture error stands for (a module, a class)."""
    tid = test.id()
    prefix = 'unittest.loader._FailedTest.'
    if tid.startswith(prefix):
        return tid[len(prefix):]
    if '(' in tid and tid.endswith(')'):  # _ErrorHolder: "setUpClass (pkg.mod.Class)"
        return tid[tid.index('(') + 1:-1]
    return tid


def recording_result(unittest, emit, tree, item_timeout):
    """A unittest result that emits one result per test (pass, fail, error, skip), each test bounded by
    the alarm. (unittest is passed in: only the tests worker imports it, the import workers start
    faster without it.)"""

    class RecordingResult(unittest.TestResult):
        def __init__(self):
            super().__init__()
            self.current = None

        def startTest(self, test):
            super().startTest(test)
            self.current = {'key': test_key(test), 'outcome': 'pass'}
            emit({'start': self.current['key']})
            _arm(item_timeout)

        def stopTest(self, test):
            _disarm()
            super().stopTest(test)
            emit(self.current)
            self.current = None

        def _bad(self, test, outcome, err):
            detail, where = describe(err[0], err[1], err[2], tree)
            if self.current is not None and self.current['key'] == test_key(test):
                if self.current['outcome'] in PASSING:
                    self.current.update(outcome=outcome, detail=detail, where=where)
            else:  # a module that failed to import, a setUpClass/setUpModule error
                emit({'key': test_key(test), 'outcome': outcome, 'detail': detail, 'where': where})

        def addError(self, test, err):
            self._bad(test, 'error', err)

        def addFailure(self, test, err):
            self._bad(test, 'fail', err)

        def addSubTest(self, test, subtest, err):
            if err is not None:
                self._bad(test, 'fail' if issubclass(err[0], test.failureException) else 'error', err)

        def addSkip(self, test, reason):
            if self.current is not None:
                self.current['outcome'] = 'skip'

        def addUnexpectedSuccess(self, test):
            if self.current is not None:
                self.current.update(outcome='fail', detail='unexpected success')

    return RecordingResult()


def without(unittest, suite, skip):
    """The suite minus the tests already recorded (after an interpreter was restarted)."""
    kept = unittest.TestSuite()
    for test in suite:
        if isinstance(test, unittest.TestSuite):
            kept.addTest(without(unittest, test, skip))
        elif test_key(test) not in skip:
            kept.addTest(test)
    return kept


def worker_tests(spec, skip, emit):
    import unittest

    suite = unittest.defaultTestLoader.discover(spec['root'], pattern=spec['pattern'], top_level_dir=spec['root'])
    without(unittest, suite, skip).run(recording_result(unittest, emit, spec['tree'], spec['item_timeout']))


def main(spec_path, out_path):
    with open(spec_path, encoding='utf-8') as f:
        spec = json.load(f)
    root = spec['root']
    sys.path[0] = root
    sys.path.insert(1, spec['fakes'])
    os.chdir(root)
    out = open(out_path, 'a', encoding='utf-8')

    def emit(record):
        out.write(json.dumps(record) + '\n')
        out.flush()

    skip = set(spec['skip'])
    (worker_imports if spec['kind'] == 'imports' else worker_tests)(spec, skip, emit)
    emit({'done': True})
    out.close()
    os._exit(0)  # threads the tree started must not keep the interpreter alive




if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
