"""Fake google.cloud.pubsub (tests/fakes): the same clients as google.cloud.pubsub_v1."""
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient, types

__all__ = ["PublisherClient", "SubscriberClient", "types"]
