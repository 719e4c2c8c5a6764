"""The queries written out on hot paths (placing an order, a page of the
catalog): tables and columns as the models spell them, quoted for the default
database, and the cursor they run on."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """The quoted column of the field ``name`` (its attname, or ``"pk"``)."""
    meta = model._meta
    field = meta.pk if name == "pk" else meta.get_field(name)
    return connection.ops.quote_name(field.column)


def columns(model: type[models.Model], *names: str) -> str:
    return ", ".join(column(model, name) for name in names)


def hot_cursor(using: str = DEFAULT_DB_ALIAS):
    """A cursor for the statements written out on hot paths.

    On PostgreSQL it binds its parameters on the server, so that the
    connection prepares each statement once it has run a few times
    (``prepare_threshold`` in the database's options) and PostgreSQL parses
    and plans it once per connection instead of on every order. Django's own
    cursors bind on the client and never prepare.

    It is Django's cursor on other databases, with prepared statements turned
    off (behind a proxy that pools connections per transaction), and while
    Django logs queries (``DEBUG``, a test capturing them): the log then shows
    each statement with its values, as for every other query."""
    db = connections[using]
    if (
        db.vendor != "postgresql"
        or db.settings_dict["OPTIONS"].get("prepare_threshold") is None
        or db.queries_logged
    ):
        return db.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        return db.make_cursor(ServerBindingCursor(db.connection))
