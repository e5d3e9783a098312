#!/usr/bin/env python3
"""Generate a synthetic, pipeline-shaped Python monorepo for benchmarking poolify.

    scripts/gen_corpus.py --files 90000 --seed 1 --out /tmp/corpus
    scripts/gen_corpus.py --check                      # self-check on a small temporary corpus
    scripts/gen_corpus.py --check --out /tmp/corpus    # self-check an existing corpus (sampled)
    scripts/gen_corpus.py --files 90000 --site-share 0.6 --out /tmp/corpus60

The tree has the shape of fixtures/pipeline (see its README), repeated over many "domains":

  shared/clients/{bigquery,http,storage,firestore,pubsub}_pool.py, shared/config.py  (once)
  orchestration/cloud_functions/<name>/main.py   PROJECT_ID, module-level and lazy imports,
                                                 closed clients, credentials=, already pooled code
  data_processors/{raw,analytics,precompute,grading,publishing}/<domain>/
                                                 a base class owning self.bq_client, a mixin, an
                                                 intermediate base in a sub-package, subclasses that
                                                 override self.bq_client (after/before super(), without
                                                 super(), through an aliased or relative base import)
  scrapers/<domain>/                             requests.get/post, `import requests as rq`, a parameter
                                                 named `requests`, a Session in the scraper base
  tests/<domain>/                                mock.patch("...bigquery.Client") targets, mocker.patch
  libs/<domain>/{utils,models,core}/             the majority: unrelated code (helpers, dataclasses,
                                                 enums, long modules) with no client words, a few with
                                                 incidental ones ("pending requests" in a comment)

Files are produced in units of 100 (one domain each); unit k depends only on (seed, k), so the
first N files of a bigger corpus are the N-file corpus (a 10k corpus is a prefix of the 100k one)
and output is byte-for-byte deterministic for a given --seed and --files, on any machine and any
--jobs. File sizes follow a log-normal distribution per kind, calibrated to about 13 KB per file on
average (like a real 2,216-file / 30 MB pipeline repo). Every file is valid Python 3: `--check`
compiles a sample (or all of a small corpus) with compile(), regenerates a sample in memory to
prove determinism, and prints the size statistics.

--site-share F sets the share of the corpus's bytes that lie in files that can hold a site (a file
that names a client library and one of its callables, so poolify parses it). Without it the shape
above gives about 20% (19% by the shipped rules' own prefilter); a real 2,216-file pipeline repo has
about 60%. Raising it turns library
modules into ones that also use a client (a helper that queries BigQuery, fetches over HTTP, reads
a bucket, ...; some already through a pool), chosen by a generator of their own: the other files,
and the whole corpus without --site-share, are the same bytes as before. `--check` prints the share
it finds.
"""

import argparse
import hashlib
import math
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time

UNIT = 100  # files per domain unit
CATEGORIES = ("raw", "analytics", "precompute", "grading", "publishing")
TRIGGERS = ("bigquery", "requests", "storage", "firestore", "pubsub")

# ---------------------------------------------------------------------------------------------
# Vocabulary (no trigger word, and nothing that pluralises into one: no "request", "store").
# ---------------------------------------------------------------------------------------------
NOUNS = (
    "player team game season roster schedule venue score injury odds line prop box lineup shot zone "
    "pace rating streak matchup official referee coach draft contract trade standing bracket event "
    "metric feature window cache batch snapshot partition record ledger payload report alert summary "
    "grade accuracy forecast prediction signal threshold quarter period minute possession rebound "
    "assist turnover foul block steal usage margin spread total market book vendor feed source "
    "target bucket key value entry row column table dataset field label tag group cohort segment "
    "profile account session token config option rule policy limit quota budget plan stage phase "
    "job task worker queue channel topic message frame chunk page cursor offset index shard"
).split()
VERBS = (
    "load parse build compute merge filter normalize resolve validate collect aggregate rank export "
    "transform extract enrich dedupe split format render compare reconcile sync refresh emit register "
    "encode decode flatten group score clamp round scale shift pack unpack hydrate prune expand apply "
    "select project join sort bucketize summarize estimate project_out derive check ensure prepare"
).split()
ADJS = (
    "raw clean daily weekly rolling recent pending active stale final partial total average median "
    "weighted adjusted expected projected home away upcoming historical live cached default primary"
).split()
DOMAINS = (
    "hoops rink gridiron diamond pitch court arena league tour circuit derby cup series playoff "
    "combine camp academy scouting ticketing betting fantasy broadcast replay tracking analytics"
).split()
FUNCS = (
    "phase_transition health_check grading_alert self_heal reconciliation stale_cleanup "
    "transition_monitor backfill_trigger daily_digest lineup_watch injury_feed odds_sync"
).split()
INCIDENTAL = (
    "# Retries pending requests from the in-memory queue; no HTTP library is involved.\n",
    "# Blob storage layout: <season>/<date>/<kind>.json (documentation only).\n",
    "# Mirrors the firestore document shape so fixtures stay comparable.\n",
    "# Numbers match the bigquery export of last season (see the wiki).\n",
    "# Events are replayed in pubsub order by the caller.\n",
)
TYPES = ("int", "float", "str", "bool", "Optional[str]", "List[int]", "Dict[str, Any]", "Optional[float]")
DEFAULTS = {"int": "0", "float": "0.0", "str": '""', "bool": "False", "Optional[str]": "None",
            "List[int]": "field(default_factory=list)", "Dict[str, Any]": "field(default_factory=dict)",
            "Optional[float]": "None"}


def camel(name):
    return "".join(p.capitalize() for p in name.split("_"))


class Names:
    """Identifier factory over one RNG."""

    def __init__(self, rng):
        self.r = rng
        self.used = set()

    def noun(self):
        return self.r.choice(NOUNS)

    def snake(self, parts=2):
        r = self.r
        words = [r.choice(ADJS) if r.random() < 0.3 else r.choice(NOUNS) for _ in range(parts - 1)]
        return "_".join(words + [r.choice(NOUNS)])

    def func(self):
        for _ in range(50):
            n = "%s_%s" % (self.r.choice(VERBS), self.snake(self.r.choice((1, 2, 2, 3))))
            if n not in self.used:
                self.used.add(n)
                return n
        n = "%s_%d" % (n, len(self.used))
        self.used.add(n)
        return n

    def cls(self, suffix=""):
        for _ in range(50):
            n = camel(self.snake(self.r.choice((2, 2, 3)))) + suffix
            if n not in self.used:
                self.used.add(n)
                return n
        n = "%s%d" % (n, len(self.used))
        self.used.add(n)
        return n

    def var(self):
        return self.snake(self.r.choice((1, 2, 2)))

    def const(self):
        return self.snake(self.r.choice((2, 3))).upper()


# ---------------------------------------------------------------------------------------------
# Client-free building blocks (filler). Each returns a chunk of module-level code ending in "\n\n\n"
# or, with `method=True`, a method body indented by four spaces inside a class.
# ---------------------------------------------------------------------------------------------
def f_transform(n):
    r = n.r
    a, b, c = n.var(), n.var(), n.noun()
    keys = [n.var() for _ in range(r.randint(3, 8))]
    body = "".join('        out["%s"] = row.get("%s", %s)\n' % (k, k, r.choice(("0", "None", '""', "0.0")))
                   for k in keys)
    return ('def %(f)s(rows: Iterable[Dict[str, Any]], %(a)s: int = %(n)d) -> List[Dict[str, Any]]:\n'
            '    """Return one normalised %(c)s dict per input row (at most ``%(a)s``)."""\n'
            '    result: List[Dict[str, Any]] = []\n'
            '    for i, row in enumerate(rows):\n'
            '        if i >= %(a)s:\n'
            '            break\n'
            '        out: Dict[str, Any] = {}\n'
            '%(body)s'
            '        out["%(b)s"] = i\n'
            '        result.append(out)\n'
            '    logger.debug("%(f)s: %%d rows", len(result))\n'
            '    return result\n\n\n') % dict(f=n.func(), a=a, b=b, c=c, n=r.randint(10, 5000), body=body)


def f_dataclass(n):
    r = n.r
    name = n.cls()
    fields = []
    seen = set()
    for _ in range(r.randint(4, 14)):
        v = n.var()
        if v in seen:
            continue
        seen.add(v)
        fields.append((v, r.choice(TYPES)))
    fields.sort(key=lambda f: "=" in DEFAULTS[f[1]] or "(" in DEFAULTS[f[1]])
    lines = "".join("    %s: %s = %s\n" % (v, t, DEFAULTS[t]) for v, t in fields)
    first = fields[0][0]
    return ('@dataclass\n'
            'class %(name)s:\n'
            '    """A %(noun)s as stored in the warehouse (one row per %(noun2)s)."""\n\n'
            '%(lines)s\n'
            '    def to_dict(self) -> Dict[str, Any]:\n'
            '        return {k: getattr(self, k) for k in self.__dataclass_fields__}\n\n'
            '    @classmethod\n'
            '    def from_dict(cls, data: Dict[str, Any]) -> "%(name)s":\n'
            '        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}\n'
            '        return cls(**known)\n\n'
            '    def key(self) -> str:\n'
            '        return f"{self.__class__.__name__}:{self.%(first)s}"\n\n\n'
            ) % dict(name=name, noun=n.noun(), noun2=n.noun(), lines=lines, first=first)


def f_class(n):
    r = n.r
    name = n.cls(r.choice(("", "Manager", "Builder", "Resolver", "Tracker", "Index")))
    attrs = [n.var() for _ in range(r.randint(2, 5))]
    init = "".join("        self.%s = %s\n" % (a, r.choice(("0", "None", "{}", "[]", '""'))) for a in attrs)
    methods = "".join(f_method(n, attrs) for _ in range(r.randint(2, 6)))
    return ('class %(name)s:\n'
            '    """Keeps %(noun)s state between calls; not thread-safe."""\n\n'
            '    def __init__(self, name: str, limit: int = %(lim)d) -> None:\n'
            '        self.name = name\n'
            '        self.limit = limit\n'
            '%(init)s\n'
            '%(methods)s'
            '    def __repr__(self) -> str:\n'
            '        return f"%(name)s(name={self.name!r}, limit={self.limit})"\n\n\n'
            ) % dict(name=name, noun=n.noun(), lim=r.randint(1, 1000), init=init, methods=methods)


def f_method(n, attrs):
    r = n.r
    a = r.choice(attrs)
    kind = r.randint(0, 3)
    f = n.func()
    if kind == 0:
        return ('    def %s(self, value: Any) -> bool:\n'
                '        """True when ``value`` is new for this %s."""\n'
                '        if value is None:\n'
                '            return False\n'
                '        key = str(value).strip().lower()\n'
                '        if isinstance(self.%s, dict):\n'
                '            if key in self.%s:\n'
                '                return False\n'
                '            self.%s[key] = value\n'
                '        return True\n\n') % (f, n.noun(), a, a, a)
    if kind == 1:
        return ('    def %s(self, items: Sequence[Any]) -> List[Any]:\n'
                '        ordered = sorted(items, key=lambda x: (str(x), len(str(x))))\n'
                '        return [x for x in ordered if x is not None][: self.limit]\n\n') % f
    if kind == 2:
        return ('    @property\n'
                '    def %s(self) -> int:\n'
                '        return len(self.%s) if self.%s else 0\n\n') % (f, a, a)
    return ('    def %s(self, delta: float = %0.2f) -> float:\n'
            '        total = 0.0\n'
            '        for step in range(self.limit):\n'
            '            total += delta * (step %% %d)\n'
            '            if total > %d:\n'
            '                break\n'
            '        return round(total, 3)\n\n') % (f, r.random() * 10, r.randint(2, 9), r.randint(100, 10000))


def f_try(n):
    r = n.r
    exc = r.choice(("ValueError", "KeyError", "TypeError", "OSError", "RuntimeError"))
    return ('def %(f)s(path: str, default: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:\n'
            '    """Read a JSON %(noun)s file, falling back to ``default``."""\n'
            '    try:\n'
            '        with open(path, encoding="utf-8") as handle:\n'
            '            data = json.load(handle)\n'
            '    except (%(exc)s, json.JSONDecodeError) as exc:\n'
            '        logger.warning("cannot read %%s: %%s", path, exc)\n'
            '        return dict(default or {})\n'
            '    else:\n'
            '        if not isinstance(data, dict):\n'
            '            raise %(exc)s(f"{path}: expected an object, got {type(data).__name__}")\n'
            '        return data\n'
            '    finally:\n'
            '        logger.debug("%(f)s done for %%s", path)\n\n\n') % dict(f=n.func(), noun=n.noun(), exc=exc)


def f_sql(n, method=False):
    r = n.r
    cols = ", ".join(n.var() for _ in range(r.randint(3, 9)))
    t1, t2 = n.var(), n.var()
    body = ('    """SQL for the %(noun)s rollup (parameters: @start_date, @end_date)."""\n'
            '    return f"""\n'
            '        WITH base AS (\n'
            '            SELECT %(cols)s, game_date\n'
            '            FROM `{%(proj)s}.%(ds)s.%(t1)s`\n'
            '            WHERE game_date BETWEEN @start_date AND @end_date\n'
            '        ),\n'
            '        ranked AS (\n'
            '            SELECT *, ROW_NUMBER() OVER (PARTITION BY %(part)s ORDER BY game_date DESC) AS rn\n'
            '            FROM base\n'
            '        )\n'
            '        SELECT r.*, t.%(col2)s\n'
            '        FROM ranked AS r\n'
            '        LEFT JOIN `{%(proj)s}.%(ds)s.%(t2)s` AS t USING (%(part)s)\n'
            '        WHERE rn <= %(k)d\n'
            '    """\n\n')
    d = dict(noun=n.noun(), cols=cols, ds=r.choice(("nba_raw", "nba_analytics", "nba_precompute")),
             t1=t1, t2=t2, part=n.var(), col2=n.var(), k=r.randint(1, 30),
             proj="self.project_id" if method else "project_id")
    if method:
        return ("    def %s(self) -> str:\n" % n.func()) + "\n".join(
            ("    " + l if l else l) for l in (body % d).split("\n"))
    return ("def %s(project_id: str) -> str:\n" % n.func()) + (body % d) + "\n"


def f_comprehension(n):
    r = n.r
    a = n.var()
    return ('def %(f)s(values: Dict[str, List[float]], %(a)s: float = %(t)0.2f) -> Dict[str, float]:\n'
            '    cleaned = {k: [v for v in vs if v is not None and v >= %(a)s] for k, vs in values.items()}\n'
            '    means = {k: sum(vs) / len(vs) for k, vs in cleaned.items() if vs}\n'
            '    ranked = sorted(means.items(), key=lambda kv: (-kv[1], kv[0]))\n'
            '    top = dict(ranked[:%(k)d])\n'
            '    return {k: round(v, %(p)d) for k, v in top.items()}\n\n\n'
            ) % dict(f=n.func(), a=a, t=r.random(), k=r.randint(3, 50), p=r.randint(1, 4))


def f_table(n):
    r = n.r
    name = n.const()
    rows = "".join('    "%s": (%d, %0.3f, "%s"),\n' % (n.var(), r.randint(0, 999), r.random(), n.noun())
                   for _ in range(r.randint(8, 60)))
    return '%s: Dict[str, Tuple[int, float, str]] = {\n%s}\n\n\n' % (name, rows)


def f_enum(n):
    r = n.r
    name = n.cls("Kind")
    members = []
    for _ in range(r.randint(3, 12)):
        m = n.var().upper()
        if m not in members:
            members.append(m)
    lines = "".join('    %s = "%s"\n' % (m, m.lower()) for m in members)
    return ('class %s(str, Enum):\n%s\n'
            '    @classmethod\n'
            '    def parse(cls, text: str) -> "%s":\n'
            '        return cls(text.strip().lower())\n\n\n') % (name, lines, name)


def f_async(n):
    return ('async def %(f)s(items: Sequence[str], limit: int = %(l)d) -> List[str]:\n'
            '    sem = asyncio.Semaphore(limit)\n\n'
            '    async def one(item: str) -> str:\n'
            '        async with sem:\n'
            '            await asyncio.sleep(0)\n'
            '            return item.upper()\n\n'
            '    return list(await asyncio.gather(*(one(i) for i in items)))\n\n\n'
            ) % dict(f=n.func(), l=n.r.randint(2, 64))


def f_generator(n):
    return ('def %(f)s(lines: Iterable[str], size: int = %(s)d) -> Iterator[List[str]]:\n'
            '    """Yield ``size``-long chunks of non-blank %(noun)s lines."""\n'
            '    chunk: List[str] = []\n'
            '    for line in lines:\n'
            '        line = line.rstrip("\\n")\n'
            '        if not line or line.startswith("#"):\n'
            '            continue\n'
            '        chunk.append(line)\n'
            '        if len(chunk) == size:\n'
            '            yield chunk\n'
            '            chunk = []\n'
            '    if chunk:\n'
            '        yield chunk\n\n\n') % dict(f=n.func(), s=n.r.randint(10, 1000), noun=n.noun())


def f_decorator(n):
    return ('def %(f)s(attempts: int = %(a)d, delay: float = %(d)0.1f) -> Callable[[Callable[..., Any]], Callable[..., Any]]:\n'
            '    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:\n'
            '        @functools.wraps(fn)\n'
            '        def inner(*args: Any, **kwargs: Any) -> Any:\n'
            '            last: Optional[BaseException] = None\n'
            '            for attempt in range(1, attempts + 1):\n'
            '                try:\n'
            '                    return fn(*args, **kwargs)\n'
            '                except Exception as exc:  # noqa: BLE001\n'
            '                    last = exc\n'
            '                    logger.info("%%s failed (attempt %%d/%%d)", fn.__name__, attempt, attempts)\n'
            '                    time.sleep(delay * attempt)\n'
            '            assert last is not None\n'
            '            raise last\n\n'
            '        return inner\n\n'
            '    return wrap\n\n\n') % dict(f=n.func(), a=n.r.randint(2, 6), d=n.r.random() * 3)


def f_validate(n):
    r = n.r
    checks = []
    for _ in range(r.randint(3, 10)):
        k = n.var()
        checks.append('    %s "%s" not in data:\n        errors.append("missing %s")\n'
                      % ("if" if not checks else "elif", k, k))
    return ('def %s(data: Dict[str, Any]) -> List[str]:\n'
            '    """Return the problems found in a %s payload (empty when valid)."""\n'
            '    errors: List[str] = []\n'
            '%s'
            '    for key, value in data.items():\n'
            '        if value is None:\n'
            '            errors.append(f"{key} is null")\n'
            '    return errors\n\n\n') % (n.func(), n.noun(), "".join(checks))


def f_namedtuple(n):
    r = n.r
    name = n.cls("Row")
    fields = []
    for _ in range(r.randint(2, 7)):
        v = n.var()
        if v not in [f for f, _ in fields]:
            fields.append((v, r.choice(("int", "float", "str"))))
    return "class %s(NamedTuple):\n%s\n\n" % (name, "".join("    %s: %s\n" % f for f in fields))


def f_doc(n):
    r = n.r
    para = " ".join(r.choice(NOUNS + VERBS + ADJS) for _ in range(r.randint(30, 120)))
    words = para.split()
    lines, cur = [], ""
    for w in words:
        if len(cur) + len(w) > 88:
            lines.append(cur)
            cur = w
        else:
            cur = (cur + " " + w).strip()
    lines.append(cur)
    doc = "".join("    %s\n" % l for l in lines)
    return ('def %s(value: float, lower: float = 0.0, upper: float = 1.0) -> float:\n'
            '    """Clamp ``value`` into [lower, upper].\n\n%s    """\n'
            '    if lower > upper:\n'
            '        lower, upper = upper, lower\n'
            '    return max(lower, min(upper, value))\n\n\n') % (n.func(), doc)


def f_csv(n):
    return ('def %(f)s(path: str, delimiter: str = ",") -> List[Dict[str, str]]:\n'
            '    with open(path, newline="", encoding="utf-8") as handle:\n'
            '        reader = csv.DictReader(handle, delimiter=delimiter)\n'
            '        rows = [dict(row) for row in reader]\n'
            '    seen: Set[str] = set()\n'
            '    unique = []\n'
            '    for row in rows:\n'
            '        key = row.get("%(k)s") or ""\n'
            '        if key in seen:\n'
            '            continue\n'
            '        seen.add(key)\n'
            '        unique.append(row)\n'
            '    return unique\n\n\n') % dict(f=n.func(), k=n.var())


def f_closure(n):
    return ('def %(f)s(weights: Dict[str, float]) -> Callable[[Dict[str, float]], float]:\n'
            '    total = sum(weights.values()) or 1.0\n\n'
            '    def score(features: Dict[str, float]) -> float:\n'
            '        return sum(features.get(k, 0.0) * w for k, w in weights.items()) / total\n\n'
            '    return score\n\n\n') % dict(f=n.func())


FILLERS = (f_transform, f_dataclass, f_class, f_try, f_sql, f_comprehension, f_table, f_enum, f_async,
           f_generator, f_decorator, f_validate, f_namedtuple, f_doc, f_csv, f_closure)
FILLER_W = (10, 8, 9, 7, 5, 6, 3, 3, 2, 4, 3, 6, 3, 4, 3, 4)

STD_HEADER = ("import asyncio\nimport csv\nimport functools\nimport json\nimport logging\nimport os\n"
              "import time\nfrom dataclasses import dataclass, field\nfrom enum import Enum\n"
              "from typing import Any, Callable, Dict, Iterable, Iterator, List, NamedTuple, Optional, "
              "Sequence, Set, Tuple\n")


def fill(n, parts, target, fillers=FILLERS, weights=FILLER_W):
    size = sum(len(p) for p in parts)
    r = n.r
    while size < target:
        chunk = r.choices(fillers, weights)[0](n)
        parts.append(chunk)
        size += len(chunk)
    return parts


SIZE_SCALE = 0.895  # calibrates the mean file size to about 13 KB


def target_size(r, median, sigma=0.9, cap=250_000):
    return min(cap, int(SIZE_SCALE * median * math.exp(r.gauss(0.0, sigma))))


def methods_fill(n, parts, target):
    """Pad a class with client-free methods (SQL builders and helpers), indented inside the class."""
    size = sum(len(p) for p in parts)
    while size < target:
        if n.r.random() < 0.4:
            chunk = f_sql(n, method=True)
        else:
            chunk = f_method(n, ["stats", "options", "cache"])
        parts.append(chunk)
        size += len(chunk)
    return parts


# ---------------------------------------------------------------------------------------------
# Fixed shared files (unit 0)
# ---------------------------------------------------------------------------------------------
POOLS = {
    "bigquery": ('"""Process-wide cache of BigQuery clients (the pool)."""\n\n'
                 "import logging\nimport threading\nfrom typing import Dict, Optional, Tuple\n\n"
                 "from google.cloud import bigquery\n\nlogger = logging.getLogger(__name__)\n\n"
                 "_lock = threading.Lock()\n"
                 "_clients: Dict[Tuple[Optional[str], Optional[str]], bigquery.Client] = {}\n\n\n"
                 "def get_bigquery_client(\n    project_id: Optional[str] = None, location: Optional[str] = None\n"
                 ") -> bigquery.Client:\n"
                 '    """Return the cached client for ``project_id``/``location``, creating it once."""\n'
                 "    key = (project_id, location)\n    client = _clients.get(key)\n"
                 "    if client is not None:\n        return client\n    with _lock:\n"
                 "        client = _clients.get(key)\n        if client is None:\n"
                 "            client = bigquery.Client(project=project_id, location=location)\n"
                 "            _clients[key] = client\n    return client\n\n\n"
                 "def clear_bigquery_pool() -> None:\n    with _lock:\n"
                 "        for cached in _clients.values():\n            cached.close()\n        _clients.clear()\n"),
    "http": ('"""Shared ``requests`` session with connection pooling and retries."""\n\n'
             "import threading\nfrom typing import Any, Optional\n\nimport requests\n"
             "from requests.adapters import HTTPAdapter\nfrom urllib3.util.retry import Retry\n\n"
             "DEFAULT_TIMEOUT = 30\n_session: Optional[requests.Session] = None\n_lock = threading.Lock()\n\n\n"
             "def _build_session() -> requests.Session:\n"
             "    retry = Retry(total=3, backoff_factor=0.5, status_forcelist=(429, 500, 502, 503, 504))\n"
             "    adapter = HTTPAdapter(pool_connections=10, pool_maxsize=20, max_retries=retry)\n"
             "    session = requests.Session()\n    session.mount(\"https://\", adapter)\n"
             "    session.mount(\"http://\", adapter)\n    return session\n\n\n"
             "def get_http_session() -> requests.Session:\n    global _session\n    if _session is None:\n"
             "        with _lock:\n            if _session is None:\n                _session = _build_session()\n"
             "    return _session\n\n\n"
             "def get(url: str, **kwargs: Any) -> requests.Response:\n"
             "    kwargs.setdefault(\"timeout\", DEFAULT_TIMEOUT)\n    return get_http_session().get(url, **kwargs)\n\n\n"
             "def post(url: str, **kwargs: Any) -> requests.Response:\n"
             "    kwargs.setdefault(\"timeout\", DEFAULT_TIMEOUT)\n    return get_http_session().post(url, **kwargs)\n"),
    "storage": ('"""Process-wide cache of Cloud Storage clients, one per project."""\n\n'
                "import threading\nfrom typing import Dict, Optional\n\nfrom google.cloud import storage\n\n"
                "_lock = threading.Lock()\n_clients: Dict[Optional[str], storage.Client] = {}\n\n\n"
                "def get_storage_client(project_id: Optional[str] = None) -> storage.Client:\n"
                "    with _lock:\n        if project_id not in _clients:\n"
                "            _clients[project_id] = storage.Client(project=project_id)\n"
                "        return _clients[project_id]\n"),
    "firestore": ('"""Process-wide cache of Firestore clients, one per project."""\n\n'
                  "import threading\nfrom typing import Dict, Optional\n\nfrom google.cloud import firestore\n\n"
                  "_lock = threading.Lock()\n_clients: Dict[Optional[str], firestore.Client] = {}\n\n\n"
                  "def get_firestore_client(project_id: Optional[str] = None) -> firestore.Client:\n"
                  "    with _lock:\n        if project_id not in _clients:\n"
                  "            _clients[project_id] = firestore.Client(project=project_id)\n"
                  "        return _clients[project_id]\n"),
    "pubsub": ('"""Process-wide Pub/Sub publisher."""\n\n'
               "import threading\nfrom typing import Optional\n\nfrom google.cloud import pubsub_v1\n\n"
               "_lock = threading.Lock()\n_publisher: Optional[pubsub_v1.PublisherClient] = None\n\n\n"
               "def get_pubsub_publisher() -> pubsub_v1.PublisherClient:\n    global _publisher\n"
               "    with _lock:\n        if _publisher is None:\n"
               "            _publisher = pubsub_v1.PublisherClient()\n    return _publisher\n"),
}

CONFIG_PY = ('"""Environment-driven settings shared by processors, exporters and Cloud Functions."""\n\n'
             "import os\n\n"
             'PROJECT_ID = os.environ.get("GCP_PROJECT", "example-project")\n'
             'REGION = os.environ.get("GCP_REGION", "us-west2")\n'
             'BQ_LOCATION = os.environ.get("BQ_LOCATION", "US")\n'
             'RAW_DATASET = "nba_raw"\nANALYTICS_DATASET = "nba_analytics"\n'
             'SCRAPER_SERVICE_URL = os.environ.get("SCRAPER_SERVICE_URL", "https://scrapers.example.run.app")\n'
             'SLACK_WEBHOOK_URL = os.environ.get("SLACK_WEBHOOK_URL", "")\n'
             'EXPORT_BUCKET = os.environ.get("EXPORT_BUCKET", f"{PROJECT_ID}-public-api")\n')

POOLIFY_YAML = """# poolify configuration of the generated benchmark corpus (scripts/gen_corpus.py).
categories:
  cloud_functions: ["orchestration/cloud_functions/*/main.py"]
  orchestration: ["orchestration/**"]
  grading: ["data_processors/grading/**"]
  precompute: ["data_processors/precompute/**"]
  analytics: ["data_processors/analytics/**"]
  publishing: ["data_processors/publishing/**"]
  raw_processors: ["data_processors/raw/**"]
  scrapers: ["scrapers/**"]
  shared: ["shared/**"]
  tests: ["tests/**"]
  libs: ["libs/**"]
"""


def shared_files():
    files = [("shared/__init__.py", '"""Shared helpers."""\n'),
             ("shared/config.py", CONFIG_PY),
             ("shared/clients/__init__.py",
              '"""Pooled clients. Never call ``bigquery.Client()`` directly: use the pools."""\n')]
    for name, text in POOLS.items():
        files.append(("shared/clients/%s_pool.py" % name, text))
    for top in ("orchestration", "scrapers", "data_processors", "tests", "libs"):
        files.append(("%s/__init__.py" % top, ""))
    for cat in CATEGORIES:
        files.append(("data_processors/%s/__init__.py" % cat, ""))
    return files


# ---------------------------------------------------------------------------------------------
# Files with client sites
# ---------------------------------------------------------------------------------------------
def cloud_function(n, dn, fname):
    r = n.r
    parts = ['"""%s for %s (Cloud Function, HTTP trigger)."""\n\n' % (fname.replace("_", " ").capitalize(), dn)]
    lazy = r.random() < 0.4
    uses_fs = r.random() < 0.5
    uses_ps = r.random() < 0.3
    uses_http = r.random() < 0.4
    pooled = r.random() < 0.1
    parts.append(STD_HEADER)
    if pooled:
        parts.append("\nfrom shared.clients import http_pool\n"
                     "from shared.clients.bigquery_pool import get_bigquery_client\n")
    elif not lazy:
        mods = ["bigquery"] + (["firestore"] if uses_fs else []) + (["pubsub_v1"] if uses_ps else [])
        parts.append("\nfrom google.cloud import %s\n" % ", ".join(mods))
    if uses_http and not pooled:
        parts.append("import requests\n")
    parts.append('\nlogger = logging.getLogger(__name__)\n\n'
                 'PROJECT_ID = os.environ.get("GCP_PROJECT", "example-project")\n'
                 'SLACK_WEBHOOK_URL = os.environ.get("SLACK_WEBHOOK_URL", "")\n'
                 'TOPIC = "%s-%s"\n\n\n' % (dn.replace("_", "-"), fname.replace("_", "-")))
    imp = "    from google.cloud import bigquery  # lazy: keeps cold start fast\n" if lazy else ""
    if pooled:
        parts.append('def _count_rows(table: str, game_date: str) -> int:\n'
                     '    client = get_bigquery_client(project_id=PROJECT_ID)\n'
                     '    query = f"SELECT COUNT(*) AS n FROM `{PROJECT_ID}.{table}` WHERE game_date = \'{game_date}\'"\n'
                     '    return next(iter(client.query(query).result())).n\n\n\n'
                     'def _notify(text: str) -> None:\n'
                     '    http_pool.post(SLACK_WEBHOOK_URL, json={"text": text}, timeout=10)\n\n\n')
    else:
        variant = r.randint(0, 5)
        if variant == 0:
            call = "bigquery.Client()"
        elif variant == 1:
            call = 'bigquery.Client(location="US")'
        elif variant == 2:
            call = "bigquery.Client(project=project_id)"
        elif variant == 3:
            call = "bigquery.Client(PROJECT_ID)"
        elif variant == 4:
            call = "bigquery.Client(\n        location=\"US\",\n    )"
        else:
            call = "bigquery.Client(project=PROJECT_ID, credentials=None)"
        parts.append('def _count_rows(table: str, game_date: str, project_id: str) -> int:\n'
                     '    """Rows of ``table`` for ``game_date``."""\n%s'
                     '    client = %s\n'
                     '    query = f"SELECT COUNT(*) AS n FROM `{project_id}.{table}` WHERE game_date = \'{game_date}\'"\n'
                     '    return next(iter(client.query(query).result())).n\n\n\n' % (imp, call))
        if r.random() < 0.3:
            parts.append('def _cleanup(table: str) -> None:\n%s'
                         '    with bigquery.Client() as client:\n'
                         '        client.query(f"DELETE FROM `{PROJECT_ID}.{table}` WHERE stale").result()\n\n\n' % imp)
        if r.random() < 0.3:
            parts.append('def _stale_rows(table: str) -> int:\n%s'
                         '    client = bigquery.Client(project=PROJECT_ID)\n'
                         '    try:\n'
                         '        return client.query(f"SELECT COUNT(*) FROM `{table}`").result().total_rows\n'
                         '    finally:\n'
                         '        client.close()\n\n\n' % imp)
        if uses_http:
            parts.append('def _notify(text: str) -> None:\n'
                         '    try:\n'
                         '        requests.post(SLACK_WEBHOOK_URL, json={"text": text}, timeout=10)\n'
                         '    except requests.exceptions.RequestException as exc:\n'
                         '        logger.warning("slack failed: %s", exc)\n\n\n')
    parts = fill(n, parts, target_size(r, 6500))
    body = ['def %s(request: Any) -> Tuple[str, int]:\n' % fname,
            '    """HTTP entry point."""\n']
    if lazy and not pooled:
        body.append("    from google.cloud import bigquery\n")
        if uses_fs:
            body.append("    from google.cloud import firestore\n")
        if uses_ps:
            body.append("    from google.cloud import pubsub_v1\n")
    body.append('    payload: Dict[str, Any] = request.get_json(silent=True) or {}\n'
                '    game_date = payload.get("game_date")\n'
                '    if not game_date:\n'
                '        return json.dumps({"error": "game_date required"}), 400\n'
                '    rows = _count_rows("nba_analytics.player_game_summary", game_date%s)\n'
                % ("" if pooled else ", PROJECT_ID"))
    if not pooled:
        if uses_fs:
            body.append('    db = firestore.Client(project=PROJECT_ID)\n'
                        '    db.collection("%s").document(game_date).set({"rows": rows}, merge=True)\n' % fname)
        if uses_ps:
            body.append('    publisher = pubsub_v1.PublisherClient()\n'
                        '    topic = publisher.topic_path(PROJECT_ID, TOPIC)\n'
                        '    publisher.publish(topic, json.dumps({"game_date": game_date}).encode())\n')
        body.append('    bq_client = bigquery.Client(location="US")\n'
                    '    bq_client.query(f"SELECT 1 FROM `{PROJECT_ID}.nba_orchestration.phase_transitions`").result()\n')
        if uses_http:
            body.append('    _notify(f"%s: {rows} rows for {game_date}")\n' % fname)
    else:
        body.append('    _notify(f"{rows} rows")\n')
    body.append('    return json.dumps({"status": "ok", "rows": rows}), 200\n')
    parts.append("".join(body))
    return "".join(parts)


def processor_base(n, dn, cat, base_cls):
    r = n.r
    variant = r.choices(("direct", "alias", "pooled"), (6, 2, 2))[0]
    parts = ['"""Base class for %s %s processors: extract, transform, load into BigQuery."""\n\n' % (dn, cat),
             STD_HEADER, "\n"]
    if variant == "alias":
        parts.append("from google.cloud import bigquery as bq\n")
        call, mod = "bq.Client(project=self.project_id)", "bq"
    elif variant == "pooled":
        parts.append("from google.cloud import bigquery\n\n"
                     "from shared.clients.bigquery_pool import get_bigquery_client\n")
        call, mod = "get_bigquery_client(project_id=self.project_id)", "bigquery"
    else:
        parts.append("from google.cloud import bigquery\n")
        call, mod = "bigquery.Client(project=self.project_id)", "bigquery"
    if cat == "publishing":
        parts.append("from google.cloud import storage\n")
    parts.append("\nfrom shared.config import PROJECT_ID\n\nlogger = logging.getLogger(__name__)\n\n\n")
    parts.append('class %s:\n'
                 '    """Template for %s processors; owns the BigQuery client and the load job."""\n\n'
                 '    table_name: str = ""\n'
                 '    dataset_id: str = "nba_%s"\n\n'
                 '    def __init__(self, project_id: str = PROJECT_ID) -> None:\n'
                 '        self.project_id = project_id\n'
                 '        self.bq_client = %s\n' % (base_cls, dn, cat, call))
    if cat == "publishing":
        parts.append('        self.gcs_client = storage.Client(project=project_id)\n')
    parts.append('        self.stats: Dict[str, Any] = {"rows": 0}\n'
                 '        self.options: Dict[str, Any] = {}\n'
                 '        self.cache: Dict[str, Any] = {}\n\n'
                 '    def transform_data(self, rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:\n'
                 '        raise NotImplementedError\n\n'
                 '    def save_data(self, rows: List[Dict[str, Any]]) -> int:\n'
                 '        table_id = f"{self.project_id}.{self.dataset_id}.{self.table_name}"\n'
                 '        job_config = %s.LoadJobConfig(write_disposition="WRITE_APPEND")\n'
                 '        self.bq_client.load_table_from_json(rows, table_id, job_config=job_config).result()\n'
                 '        self.stats["rows"] += len(rows)\n'
                 '        return len(rows)\n\n' % mod)
    methods_fill(n, parts, target_size(r, 9000))
    return "".join(parts)


def mixin(n, dn):
    parts = ['"""Run-history mixin: records each processor run in BigQuery."""\n\n', STD_HEADER,
             "\nfrom google.cloud import bigquery\n\n\n"
             "class RunHistoryMixin:\n"
             "    _run_history_client: \"Optional[bigquery.Client]\" = None\n\n"
             "    def _history_client(self) -> \"bigquery.Client\":\n"
             "        if self._run_history_client is None:\n"
             "            self._run_history_client = bigquery.Client(project=self.project_id)\n"
             "        return self._run_history_client\n\n"
             "    def record_run(self, status: str) -> None:\n"
             "        table = f\"{self.project_id}.nba_orchestration.processor_runs\"\n"
             "        self._history_client().insert_rows_json(table, [{\"status\": status}])\n\n"]
    methods_fill(n, parts, target_size(n.r, 5000))
    return "".join(parts)


def processor_sub(n, dn, cat, pkg, base_mod, base_cls, variant, rel=False, intermediate=False):
    """A subclass processor; `variant` picks the override pattern."""
    r = n.r
    cls = n.cls("Processor")
    parts = ['"""%s: %s %s rows for %s."""\n\n' % (cls, r.choice(ADJS), n.noun(), dn), STD_HEADER, "\n"]
    needs_bq = variant not in ("no_client", "docstring_only")
    if variant == "from_client":
        parts.append("from google.cloud.bigquery import Client, QueryJobConfig, ScalarQueryParameter\n")
    elif needs_bq:
        parts.append("from google.cloud import bigquery\n")
    parts.append("\n")
    if variant == "bare_global":
        parts.append("from shared.config import PROJECT_ID\n")
    alias = None
    if rel:
        parts.append("from .%s import %s\n" % (base_mod.rsplit(".", 1)[1], base_cls))
    elif variant == "alias_base" or (intermediate is False and r.random() < 0.15):
        alias = base_cls.replace("Base", "") + "Root"
        parts.append("from %s import %s as %s\n" % (base_mod, base_cls, alias))
    else:
        parts.append("from %s import %s\n" % (base_mod, base_cls))
    parent = alias or base_cls
    parts.append("\nlogger = logging.getLogger(__name__)\n\n\n")
    if intermediate:
        cls = base_cls.replace("Base", "") + "Intermediate" + cls
    doc = '    """Loads %s rows into ``%s``."""\n' % (n.noun(), n.var())
    if variant == "docstring_only":
        doc = ('    """Loads %s rows.\n\n    The override ``self.bq_client = bigquery.Client()`` was removed by hand:\n'
               '    the base class owns the client.\n    """\n' % n.noun())
    parts.append("class %s(%s):\n%s    table_name = \"%s\"\n\n" % (cls, parent, doc, n.var()))
    if variant == "after_super_bare" or variant == "bare_global":
        parts.append("    def __init__(self) -> None:\n        super().__init__()\n"
                     "        self.bq_client = bigquery.Client()\n        self.cache: Dict[str, Any] = {}\n\n")
    elif variant == "after_super_project":
        parts.append("    def __init__(self) -> None:\n        super().__init__()\n"
                     "        self.bq_client = bigquery.Client(project=self.project_id)\n\n")
    elif variant == "after_super_param":
        parts.append("    def __init__(self, project_id: str) -> None:\n        super().__init__(project_id)\n"
                     "        self.bq_client = bigquery.Client()\n\n")
    elif variant == "before_super":
        parts.append("    def __init__(self, project_id: str) -> None:\n"
                     "        self.bq_client = bigquery.Client(project=project_id)\n"
                     "        super().__init__(project_id)\n\n")
    elif variant == "no_super":
        parts.append("    def __init__(self, project_id: str) -> None:  # pylint: disable=super-init-not-called\n"
                     "        self.project_id = project_id\n        self.bq_client = bigquery.Client()\n"
                     "        self.stats: Dict[str, Any] = {\"rows\": 0}\n\n")
    elif variant == "from_client":
        parts.append("    def __init__(self, project_id: str) -> None:\n        super().__init__(project_id)\n"
                     "        self.bq_client = Client(project=project_id)\n"
                     "        self.job_config = QueryJobConfig(query_parameters=[ScalarQueryParameter(\"d\", \"DATE\", None)])\n\n")
    elif variant == "location_first":
        parts.append("    def __init__(self, location: str = \"US\") -> None:\n"
                     "        self.bq_client = bigquery.Client(location=location)\n"
                     "        self.project_id = os.environ.get(\"GCP_PROJECT\", \"example-project\")\n\n")
    elif variant == "ignored":
        parts.append("    def __init__(self) -> None:\n        super().__init__()\n"
                     "        self.bq_client = bigquery.Client(project=self.project_id)  # poolify: ignore[bigquery]\n\n")
    parts.append("    def transform_data(self, rows: List[Dict[str, Any]]) -> List[Dict[str, Any]]:\n"
                 "        return [dict(row, processed=True) for row in rows]\n\n"
                 "    def run_query(self, sql: str) -> List[Dict[str, Any]]:\n"
                 "        return [dict(row) for row in self.bq_client.query(sql).result()]\n\n")
    methods_fill(n, parts, target_size(r, 8000))
    return "".join(parts), cls


def scraper_base(n, dn):
    parts = ['"""Common plumbing for %s scrapers: one Session per scraper with its own headers."""\n\n' % dn,
             STD_HEADER, "\nimport requests\n\nlogger = logging.getLogger(__name__)\n\n\n"
             "class ScraperBase:\n    base_url: str = \"\"\n    headers: Dict[str, str] = {}\n\n"
             "    def __init__(self) -> None:\n        self.http = requests.Session()\n"
             "        self.http.headers.update(self.headers)\n        self.stats: Dict[str, Any] = {}\n"
             "        self.options: Dict[str, Any] = {}\n        self.cache: Dict[str, Any] = {}\n\n"
             "    def fetch(self, path: str) -> Dict[str, Any]:\n"
             "        response = self.http.get(self.base_url + path, timeout=30)\n"
             "        response.raise_for_status()\n        return response.json()\n\n"]
    methods_fill(n, parts, target_size(n.r, 7000))
    return "".join(parts)


def scraper(n, dn):
    r = n.r
    variant = r.choices(("plain", "alias", "param", "two", "pooled", "session_sub"), (4, 2, 2, 2, 1, 1))[0]
    url = "https://api.%s.example.com/v1/%s" % (dn.split("_")[0], n.var())
    parts = ['"""%s scraper (%s)."""\n\n' % (n.noun().capitalize(), url), STD_HEADER, "\n"]
    if variant == "alias":
        parts.append("import requests as rq\n")
    elif variant == "pooled":
        parts.append("from shared.clients.http_pool import get, post\n")
    elif variant == "session_sub":
        parts.append("from scrapers.%s.scraper_base import ScraperBase\n" % dn)
    else:
        parts.append("import requests\n")
    parts.append('\nfrom shared.config import SCRAPER_SERVICE_URL\n\nlogger = logging.getLogger(__name__)\n\n'
                 'API_URL = "%s"\nAPI_KEY = os.environ.get("%s_API_KEY", "")\n\n\n' % (url, dn.upper()))
    f = n.func()
    if variant == "plain":
        parts.append('def %s(game_date: str) -> Dict[str, Any]:\n'
                     '    response = requests.get(API_URL, params={"date": game_date}, headers={"x-api-key": API_KEY}, timeout=30)\n'
                     '    response.raise_for_status()\n    return response.json()\n\n\n' % f)
    elif variant == "alias":
        parts.append('def %s(game_date: str, per_page: int = 100) -> Iterator[Dict[str, Any]]:\n'
                     '    cursor = None\n    while True:\n'
                     '        params: Dict[str, Any] = {"date": game_date, "per_page": per_page}\n'
                     '        if cursor:\n            params["cursor"] = cursor\n'
                     '        response = rq.get(\n            API_URL,\n            headers={"Authorization": API_KEY},\n'
                     '            params=params,\n            timeout=20,\n        )\n'
                     '        if response.status_code == 429:\n'
                     '            raise rq.HTTPError("rate limit hit", response=response)\n'
                     '        body = response.json()\n        yield from body.get("data", [])\n'
                     '        cursor = body.get("meta", {}).get("next_cursor")\n        if not cursor:\n            return\n\n\n' % f)
    elif variant == "param":
        parts.append('def next_spec(requests: Dict[str, Dict[str, Any]], name: str) -> Optional[Dict[str, Any]]:\n'
                     '    """Here ``requests`` is the queue, not the HTTP library."""\n'
                     '    spec = requests.get(name)\n    if spec is not None:\n        del requests[name]\n    return spec\n\n\n'
                     'def %s(name: str, spec: Dict[str, Any]) -> bool:\n'
                     '    response = requests.post(\n        f"{SCRAPER_SERVICE_URL}/scrape",\n'
                     '        json={"scraper": name, **spec},\n        timeout=60,\n    )\n    return response.ok\n\n\n' % f)
    elif variant == "two":
        parts.append('def %s(sport: str) -> List[Dict[str, Any]]:\n'
                     '    events = requests.get(f"{API_URL}/{sport}/events", params={"apiKey": API_KEY}, timeout=30).json()\n'
                     '    out = []\n    for event in events:\n        try:\n'
                     '            odds = requests.get(f"{API_URL}/{sport}/events/{event[\'id\']}/odds", timeout=30)\n'
                     '            odds.raise_for_status()\n'
                     '        except requests.HTTPError as exc:\n'
                     '            logger.warning("odds for %%s failed: %%s", event.get("id"), exc)\n            continue\n'
                     '        out.append(odds.json())\n    return out\n\n\n' % f)
    elif variant == "pooled":
        parts.append('def %s(game_date: str) -> Dict[str, Any]:\n'
                     '    response = get(API_URL, params={"date": game_date})\n'
                     '    post(f"{SCRAPER_SERVICE_URL}/seen", json={"date": game_date})\n'
                     '    return response.json()\n\n\n' % f)
    else:
        parts.append('class %s(ScraperBase):\n    base_url = API_URL\n    headers = {"x-api-key": API_KEY}\n\n'
                     '    def run(self, game_date: str) -> Dict[str, Any]:\n'
                     '        return self.fetch(f"/games?date={game_date}")\n\n\n' % n.cls("Scraper"))
    fill(n, parts, target_size(r, 6000))
    return "".join(parts)


def test_file(n, targets):
    """Tests: mock.patch targets on processor modules, mocker.patch on scrapers, plain tests."""
    r = n.r
    parts = ['"""Unit tests (no network: clients are mocked)."""\n\n', STD_HEADER,
             "import unittest\nfrom unittest import mock\nfrom unittest.mock import patch\n\n"]
    style = r.choices(("decorator", "constant", "object", "mocker", "plain"), (4, 2, 1, 2, 3))[0]
    if style == "object":
        parts.append("from google.cloud import bigquery\n\n")
    tmod = r.choice(targets)
    if style == "constant":
        parts.append('PATCH_TARGET = "%s.bigquery.Client"\n\n' % tmod)
    parts.append("\nclass %sTest(unittest.TestCase):\n" % n.cls())
    if style == "decorator":
        parts.append('    @mock.patch("%s.bigquery.Client")\n'
                     '    def test_runs_one_query(self, client_cls: mock.MagicMock) -> None:\n'
                     '        client_cls.return_value.query.return_value.result.return_value = []\n'
                     '        self.assertEqual(client_cls.call_count, 0)\n\n'
                     '    @patch("%s.bigquery.Client")\n'
                     '    def test_again(self, client_cls: mock.MagicMock) -> None:\n'
                     '        self.assertIsNotNone(client_cls)\n\n' % (tmod, tmod))
    elif style == "constant":
        parts.append('    def test_tables(self) -> None:\n        with mock.patch(PATCH_TARGET) as client_cls:\n'
                     '            self.assertFalse(client_cls.called)\n\n')
    elif style == "object":
        parts.append('    def test_patch_object(self) -> None:\n'
                     '        with mock.patch.object(bigquery, "Client") as client_cls:\n'
                     '            self.assertFalse(client_cls.called)\n\n')
    elif style == "mocker":
        parts.append('    def test_http(self) -> None:\n'
                     '        with mock.patch("%s.requests.get") as get:\n'
                     '            get.return_value.json.return_value = {"data": []}\n'
                     '            self.assertFalse(get.called)\n\n' % r.choice(targets))
    for _ in range(r.randint(4, 40)):
        a, b = r.randint(0, 99), r.randint(0, 99)
        parts.append('    def test_%s(self) -> None:\n'
                     '        values = [%d, %d, %d]\n'
                     '        self.assertEqual(sorted(values)[0], min(values))\n'
                     '        self.assertIn(%d, values)\n'
                     '        self.assertTrue(all(isinstance(v, int) for v in values))\n\n'
                     % (n.func(), a, b, a + b, a))
    parts.append("\n\n")
    fill(n, parts, target_size(r, 5000))
    parts.append('\nif __name__ == "__main__":\n    unittest.main()\n')
    return "".join(parts)


def unrelated(n, kind):
    r = n.r
    parts = ['"""%s %s helpers."""\n\n' % (r.choice(ADJS).capitalize(), n.noun()), STD_HEADER,
             "\nlogger = logging.getLogger(__name__)\n\n\n"]
    if r.random() < 0.05:  # incidental trigger word in a comment: prefilter hits, nothing to do
        parts.insert(1, r.choice(INCIDENTAL))
    if kind == "models":
        fl, fw = (f_dataclass, f_enum, f_namedtuple, f_table, f_validate), (8, 2, 2, 1, 2)
        median = 8000
    elif kind == "core":  # long modules
        fl, fw = FILLERS, FILLER_W
        median = 20000
    else:
        fl, fw = FILLERS, FILLER_W
        median = 6500
    fill(n, parts, target_size(r, median, sigma=1.0 if kind == "core" else 0.8), fl, fw)
    return "".join(parts)


# Library modules that use a client (--site-share): (weight, import line, function template).
SITE_HELPERS = (
    (4, "from google.cloud import bigquery\n",
     'def %(f)s(project_id: str, day: str) -> List[Dict[str, Any]]:\n'
     '    """Rows of the %(noun)s table for one day."""\n'
     '    client = bigquery.Client(project=project_id)\n'
     '    sql = f"SELECT * FROM `{project_id}.nba_analytics.%(t)s` WHERE game_date = @day"\n'
     '    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("day", "DATE", day)])\n'
     '    return [dict(row) for row in client.query(sql, job_config=config).result()]\n\n\n'),
    (3, "import requests\n",
     'def %(f)s(url: str, timeout: float = %(to)d.0) -> Dict[str, Any]:\n'
     '    """Fetch one %(noun)s document."""\n'
     '    response = requests.get(url, timeout=timeout)\n'
     '    response.raise_for_status()\n'
     '    return response.json()\n\n\n'),
    (1, "from google.cloud import storage\n",
     'def %(f)s(bucket: str, name: str) -> bytes:\n'
     '    """Download one %(noun)s blob."""\n'
     '    client = storage.Client()\n'
     '    return client.bucket(bucket).blob(name).download_as_bytes()\n\n\n'),
    (1, "from google.cloud import firestore\n",
     'def %(f)s(project_id: str, key: str) -> Optional[Dict[str, Any]]:\n'
     '    """Read one %(noun)s document."""\n'
     '    db = firestore.Client(project=project_id)\n'
     '    snap = db.collection("%(t)s").document(key).get()\n'
     '    return snap.to_dict() if snap.exists else None\n\n\n'),
    (1, "from google.cloud import pubsub_v1\n",
     'def %(f)s(project_id: str, payload: bytes) -> str:\n'
     '    """Publish one %(noun)s event."""\n'
     '    publisher = pubsub_v1.PublisherClient()\n'
     '    topic = publisher.topic_path(project_id, "%(t)s")\n'
     '    return publisher.publish(topic, payload).result()\n\n\n'),
    (2, "from shared.clients.bigquery_pool import get_bigquery_client\n",
     'def %(f)s(project_id: str) -> int:\n'
     '    """Count the %(noun)s rows (pooled client)."""\n'
     '    client = get_bigquery_client(project_id=project_id)\n'
     '    rows = client.query("SELECT COUNT(*) AS n FROM `%(t)s`").result()\n'
     '    return next(iter(rows)).n\n\n\n'),
)
SITE_IMPORTS = tuple(imp for _, imp, _ in SITE_HELPERS)
# Measured with can_hold_site over 5,000 files (seed 1): the share of bytes in files that can hold a
# site with no --site-share, and the share of all bytes in library modules that cannot. The largest
# share --site-share reaches is their sum (every library module a client user).
BASE_SITE_SHARE = 0.20
LIBRARY_SHARE = 0.75
MAX_SITE_SHARE = 0.95


def with_site(text, n):
    """`text` (a library module) with one client-using helper: its import after the standard ones,
    the function at the end."""
    r = n.r
    _, imp, tmpl = r.choices(SITE_HELPERS, [w for w, _, _ in SITE_HELPERS])[0]
    fn = tmpl % dict(f=n.func(), noun=n.noun(), t=n.var(), to=r.randint(5, 60))
    return text.replace(STD_HEADER, STD_HEADER + imp, 1) + fn


def site_probability(share):
    """The chance that a library module becomes a client user, for a byte share `share` of files that
    can hold a site."""
    if share is None:
        return 0.0
    return max(0.0, min(1.0, (share - BASE_SITE_SHARE) / LIBRARY_SHARE))


# What poolify's prefilter looks for, per rule (rules/*.yaml): a trigger word and the last component
# of one of the rule's callables, both anywhere in the text. For --check's share only.
PREFILTER = (
    (("bigquery", "bigquery_pool"), ("Client", "get_bigquery_client")),
    (("requests", "http_pool"), ("get", "post", "put", "patch", "delete", "head", "options", "Session", "session",
                                 "get_http_session")),
    (("storage", "storage_pool"), ("Client", "get_storage_client")),
    (("firestore", "firestore_pool"), ("Client", "get_firestore_client")),
    (("pubsub", "pubsub_pool"), ("PublisherClient", "SubscriberClient", "get_pubsub_publisher",
                                 "get_pubsub_subscriber")),
)


def can_hold_site(text):
    return any(any(t in text for t in trig) and any(c in text for c in calls) for trig, calls in PREFILTER)


def small_init(n):
    r = n.r.random()
    if r < 0.5:
        return ""
    if r < 0.8:
        return '"""%s package."""\n' % n.noun().capitalize()
    return '"""%s package."""\n\n__all__ = ["%s", "%s"]\n' % (n.noun().capitalize(), n.var(), n.var())


# ---------------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------------
SUB_VARIANTS = ("after_super_bare", "bare_global", "after_super_project", "after_super_param", "before_super",
                "no_super", "no_client", "from_client", "alias_base", "location_first", "docstring_only",
                "ignored")
SUB_WEIGHTS = (3, 2, 3, 2, 2, 1, 4, 1, 2, 1, 1, 1)


def unit_files(seed, k, site_share=None):
    """The (relpath, text) pairs of unit k: exactly UNIT files."""
    rng = random.Random("poolify-corpus:%d:%d" % (seed, k))
    # --site-share draws from its own generator, so the rest of the unit stays the same bytes.
    site_p = site_probability(site_share)
    site_names = Names(random.Random("poolify-corpus-sites:%d:%d" % (seed, k))) if site_p else None
    n = Names(rng)
    dn = "%s_%04d" % (rng.choice(DOMAINS), k)
    cat = CATEGORIES[k % len(CATEGORIES)]
    files = []
    if k == 0:
        files.extend(shared_files())
    pdir = "data_processors/%s/%s" % (cat, dn)
    pmod = pdir.replace("/", ".")
    base_cls = camel(dn.split("_")[0]) + camel(cat) + "ProcessorBase"
    files.append((pdir + "/__init__.py", small_init(n)))
    files.append((pdir + "/%s_base.py" % dn, processor_base(n, dn, cat, base_cls)))
    files.append((pdir + "/run_history_mixin.py", mixin(n, dn)))
    targets = []
    for i in range(8):
        variant = rng.choices(SUB_VARIANTS, SUB_WEIGHTS)[0]
        mod = "%s_%s_processor" % (n.var(), i)
        text, _ = processor_sub(n, dn, cat, pdir, "%s.%s_base" % (pmod, dn), base_cls, variant,
                                rel=rng.random() < 0.2)
        files.append(("%s/%s.py" % (pdir, mod), text))
        targets.append("%s.%s" % (pmod, mod))
    # sub-package (sometimes a namespace package) with an intermediate base and grandchildren
    sub = "%s/%s" % (pdir, rng.choice(("mlb", "nhl", "wnba", "ncaa")))
    if rng.random() < 0.7:
        files.append((sub + "/__init__.py", small_init(n)))
    mid_cls = camel(dn.split("_")[0]) + "IntermediateBase"
    inter_text = ('"""Intermediate base for %s (no client of its own)."""\n\n%s\nfrom %s.%s_base import %s\n\n\n'
                  'class %s(%s):\n    sport = "%s"\n\n    def season_of(self, game_date: str) -> str:\n'
                  '        return game_date[:4]\n\n\n'
                  % (dn, STD_HEADER, pmod, dn, base_cls, mid_cls, base_cls, sub.rsplit("/", 1)[1]))
    files.append((sub + "/intermediate_base.py", "".join(fill(n, [inter_text], target_size(rng, 4000)))))
    for i in range(3):
        variant = rng.choices(SUB_VARIANTS, SUB_WEIGHTS)[0]
        text, _ = processor_sub(n, dn, cat, sub, sub.replace("/", ".") + ".intermediate_base", mid_cls, variant,
                                rel=rng.random() < 0.3, intermediate=True)
        files.append(("%s/%s_%d_processor.py" % (sub, n.var(), i), text))
    # scrapers
    sdir = "scrapers/%s" % dn
    files.append((sdir + "/__init__.py", small_init(n)))
    files.append((sdir + "/scraper_base.py", scraper_base(n, dn)))
    for i in range(5):
        mod = "%s_%d" % (n.var(), i)
        files.append(("%s/%s.py" % (sdir, mod), scraper(n, dn)))
        targets.append("scrapers.%s.%s" % (dn, mod))
    # cloud functions
    for i in range(3):
        fname = "%s_%d" % (rng.choice(FUNCS), k * 3 + i)
        files.append(("orchestration/cloud_functions/%s/main.py" % fname, cloud_function(n, dn, fname)))
    # tests
    for i in range(8):
        files.append(("tests/%s/test_%s_%d.py" % (dn, n.var(), i), test_file(n, targets)))
    # unrelated libraries fill the rest of the unit
    ldir = "libs/%s" % dn
    files.append((ldir + "/__init__.py", small_init(n)))
    kinds = ("utils", "models", "core")
    for kind in kinds:
        files.append(("%s/%s/__init__.py" % (ldir, kind), small_init(n)))
    i = 0
    while len(files) < UNIT:
        kind = kinds[i % 3]
        rel = "%s/%s/%s_%d.py" % (ldir, kind, n.var(), i)
        text = unrelated(n, kind)
        if site_names and site_names.r.random() < site_p:
            text = with_site(text, site_names)
        files.append((rel, text))
        i += 1
    assert len(files) == UNIT, (k, len(files))
    return files


def write_unit(args):
    seed, k, count, out, site_share = args
    total = 0
    made = set()
    for rel, text in unit_files(seed, k, site_share)[:count]:
        path = os.path.join(out, rel)
        d = os.path.dirname(path)
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        data = text.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        total += len(data)
    return total


def plan(files):
    units = []
    left = files
    k = 0
    while left > 0:
        units.append((k, min(UNIT, left)))
        left -= UNIT
        k += 1
    return units


def generate(files, seed, out, jobs, site_share=None):
    os.makedirs(out, exist_ok=True)
    if os.listdir(out):
        raise SystemExit("gen_corpus.py: %s is not empty (remove it or pick another --out)" % out)
    with open(os.path.join(out, "poolify.yaml"), "w", encoding="utf-8") as f:
        f.write(POOLIFY_YAML)
    work = [(seed, k, c, out, site_share) for k, c in plan(files)]
    if jobs > 1 and len(work) > 1:
        with multiprocessing.Pool(jobs) as pool:
            sizes = pool.map(write_unit, work, chunksize=4)
    else:
        sizes = [write_unit(w) for w in work]
    return sum(sizes)


# ---------------------------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------------------------
def check(out, seed, files, sample, site_share=None):
    py = []
    for root, dirs, names in os.walk(out):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".py"):
                py.append(os.path.join(root, name))
    total = sum(os.path.getsize(p) for p in py)
    problems = []
    if files is not None and len(py) != files:
        problems.append("expected %d .py files, found %d" % (files, len(py)))
    rng = random.Random(12345)
    chosen = py if len(py) <= sample else rng.sample(py, sample)
    for p in chosen:
        with open(p, "rb") as f:
            src = f.read()
        try:
            compile(src, p, "exec", dont_inherit=True)
        except SyntaxError as exc:
            problems.append("%s:%s: %s" % (p, exc.lineno, exc.msg))
    # determinism: regenerate the units of the sampled files in memory and compare bytes
    if seed is not None:
        by_unit = {}
        for k, c in plan(len(py)):
            by_unit[k] = c
        units = sorted(by_unit)
        for k in (units if len(units) <= 3 else [units[0], units[len(units) // 2], units[-1]]):
            for rel, text in unit_files(seed, k, site_share)[:by_unit[k]]:
                path = os.path.join(out, rel)
                try:
                    with open(path, "rb") as f:
                        if f.read() != text.encode("utf-8"):
                            problems.append("%s differs from a regeneration with seed %d" % (rel, seed))
                except OSError as exc:
                    problems.append("%s: %s" % (rel, exc))
    # trigger words must stay out of unrelated code except the incidental comments
    incidental = 0
    for p in chosen:
        if "/libs/" in p.replace(os.sep, "/"):
            with open(p, encoding="utf-8") as f:
                text = f.read()
            hits = [w for w in TRIGGERS if w in text]
            if hits:
                if any(line in text for line in INCIDENTAL) or any(imp in text for imp in SITE_IMPORTS):
                    incidental += 1
                else:
                    problems.append("%s: unexpected client word(s) %s" % (p, hits))
    # the share of bytes in files that can hold a site (the sample's)
    site_bytes = sample_bytes = 0
    for p in chosen:
        with open(p, encoding="utf-8") as f:
            text = f.read()
        sample_bytes += len(text)
        if can_hold_site(text):
            site_bytes += len(text)
    sizes = sorted(os.path.getsize(p) for p in py)
    print("files: %d, %.1f MB, average %.1f KB, median %.1f KB, max %.1f KB; compiled %d, "
          "unrelated with incidental client words or a client helper in the sample: %d; "
          "bytes in files that can hold a site: %.0f%% (sample)"
          % (len(py), total / 1e6, total / max(1, len(py)) / 1e3, sizes[len(sizes) // 2] / 1e3 if sizes else 0,
             sizes[-1] / 1e3 if sizes else 0, len(chosen), incidental, 100.0 * site_bytes / max(1, sample_bytes)))
    for p in problems[:20]:
        print("check: " + p, file=sys.stderr)
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=None, help="number of .py files (default 2216; 300 with --check and no --out)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", help="output folder (must not exist or be empty)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="generator processes (output does not depend on it)")
    ap.add_argument("--check", action="store_true",
                    help="self-check: compile() a sample, regenerate units to prove determinism, print sizes. "
                         "With --out of an existing corpus, checks it; without --out, generates a small one in a "
                         "temporary folder twice and compares")
    ap.add_argument("--sample", type=int, default=2000, help="files compiled by --check (default 2000)")
    ap.add_argument("--site-share", type=float, default=None, metavar="F",
                    help="share of the bytes in files that can hold a site, %.2f..%.2f (default: the base shape, "
                         "about %.2f; a real pipeline repo has about 0.6)" % (BASE_SITE_SHARE, MAX_SITE_SHARE,
                                                                               BASE_SITE_SHARE))
    a = ap.parse_args()

    if a.check and (not a.out or (os.path.isdir(a.out) and os.listdir(a.out))):
        if a.out:
            ok = check(a.out, a.seed, a.files, a.sample, a.site_share)
            sys.exit(0 if ok else 1)
        files = a.files or 300
        tmp = tempfile.mkdtemp(prefix="poolify-corpus-check-")
        try:
            one, two = os.path.join(tmp, "a"), os.path.join(tmp, "b")
            generate(files, a.seed, one, a.jobs, a.site_share)
            generate(files, a.seed, two, 1, a.site_share)
            ok = check(one, a.seed, files, max(a.sample, files), a.site_share)
            for root, _, names in os.walk(one):
                for name in names:
                    p = os.path.join(root, name)
                    q = os.path.join(two, os.path.relpath(p, one))
                    with open(p, "rb") as f, open(q, "rb") as g:
                        if f.read() != g.read():
                            print("check: %s differs between --jobs %d and --jobs 1" % (p, a.jobs), file=sys.stderr)
                            ok = False
            print("check: %s" % ("ok" if ok else "FAILED"))
            sys.exit(0 if ok else 1)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    if not a.out:
        ap.error("--out is required")
    files = a.files if a.files is not None else 2216
    if files < 1:
        ap.error("--files must be at least 1")
    t0 = time.time()
    if a.site_share is not None and not BASE_SITE_SHARE <= a.site_share <= MAX_SITE_SHARE:
        ap.error("--site-share must be between %.2f (the base shape) and %.2f (every library module uses a "
                 "client)" % (BASE_SITE_SHARE, MAX_SITE_SHARE))
    total = generate(files, a.seed, a.out, max(1, a.jobs), a.site_share)
    print("gen_corpus.py: %d files, %.1f MB (%.1f KB average) in %s, seed %d, %.1fs"
          % (files, total / 1e6, total / files / 1e3, a.out, a.seed, time.time() - t0), file=sys.stderr)
    if a.check:
        sys.exit(0 if check(a.out, a.seed, files, a.sample, a.site_share) else 1)


if __name__ == "__main__":
    main()
