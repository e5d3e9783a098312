#!/usr/bin/env python3
"""The composite GitHub Action (action.yml), its steps run as the runner runs them (python3 + PyYAML).

    action_test.py --poolify BIN [unittest options]

Packages BIN into a release archive (scripts/package.sh --binary), then runs the steps of action.yml
the way GitHub's runner does for `shell: bash` (`bash --noprofile --norc -eo pipefail SCRIPT`, with
`${{ inputs.* }}` substituted in env and working-directory, GITHUB_PATH entries put on PATH for the
steps after, GITHUB_OUTPUT read back), in a fake runner environment (RUNNER_TEMP, GITHUB_WORKSPACE,
GITHUB_ACTION_PATH, GITHUB_STEP_SUMMARY) on a copy of fixtures/pipeline. Nothing is downloaded: the
archive is given as `archive`, or as a file:// `release-url`. Also: both pre-commit hooks
(.pre-commit-hooks.yaml) run serially.
"""

import json
import os
import re
import shutil
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from testlib import package, run_command, split_poolify_argv  # noqa: E402

POOLIFY = None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PIPELINE = os.path.join(ROOT, 'fixtures', 'pipeline')
EXPR = re.compile(r'\$\{\{\s*([^}]*?)\s*\}\}')


class Runner:
    """One job on a fake runner: a workspace, RUNNER_TEMP, and the files the runner reads back."""

    def __init__(self, tmp, name):
        self.base = os.path.join(tmp, name)
        self.workspace = os.path.join(self.base, 'workspace')
        self.temp = os.path.join(self.base, 'runner-temp')
        os.makedirs(self.temp)
        shutil.copytree(PIPELINE, self.workspace)
        self.files = {k: os.path.join(self.base, k) for k in ('path', 'output', 'summary')}
        for f in self.files.values():
            open(f, 'w').close()
        # A PATH without any poolify, as on a fresh runner.
        self.path = os.pathsep.join(p for p in os.environ.get('PATH', '/usr/bin:/bin').split(os.pathsep)
                                    if not os.path.exists(os.path.join(p, 'poolify')))

    def run_action(self, **inputs):
        """Runs every step of action.yml with these inputs; returns (exit code of the last step run,
        stdout of all steps, stderr of all steps, {step id: outputs})."""
        with open(os.path.join(ROOT, 'action.yml'), encoding='utf-8') as f:
            action = yaml.safe_load(f)
        assert action['runs']['using'] == 'composite'
        declared = action['inputs']
        unknown = set(inputs) - set(declared)
        assert not unknown, 'not inputs of action.yml: %s' % unknown
        values = {k: str(inputs.get(k, v.get('default', ''))) for k, v in declared.items()}
        context = {'github.action_repository': 'example/poolify', 'github.action_path': ROOT,
                   'github.workspace': self.workspace}

        def expand(text):
            def one(m):
                expr = m.group(1)
                if expr.startswith('inputs.'):
                    return expand(values[expr[len('inputs.'):]])
                if expr in context:
                    return context[expr]
                raise AssertionError('expression the test runner does not know: %s' % expr)
            return EXPR.sub(one, str(text))

        outs, errs, outputs, code = '', '', {}, 0
        for step in action['runs']['steps']:
            self.assertEqual(step.get('shell'), 'bash')
            open(self.files['output'], 'w').close()
            env = {'PATH': self.path, 'HOME': self.base, 'CI': 'true', 'GITHUB_ACTIONS': 'true',
                   'RUNNER_TEMP': self.temp, 'RUNNER_OS': 'Linux', 'GITHUB_WORKSPACE': self.workspace,
                   'GITHUB_ACTION_PATH': ROOT, 'GITHUB_PATH': self.files['path'],
                   'GITHUB_OUTPUT': self.files['output'], 'GITHUB_STEP_SUMMARY': self.files['summary']}
            for k, v in (step.get('env') or {}).items():
                env[k] = expand(v)
            cwd = os.path.join(self.workspace, expand(step.get('working-directory', '.')))
            script = os.path.join(self.base, 'step.sh')
            with open(script, 'w', encoding='utf-8') as f:
                f.write(expand(step['run']))
            code, out, err = run_command(['bash', '--noprofile', '--norc', '-eo', 'pipefail', script], cwd, env,
                                         timeout=300)
            outs += out
            errs += err
            with open(self.files['output'], encoding='utf-8') as f:
                outputs[step.get('id', step['name'])] = dict(l.split('=', 1) for l in f.read().splitlines() if '=' in l)
            with open(self.files['path'], encoding='utf-8') as f:
                added = [l for l in f.read().splitlines() if l]
            self.path = os.pathsep.join(list(reversed(added)) + [self.path])
            open(self.files['path'], 'w').close()
            if code != 0:
                break
        return code, outs, errs, outputs

    def assertEqual(self, a, b):
        assert a == b, (a, b)


class ActionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='poolify-action-test-')
        cls.archive = package(POOLIFY, os.path.join(cls.tmp, 'dist'))[0]
        cls.version = re.match(r'poolify-(.+)-linux-x64\.tar\.gz$', os.path.basename(cls.archive)).group(1)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def runner(self, name):
        return Runner(self.tmp, name)

    def test_default_version_is_this_release(self):
        with open(os.path.join(ROOT, 'action.yml'), encoding='utf-8') as f:
            self.assertEqual(yaml.safe_load(f)['inputs']['version']['default'], self.version)

    def test_pre_commit_hooks_run_serially(self):
        # pre-commit would otherwise split the files over parallel poolify runs: each would see only
        # its share of the tree (class hierarchies, mock targets) and fight over the cache.
        with open(os.path.join(ROOT, '.pre-commit-hooks.yaml'), encoding='utf-8') as f:
            hooks = yaml.safe_load(f)
        self.assertEqual({h['id']: h.get('require_serial') for h in hooks},
                         {'poolify-check': True, 'poolify-migrate': True})

    def test_findings_fail_the_step_with_annotations_and_sarif(self):
        r = self.runner('findings')
        code, out, err, outputs = r.run_action(archive=self.archive, formats='github, sarif', version=self.version)
        self.assertEqual(code, 1, out + err)
        self.assertIn('poolify: installed poolify %s' % self.version, out)
        self.assertRegex(out, r'(?m)^::error file=shared/bigquery_utils\.py,line=32,col=14,title=poolify bigquery::')
        self.assertEqual(outputs['check']['exit-code'], '1')
        sarif_path = os.path.join(r.workspace, outputs['check']['sarif-file'])
        with open(sarif_path, encoding='utf-8') as f:
            sarif = json.load(f)
        self.assertEqual(sarif['version'], '2.1.0')
        levels = [res.get('level') for res in sarif['runs'][0]['results']]
        self.assertEqual((levels.count('error'), levels.count('warning')), (46, 0))  # 46 sites; the one test patch (tests/test_grading.py) is retargeted by migrate, no mock target
        with open(r.files['summary'], encoding='utf-8') as f:
            self.assertIn('bigquery', f.read())  # the manifest in markdown
        # the binary came from the archive, into RUNNER_TEMP, not from anywhere on PATH before
        self.assertTrue(os.path.isfile(os.path.join(r.temp, 'poolify', 'poolify-%s-linux-x64' % self.version,
                                                    'poolify')))

    def test_baseline_passes(self):
        r = self.runner('baseline')
        code, out, err = run_command([POOLIFY, 'check', '--no-cache', '--write-baseline', '.poolify-baseline.json',
                                      '.'], r.workspace, timeout=None)
        self.assertEqual(code, 0, err)
        code, out, err, outputs = r.run_action(archive=self.archive, baseline='.poolify-baseline.json',
                                               formats='text,json', version=self.version, summary='false')
        self.assertEqual(code, 0, out + err)
        self.assertEqual(outputs['check']['exit-code'], '0')
        self.assertTrue(os.path.isfile(os.path.join(r.workspace, 'poolify.json')))
        self.assertEqual(os.path.getsize(r.files['summary']), 0)

    def test_download_from_release_url(self):
        r = self.runner('download')
        url = 'file://' + os.path.dirname(self.archive) + '/poolify-{version}-linux-x64.tar.gz'
        code, out, err, outputs = r.run_action(**{'release-url': url, 'version': self.version, 'paths': 'shared'})
        self.assertEqual(code, 1, out + err)
        self.assertIn('poolify: downloading file://', out)
        self.assertIn('file=shared/bigquery_utils.py', out)
        self.assertNotIn('file=data_processors/', out)

    def test_wrong_version_is_refused(self):
        r = self.runner('version')
        code, out, err, _ = r.run_action(archive=self.archive, version='9.9.9')
        self.assertEqual(code, 1)
        self.assertIn('::error title=poolify install::', out)
        self.assertIn('not poolify-9.9.9-linux-x64', out)

    def test_missing_baseline_and_unknown_format_are_errors(self):
        r = self.runner('errors')
        code, out, err, outputs = r.run_action(archive=self.archive, version=self.version, baseline='nope.json')
        self.assertEqual(code, 2)
        self.assertIn('::error title=poolify check::baseline nope.json does not exist', out)
        code, out, err, outputs = r.run_action(archive=self.archive, version=self.version, formats='xml')
        self.assertEqual(code, 2)
        self.assertIn("unknown format 'xml'", out)


def main():
    global POOLIFY
    POOLIFY, rest = split_poolify_argv('action_test.py', sys.argv[1:])
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == '__main__':
    main()
