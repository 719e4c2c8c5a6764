"""On SQLite too, stock movements cannot be changed or deleted in SQL: the
triggers of :mod:`plugins.stock.immutability` refuse what the PostgreSQL
trigger of ``0002_immutable_movements`` refuses."""

from django.db import migrations

from plugins.stock.immutability import create_sqlite_triggers, drop_sqlite_triggers


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            create_sqlite_triggers(cursor)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            drop_sqlite_triggers(cursor)


class Migration(migrations.Migration):
    dependencies = [("stock", "0003_reservation_live_holds_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
