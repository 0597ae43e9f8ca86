"""Rows written in bulk without building model instances: for generators that write
millions of rows (``simulate.historygen``), where Django's per-object ``__init__`` and
per-field SQL preparation in ``bulk_create`` took most of the time (measured: 1.3 ms a
case with its nine rows, against 0.2 ms this way).

A ``Row`` holds values by field name (a foreign key as the related object, or its
``<name>_id``); a ``BulkInsert`` turns rows into one ``executemany`` INSERT with every
concrete column of the model, missing values taken from the fields' defaults, datetimes
and JSON adapted by the database backend as Django would. Primary keys are given here,
after the table's largest: call it only while nothing else inserts into the table (the
demo's setup, the benchmark), then ``reset_sequences`` so PostgreSQL's next id follows.
"""

import datetime as dt

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max


class Row:
    """A row to be: ``Row(title=…, grid=grid_obj)``; attributes are the field names."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def __repr__(self):
        return f"Row({self.__dict__!r})"


_DATETIME, _JSON, _FK, _PLAIN = range(4)


class BulkInsert:
    """``executemany`` INSERT of ``Row``s into ``model``'s table."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.pk = meta.pk
        self.specs = []
        for f in self.fields:
            if isinstance(f, models.ForeignKey):
                kind = _FK
            elif isinstance(f, models.DateTimeField):
                kind = _DATETIME
            elif isinstance(f, models.JSONField):
                kind = _JSON
            else:
                kind = _PLAIN
            self.specs.append((f.name, f.attname, kind, f.get_default()))
        columns = [self.pk.column, *(f.column for f in self.fields)]
        quote = connection.ops.quote_name
        self.sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )

    def next_id(self) -> int:
        return (self.model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1

    def insert(self, rows: list[Row]) -> None:
        """Give each row an ``id`` (after the table's largest) and insert them all."""
        if not rows:
            return
        ops = connection.ops
        adapt_dt, adapt_json = ops.adapt_datetimefield_value, ops.adapt_json_value
        if connection.vendor == "sqlite" and settings.USE_TZ:
            adapt_dt = _sqlite_datetime
        first = self.next_id()
        values = []
        for offset, row in enumerate(rows):
            row.id = first + offset
            data = row.__dict__
            out = [row.id]
            for name, attname, kind, default in self.specs:
                if kind == _FK:
                    if attname in data:
                        value = data[attname]
                    else:
                        related = data.get(name)
                        value = related.pk if related is not None else None
                elif name in data:
                    value = data[name]
                    if kind == _DATETIME:
                        value = adapt_dt(value)
                    elif kind == _JSON:
                        value = adapt_json(value, None)
                else:
                    value = default
                    if kind == _JSON:
                        value = adapt_json(value, None)
                out.append(value)
            values.append(out)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, values)


def _sqlite_datetime(value):
    """What Django's SQLite backend stores for an aware datetime (naive UTC, ``str``),
    without its per-call look-ups."""
    if value is None:
        return None
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def reset_sequences(*model_classes) -> None:
    """Move PostgreSQL's id sequences past the ids given here (nothing to do on SQLite,
    whose AUTOINCREMENT follows the largest id)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
