"""Shared Pub/Sub clients: one ``PublisherClient`` and one ``SubscriberClient`` per process.

poolify rewrites ``pubsub_v1.PublisherClient()`` to ``get_pubsub_publisher()`` and
``pubsub_v1.SubscriberClient()`` to ``get_pubsub_subscriber()``; this module is what those
calls reach. Only calls without arguments are rewritten: a client built with batch settings,
publisher options, credentials or client options stays the caller's own.

What is shared: every caller in this process gets the same publisher (and the same subscriber).
Each is built once, under a lock, even when many threads ask at the same moment, and then
reused. Both clients are safe to use from several threads; the publisher batches messages from
all callers in its background thread, and ``publish()`` returns a future: call ``.result()``
when the message must be sent before going on.

Callers must not close or stop a shared client (``publisher.stop()``, ``subscriber.close()``,
``with subscriber:``) and must not configure it: every other user of the pool would get the
change. Code that needs a client of its own keeps ``pubsub_v1.PublisherClient(...)``.

Missing arguments: there are none. Pub/Sub clients take no project (each topic and subscription
path names its project), so nothing is defaulted and nothing keys the cache but the kind of client.

Fork safety: a child made with ``os.fork`` (multiprocessing's "fork" start method, pre-forking
servers) starts with an empty cache and a new lock, so it builds its own clients: a gRPC channel
and the publisher's batching thread must not be used across a fork.

Tests: ``clear_cache()`` forgets both clients; the next call builds a new one. Clients are not
closed or stopped (code still holding one keeps a working client).
"""

import logging
import os
import threading
from typing import Any, Callable, Dict

from google.cloud import pubsub_v1

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_clients: Dict[str, Any] = {}


def _shared(kind: str, factory: Callable[[], Any]) -> Any:
    client = _clients.get(kind)
    if client is None:
        with _lock:
            client = _clients.get(kind)  # another thread may have built it meanwhile
            if client is None:
                client = factory()
                _clients[kind] = client
                _log.info("pooled Pub/Sub %s", kind)
    return client


def get_pubsub_publisher() -> "pubsub_v1.PublisherClient":
    """The shared publisher, built on first use."""
    return _shared("publisher", pubsub_v1.PublisherClient)


def get_pubsub_subscriber() -> "pubsub_v1.SubscriberClient":
    """The shared subscriber, built on first use."""
    return _shared("subscriber", pubsub_v1.SubscriberClient)


def clear_cache() -> None:
    """Forget both clients (for tests); the next call builds a new one. Nothing is closed."""
    with _lock:
        _clients.clear()


def _forget_after_fork() -> None:
    global _lock
    _lock = threading.Lock()  # a thread of the parent may have held the old one at the fork
    _clients.clear()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_after_fork)
