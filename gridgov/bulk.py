"""Many rows updated in one statement, without Django's ``bulk_update``.

``bulk_update`` builds, per batch, a ``CASE WHEN id = … THEN …`` of every row for every
field: its query building dominated both places that update thousands of rows (4,900 grid
outlines: 9 s; the early-warning job over a year: 46 of 118 s on 30 days of the city
demo). One ``UPDATE … WHERE id = %s`` run by ``executemany`` does the same work in a
fraction of it, with values prepared by the fields themselves (PostgreSQL gets jsonb).
"""

from collections.abc import Iterable, Sequence

from django.db import connections, models, router


def update_rows(model: type[models.Model], objects: Iterable[models.Model], fields: Sequence[str]):
    """Write ``fields`` (names of concrete, non-key fields) of each of ``objects`` (saved
    instances of ``model``) to its row: no signals, no ``auto_now``, no version bump. The
    caller holds the transaction and, where rows may be contended, their locks."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "
        + ", ".join(f"{quote(field.column)} = %s" for field in columns)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objects
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
