"""Shared Firestore clients: one ``firestore.Client`` per (project_id, database) per process.

poolify rewrites ``firestore.Client(project=P, database=D)`` (or ``firestore.Client(P)``) to
``get_firestore_client(project_id=P, database=D)``; this module is what that call reaches.

What is shared: every caller in this process that asks for the same (project_id, database) gets
the same client object. It is built once, under a lock, even when many threads ask at the same
moment, and then reused. A Firestore client (one gRPC channel) is safe to use from several threads.

Callers must not close the client (``client.close()``, ``with client:``) and must not configure
it (credentials, client options, ...): every other user of the pool would get the change. Code
that needs a client of its own keeps ``firestore.Client(...)``.

Missing arguments: ``project_id=None`` (or no project_id) means the default project, exactly as
for ``firestore.Client()``: the ``GOOGLE_CLOUD_PROJECT`` environment variable (or the legacy
``GCLOUD_PROJECT``), else the project of the credentials ``google.auth.default()`` finds (the
``GOOGLE_APPLICATION_CREDENTIALS`` key file, gcloud's configured project, the metadata server
on Google Cloud). ``database=None`` means the project's ``(default)`` database. A None argument
is not passed to the constructor at all, so the library's own default applies (and libraries
older than the ``database`` argument still work). None is a key of its own: it does not share
the client of an explicit value naming the same project or database.

Fork safety: a child made with ``os.fork`` (multiprocessing's "fork" start method, pre-forking
servers) starts with an empty cache and a new lock, so it builds its own clients: a gRPC channel
must not be used across a fork.

Tests: ``clear_cache()`` forgets every client; the next call builds a new one. Clients are not
closed (code still holding one keeps a working client).
"""

import logging
import os
import threading
from typing import Dict, Optional, Tuple

from google.cloud import firestore

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_clients: Dict[Tuple[Optional[str], Optional[str]], "firestore.Client"] = {}


def get_firestore_client(
    project_id: Optional[str] = None, database: Optional[str] = None
) -> "firestore.Client":
    """The shared client for (project_id, database), built on first use."""
    key = (project_id, database)
    client = _clients.get(key)
    if client is None:
        with _lock:
            client = _clients.get(key)  # another thread may have built it meanwhile
            if client is None:
                kwargs = {"project": project_id, "database": database}
                client = firestore.Client(**{k: v for k, v in kwargs.items() if v is not None})
                _clients[key] = client
                _log.info("pooled Firestore client: project_id=%s database=%s", project_id, database)
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
