#!/usr/bin/env python3
"""End-to-end test of `poolify report` (python3 standard library only).

    report_test.py --poolify BIN [--screenshot-out PNG] [--without-chromium] [unittest options, e.g. -v]

Runs `poolify report . -o report.html` on a copy of fixtures/pipeline and checks the file itself
(self-contained, balanced markup, deterministic), then the DOM that headless Chromium renders from
it against the numbers poolify gives elsewhere: `poolify manifest --format json` before and after
`poolify migrate --apply` on another copy, and the dry-run diff of `poolify migrate`.

Chromium (found on PATH as chromium, chromium-browser, google-chrome or google-chrome-stable) is
needed only for the rendering checks: without it they are skipped with a message saying so, and the
checks of the file itself still run. POOLIFY_REQUIRE_CHROMIUM=1 (set by scripts/test.sh, which
installs chromium) makes its absence a failure instead. `--without-chromium` runs as if it were
absent, and fails unless the rendering checks were skipped and everything else passed.
`--screenshot-out` keeps the 1280-wide screenshot the test takes (e.g. to refresh docs/report.png).
"""

import html
import html.parser
import json
import os
import re
import shutil
import struct
import sys
import tempfile
import unittest
import urllib.parse

from testlib import poolify_env, run_command, split_poolify_argv, write_pools

POOLIFY = None  # absolute path of the binary, set in main()
SCREENSHOT_OUT = None
WITHOUT_CHROMIUM = False  # --without-chromium
HERE = os.path.dirname(os.path.abspath(__file__))
PIPELINE = os.path.join(os.path.dirname(HERE), 'fixtures', 'pipeline')
TIMEOUT = 180
CHROMIUM_NAMES = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync',
                  '--hide-scrollbars']
VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'}


def poolify(cwd, *args):
    code, out, err = run_command([POOLIFY, *args], cwd, poolify_env(cwd), TIMEOUT)
    if code != 0:
        raise AssertionError(f'poolify {" ".join(args)} exited {code}\n--- stderr ---\n{err}')
    return out, err


def unquote_git(name):
    """A name as git writes it in a diff header: as it is, or "..." with C escapes and octal bytes."""
    if not name.startswith('"'):
        return name
    escapes = {'a': 7, 'b': 8, 't': 9, 'n': 10, 'v': 11, 'f': 12, 'r': 13, '"': 34, '\\': 92}
    out, i, body = bytearray(), 0, name[1:-1]
    while i < len(body):
        if body[i] != '\\':
            out += body[i].encode()
            i += 1
        elif body[i + 1] in escapes:
            out.append(escapes[body[i + 1]])
            i += 2
        else:
            out.append(int(body[i + 1:i + 4], 8))
            i += 4
    return out.decode()


def diff_files(diff):
    """{path: (added lines, removed lines)} of a unified diff (code without the sign)."""
    files, cur, in_hunk = {}, None, False
    for line in diff.split('\n'):
        m = re.match(r'^diff --git (a/.*|"a/.*") (b/.*|"b/.*")$', line)
        if m:
            name = unquote_git(m.group(1))[len('a/'):]
            cur, in_hunk = files.setdefault(name, ([], [])), False
        elif line.startswith('@@'):
            in_hunk = True
        elif in_hunk and line[:1] in ('+', '-'):
            cur[0 if line[0] == '+' else 1].append(line[1:].rstrip('\r'))
    return files


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return ''.join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and (cls is None or cls in n.attrs.get('class', '').split())
                and all(n.attrs.get(k.replace('_', '-')) == v for k, v in attrs.items())]


class TreeBuilder(html.parser.HTMLParser):
    """A DOM tree of a serialized document; `errors` lists unbalanced tags."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node('#document', {}, None)
        self.cur, self.errors = self.root, []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.cur.tag != tag:
            self.errors.append(f'</{tag}> closes <{self.cur.tag}> at line {self.getpos()[0]}')
            n = self.cur
            while n is not None and n.tag != tag:
                n = n.parent
            if n is None:
                return
            self.cur = n
        self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(text):
    b = TreeBuilder()
    b.feed(text)
    b.close()
    return b


def find_chromium():
    if WITHOUT_CHROMIUM:
        return None
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class ReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='poolify-report-test-')
        cls.root = os.path.join(cls.tmp, 'report')
        migrated = os.path.join(cls.tmp, 'migrated')
        shutil.copytree(PIPELINE, cls.root)
        shutil.copytree(PIPELINE, migrated)
        cls.report_err = poolify(cls.root, 'report', '.', '-o', 'report.html')[1]
        cls.html_path = os.path.join(cls.root, 'report.html')
        with open(cls.html_path, encoding='utf-8') as f:
            cls.html = f.read()
        # The numbers the report must agree with, from the other commands.
        cls.before = json.loads(poolify(migrated, 'manifest', '.', '--format', 'json')[0])
        cls.dry = diff_files(poolify(migrated, 'migrate', '.')[0])
        cls.apply_err = poolify(migrated, 'migrate', '.', '--apply')[1]
        cls.after = json.loads(poolify(migrated, 'manifest', '.', '--format', 'json')[0])
        cls.chromium = find_chromium()
        if not cls.chromium:
            print('report_test.py: chromium not found (looked for %s on PATH): the rendering checks are skipped; '
                  'the report file itself is still checked. Install it to run them: apt-get install -y '
                  '--no-install-recommends chromium (scripts/setup.sh --for-tests does).' % ', '.join(CHROMIUM_NAMES),
                  file=sys.stderr)
        cls.dom = cls.dom_error = None
        cls.shot = os.path.join(cls.tmp, 'report.png')
        if cls.chromium:
            cls.dom_text = cls.chrome('--dump-dom')
            cls.dom = parse(cls.dom_text).root
            cls.chrome(f'--screenshot={cls.shot}', '--window-size=1280,2000')

    @classmethod
    def chrome(cls, *args):
        profile = tempfile.mkdtemp(prefix='chromium-', dir=cls.tmp)
        env = poolify_env(cls.root, {'HOME': profile})
        code, out, err = run_command([cls.chromium, *CHROMIUM_FLAGS, f'--user-data-dir={profile}', *args,
                                      'file://' + cls.html_path], cls.root, env, TIMEOUT)
        if code != 0:
            raise AssertionError(f'{cls.chromium} {" ".join(args)} exited {code}\n{err[-3000:]}')
        return out

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def rendered(self):
        if not self.chromium:
            message = ('chromium not found (looked for ' + ', '.join(CHROMIUM_NAMES) + ' on PATH): rendering '
                       'not checked. Install it: apt-get install -y --no-install-recommends chromium '
                       '(scripts/setup.sh --for-tests does).')
            if os.environ.get('POOLIFY_REQUIRE_CHROMIUM') == '1' and not WITHOUT_CHROMIUM:
                self.fail(message + ' POOLIFY_REQUIRE_CHROMIUM=1 makes this a failure.')
            self.skipTest(message)
        return self.dom

    def one(self, **attrs):
        found = self.rendered().find_all(**attrs)
        self.assertEqual(len(found), 1, f'expected one element with {attrs}, found {len(found)}')
        return found[0]

    # ---- the file itself ----------------------------------------------------------------------

    def test_summary_line(self):
        self.assertRegex(self.report_err, r'poolify: wrote report\.html \(\d+ files would change')

    def test_self_contained(self):
        low = self.html.lower()
        self.assertTrue(low.startswith('<!doctype html>'))
        refs = re.findall(r'''\b(?:src|href|action|poster|srcset|xlink:href)\s*=\s*["']?\s*([^"'\s>]*)''', low)
        self.assertTrue(refs, 'no links at all?')
        for ref in refs:
            self.assertTrue(ref.startswith('#'), f'reference to something outside the file: {ref!r}')
        self.assertNotRegex(low, r'url\(\s*["\']?\s*(?:https?:)?//', 'CSS url() to the network')
        self.assertNotIn('@import', low)
        self.assertNotRegex(low, r'<(?:link|script[^>]*\bsrc|iframe|img|object|embed)\b', 'external resource tag')
        self.assertNotRegex(low, r'(?:src|href)\s*=\s*["\']?\s*https?://', 'http(s) reference')

    def test_markup_balanced(self):
        b = parse(self.html)
        self.assertEqual(b.errors, [])
        self.assertEqual(b.cur, b.root, 'unclosed elements at the end')

    def test_deterministic(self):
        poolify(self.root, 'report', '.', '-o', 'again.html')
        with open(os.path.join(self.root, 'again.html'), encoding='utf-8') as f:
            self.assertEqual(f.read(), self.html)

    # ---- the rendered page ----------------------------------------------------------------------

    def test_headline_numbers(self):
        def value(id_):
            node = self.one(id=id_)
            self.assertIn(node.attrs['data-value'], node.text(), id_)
            return node.attrs['data-value']

        self.assertEqual(float(value('coverage-before')), self.before['summary']['coverage_percent'])
        self.assertEqual(float(value('coverage-after')), self.after['summary']['coverage_percent'])
        self.assertEqual(int(value('files-changed')), len(self.dry))
        self.assertEqual(int(value('sites-left')), self.after['summary']['direct_sites'])
        removable = sum(1 for f in self.before['files'] for d in f['direct_sites']
                        if d['fix'] == 'remove redundant override')
        self.assertEqual(int(value('overrides-removed')), removable)
        self.assertIn(f'removed {removable} overrides', self.apply_err)
        # Sanity: the fixture has work to do, so the numbers above are not all trivially zero.
        self.assertGreater(len(self.dry), 0)
        self.assertGreater(self.after['summary']['coverage_percent'], self.before['summary']['coverage_percent'])

    def test_categories(self):
        names = set(self.before['categories']) | set(self.after['categories'])
        self.assertTrue(names)
        rows = {n.attrs['data-category']: n for n in self.rendered().find_all('tr') if 'data-category' in n.attrs}
        self.assertEqual(set(rows), names)
        for name in sorted(names):
            row, b, a = rows[name], self.before['categories'][name], self.after['categories'][name]
            cells = {td.attrs['data-field']: td.text().strip() for td in row.find_all('td') if 'data-field' in td.attrs}
            with self.subTest(category=name):
                self.assertEqual(int(cells['files']), b['files'])
                self.assertEqual(int(cells['direct-sites']), b['direct_sites'])
                self.assertEqual(int(cells['fixable-sites']), b['fixable_sites'])
                self.assertEqual(int(cells['pooled-sites']), b['pooled_sites'])
                self.assertEqual(float(cells['coverage-before'].rstrip('%')), b['coverage_percent'])
                self.assertEqual(float(cells['coverage-after'].rstrip('%')), a['coverage_percent'])
                self.assertEqual(len(row.find_all('svg')), 1, 'one inline chart per category')
                self.assertTrue(row.find_all('rect'))
        total = self.one(id='category-total')
        cells = {td.attrs['data-field']: td.text().strip() for td in total.find_all('td') if 'data-field' in td.attrs}
        self.assertEqual(int(cells['direct-sites']), self.before['summary']['direct_sites'])
        self.assertEqual(float(cells['coverage-after'].rstrip('%')), self.after['summary']['coverage_percent'])

    def test_changed_files_link_to_their_diffs(self):
        dom = self.rendered()
        links = [a for table in dom.find_all('table', cls='files') for a in table.find_all('a')]
        self.assertEqual(sorted(a.text() for a in links), sorted(self.dry))
        for a in links:
            path, href = a.text(), a.attrs['href']
            with self.subTest(path=path):
                self.assertRegex(href, r'^#file-\d+$')
                section = self.one(id=href[1:])
                self.assertEqual(section.attrs.get('data-path'), path)
                self.assertIn(path, section.text())
                # The rows show exactly the lines the dry run adds and removes, text intact.
                added = [td.text() for tr in section.find_all('tr', cls='add') for td in tr.find_all(cls='code')]
                removed = [td.text() for tr in section.find_all('tr', cls='del') for td in tr.find_all(cls='code')]
                self.assertEqual((added, removed), self.dry[path])

    def test_syntax_colouring(self):
        diffs = [s for s in self.rendered().find_all('section', cls='file')]
        self.assertTrue(diffs)
        kinds = {cls: [] for cls in ('k', 's', 'c', 'n', 'f')}
        for s in diffs:
            for span in s.find_all('span'):
                for c in span.attrs.get('class', '').split():
                    if c in kinds:
                        kinds[c].append(span.text())
        self.assertIn('import', kinds['k'])
        self.assertIn('def', kinds['k'])
        self.assertTrue(any(t.startswith('#') for t in kinds['c']), kinds['c'][:5])
        self.assertTrue(any(t[:1] in '"\'f' for t in kinds['s']), kinds['s'][:5])
        self.assertTrue(kinds['n'])
        self.assertTrue(kinds['f'], 'function names after def')

    def test_sites_left(self):
        # A site only --unsafe-fixes rewrites is left by the plain run the report shows, with why it is unsafe.
        def reason(d):
            if d['fix'] in ('rewrite with --unsafe-fixes', 'remove override with --unsafe-fixes'):
                return 'unsafe fix, applied with --unsafe-fixes: ' + d['reason']
            return d['reason']
        expected = sorted((f['path'], d['line'], d['column'], d['rule'], reason(d))
                          for f in self.before['files'] for d in f['direct_sites'] if not d['fixable'])
        unsafe = [r for *_, r in expected if r.startswith('unsafe fix, applied with --unsafe-fixes: ')]
        self.assertEqual(len(unsafe), self.before['summary']['unsafe_fixable_sites'])
        self.assertEqual(self.before['summary']['unsafe_fixable_sites'], 16)
        got = []
        for group in self.rendered().find_all('tbody', cls='left-file'):
            for tr in group.find_all('tr'):
                if 'data-site' not in tr.attrs:
                    continue
                path, line, col = tr.attrs['data-site'].rsplit(':', 2)
                self.assertEqual(path, group.attrs['data-path'], 'grouped by file')
                tds = [td.text().strip() for td in tr.find_all('td')]
                self.assertEqual(tds[0], tr.attrs['data-site'])
                got.append((path, int(line), int(col), tds[1], tds[2]))
        self.assertEqual(sorted(got), expected)
        self.assertEqual(len(got), self.after['summary']['direct_sites'])

    def test_screenshot(self):
        self.rendered()
        with open(self.shot, 'rb') as f:
            png = f.read()
        self.assertEqual(png[:8], b'\x89PNG\r\n\x1a\n')
        width, height = struct.unpack('>II', png[16:24])
        self.assertEqual((width, height), (1280, 2000))
        self.assertGreater(len(png), 20000, 'a blank page?')
        if SCREENSHOT_OUT:
            shutil.copyfile(self.shot, SCREENSHOT_OUT)


class UnsafeFixesReportTest(unittest.TestCase):
    """`report --unsafe-fixes` shows the migration `migrate --unsafe-fixes` makes; a plain report the plain one.
    Read from the file's markup (no browser needed): the headline numbers and the sites left."""

    def report(self, tmp, *flags):
        """(headline values by id, [(data-site, text) of each site left], changed files of the dry run,
        manifest after applying) of the example tree with `flags`."""
        root = os.path.join(tmp, 'report' + '-'.join(flags))
        migrated = os.path.join(tmp, 'migrated' + '-'.join(flags))
        shutil.copytree(PIPELINE, root)
        shutil.copytree(PIPELINE, migrated)
        poolify(root, 'report', *flags, '.', '-o', 'r.html')
        with open(os.path.join(root, 'r.html'), encoding='utf-8') as f:
            b = parse(f.read())
        self.assertEqual(b.errors, [])
        values = {n.attrs['id']: n.attrs.get('data-value') for n in b.root.iter() if 'id' in n.attrs}
        left = [(tr.attrs['data-site'], tr.text()) for tr in b.root.find_all('tr') if 'data-site' in tr.attrs]
        dry = diff_files(poolify(migrated, 'migrate', *flags, '.')[0])
        poolify(migrated, 'migrate', *flags, '--apply', '.')
        after = json.loads(poolify(migrated, 'manifest', '.', '--format', 'json')[0])
        return values, left, dry, after

    def test_with_and_without_the_flag(self):
        with tempfile.TemporaryDirectory(prefix='poolify-report-unsafe-') as tmp:
            # With --unsafe-fixes, changed files include tests/test_grading.py, whose decorator patch follows the
            # call the plain run holds for it.
            for flags, changed, sites_left, unsafe_left, coverage in (
                    ((), 19, 23, 16, '48.8'), (('--unsafe-fixes',), 29, 7, 0, '83.3')):
                with self.subTest(flags=flags):
                    values, left, dry, after = self.report(tmp, *flags)
                    self.assertEqual(len(dry), changed)
                    self.assertEqual(int(values['files-changed']), changed)
                    self.assertEqual(int(values['sites-left']), sites_left)
                    self.assertEqual(after['summary']['direct_sites'], sites_left)
                    self.assertEqual(len(left), sites_left)
                    self.assertEqual(sum('unsafe fix, applied with --unsafe-fixes: ' in t for _, t in left),
                                     unsafe_left)
                    self.assertEqual(values['coverage-after'], coverage)
                    self.assertEqual(float(values['coverage-after']), after['summary']['coverage_percent'])


class SmallProjectTest(unittest.TestCase):
    """Markup characters in paths, code, comments and reasons come out as text, never as markup; a
    project with nothing to migrate still gets a complete page."""
    DIR = 'we&ird <dir>'
    FILE = 'it\'s "odd" & <b>.py'
    SOURCE = ('''"""Docstring with <b>bold</b> & 'quotes' and "double"."""\n'''
              'from google.cloud import bigquery\n\n'
              'MARK = "<script>document.title=\'pwned\'</script> & &amp;"\n\n\n'
              'def load(project, creds):\n'
              '    client = bigquery.Client(project=project)  # <!-- not a comment --> & \' "\n'
              '    other = bigquery.Client(project=project, credentials=creds)\n'
              '    return client.project, other\n')

    def test_escaped(self):
        with tempfile.TemporaryDirectory(prefix='poolify-report-esc-') as tmp:
            os.makedirs(os.path.join(tmp, self.DIR))
            write_pools(tmp)
            with open(os.path.join(tmp, self.DIR, self.FILE), 'w', encoding='utf-8') as f:
                f.write(self.SOURCE)
            poolify(tmp, 'report', self.DIR, '-o', 'r.html')
            dry = diff_files(poolify(tmp, 'migrate', self.DIR)[0])
            with open(os.path.join(tmp, 'r.html'), encoding='utf-8') as f:
                text = f.read()
            b = parse(text)
            self.assertEqual(b.errors, [])
            path = f'{self.DIR}/{self.FILE}'
            self.assertEqual(list(dry), [path])
            self.assertEqual([t.text() for h in b.root.find_all('head') for t in h.find_all('title')],
                             [f'poolify report: {self.DIR}'])
            self.assertEqual([h.text() for h in b.root.find_all('h1')], [f'poolify report: {self.DIR}'])
            for tag in ('script', 'b', 'dir'):
                self.assertEqual(b.root.find_all(tag), [], f'<{tag}> from the input became markup')
            section = b.root.find_all('section', cls='file')
            self.assertEqual([s.attrs['data-path'] for s in section], [path])
            rows = {tr.attrs['class']: [] for tr in section[0].find_all('tr')}
            for tr in section[0].find_all('tr'):
                rows[tr.attrs['class']] += [td.text() for td in tr.find_all(cls='code')]
            self.assertEqual((rows['add'], rows['del']), dry[path])
            self.assertIn('MARK = "<script>document.title=\'pwned\'</script> & &amp;"', rows['ctx'])
            left = [(tr.attrs['data-site'], tr.text()) for tr in b.root.find_all('tr') if 'data-site' in tr.attrs]
            self.assertEqual(len(left), 1)
            self.assertEqual(left[0][0], f'{path}:9:13')
            self.assertIn("keyword 'credentials' is not supported by the pool", left[0][1])

    def test_nothing_to_migrate(self):
        with tempfile.TemporaryDirectory(prefix='poolify-report-empty-') as tmp:
            with open(os.path.join(tmp, 'util.py'), 'w', encoding='utf-8') as f:
                f.write('def add(a, b):\n    return a + b\n')
            poolify(tmp, 'report', '.', '-o', 'r.html')
            with open(os.path.join(tmp, 'r.html'), encoding='utf-8') as f:
                b = parse(f.read())
            self.assertEqual(b.errors, [])
            values = {n.attrs['id']: n.attrs.get('data-value') for n in b.root.iter() if 'id' in n.attrs}
            self.assertEqual((values['coverage-before'], values['coverage-after']), ('100.0', '100.0'))
            self.assertEqual((values['files-changed'], values['sites-left'], values['overrides-removed']),
                             ('0', '0', '0'))
            self.assertEqual(b.root.find_all('section', cls='file'), [])
            self.assertEqual([n for n in b.root.iter() if 'data-category' in n.attrs], [])
            self.assertIn('no sites', b.root.find_all(id='category-total')[0].text())


class PagedReportTest(unittest.TestCase):
    """Past --max-page-size the diffs go on pages of their own beside the report: every link from the
    main page (file table, "see diff", the list of pages) lands on the section of its file on an existing
    page, each diff is on exactly one page, pages stay under the size unless one diff alone is larger,
    and a smaller report later removes the pages it no longer has (never a file poolify did not write)."""
    MAIN = 'my report #1.html'
    MAX = 40 * 1024

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='poolify-report-paged-')
        cls.root = os.path.join(cls.tmp, 'p')
        shutil.copytree(PIPELINE, cls.root)
        cls.out = os.path.join(cls.tmp, 'out')
        os.makedirs(cls.out)
        cls.err = poolify(cls.root, 'report', '.', '-o', os.path.join(cls.out, cls.MAIN), '--max-page-size', '40K')[1]
        cls.dry = diff_files(poolify(cls.root, 'migrate', '.')[0])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def page(self, name):
        with open(os.path.join(self.out, name), encoding='utf-8') as f:
            text = f.read()
        b = parse(text)
        self.assertEqual(b.errors, [], name)
        return text, b.root

    def resolve(self, href):
        """The section a link from the main page lands on: (page name, section node)."""
        name, _, fragment = href.partition('#')
        name = urllib.parse.unquote(name)
        self.assertTrue(name.startswith('my report #1-diffs-') and os.path.isfile(os.path.join(self.out, name)), href)
        found = [n for n in self.page(name)[1].iter() if n.attrs.get('id') == fragment]
        self.assertEqual(len(found), 1, href)
        return name, found[0]

    def test_pages_beside_the_report(self):
        pages = sorted((f for f in os.listdir(self.out) if f != self.MAIN), key=lambda f: int(re.findall(r'\d+', f)[-1]))
        self.assertGreater(len(pages), 1)
        self.assertEqual(pages, [f'my report #1-diffs-{k}.html' for k in range(1, len(pages) + 1)])
        self.assertIn(f'wrote {os.path.join(self.out, self.MAIN)} and {len(pages)} pages of diffs beside it', self.err)
        _, main = self.page(self.MAIN)
        self.assertEqual(main.find_all('section', cls='file'), [], 'the main page holds no diff when paged')
        listed = [urllib.parse.unquote(a.attrs['href']) for p in main.iter() if p.attrs.get('id') == 'diff-pages'
                  for a in p.find_all('a')]
        self.assertEqual(listed, pages)
        seen = []
        for k, name in enumerate(pages):
            with self.subTest(page=name):
                text, root = self.page(name)
                sections = root.find_all('section', cls='file')
                self.assertTrue(sections)
                if len(sections) > 1:
                    self.assertLessEqual(len(text.encode()), self.MAX)
                seen += [s.attrs['data-path'] for s in sections]
                nav = {a.attrs['rel']: urllib.parse.unquote(a.attrs['href']) for a in root.find_all('a')
                       if 'rel' in a.attrs}
                self.assertEqual(nav['index'], self.MAIN + '#changes')
                self.assertEqual(nav.get('prev'), pages[k - 1] if k else None)
                self.assertEqual(nav.get('next'), pages[k + 1] if k + 1 < len(pages) else None)
                for s in sections:
                    up = [a.attrs['href'] for a in s.find_all('a', cls='up')]
                    self.assertEqual([urllib.parse.unquote(h) for h in up], [self.MAIN + '#changes'])
        self.assertEqual(seen, sorted(self.dry), 'each diff on exactly one page, in path order')

    def test_links_land_on_their_diffs(self):
        _, main = self.page(self.MAIN)
        links = [a for table in main.find_all('table', cls='files') for a in table.find_all('a')]
        self.assertEqual(sorted(a.text() for a in links), sorted(self.dry))
        for a in links:
            with self.subTest(path=a.text()):
                _, section = self.resolve(a.attrs['href'])
                self.assertEqual(section.attrs.get('data-path'), a.text())
                added = [td.text() for tr in section.find_all('tr', cls='add') for td in tr.find_all(cls='code')]
                removed = [td.text() for tr in section.find_all('tr', cls='del') for td in tr.find_all(cls='code')]
                self.assertEqual((added, removed), self.dry[a.text()])
        see = [(g.attrs['data-path'], a.attrs['href']) for g in main.find_all('tbody', cls='left-file')
               for a in g.find_all('a')]
        self.assertTrue(see, 'the example leaves sites in files that change')
        for path, href in see:
            self.assertEqual(self.resolve(href)[1].attrs.get('data-path'), path)

    def test_one_page_again_removes_only_its_own_pages(self):
        out = os.path.join(self.tmp, 'again')
        shutil.copytree(self.out, out)
        mine = os.path.join(out, 'my report #1-diffs-99.html')
        with open(mine, 'w') as f:
            f.write('not poolify\n')
        poolify(self.root, 'report', '.', '-o', os.path.join(out, self.MAIN))
        self.assertEqual(sorted(os.listdir(out)), sorted([self.MAIN, os.path.basename(mine)]))
        with open(os.path.join(out, self.MAIN), encoding='utf-8') as f:
            one = f.read()
        self.assertEqual(len(parse(one).root.find_all('section', cls='file')), len(self.dry))
        poolify(self.root, 'report', '.', '-o', os.path.join(out, 'zero.html'), '--max-page-size', '0')
        with open(os.path.join(out, 'zero.html'), encoding='utf-8') as f:
            self.assertEqual(f.read(), one, '--max-page-size 0 is one page, as the default is for a small report')

    def test_bad_sizes_are_refused(self):
        for bad in ('1X', '-4M', '1.5M', '', '4G'):
            with self.subTest(size=bad):
                code, _, err = run_command([POOLIFY, 'report', '.', '-o', 'r.html', '--max-page-size', bad], self.root,
                                           poolify_env(self.root), TIMEOUT)
                self.assertEqual(code, 2)
                self.assertIn('--max-page-size must be a size in bytes', err)
                self.assertFalse(os.path.exists(os.path.join(self.root, 'r.html')))


def main():
    global POOLIFY, SCREENSHOT_OUT, WITHOUT_CHROMIUM
    POOLIFY, rest = split_poolify_argv('report_test.py', sys.argv[1:])
    argv = sys.argv[:1]
    args = iter(rest)
    for a in args:
        if a == '--screenshot-out':
            SCREENSHOT_OUT = os.path.abspath(next(args))
        elif a == '--without-chromium':
            WITHOUT_CHROMIUM = True
        else:
            argv.append(a)
    program = unittest.main(argv=argv, exit=False)
    result = program.result
    if WITHOUT_CHROMIUM:
        skipped = [reason for _, reason in result.skipped if reason.startswith('chromium not found')]
        if not skipped:
            print('report_test.py: --without-chromium: no rendering check was skipped', file=sys.stderr)
            sys.exit(1)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == '__main__':
    main()
