"""Fake google.cloud.pubsub_v1 (tests/fakes): PublisherClient, SubscriberClient, types.

Constructing a client records the call and, under FAKE_CLIENTS_STRICT=1, raises
fakeclients.DefaultCredentialsError (see fakeclients.py). Published messages are kept on the client.
"""
from typing import Any, Callable, Dict, List, Tuple

from fakeclients import FakeClient
from google.cloud.pubsub_v1 import types

__all__ = ["PublisherClient", "SubscriberClient", "types"]


class Future:
    def __init__(self, value: str) -> None:
        self._value = value

    def result(self, timeout: Any = None) -> str:
        return self._value

    def done(self) -> bool:
        return True

    def add_done_callback(self, callback: Callable[["Future"], Any]) -> None:
        callback(self)


class PublisherClient(FakeClient):
    RECORD_AS = "google.cloud.pubsub_v1.PublisherClient"

    def __init__(self, batch_settings: Any = (), publisher_options: Any = (), **kwargs: Any) -> None:
        super().__init__(batch_settings=batch_settings, publisher_options=publisher_options, **kwargs)
        self.published: List[Tuple[str, bytes, Dict[str, str]]] = []

    @staticmethod
    def topic_path(project: str, topic: str) -> str:
        return f"projects/{project}/topics/{topic}"

    def publish(self, topic: str, data: bytes, ordering_key: str = "", **attrs: str) -> Future:
        self.published.append((topic, data, attrs))
        return Future(str(len(self.published)))


class SubscriberClient(FakeClient):
    RECORD_AS = "google.cloud.pubsub_v1.SubscriberClient"

    @staticmethod
    def subscription_path(project: str, subscription: str) -> str:
        return f"projects/{project}/subscriptions/{subscription}"

    def pull(self, request: Any = None, **kwargs: Any) -> Any:
        return types.PubsubMessage()

    def acknowledge(self, request: Any = None, **kwargs: Any) -> None:
        return None

    def subscribe(self, subscription: str, callback: Callable[..., Any], **kwargs: Any) -> Future:
        return Future(subscription)
