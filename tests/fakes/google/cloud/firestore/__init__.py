"""Fake google.cloud.firestore (tests/fakes): the same classes as google.cloud.firestore_v1."""
from google.cloud.firestore_v1 import (SERVER_TIMESTAMP, AsyncClient, Client, CollectionReference,
                                       DocumentReference, DocumentSnapshot)

__all__ = ["SERVER_TIMESTAMP", "AsyncClient", "Client", "CollectionReference", "DocumentReference",
           "DocumentSnapshot"]
