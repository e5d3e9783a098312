#!/usr/bin/env python3
"""End-to-end runtime check of a migration: does the migrated tree still import, deploy and pass its tests?

    python3 tests/runtime_check.py --before ORIG --after MIGRATED [--json OUT] [--units GLOB...]
                                   [--jobs N] [--timeout S] [--item-timeout S] [--pattern test*.py]
                                   [--pycache DIR] [-v]

Both trees are checked the same way, with the fake cloud and HTTP packages of tests/fakes on the path
(after the root, ahead of site-packages), in fresh interpreters:

- import roots: the tree itself; every *unit* (a folder with main.py and requirements.txt and no
  __init__.py: a Cloud Function deployed alone with that folder as its source root); every folder
  matched by a --units glob (relative to the tree, e.g. `scripts`). In each root, with the root as cwd
  and sys.path[0], every module reachable from it is imported (tree root: every .py file by its dotted
  name, namespace packages included; unit: its own modules, main first, symlinks followed), one
  interpreter per root, restoring sys.path, sys.modules (first-party entries), cwd, argv and
  environment between modules; FAKE_CLIENTS_STRICT unset. Hidden folders, virtualenvs, build output,
  node_modules, __main__.py and setup.py are left out (importing the last two runs them).
- tests: `unittest` discovery (pattern test*.py) in every root that has test files, one interpreter per
  root, FAKE_CLIENTS_STRICT=1 (a client constructor that is not patched raises); every test id's result.
- patch targets: every `patch("a.b.C")` / `mock.patch(...)` / `patch.multiple(...)` string target in the
  test files (module-level string constants followed; `patch.dict` excluded) and every
  `patch.object(obj, "attr")` whose obj is an imported name; resolved like mock does (import the
  longest importable module prefix, then getattr the rest) in the import interpreter of its root.

Regressions (before -> after): modules that imported before and fail after (per root); tests that passed
before and fail (or vanish) after; patch targets that resolved before and do not after; patches that
resolve in both trees but whose test started failing (they no longer intercept what the code calls).
A summary goes to stderr, the lists to --json; exit 1 on any regression, 0 otherwise, 2 on usage errors.
Every interpreter is bounded by --timeout and every module import / test by --item-timeout; an item that
hangs or kills its interpreter is recorded as such and the interpreter is restarted after it.

The interpreters run tests/runtime_check_worker.py.
"""
import argparse
import ast
import concurrent.futures
import fnmatch
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from testlib import dotted

HERE = os.path.dirname(os.path.abspath(__file__))
FAKES = os.path.join(HERE, 'fakes')
WORKER = os.path.join(HERE, 'runtime_check_worker.py')
STRICT_ENV = 'FAKE_CLIENTS_STRICT'
PASSING = ('pass', 'skip')  # test outcomes that are not failures
SKIP_DIRS = {'__pycache__', 'node_modules', 'site-packages', 'venv', 'env', 'build', 'dist'}
SKIP_FILES = {'__main__.py', 'setup.py'}  # scripts by definition: importing them runs them


# ---------------------------------------------------------------------------------------------------
# Parent: finding roots, modules, tests and patch targets; running workers; comparing the two trees.
# ---------------------------------------------------------------------------------------------------
def walk_py(root, follow_links):
    """Yield (relative path parts without .py, file path) for the .py files below root, sorted, in
    folders that can be imported by name."""
    seen = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_links):
        real = os.path.realpath(dirpath)
        if real in seen:  # a symlink loop
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith('.') and d not in SKIP_DIRS and d.isidentifier())
        rel = os.path.relpath(dirpath, root)
        parts = [] if rel == '.' else rel.split(os.sep)
        for name in sorted(filenames):
            if name.endswith('.py') and name not in SKIP_FILES:
                yield parts + [name[:-3]], os.path.join(dirpath, name)


def module_names(root, unit):
    """{dotted module name: file} of the modules importable from root, in import order (main first in
    a unit). Folders and files whose names are not identifiers cannot be imported by name: skipped."""
    names = {}
    for parts, path in walk_py(root, follow_links=unit):
        if parts[-1] == '__init__':
            parts = parts[:-1]
        if parts and all(p.isidentifier() for p in parts):
            names.setdefault('.'.join(parts), path)
    if unit and 'main' in names:
        names = dict([('main', names.pop('main'))] + list(names.items()))
    return names


def find_roots(tree, unit_globs):
    """[(relative path, kind)]: the tree ('.', 'repo'), its units ('unit'), --units folders ('extra')."""
    roots = [('.', 'repo')]
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith('.') and d not in SKIP_DIRS)
        rel = os.path.relpath(dirpath, tree)
        if rel != '.' and 'main.py' in filenames and 'requirements.txt' in filenames \
                and '__init__.py' not in filenames:
            roots.append((rel, 'unit'))
    known = {r for r, _ in roots}
    for pattern in unit_globs:
        for path in sorted(glob.glob(os.path.join(tree, pattern), recursive=True)):
            rel = os.path.relpath(path, tree)
            if os.path.isdir(path) and rel not in known:
                roots.append((rel, 'extra'))
                known.add(rel)
    return roots


def owner_root(rel_file, roots):
    """The innermost root containing a tree-relative file."""
    best = '.'
    for rel, _ in roots:
        if rel != '.' and (rel_file + os.sep).startswith(rel + os.sep) and len(rel) > len(best):
            best = rel
    return best


def patch_kind(func, imports):
    """'patch', 'object', 'multiple' or 'dict' when func is a mock patcher, else None."""
    name = dotted(func)
    if not name or 'patch' not in name.split('.'):
        return None
    parts = name.split('.')
    head, rest = parts[0], parts[parts.index('patch') + 1:]
    if head not in ('patch', 'mock', 'unittest', 'mocker') and not imports.get(head, '').startswith('unittest.mock'):
        return None
    return {(): 'patch', ('object',): 'object', ('multiple',): 'multiple', ('dict',): 'dict'}.get(tuple(rest))


def statements(body):
    """Every statement in a body, nested blocks included (expressions are not entered)."""
    for node in body:
        yield node
        for field in ('body', 'orelse', 'finalbody', 'handlers'):
            yield from statements(getattr(node, field, None) or [])


def file_symbols(tree_ast):
    """(imports: local name -> dotted path, string constants: module-level NAME -> str)."""
    imports, consts = {}, {}
    for node in statements(tree_ast.body):
        if isinstance(node, ast.Import):
            for a in node.names:
                imports[a.asname or a.name.split('.')[0]] = a.name if a.asname else a.name.split('.')[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                imports[a.asname or a.name] = node.module + '.' + a.name
    for node in tree_ast.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    consts[t.id] = node.value.value
    return imports, consts


def call_targets(call, kind, imports, consts):
    """The dotted targets a patcher call names ([] when it cannot be known without running it)."""
    args = list(call.args)
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    first = args[0] if args else kw.get('target')

    def text(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return consts.get(node.id)
        return None

    if kind == 'object':
        obj = dotted(args[0]) if args else None
        attr = text(args[1]) if len(args) > 1 else text(kw.get('attribute'))
        head = obj.split('.')[0] if obj else None
        if not obj or attr is None or head not in imports:
            return []
        return ['.'.join([imports[head]] + obj.split('.')[1:] + [attr])]
    target = text(first) if first is not None else None
    if target is None:
        return []
    if kind == 'multiple':
        return [target + '.' + k for k in kw if k not in ('spec', 'create', 'spec_set', 'autospec', 'new_callable')]
    return [target]


class ScopeVisitor(ast.NodeVisitor):
    """Finds patcher calls with the class and test method they apply to (decorators included)."""

    def __init__(self, imports, consts):
        self.imports, self.consts = imports, consts
        self.cls, self.func = None, None
        self.found = []  # (line, target, class, test method)

    def visit_ClassDef(self, node):
        for d in node.decorator_list:
            self.visit(d)
        outer, self.cls = (self.cls, self.func), (node.name if self.cls is None else self.cls)
        for stmt in node.body:
            self.visit(stmt)
        self.cls, self.func = outer

    def visit_FunctionDef(self, node):
        for d in node.decorator_list:
            self.visit_with(d, node)
        outer = self.func
        if self.func is None:
            self.func = node.name if (self.cls and node.name.startswith('test')) else ''
        for stmt in node.body:
            self.visit(stmt)
        self.func = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_with(self, decorator, func):
        outer = self.func
        if self.func is None:
            self.func = func.name if (self.cls and func.name.startswith('test')) else ''
        self.visit(decorator)
        self.func = outer

    def visit_Constant(self, node):  # sample data is full of them: nothing to find there
        pass

    def visit_Call(self, node):
        kind = patch_kind(node.func, self.imports)
        if kind and kind != 'dict':
            for target in call_targets(node, kind, self.imports, self.consts):
                self.found.append((node.lineno, target, self.cls, self.func or None))
        self.generic_visit(node)


def collect_patches(tree, root_rel, modules, pattern):
    """Patch sites of the test files of one root: dicts with key, file, line, target, scope."""
    sites = []
    for module, path in modules.items():
        base = os.path.basename(path)
        if not (fnmatch.fnmatch(base, pattern) or 'tests' in module.split('.')[:-1]):
            continue
        try:
            with open(path, encoding='utf-8') as f:
                source = f.read()
            if 'patch' not in source:
                continue
            parsed = ast.parse(source)
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        visitor = ScopeVisitor(*file_symbols(parsed))
        visitor.visit(parsed)
        rel = os.path.relpath(path, tree)
        seen = {}
        for line, target, cls, func in visitor.found:
            n = seen[target] = seen.get(target, 0) + 1
            scope = '.'.join(p for p in (module, cls, func) if p)
            sites.append({'key': '%s:%s#%d' % (rel, target, n), 'root': root_rel, 'file': rel, 'line': line,
                          'target': target, 'scope': scope})
    return sites


def _attempt(cmd, spec, skip, env, timeout, spec_path):
    """One interpreter over the items not in skip: (finished, {key: result}, key started but not finished,
    how the interpreter ended and the tail of its output)."""
    out_path, log_path = spec_path + '.out', spec_path + '.log'
    open(out_path, 'w').close()
    with open(spec_path, 'w', encoding='utf-8') as f:
        json.dump(dict(spec, skip=sorted(skip)), f)
    with open(log_path, 'w') as log:
        try:
            proc = subprocess.run(cmd + [out_path], cwd=spec['root'], env=env, stdin=subprocess.DEVNULL,
                                  stdout=log, stderr=log, timeout=timeout)
            status = 'interpreter exited with status %d' % proc.returncode
        except subprocess.TimeoutExpired:
            status = 'interpreter killed after --timeout %gs' % timeout
    finished, results, started = False, {}, None
    with open(out_path, encoding='utf-8') as f:
        for line in f:
            record = json.loads(line)
            if 'done' in record:
                finished = True
            elif 'start' in record:
                started = record['start']
            else:
                key = record.pop('key')
                results[key] = record
                started = None if started == key else started
    with open(log_path, errors='replace') as f:
        tail = ' | '.join(f.read().strip().splitlines()[-3:])[-300:]
    return finished, results, started, status + (': ' + tail if tail else '')


def run_worker(spec, opts, tmp):
    """Run one worker to completion; an item that hangs or kills the interpreter is recorded as an error
    and a new interpreter goes on after it. Returns {key: result}."""
    fd, spec_path = tempfile.mkstemp(suffix='.json', dir=tmp)
    os.close(fd)
    env = {k: v for k, v in os.environ.items() if k != STRICT_ENV and not k.startswith('PYTHON')}
    if spec['kind'] == 'tests':
        env[STRICT_ENV] = '1'
    cmd = [sys.executable, '-E', '-s', '-X', 'pycache_prefix=' + (opts.pycache or os.path.join(tmp, 'pycache')),
           WORKER, spec_path]
    results = {}
    while True:
        finished, new, started, status = _attempt(cmd, spec, results, env, opts.timeout, spec_path)
        results.update(new)
        if finished:
            return results
        crash = {'ok': False, 'outcome': 'error', 'error': status, 'detail': status, 'where': ''}
        if started is None or started in results:  # died outside any item (startup, discovery)
            results['<worker>'] = crash
            return results
        results[started] = crash


def plan_tree(tree, opts):
    """The facts of one tree still to be filled in, and the worker jobs that fill them:
    [(order, info, 'imports' or 'tests', spec)]."""
    roots = find_roots(tree, opts.units)
    facts = {'tree': tree, 'roots': {}}
    jobs = []
    for rel, kind in roots:
        root = os.path.normpath(os.path.join(tree, rel))
        modules = module_names(root, unit=(kind != 'repo'))
        if kind == 'repo':  # unit files belong to their units: their tests and patches are checked there
            own = {m: p for m, p in modules.items() if owner_root(os.path.relpath(p, tree), roots) == '.'}
        else:
            own = modules
        patches = collect_patches(tree, rel, own, opts.pattern)
        info = {'kind': kind, 'modules': list(modules), 'patches': patches, 'imports': {}, 'tests': {}}
        facts['roots'][rel] = info
        base = {'tree': tree, 'root': root, 'fakes': FAKES, 'item_timeout': opts.item_timeout,
                'pattern': opts.pattern}
        spec = dict(base, kind='imports', modules=list(modules), targets=sorted({p['target'] for p in patches}))
        jobs.append((0 if kind == 'repo' else 1, info, 'imports', spec))
        if any(fnmatch.fnmatch(os.path.basename(p), opts.pattern) for p in own.values()):
            jobs.append((2, info, 'tests', dict(base, kind='tests')))
    return facts, jobs


def run_jobs(jobs, opts, tmp):
    """Every job in a pool of --jobs threads, each running one worker: the big import roots first (they
    compile the most), tests last (they find the bytecode the imports wrote to the shared pycache)."""
    with concurrent.futures.ThreadPoolExecutor(max(1, opts.jobs)) as pool:
        ordered = sorted(jobs, key=lambda job: job[0])
        futures = [(info, what, pool.submit(run_worker, spec, opts, tmp)) for _, info, what, spec in ordered]
        for info, what, future in futures:
            info[what] = future.result()


def _in_scope(test_id, scope):
    return test_id == scope or test_id.startswith(scope + '.')


def _failure_of(tests, test_id):
    """The after-result that explains a missing test: its module or class failing to load."""
    parts = test_id.split('.')
    for i in range(len(parts) - 1, 0, -1):
        r = tests.get('.'.join(parts[:i]))
        if r and r.get('outcome') not in PASSING:
            return r
    return tests.get('<worker>')


def _resolves(info, site):
    return bool(info['imports'].get('target:' + site['target'], {}).get('ok'))


def module_regressions(rel, b, a, after_has_root):
    out = []
    for module in b['modules']:
        rb, ra = b['imports'].get('import:' + module, {}), a['imports'].get('import:' + module)
        if rb.get('ok') and not (ra and ra.get('ok')):
            ra = ra or {'error': 'module missing after' if after_has_root else 'root missing after'}
            out.append({'root': rel, 'kind': b['kind'], 'module': module, 'error': ra.get('error', ''),
                        'where': ra.get('where', '')})
    return out


def test_regressions(rel, b, a):
    """Tests that passed before and fail, error or are not run after (their module or class failed)."""
    out = []
    for tid, rb in sorted(b['tests'].items()):
        if rb.get('outcome') != 'pass':
            continue
        ra = a['tests'].get(tid)
        if ra is None:
            ra = dict(_failure_of(a['tests'], tid) or {'detail': 'not found after'}, outcome='missing')
        if ra['outcome'] not in PASSING:
            out.append({'root': rel, 'test': tid, 'outcome': ra['outcome'], 'detail': ra.get('detail', ''),
                        'where': ra.get('where', '')})
    return out


def patch_regressions(rel, b, a, failing):
    """(targets that resolved before and do not after; patches that resolve in both trees whose test
    passed before and fails after although it ran and every patch of it still resolves)."""
    after_sites = {p['key']: p for p in a['patches']}
    unresolved_scopes = [p['scope'] for p in a['patches'] if not _resolves(a, p)]
    broken_targets, not_intercepting = [], []
    for site in b['patches']:
        other = after_sites.get(site['key'])
        if other is None or not _resolves(b, site):
            continue
        entry = {'root': rel, 'file': site['file'], 'line': other['line'], 'target': site['target']}
        if not _resolves(a, other):
            ra = a['imports'].get('target:' + other['target'], {})
            broken_targets.append(dict(entry, error=ra.get('error', 'not checked'), where=ra.get('where', '')))
            continue
        tests = sorted(t for t, r in failing.items() if _in_scope(t, site['scope']) and r['outcome'] != 'missing'
                       and not any(_in_scope(t, scope) for scope in unresolved_scopes))
        if tests:
            not_intercepting.append(dict(entry, tests=tests, detail=failing[tests[0]]['detail']))
    return broken_targets, not_intercepting


def compare(before, after):
    """Regressions from the facts of the two trees."""
    reg = {'modules': [], 'tests': [], 'patch_targets': [], 'patches_not_intercepting': []}
    for rel, b in before['roots'].items():
        a = after['roots'].get(rel, {'modules': [], 'imports': {}, 'tests': {}, 'patches': []})
        reg['modules'] += module_regressions(rel, b, a, rel in after['roots'])
        tests = test_regressions(rel, b, a)
        reg['tests'] += tests
        broken, not_intercepting = patch_regressions(rel, b, a, {t['test']: t for t in tests})
        reg['patch_targets'] += broken
        reg['patches_not_intercepting'] += not_intercepting
    return reg


def tree_counts(facts):
    """Per root kind: roots, modules, modules imported; tests run and passed; patch targets resolved."""
    counts = {}
    for rel, info in facts['roots'].items():
        c = counts.setdefault(info['kind'], {'roots': 0, 'modules': 0, 'imported': 0, 'tests': 0, 'passed': 0,
                                             'patch_sites': 0, 'patch_sites_resolved': 0})
        c['roots'] += 1
        c['modules'] += len(info['modules'])
        c['imported'] += sum(1 for m in info['modules'] if info['imports'].get('import:' + m, {}).get('ok'))
        tests = {t: r for t, r in info['tests'].items() if t != '<worker>'}
        c['tests'] += len(tests)
        c['passed'] += sum(1 for r in tests.values() if r.get('outcome') == 'pass')
        c['patch_sites'] += len(info['patches'])
        c['patch_sites_resolved'] += sum(1 for p in info['patches']
                                         if info['imports'].get('target:' + p['target'], {}).get('ok'))
    return counts


def tree_failures(facts):
    """What fails in one tree on its own (modules, tests, unresolved patch targets)."""
    out = {'modules': [], 'tests': [], 'patch_targets': []}
    for rel, info in facts['roots'].items():
        for m in info['modules']:
            r = info['imports'].get('import:' + m, {})
            if not r.get('ok'):
                out['modules'].append({'root': rel, 'module': m, 'error': r.get('error', 'not run'),
                                       'where': r.get('where', '')})
        for t, r in sorted(info['tests'].items()):
            if r.get('outcome') not in PASSING:
                out['tests'].append({'root': rel, 'test': t, 'outcome': r.get('outcome'),
                                     'detail': r.get('detail', ''), 'where': r.get('where', '')})
        for p in info['patches']:
            r = info['imports'].get('target:' + p['target'], {})
            if not r.get('ok'):
                out['patch_targets'].append({'root': rel, 'file': p['file'], 'line': p['line'],
                                             'target': p['target'], 'error': r.get('error', 'not run')})
    return out


def summarize(before, after, reg, seconds, verbose):
    """The human summary (stderr)."""
    cb, ca = tree_counts(before), tree_counts(after)
    lines = ['runtime_check: %s -> %s (%.1f s)' % (before['tree'], after['tree'], seconds)]
    by_kind = {}
    for r in reg['modules']:
        by_kind.setdefault(r['kind'], []).append(r)
    labels = {'repo': 'tree root', 'unit': 'units (main.py + requirements.txt)', 'extra': '--units roots'}
    for kind in ('repo', 'unit', 'extra'):
        if kind not in cb:
            continue
        b, a, regs = cb[kind], ca.get(kind, {}), by_kind.get(kind, [])
        lines.append('  imports, %s: %d root(s), %d modules; imported %d before, %d after; %d regressed%s'
                     % (labels[kind], b['roots'], b['modules'], b['imported'], a.get('imported', 0), len(regs),
                        ' (in %d roots)' % len({r['root'] for r in regs}) if kind != 'repo' and regs else ''))
    tb = sum(c['tests'] for c in cb.values())
    lines.append('  tests: %d run before (%d passed), %d after (%d passed); %d regressed'
                 % (tb, sum(c['passed'] for c in cb.values()), sum(c['tests'] for c in ca.values()),
                    sum(c['passed'] for c in ca.values()), len(reg['tests'])))
    lines.append('  patch targets: %d sites, %d resolved before, %d after; %d no longer resolve; '
                 '%d resolve but no longer intercept (their test started failing)'
                 % (sum(c['patch_sites'] for c in cb.values()), sum(c['patch_sites_resolved'] for c in cb.values()),
                    sum(c['patch_sites_resolved'] for c in ca.values()), len(reg['patch_targets']),
                    len(reg['patches_not_intercepting'])))
    causes = {}
    for r in reg['modules'] + reg['tests'] + reg['patch_targets']:
        text = r.get('error') or r.get('detail') or r.get('outcome', '')
        causes[text] = causes.get(text, 0) + 1
    if causes:
        lines.append('  most common causes:')
        for text, n in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))[:8]:
            lines.append('    %5d  %s' % (n, text[:160]))
    limit = None if verbose else 5
    for title, rows, fmt in (
            ('modules that no longer import', reg['modules'], lambda r: '%s [%s]: %s %s' % (
                r['module'], r['root'], r['error'], r['where'])),
            ('tests that no longer pass', reg['tests'], lambda r: '%s [%s]: %s %s %s' % (
                r['test'], r['root'], r['outcome'], r['detail'], r['where'])),
            ('patch targets that no longer resolve', reg['patch_targets'], lambda r: '%s:%d %s: %s' % (
                r['file'], r['line'], r['target'], r['error'])),
            ('patches that no longer intercept', reg['patches_not_intercepting'], lambda r: '%s:%d %s (%s: %s)' % (
                r['file'], r['line'], r['target'], ', '.join(r['tests']), r['detail']))):
        if rows:
            lines.append('  %s (%d)%s:' % (title, len(rows), '' if verbose or len(rows) <= 5 else ', first 5; -v for all'))
            lines += ['    ' + ' '.join(fmt(r).split()) for r in rows[:limit]]
    lines.append('runtime_check: %s' % ('REGRESSIONS' if any(reg.values()) else 'no regressions'))
    return '\n'.join(lines)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--before', required=True, help='the tree before the migration')
    ap.add_argument('--after', required=True, help='the migrated tree')
    ap.add_argument('--json', help='write the regressions, counts and per-tree failures here')
    ap.add_argument('--units', nargs='+', action='extend', default=[], metavar='GLOB',
                    help='more import roots, as globs relative to each tree (e.g. scripts)')
    ap.add_argument('--pattern', default='test*.py', help='test file pattern for discovery (default test*.py)')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1, help='interpreters at once (default: cores)')
    ap.add_argument('--timeout', type=float, default=600, help='seconds one interpreter may run (default 600)')
    ap.add_argument('--item-timeout', type=float, default=30,
                    help='seconds one module import or one test may take (default 30)')
    ap.add_argument('--pycache', metavar='DIR',
                    help='keep the bytecode compiled from both trees here, to reuse in later runs (default: a '
                         'temporary folder; nothing is ever written into the trees)')
    ap.add_argument('-v', '--verbose', action='store_true', help='list every regression in the summary')
    opts = ap.parse_args(argv)
    for name in ('before', 'after'):
        path = getattr(opts, name)
        if not os.path.isdir(path):
            ap.error('--%s %s is not a folder' % (name, path))
        setattr(opts, name, os.path.abspath(path))
    return opts


def main(argv):
    opts = parse_args(argv)
    start = time.time()
    tmp = tempfile.mkdtemp(prefix='runtime-check-')
    try:
        before, jobs_before = plan_tree(opts.before, opts)
        after, jobs_after = plan_tree(opts.after, opts)
        run_jobs(jobs_before + jobs_after, opts, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    reg = compare(before, after)
    seconds = time.time() - start
    print(summarize(before, after, reg, seconds, opts.verbose), file=sys.stderr)
    if opts.json:
        report = {'before': opts.before, 'after': opts.after, 'seconds': round(seconds, 2),
                  'counts': {'before': tree_counts(before), 'after': tree_counts(after)},
                  'regressions': reg,
                  'failures': {'before': tree_failures(before), 'after': tree_failures(after)}}
        with open(opts.json, 'w', encoding='utf-8') as f:
            json.dump(report, f, indent=1, sort_keys=True)
            f.write('\n')
    return 1 if any(reg.values()) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
