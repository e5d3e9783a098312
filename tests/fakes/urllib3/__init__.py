"""Fake urllib3 (tests/fakes): only what the HTTP pools use (Retry)."""
from urllib3.util.retry import Retry

__all__ = ["Retry"]
