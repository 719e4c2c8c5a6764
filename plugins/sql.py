"""The queries written out on hot paths (placing an order, a page of the
catalog): tables and columns as the models spell them, quoted for the default
database, and the cursor they run on."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.utils import CursorWrapper


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """The quoted column of the field ``name`` (its attname, or ``"pk"``)."""
    meta = model._meta
    field = meta.pk if name == "pk" else meta.get_field(name)
    return connection.ops.quote_name(field.column)


def columns(model: type[models.Model], *names: str) -> str:
    return ", ".join(column(model, name) for name in names)


class _KeptCursor(CursorWrapper):
    """Django's cursor wrapper (errors, execute wrappers), kept open after a
    ``with`` block for the connection's next hot statement."""

    def __init__(self, cursor, db):
        super().__init__(cursor, db)
        self.raw_connection = db.connection

    def __exit__(self, *exc_info):
        pass


def hot_cursor(using: str = DEFAULT_DB_ALIAS):
    """A cursor for the statements written out on hot paths.

    On PostgreSQL it binds its parameters on the server, so that the
    connection prepares each statement once it has run a few times
    (``prepare_threshold`` in the database's options) and PostgreSQL parses
    and plans it once per connection instead of on every order. Django's own
    cursors bind on the client and never prepare. One such cursor is kept per
    connection (an order runs about ten hot statements, and a cursor costs
    more to set up than to execute one): read a statement's rows before the
    next hot statement runs.

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
    db.close_if_health_check_failed()
    db.ensure_connection()
    kept = db.__dict__.get("_hot_cursor")
    if kept is None or kept.raw_connection is not db.connection or kept.closed:
        from django.db.backends.postgresql.base import ServerBindingCursor

        db.validate_thread_sharing()
        with db.wrap_database_errors:
            kept = db._hot_cursor = _KeptCursor(ServerBindingCursor(db.connection), db)
    return kept
