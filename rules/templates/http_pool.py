"""One shared ``requests.Session`` per process: pooled connections, careful retries.

poolify rewrites ``requests.get(...)`` to ``get(...)``, ``requests.post(...)`` to ``post(...)``,
``requests.Session()`` to ``get_http_session()`` and ``requests.put/patch/delete/head/options/
request(...)`` to ``get_http_session().put(...)`` and so on, arguments unchanged. ``get`` and
``post`` take exactly the arguments of ``requests.get`` and ``requests.post``.

What is shared: one session, so keep-alive connections are reused across calls and threads (at
most POOL_MAXSIZE kept per host, for POOL_CONNECTIONS hosts). Nothing else is added: no default
headers, no default timeout (pass ``timeout=`` as with ``requests``, which waits forever without
one), no base URL. The session keeps no cookies between calls: a cookie one caller receives is
never sent on another caller's request (within one call, redirects still carry cookies as
``requests.get`` does). Code that relies on a session remembering cookies (a login) keeps its own.

Callers must not close the session and must not configure it (``headers``, ``auth``, ``mount``,
``proxies``, ``verify``, ``cookies``, ``hooks``, ...): every other user of the pool would get
the change. Pass such settings per request (``headers=``, ``auth=``, ...) or keep a session of
your own.

Retries (urllib3 ``Retry``), only for the idempotent methods GET, HEAD, OPTIONS, PUT and DELETE:
up to RETRIES times, with backoff, on connection errors (the request was not sent) and on 502,
503 and 504; after the last try the caller gets that response (``raise_on_status=False``).
POST and PATCH are never retried, not even on connection errors, which urllib3 would otherwise
retry for every method. ``Retry-After`` is not honoured (its wait could be unbounded), and 429
and 500 are returned at once. Read errors are never retried (``read=False``): a retried read
timeout would repeat a request the server may already be processing, and urllib3 reports a read
timeout that used up its read retries as ``MaxRetryError``, which ``requests`` raises as
``ConnectionError`` instead of ``ReadTimeout``. Even ``read=0`` does that for retryable methods,
so ``read=False`` is what keeps ``requests.exceptions.ReadTimeout`` exactly as ``requests.get``
raised it. Without a timeout, a connect that hangs is retried too (pass ``timeout=``).

Fork safety: a child made with ``os.fork`` starts with no session and a new lock, so it opens
its own connections instead of sharing the parent's sockets.

Tests: ``clear_cache()`` forgets the session; the next call builds a new one. It is not closed
(code still holding it keeps a working session).
"""

import logging
import os
import threading
from http.cookiejar import DefaultCookiePolicy
from typing import Optional

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

POOL_CONNECTIONS = 10  # hosts whose connections are kept
POOL_MAXSIZE = 20  # connections kept per host: at least the threads calling one host at once
RETRIES = 3  # tries after the first one, idempotent methods only
BACKOFF_FACTOR = 0.5  # seconds: urllib3 waits 0, 1, 2 s before the 1st, 2nd, 3rd retry
RETRY_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_session: Optional[requests.Session] = None


class _IdempotentRetry(Retry):
    """A ``Retry`` that never retries a method outside ``allowed_methods``, not even to connect."""

    def increment(self, method=None, *args, **kwargs):
        if method is None or method.upper() not in self.allowed_methods:
            return Retry(0, read=False).increment(method, *args, **kwargs)  # requests' own default
        return super().increment(method, *args, **kwargs)


def _build_session() -> requests.Session:
    retry = _IdempotentRetry(
        total=RETRIES, connect=RETRIES, read=False, status=RETRIES, other=0,
        allowed_methods=RETRY_METHODS, status_forcelist=RETRY_STATUSES,
        backoff_factor=BACKOFF_FACTOR, raise_on_status=False, respect_retry_after_header=False,
    )
    adapter = HTTPAdapter(pool_connections=POOL_CONNECTIONS, pool_maxsize=POOL_MAXSIZE, max_retries=retry)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # store no response cookie
    return session


def get_http_session() -> requests.Session:
    """The shared session, built on first use."""
    global _session
    session = _session
    if session is None:
        with _lock:
            session = _session  # another thread may have built it meanwhile
            if session is None:
                session = _session = _build_session()
                _log.info("pooled HTTP session")
    return session


def get(url, params=None, **kwargs) -> requests.Response:
    """``requests.get`` through the shared session: same arguments, same exceptions."""
    return get_http_session().get(url, params=params, **kwargs)


def post(url, data=None, json=None, **kwargs) -> requests.Response:
    """``requests.post`` through the shared session: same arguments, never retried."""
    return get_http_session().post(url, data=data, json=json, **kwargs)


def clear_cache() -> None:
    """Forget the session (for tests); the next call builds a new one. Nothing is closed."""
    global _session
    with _lock:
        _session = None


def _forget_after_fork() -> None:
    global _lock, _session
    _lock = threading.Lock()  # a thread of the parent may have held the old one at the fork
    _session = None


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_after_fork)
