"""Fake google.cloud.bigquery.client: a Client whose jobs return no rows (see fakeclients.py)."""
from typing import Any, Dict, Iterable, Iterator, List, Optional

from fakeclients import FakeClient


class Row(dict):
    """A result row: items by key or attribute."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class RowIterator:
    def __init__(self, rows: Iterable[Dict[str, Any]] = ()) -> None:
        self._rows = [Row(r) for r in rows]
        self.total_rows = len(self._rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)

    def to_dataframe(self) -> List[Row]:
        return list(self._rows)


class QueryJob:
    def __init__(self, query: str, job_config: Any = None) -> None:
        self.query = query
        self.job_config = job_config
        self.job_id = "fake-job"
        self.total_bytes_processed = 0
        self.num_dml_affected_rows = 0
        self.errors: Optional[List[Dict[str, Any]]] = None

    def result(self, *args: Any, **kwargs: Any) -> RowIterator:
        return RowIterator()

    def done(self) -> bool:
        return True


class Table:
    def __init__(self, table_ref: Any, schema: Any = None) -> None:
        self.reference = table_ref
        self.table_id = str(table_ref)
        self.schema = list(schema or [])
        self.num_rows = 0
        self.time_partitioning = None


class Client(FakeClient):
    RECORD_AS = "google.cloud.bigquery.Client"

    def __init__(self, project: Optional[str] = None, credentials: Any = None, location: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(project=project, credentials=credentials, location=location, **kwargs)
        self.location = location

    def query(self, query: str, job_config: Any = None, **kwargs: Any) -> QueryJob:
        return QueryJob(query, job_config)

    def get_table(self, table: Any) -> Table:
        return Table(table)

    def create_table(self, table: Any, exists_ok: bool = False) -> Any:
        return table

    def delete_table(self, table: Any, not_found_ok: bool = False) -> None:
        return None

    def insert_rows_json(self, table: Any, rows: Iterable[Dict[str, Any]], **kwargs: Any) -> List[Dict[str, Any]]:
        return []

    def load_table_from_json(self, rows: Iterable[Dict[str, Any]], destination: Any, job_config: Any = None,
                             **kwargs: Any) -> QueryJob:
        return QueryJob("LOAD", job_config)

    def load_table_from_uri(self, uri: str, destination: Any, job_config: Any = None, **kwargs: Any) -> QueryJob:
        return QueryJob("LOAD " + uri, job_config)

    def list_rows(self, table: Any, **kwargs: Any) -> RowIterator:
        return RowIterator()
