"""Shared Cloud Storage clients: one ``storage.Client`` per project_id per process.

poolify rewrites ``storage.Client(project=P)`` (or ``storage.Client(P)``) to
``get_storage_client(project_id=P)``; this module is what that call reaches.

What is shared: every caller in this process that asks for the same project_id gets the same
client object. It is built once, under a lock, even when many threads ask at the same moment,
and then reused. Buckets and blobs made from it share its HTTP connection pool.

Callers must not close the client (``client.close()``, ``with client:``) and must not configure
it (its HTTP session, credentials, batches left open, ...): every other user of the pool would
get the change. Code that needs a client of its own keeps ``storage.Client(...)``.

Missing arguments: ``project_id=None`` (or no project_id) means the default project, exactly as
for ``storage.Client()``: the ``GOOGLE_CLOUD_PROJECT`` environment variable (or the legacy
``GCLOUD_PROJECT``), else the project of the credentials ``google.auth.default()`` finds (the
``GOOGLE_APPLICATION_CREDENTIALS`` key file, gcloud's configured project, the metadata server
on Google Cloud). The pool then calls ``storage.Client()`` without ``project``: for this library
an explicit ``project=None`` means "no project at all", not "the default one", so code that
really wants a client without a project keeps its own. None is a key of its own: it does not
share the client of an explicit project id, even one naming the same project.

Fork safety: a child made with ``os.fork`` (multiprocessing's "fork" start method, pre-forking
servers) starts with an empty cache and a new lock, so it builds its own clients instead of
using connections and credentials that belong to the parent.

Tests: ``clear_cache()`` forgets every client; the next call builds a new one. Clients are not
closed (code still holding one keeps a working client).
"""

import logging
import os
import threading
from typing import Dict, Optional

from google.cloud import storage

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_clients: Dict[Optional[str], "storage.Client"] = {}


def get_storage_client(project_id: Optional[str] = None) -> "storage.Client":
    """The shared client for project_id, built on first use."""
    client = _clients.get(project_id)
    if client is None:
        with _lock:
            client = _clients.get(project_id)  # another thread may have built it meanwhile
            if client is None:
                client = storage.Client() if project_id is None else storage.Client(project=project_id)
                _clients[project_id] = client
                _log.info("pooled Cloud Storage client: project_id=%s", project_id)
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
