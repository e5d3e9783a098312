#!/usr/bin/env python3
"""End-to-end tests of `poolify manifest` and `poolify check` (python3 standard library only).

    manifest_check_test.py --poolify BIN [unittest options, e.g. -v or TestClass.test_name]

The contract is docs/manifest.md (manifest, check, poolify.yaml); what counts as a site is
fixtures/golden/README.md; the example codebase is fixtures/pipeline (see its README.md).

Every test runs in its own temporary directory: either a scratch copy of fixtures/pipeline or a
few small files written inline. The expected numbers for the pipeline were counted by hand from the
fixture sources (not taken from poolify's output); see PIPELINE_DIRECT_SITES below.

Tests that once caught a bug say so in a comment ("Was a bug (fixed)").
"""

import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
import unittest

from testlib import (BQ_INFERRED_SRC, BQ_SRC, BQ_UNSAFE_REASON, Result, read_text, run_poolify, split_poolify_argv,
                     write_pools)
from testlib import write_dedented as write
import urllib.parse

POOLIFY = None  # absolute path of the binary, set in main()
HERE = os.path.dirname(os.path.abspath(__file__))
PIPELINE = os.path.join(os.path.dirname(HERE), 'fixtures', 'pipeline')
TIMEOUT = 120

TEXT_LINE = re.compile(r'^[^:]+:\d+:\d+: \w+: ')
GITHUB_LINE = re.compile(r'^::(error|warning) file=[^,]+,line=\d+,col=\d+')
CONFIG_LOCATION = re.compile(r'poolify\.yaml:(\d+):(\d+): ')


# --------------------------------------------------------------------------------------------
# Hand count of fixtures/pipeline (read from the sources, per docs/manifest.md definitions).
#
# Direct sites: (line, column, rule) per file. Column = start of the callee expression.
# Not counted, on purpose:
#   - shared/clients/*_pool.py: the pools' own modules (bigquery_pool.py:40, http_pool.py:32,
#     storage_pool.py:24, firestore_pool.py:24, pubsub_pool.py:22 and :32);
#   - shared/clients/__init__.py (docstring only), data_processors/precompute/
#     team_defense_zone_analysis_processor.py (docstring + comment), data_processors/publishing/
#     status_exporter.py (docstring), tests/test_grading.py (strings only);
#   - annotations: pipeline_reconciliation/main.py:26 (`-> bigquery.Client`), the string
#     annotations "bigquery.Client" in run_history_mixin.py:17 and :19;
#   - scrapers/scraper_dispatch.py:18 `requests.get(scraper_name)`: `requests` is a parameter;
#   - `rq.HTTPError`, `bigquery.QueryJobConfig`, ... (not a rule's callable).
PIPELINE_DIRECT_SITES = {
    'data_processors/analytics/analytics_base.py': [(21, 26, 'bigquery')],  # bq.Client (alias)
    'data_processors/analytics/mlb/pitcher_game_summary_processor.py': [(20, 26, 'bigquery')],
    'data_processors/analytics/upcoming_player_game_context_processor.py': [(21, 26, 'bigquery')],
    'data_processors/analytics/upcoming_team_game_context_processor.py': [(17, 26, 'bigquery')],
    'data_processors/grading/mlb/mlb_prediction_grading_processor.py': [(22, 26, 'bigquery')],
    'data_processors/grading/mlb/mlb_shadow_grading_processor.py': [(20, 26, 'bigquery')],
    'data_processors/grading/prediction_accuracy_processor.py': [(18, 26, 'bigquery')],
    'data_processors/grading/system_daily_performance_processor.py': [(16, 26, 'bigquery')],  # Client(
    'data_processors/precompute/ml_feature_store_processor.py': [(23, 26, 'bigquery')],
    'data_processors/precompute/player_daily_cache/player_daily_cache_processor.py': [(17, 26, 'bigquery')],
    'data_processors/publishing/base_exporter.py': [(21, 26, 'bigquery'), (22, 27, 'storage')],
    'data_processors/raw/espn_boxscore_processor.py': [(23, 26, 'bigquery')],
    'data_processors/raw/nbacom/nbac_gamebook_processor.py': [(21, 26, 'bigquery')],
    'data_processors/raw/nbacom/nbac_schedule_processor.py': [(23, 26, 'bigquery')],
    'data_processors/raw/processor_base.py': [(27, 26, 'bigquery')],
    'data_processors/raw/run_history_mixin.py': [(21, 40, 'bigquery')],
    'orchestration/cloud_functions/daily_health_check/main.py':
        [(22, 14, 'bigquery'), (33, 10, 'firestore'), (53, 14, 'bigquery')],
    'orchestration/cloud_functions/grading_alert/main.py': [(19, 17, 'bigquery'), (34, 20, 'http')],
    'orchestration/cloud_functions/phase2_to_phase3/main.py': [(27, 17, 'bigquery'), (53, 17, 'pubsub')],
    'orchestration/cloud_functions/phase3_to_phase4/main.py':
        [(26, 14, 'bigquery'), (42, 10, 'firestore'), (49, 17, 'bigquery')],
    'orchestration/cloud_functions/pipeline_reconciliation/main.py': [(29, 12, 'bigquery'), (33, 14, 'bigquery')],
    'orchestration/cloud_functions/stale_running_cleanup/main.py':
        [(19, 14, 'bigquery'), (32, 14, 'bigquery'), (42, 10, 'firestore')],
    'orchestration/cloud_functions/transition_monitor/main.py': [(26, 10, 'bigquery'), (32, 14, 'bigquery')],
    'orchestration/workflow_executor.py': [(35, 24, 'http'), (43, 24, 'http')],
    'scrapers/bdl_box_scores.py': [(22, 20, 'http')],  # rq.get (alias)
    'scrapers/nbac_schedule_api.py': [(20, 16, 'http')],
    'scrapers/oddsa_events.py': [(16, 16, 'http'), (32, 20, 'http')],
    'scrapers/scraper_base.py': [(26, 21, 'http')],
    'scrapers/scraper_dispatch.py': [(26, 16, 'http')],  # not line 18 (parameter `requests`)
    'shared/bigquery_utils.py': [(17, 25, 'bigquery'), (22, 14, 'bigquery'), (32, 14, 'bigquery'),
                                 (41, 29, 'bigquery')],
}
# The one reference that is not a call: `BigQueryClientFactory = bigquery.Client if ...`.
PIPELINE_REFERENCES = {('shared/bigquery_utils.py', 17)}
# Sites poolify migrate leaves (fix "none"), with the --explain reason.
PIPELINE_UNFIXABLE = {
    ('data_processors/raw/run_history_mixin.py', 21):
        'client is returned at line 22, and a shared client must not be handed out',
    ('orchestration/cloud_functions/pipeline_reconciliation/main.py', 29):
        "keyword 'credentials' is not supported by the pool",
    ('orchestration/cloud_functions/stale_running_cleanup/main.py', 32):
        'client is closed by this code (.close() at line 36)',
    ('orchestration/cloud_functions/transition_monitor/main.py', 26): 'client is closed by this code (with statement)',
    ('scrapers/scraper_base.py', 26): 'session is configured by this code (.headers at line 27)',
    ('shared/bigquery_utils.py', 17): 'reference to google.cloud.bigquery.Client is not a call',
    ('shared/bigquery_utils.py', 41): 'client is closed by this code (contextlib.closing)',
}
# Sites only `migrate --unsafe-fixes` rewrites (fix "rewrite with --unsafe-fixes" in a plain manifest, with
# safety "unsafe" and this reason). Counted by hand from the sources: the direct calls that pass no project
# are the 13 `bigquery.Client(...)` calls without `project` (shared/bigquery_utils.py:32, phase2_to_phase3:27,
# transition_monitor:26, pipeline_reconciliation:33, daily_health_check:53, phase3_to_phase4:26 and :49,
# grading_alert:19, ml_feature_store_processor.py:23, nbac_gamebook_processor.py:21,
# espn_boxscore_processor.py:23, upcoming_player_game_context_processor.py:21,
# pitcher_game_summary_processor.py:20; every storage and firestore call passes `project`, pubsub's and
# requests' calls have no project to take). Less the 1 left for another reason (transition_monitor:26 is
# closed by its `with`) and the 3 redundant overrides removed (nbac_gamebook, upcoming_player,
# pitcher_game_summary: removing them takes nothing from scope), that leaves 9, whose project comes from the
# module's PROJECT_ID, from a `project_id` parameter (espn's __init__ and phase3_to_phase4's
# _table_has_rows), or from `self.project_id` once the unsafe fix moves its assignment above the client
# (ml_feature_store:23). Per category: cloud_functions 6, precompute 1 (ml_feature_store), raw_processors 1
# (espn), shared 1 (bigquery_utils.py:32).
# The http rule marks POST unsafe (a retrying pool may send it twice): the 3 `requests.post` calls
# (grading_alert:34, workflow_executor:43, scraper_dispatch:26) are unsafe fixes too, so 12 in all:
# cloud_functions 7, orchestration 1, scrapers 1 more.
POST_REASON = ('POST is not idempotent; a pooled session that retries may send it more than once, and raise '
               'ConnectionError where requests.post raised Timeout')


def unsafe_reason(name):
    return (f"project_id={name} is taken from scope, but bigquery.Client() without project= used the library's "
            "default, which may differ")


def removal_reason(base):
    return (f"removal as redundant with the pooled bq_client inherited from {base}: the override passes no "
            f"project_id, so its client used the library's default; the one inherited from {base} passes "
            "project_id=self.project_id, which may differ")


CONSTANT_PATCH_REASON = ('tests/test_grading.py:26 patches data_processors.grading.prediction_accuracy_processor.'
                         'bigquery.Client, which intercepts this call; the pooled call would escape the patch (its '
                         'target is the value of PATCH_TARGET, which poolify does not edit)')
PIPELINE_UNSAFE = {
    ('data_processors/raw/espn_boxscore_processor.py', 23): unsafe_reason('project_id'),
    ('orchestration/cloud_functions/daily_health_check/main.py', 53): unsafe_reason('PROJECT_ID'),
    ('orchestration/cloud_functions/grading_alert/main.py', 19): unsafe_reason('PROJECT_ID'),
    ('orchestration/cloud_functions/phase2_to_phase3/main.py', 27): unsafe_reason('PROJECT_ID'),
    ('orchestration/cloud_functions/phase3_to_phase4/main.py', 26): unsafe_reason('project_id'),
    ('orchestration/cloud_functions/phase3_to_phase4/main.py', 49): unsafe_reason('PROJECT_ID'),
    ('orchestration/cloud_functions/pipeline_reconciliation/main.py', 33): unsafe_reason('PROJECT_ID'),
    ('shared/bigquery_utils.py', 32): unsafe_reason('PROJECT_ID'),
    ('data_processors/precompute/ml_feature_store_processor.py', 23):
        "moves 'self.project_id = ...' from line 24 above line 23; " + unsafe_reason('self.project_id'),
    ('orchestration/cloud_functions/grading_alert/main.py', 34): POST_REASON,
    ('orchestration/workflow_executor.py', 43): POST_REASON,
    ('scrapers/scraper_dispatch.py', 26): POST_REASON,
    # The call tests/test_grading.py patches through a constant: held, so the patch keeps intercepting.
    ('data_processors/grading/prediction_accuracy_processor.py', 18): CONSTANT_PATCH_REASON,
    # Redundant overrides that pass no project: removing them is an unsafe fix (REMOVAL_REASON).
    ('data_processors/analytics/mlb/pitcher_game_summary_processor.py', 20): removal_reason('AnalyticsProcessorBase'),
    ('data_processors/analytics/upcoming_player_game_context_processor.py', 21):
        removal_reason('AnalyticsProcessorBase'),
    ('data_processors/raw/nbacom/nbac_gamebook_processor.py', 21): removal_reason('ProcessorBase'),
}
PIPELINE_UNSAFE_REMOVALS = {key for key, why in PIPELINE_UNSAFE.items() if why.startswith('removal as redundant')}
# The fix of an unsafe site in a plain manifest: a call rewritten, or an override removed.
UNSAFE_FIXES = ('rewrite with --unsafe-fixes', 'remove override with --unsafe-fixes')
# Redundant overrides a plain migrate removes (the base __init__ provides the same pooled bq_client; the
# shadow grading override passes its own `project_id` parameter to `super().__init__(project_id)`, which
# the base makes its client from: the same project).
PIPELINE_REDUNDANT = {
    ('data_processors/analytics/upcoming_team_game_context_processor.py', 17),
    ('data_processors/grading/mlb/mlb_shadow_grading_processor.py', 20),
    ('data_processors/precompute/player_daily_cache/player_daily_cache_processor.py', 17),
    ('data_processors/raw/nbacom/nbac_schedule_processor.py', 23),
}
# Pooled calls: (line, rule).
PIPELINE_POOLED_SITES = {
    'orchestration/cloud_functions/self_heal/main.py': [(24, 'bigquery'), (41, 'http')],
    'data_processors/precompute/precompute_base.py': [(22, 'bigquery')],
}
# Files with no site of their own whose class inherits a pooled client.
PIPELINE_INHERITED_FILES = {
    'data_processors/analytics/mlb/batter_game_summary_processor.py',
    'data_processors/analytics/mlb/mlb_analytics_base.py',
    'data_processors/precompute/team_defense_zone_analysis_processor.py',
    'data_processors/publishing/status_exporter.py',
}
# category -> (direct_sites, files, pooled_sites, files_with_direct_sites, files_pooled,
#              files_inherited, fixable_sites, coverage_percent, unsafe_fixable_sites) of a plain manifest;
# categories from poolify.yaml. fixable = direct - left (PIPELINE_UNFIXABLE) - unsafe (PIPELINE_UNSAFE):
# analytics 4 - 0 - 2 = 2, cloud_functions 17 - 3 - 7 = 7, orchestration 2 - 0 - 1 = 1, precompute 2 - 0 - 1 = 1,
# raw_processors 5 - 1 - 2 = 2, scrapers 6 - 1 - 1 = 4, shared 4 - 2 - 1 = 1.
PIPELINE_CATEGORIES = {
    'analytics': (4, 6, 0, 4, 0, 2, 2, 0, 2),
    'cloud_functions': (17, 8, 2, 7, 1, 0, 7, 10.5, 7),  # 2 / 19 = 10.52 -> 10.5
    'grading': (4, 4, 0, 4, 0, 0, 3, 0, 1),
    'orchestration': (2, 1, 0, 1, 0, 0, 1, 0, 1),
    'precompute': (2, 4, 1, 2, 1, 1, 1, 33.3, 1),
    'publishing': (2, 2, 0, 1, 0, 1, 2, 0, 0),
    'raw_processors': (5, 5, 0, 5, 0, 0, 2, 0, 2),
    'scrapers': (6, 5, 0, 5, 0, 0, 4, 0, 1),
    'shared': (4, 1, 0, 1, 0, 0, 1, 0, 1),
}
# With --unsafe-fixes the unsafe sites count as fixable and none is left for the flag (fixable: analytics 4,
# cloud_functions 14, grading 4, orchestration 2, precompute 2, raw_processors 4, scrapers 5, shared 2, the others as
# above).
PIPELINE_CATEGORIES_UNSAFE_FIXES = {name: c[:6] + (c[6] + c[8], c[7], 0) for name, c in PIPELINE_CATEGORIES.items()}
PIPELINE_TOTAL_DIRECT = 46  # bigquery 32, http 9, firestore 3, storage 1, pubsub 1
PIPELINE_TOTAL_POOLED = 3
PIPELINE_COVERAGE = 6.1  # 3 / 49 = 6.12 -> 6.1
# Sites left after `migrate --unsafe-fixes --apply` that are neither in a pool module nor strings (a plain
# `migrate --apply` leaves the PIPELINE_UNSAFE sites too).
PIPELINE_LEFT_AFTER_MIGRATE = sorted([
    ('data_processors/raw/run_history_mixin.py', 'bigquery'),
    ('orchestration/cloud_functions/pipeline_reconciliation/main.py', 'bigquery'),
    ('orchestration/cloud_functions/stale_running_cleanup/main.py', 'bigquery'),
    ('orchestration/cloud_functions/transition_monitor/main.py', 'bigquery'),
    ('scrapers/scraper_base.py', 'http'),
    ('shared/bigquery_utils.py', 'bigquery'),
    ('shared/bigquery_utils.py', 'bigquery'),
])
MOCK_TARGET = 'data_processors.grading.prediction_accuracy_processor.bigquery.Client'

SUMMARY_KEYS = {'files', 'files_pooled', 'files_inherited', 'files_with_direct_sites', 'direct_sites',
                'fixable_sites', 'pooled_sites', 'inherited_classes', 'coverage_percent', 'unsafe_fixable_sites',
                'inherited_classes_not_pooled'}


# --------------------------------------------------------------------------------------------
# helpers

def run(cwd, *args):
    """poolify ARGS in cwd: its Result (a failed assertion shows 6000 characters of each stream at the most)."""
    return Result(*run_poolify(POOLIFY, args, cwd, timeout=TIMEOUT), shown=6000)


def copy_pipeline(tmp):
    dst = os.path.join(tmp, 'pipeline')
    shutil.copytree(PIPELINE, dst)
    return dst


def direct_of(manifest):
    """{path: sorted [(line, column, rule)]} of a JSON manifest's direct sites."""
    return {f['path']: sorted((s['line'], s['column'], s['rule']) for s in f['direct_sites'])
            for f in manifest['files'] if f['direct_sites']}


def hermetic(root):
    """An empty poolify.yaml at root, so no configuration above the temporary folder is picked up."""
    write(root, 'poolify.yaml', '')


BQ_SITE = '''\
from google.cloud import bigquery


def load(project_id):
    return bigquery.Client(project=project_id).query("q")
'''


class Base(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix='poolify-mc-')
        self.tmp = self._tmp.name
        self.addCleanup(self._tmp.cleanup)
        write_pools(self.tmp)

    def ok(self, res, code=0):
        self.assertEqual(res.code, code, res)
        return res

    def pipeline(self):
        return copy_pipeline(self.tmp)

    def manifest(self, cwd, *args):
        res = self.ok(run(cwd, 'manifest', '--format', 'json', *args))
        return res.json()

    def check_json(self, cwd, *args, code):
        res = run(cwd, 'check', '--format', 'json', *args)
        self.assertEqual(res.code, code, res)
        return res.json()

    def errors_of(self, check_json):
        return sorted((f['path'], f['line'], f['rule']) for f in check_json['findings']
                      if f['severity'] == 'error')

    def clean_tree_with_mock_target(self):
        """A tree that passes `check --baseline baseline.json`: one module already pooled, one rewritable
        site in the baseline, and a test that patches the library's `bigquery.Client` itself (a mock target
        that migrate does not retarget: a patch through the module would follow the code)."""
        root = os.path.join(self.tmp, 'proj')
        hermetic(root)
        write_pools(root)
        write(root, 'pkg/__init__.py', '')
        write(root, 'pkg/pooled.py', '''\
            from shared.clients.bigquery_pool import get_bigquery_client


            def rows(project_id):
                return list(get_bigquery_client(project_id=project_id).query("SELECT 1").result())
            ''')
        write(root, 'pkg/loader.py', '''\
            from google.cloud import bigquery


            def load(project_id):
                return bigquery.Client(project=project_id).query("q")
            ''')
        # The rewritable site passes the check through a baseline (an ignore marker would keep migrate
        # from rewriting it, and the patch would go on intercepting: no warning).
        write(root, 'baseline.json', json.dumps({'version': 1, 'entries': [
            {'file': 'pkg/loader.py', 'rule': 'bigquery', 'count': 1,
             'code': 'return bigquery.Client(project=project_id).query("q")'}]}))
        write(root, 'tests/__init__.py', '')
        write(root, 'tests/test_loader.py', '''\
            from unittest import mock

            from google.cloud import bigquery

            from pkg.loader import load


            @mock.patch.object(bigquery, "Client")
            def test_load(client_cls):
                load("p")
                client_cls.assert_called_once_with(project="p")
            ''')
        return root


# --------------------------------------------------------------------------------------------
# 1. hand-counted manifest numbers on fixtures/pipeline

class PipelineManifestCountsTest(Base):
    def setUp(self):
        super().setUp()
        self.root = self.pipeline()
        self.m = self.manifest(self.root, '.')

    def test_summary_totals_match_hand_count(self):
        s = self.m['summary']
        self.assertEqual(s['direct_sites'], PIPELINE_TOTAL_DIRECT)
        self.assertEqual(s['pooled_sites'], PIPELINE_TOTAL_POOLED)
        # 46 - 7 left - 8 only with --unsafe-fixes = 31
        self.assertEqual(s['fixable_sites'], PIPELINE_TOTAL_DIRECT - len(PIPELINE_UNFIXABLE) - len(PIPELINE_UNSAFE))
        self.assertEqual(s['unsafe_fixable_sites'], len(PIPELINE_UNSAFE))  # 14
        self.assertEqual(s['files'], 36)
        self.assertEqual(s['files_with_direct_sites'], len(PIPELINE_DIRECT_SITES))  # 30
        self.assertEqual(s['files_pooled'], len(PIPELINE_POOLED_SITES))  # 2
        self.assertEqual(s['files_inherited'], len(PIPELINE_INHERITED_FILES))  # 4
        self.assertEqual(s['coverage_percent'], PIPELINE_COVERAGE)

    def test_every_direct_site_by_file_line_column_rule(self):
        expected = {p: sorted(v) for p, v in PIPELINE_DIRECT_SITES.items()}
        self.assertEqual(direct_of(self.m), expected)

    def test_direct_sites_per_rule_and_kind(self):
        per_rule, kinds = {}, {}
        for f in self.m['files']:
            for s in f['direct_sites']:
                per_rule[s['rule']] = per_rule.get(s['rule'], 0) + 1
                kinds[s['kind']] = kinds.get(s['kind'], 0) + 1
        self.assertEqual(per_rule, {'bigquery': 32, 'http': 9, 'firestore': 3, 'storage': 1, 'pubsub': 1})
        self.assertEqual(kinds, {'call': 45, 'reference': 1})
        refs = {(f['path'], s['line']) for f in self.m['files'] for s in f['direct_sites']
                if s['kind'] == 'reference'}
        self.assertEqual(refs, PIPELINE_REFERENCES)

    def test_per_category_numbers(self):
        got = {}
        for name, c in self.m['categories'].items():
            if c['files'] or c['direct_sites'] or c['pooled_sites']:
                got[name] = (c['direct_sites'], c['files'], c['pooled_sites'], c['files_with_direct_sites'],
                             c['files_pooled'], c['files_inherited'], c['fixable_sites'], c['coverage_percent'],
                             c['unsafe_fixable_sites'])
        self.assertEqual(got, PIPELINE_CATEGORIES)
        # Each file carries the category of the first poolify.yaml glob that matches it.
        cats = {f['path']: f['category'] for f in self.m['files']}
        self.assertEqual(cats['orchestration/cloud_functions/self_heal/main.py'], 'cloud_functions')
        self.assertEqual(cats['orchestration/workflow_executor.py'], 'orchestration')
        self.assertEqual(cats['data_processors/precompute/player_daily_cache/player_daily_cache_processor.py'],
                         'precompute')

    def test_aliased_imports_are_sites(self):
        files = {f['path']: f for f in self.m['files']}
        (bq,) = files['data_processors/analytics/analytics_base.py']['direct_sites']
        self.assertEqual((bq['line'], bq['column'], bq['rule'], bq['callable'], bq['kind'], bq['fix']),
                         (21, 26, 'bigquery', 'google.cloud.bigquery.Client', 'call', 'rewrite'))
        (rq,) = files['scrapers/bdl_box_scores.py']['direct_sites']
        self.assertEqual((rq['line'], rq['column'], rq['rule'], rq['callable'], rq['fix']),
                         (22, 20, 'http', 'requests.get', 'rewrite'))
        (cl,) = files['data_processors/grading/system_daily_performance_processor.py']['direct_sites']
        self.assertEqual((cl['line'], cl['column'], cl['callable']), (16, 26, 'google.cloud.bigquery.Client'))

    def test_strings_comments_docstrings_parameters_and_pools_are_not_sites(self):
        files = {f['path']: f for f in self.m['files']}
        for path in ('data_processors/precompute/team_defense_zone_analysis_processor.py',
                     'data_processors/publishing/status_exporter.py'):
            self.assertEqual(files[path]['direct_sites'], [], path)
            self.assertEqual(files[path]['status'], 'inherited', path)
        for path in ('shared/clients/__init__.py', 'tests/test_grading.py', 'utils/dates.py', 'utils/retry.py',
                     'shared/clients/bigquery_pool.py', 'shared/clients/http_pool.py',
                     'shared/clients/storage_pool.py', 'shared/clients/firestore_pool.py',
                     'shared/clients/pubsub_pool.py'):
            self.assertNotIn(path, files)
        # `requests` bound to a parameter on line 18; only the module's requests.post on line 26 counts.
        self.assertEqual([s['line'] for s in files['scrapers/scraper_dispatch.py']['direct_sites']], [26])
        # String annotations "bigquery.Client" (17, 19) are not sites.
        self.assertEqual([s['line'] for s in files['data_processors/raw/run_history_mixin.py']['direct_sites']], [21])
        # The return annotation `-> bigquery.Client` (26) is not a site.
        self.assertEqual(
            [s['line'] for s in files['orchestration/cloud_functions/pipeline_reconciliation/main.py']['direct_sites']],
            [29, 33])

    def test_pooled_sites_and_statuses(self):
        pooled = {f['path']: sorted((s['line'], s['rule']) for s in f['pooled_sites'])
                  for f in self.m['files'] if f['pooled_sites']}
        self.assertEqual(pooled, {p: sorted(v) for p, v in PIPELINE_POOLED_SITES.items()})
        callables = sorted(s['callable'] for f in self.m['files'] for s in f['pooled_sites'])
        self.assertEqual(callables, ['shared.clients.bigquery_pool.get_bigquery_client',
                                     'shared.clients.bigquery_pool.get_bigquery_client',
                                     'shared.clients.http_pool.post'])
        status = {f['path']: f['status'] for f in self.m['files']}
        self.assertEqual({p for p, s in status.items() if s == 'pooled'}, set(PIPELINE_POOLED_SITES))
        self.assertEqual({p for p, s in status.items() if s == 'inherited'}, PIPELINE_INHERITED_FILES)
        self.assertEqual({p for p, s in status.items() if s == 'direct'}, set(PIPELINE_DIRECT_SITES))

    def test_fix_and_reason_of_each_site(self):
        seen_unsafe = set()
        for f in self.m['files']:
            for s in f['direct_sites']:
                key = (f['path'], s['line'])
                if key in PIPELINE_UNFIXABLE:
                    self.assertEqual((s['fixable'], s['fix'], s.get('reason')),
                                     (False, 'none', PIPELINE_UNFIXABLE[key]), key)
                elif key in PIPELINE_UNSAFE:
                    seen_unsafe.add(key)
                    fix = ('remove override with --unsafe-fixes' if key in PIPELINE_UNSAFE_REMOVALS
                           else 'rewrite with --unsafe-fixes')
                    self.assertEqual((s['fixable'], s['fix'], s.get('safety'), s.get('reason')),
                                     (False, fix, 'unsafe', PIPELINE_UNSAFE[key]), key)
                elif key in PIPELINE_REDUNDANT:
                    self.assertEqual((s['fixable'], s['fix']), (True, 'remove redundant override'), key)
                else:
                    self.assertEqual((s['fixable'], s['fix']), (True, 'rewrite'), key)
                    self.assertNotIn('reason', s, key)
                if key not in PIPELINE_UNSAFE:
                    self.assertNotIn('safety', s, key)
                self.assertNotIn('ignored', s, key)
        self.assertEqual(seen_unsafe, set(PIPELINE_UNSAFE))


class PipelineManifestUnsafeFixesTest(Base):
    """`manifest --unsafe-fixes` describes what `migrate --unsafe-fixes` does: the unsafe sites are fixable
    (fix "rewrite"), still marked unsafe with their reason, and none is left for the flag."""

    def setUp(self):
        super().setUp()
        self.root = self.pipeline()
        self.m = self.manifest(self.root, '--unsafe-fixes', '.')

    def test_summary_and_categories(self):
        s = self.m['summary']
        self.assertEqual((s['direct_sites'], s['pooled_sites'], s['coverage_percent']),
                         (PIPELINE_TOTAL_DIRECT, PIPELINE_TOTAL_POOLED, PIPELINE_COVERAGE))
        self.assertEqual(s["fixable_sites"], PIPELINE_TOTAL_DIRECT - len(PIPELINE_UNFIXABLE))  # 39
        self.assertEqual(s['unsafe_fixable_sites'], 0)
        got = {name: (c['direct_sites'], c['files'], c['pooled_sites'], c['files_with_direct_sites'],
                      c['files_pooled'], c['files_inherited'], c['fixable_sites'], c['coverage_percent'],
                      c['unsafe_fixable_sites'])
               for name, c in self.m['categories'].items() if c['files'] or c['direct_sites'] or c['pooled_sites']}
        self.assertEqual(got, PIPELINE_CATEGORIES_UNSAFE_FIXES)

    def test_the_unsafe_sites_are_fixable_and_marked(self):
        plain = {(f['path'], s['line']): s for f in self.manifest(self.root, '.')['files'] for s in f['direct_sites']}
        sites = {(f['path'], s['line']): s for f in self.m['files'] for s in f['direct_sites']}
        self.assertEqual(set(sites), set(plain))
        for key, s in sites.items():
            if key in PIPELINE_UNSAFE:
                self.assertEqual((s['fixable'], s['fix'], s.get('safety'), s.get('reason')),
                                 (True, 'remove redundant override' if key in PIPELINE_UNSAFE_REMOVALS else 'rewrite',
                                  'unsafe', PIPELINE_UNSAFE[key]), key)
            else:
                self.assertEqual(s, plain[key], key)


# --------------------------------------------------------------------------------------------
# 2. after `migrate --apply`

class ManifestAfterMigrateTest(Base):
    def test_direct_sites_equal_sites_migrate_left(self):
        root = self.pipeline()
        before = self.manifest(root, '.')['summary']
        # A plain run, then one with --unsafe-fixes on its result.
        for flags, left_after, unsafe_after, pooled, coverage in (
                # 3 pooled before + 19 rewrites (23 fixable - 4 removed overrides): 22 / (22 + 23) = 48.89 -> 48.8 (down)
                ((), 23, 16, 22, 48.8),
                # + the 13 unsafe rewrites (and 3 unsafe removals): 35 / (35 + 7) = 83.33 -> 83.3
                (('--unsafe-fixes',), 7, 0, 35, 83.3)):
            with self.subTest(flags=flags):
                mig = self.ok(run(root, 'migrate', *flags, '--apply', '--explain', '.'))
                m = re.search(r'left (\d+) sites(?: \((\d+) of them fixable with --unsafe-fixes\))?(?:, retargeted [^\n]*)?\n',
                              mig.stderr)
                self.assertIsNotNone(m, mig)
                left, unsafe = int(m.group(1)), int(m.group(2) or 0)
                pool_module = len(re.findall(r'^\S+:\d+:\d+: \w+: left: this module defines the pool$', mig.stderr,
                                             re.M))
                strings = len(re.findall(r'^\S+:\d+:\d+: \w+: left: string reference ', mig.stderr, re.M))
                # --explain lists 6 pool-module sites (bigquery, http, storage, firestore, pubsub x2) and no
                # string sites; the summary's "left" counts only the direct sites a person must fix (or pass
                # --unsafe-fixes for).
                self.assertEqual((left, unsafe, pool_module, strings), (left_after, unsafe_after, 6, 0), mig)
                after = self.manifest(root, '.')
                s = after['summary']
                self.assertEqual(s['direct_sites'], left)
                self.assertEqual(s['direct_sites'], len(PIPELINE_LEFT_AFTER_MIGRATE) + unsafe_after)
                self.assertEqual((s['fixable_sites'], s['unsafe_fixable_sites']), (0, unsafe_after))
                self.assertEqual(s['pooled_sites'], pooled)
                self.assertEqual(s['coverage_percent'], coverage)
                self.assertGreater(s['coverage_percent'], before['coverage_percent'])
                # (Lines moved where imports were added: the sites are told apart by their fix.)
                sites = [(f['path'], x) for f in after['files'] for x in f['direct_sites']]
                remaining = sorted((p, x['rule']) for p, x in sites if x['fix'] not in UNSAFE_FIXES)
                self.assertEqual(remaining, PIPELINE_LEFT_AFTER_MIGRATE)
                for p, x in sites:
                    self.assertFalse(x['fixable'], (p, x))
                    self.assertTrue(x.get('reason'), (p, x))
                unsafe_left = sorted((p, x['reason']) for p, x in sites if x['fix'] in UNSAFE_FIXES)
                self.assertEqual(unsafe_left, sorted((p, why) for (p, _), why in PIPELINE_UNSAFE.items())
                                 if unsafe_after else [])
                before = s

    def test_migrate_writes_the_manifest_of_the_tree_it_read_in_the_same_run(self):
        root = self.pipeline()
        want = {fmt: self.ok(run(root, 'manifest', '--no-cache', '--format', fmt, '.')).out
                for fmt in ('json', 'markdown', 'csv')}
        out = os.path.join(self.tmp, 'out')
        os.makedirs(out)
        for name, fmt in (('m.json', 'json'), ('m.md', 'markdown'), ('m.csv', 'csv'), ('m.txt', 'json')):
            dry = self.ok(run(root, 'migrate', '--manifest', os.path.join(out, name), '.'))
            self.assertIn(b'+from shared.clients.bigquery_pool import get_bigquery_client', dry.out)
            with open(os.path.join(out, name), 'rb') as f:
                self.assertEqual(f.read(), want[fmt], name)
        # With --unsafe-fixes, it is the manifest of that run.
        unsafe = self.ok(run(root, 'manifest', '--no-cache', '--unsafe-fixes', '--format', 'json', '.')).out
        self.assertNotEqual(unsafe, want['json'])
        self.ok(run(root, 'migrate', '--unsafe-fixes', '--manifest', os.path.join(out, 'unsafe.json'), '.'))
        with open(os.path.join(out, 'unsafe.json'), 'rb') as f:
            self.assertEqual(f.read(), unsafe)
        # With --apply the manifest is still the tree as read (before), and the files change: 19 files have a
        # safe fix (fixtures/pipeline-expected/migrate.diff; 29 with --unsafe-fixes).
        applied = self.ok(run(root, 'migrate', '--apply', '--manifest', os.path.join(out, 'before.json'), '.'))
        self.assertIn('changed 19,', applied.stderr)  # the test patches stay: the call they intercept is held
        with open(os.path.join(out, 'before.json'), 'rb') as f:
            self.assertEqual(f.read(), want['json'])
        self.assertNotEqual(self.ok(run(root, 'manifest', '--no-cache', '--format', 'json', '.')).out, want['json'])
        # A missing folder is made (as for every output file); one that cannot be (a file in its way) is an error.
        self.ok(run(root, 'migrate', '--manifest', os.path.join(self.tmp, 'new', 'dir', 'm.json'), '.'))
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, 'new', 'dir', 'm.json')))
        bad = run(root, 'migrate', '--manifest', os.path.join(out, 'before.json', 'dir', 'm.json'), '.')
        self.assertEqual(bad.code, 2, bad)
        self.assertIn('cannot write the manifest', bad.stderr)


# --------------------------------------------------------------------------------------------
# 3. output formats of `manifest`

class ManifestFormatsTest(Base):
    def test_json_shape(self):
        root = self.pipeline()
        m = self.manifest(root, '.')
        self.assertEqual(m['schema_version'], 1)
        self.assertEqual(m['tool'], 'poolify')
        self.assertEqual(set(m['summary']), SUMMARY_KEYS)
        for name, c in m['categories'].items():
            self.assertEqual(set(c), SUMMARY_KEYS, name)
        self.assertEqual(list(m['categories']), sorted(m['categories']))
        paths = [f['path'] for f in m['files']]
        self.assertEqual(paths, sorted(paths))
        for f in m['files']:
            self.assertEqual(set(f), {'path', 'category', 'status', 'direct_sites', 'pooled_sites', 'inherited'},
                             f['path'])
            self.assertIn(f['status'], ('direct', 'pooled', 'inherited', 'inherited-direct', 'inherited-unknown'))
            self.assertFalse(os.path.isabs(f['path']))
            for s in f['direct_sites']:
                self.assertLessEqual({'line', 'column', 'rule', 'callable', 'kind', 'fixable', 'fix'}, set(s))
                self.assertLessEqual(set(s), {'line', 'column', 'rule', 'callable', 'kind', 'fixable', 'fix', 'reason',
                                              'safety', 'ignored'})
                self.assertIn(s['kind'], ('call', 'reference'))
                self.assertIn(s['fix'], ('rewrite', 'remove redundant override', 'none') + UNSAFE_FIXES)
                self.assertIn(s.get('safety'), (None, 'unsafe'))
            for s in f['pooled_sites']:
                self.assertEqual(set(s), {'line', 'column', 'rule', 'callable'})
            for i in f['inherited']:
                self.assertLessEqual({'class', 'attribute', 'rule', 'base', 'status'}, set(i))
                self.assertLessEqual(set(i), {'class', 'attribute', 'rule', 'base', 'status', 'reason'})
                self.assertIn(i['status'], ('pooled', 'direct', 'unknown'))
                self.assertEqual('reason' in i, i['status'] != 'pooled')
        # The inherited entries of a class that has no client of its own.
        files = {f['path']: f for f in m['files']}
        self.assertIn({'class': 'TeamDefenseZoneAnalysisProcessor', 'attribute': 'bq_client', 'rule': 'bigquery',
                       'base': 'PrecomputeProcessorBase', 'status': 'pooled'},
                      files['data_processors/precompute/team_defense_zone_analysis_processor.py']['inherited'])
        self.assertEqual(
            sorted((i['attribute'], i['rule'], i['base'])
                   for i in files['data_processors/publishing/status_exporter.py']['inherited']),
            [('bq_client', 'bigquery', 'BaseExporter'), ('gcs_client', 'storage', 'BaseExporter')])

    def test_json_no_mock_target_for_a_patch_migrate_retargets(self):
        # tests/test_grading.py:12 patches MOCK_TARGET, a module whose BigQuery sites migrate all rewrites:
        # migrate retargets the patch in the same run, so it keeps intercepting and is no mock target.
        root = self.pipeline()
        m = self.manifest(root, '.')
        self.assertEqual(m['mock_targets'], [])

    def test_output_is_deterministic_across_runs_and_jobs(self):
        root = self.pipeline()
        for fmt in ('json', 'markdown', 'csv'):
            a = self.ok(run(root, 'manifest', '--format', fmt, '.'))
            b = self.ok(run(root, 'manifest', '--format', fmt, '.'))
            j1 = self.ok(run(root, 'manifest', '--format', fmt, '--jobs', '1', '.'))
            j3 = self.ok(run(root, 'manifest', '--format', fmt, '--jobs', '3', '.'))
            self.assertTrue(a.out)
            self.assertEqual(a.out, b.out, fmt)
            self.assertEqual(j1.out, j3.out, fmt)
            self.assertEqual(a.out, j1.out, fmt)
        self.ok(run(root, 'manifest', '--format', 'json', '-o', 'out.json', '.'))
        with open(os.path.join(root, 'out.json'), 'rb') as f:
            self.assertEqual(f.read(), run(root, 'manifest', '--format', 'json', '.').out)

    def test_markdown_table_with_total_row(self):
        root = self.pipeline()
        md = self.ok(run(root, 'manifest', '--format', 'markdown', '.')).stdout
        self.assertIn('6.1%', md)
        rows = [l for l in md.split('\n') if l.startswith('|')]
        header = next(i for i, l in enumerate(rows) if re.match(r'^\|\s*category\s*\|', l))
        self.assertRegex(rows[header + 1], r'^\|[-:| ]+\|$')
        table = []
        for l in rows[header + 2:]:
            cells = [c.strip() for c in l.strip('|').split('|')]
            table.append(cells)
            if '**total**' in cells[0]:
                break
        names = [c[0] for c in table]
        self.assertEqual(names[:-1], sorted(PIPELINE_CATEGORIES), md)
        total = table[-1]
        self.assertIn('total', total[0])
        self.assertIn('36', total)
        self.assertIn(str(PIPELINE_TOTAL_DIRECT), total)
        self.assertIn('6.1%', total)
        # every direct site is listed with its position; the retargeted patch is no mock target
        for path, sites in PIPELINE_DIRECT_SITES.items():
            for line, col, _ in sites:
                self.assertIn(f'{path}:{line}:{col}', md)
        self.assertIn("keyword 'credentials' is not supported by the pool", md)
        # The patches of tests/test_grading.py stop intercepting nothing: no mock-target table (the target
        # appears only in the reason of the call held for it).
        self.assertNotIn('### Mock targets', md)
        self.assertNotIn(f'| {MOCK_TARGET} |', md)

    def test_markdown_and_csv_show_the_tier_of_each_fix(self):
        root = self.pipeline()
        espn = 'data_processors/raw/espn_boxscore_processor.py'
        reason = PIPELINE_UNSAFE[(espn, 23)]
        md = self.ok(run(root, 'manifest', '--format', 'markdown', '.')).stdout
        self.assertIn('(3 pooled, 46 direct, of which 23 `poolify migrate` can fix and 16 more with '
                      '`--unsafe-fixes`)', md)
        self.assertIn(f'| `{espn}:23:26` | bigquery | rewrite with `--unsafe-fixes` (unsafe: {reason}) |', md)
        self.assertEqual(md.count('| rewrite with `--unsafe-fixes` (unsafe: '),
                         len(PIPELINE_UNSAFE) - len(PIPELINE_UNSAFE_REMOVALS))
        self.assertEqual(md.count('| remove override with `--unsafe-fixes` (unsafe: '), len(PIPELINE_UNSAFE_REMOVALS))
        md = self.ok(run(root, 'manifest', '--unsafe-fixes', '--format', 'markdown', '.')).stdout
        self.assertIn('(3 pooled, 46 direct, of which 39 `poolify migrate` can fix)', md)
        self.assertIn(f'| `{espn}:23:26` | bigquery | rewrite (unsafe: {reason}) |', md)
        self.assertEqual(md.count('| rewrite (unsafe: '), len(PIPELINE_UNSAFE) - len(PIPELINE_UNSAFE_REMOVALS))
        self.assertEqual(md.count('| remove override (unsafe: '), len(PIPELINE_UNSAFE_REMOVALS))
        for flags, tier in (((), 'unsafe'), (('--unsafe-fixes',), 'yes')):
            rows = list(csv.DictReader(io.StringIO(
                self.ok(run(root, 'manifest', *flags, '--format', 'csv', '.')).stdout)))
            unsafe = {(r['path'], int(r['line'])): (r['fixable'], r['detail']) for r in rows
                      if (r['path'], int(r['line'])) in PIPELINE_UNSAFE and r['kind'] == 'direct'}
            self.assertEqual(unsafe, {key: (tier, why) for key, why in PIPELINE_UNSAFE.items()}, flags)
            self.assertEqual(sum(r['fixable'] == 'unsafe' for r in rows), len(PIPELINE_UNSAFE) if not flags else 0)

    def test_csv_header_and_one_row_per_site(self):
        root = self.pipeline()
        m = self.manifest(root, '.')
        out = self.ok(run(root, 'manifest', '--format', 'csv', '.')).stdout
        self.assertEqual(out.split('\n')[0].rstrip('\r'),
                         'path,category,status,kind,line,column,rule,callable,fixable,detail')
        rows = list(csv.DictReader(io.StringIO(out)))
        for r in rows:
            self.assertNotIn(None, r.values(), r)  # exactly 10 fields
        direct = sorted((r['path'], int(r['line']), int(r['column']), r['rule'])
                        for r in rows if r['kind'] in ('direct', 'direct-reference'))
        expected = sorted((p, l, c, rule) for p, v in PIPELINE_DIRECT_SITES.items() for l, c, rule in v)
        self.assertEqual(direct, expected)
        self.assertEqual({(r['path'], int(r['line'])) for r in rows if r['kind'] == 'direct-reference'},
                         PIPELINE_REFERENCES)
        pooled = sorted((r['path'], int(r['line'])) for r in rows if r['kind'] == 'pooled')
        self.assertEqual(pooled, sorted((p, l) for p, v in PIPELINE_POOLED_SITES.items() for l, _ in v))
        inherited = [r for r in rows if r['kind'] == 'inherited']
        self.assertEqual(len(inherited), m['summary']['inherited_classes'])
        self.assertLessEqual(PIPELINE_INHERITED_FILES, {r['path'] for r in inherited})
        self.assertEqual(len(rows), PIPELINE_TOTAL_DIRECT + PIPELINE_TOTAL_POOLED + len(inherited))
        cats = {r['path']: r['category'] for r in rows}
        self.assertEqual(cats['scrapers/bdl_box_scores.py'], 'scrapers')


# --------------------------------------------------------------------------------------------
# 4. `check`: exit codes, the baseline ratchet, ignore markers

class CheckBaselineTest(Base):
    def setUp(self):
        super().setUp()
        self.root = self.pipeline()

    def write_baseline(self):
        res = self.ok(run(self.root, 'check', '--write-baseline', 'b.json', '.'))
        self.assertTrue(os.path.isfile(os.path.join(self.root, 'b.json')), res)
        return res

    def test_pipeline_fails_then_passes_with_its_baseline(self):
        res = run(self.root, 'check', '.')
        self.assertEqual(res.code, 1, res)
        errors = [l for l in res.stdout.split('\n') if l and ': warning: ' not in l]
        self.assertEqual(len(errors), PIPELINE_TOTAL_DIRECT, res)
        self.write_baseline()
        res = self.ok(run(self.root, 'check', '--baseline', 'b.json', '.'))
        self.assertEqual([l for l in res.stdout.split('\n') if l and ': warning: ' not in l], [], res)

    def test_new_site_in_a_baselined_file_fails_alone(self):
        self.write_baseline()
        path = os.path.join(self.root, 'scrapers/nbac_schedule_api.py')
        with open(path, 'a', encoding='utf-8') as f:
            f.write('\n\ndef fetch_raw(url: str) -> bytes:\n    return requests.get(url, timeout=5).content\n')
        new_line = read_text(self.root, 'scrapers/nbac_schedule_api.py').split('\n').index(
            '    return requests.get(url, timeout=5).content') + 1
        out = self.check_json(self.root, '--baseline', 'b.json', '.', code=1)
        self.assertEqual(self.errors_of(out), [('scrapers/nbac_schedule_api.py', new_line, 'http')])

    def test_line_shift_keeps_baselined_site_allowed(self):
        self.write_baseline()
        rel = 'scrapers/nbac_schedule_api.py'
        src = read_text(self.root, rel)
        write(self.root, rel, src.replace('def fetch_schedule', '\n\n\n\ndef fetch_schedule'))
        m = self.manifest(self.root, '.')
        self.assertEqual(direct_of(m)[rel], [(24, 16, 'http')])  # moved from line 20
        out = self.check_json(self.root, '--baseline', 'b.json', '.', code=0)
        self.assertEqual(self.errors_of(out), [])

    def test_duplicated_baselined_line_is_a_new_site(self):
        self.write_baseline()
        rel = 'scrapers/nbac_schedule_api.py'
        line = '    response = requests.get(SCHEDULE_URL, headers=NBA_HEADERS, timeout=30)\n'
        src = read_text(self.root, rel)
        self.assertIn(line, src)
        write(self.root, rel, src.replace(line, line + line))
        out = self.check_json(self.root, '--baseline', 'b.json', '.', code=1)
        errors = self.errors_of(out)
        self.assertEqual(len(errors), 1, out)
        self.assertEqual((errors[0][0], errors[0][2]), (rel, 'http'))
        self.assertIn(errors[0][1], (20, 21))

    def test_reindented_site_still_matches_baseline(self):
        self.write_baseline()
        rel = 'scrapers/nbac_schedule_api.py'
        line = '    response = requests.get(SCHEDULE_URL, headers=NBA_HEADERS, timeout=30)\n'
        src = read_text(self.root, rel)
        write(self.root, rel, src.replace(line, '    if True:\n    ' + line))
        self.ok(run(self.root, 'check', '--baseline', 'b.json', '.'))

    def test_unreadable_baseline_is_an_error(self):
        res = run(self.root, 'check', '--baseline', 'missing.json', '.')
        self.assertEqual(res.code, 2, res)
        self.assertIn('missing.json', res.stderr)
        write(self.root, 'bad.json', '{not json')
        res = run(self.root, 'check', '--baseline', 'bad.json', '.')
        self.assertEqual(res.code, 2, res)
        self.assertIn('bad.json', res.stderr)


class CheckIgnoreMarkerTest(Base):
    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'proj')
        hermetic(self.root)

    def test_ignore_markers_select_rules(self):
        write(self.root, 'a.py', '''\
            from google.cloud import bigquery


            def one(project_id):
                return bigquery.Client(project=project_id).query("q")  # poolify: ignore


            def two(project_id):
                return bigquery.Client(project=project_id).query("q")  # poolify: ignore[http]


            def three(project_id):
                return bigquery.Client(project=project_id).query("q")  # poolify: ignore[bigquery]


            def four(project_id):
                return bigquery.Client(project=project_id).query("q")  # poolify: ignore[bigquery,http]


            def five(project_id):
                return bigquery.Client(project=project_id).query("q")
            ''')
        out = self.check_json(self.root, '.', code=1)
        self.assertEqual(self.errors_of(out), [('a.py', 9, 'bigquery'), ('a.py', 21, 'bigquery')])
        # The ignore marker does not change the measurement.
        m = self.manifest(self.root, '.')
        self.assertEqual(m['summary']['direct_sites'], 5)
        ignored = {s['line']: s.get('ignored') for s in m['files'][0]['direct_sites']}
        self.assertEqual(ignored[5], 'all rules')
        self.assertIsNone(ignored[21])

    def test_all_sites_ignored_passes(self):
        write(self.root, 'a.py', '''\
            from google.cloud import bigquery


            def load(project_id):
                return bigquery.Client(project=project_id).query("q")  # poolify: ignore
            ''')
        res = self.ok(run(self.root, 'check', '.'))
        self.assertEqual(res.stdout.strip(), '')

    def test_write_baseline_skips_ignored_sites(self):
        write(self.root, 'a.py', '''\
            from google.cloud import bigquery


            def load(project_id):
                a = bigquery.Client(project=project_id)  # poolify: ignore
                b = bigquery.Client(project=project_id)
                return a, b
            ''')
        self.ok(run(self.root, 'check', '--write-baseline', 'b.json', '.'))
        with open(os.path.join(self.root, 'b.json'), encoding='utf-8') as f:
            text = f.read()
        self.assertIn('b = bigquery.Client(project=project_id)', text)
        self.assertNotIn('a = bigquery.Client', text)
        self.ok(run(self.root, 'check', '--baseline', 'b.json', '.'))

    # Was a bug (fixed): the ignore marker is found by searching the raw line for '#', so a string literal that
    # contains "# poolify: ignore" silences the site although no comment is on the line
    # (docs/manifest.md: allowed is "a `# poolify: ignore` comment on the site's line").
    def test_marker_inside_a_string_is_not_a_comment(self):
        write(self.root, 'a.py', '''\
            from google.cloud import bigquery


            def load():
                return bigquery.Client(project="# poolify: ignore")
            ''')
        out = self.check_json(self.root, '.', code=1)
        self.assertEqual(self.errors_of(out), [('a.py', 5, 'bigquery')])


# --------------------------------------------------------------------------------------------
# 5. --min-coverage

class CheckMinCoverageTest(Base):
    def baselined_pipeline(self):
        root = self.pipeline()
        self.ok(run(root, 'check', '--write-baseline', 'b.json', '.'))
        return root

    def test_total_minimum(self):
        root = self.baselined_pipeline()
        res = run(root, 'check', '--baseline', 'b.json', '--min-coverage', '100', '.')
        self.assertEqual(res.code, 1, res)
        self.assertIn('6.1%', res.stderr)
        self.ok(run(root, 'check', '--baseline', 'b.json', '--min-coverage', '6.1', '.'))
        res = run(root, 'check', '--baseline', 'b.json', '--min-coverage', '6.2', '.')
        self.assertEqual(res.code, 1, res)
        self.assertIn('6.1%', res.stderr)

    def test_category_minimum(self):
        root = self.baselined_pipeline()
        res = run(root, 'check', '--baseline', 'b.json', '--min-coverage', 'cloud_functions=100', '.')
        self.assertEqual(res.code, 1, res)
        self.assertIn('cloud_functions', res.stderr)
        self.assertIn('10.5%', res.stderr)
        self.ok(run(root, 'check', '--baseline', 'b.json', '--min-coverage', 'cloud_functions=10.5', '.'))
        # precompute is at 33.3% while the total is 6.1%: the category's number is used.
        self.ok(run(root, 'check', '--baseline', 'b.json', '--min-coverage', 'precompute=30', '.'))
        res = run(root, 'check', '--baseline', 'b.json', '--min-coverage', 'precompute=33.4', '.')
        self.assertEqual(res.code, 1, res)
        self.assertIn('precompute', res.stderr)
        self.assertIn('33.3%', res.stderr)
        # repeatable: every minimum must hold
        res = run(root, 'check', '--baseline', 'b.json', '--min-coverage', 'precompute=30',
                  '--min-coverage', 'cloud_functions=50', '.')
        self.assertEqual(res.code, 1, res)

    def test_tree_without_direct_sites(self):
        root = os.path.join(self.tmp, 'proj')
        hermetic(root)
        write(root, 'a.py', '''\
            from shared.clients.bigquery_pool import get_bigquery_client


            def rows(project_id):
                return get_bigquery_client(project_id=project_id).query("SELECT 1")
            ''')
        self.ok(run(root, 'check', '--min-coverage', '0', '.'))
        self.ok(run(root, 'check', '--min-coverage', '100', '.'))

    def test_coverage_is_rounded_down(self):
        root = os.path.join(self.tmp, 'proj')
        hermetic(root)
        write(root, 'p.py', '''\
            from shared.clients.bigquery_pool import get_bigquery_client


            def rows(project_id):
                a = get_bigquery_client(project_id=project_id)
                b = get_bigquery_client(project_id=project_id)
                return a, b
            ''')
        write(root, 'd.py', '''\
            from google.cloud import bigquery


            def load(project_id):
                return bigquery.Client(project=project_id).query("q")  # poolify: ignore
            ''')
        self.assertEqual(self.manifest(root, '.')['summary']['coverage_percent'], 66.6)  # 2/3
        self.ok(run(root, 'check', '--min-coverage', '66.6', '.'))
        res = run(root, 'check', '--min-coverage', '66.7', '.')
        self.assertEqual(res.code, 1, res)
        self.assertIn('66.6%', res.stderr)

    def test_malformed_values_exit_2(self):
        root = os.path.join(self.tmp, 'proj')
        hermetic(root)
        write(root, 'a.py', BQ_SITE)
        for value in ('abc', '150', '-1', 'cloud_functions=abc', 'cloud_functions=101'):
            res = run(root, 'check', '--min-coverage', value, '.')
            self.assertEqual(res.code, 2, (value, res))
            self.assertIn(value, res.stderr)


# --------------------------------------------------------------------------------------------
# 6. check formats and mock targets

class CheckFormatsTest(Base):
    def setUp(self):
        super().setUp()
        self.root = self.pipeline()

    def test_text(self):
        res = run(self.root, 'check', '--format', 'text', '.')
        self.assertEqual(res.code, 1, res)
        lines = [l for l in res.stdout.split('\n') if l]
        for l in lines:
            self.assertRegex(l, TEXT_LINE)
        warnings = [l for l in lines if ': warning: ' in l]
        self.assertEqual(len(lines) - len(warnings), PIPELINE_TOTAL_DIRECT)
        self.assertEqual(warnings, [])  # the one test patch (tests/test_grading.py:12) is retargeted by migrate
        self.assertTrue(any(l.startswith('scrapers/bdl_box_scores.py:22:20: http: ') for l in lines))
        self.assertIn(f'poolify: {PIPELINE_TOTAL_DIRECT} direct sites fail the check, 0 warnings (0 in the baseline, 0 '
                      f'ignored by comment); {len(PIPELINE_UNSAFE)} more fixable with --unsafe-fixes\n', res.stderr)

    def test_json(self):
        out = self.check_json(self.root, '.', code=1)
        self.assertEqual(out['schema_version'], 1)
        self.assertIsInstance(out['findings'], list)
        self.assertIsInstance(out['summary'], dict)
        errors = [f for f in out['findings'] if f['severity'] == 'error']
        expected = sorted((p, l, rule) for p, v in PIPELINE_DIRECT_SITES.items() for l, _, rule in v)
        self.assertEqual(sorted((f['path'], f['line'], f['rule']) for f in errors), expected)
        warnings = [f for f in out['findings'] if f['severity'] == 'warning']
        self.assertEqual(warnings, [])

    def test_sarif(self):
        res = run(self.root, 'check', '--format', 'sarif', '.')
        self.assertEqual(res.code, 1, res)
        sarif = res.json()
        self.assertEqual(sarif['version'], '2.1.0')
        driver = sarif['runs'][0]['tool']['driver']
        self.assertEqual(driver['name'], 'poolify')
        rule_ids = {r['id'] for r in driver['rules']}
        self.assertLessEqual({'bigquery', 'http', 'storage', 'firestore', 'pubsub'}, rule_ids)
        results = sarif['runs'][0]['results']
        self.assertEqual(len(results), PIPELINE_TOTAL_DIRECT)
        for r in results:
            self.assertIn(r['ruleId'], rule_ids)
            self.assertIn(r['level'], ('error', 'warning'))
            self.assertTrue(r['message']['text'])
            loc = r['locations'][0]['physicalLocation']
            self.assertTrue(loc['artifactLocation']['uri'])
            self.assertIsInstance(loc['region']['startLine'], int)
            self.assertIsInstance(loc['region']['startColumn'], int)
            self.assertTrue(r['partialFingerprints'])
        got = sorted((r['locations'][0]['physicalLocation']['artifactLocation']['uri'],
                      r['locations'][0]['physicalLocation']['region']['startLine'],
                      r['locations'][0]['physicalLocation']['region']['startColumn'], r['ruleId'])
                     for r in results if r['level'] == 'error')
        self.assertEqual(got, sorted((p, l, c, rule) for p, v in PIPELINE_DIRECT_SITES.items() for l, c, rule in v))
        self.assertEqual([r for r in results if r['level'] == 'warning'], [])

    def test_github(self):
        res = run(self.root, 'check', '--format', 'github', '.')
        self.assertEqual(res.code, 1, res)
        lines = [l for l in res.stdout.split('\n') if l]
        for l in lines:
            self.assertRegex(l, GITHUB_LINE)
        self.assertEqual(sum(l.startswith('::error ') for l in lines), PIPELINE_TOTAL_DIRECT)
        self.assertEqual([l for l in lines if l.startswith('::warning ')], [])

    def test_check_output_is_deterministic_across_jobs(self):
        for fmt in ('text', 'json', 'sarif', 'github'):
            a = run(self.root, 'check', '--format', fmt, '--jobs', '1', '.')
            b = run(self.root, 'check', '--format', fmt, '--jobs', '3', '.')
            self.assertEqual((a.code, a.out), (b.code, b.out), fmt)

    def test_strict_passes_the_baselined_pipeline_whose_test_patch_migrate_retargets(self):
        self.ok(run(self.root, 'check', '--write-baseline', 'b.json', '.'))
        self.ok(run(self.root, 'check', '--baseline', 'b.json', '.'))
        res = self.ok(run(self.root, 'check', '--baseline', 'b.json', '--strict', '.'))
        self.assertNotIn('tests/test_grading.py', res.stdout)


class CheckStrictTest(Base):
    def test_a_library_patch_holds_the_site_it_intercepts_so_nothing_warns(self):
        # tests/test_loader.py patches the library's bigquery.Client, which intercepts pkg/loader.py's call:
        # migrate holds that call (an unsafe fix naming the patch), so no migration breaks the test, and check
        # and the manifest count it as migrate will, with no mock-target warning.
        root = self.clean_tree_with_mock_target()
        for strict in ([], ['--strict']):
            res = self.ok(run(root, 'check', '--baseline', 'baseline.json', *strict, '.'))
            self.assertEqual([l for l in res.stdout.split('\n') if l], [], res)
            self.assertIn('0 warnings (1 in the baseline, 0 ignored by comment); 1 more fixable with --unsafe-fixes',
                          res.stderr)
        m = self.manifest(root, '.')
        self.assertEqual(m['mock_targets'], [])
        (site,) = [d for f in m['files'] if f['path'] == 'pkg/loader.py' for d in f['direct_sites']]
        self.assertEqual(site['fix'], 'rewrite with --unsafe-fixes')
        self.assertIn('tests/test_loader.py:8 patches google.cloud.bigquery.Client', site['reason'])

    # Was a bug (fixed): SARIF artifactLocation.uri must be a valid URI reference (SARIF 2.1.0 §3.4.3), but the
    # path is copied verbatim: "my dir/a.py" instead of "my%20dir/a.py".
    def test_sarif_uri_is_percent_encoded(self):
        root = os.path.join(self.tmp, 'proj')
        hermetic(root)
        write(root, 'my dir/a.py', BQ_SITE)
        res = run(root, 'check', '--format', 'sarif', '.')
        self.assertEqual(res.code, 1, res)
        uri = res.json()['runs'][0]['results'][0]['locations'][0]['physicalLocation']['artifactLocation']['uri']
        self.assertEqual(urllib.parse.unquote(uri), 'my dir/a.py')
        self.assertNotIn(' ', uri)


class CheckUnsafeFixesTest(Base):
    """A site whose project is taken from scope is an unsafe fix: `check` fails it like any direct site,
    tells that `migrate --unsafe-fixes` rewrites it and why that is unsafe, and counts it in its summary;
    with --unsafe-fixes it counts as fixable. Beside it, a site that passes its project (a safe fix)."""

    SAFE_MESSAGE = 'direct bigquery client (google.cloud.bigquery.Client); poolify migrate rewrites it'
    UNSAFE_MESSAGE = ('direct bigquery client (google.cloud.bigquery.Client); poolify migrate --unsafe-fixes rewrites '
                      f'it (unsafe: {BQ_UNSAFE_REASON})')

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'proj')
        hermetic(self.root)
        write_pools(self.root)
        write(self.root, 'jobs/inferred.py', BQ_INFERRED_SRC)
        write(self.root, 'jobs/explicit.py', BQ_SRC)

    def summary(self, errors, unsafe):
        fail = '1 direct site fails' if errors == 1 else f'{errors} direct sites fail'
        return (f'poolify: {fail} the check, 0 warnings (0 in the baseline, 0 ignored by comment)'
                + (f'; {unsafe} more fixable with --unsafe-fixes' if unsafe else '') + '\n')

    def test_check_fails_the_unsafe_site_and_counts_it(self):
        res = run(self.root, 'check', '.')
        self.assertEqual(res.code, 1, res)
        self.assertEqual(res.stdout.split('\n'), [f'jobs/explicit.py:7:12: bigquery: {self.SAFE_MESSAGE}',
                                                  f'jobs/inferred.py:7:12: bigquery: {self.UNSAFE_MESSAGE}', ''])
        self.assertIn(self.summary(2, 1), res.stderr)
        js = self.check_json(self.root, '.', code=1)
        self.assertEqual([(f['path'], f['severity'], f['message']) for f in js['findings']],
                         [('jobs/explicit.py', 'error', self.SAFE_MESSAGE),
                          ('jobs/inferred.py', 'error', self.UNSAFE_MESSAGE)])

    def test_check_with_unsafe_fixes_counts_it_as_fixable(self):
        res = run(self.root, 'check', '--unsafe-fixes', '.')
        self.assertEqual(res.code, 1, res)  # still a direct site
        self.assertIn(f'jobs/inferred.py:7:12: bigquery: {self.UNSAFE_MESSAGE}\n', res.stdout)
        self.assertIn(self.summary(2, 0), res.stderr)
        self.assertNotIn('more fixable', res.stderr)

    def test_after_each_migrate(self):
        self.ok(run(self.root, 'migrate', '--apply', '.'))
        res = run(self.root, 'check', '.')
        self.assertEqual(res.code, 1, res)
        self.assertEqual(res.stdout, f'jobs/inferred.py:7:12: bigquery: {self.UNSAFE_MESSAGE}\n')
        self.assertIn(self.summary(1, 1), res.stderr)
        self.ok(run(self.root, 'migrate', '--unsafe-fixes', '--apply', '.'))
        res = self.ok(run(self.root, 'check', '.'))
        self.assertEqual(res.stdout, '')
        self.assertIn(self.summary(0, 0), res.stderr)

    def test_manifest_counts_and_marks_the_unsafe_site(self):
        for flags, fixable, unsafe, inferred in (
                ((), 1, 1, {'fixable': False, 'fix': 'rewrite with --unsafe-fixes', 'safety': 'unsafe',
                            'reason': BQ_UNSAFE_REASON}),
                (('--unsafe-fixes',), 2, 0, {'fixable': True, 'fix': 'rewrite', 'safety': 'unsafe',
                                             'reason': BQ_UNSAFE_REASON})):
            with self.subTest(flags=flags):
                m = self.manifest(self.root, *flags, '.')
                self.assertEqual((m['summary']['direct_sites'], m['summary']['fixable_sites'],
                                  m['summary']['unsafe_fixable_sites']), (2, fixable, unsafe))
                self.assertEqual(m['categories']['other']['unsafe_fixable_sites'], unsafe)
                sites = {f['path']: f['direct_sites'] for f in m['files']}
                common = {'line': 7, 'column': 12, 'rule': 'bigquery', 'callable': 'google.cloud.bigquery.Client',
                          'kind': 'call'}
                self.assertEqual(sites['jobs/inferred.py'], [dict(common, **inferred)])
                self.assertEqual(sites['jobs/explicit.py'], [dict(common, fixable=True, fix='rewrite')])


# --------------------------------------------------------------------------------------------
# 7. configuration

class ConfigTest(Base):
    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'proj')
        write(self.root, 'svc/a/main.py', BQ_SITE)
        write(self.root, 'lib/util.py', BQ_SITE)

    def assert_config_error(self, line=None, col=None, what=None):
        for cmd in (['check', '.'], ['manifest', '--format', 'json', '.']):
            res = run(self.root, *cmd)
            self.assertEqual(res.code, 2, (cmd, res))
            m = CONFIG_LOCATION.search(res.stderr)
            self.assertIsNotNone(m, res)
            if line is not None:
                self.assertEqual(int(m.group(1)), line, res)
            if col is not None:
                self.assertEqual(int(m.group(2)), col, res)
            if what is not None:
                self.assertIn(what, res.stderr)
        return res

    def test_unknown_key(self):
        write(self.root, 'poolify.yaml', '''\
            categories:
              libs: ["lib/**"]
            frobnicate: 1
            ''')
        self.assert_config_error(3, 1, 'frobnicate')
        res = run(self.root, 'check', '--no-config', '.')
        self.assertEqual(res.code, 1, res)  # the two direct sites, not a configuration error
        m = self.manifest(self.root, '--no-config', '.')
        self.assertEqual({f['category'] for f in m['files']}, {'other'})

    def test_yaml_syntax_error(self):
        write(self.root, 'poolify.yaml', '''\
            categories:
              libs: ["lib/**"]
            exclude: ["a"]]
            ''')
        self.assert_config_error(3, 15)
        self.assertEqual(run(self.root, 'check', '--no-config', '.').code, 1)

    def test_batch_with_unknown_category(self):
        write(self.root, 'poolify.yaml', '''\
            categories:
              libs: ["lib/**"]
            batches:
              - name: one
                categories: [libs, zzz]
            ''')
        self.assert_config_error(what='zzz')
        self.assertEqual(run(self.root, 'check', '--no-config', '.').code, 1)

    # Was a bug (fixed): "batch 'one' names unknown category 'zzz'" is always reported at poolify.yaml:1:1
    # (hard-coded in tool/config/config.cpp) instead of where the batch names the category;
    # docs/manifest.md: "Errors name file:line:col".
    def test_batch_with_unknown_category_points_at_the_batch(self):
        write(self.root, 'poolify.yaml', '''\
            # configuration
            categories:
              libs: ["lib/**"]
            batches:
              - name: one
                categories: [libs, zzz]
            ''')
        res = run(self.root, 'check', '.')
        self.assertEqual(res.code, 2, res)
        m = CONFIG_LOCATION.search(res.stderr)
        self.assertIsNotNone(m, res)
        self.assertIn(int(m.group(1)), (5, 6), res)

    def test_config_option_names_another_file(self):
        write(self.root, 'poolify.yaml', 'frobnicate: 1\n')
        write(self.root, 'other.yaml', '''\
            categories:
              functions: ["svc/*/main.py"]
              libs: ["lib/**"]
            ''')
        m = self.manifest(self.root, '--config', 'other.yaml', '.')
        self.assertEqual({f['path']: f['category'] for f in m['files']},
                         {'svc/a/main.py': 'functions', 'lib/util.py': 'libs'})
        res = run(self.root, 'check', '--config', 'other.yaml', '--min-coverage', 'libs=100', '.')
        self.assertEqual(res.code, 1, res)
        self.assertEqual(run(self.root, 'check', '--config', 'missing.yaml', '.').code, 2)

    def test_config_found_above_the_path_and_globs_relative_to_it(self):
        write(self.root, '.poolify.yaml', '''\
            categories:
              functions: ["svc/*/main.py"]
              everything: ["**"]
            ''')
        m = self.manifest(os.path.join(self.root, 'svc'), '.')
        self.assertEqual({f['path']: f['category'] for f in m['files']}, {'a/main.py': 'functions'})
        m = self.manifest(self.root, '.')
        self.assertEqual({f['path']: f['category'] for f in m['files']},
                         {'svc/a/main.py': 'functions', 'lib/util.py': 'everything'})

    def test_exclude_drops_files(self):
        write(self.root, 'vendor/x/client.py', BQ_SITE)
        write(self.root, 'app/migrations/0001_init.py', BQ_SITE)
        write(self.root, 'poolify.yaml', '''\
            exclude: ["vendor/**", "**/migrations/*.py"]
            ''')
        m = self.manifest(self.root, '.')
        self.assertEqual(sorted(f['path'] for f in m['files']), ['lib/util.py', 'svc/a/main.py'])
        self.assertEqual(m['summary']['direct_sites'], 2)
        out = self.check_json(self.root, '.', code=1)
        self.assertEqual({f['path'] for f in out['findings']}, {'lib/util.py', 'svc/a/main.py'})
        m = self.manifest(self.root, '--no-config', '.')
        self.assertEqual(m['summary']['direct_sites'], 4)


# --------------------------------------------------------------------------------------------
# 8. a file that cannot be analyzed

class ShardTest(Base):
    """--shard K/N splits the files for CI matrices; manifest --merge puts the shards back together."""

    def test_merged_shards_equal_the_whole_manifest(self):
        root = self.pipeline()
        whole = self.ok(run(root, 'manifest', '--format', 'json', '.')).stdout
        parts = []
        seen = set()
        for k in (1, 2, 3):
            out = os.path.join(self.tmp, f's{k}.json')
            self.ok(run(root, 'manifest', '--format', 'json', '--shard', f'{k}/3', '-o', out, '.'))
            files = {f['path'] for f in json.load(open(out))['files']}
            self.assertFalse(files & seen, 'a file in two shards')
            seen |= files
            parts.append(out)
        merged = self.ok(run(root, 'manifest', '--format', 'json', '--merge', *parts)).stdout
        # Bases, inherited classes and mock targets reach across shards: the merge is exact.
        self.assertEqual(merged, whole)
        md_whole = self.ok(run(root, 'manifest', '--format', 'markdown', '.')).stdout
        md_merged = self.ok(run(root, 'manifest', '--format', 'markdown', '--merge', *parts)).stdout
        self.assertEqual(md_merged, md_whole)

    def test_check_shards_report_every_site_once(self):
        root = self.pipeline()
        whole = run(root, 'check', '--format', 'json', '.')
        self.assertEqual(whole.code, 1)
        found = []
        for k in (1, 2):
            part = run(root, 'check', '--format', 'json', '--shard', f'{k}/2', '.')
            self.assertIn(part.code, (0, 1), part)
            found += [(f['path'], f['line'], f['column'], f['rule']) for f in part.json()['findings']]
        expected = [(f['path'], f['line'], f['column'], f['rule']) for f in whole.json()['findings']]
        # Known limit (README, test patches): a shard weighs only its own files' sites for the patches its
        # tests hold, so the shard with tests/test_grading.py still warns that its constant-target patch stops
        # intercepting the call the whole run holds for it. Exactly that one extra finding, nothing else.
        self.assertEqual(sorted(found), sorted(expected + [('tests/test_grading.py', 26, 25, 'bigquery')]))

    def test_bad_shard_and_overlapping_merge_exit_2(self):
        root = self.pipeline()
        for bad in ('0/3', '4/3', '1/0', 'x', '1/3/2'):
            res = run(root, 'check', '--shard', bad, '.')
            self.assertEqual(res.code, 2, (bad, res))
            self.assertIn('--shard', res.stderr)
        out = os.path.join(self.tmp, 'all.json')
        self.ok(run(root, 'manifest', '--format', 'json', '-o', out, '.'))
        res = run(root, 'manifest', '--merge', out, out)
        self.assertEqual(res.code, 2, res)
        self.assertIn('never share a file', res.stderr)


class SyntaxErrorTest(Base):
    def test_check_reports_a_syntax_finding_and_manifest_exits_1_naming_the_file(self):
        root = os.path.join(self.tmp, 'proj')
        hermetic(root)
        write(root, 'good.py', '''\
            from shared.clients.bigquery_pool import get_bigquery_client


            def rows(project_id):
                return get_bigquery_client(project_id=project_id).query("q")
            ''')
        write(root, 'pkg/broken.py', '''\
            from google.cloud import bigquery


            def load(:
                return bigquery.Client()
            ''')
        # check: a finding (rule syntax), exit 1 -- 2 is for usage and input errors (issue 16)
        res = run(root, 'check', '.')
        self.assertEqual(res.code, 1, res)
        self.assertIn('pkg/broken.py:4:10: error: syntax error; file not analyzed', res.stderr)  # check rewrites nothing
        self.assertEqual(res.stdout, 'pkg/broken.py:4:10: syntax: syntax error; poolify cannot analyze this file, so '
                                     'its sites are not checked\n')
        res = run(root, 'manifest', '--format', 'json', '.')
        self.assertEqual(res.code, 1, res)
        self.assertIn('pkg/broken.py', res.stderr)
        m = res.json()  # the other files are still reported
        self.assertEqual([f['path'] for f in m['files']], ['good.py'])


# --------------------------------------------------------------------------------------------

def main():
    global POOLIFY
    POOLIFY, rest = split_poolify_argv('manifest_check_test.py', sys.argv[1:])
    unittest.main(argv=[sys.argv[0]] + rest)


if __name__ == '__main__':
    sys.exit(main())
