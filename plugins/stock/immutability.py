"""Database triggers that keep stock movements immutable.

On PostgreSQL the trigger of migration ``0002_immutable_movements`` refuses
them; on SQLite the triggers below do the same: any ``UPDATE`` that touches
something other than the links Django clears when a variant or a user is
deleted (``variant_id``, ``user_id`` set to NULL) and any ``DELETE`` abort with
an ``IntegrityError``, whatever path issued them (a plain ``QuerySet``, the
base manager, raw SQL).

SQLite has no ``TRUNCATE``: emptying the table (``manage.py flush``, which
runs ``DELETE FROM``) needs the triggers dropped first and created again
after (:func:`drop_sqlite_triggers`, :func:`create_sqlite_triggers`).
"""

from __future__ import annotations

TABLE = "stock_stockmovement"

#: Columns that never change once a movement is written.
FROZEN_COLUMNS = (
    "id",
    "warehouse_id",
    "sku",
    "kind",
    "quantity",
    "on_hand_after",
    "reason",
    "reference_type",
    "reference",
    "created_at",
)
#: Links Django may only clear (``on_delete=SET_NULL``).
CLEARABLE_COLUMNS = ("variant_id", "user_id")

SQLITE_TRIGGERS = ("stock_movement_no_update", "stock_movement_no_delete")


def _update_condition() -> str:
    changed = [f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_COLUMNS]
    changed += [
        f"(NEW.{c} IS NOT OLD.{c} AND NEW.{c} IS NOT NULL)" for c in CLEARABLE_COLUMNS
    ]
    return "\n    OR ".join(changed)


SQLITE_CREATE = (
    f"""CREATE TRIGGER IF NOT EXISTS stock_movement_no_update
BEFORE UPDATE ON {TABLE} FOR EACH ROW
WHEN {_update_condition()}
BEGIN SELECT RAISE(ABORT, 'stock movements are immutable: no update'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS stock_movement_no_delete
BEFORE DELETE ON {TABLE} FOR EACH ROW
BEGIN SELECT RAISE(ABORT, 'stock movements are immutable: no delete'); END""",
)

SQLITE_DROP = tuple(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS)


def create_sqlite_triggers(cursor) -> None:
    for statement in SQLITE_CREATE:
        cursor.execute(statement)


def drop_sqlite_triggers(cursor) -> None:
    for statement in SQLITE_DROP:
        cursor.execute(statement)
