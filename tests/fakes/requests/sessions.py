"""Fake requests.sessions: Session records its construction and every request it would send.

Under FAKE_CLIENTS_STRICT=1 constructing a Session, or sending through one, raises
requests.exceptions.WouldReachNetwork (a ConnectionError), see fakeclients.py.
"""
from typing import Any, Dict

from fakeclients import Closing, record
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.exceptions import WouldReachNetwork
from requests.models import Response


class Session(Closing):
    def __init__(self) -> None:
        record("requests.Session", (), {}, WouldReachNetwork)
        self.headers: Dict[str, str] = {"User-Agent": "python-requests/2 (fake)"}
        self.adapters: Dict[str, BaseAdapter] = {"https://": HTTPAdapter(), "http://": HTTPAdapter()}
        self.auth = None
        self.proxies: Dict[str, str] = {}
        self.params: Dict[str, Any] = {}
        self.verify = True
        self.cookies: Dict[str, str] = {}
        self.hooks: Dict[str, Any] = {"response": []}
        self.max_redirects = 30
        self.trust_env = True

    def mount(self, prefix: str, adapter: BaseAdapter) -> None:
        self.adapters[prefix] = adapter

    def request(self, method: str, url: str, **kwargs: Any) -> Response:
        record(f"requests.Session.{method.lower()}", (url,), kwargs, WouldReachNetwork)
        return Response(url=url)

    def get(self, url: str, **kwargs: Any) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: str, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Response:
        return self.request("HEAD", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Response:
        return self.request("OPTIONS", url, **kwargs)


def session() -> Session:
    return Session()
