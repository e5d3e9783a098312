"""Fake requests 2.x (tests/fakes): the request functions, Session, Response, exceptions, adapters.

No network: see requests/api.py and requests/sessions.py for what is recorded and what raises under
FAKE_CLIENTS_STRICT=1.
"""
from requests import adapters, api, exceptions, models, sessions
from requests.api import delete, get, head, options, patch, post, put, request
from requests.exceptions import (ConnectionError, ConnectTimeout, HTTPError, JSONDecodeError, ReadTimeout,
                                 RequestException, Timeout, TooManyRedirects)
from requests.models import Response
from requests.sessions import Session, session

__version__ = "2.31.0"

__all__ = [
    "ConnectTimeout", "ConnectionError", "HTTPError", "JSONDecodeError", "ReadTimeout", "RequestException",
    "Response", "Session", "Timeout", "TooManyRedirects", "adapters", "api", "delete", "exceptions", "get",
    "head", "models", "options", "patch", "post", "put", "request", "session", "sessions",
]
