"""Fake urllib3.util (tests/fakes)."""
from urllib3.util.retry import Retry

__all__ = ["Retry"]
