"""Shared BigQuery clients: one ``bigquery.Client`` per (project_id, location) per process.

poolify rewrites ``bigquery.Client(project=P, location=L)`` (or ``bigquery.Client(P)``) to
``get_bigquery_client(project_id=P, location=L)``; this module is what that call reaches.

What is shared: every caller in this process that asks for the same (project_id, location)
gets the same client object. It is built once, under a lock, even when many threads ask at
the same moment, and then reused. A BigQuery client is safe to use from several threads.

Callers must not close the client (``client.close()``, ``with client:``) and must not configure
it (its HTTP session, credentials, default job config, ...): every other user of the pool would
get the change. Code that needs a client of its own keeps ``bigquery.Client(...)``.

Missing arguments: ``project_id=None`` (or no project_id) means the default project, exactly as
for ``bigquery.Client()``: the ``GOOGLE_CLOUD_PROJECT`` environment variable (or the legacy
``GCLOUD_PROJECT``), else the project of the credentials ``google.auth.default()`` finds (the
``GOOGLE_APPLICATION_CREDENTIALS`` key file, gcloud's configured project, the metadata server
on Google Cloud). ``location=None`` means no default location: each job runs where its data is.
A None argument is not passed to the constructor at all, so the library's own default applies.
None is a key of its own: ``get_bigquery_client()`` does not share the client of an explicit
project id, even one naming the same project.

Fork safety: a child made with ``os.fork`` (multiprocessing's "fork" start method, pre-forking
servers) starts with an empty cache and a new lock, so it builds its own clients instead of
using connections and credentials that belong to the parent.

Tests: ``clear_cache()`` forgets every client; the next call builds a new one. Clients are not
closed (code still holding one keeps a working client).
"""

import logging
import os
import threading
from typing import Dict, Optional, Tuple

from google.cloud import bigquery

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_clients: Dict[Tuple[Optional[str], Optional[str]], "bigquery.Client"] = {}


def get_bigquery_client(
    project_id: Optional[str] = None, location: Optional[str] = None
) -> "bigquery.Client":
    """The shared client for (project_id, location), built on first use."""
    key = (project_id, location)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)  # another thread may have built it meanwhile
            if client is None:
                kwargs = {"project": project_id, "location": location}
                client = bigquery.Client(**{k: v for k, v in kwargs.items() if v is not None})
                _clients[key] = client
                _log.info("pooled BigQuery client: project_id=%s location=%s", project_id, location)
    return client


def clear_cache() -> None:
    """Forget every client (for tests); the next call builds a new one. Nothing is closed."""
    with _lock:
        _clients.clear()


def _forget_after_fork() -> None:
    global _lock
    _lock = threading.Lock()  # a thread of the parent may have held the old one at the fork
    _clients.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_after_fork)
