"""Fake google.cloud.bigquery (tests/fakes): Client, job configs, query parameters, schema fields.

Constructing a Client records the call and, under FAKE_CLIENTS_STRICT=1, raises
fakeclients.DefaultCredentialsError (see fakeclients.py).
"""
from typing import Any, Optional, Sequence

from google.cloud.bigquery.client import Client, QueryJob, Row, RowIterator, Table

__all__ = [
    "ArrayQueryParameter", "Client", "CreateDisposition", "DatasetReference", "LoadJobConfig", "QueryJob",
    "QueryJobConfig", "Row", "RowIterator", "ScalarQueryParameter", "SchemaField", "SourceFormat", "Table",
    "TableReference", "TimePartitioning", "WriteDisposition",
]


class _Config:
    """Job configurations keep their keyword arguments as attributes."""

    def __init__(self, **kwargs: Any) -> None:
        self.__dict__.update(kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__!r})"


class QueryJobConfig(_Config):
    pass


class LoadJobConfig(_Config):
    pass


class TimePartitioning(_Config):
    pass


class ScalarQueryParameter:
    def __init__(self, name: Optional[str], type_: str, value: Any) -> None:
        self.name, self.type_, self.value = name, type_, value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScalarQueryParameter) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"ScalarQueryParameter({self.name!r}, {self.type_!r}, {self.value!r})"


class ArrayQueryParameter(ScalarQueryParameter):
    def __init__(self, name: Optional[str], array_type: str, values: Sequence[Any]) -> None:
        super().__init__(name, array_type, list(values))


class SchemaField:
    def __init__(self, name: str, field_type: str, mode: str = "NULLABLE", description: Optional[str] = None,
                 fields: Sequence["SchemaField"] = ()) -> None:
        self.name, self.field_type, self.mode = name, field_type, mode
        self.description, self.fields = description, tuple(fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SchemaField) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"SchemaField({self.name!r}, {self.field_type!r}, mode={self.mode!r})"


class DatasetReference:
    def __init__(self, project: str, dataset_id: str) -> None:
        self.project, self.dataset_id = project, dataset_id

    def table(self, table_id: str) -> "TableReference":
        return TableReference(self, table_id)


class TableReference:
    def __init__(self, dataset_ref: DatasetReference, table_id: str) -> None:
        self.dataset_ref, self.table_id = dataset_ref, table_id

    def __str__(self) -> str:
        return f"{self.dataset_ref.project}.{self.dataset_ref.dataset_id}.{self.table_id}"


class WriteDisposition:
    WRITE_APPEND = "WRITE_APPEND"
    WRITE_TRUNCATE = "WRITE_TRUNCATE"
    WRITE_EMPTY = "WRITE_EMPTY"


class CreateDisposition:
    CREATE_IF_NEEDED = "CREATE_IF_NEEDED"
    CREATE_NEVER = "CREATE_NEVER"


class SourceFormat:
    NEWLINE_DELIMITED_JSON = "NEWLINE_DELIMITED_JSON"
    CSV = "CSV"
    PARQUET = "PARQUET"
