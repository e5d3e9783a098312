"""The registry behind the fake third-party packages in tests/fakes.

Put tests/fakes first on sys.path and `google.cloud.bigquery`, `google.cloud.storage`,
`google.cloud.firestore`, `google.cloud.pubsub_v1`, `requests` and `urllib3.util.retry` are these fakes:
no network, no credentials, standard library only. Every client or session constructor and every
module-level request function calls `record()`:

- the call is appended to `CALLS` (name, args, kwargs), so a test or a checker can see what was built;
- with the environment variable FAKE_CLIENTS_STRICT=1 it then raises, as the real library would
  without credentials or network: `DefaultCredentialsError` for Google clients, a
  `requests.exceptions.ConnectionError` for HTTP. A test whose mock.patch no longer intercepts the
  construction fails this way instead of silently passing.

Without the variable, constructors succeed and return inert fakes, so code that builds clients at
import time imports exactly as it did with the real libraries.
"""
import os
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

STRICT_ENV = "FAKE_CLIENTS_STRICT"


class Call(NamedTuple):
    name: str
    args: Tuple[Any, ...]
    kwargs: Dict[str, Any]


CALLS: List[Call] = []


class DefaultCredentialsError(Exception):
    """What google.auth raises when no credentials are found (google.auth.exceptions.DefaultCredentialsError)."""


def strict() -> bool:
    return os.environ.get(STRICT_ENV) == "1"


def record(name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any], error: Optional[type] = None) -> None:
    """Remember the call; under FAKE_CLIENTS_STRICT=1 raise `error` (default DefaultCredentialsError)."""
    CALLS.append(Call(name, tuple(args), dict(kwargs)))
    if strict():
        what = "network" if error is not None else "credentials"
        raise (error or DefaultCredentialsError)(
            f"{name}() would reach real {what} ({STRICT_ENV}=1: patch it in the test)")


def calls(name: Optional[str] = None) -> List[Call]:
    return [c for c in CALLS if name is None or c.name == name]


def reset() -> None:
    CALLS.clear()


class Closing:
    """close() and the context-manager protocol: a `with` block closes the object."""

    closed = False

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> "Closing":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class FakeClient(Closing):
    """Base of the fake Google clients: records its construction, keeps its keyword arguments."""

    RECORD_AS = "google.cloud.Client"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        record(self.RECORD_AS, args, kwargs)
        self.project = kwargs.get("project", args[0] if args else None)
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return f"<fake {self.RECORD_AS} project={self.project!r}>"
