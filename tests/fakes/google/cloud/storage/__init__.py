"""Fake google.cloud.storage (tests/fakes): Client, Bucket, Blob.

Constructing a Client records the call and, under FAKE_CLIENTS_STRICT=1, raises
fakeclients.DefaultCredentialsError (see fakeclients.py).
"""
from google.cloud.storage.client import Blob, Bucket, Client

__all__ = ["Blob", "Bucket", "Client"]
