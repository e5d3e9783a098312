"""Fake requests.models: a Response that needs no connection."""
import json as _json
from typing import Any, Dict, Iterator, Optional

from fakeclients import Closing
from requests.exceptions import HTTPError, JSONDecodeError


class Response(Closing):
    def __init__(self, status_code: int = 200, content: bytes = b"{}", url: str = "",
                 headers: Optional[Dict[str, str]] = None) -> None:
        self.status_code, self.content, self.url = status_code, content, url
        self.headers = dict(headers or {"Content-Type": "application/json"})
        self.encoding = "utf-8"
        self.reason = "OK" if status_code < 400 else "Error"
        self.elapsed = None

    @property
    def text(self) -> str:
        return self.content.decode(self.encoding or "utf-8")

    @property
    def ok(self) -> bool:
        return self.status_code < 400

    def json(self, **kwargs: Any) -> Any:
        try:
            return _json.loads(self.text, **kwargs)
        except ValueError as exc:
            raise JSONDecodeError(str(exc)) from exc

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise HTTPError(f"{self.status_code} {self.reason} for url: {self.url}", response=self)

    def iter_content(self, chunk_size: int = 1, decode_unicode: bool = False) -> Iterator[bytes]:
        for i in range(0, len(self.content), max(1, chunk_size)):
            yield self.content[i:i + chunk_size]
