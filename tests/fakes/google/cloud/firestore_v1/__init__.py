"""Fake google.cloud.firestore_v1 (tests/fakes): Client, AsyncClient, documents and collections.

Constructing a client records the call and, under FAKE_CLIENTS_STRICT=1, raises
fakeclients.DefaultCredentialsError (see fakeclients.py).
"""
from google.cloud.firestore_v1.client import (SERVER_TIMESTAMP, AsyncClient, Client, CollectionReference,
                                              DocumentReference, DocumentSnapshot)

__all__ = ["SERVER_TIMESTAMP", "AsyncClient", "Client", "CollectionReference", "DocumentReference",
           "DocumentSnapshot"]
