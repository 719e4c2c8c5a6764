"""Names for the queries written out on hot paths (placing an order, a page of
the catalog): tables and columns as the models spell them, quoted for the
default database."""

from __future__ import annotations

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """The quoted column of the field ``name`` (its attname, or ``"pk"``)."""
    meta = model._meta
    field = meta.pk if name == "pk" else meta.get_field(name)
    return connection.ops.quote_name(field.column)


def columns(model: type[models.Model], *names: str) -> str:
    return ", ".join(column(model, name) for name in names)
