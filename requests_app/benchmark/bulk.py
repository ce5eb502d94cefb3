"""Plain, fast inserts of many rows: COPY on PostgreSQL, executemany elsewhere.

bulk_create spends most of its time compiling SQL for every row (about 15 µs a row); the load generator inserts
millions of rows, so it prepares one statement per table and hands the database plain tuples. Values are adapted
as Django would (datetimes to UTC, JSON encoded) by the connection's own operations. Primary keys, where the
rows need them before they are inserted (to point other rows at them), are allocated here from the table's
current maximum, and the PostgreSQL sequences are moved past them afterwards (reset_sequences).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models


class Table:
    """Inserts rows (dicts of attname → Python value) into one model's table; missing fields get their default."""

    def __init__(self, model: type[models.Model], *, with_ids: bool = False) -> None:
        self.model = model
        pk = model._meta.pk
        fields = [field for field in model._meta.concrete_fields if with_ids or field is not pk]
        self.columns = [field.attname for field in fields]
        self.defaults = {field.attname: None if field is pk else field.get_default() for field in fields}
        self.adapters: list[tuple[int, Callable[[Any], Any]]] = []
        ops = connection.ops
        for index, field in enumerate(fields):
            if isinstance(field, models.DateTimeField):
                self.adapters.append((index, ops.adapt_datetimefield_value))
            elif isinstance(field, models.DateField):
                self.adapters.append((index, ops.adapt_datefield_value))
            elif isinstance(field, models.JSONField):
                self.adapters.append((index, lambda value: ops.adapt_json_value(value, None)))
        quoted = ", ".join(connection.ops.quote_name(field.column or field.attname) for field in fields)
        self.table = connection.ops.quote_name(model._meta.db_table)
        # Names from the model's metadata, quoted; the values are parameters.
        placeholders = ", ".join(["%s"] * len(fields))
        self.insert_sql = f"INSERT INTO {self.table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
        self.copy_sql = f"COPY {self.table} ({quoted}) FROM STDIN"
        self.next_id = 0
        if with_ids:
            self.next_id = (model._default_manager.aggregate(last=models.Max("pk"))["last"] or 0) + 1

    def allocate_id(self) -> int:
        """The id for the next row (ids go up from the table's largest when the Table was made)."""
        pk = self.next_id
        self.next_id += 1
        return pk

    def insert(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert the rows; returns how many."""
        columns, defaults, adapters = self.columns, self.defaults, self.adapters
        prepared = []
        for row in rows:
            values = [row.get(column, defaults[column]) for column in columns]
            for index, adapt in adapters:
                if values[index] is not None:
                    values[index] = adapt(values[index])
            prepared.append(values)
        if not prepared:
            return 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                cursor.executemany(self.insert_sql, prepared)
        return len(prepared)


def reset_sequences(models_with_ids: Iterable[type[models.Model]]) -> None:
    """Move the id sequences past the ids allocated here (PostgreSQL; SQLite's AUTOINCREMENT follows by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_with_ids))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
