"""Writing thousands of new rows at once with PostgreSQL's ``COPY``: the
catalog import's products, variants, revisions and audit entries.

``bulk_create`` sends the rows as one array parameter per column, and on
PostgreSQL psycopg quotes those arrays value by value: for a revision (a JSON
document full of quotes) that quoting costs more than the database spends
writing the row. ``COPY … FROM STDIN`` (psycopg's ``Cursor.copy()``, reached
through Django's cursor) sends the rows as data. On a 100,000-row catalog
import it took PostgreSQL from 0.37× to 0.56× of the raw ``bulk_create``
ceiling (tests/benchmarks/import_catalog.py). Elsewhere (SQLite) and for
models it does not fit, the functions here are ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)

_columns: dict[tuple, list] = {}

# Values that Django's own fields store as they are: for these exact types
# ``get_db_prep_save()`` hands the value back unchanged, so the rows skip it.
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    **dict.fromkeys(
        (models.CharField, models.TextField, models.SlugField, models.EmailField),
        (str,),
    ),
    **dict.fromkeys(
        (
            models.IntegerField,
            models.SmallIntegerField,
            models.BigIntegerField,
            models.PositiveIntegerField,
            models.PositiveSmallIntegerField,
            models.PositiveBigIntegerField,
            models.AutoField,
            models.BigAutoField,
        ),
        (int,),
    ),
    models.BooleanField: (bool,),
}
# Fields whose NULL is None as it is (not JSON's ``null``).
_NONE_AS_IS = (*_AS_IS, models.DateTimeField, models.DateField, models.DecimalField)


class _Column(NamedTuple):
    """How a row's value for ``field`` becomes a parameter."""

    field: models.Field
    attname: str
    #: whether the field's ``pre_save()`` changes the value (auto_now …)
    pre_save: bool
    #: the value types stored as they are
    as_is: tuple[type, ...]
    #: whether None is stored as it is
    none_as_is: bool

    def param(self, value, connection):
        if (value is None and self.none_as_is) or type(value) in self.as_is:
            return value
        return self.field.get_db_prep_save(value, connection=connection)


def _column(field: models.Field) -> _Column:
    kind = type(field.target_field) if field.is_relation else type(field)
    if field.is_relation and type(field) is not models.ForeignKey:
        kind = None
    plain_pre_save = type(field).pre_save is models.Field.pre_save or (
        isinstance(field, models.DateField)
        and not (field.auto_now or field.auto_now_add)
    )
    return _Column(
        field,
        field.attname,
        not plain_pre_save,
        _AS_IS.get(kind, ()),
        kind in _NONE_AS_IS,
    )


def _columns_of(model, fields, connection) -> list[_Column]:
    key = (model, connection.alias)
    found = _columns.get(key)
    if found is None:
        found = _columns[key] = [_column(field) for field in fields]
    return found


def _prepare_as_bulk_create_does(obj: models.Model) -> None:
    """What ``bulk_create`` does to each instance before writing it: a
    related object assigned before it was saved gives its key now, and an
    unsaved one is refused. Django has no public API for it; this is the
    one place the project calls it (tests/plugins/test_copying.py)."""
    obj._prepare_related_fields_for_save(operation_name="insert")


def _mark_saved_as_bulk_create_does(obj: models.Model, using: str) -> None:
    """What ``bulk_create`` sets on each instance it wrote: no longer being
    added, and the database it lives in (a later ``save()`` updates it, related
    lookups go to that database). Django has no public API for it."""
    obj._state.adding = False
    obj._state.db = using


def _copies(connection, model) -> bool:
    """Whether rows of ``model`` go through COPY on ``connection``."""
    meta = model._meta
    return (
        connection.vendor == "postgresql"
        and meta.auto_field is not None
        and not any(
            field.generated or field.has_db_default() for field in meta.concrete_fields
        )
    )


def _copy(connection, model, count: int, rows) -> list:
    """COPY ``count`` rows of ``model`` and return their keys, taken from the
    table's sequence: ``rows`` yields each row's values, its fields but the
    primary key in the model's order."""
    meta = model._meta
    auto = meta.auto_field
    fields = [field for field in meta.concrete_fields if field is not auto]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in [auto, *fields])
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
            "FROM generate_series(1, %s)",
            [quote(meta.db_table), auto.column, count],
        )
        keys = sorted(pk for (pk,) in cursor.fetchall())
        # Names from the model; the rows are data, never SQL.
        statement = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"
        with cursor.copy(statement) as copy:
            write_row = copy.write_row
            for pk, values in zip(keys, rows, strict=True):
                write_row([pk, *values])
    return keys


def copy_insert(objs: Sequence[M]) -> Sequence[M]:
    """Insert many new instances of one model (thousands) and set their
    primary keys: what ``bulk_create`` does (no ``save()``, no signals;
    ``pre_save()`` applies), the fastest way the database has.

    On PostgreSQL the rows go through ``COPY … FROM STDIN`` (psycopg's
    ``Cursor.copy()``, reached through Django's cursor), their keys taken
    from the table's sequence first: ``bulk_create`` sends the rows as one
    array parameter per column, and quoting those arrays (a JSON document is
    full of quotes) costs more than the database spends writing the rows.
    Django's query log shows the COPY statement (not its rows). Elsewhere,
    and for models it does not fit (no auto primary key, database defaults,
    generated fields), ``bulk_create``."""
    if not objs:
        return objs
    model = type(objs[0])
    using = router.db_for_write(model, instance=objs[0])
    connection = connections[using]
    if not _copies(connection, model):
        return model._base_manager.using(using).bulk_create(objs)
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    columns = _columns_of(model, fields, connection)

    def rows():
        for obj in objs:
            _prepare_as_bulk_create_does(obj)
            values = []
            for field, attname, pre_save, as_is, none_as_is in columns:
                value = field.pre_save(obj, True) if pre_save else getattr(obj, attname)
                if (value is None and none_as_is) or type(value) in as_is:
                    values.append(value)
                else:
                    values.append(field.get_db_prep_save(value, connection=connection))
            yield values

    keys = _copy(connection, model, len(objs), rows())
    attname = meta.auto_field.attname
    for obj, pk in zip(objs, keys, strict=True):
        setattr(obj, attname, pk)
        _mark_saved_as_bulk_create_does(obj, using)
    return objs


def copy_rows(model: type[M], rows: Sequence[dict]) -> list:
    """Insert many ``rows`` of ``model`` (``{attname: value}``; the fields left
    out take their defaults) and return their primary keys: what
    :func:`copy_insert` does, without an instance per row, for rows nobody
    reads back (revisions, audit entries). Values are stored as given: no
    ``pre_save()``, so an ``auto_now`` field must be given."""
    if not rows:
        return []
    using = router.db_for_write(model)
    connection = connections[using]
    if not _copies(connection, model):
        objs = model._base_manager.using(using).bulk_create(
            [model(**row) for row in rows]
        )
        return [obj.pk for obj in objs]
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    columns = _columns_of(model, fields, connection)
    names = {column.attname for column in columns}

    def values_of():
        defaults = {}
        for row in rows:
            unknown = row.keys() - names
            if unknown:
                raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}.")
            values = []
            for field, attname, _pre_save, as_is, none_as_is in columns:
                if attname in row:
                    value = row[attname]
                elif attname in defaults:
                    value = defaults[attname]
                else:
                    value = defaults[attname] = field.get_default()
                if (value is None and none_as_is) or type(value) in as_is:
                    values.append(value)
                else:
                    values.append(field.get_db_prep_save(value, connection=connection))
            yield values

    return _copy(connection, model, len(rows), values_of())
