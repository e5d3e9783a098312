#!/usr/bin/env python3
"""Generate a pipeline repository to migrate and then check at run time (tests/runtime_check.py).

    scripts/gen_tree.py --out DIR [--seed 1] [--scale 4] [--pools bigquery,http] [--manifest FILE]

The tree is shaped like the real ~1,300-file pipeline repository poolify is meant for, one "domain"
(nba, mlb, ...) per --scale step (about 80 files each; the default gives about 350 files):

  shared/clients/<pool>_pool.py    only the pools named by --pools (a lock and a dict keyed by arguments,
                                   calling the fake clients of tests/fakes)
  shared/config.py, shared/utils/  settings; storage_helper.py (module-level `from google.cloud import
                                   storage`, imported by every processor base and exporter), slack.py,
                                   bigquery_helper.py, client-free helpers
  data_processors/base/            bases in another package: a client made in __init__, one made before
                                   the attribute holding its project exists, one made only in a method
                                   called later, the exporter base (BigQuery + Storage), a mixin
  data_processors/<area>/<domain>/ long processor classes: overrides of self.bq_client after
                                   super().__init__() (same project, another project, location=, bare),
                                   cross-module uses (`from ...processor import bigquery`,
                                   `import pkg.mod` then `pkg.mod.bigquery.Client`)
  scrapers/                        requests.get/post/put, `import requests as rq`, a configured Session,
                                   `from requests import get` (its test patches `mod.get`, never naming requests)
  orchestration/cloud_functions/<domain>_<name>/main.py + requirements.txt, deployed alone, in every
                                   variant: try/except ImportError around shared imports, a vendored
                                   copy of shared/clients, a `shared` symlink to the root package, an own
                                   shared/__init__.py with utils only (shadowing the root), no shared at
                                   all, lazy imports inside the handler (cold start)
  scripts/<domain>_backfill.py     sys.path.insert(0, <repo root>) before first-party imports
                                   (check them as a root: runtime_check.py --units scripts)
  libs/<domain>/                   client-free code
  tests/<domain>/test_*.py         unittest tests patching clients in every form: @mock.patch("...Client")
                                   decorators, `with mock.patch(...) as m`, mock.patch.object(mod.bigquery,
                                   "Client"), patcher.start() in setUp, requests functions, string
                                   constants, library-level targets; asserting on the old keywords
                                   (m.assert_called_once_with(project="p"))

Every test passes on the generated tree with tests/fakes on the path and FAKE_CLIENTS_STRICT=1 (so an
unpatched client fails); every .py file compiles. Files are filled to realistic sizes (about 13 KB on
average, most bytes in files that mention a client) with functions, docstrings, SQL and comments from
scripts/gen_corpus.py. Output depends only on --seed, --scale and --pools. --manifest writes what was
generated (units and their variants, files per kind, size statistics) as JSON; the summary goes to stderr.
"""
import argparse
import builtins
import json
import os
import random
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_corpus import STD_HEADER, Names, camel, f_table, fill, methods_fill  # noqa: E402

ALL_POOLS = ("bigquery", "http", "storage", "firestore", "pubsub")
DOMAINS = ("nba", "mlb", "nhl", "nfl", "wnba", "ncaab", "mls", "epl", "atp", "pga")
RAW = ("gamebook", "schedule", "boxscore", "injury_report")
RAW_OVERRIDES = ("none", "same", "other_project", "location", "bare")
ANALYTICS = ("player_game_summary", "team_offense", "upcoming_context")
ANALYTICS_OVERRIDES = ("same", "none", "other_project")
PRECOMPUTE = ("player_daily_cache", "zone_analysis", "feature_store")
PRECOMPUTE_OVERRIDES = ("none", "connect", "eager")
EXPORTERS = ("status", "results", "leaderboard")
EXPORTER_OVERRIDES = ("none", "other_project", "helper_only")
SCRAPERS = ("schedule_api", "odds_feed", "roster_site", "media_bulk", "index_pages")
SCRAPER_VARIANTS = ("functions", "alias", "session_base", "verbs", "by_name")
LIBS = ("stats", "models", "formatting", "calendars", "validation", "constants", "odds_math", "rankings",
        "lineups", "travel", "standings", "tiebreakers")
# Cloud Function variants: how the deployed folder reaches shared/ (see the module docstring).
UNIT_VARIANTS = (("try_import", "phase_transition"), ("vendored", "daily_report"), ("symlink", "health_check"),
                 ("own_shared", "alert_router"), ("no_shared", "reconciliation"), ("lazy", "lineup_watch"))
CLIENT_WORDS = re.compile(r"\b(bigquery|storage\.Client|firestore|pubsub_v1|requests|rq)\.")

# Median sizes in bytes per kind of file (log-normal around them, see gen_corpus.target_size).
SIZES = {"base": 32000, "processor": 26000, "exporter": 18000, "scraper": 14000, "unit": 15000,
         "script": 9000, "test": 8500, "lib": 31000, "shared": 9000, "report": 7000}


# Names the filler must not bind: gen_corpus only parses its files, these ones run (a dataclass field
# named `field` breaks the next `field(default_factory=...)`, a constant may hide a template's one).
SHADOWED = set(dir(builtins)) | set(re.findall(r"\b(\w+)\b", STD_HEADER)) | {"logger"}


class SafeNames(Names):
    """gen_corpus's identifier factory, never returning a reserved name."""

    def __init__(self, rng, reserved=()):
        super().__init__(rng)
        self.reserved = SHADOWED | set(reserved)
        self.used.update(reserved)

    def _fresh(self, make):
        for _ in range(200):
            name = make()
            if name not in self.reserved:
                return name
        raise RuntimeError("no free name")

    def var(self):
        return self._fresh(super().var)

    def const(self):
        return self._fresh(super().const)


def render(text, **values):
    """Replace the {{name}} fields of a template (templates hold Python braces and % freely)."""
    for key, value in values.items():
        text = text.replace("{{%s}}" % key, str(value))
    leftover = re.search(r"\{\{\w+\}\}", text)
    assert not leftover, "unfilled template field %s" % leftover.group(0)
    return text


class Tree:
    """The files of one generated tree, kept in memory until written."""

    def __init__(self, seed, pools):
        self.seed, self.pools = seed, pools
        self.files, self.links, self.kinds = {}, {}, {}
        self.units = []

    def rng(self, key):
        return random.Random("%d:%s" % (self.seed, key))

    def names(self, key, reserved=()):
        return SafeNames(self.rng(key), reserved)

    def add(self, path, text, kind="other"):
        assert path not in self.files, path
        self.files[path] = text
        self.kinds[path] = kind

    def size(self, key, kind):
        r = self.rng("size:" + key)
        return int(SIZES[kind] * 0.85 * 2.718281828 ** r.gauss(0.0, 0.55))

    def module(self, path, kind, doc, imports, body, reserved=(), header=""):
        """A module: docstring, the filler's imports, `imports`, a logger, then filler around `body`,
        about the size of its kind."""
        n = self.names(path, reserved + tuple(re.findall(r"(?:def|class) (\w+)", body))
                       + tuple(re.findall(r"^(\w+) =", body, re.M)))
        head = '"""%s"""\n\n%s%s\n%s\nlogger = logging.getLogger(__name__)\n\n\n' % (doc, header, STD_HEADER, imports)
        budget = max(0, self.size(path, kind) - len(head) - len(body))
        before = "".join(fill(n, [], budget // 3))
        after = "".join(fill(n, [], budget - len(before)))
        self.add(path, head + before + body + ("\n\n" if not body.endswith("\n\n\n") else "") + after, kind)

    def class_fill(self, key, size):
        """Client-free methods (SQL builders, helpers) to make a class as long as the real ones."""
        return "".join(methods_fill(self.names("methods:" + key), [], size))

    def write(self, out):
        for path, text in sorted(self.files.items()):
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8") as f:
                f.write(text)
        for path, target in sorted(self.links.items()):
            full = os.path.join(out, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            os.symlink(target, full)


# ---------------------------------------------------------------------------------------------------
# shared/: settings, pools, utils
# ---------------------------------------------------------------------------------------------------
CONFIG = '''\
"""Environment-driven settings shared by processors, exporters, scrapers and Cloud Functions."""

import os

PROJECT_ID = os.environ.get("GCP_PROJECT", "example-project")
ANALYTICS_PROJECT_ID = os.environ.get("ANALYTICS_PROJECT", "example-analytics")
BQ_LOCATION = os.environ.get("BQ_LOCATION", "US")
EXPORT_BUCKET = os.environ.get("EXPORT_BUCKET", "example-exports")
RAW_DATASET = "sports_raw"
ANALYTICS_DATASET = "sports_analytics"
PRECOMPUTE_DATASET = "sports_precompute"
PREDICTIONS_DATASET = "sports_predictions"
SLACK_WEBHOOK_URL = os.environ.get("SLACK_WEBHOOK_URL", "https://hooks.slack.example.com/services/T0/B0/x")
SCRAPER_SERVICE_URL = os.environ.get("SCRAPER_SERVICE_URL", "https://scrapers.example.run.app")
'''

KEYED_POOL = '''\
"""Process-wide cache of {{title}} clients (the pool).

Building a client costs hundreds of milliseconds (credential discovery, HTTP session set-up), so every
caller asks this module instead: one client per ({{keydoc}}) per process, created once under a lock.
"""

import logging
import threading
from typing import Dict, Optional, Tuple

from google.cloud import {{lib}}

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_clients: Dict[Tuple[Optional[str], ...], {{lib}}.Client] = {}


def {{func}}({{params}}) -> {{lib}}.Client:
    """Return the cached client for these arguments, creating it on first use."""
    key = ({{key}},)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)
            if client is None:
                logger.info("Creating pooled {{title}} client for %s", key)
                client = {{lib}}.Client({{ctor}})
                _clients[key] = client
    return client


def clear_{{lib}}_pool() -> None:
    """Forget every cached client (tests and graceful shutdown)."""
    with _lock:
        _clients.clear()
'''
KEYED_POOLS = {
    "bigquery": dict(title="BigQuery", lib="bigquery", func="get_bigquery_client", keydoc="project, location",
                     params="project_id: Optional[str] = None, location: Optional[str] = None",
                     key="project_id, location", ctor="project=project_id, location=location"),
    "storage": dict(title="Cloud Storage", lib="storage", func="get_storage_client", keydoc="project",
                    params="project_id: Optional[str] = None", key="project_id", ctor="project=project_id"),
    "firestore": dict(title="Firestore", lib="firestore", func="get_firestore_client", keydoc="project, database",
                      params="project_id: Optional[str] = None, database: Optional[str] = None",
                      key="project_id, database", ctor="project=project_id, database=database"),
}

PUBSUB_POOL = '''\
"""Process-wide Pub/Sub publisher and subscriber (the pool): one of each per process."""

import logging
import threading
from typing import Any, Callable, Dict

from google.cloud import pubsub_v1

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_clients: Dict[str, Any] = {}


def _get(kind: str, factory: Callable[[], Any]) -> Any:
    client = _clients.get(kind)
    if client is None:
        with _lock:
            client = _clients.get(kind)
            if client is None:
                logger.info("Creating pooled Pub/Sub %s", kind)
                client = _clients[kind] = factory()
    return client


def get_pubsub_publisher() -> pubsub_v1.PublisherClient:
    return _get("publisher", pubsub_v1.PublisherClient)


def get_pubsub_subscriber() -> pubsub_v1.SubscriberClient:
    return _get("subscriber", pubsub_v1.SubscriberClient)
'''

HTTP_POOL = '''\
"""Shared ``requests`` sessions with connection pooling and retries (the pool).

A fresh TCP+TLS handshake per call costs ~150 ms; one session per pool size, created once under a lock,
keeps connections alive across calls. ``get``/``post`` have the signature of ``requests.get``/``post``.
"""

import logging
import threading
from typing import Any, Dict

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30
RETRY_STATUSES = (429, 500, 502, 503, 504)

_lock = threading.Lock()
_sessions: Dict[int, requests.Session] = {}


def get_http_session(pool_maxsize: int = 20) -> requests.Session:
    """Return the process-wide session for this pool size, building it on first use."""
    session = _sessions.get(pool_maxsize)
    if session is None:
        with _lock:
            session = _sessions.get(pool_maxsize)
            if session is None:
                logger.info("Creating pooled HTTP session (pool_maxsize=%d)", pool_maxsize)
                retry = Retry(total=3, backoff_factor=0.5, status_forcelist=RETRY_STATUSES)
                adapter = HTTPAdapter(pool_connections=10, pool_maxsize=pool_maxsize, max_retries=retry)
                session = requests.Session()
                session.mount("https://", adapter)
                session.mount("http://", adapter)
                _sessions[pool_maxsize] = session
    return session


def request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """``requests.request`` over the pooled session, with the default timeout unless one is given."""
    kwargs.setdefault("timeout", DEFAULT_TIMEOUT)
    return get_http_session().request(method, url, **kwargs)


def get(url: str, **kwargs: Any) -> requests.Response:
    return request("GET", url, **kwargs)


def post(url: str, **kwargs: Any) -> requests.Response:
    return request("POST", url, **kwargs)
'''


def pool_source(pool):
    if pool in KEYED_POOLS:
        return render(KEYED_POOL, **KEYED_POOLS[pool])
    return {"http": HTTP_POOL, "pubsub": PUBSUB_POOL}[pool]


STORAGE_HELPER = '''
def upload_json(path: str, payload: Any, bucket: str = EXPORT_BUCKET, project_id: str = PROJECT_ID) -> str:
    """Write ``payload`` as JSON to gs://bucket/path and return that URI."""
    client = storage.Client(project=project_id)
    blob = client.bucket(bucket).blob(path)
    blob.upload_from_string(json.dumps(payload, sort_keys=True, default=str), content_type="application/json")
    logger.info("uploaded gs://%s/%s", bucket, path)
    return f"gs://{bucket}/{path}"


def read_json(path: str, bucket: str = EXPORT_BUCKET, project_id: str = PROJECT_ID) -> Optional[Any]:
    """The JSON document at gs://bucket/path, or None when there is none."""
    client = storage.Client(project=project_id)
    blob = client.bucket(bucket).blob(path)
    if not blob.exists():
        return None
    return json.loads(blob.download_as_text())


def archive_name(kind: str, run_id: str, suffix: str = "json") -> str:
    """Where run artefacts of one kind go: <kind>/<yyyy>/<run id>.<suffix>."""
    year = run_id[:4] if run_id[:4].isdigit() else "undated"
    return f"{kind}/{year}/{run_id}.{suffix}"


'''

BIGQUERY_HELPER = '''
def run_query(sql: str, params: Optional[Dict[str, Any]] = None, project_id: str = PROJECT_ID) -> List[Dict[str, Any]]:
    """Rows of ``sql`` as dicts; ``params`` become STRING query parameters."""
    client = bigquery.Client(project=project_id)
    config = bigquery.QueryJobConfig(query_parameters=[
        bigquery.ScalarQueryParameter(name, "STRING", value) for name, value in sorted((params or {}).items())])
    return [dict(row) for row in client.query(sql, job_config=config).result()]


def table_schema(fields: Dict[str, str]) -> List[bigquery.SchemaField]:
    """A schema from {name: type}; every field NULLABLE."""
    return [bigquery.SchemaField(name, kind) for name, kind in fields.items()]


'''

SLACK = '''
def notify(text: str, webhook: str = SLACK_WEBHOOK_URL, channel: Optional[str] = None) -> bool:
    """Post ``text`` to the Slack webhook; False (logged) when Slack cannot be reached."""
    payload: Dict[str, Any] = {"text": text}
    if channel:
        payload["channel"] = channel
    try:
        response = requests.post(webhook, json=payload, timeout=10)
        response.raise_for_status()
    except requests.exceptions.RequestException as exc:
        logger.warning("slack notification failed: %s", exc)
        return False
    return True


'''


def gen_shared(t):
    t.add("shared/__init__.py", '"""Code shared by processors, scrapers and Cloud Functions."""\n', "shared")
    t.add("shared/config.py", CONFIG, "shared")
    t.add("shared/clients/__init__.py",
          '"""Pooled clients. Never call ``bigquery.Client()`` or ``requests.get`` directly: use the pools\n'
          'here (``get_bigquery_client(project_id=...)``, ``http_pool.get``).\n"""\n', "shared")
    for pool in t.pools:
        t.add("shared/clients/%s_pool.py" % pool, pool_source(pool), "pool")
    t.add("shared/utils/__init__.py", '"""Helpers without state."""\n', "shared")
    t.module("shared/utils/storage_helper.py", "shared",
             "Helpers for writing exports and run artefacts to Cloud Storage.",
             "from google.cloud import storage\n\nfrom shared.config import EXPORT_BUCKET, PROJECT_ID\n",
             STORAGE_HELPER)
    t.module("shared/utils/bigquery_helper.py", "shared", "Small BigQuery helpers for scripts and functions.",
             "from google.cloud import bigquery\n\nfrom shared.config import PROJECT_ID\n", BIGQUERY_HELPER)
    t.module("shared/utils/slack.py", "shared", "Slack notifications through the incoming webhook.",
             "import requests\n\nfrom shared.config import SLACK_WEBHOOK_URL\n", SLACK)
    for name in ("dates", "text_utils", "retry"):
        t.module("shared/utils/%s.py" % name, "lib", "Client-free %s helpers." % name.replace("_", " "), "", "")


# ---------------------------------------------------------------------------------------------------
# data_processors/base/: base classes in their own package
# ---------------------------------------------------------------------------------------------------
PROCESSOR_BASE = '''
class ProcessorBase:
    """Base of the raw processors: owns ``self.bq_client`` (made in __init__) and archives each run.

    Subclasses set ``dataset_id``/``table_name`` and implement ``transform``.
    """

    dataset_id: str = RAW_DATASET
    table_name: str = ""
    archive_results: bool = True

    def __init__(self, project_id: Optional[str] = None, dry_run: bool = False) -> None:
        self.project_id = project_id or PROJECT_ID
        self.bq_client = bigquery.Client(project=self.project_id)
        self.dry_run = dry_run
        self.stats: Dict[str, Any] = {}
        self.options: Dict[str, Any] = {}
        self.cache: Dict[str, Any] = {}

    @property
    def table_id(self) -> str:
        return f"{self.project_id}.{self.dataset_id}.{self.table_name}"

    def transform(self, raw: Dict[str, Any]) -> List[Dict[str, Any]]:
        raise NotImplementedError

    def load_rows(self, rows: List[Dict[str, Any]]) -> int:
        config = bigquery.LoadJobConfig(write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
                                        source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON)
        if not self.dry_run:
            self.bq_client.load_table_from_json(rows, self.table_id, job_config=config).result()
        return len(rows)

    def archive(self, name: str, payload: Any) -> str:
        return storage_helper.upload_json(f"runs/{type(self).__name__}/{name}.json", payload,
                                          project_id=self.project_id)

    def run(self, raw: Dict[str, Any]) -> Dict[str, Any]:
        rows = self.transform(raw)
        self.stats = {"rows": self.load_rows(rows), "table": self.table_id}
        if self.archive_results:
            self.stats["archive"] = self.archive(str(raw.get("game_date", "undated")), self.stats)
        return self.stats

'''

EARLY_BASE = '''
class EarlyClientBase:
    """Base of the analytics processors. It builds its client first and learns its project after
    (so ``self.project_id`` does not exist yet when the client is made).
    """

    def __init__(self, location: str = BQ_LOCATION) -> None:
        self.bq_client = bigquery.Client(location=location)
        self.project_id = os.environ.get("GCP_PROJECT", "example-project")
        self.location = location
        self.source_tables: List[str] = []
        self.stats: Dict[str, Any] = {}
        self.options: Dict[str, Any] = {}
        self.cache: Dict[str, Any] = {}

    def build_query(self) -> str:
        raise NotImplementedError

    def query_rows(self, sql: str, **params: Any) -> List[Dict[str, Any]]:
        config = bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter(name, "STRING", value) for name, value in sorted(params.items())])
        return [dict(row) for row in self.bq_client.query(sql, job_config=config).result()]

    def summarize(self, rows: List[Dict[str, Any]]) -> Dict[str, Any]:
        total = sum(float(row.get("points", 0)) for row in rows)
        return {"rows": len(rows), "points": total}

    def process(self, game_date: str) -> Dict[str, Any]:
        rows = self.query_rows(self.build_query(), game_date=game_date)
        self.stats = dict(self.summarize(rows), game_date=game_date)
        return self.stats

'''

LAZY_BASE = '''
class LazyClientBase:
    """Base of the precompute processors: the client is made only when ``connect()`` is first called
    (cold starts that never query stay fast).
    """

    dataset_id: str = PRECOMPUTE_DATASET
    table_name: str = ""

    def __init__(self, project_id: str = PROJECT_ID, location: Optional[str] = None) -> None:
        self.project_id = project_id
        self.location = location
        self.bq_client: Optional[bigquery.Client] = None
        self.stats: Dict[str, Any] = {}
        self.options: Dict[str, Any] = {}
        self.cache: Dict[str, Any] = {}

    def connect(self) -> bigquery.Client:
        if self.bq_client is None:
            self.bq_client = bigquery.Client(project=self.project_id, location=self.location)
        return self.bq_client

    def build_query(self) -> str:
        raise NotImplementedError

    def refresh(self, analysis_date: str) -> int:
        client = self.connect()
        config = bigquery.QueryJobConfig(
            destination=f"{self.project_id}.{self.dataset_id}.{self.table_name}",
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
            query_parameters=[bigquery.ScalarQueryParameter("analysis_date", "DATE", analysis_date)])
        job = client.query(self.build_query(), job_config=config)
        job.result()
        self.stats = {"analysis_date": analysis_date, "rows": job.num_dml_affected_rows or 0}
        return self.stats["rows"]

'''

EXPORT_BASE = '''
class ExporterBase:
    """Base of the publishing exporters: queries BigQuery, writes JSON to the public bucket."""

    bucket_name: str = EXPORT_BUCKET
    export_prefix: str = "exports"

    def __init__(self, project_id: str = PROJECT_ID) -> None:
        self.project_id = project_id
        self.bq_client = bigquery.Client(project=project_id)
        self.gcs_client = storage.Client(project=project_id)
        self.stats: Dict[str, Any] = {}
        self.options: Dict[str, Any] = {}
        self.cache: Dict[str, Any] = {}

    def build_query(self) -> str:
        raise NotImplementedError

    def query_rows(self, game_date: str) -> List[Dict[str, Any]]:
        config = bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter("game_date", "DATE", game_date)])
        return [dict(row) for row in self.bq_client.query(self.build_query(), job_config=config).result()]

    def build_payload(self, rows: List[Dict[str, Any]], game_date: str) -> Dict[str, Any]:
        return {"game_date": game_date, "count": len(rows), "rows": rows}

    def blob_path(self, game_date: str) -> str:
        return f"{self.export_prefix}/{game_date}.json"

    def export(self, game_date: str) -> str:
        payload = self.build_payload(self.query_rows(game_date), game_date)
        blob = self.gcs_client.bucket(self.bucket_name).blob(self.blob_path(game_date))
        blob.upload_from_string(json.dumps(payload, default=str), content_type="application/json")
        storage_helper.upload_json(f"latest/{self.export_prefix}.json", payload, bucket=self.bucket_name,
                                   project_id=self.project_id)
        self.stats = {"exported": payload["count"]}
        return blob.public_url

'''

RUN_HISTORY_MIXIN = '''
class RunHistoryMixin:
    """Records each run in the run-history table (the client is made when a run is recorded)."""

    project_id: str = PROJECT_ID

    def record_run(self, status: str, details: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        client: "bigquery.Client" = bigquery.Client(project=self.project_id)
        row = {"processor": type(self).__name__, "status": status, "details": json.dumps(details or {})}
        return client.insert_rows_json(f"{self.project_id}.sports_reference.processor_run_history", [row])

'''


def gen_bases(t):
    t.add("data_processors/__init__.py", '"""Phase 2-5 processors."""\n', "init")
    t.add("data_processors/base/__init__.py", '"""Base classes shared by every processor area."""\n', "init")
    common = "from google.cloud import bigquery\n\n"
    t.module("data_processors/base/processor_base.py", "base", "Base class of the raw (Phase 2) processors.",
             common + "from shared.config import PROJECT_ID, RAW_DATASET\nfrom shared.utils import storage_helper\n",
             PROCESSOR_BASE + t.class_fill("processor_base", 9000))
    t.module("data_processors/base/early_client_base.py", "base", "Base class of the analytics (Phase 3) processors.",
             common + "from shared.config import BQ_LOCATION\n", EARLY_BASE + t.class_fill("early_base", 9000))
    t.module("data_processors/base/lazy_client_base.py", "base", "Base class of the precompute (Phase 4) processors.",
             common + "from shared.config import PRECOMPUTE_DATASET, PROJECT_ID\n",
             LAZY_BASE + t.class_fill("lazy_base", 9000))
    t.module("data_processors/base/export_base.py", "base", "Base class of the publishing (Phase 6) exporters.",
             "from google.cloud import bigquery, storage\n\nfrom shared.config import EXPORT_BUCKET, PROJECT_ID\n"
             "from shared.utils import storage_helper\n", EXPORT_BASE + t.class_fill("export_base", 9000))
    t.module("data_processors/base/run_history_mixin.py", "base", "Run history for any processor.",
             common + "from shared.config import PROJECT_ID\n", RUN_HISTORY_MIXIN)


# ---------------------------------------------------------------------------------------------------
# Tests: one helper writes every test module (header, sample data, the test class)
# ---------------------------------------------------------------------------------------------------
def test_module(t, path, doc, imports, body):
    """A unittest module: imports, sample tables (filler), then `body` (the test class)."""
    n = t.names(path)
    head = '"""%s\n\nClients are patched; run with FAKE_CLIENTS_STRICT=1 any unpatched one fails."""\n\n' % doc
    head += "import base64\nimport json\nimport unittest\nfrom typing import Any, Dict, Tuple\nfrom unittest import mock\n\n"
    head += imports + "\n\n"
    budget = max(0, t.size(path, "test") - len(head) - len(body))
    tables = []
    while sum(len(x) for x in tables) < budget:
        tables.append(f_table(n))
    tail = '\n\nif __name__ == "__main__":\n    unittest.main()\n'
    t.add(path, head + "".join(tables) + body + tail, "test")


def module_of(path):
    """The dotted module name of a tree-relative .py path."""
    return path[:-3].replace("/", ".")


# ---------------------------------------------------------------------------------------------------
# Subclasses in data_processors/<area>/<domain>/: one module and one test module per name
# ---------------------------------------------------------------------------------------------------
def gen_subclasses(t, d, i, area, names, variants, suffix, parts):
    """data_processors/<area>/<d>/<d>_<name>_<suffix>.py and tests/<d>/test_<d>_<name>_<suffix>.py per name.
    The variant (how the subclass treats its base's client) rotates with the domain, so that a few
    domains show them all. parts(d, name, variant, path, class) gives (docstring, imports, class code,
    test imports, test code)."""
    for j, name in enumerate(names):
        variant = variants[(i + j) % len(variants)]
        path = "data_processors/%s/%s/%s_%s_%s.py" % (area, d, d, name, suffix)
        cls = camel("%s_%s_%s" % (d, name, suffix))
        doc, imports, code, test_imports, test_code = parts(d, name, variant, path, cls)
        t.module(path, "exporter" if suffix == "exporter" else "processor", doc, imports,
                 code + t.class_fill(path, 7000))
        test_module(t, "tests/%s/test_%s_%s_%s.py" % (d, d, name, suffix),
                    "Tests for %s (override: %s)." % (cls, variant), test_imports, test_code)
    t.add("data_processors/%s/%s/__init__.py" % (area, d), "", "init")


# ---------------------------------------------------------------------------------------------------
# data_processors/raw: subclasses of ProcessorBase overriding self.bq_client in several ways
# ---------------------------------------------------------------------------------------------------
RAW_OVERRIDE_CODE = {
    "none": "",
    "same": "        self.bq_client = bigquery.Client(project=self.project_id)\n",
    "other_project": "        self.bq_client = bigquery.Client(project=ANALYTICS_PROJECT_ID)  # reference data lives there\n",
    "location": '        self.bq_client = bigquery.Client(project=self.project_id, location="US")\n',
    "bare": "        self.bq_client = bigquery.Client()\n",
}
RAW_OVERRIDE_ASSERT = {
    "none": 'mock_bq.assert_called_once_with(project="test-project")',
    "same": 'self.assertEqual(mock_bq.call_count, 2)\n        mock_bq.assert_called_with(project="test-project")',
    "other_project": 'mock_bq.assert_called_with(project="example-analytics")',
    "location": 'mock_bq.assert_called_with(project="test-project", location="US")',
    "bare": "mock_bq.assert_called_with()",
}

RAW_CLASS = '''
class {{cls}}(ProcessorBase):
    """Turns scraped {{name}} payloads into rows of ``{{table}}`` (one per item, duplicates dropped)."""

    table_name = "{{table}}"

    def __init__(self, project_id: Optional[str] = None, dry_run: bool = False) -> None:
        super().__init__(project_id=project_id, dry_run=dry_run)
{{override}}        self.seen_keys: Set[str] = set()

    def transform(self, raw: Dict[str, Any]) -> List[Dict[str, Any]]:
        rows = []
        for item in raw.get("items", []):
            key = str(item.get("id"))
            if key in self.seen_keys:
                continue
            self.seen_keys.add(key)
            rows.append({"id": key, "game_date": raw.get("game_date"), "value": item.get("value", 0)})
        return rows

    def latest_partition(self) -> Optional[str]:
        config = bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter("table", "STRING", self.table_name)])
        rows = list(self.bq_client.query(f"SELECT MAX(game_date) AS d FROM `{self.table_id}`",
                                         job_config=config).result())
        return rows[0]["d"] if rows else None

'''

RAW_TEST = '''
SAMPLE = {"game_date": "2024-01-15", "items": [{"id": 1, "value": 3}, {"id": 2, "value": 5}, {"id": 1, "value": 3}]}


class {{cls}}Test(unittest.TestCase):
    @mock.patch("shared.utils.storage_helper.storage.Client")
    @mock.patch("{{mod}}.bigquery.Client")
    def test_run_loads_unique_rows(self, mock_bq, mock_gcs):
        processor = {{cls}}(project_id="test-project")
        stats = processor.run(SAMPLE)
        self.assertEqual(stats["rows"], 2)
        {{ctor_assert}}
        mock_bq.return_value.load_table_from_json.assert_called_once()
        mock_gcs.return_value.bucket.assert_called_with("example-exports")

    def test_table_id_uses_project(self):
        with mock.patch("{{mod}}.bigquery.Client") as mock_bq:
            processor = {{cls}}(project_id="p1")
        self.assertEqual(processor.table_id, "p1.sports_raw.{{table}}")
        mock_bq.assert_any_call(project="p1")

    def test_dry_run_loads_nothing(self):
        with mock.patch("{{mod}}.bigquery.Client") as mock_bq:
            processor = {{cls}}(project_id="p1", dry_run=True)
            processor.archive_results = False
            self.assertEqual(processor.run(SAMPLE)["rows"], 2)
        mock_bq.return_value.load_table_from_json.assert_not_called()
'''


def raw_parts(d, name, variant, path, cls):
    table = "%s_%s" % (d, name)
    return ("%s processor (Phase 2 raw): %s rows for %s." % (camel(name), name, d.upper()),
            "from google.cloud import bigquery\n\nfrom data_processors.base.processor_base import ProcessorBase\n"
            "from shared.config import ANALYTICS_PROJECT_ID\n",
            render(RAW_CLASS, cls=cls, name=name.replace("_", " "), table=table, override=RAW_OVERRIDE_CODE[variant]),
            "from %s import %s" % (module_of(path), cls),
            render(RAW_TEST, cls=cls, mod=module_of(path), table=table, ctor_assert=RAW_OVERRIDE_ASSERT[variant]))


# ---------------------------------------------------------------------------------------------------
# data_processors/analytics: subclasses of EarlyClientBase
# ---------------------------------------------------------------------------------------------------
ANALYTICS_OVERRIDE_CODE = {
    "same": "        self.bq_client = bigquery.Client(project=self.project_id, location=self.location)\n",
    "none": "",
    "other_project": '        self.bq_client = bigquery.Client(project=ANALYTICS_PROJECT_ID, location="EU")\n',
}
ANALYTICS_ASSERT = {
    "same": 'mock_bq.assert_called_with(project="example-project", location="US")',
    "none": 'mock_bq.assert_called_once_with(location="US")',
    "other_project": 'mock_bq.assert_called_with(project="example-analytics", location="EU")',
}

ANALYTICS_CLASS = '''
class {{cls}}(EarlyClientBase):
    """Phase 3 analytics: {{name}} per game, from the raw tables."""

    def __init__(self, location: str = "US") -> None:
        super().__init__(location=location)
{{override}}        self.source_tables = ["{{table}}"]

    def build_query(self) -> str:
        return f"""
            SELECT player, SUM(points) AS points
            FROM `{self.project_id}.sports_raw.{{table}}`
            WHERE game_date = @game_date
            GROUP BY player
        """

'''

ANALYTICS_TEST = '''

class {{cls}}Test(unittest.TestCase):
    def test_process_sums_points(self):
        with mock.patch("{{mod}}.bigquery.Client") as mock_bq:
            mock_bq.return_value.query.return_value.result.return_value = [{"player": "a", "points": 10},
                                                                           {"player": "b", "points": 4}]
            stats = {{cls}}().process("2024-01-15")
        self.assertEqual(stats, {"rows": 2, "points": 14.0, "game_date": "2024-01-15"})
        {{ctor_assert}}

    def test_query_names_source_table(self):
        with mock.patch("{{mod}}.bigquery.Client"):
            sql = {{cls}}().build_query()
        self.assertIn("{{table}}", sql)
'''


def analytics_parts(d, name, variant, path, cls):
    table = "%s_boxscore" % d
    return ("%s (Phase 3 analytics) for %s." % (camel(name), d.upper()),
            "from google.cloud import bigquery\n\nfrom data_processors.base.early_client_base import EarlyClientBase\n"
            "from shared.config import ANALYTICS_PROJECT_ID\n",
            render(ANALYTICS_CLASS, cls=cls, name=name.replace("_", " "), table=table,
                   override=ANALYTICS_OVERRIDE_CODE[variant]),
            "from %s import %s" % (module_of(path), cls),
            render(ANALYTICS_TEST, cls=cls, mod=module_of(path), table=table, ctor_assert=ANALYTICS_ASSERT[variant]))


# ---------------------------------------------------------------------------------------------------
# data_processors/precompute: subclasses of LazyClientBase (tests use mock.patch.object)
# ---------------------------------------------------------------------------------------------------
PRECOMPUTE_OVERRIDE_CODE = {
    "none": ("", ""),
    "connect": ("", '''
    def connect(self) -> bigquery.Client:
        """Precompute tables live in the US multi-region: always query there."""
        if self.bq_client is None:
            self.bq_client = bigquery.Client(project=self.project_id, location="US")
        return self.bq_client
'''),
    "eager": ("        self.bq_client = bigquery.Client(project=project_id)\n", ""),
}
PRECOMPUTE_ASSERT = {
    "none": 'mock_bq.assert_called_once_with(project="test-project", location=None)',
    "connect": 'mock_bq.assert_called_once_with(project="test-project", location="US")',
    "eager": 'mock_bq.assert_called_once_with(project="test-project")',
}

PRECOMPUTE_CLASS = '''
class {{cls}}(LazyClientBase):
    """Phase 4 precompute: rebuilds ``{{table}}`` for one analysis date."""

    table_name = "{{table}}"

    def __init__(self, project_id: str = PROJECT_ID) -> None:
        super().__init__(project_id=project_id)
{{init}}
    def build_query(self) -> str:
        return f"""
            SELECT player, AVG(points) OVER (PARTITION BY player ORDER BY game_date ROWS 9 PRECEDING) AS l10
            FROM `{self.project_id}.sports_analytics.{{table}}_source`
            WHERE game_date <= @analysis_date
        """
{{method}}
'''

PRECOMPUTE_TEST = '''

class {{cls}}Test(unittest.TestCase):
    def test_refresh_reports_rows(self):
        with mock.patch.object(mod.bigquery, "Client") as mock_bq:
            mock_bq.return_value.query.return_value.num_dml_affected_rows = 7
            processor = mod.{{cls}}(project_id="test-project")
            self.assertEqual(processor.refresh("2024-01-15"), 7)
        {{ctor_assert}}
{{second}}'''
PRECOMPUTE_LAZY_TEST = '''
    def test_no_client_until_refresh(self):
        processor = mod.{{cls}}(project_id="p")
        self.assertIsNone(processor.bq_client)
        self.assertIn("{{table}}_source", processor.build_query())
'''
PRECOMPUTE_EAGER_TEST = '''
    def test_client_made_in_init(self):
        with mock.patch.object(mod.bigquery, "Client") as mock_bq:
            processor = mod.{{cls}}(project_id="p")
        self.assertIs(processor.bq_client, mock_bq.return_value)
'''


def precompute_parts(d, name, variant, path, cls):
    table = "%s_%s" % (d, name)
    init, method = PRECOMPUTE_OVERRIDE_CODE[variant]
    second = render(PRECOMPUTE_EAGER_TEST if variant == "eager" else PRECOMPUTE_LAZY_TEST, cls=cls, table=table)
    return ("%s (Phase 4 precompute) for %s." % (camel(name), d.upper()),
            "from google.cloud import bigquery\n\nfrom data_processors.base.lazy_client_base import LazyClientBase\n"
            "from shared.config import PROJECT_ID\n",
            render(PRECOMPUTE_CLASS, cls=cls, table=table, init=init, method=method),
            "from data_processors.precompute.%s import %s_%s_processor as mod" % (d, d, name),
            render(PRECOMPUTE_TEST, cls=cls, ctor_assert=PRECOMPUTE_ASSERT[variant], second=second))


# ---------------------------------------------------------------------------------------------------
# data_processors/grading: standalone processors and a report module that reaches into them
# ---------------------------------------------------------------------------------------------------
ACCURACY = '''
class {{cls}}:
    """Grades yesterday's predictions against the box scores (MERGE into prediction_accuracy)."""

    def __init__(self, project_id: str) -> None:
        self.project_id = project_id
        self.bq_client = bigquery.Client(project=project_id)
        self.stats: Dict[str, Any] = {}
        self.options: Dict[str, Any] = {}
        self.cache: Dict[str, Any] = {}

    @property
    def accuracy_table(self) -> str:
        return f"{self.project_id}.sports_predictions.{{d}}_prediction_accuracy"

    def grade_date(self, game_date: str) -> Dict[str, Any]:
        sql = f"""
            MERGE `{self.accuracy_table}` AS t
            USING (SELECT * FROM `{self.project_id}.sports_predictions.{{d}}_predictions`
                   WHERE game_date = '{game_date}') AS s
            ON t.prediction_id = s.prediction_id
            WHEN NOT MATCHED THEN INSERT ROW
        """
        job = self.bq_client.query(sql)
        job.result()
        return {"game_date": game_date, "graded": job.num_dml_affected_rows}

'''

PERFORMANCE = '''
class {{cls}}:
    """Daily performance of each prediction system (reads prediction_accuracy)."""

    def __init__(self, project_id: str, location: Optional[str] = None) -> None:
        self.project_id = project_id
        self.bq_client = bigquery.Client(project=project_id, location=location)
        self.stats: Dict[str, Any] = {}
        self.options: Dict[str, Any] = {}
        self.cache: Dict[str, Any] = {}

    def system_scores(self, game_date: str) -> Dict[str, float]:
        config = bigquery.QueryJobConfig(query_parameters=[
            bigquery.ScalarQueryParameter("game_date", "DATE", game_date)])
        rows = self.bq_client.query(
            f"SELECT system, AVG(CAST(correct AS INT64)) AS score "
            f"FROM `{self.project_id}.sports_predictions.{{d}}_prediction_accuracy` "
            f"WHERE game_date = @game_date GROUP BY system", job_config=config).result()
        return {row["system"]: round(float(row["score"]), 3) for row in rows}

'''

GRADING_REPORT = '''
def summary_job_config(game_date: str) -> "bigquery.QueryJobConfig":
    """Query parameters of the daily grading summary."""
    return bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("game_date", "DATE", game_date)])


def performance_client(project_id: str) -> Any:
    """A client for the performance tables (same library as the performance processor)."""
    return {{perf_mod}}.bigquery.Client(project=project_id)


def daily_summary(project_id: str, game_date: str) -> Dict[str, Any]:
    client = performance_client(project_id)
    rows = client.query(f"SELECT COUNT(*) AS n FROM `{project_id}.sports_predictions.{{d}}_prediction_accuracy`",
                        job_config=summary_job_config(game_date)).result()
    return {"game_date": game_date, "graded": sum(int(row["n"]) for row in rows)}

'''

ACCURACY_TEST = '''

class {{cls}}Test(unittest.TestCase):
    def setUp(self):
        patcher = mock.patch("{{mod}}.bigquery.Client")
        self.mock_client = patcher.start()
        self.addCleanup(patcher.stop)

    def test_grade_date_runs_one_merge(self):
        self.mock_client.return_value.query.return_value.num_dml_affected_rows = 42
        result = {{cls}}(project_id="test-project").grade_date("2024-01-15")
        self.assertEqual(result, {"game_date": "2024-01-15", "graded": 42})
        self.mock_client.assert_called_once_with(project="test-project")
        sql = self.mock_client.return_value.query.call_args[0][0]
        self.assertIn("MERGE `test-project.sports_predictions.{{d}}_prediction_accuracy`", sql)

    def test_accuracy_table(self):
        self.assertEqual({{cls}}(project_id="p1").accuracy_table, "p1.sports_predictions.{{d}}_prediction_accuracy")
'''

PERFORMANCE_TEST = '''
PATCH_TARGET = "{{mod}}.bigquery.Client"


class {{cls}}Test(unittest.TestCase):
    @mock.patch(PATCH_TARGET)
    def test_system_scores(self, mock_client):
        mock_client.return_value.query.return_value.result.return_value = [{"system": "xgb", "score": 0.61234}]
        scores = {{cls}}(project_id="test-project", location="US").system_scores("2024-01-15")
        self.assertEqual(scores, {"xgb": 0.612})
        mock_client.assert_called_once_with(project="test-project", location="US")
'''

REPORT_TEST = '''

class GradingReportTest(unittest.TestCase):
    @mock.patch("{{perf_mod}}.bigquery.Client")
    def test_daily_summary(self, mock_client):
        mock_client.return_value.query.return_value.result.return_value = [{"n": 3}, {"n": 4}]
        self.assertEqual(grading_report.daily_summary("p", "2024-01-15"), {"game_date": "2024-01-15", "graded": 7})
        mock_client.assert_called_once_with(project="p")

    def test_summary_job_config(self):
        config = grading_report.summary_job_config("2024-01-15")
        self.assertEqual(config.query_parameters[0].value, "2024-01-15")
'''


def gen_grading(t, d, i):
    pkg = "data_processors/grading/%s" % d
    acc, perf = "%s/%s_prediction_accuracy_processor.py" % (pkg, d), "%s/%s_system_performance_processor.py" % (pkg, d)
    acc_cls, perf_cls = camel(d + "_prediction_accuracy_processor"), camel(d + "_system_performance_processor")
    t.module(acc, "processor", "Prediction accuracy grading (Phase 5) for %s." % d.upper(),
             "from google.cloud import bigquery\n", render(ACCURACY, cls=acc_cls, d=d) + t.class_fill(acc, 6000))
    t.module(perf, "processor", "System performance grading (Phase 5) for %s." % d.upper(),
             "from google.cloud import bigquery\n", render(PERFORMANCE, cls=perf_cls, d=d) + t.class_fill(perf, 6000))
    report = "%s/grading_report.py" % pkg
    t.module(report, "report", "Daily grading summary for %s, built on the grading processors' modules." % d.upper(),
             "import %s\nfrom %s import bigquery  # the same library, already imported there\n"
             % (module_of(perf), module_of(acc)), render(GRADING_REPORT, perf_mod=module_of(perf), d=d))
    if i % 2 == 0:  # every other domain's grading folder is an implicit namespace package
        t.add("%s/__init__.py" % pkg, "", "init")
    test_module(t, "tests/%s/test_%s_prediction_accuracy.py" % (d, d), "Tests for %s." % acc_cls,
                "from %s import %s" % (module_of(acc), acc_cls), render(ACCURACY_TEST, cls=acc_cls, mod=module_of(acc), d=d))
    test_module(t, "tests/%s/test_%s_system_performance.py" % (d, d), "Tests for %s." % perf_cls,
                "from %s import %s" % (module_of(perf), perf_cls), render(PERFORMANCE_TEST, cls=perf_cls, mod=module_of(perf)))
    test_module(t, "tests/%s/test_%s_grading_report.py" % (d, d), "Tests for the %s grading report." % d.upper(),
                "from %s import grading_report" % pkg.replace("/", "."),
                render(REPORT_TEST, perf_mod=module_of(perf)))


# ---------------------------------------------------------------------------------------------------
# data_processors/publishing: exporters on ExporterBase (Storage and BigQuery)
# ---------------------------------------------------------------------------------------------------
EXPORTER_OVERRIDE = {
    "none": "",
    "other_project": "        self.gcs_client = storage.Client(project=ANALYTICS_PROJECT_ID)  # the public bucket's project\n",
    "helper_only": "",
}
EXPORTER_ASSERT = {
    "none": 'mock_gcs.assert_any_call(project="test-project")',
    "other_project": 'mock_gcs.assert_any_call(project="example-analytics")',
    "helper_only": 'mock_gcs.assert_any_call(project="test-project")',
}

EXPORTER_CLASS = '''
SCHEMA = [bigquery.SchemaField("id", "STRING"), bigquery.SchemaField("{{name}}", "FLOAT")]


class {{cls}}(ExporterBase):
    """Publishes the {{name}} JSON of one game date (gs://<bucket>/{{prefix}}/<date>.json)."""

    export_prefix = "{{prefix}}"

    def __init__(self, project_id: str = PROJECT_ID) -> None:
        super().__init__(project_id=project_id)
{{override}}        self.schema = list(SCHEMA)

    def build_query(self) -> str:
        return f"SELECT id, {{name}} FROM `{self.project_id}.sports_analytics.{{prefix}}` WHERE game_date = @game_date"

    def blob_for(self, game_date: str) -> storage.Blob:
        return self.gcs_client.bucket(self.bucket_name).blob(self.blob_path(game_date))
{{extra}}
'''
EXPORTER_HELPER = '''
    def publish_index(self, dates: List[str]) -> str:
        """The list of exported dates, written through the shared storage helper."""
        return upload_json(f"{self.export_prefix}/index.json", {"dates": sorted(dates)}, project_id=self.project_id)
'''

EXPORTER_TEST = '''

class {{cls}}Test(unittest.TestCase):
    def test_export_writes_json(self):
        with mock.patch("{{mod}}.storage.Client") as mock_gcs, mock.patch("{{mod}}.bigquery.Client") as mock_bq:
            mock_bq.return_value.query.return_value.result.return_value = [{"id": "1", "{{name}}": 2.5}]
            exporter = {{cls}}(project_id="test-project")
            exporter.export("2024-01-15")
        {{ctor_assert}}
        mock_bq.assert_called_once_with(project="test-project")
        self.assertEqual(exporter.stats, {"exported": 1})
        blob = mock_gcs.return_value.bucket.return_value.blob.return_value
        blob.upload_from_string.assert_called()

    @mock.patch("shared.utils.storage_helper.storage.Client")
    @mock.patch("{{mod}}.bigquery.Client")
    def test_blob_path(self, mock_bq, mock_gcs):
        exporter = {{cls}}(project_id="test-project")
        self.assertEqual(exporter.blob_path("2024-01-15"), "{{prefix}}/2024-01-15.json")
{{extra}}'''
EXPORTER_HELPER_TEST = '''
    def test_publish_index_uses_helper(self):
        with mock.patch("{{mod}}.storage.Client"), mock.patch("{{mod}}.bigquery.Client"), \\
                mock.patch("{{mod}}.upload_json") as mock_upload:
            mock_upload.return_value = "gs://example-exports/{{prefix}}/index.json"
            uri = {{cls}}(project_id="p").publish_index(["2024-01-02", "2024-01-01"])
        self.assertEqual(uri, "gs://example-exports/{{prefix}}/index.json")
        mock_upload.assert_called_once_with("{{prefix}}/index.json", {"dates": ["2024-01-01", "2024-01-02"]}, project_id="p")
'''


def exporter_parts(d, name, variant, path, cls):
    prefix, helper = "%s_%s" % (d, name), variant == "helper_only"
    extra = render(EXPORTER_HELPER_TEST, cls=cls, mod=module_of(path), prefix=prefix) if helper else ""
    return ("%s exporter (Phase 6 publishing) for %s." % (camel(name), d.upper()),
            "from google.cloud import bigquery, storage\n\nfrom data_processors.base.export_base import ExporterBase\n"
            "from shared.config import ANALYTICS_PROJECT_ID, PROJECT_ID\n"
            + ("from shared.utils.storage_helper import upload_json\n" if helper else ""),
            render(EXPORTER_CLASS, cls=cls, name=name, prefix=prefix, override=EXPORTER_OVERRIDE[variant],
                   extra=EXPORTER_HELPER if helper else ""),
            "from %s import %s" % (module_of(path), cls),
            render(EXPORTER_TEST, cls=cls, mod=module_of(path), name=name, prefix=prefix,
                   ctor_assert=EXPORTER_ASSERT[variant], extra=extra))


def gen_areas(t):
    for area in ("raw", "analytics", "precompute", "grading", "publishing"):
        t.add("data_processors/%s/__init__.py" % area, '"""%s processors."""\n' % area.capitalize(), "init")


# ---------------------------------------------------------------------------------------------------
# scrapers/: requests in its usual forms
# ---------------------------------------------------------------------------------------------------
SCRAPER_BASE = '''
class ScraperBase:
    """One configured ``requests.Session`` per scraper (its own headers: not shareable)."""

    base_url: str = ""
    user_agent: str = "pipeline-scraper/1.0"

    def __init__(self, timeout: int = 30) -> None:
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": self.user_agent, "Accept": "application/json"})
        self.session.mount("https://", HTTPAdapter(pool_maxsize=4))
        self.stats: Dict[str, Any] = {}
        self.options: Dict[str, Any] = {}
        self.cache: Dict[str, Any] = {}

    def fetch_json(self, path: str, params: Optional[Dict[str, Any]] = None) -> Any:
        response = self.session.get(f"{self.base_url}{path}", params=params, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

'''

SCRAPER_CODE = {
    "functions": ('import requests\n', '''
BASE_URL = "https://api.{{d}}.example.com/v2"


def fetch_{{name}}(season: str, attempts: int = 3) -> List[Dict[str, Any]]:
    """Games of ``season`` (retries on timeouts)."""
    url = f"{BASE_URL}/{{name}}/{season}"
    for attempt in range(1, attempts + 1):
        try:
            response = requests.get(url, params={"season": season}, timeout=30)
            response.raise_for_status()
            return response.json().get("games", [])
        except requests.exceptions.Timeout:
            logger.warning("timeout fetching %s (attempt %d/%d)", url, attempt, attempts)
    return []


def submit_{{name}}(payload: Dict[str, Any]) -> int:
    """Hand the scraped payload to the processor service."""
    response = requests.post(f"{BASE_URL}/ingest", json=payload, timeout=60)
    return response.status_code

'''),
    "alias": ('import requests as rq\n', '''
FEED_URL = "https://feeds.{{d}}.example.com/{{name}}"


def fetch_{{name}}(day: str) -> Dict[str, Any]:
    """The {{name}} document of one day; an HTTP error is logged and gives {}."""
    try:
        response = rq.get(FEED_URL, params={"date": day}, timeout=15)
        response.raise_for_status()
    except rq.HTTPError as exc:
        logger.error("%s: %s", FEED_URL, exc)
        return {}
    return response.json()

'''),
    "by_name": ('from requests import get\n', '''
INDEX_URL = "https://index.{{d}}.example.com/{{name}}"


def fetch_{{name}}(page: int) -> List[Dict[str, Any]]:
    """One page of the {{name}} index (the function imported by its own name)."""
    response = get(INDEX_URL, params={"page": page}, timeout=20)
    response.raise_for_status()
    return response.json().get("items", [])

'''),
    "session_base": ('from scrapers.scraper_base import ScraperBase\n', '''

class {{cls}}(ScraperBase):
    """Scrapes {{name}} pages through the base class's configured session."""

    base_url = "https://www.{{d}}.example.com"
    user_agent = "pipeline-scraper/{{name}}"

    def fetch_{{name}}(self, team: str) -> List[Dict[str, Any]]:
        return self.fetch_json(f"/teams/{team}/{{name}}").get("players", [])

'''),
    "verbs": ('import requests\n', '''
MEDIA_URL = "https://media.{{d}}.example.com/api"


def refresh_{{name}}(asset_id: str, metadata: Dict[str, Any]) -> bool:
    """PUT new metadata, then check with HEAD that the asset is served."""
    requests.put(f"{MEDIA_URL}/assets/{asset_id}", json=metadata, timeout=20).raise_for_status()
    return requests.head(f"{MEDIA_URL}/assets/{asset_id}", timeout=10).ok


def download_{{name}}(asset_ids: List[str]) -> Dict[str, bytes]:
    """Bulk download over one short-lived session (closed here, so it is not a pool candidate)."""
    out = {}
    with requests.Session() as session:
        for asset_id in asset_ids:
            out[asset_id] = session.get(f"{MEDIA_URL}/assets/{asset_id}/raw", timeout=30).content
    return out

'''),
}

SCRAPER_TEST = {
    "functions": '''

class {{cls}}Test(unittest.TestCase):
    @mock.patch("{{mod}}.requests.get")
    def test_fetch_returns_games(self, mock_get):
        mock_get.return_value.json.return_value = {"games": [1, 2]}
        self.assertEqual(scraper.fetch_{{name}}("2024"), [1, 2])
        mock_get.assert_called_once_with("https://api.{{d}}.example.com/v2/{{name}}/2024", params={"season": "2024"},
                                         timeout=30)

    @mock.patch("{{mod}}.requests.get")
    def test_fetch_retries_timeouts(self, mock_get):
        ok = mock.Mock()
        ok.json.return_value = {"games": [3]}
        mock_get.side_effect = [requests.exceptions.Timeout("slow"), ok]
        self.assertEqual(scraper.fetch_{{name}}("2024"), [3])
        self.assertEqual(mock_get.call_count, 2)

    def test_submit(self):
        with mock.patch("{{mod}}.requests.post") as mock_post:
            mock_post.return_value.status_code = 202
            self.assertEqual(scraper.submit_{{name}}({"k": 1}), 202)
        mock_post.assert_called_once_with("https://api.{{d}}.example.com/v2/ingest", json={"k": 1}, timeout=60)
''',
    "alias": '''

class {{cls}}Test(unittest.TestCase):
    @mock.patch("{{mod}}.rq.get")
    def test_fetch(self, mock_get):
        mock_get.return_value.json.return_value = {"day": "2024-01-15"}
        self.assertEqual(scraper.fetch_{{name}}("2024-01-15"), {"day": "2024-01-15"})
        mock_get.assert_called_once_with("https://feeds.{{d}}.example.com/{{name}}", params={"date": "2024-01-15"},
                                         timeout=15)

    @mock.patch("{{mod}}.rq.get")
    def test_http_error_gives_empty(self, mock_get):
        mock_get.return_value.raise_for_status.side_effect = requests.HTTPError("500")
        self.assertEqual(scraper.fetch_{{name}}("2024-01-15"), {})
''',
    "session_base": '''

class {{cls}}Test(unittest.TestCase):
    @mock.patch("scrapers.scraper_base.requests.Session")
    def test_fetch_players(self, mock_session):
        mock_session.return_value.get.return_value.json.return_value = {"players": [{"id": 7}]}
        self.assertEqual(scraper.{{cls}}().fetch_{{name}}("bos"), [{"id": 7}])
        mock_session.return_value.get.assert_called_once_with(
            "https://www.{{d}}.example.com/teams/bos/{{name}}", params=None, timeout=30)
''',
    "by_name": '''

class {{cls}}Test(unittest.TestCase):
    """Patches the name the module imported: this file never names the HTTP library."""

    @mock.patch("{{mod}}.get")
    def test_fetch(self, mock_get):
        mock_get.return_value.json.return_value = {"items": [{"id": 1}]}
        self.assertEqual(scraper.fetch_{{name}}(2), [{"id": 1}])
        mock_get.assert_called_once_with("https://index.{{d}}.example.com/{{name}}", params={"page": 2}, timeout=20)
''',
    "verbs": '''

class {{cls}}Test(unittest.TestCase):
    def setUp(self):
        self.put = mock.patch("{{mod}}.requests.put").start()
        self.head = mock.patch("{{mod}}.requests.head").start()
        self.addCleanup(mock.patch.stopall)

    def test_refresh(self):
        self.head.return_value.ok = True
        self.assertTrue(scraper.refresh_{{name}}("a1", {"title": "t"}))
        self.put.assert_called_once_with("https://media.{{d}}.example.com/api/assets/a1", json={"title": "t"}, timeout=20)

    @mock.patch("{{mod}}.requests.Session")
    def test_download(self, mock_session):
        mock_session.return_value.__enter__.return_value.get.return_value.content = b"x"
        self.assertEqual(scraper.download_{{name}}(["a1"]), {"a1": b"x"})
''',
}


def gen_scrapers(t, d, i):
    for j, name in enumerate(SCRAPERS):
        variant = SCRAPER_VARIANTS[(i + j) % len(SCRAPER_VARIANTS)]
        path = "scrapers/%s/%s_%s.py" % (d, d, name)
        cls = camel("%s_%s_scraper" % (d, name))
        imports, code = SCRAPER_CODE[variant]
        body = render(code, d=d, name=name, cls=cls)
        if variant == "session_base":
            body += t.class_fill(path, 5000)
        t.module(path, "scraper", "%s scraper for %s (%s)." % (camel(name), d.upper(), variant), imports, body)
        test_module(t, "tests/%s/test_%s_%s.py" % (d, d, name), "Tests for the %s %s scraper." % (d, name),
                    ("" if variant == "by_name" else "import requests\n\n")
                    + "from scrapers.%s import %s_%s as scraper" % (d, d, name),
                    render(SCRAPER_TEST[variant], cls=cls, mod=module_of(path), d=d, name=name))
    t.add("scrapers/%s/__init__.py" % d, "", "init")


def gen_scraper_base(t):
    t.add("scrapers/__init__.py", '"""Scrapers: HTTP sources of the raw data."""\n', "init")
    t.module("scrapers/scraper_base.py", "scraper", "Base class of the session-based scrapers.",
             "import requests\nfrom requests.adapters import HTTPAdapter\n",
             SCRAPER_BASE + t.class_fill("scraper_base", 6000))


# ---------------------------------------------------------------------------------------------------
# orchestration/cloud_functions/<unit>/: main.py + requirements.txt, deployed alone
# ---------------------------------------------------------------------------------------------------
UNIT_CODE = {
    "try_import": ('from google.cloud import bigquery, pubsub_v1\n\n'
                   'try:  # shared/ is there when run from the repository, not when deployed alone\n'
                   '    from shared.config import PROJECT_ID\n'
                   '    from shared.utils.storage_helper import upload_json\n'
                   'except ImportError:\n'
                   '    PROJECT_ID = os.environ.get("GCP_PROJECT", "example-project")\n\n'
                   '    def upload_json(path: str, payload: Any, **kwargs: Any) -> str:\n'
                   '        return ""\n', '''
NEXT_TOPIC = "{{d}}-phase3-trigger"


def _completed_processors(game_date: str) -> List[str]:
    client = bigquery.Client(project=PROJECT_ID)
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("game_date", "DATE", game_date)])
    rows = client.query(f"SELECT processor FROM `{PROJECT_ID}.sports_reference.processor_run_history` "
                        "WHERE game_date = @game_date AND status = 'success'", job_config=config).result()
    return sorted({row["processor"] for row in rows})


def handle_completion(event: Dict[str, Any], context: Any = None) -> Dict[str, Any]:
    """Pub/Sub entry point: when Phase 2 is complete for a date, trigger Phase 3."""
    data = json.loads(base64.b64decode(event["data"]).decode("utf-8")) if "data" in event else {}
    game_date = data.get("game_date", "2024-01-01")
    done = _completed_processors(game_date)
    publisher = pubsub_v1.PublisherClient()
    topic = publisher.topic_path(PROJECT_ID, NEXT_TOPIC)
    message_id = publisher.publish(topic, json.dumps({"game_date": game_date, "processors": done}).encode()).result()
    upload_json(f"transitions/{game_date}.json", {"processors": done, "message_id": message_id})
    return {"game_date": game_date, "processors": done, "message_id": message_id}

'''),
    "vendored": ('import requests\nfrom google.cloud import storage\n\n'
                 'from shared.clients.bigquery_pool import get_bigquery_client\n'
                 'from shared.config import EXPORT_BUCKET, PROJECT_ID, SLACK_WEBHOOK_URL\n', '''

def build_report(game_date: str) -> Dict[str, Any]:
    client = get_bigquery_client(project_id=PROJECT_ID)
    rows = list(client.query(f"SELECT status, COUNT(*) AS n FROM `{PROJECT_ID}.sports_reference.processor_run_history` "
                             f"WHERE game_date = '{game_date}' GROUP BY status").result())
    return {"game_date": game_date, "counts": {row["status"]: row["n"] for row in rows}}


def publish_report(request: Any) -> Tuple[str, int]:
    """HTTP entry point: write the daily report to the bucket and announce it on Slack."""
    game_date = (request.args.get("date") if request is not None else None) or "2024-01-01"
    report = build_report(game_date)
    gcs = storage.Client(project=PROJECT_ID)
    gcs.bucket(EXPORT_BUCKET).blob(f"reports/{{d}}/{game_date}.json").upload_from_string(json.dumps(report))
    response = requests.post(SLACK_WEBHOOK_URL, json={"text": f"{{d}} report for {game_date}: {report['counts']}"},
                             timeout=10)
    return "ok", response.status_code

'''),
    "symlink": ('from google.cloud import bigquery, firestore\n\n'
                'from shared.config import PROJECT_ID\nfrom shared.utils.slack import notify\n', '''
STALE_HOURS = 6


def check_freshness(request: Any = None) -> Dict[str, Any]:
    """HTTP entry point: flag raw tables not loaded for STALE_HOURS, remember the result in Firestore."""
    client = bigquery.Client(project=PROJECT_ID)
    rows = list(client.query(f"SELECT table_name, hours_since_load FROM `{PROJECT_ID}.sports_reference.{{d}}_freshness`")
                .result())
    stale = sorted(row["table_name"] for row in rows if row["hours_since_load"] > STALE_HOURS)
    db = firestore.Client(project=PROJECT_ID)
    db.collection("{{d}}_health").document("latest").set({"stale": stale, "checked": len(rows)})
    if stale:
        notify(f"{{d}}: stale tables: {', '.join(stale)}")
    return {"checked": len(rows), "stale": stale}

'''),
    "own_shared": ('from google.cloud import bigquery\n\nfrom shared.utils.slack import notify\n', '''
PROJECT_ID = os.environ.get("GCP_PROJECT", "example-project")


def route_alerts(request: Any = None) -> Dict[str, Any]:
    """HTTP entry point: send every open alert of the last hour to Slack."""
    client = bigquery.Client(project=PROJECT_ID)
    alerts = [dict(row) for row in client.query(
        f"SELECT severity, message FROM `{PROJECT_ID}.sports_reference.{{d}}_alerts` WHERE is_open").result()]
    for alert in alerts:
        notify(f"[{alert['severity']}] {alert['message']}")
    return {"routed": len(alerts)}

'''),
    "no_shared": ('from google.cloud import bigquery\n', '''
PROJECT_ID = os.environ.get("GCP_PROJECT", "example-project")
BQ_CLIENT = bigquery.Client(project=PROJECT_ID)  # module level: warm instances reuse it


def reconcile(request: Any = None) -> Dict[str, Any]:
    """HTTP entry point: compare the expected and loaded game counts of yesterday."""
    rows = list(BQ_CLIENT.query(f"SELECT expected, loaded FROM `{PROJECT_ID}.sports_reference.{{d}}_counts`").result())
    missing = sum(max(0, int(row["expected"]) - int(row["loaded"])) for row in rows)
    return {"days": len(rows), "missing": missing}

'''),
    "lazy": ('', '''
PROJECT_ID = os.environ.get("GCP_PROJECT", "example-project")
FEED_URL = "https://feeds.{{d}}.example.com/lineups"


def watch_lineups(request: Any = None) -> Dict[str, Any]:
    """HTTP entry point. Imports are inside: the cold start of the other entry points stays fast."""
    import requests
    from google.cloud import bigquery

    response = requests.get(FEED_URL, timeout=20)
    response.raise_for_status()
    lineups = response.json().get("lineups", [])
    client = bigquery.Client(project=PROJECT_ID)
    errors = client.insert_rows_json(f"{PROJECT_ID}.sports_raw.{{d}}_lineups", lineups)
    return {"inserted": len(lineups) - len(errors)}


def lineup_status(request: Any = None) -> Dict[str, Any]:
    """HTTP entry point without any client."""
    return {"feed": FEED_URL, "project": PROJECT_ID}

'''),
}

UNIT_TEST = {
    "try_import": '''

class {{cls}}Test(unittest.TestCase):
    @mock.patch("shared.utils.storage_helper.storage.Client")
    @mock.patch("{{mod}}.pubsub_v1.PublisherClient")
    @mock.patch("{{mod}}.bigquery.Client")
    def test_publishes_completed_processors(self, mock_bq, mock_pub, mock_gcs):
        mock_bq.return_value.query.return_value.result.return_value = [{"processor": "b"}, {"processor": "a"}]
        mock_pub.return_value.publish.return_value.result.return_value = "m-1"
        result = cf_main.handle_completion({"data": base64.b64encode(b'{"game_date": "2024-01-15"}')})
        self.assertEqual(result, {"game_date": "2024-01-15", "processors": ["a", "b"], "message_id": "m-1"})
        mock_bq.assert_called_once_with(project="example-project")
        mock_pub.return_value.publish.assert_called_once()
''',
    "vendored": '''

class {{cls}}Test(unittest.TestCase):
    @mock.patch("{{mod}}.requests.post")
    @mock.patch("{{mod}}.storage.Client")
    @mock.patch("{{mod}}.get_bigquery_client")
    def test_publish_report(self, mock_pool, mock_gcs, mock_post):
        mock_pool.return_value.query.return_value.result.return_value = [{"status": "success", "n": 9}]
        mock_post.return_value.status_code = 200
        self.assertEqual(cf_main.publish_report(None), ("ok", 200))
        mock_gcs.assert_called_once_with(project="example-project")
        mock_post.assert_called_once()
''',
    "symlink": '''

class {{cls}}Test(unittest.TestCase):
    def test_flags_stale_tables(self):
        with mock.patch("{{mod}}.bigquery.Client") as mock_bq, mock.patch("{{mod}}.firestore.Client") as mock_fs, \\
                mock.patch("shared.utils.slack.requests.post") as mock_post:
            mock_bq.return_value.query.return_value.result.return_value = [
                {"table_name": "t1", "hours_since_load": 9}, {"table_name": "t2", "hours_since_load": 1}]
            self.assertEqual(cf_main.check_freshness(), {"checked": 2, "stale": ["t1"]})
        mock_fs.assert_called_once_with(project="example-project")
        mock_post.assert_called_once()
''',
    "own_shared": '''

class {{cls}}Test(unittest.TestCase):
    @mock.patch("{{mod}}.notify")
    @mock.patch("{{mod}}.bigquery.Client")
    def test_routes_each_alert(self, mock_bq, mock_notify):
        mock_bq.return_value.query.return_value.result.return_value = [
            {"severity": "high", "message": "late"}, {"severity": "low", "message": "slow"}]
        self.assertEqual(cf_main.route_alerts(), {"routed": 2})
        self.assertEqual(mock_notify.call_count, 2)
        mock_bq.assert_called_once_with(project="example-project")
''',
    "no_shared": '''

class {{cls}}Test(unittest.TestCase):
    def test_reconcile_counts_missing(self):
        with mock.patch.object(cf_main, "BQ_CLIENT") as client:
            client.query.return_value.result.return_value = [{"expected": 5, "loaded": 3}, {"expected": 2, "loaded": 2}]
            self.assertEqual(cf_main.reconcile(), {"days": 2, "missing": 2})
''',
    "lazy": '''

class {{cls}}Test(unittest.TestCase):
    @mock.patch("google.cloud.bigquery.Client")
    @mock.patch("requests.get")
    def test_inserts_lineups(self, mock_get, mock_bq):
        mock_get.return_value.json.return_value = {"lineups": [{"team": "a"}, {"team": "b"}]}
        mock_bq.return_value.insert_rows_json.return_value = []
        self.assertEqual(cf_main.watch_lineups(), {"inserted": 2})
        mock_bq.assert_called_once_with(project="example-project")
        mock_get.assert_called_once_with("https://feeds.{{d}}.example.com/lineups", timeout=20)

    def test_status_needs_no_client(self):
        self.assertEqual(cf_main.lineup_status()["project"], "example-project")
''',
}

REQUIREMENTS = {"try_import": "google-cloud-bigquery==3.17.2\ngoogle-cloud-pubsub==2.19.0\ngoogle-cloud-storage==2.14.0\n",
                "vendored": "google-cloud-bigquery==3.17.2\ngoogle-cloud-storage==2.14.0\nrequests==2.31.0\n",
                "symlink": "google-cloud-bigquery==3.17.2\ngoogle-cloud-firestore==2.14.0\nrequests==2.31.0\n",
                "own_shared": "google-cloud-bigquery==3.17.2\nrequests==2.31.0\n",
                "no_shared": "google-cloud-bigquery==3.17.2\n",
                "lazy": "google-cloud-bigquery==3.17.2\nrequests==2.31.0\n"}

OWN_SLACK = '''"""Slack helper of this function only (the repository's shared/ is not deployed with it)."""

import os

import requests

WEBHOOK = os.environ.get("SLACK_WEBHOOK_URL", "https://hooks.slack.example.com/services/T0/B0/x")


def notify(text: str) -> bool:
    return requests.post(WEBHOOK, json={"text": text}, timeout=10).ok
'''


def vendor_shared(t, unit):
    """The function's own copy of shared/: config and the BigQuery pool (an older snapshot: no others)."""
    t.add(unit + "/shared/__init__.py", '"""Vendored copy of the repository\'s shared/ (scripts/vendor.sh)."""\n', "init")
    t.add(unit + "/shared/config.py", CONFIG, "shared")
    t.add(unit + "/shared/clients/__init__.py", "", "init")
    t.add(unit + "/shared/clients/bigquery_pool.py", pool_source("bigquery"), "pool")


def gen_unit(t, d, variant, fname):
    unit = "orchestration/cloud_functions/%s_%s" % (d, fname)
    imports, code = UNIT_CODE[variant]
    if variant == "vendored" and "bigquery" not in t.pools:  # no pool at the root: a stand-in of its own
        imports = imports.replace("from shared.clients.bigquery_pool import get_bigquery_client\n", "")
        code = "\n\ndef get_bigquery_client(project_id: str) -> Any:\n    from google.cloud import bigquery\n\n" \
               "    return bigquery.Client(project=project_id)\n" + code
    t.module(unit + "/main.py", "unit", "%s for %s (Cloud Function, deployed alone from this folder; %s)."
             % (camel(fname), d.upper(), variant.replace("_", " ")), imports, render(code, d=d),
             header="import base64\n")
    t.add(unit + "/requirements.txt", REQUIREMENTS[variant], "data")
    if variant == "vendored":
        vendor_shared(t, unit)
    elif variant == "symlink":
        t.links[unit + "/shared"] = "../../../shared"
    elif variant == "own_shared":
        t.add(unit + "/shared/__init__.py", '"""This function\'s own helpers (utils only)."""\n', "init")
        t.add(unit + "/shared/utils/__init__.py", "", "init")
        t.add(unit + "/shared/utils/slack.py", OWN_SLACK, "shared")
    t.units.append({"path": unit, "variant": variant, "domain": d})
    mod = module_of(unit + "/main.py")
    cls = camel("%s_%s" % (d, fname))
    imports = "from %s import main as cf_main" % unit.replace("/", ".")
    if variant == "no_shared":  # the module makes its client at import time: patch the library meanwhile
        imports = 'with mock.patch("google.cloud.bigquery.Client"):\n    %s' % imports
    test_module(t, "tests/%s/test_cf_%s.py" % (d, fname), "Tests for the %s Cloud Function (%s)." % (unit, variant),
                imports, render(UNIT_TEST[variant], cls=cls, mod=mod, d=d))


def gen_orchestration(t):
    t.add("orchestration/__init__.py", '"""Workflow orchestration and Cloud Functions."""\n', "init")
    t.add("orchestration/cloud_functions/__init__.py",
          '"""Cloud Functions: each folder is deployed alone (it is its own source root)."""\n', "init")


# ---------------------------------------------------------------------------------------------------
# scripts/ (sys.path.insert before first-party imports) and libs/ (no clients)
# ---------------------------------------------------------------------------------------------------
# Scripts run as `python scripts/x.py` reach the repository's packages through sys.path.insert: third-party
# imports above it (the usual order), or all imports below it.
SCRIPT_PATH = "sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from anywhere\n"
SCRIPT_HEADER_THIRD_PARTY_FIRST = ("import argparse\nimport sys\n\nfrom google.cloud import bigquery\n\n" + SCRIPT_PATH
                                   + "\nfrom shared.config import PROJECT_ID  # noqa: E402\n")
SCRIPT_HEADER = ("import argparse\nimport sys\n\n" + SCRIPT_PATH + "\nfrom google.cloud import bigquery  # noqa: E402\n\n"
                 "from shared.config import PROJECT_ID  # noqa: E402\n")

BACKFILL = '''
def days(start: str, end: str) -> List[str]:
    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    return [(first + datetime.timedelta(days=k)).isoformat() for k in range((last - first).days + 1)]


def backfill(start: str, end: str, project_id: str = PROJECT_ID, dry_run: bool = False) -> int:
    """Re-run the {{d}} raw load of every day in [start, end]; the number of days."""
    client = bigquery.Client(project=project_id)
    count = 0
    for day in days(start, end):
        if not dry_run:
            client.query(f"CALL `{project_id}.sports_raw.{{d}}_backfill`('{day}')").result()
        count += 1
    return count


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    logger.info("backfilled %d days", backfill(args.start, args.end, dry_run=args.dry_run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

BACKFILL_TEST = '''

class BackfillScriptTest(unittest.TestCase):
    @mock.patch("scripts.{{d}}_backfill.bigquery.Client")
    def test_backfill_runs_each_day(self, mock_bq):
        self.assertEqual(backfill.backfill("2024-01-01", "2024-01-03"), 3)
        mock_bq.assert_called_once_with(project="example-project")
        self.assertEqual(mock_bq.return_value.query.call_count, 3)

    def test_main_dry_run(self):
        with mock.patch("scripts.{{d}}_backfill.bigquery.Client") as mock_bq:
            self.assertEqual(backfill.main(["--start", "2024-01-01", "--end", "2024-01-02", "--dry-run"]), 0)
        mock_bq.return_value.query.assert_not_called()
'''

EXPORT_RANGE = '''
def export_range(dates: List[str], project_id: str = PROJECT_ID) -> List[str]:
    """Export every date with the {{d}} results exporter; the URLs written."""
    exporter = {{cls}}(project_id=project_id)
    return [exporter.export(day) for day in dates]


def row_count(table: str, project_id: str = PROJECT_ID) -> int:
    client = bigquery.Client(project=project_id)
    return sum(int(row["n"]) for row in client.query(f"SELECT COUNT(*) AS n FROM `{table}`").result())


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    print(export_range(sys.argv[1:]))
'''

LIB_STATS = '''
def rolling_mean(values: Sequence[float], window: int) -> List[float]:
    """Mean of each full window of ``values`` (empty when there is none)."""
    if window <= 0:
        raise ValueError("window must be positive")
    return [sum(values[k:k + window]) / window for k in range(len(values) - window + 1)]


'''

LIB_TEST = '''

class RollingMeanTest(unittest.TestCase):
    def test_windows(self):
        self.assertEqual(stats.rolling_mean([1, 2, 3, 4], 2), [1.5, 2.5, 3.5])

    def test_bad_window(self):
        with self.assertRaises(ValueError):
            stats.rolling_mean([1], 0)
'''


def gen_scripts(t, d):
    path = "scripts/%s_backfill.py" % d
    t.module(path, "script", "Backfill the %s raw tables for a date range.\n\n    python scripts/%s_backfill.py "
             "--start 2024-01-01 --end 2024-01-31 [--dry-run]\n" % (d.upper(), d),
             SCRIPT_HEADER_THIRD_PARTY_FIRST, render(BACKFILL, d=d), header="import datetime\n")
    exporter = "data_processors.publishing.%s.%s_results_exporter" % (d, d)
    cls = camel("%s_results_exporter" % d)
    t.module("scripts/%s_export_range.py" % d, "script", "Export %s results for the dates given." % d.upper(),
             SCRIPT_HEADER + "from %s import %s  # noqa: E402\n" % (exporter, cls), render(EXPORT_RANGE, d=d, cls=cls))
    test_module(t, "tests/%s/test_%s_backfill_script.py" % (d, d), "Tests for scripts/%s_backfill.py." % d,
                "from scripts import %s_backfill as backfill" % d, render(BACKFILL_TEST, d=d))


def gen_libs(t, d):
    t.add("libs/%s/__init__.py" % d, "", "init")
    for name in LIBS:
        body = LIB_STATS if name == "stats" else ""
        t.module("libs/%s/%s.py" % (d, name), "lib", "%s %s helpers (no clients)." % (d.upper(), name.replace("_", " ")),
                 "", body)
    test_module(t, "tests/%s/test_%s_stats.py" % (d, d), "Tests for libs/%s/stats.py." % d,
                "from libs.%s import stats" % d, LIB_TEST)


# ---------------------------------------------------------------------------------------------------
# The whole tree
# ---------------------------------------------------------------------------------------------------
README = '''# Generated pipeline repository

Generated by poolify's scripts/gen_tree.py (seed {{seed}}, scale {{scale}}, pools: {{pools}}). Check a
migration of it with poolify's tests/runtime_check.py --before ORIGINAL --after MIGRATED --units scripts.
'''


def domain(i):
    return DOMAINS[i] if i < len(DOMAINS) else "league%d" % i


def generate(seed, scale, pools):
    t = Tree(seed, pools)
    gen_shared(t)
    gen_bases(t)
    gen_areas(t)
    gen_scraper_base(t)
    gen_orchestration(t)
    t.add("tests/__init__.py", "", "init")
    t.add("libs/__init__.py", "", "init")
    t.add("requirements.txt", "".join(sorted(set("".join(REQUIREMENTS.values()).splitlines(True)))), "data")
    t.add("README.md", render(README, seed=seed, scale=scale, pools=",".join(pools)), "data")
    for i in range(scale):
        d = domain(i)
        t.add("tests/%s/__init__.py" % d, "", "init")
        gen_subclasses(t, d, i, "raw", RAW, RAW_OVERRIDES, "processor", raw_parts)
        gen_subclasses(t, d, i, "analytics", ANALYTICS, ANALYTICS_OVERRIDES, "processor", analytics_parts)
        gen_subclasses(t, d, i, "precompute", PRECOMPUTE, PRECOMPUTE_OVERRIDES, "processor", precompute_parts)
        gen_grading(t, d, i)
        gen_subclasses(t, d, i, "publishing", EXPORTERS, EXPORTER_OVERRIDES, "exporter", exporter_parts)
        gen_scrapers(t, d, i)
        for variant, fname in UNIT_VARIANTS:
            gen_unit(t, d, variant, fname)
        gen_scripts(t, d)
        gen_libs(t, d)
    return t


def statistics(t):
    py = {p: s for p, s in t.files.items() if p.endswith(".py")}
    total = sum(len(s.encode("utf-8")) for s in py.values())
    client = sum(len(s.encode("utf-8")) for s in py.values() if CLIENT_WORDS.search(s))
    kinds = {}
    for p in py:
        kinds[t.kinds[p]] = kinds.get(t.kinds[p], 0) + 1
    return {"py_files": len(py), "py_bytes": total, "average_bytes": total // max(1, len(py)),
            "client_byte_share": round(client / max(1, total), 3), "files_per_kind": kinds,
            "units": len(t.units), "symlinks": len(t.links)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output folder (must not exist or be empty)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=int, default=4, help="domains (about 80 files each; default 4)")
    ap.add_argument("--pools", default="bigquery,http",
                    help="the shared/clients/<pool>_pool.py modules that exist (default bigquery,http; any of %s)"
                    % ",".join(ALL_POOLS))
    ap.add_argument("--manifest", help="write what was generated (units, variants, statistics) as JSON here")
    a = ap.parse_args(argv)
    pools = [p for p in a.pools.split(",") if p]
    unknown = sorted(set(pools) - set(ALL_POOLS))
    if unknown or a.scale < 1:
        ap.error("unknown pools: %s" % ", ".join(unknown) if unknown else "--scale must be at least 1")
    if os.path.exists(a.out) and (not os.path.isdir(a.out) or os.listdir(a.out)):
        ap.error("--out %s exists and is not an empty folder" % a.out)
    start = time.time()
    t = generate(a.seed, a.scale, pools)
    t.write(a.out)
    stats = statistics(t)
    print("gen_tree.py: %d .py files (%.1f KB average, %.0f%% of bytes in files that mention a client), "
          "%d units, in %s (%.1f s)" % (stats["py_files"], stats["average_bytes"] / 1e3,
                                       100 * stats["client_byte_share"], stats["units"], a.out,
                                       time.time() - start), file=sys.stderr)
    if a.manifest:
        with open(a.manifest, "w", encoding="utf-8") as f:
            json.dump({"seed": a.seed, "scale": a.scale, "pools": pools, "statistics": stats, "units": t.units},
                      f, indent=1, sort_keys=True)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
