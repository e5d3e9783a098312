"""Fake google.cloud.firestore_v1.client: collections and documents kept in memory (see fakeclients.py)."""
from typing import Any, Dict, Iterator, List, Optional

from fakeclients import FakeClient

SERVER_TIMESTAMP = object()


class DocumentSnapshot:
    def __init__(self, reference: "DocumentReference", data: Optional[Dict[str, Any]]) -> None:
        self.reference, self._data = reference, data
        self.id = reference.id
        self.exists = data is not None

    def to_dict(self) -> Optional[Dict[str, Any]]:
        return dict(self._data) if self._data is not None else None

    def get(self, field: str) -> Any:
        return (self._data or {}).get(field)


class DocumentReference:
    def __init__(self, collection: "CollectionReference", doc_id: str) -> None:
        self.collection, self.id = collection, doc_id
        self.path = f"{collection.id}/{doc_id}"

    def set(self, data: Dict[str, Any], merge: bool = False) -> None:
        base = self.collection.docs.get(self.id, {}) if merge else {}
        self.collection.docs[self.id] = {**base, **data}

    def update(self, data: Dict[str, Any]) -> None:
        self.collection.docs.setdefault(self.id, {}).update(data)

    def get(self, **kwargs: Any) -> DocumentSnapshot:
        return DocumentSnapshot(self, self.collection.docs.get(self.id))

    def delete(self) -> None:
        self.collection.docs.pop(self.id, None)


class CollectionReference:
    def __init__(self, client: Any, collection_id: str) -> None:
        self.client, self.id = client, collection_id
        self.docs: Dict[str, Dict[str, Any]] = {}

    def document(self, doc_id: str = "auto") -> DocumentReference:
        return DocumentReference(self, doc_id)

    def where(self, *args: Any, **kwargs: Any) -> "CollectionReference":
        return self

    def limit(self, count: int) -> "CollectionReference":
        return self

    def order_by(self, *args: Any, **kwargs: Any) -> "CollectionReference":
        return self

    def stream(self) -> Iterator[DocumentSnapshot]:
        return iter([DocumentSnapshot(DocumentReference(self, k), v) for k, v in sorted(self.docs.items())])

    def get(self) -> List[DocumentSnapshot]:
        return list(self.stream())


class Client(FakeClient):
    RECORD_AS = "google.cloud.firestore.Client"

    def __init__(self, project: Optional[str] = None, credentials: Any = None, database: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(project=project, credentials=credentials, database=database, **kwargs)
        self.database = database
        self._collections: Dict[str, CollectionReference] = {}

    def collection(self, collection_id: str) -> CollectionReference:
        return self._collections.setdefault(collection_id, CollectionReference(self, collection_id))

    def document(self, path: str) -> DocumentReference:
        collection_id, _, doc_id = path.partition("/")
        return self.collection(collection_id).document(doc_id)


class AsyncClient(Client):
    RECORD_AS = "google.cloud.firestore.AsyncClient"
