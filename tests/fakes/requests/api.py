"""Fake requests.api: module-level request functions.

Each records the call (fakeclients.record) and, under FAKE_CLIENTS_STRICT=1, raises
requests.exceptions.WouldReachNetwork (a ConnectionError); otherwise it returns a 200 Response.
"""
from typing import Any

from fakeclients import record
from requests.exceptions import WouldReachNetwork
from requests.models import Response


def request(method: str, url: str, **kwargs: Any) -> Response:
    record(f"requests.{method.lower()}", (url,), kwargs, WouldReachNetwork)
    return Response(url=url)


def get(url: str, params: Any = None, **kwargs: Any) -> Response:
    return request("GET", url, params=params, **kwargs)


def options(url: str, **kwargs: Any) -> Response:
    return request("OPTIONS", url, **kwargs)


def head(url: str, **kwargs: Any) -> Response:
    return request("HEAD", url, **kwargs)


def post(url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
    return request("POST", url, data=data, json=json, **kwargs)


def put(url: str, data: Any = None, **kwargs: Any) -> Response:
    return request("PUT", url, data=data, **kwargs)


def patch(url: str, data: Any = None, **kwargs: Any) -> Response:
    return request("PATCH", url, data=data, **kwargs)


def delete(url: str, **kwargs: Any) -> Response:
    return request("DELETE", url, **kwargs)
