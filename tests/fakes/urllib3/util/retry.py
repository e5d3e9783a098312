"""Fake urllib3.util.retry: Retry keeps its settings."""
from typing import Any


class Retry:
    DEFAULT_ALLOWED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"})

    def __init__(self, total: Any = 10, connect: Any = None, read: Any = None, redirect: Any = None,
                 status: Any = None, backoff_factor: float = 0, status_forcelist: Any = None,
                 allowed_methods: Any = DEFAULT_ALLOWED_METHODS, raise_on_status: bool = True, **kwargs: Any) -> None:
        self.total, self.connect, self.read, self.redirect, self.status = total, connect, read, redirect, status
        self.backoff_factor, self.status_forcelist = backoff_factor, status_forcelist
        self.allowed_methods, self.raise_on_status = allowed_methods, raise_on_status
        self.other = kwargs
