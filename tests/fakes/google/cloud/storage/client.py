"""Fake google.cloud.storage.client: buckets and blobs kept in memory (see fakeclients.py)."""
from typing import Any, Dict, Iterator, Optional

from fakeclients import FakeClient


class Blob:
    def __init__(self, name: str, bucket: "Bucket") -> None:
        self.name, self.bucket = name, bucket
        self.content_type: Optional[str] = None
        self.metadata: Dict[str, str] = {}

    @property
    def public_url(self) -> str:
        return f"https://storage.googleapis.com/{self.bucket.name}/{self.name}"

    def upload_from_string(self, data: Any, content_type: Optional[str] = None, **kwargs: Any) -> None:
        self.content_type = content_type
        self.bucket.objects[self.name] = data.encode("utf-8") if isinstance(data, str) else bytes(data)

    def upload_from_filename(self, filename: str, content_type: Optional[str] = None, **kwargs: Any) -> None:
        with open(filename, "rb") as handle:
            self.upload_from_string(handle.read(), content_type=content_type)

    def download_as_bytes(self, **kwargs: Any) -> bytes:
        return self.bucket.objects.get(self.name, b"")

    def download_as_text(self, encoding: str = "utf-8", **kwargs: Any) -> str:
        return self.download_as_bytes().decode(encoding)

    def exists(self, **kwargs: Any) -> bool:
        return self.name in self.bucket.objects

    def delete(self, **kwargs: Any) -> None:
        self.bucket.objects.pop(self.name, None)


class Bucket:
    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name
        self.objects: Dict[str, bytes] = {}

    def blob(self, name: str, **kwargs: Any) -> Blob:
        return Blob(name, self)

    def get_blob(self, name: str, **kwargs: Any) -> Optional[Blob]:
        return Blob(name, self) if name in self.objects else None

    def list_blobs(self, prefix: Optional[str] = None, **kwargs: Any) -> Iterator[Blob]:
        return iter([Blob(n, self) for n in sorted(self.objects) if n.startswith(prefix or "")])


class Client(FakeClient):
    RECORD_AS = "google.cloud.storage.Client"

    def __init__(self, project: Optional[str] = None, credentials: Any = None, **kwargs: Any) -> None:
        super().__init__(project=project, credentials=credentials, **kwargs)
        self._buckets: Dict[str, Bucket] = {}

    def bucket(self, name: str, **kwargs: Any) -> Bucket:
        return self._buckets.setdefault(name, Bucket(self, name))

    def get_bucket(self, name: str, **kwargs: Any) -> Bucket:
        return self.bucket(name)

    def list_blobs(self, bucket: Any, prefix: Optional[str] = None, **kwargs: Any) -> Iterator[Blob]:
        bucket = bucket if isinstance(bucket, Bucket) else self.bucket(bucket)
        return bucket.list_blobs(prefix=prefix)
