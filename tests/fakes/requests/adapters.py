"""Fake requests.adapters: HTTPAdapter keeps its settings, opens nothing."""
from typing import Any


class BaseAdapter:
    def close(self) -> None:
        return None


class HTTPAdapter(BaseAdapter):
    def __init__(self, pool_connections: int = 10, pool_maxsize: int = 10, max_retries: Any = 0,
                 pool_block: bool = False) -> None:
        self.pool_connections, self.pool_maxsize = pool_connections, pool_maxsize
        self.max_retries, self.pool_block = max_retries, pool_block
