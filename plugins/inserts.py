"""Inserting the rows written on every order without compiling each INSERT.

``bulk_create`` has the ORM compile its statement on every call: for an order,
its lines, its event, its audit entry and its reservation, that compiling
costs more CPU than the database spends writing them. :func:`insert` builds
the statement once per model, number of rows and database, and reuses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, TypeVar

from django.db import connections, models, router

from plugins.sql import hot_cursor

M = TypeVar("M", bound=models.Model)

_statements: dict[tuple, tuple[str, list[models.Field]]] = {}
_columns: dict[tuple, list] = {}
#: More rows go through ``bulk_create`` (which batches them).
MAX_ROWS = 100

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


def _statement(model, rows: int, using: str):
    """The INSERT of ``rows`` rows of ``model`` and its fields, or ("", [])
    where ``bulk_create`` must do it (too many rows, a model it does not
    fit)."""
    if rows > MAX_ROWS:
        return "", []
    key = (model, rows, using)
    found = _statements.get(key)
    if found is not None:
        return found
    connection = connections[using]
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    plain = (
        meta.auto_field is not None
        and connection.features.can_return_rows_from_bulk_insert
        and not any(
            field.generated
            or field.has_db_default()
            or hasattr(field, "get_placeholder")
            for field in fields
        )
    )
    if not plain:
        found = _statements[key] = ("", [])
        return found
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    columns = ", ".join(quote(field.column) for field in fields)
    returning = quote(meta.auto_field.column)
    # Names from the model; the values are parameters.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
    sql += f"{', '.join([row] * rows)} RETURNING {returning}"
    found = _statements[key] = (sql, fields)
    return found


def insert(objs: Sequence[M]) -> Sequence[M]:
    """Insert ``objs`` (new instances of one model) in one statement and set
    their primary keys: what ``bulk_create`` does (no ``save()``, no signals),
    from a statement built once. Models it does not fit (no auto primary key,
    database defaults, generated or custom-placeholder fields, a database that
    cannot return the keys) go through ``bulk_create``."""
    if not objs:
        return objs
    model = type(objs[0])
    using = router.db_for_write(model, instance=objs[0])
    sql, fields = _statement(model, len(objs), using)
    if not sql:
        return model._base_manager.using(using).bulk_create(objs)
    connection = connections[using]
    columns = _columns_of(model, fields, connection)
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
        params.extend(
            column.param(
                column.field.pre_save(obj, True)
                if column.pre_save
                else getattr(obj, column.attname),
                connection,
            )
            for column in columns
        )
    with hot_cursor(using) as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    attname = model._meta.auto_field.attname
    for obj, (pk,) in zip(objs, keys, strict=True):
        setattr(obj, attname, pk)
        obj._state.adding = False
        obj._state.db = using
    return objs


def insert_rows(model: type[M], rows: Sequence[dict]) -> list:
    """Insert ``rows`` of ``model`` (``{attname: value}``; the fields left out
    take their defaults) and return their primary keys: :func:`insert`
    without building an instance per row, for rows nobody reads back (an
    audit entry). Values are stored as given: no ``pre_save()``, so an
    ``auto_now`` field must be given."""
    if not rows:
        return []
    using = router.db_for_write(model)
    sql, fields = _statement(model, len(rows), using)
    if not sql:
        objs = model._base_manager.using(using).bulk_create(
            [model(**row) for row in rows]
        )
        return [obj.pk for obj in objs]
    connection = connections[using]
    columns = _columns_of(model, fields, connection)
    names = {column.attname for column in columns}
    params = []
    for row in rows:
        unknown = row.keys() - names
        if unknown:
            raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}.")
        params.extend(
            column.param(
                row[column.attname]
                if column.attname in row
                else column.field.get_default(),
                connection,
            )
            for column in columns
        )
    with hot_cursor(using) as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]
