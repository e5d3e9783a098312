"""Fake google.cloud.pubsub_v1.types: settings and message types as plain records."""
from typing import Any, Dict, NamedTuple, Optional


class BatchSettings(NamedTuple):
    max_bytes: int = 1000000
    max_latency: float = 0.01
    max_messages: int = 100


class PublisherOptions(NamedTuple):
    enable_message_ordering: bool = False
    flow_control: Any = None


class FlowControl(NamedTuple):
    max_messages: int = 1000
    max_bytes: int = 100 * 1024 * 1024


class PubsubMessage:
    def __init__(self, data: bytes = b"", attributes: Optional[Dict[str, str]] = None, message_id: str = "",
                 **kwargs: Any) -> None:
        self.data, self.attributes, self.message_id = data, dict(attributes or {}), message_id
