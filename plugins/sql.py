"""The one way queries written out by hand (the guarded stock update, the
catalog page's reads) name tables and columns: as the models spell them,
quoted for the default database. They run on Django's cursor
(``connection.cursor()``), like every other query."""

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
