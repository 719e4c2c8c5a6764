"""The fiscal archive refuses UPDATE and DELETE in the database itself, on
PostgreSQL: a trigger on its table, whoever sends the statement (the model
already refuses both in Python). TRUNCATE is not a row operation and is left
alone (the test runner empties tables with it).

Nothing is done on SQLite, where the test runner empties tables with DELETE.
"""

from django.db import migrations

FUNCTION = "fiscal_archivedxml_immutable"


def _table(apps) -> str:
    return apps.get_model("fiscal", "ArchivedXml")._meta.db_table


def create_guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(_table(apps))
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION USING
                MESSAGE = 'The fiscal archive cannot be changed or deleted ('
                    || TG_OP || ').',
                ERRCODE = 'restrict_violation';
        END;
        $$ LANGUAGE plpgsql
        """
    )
    schema_editor.execute(
        f"""
        CREATE TRIGGER {FUNCTION}
        BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()
        """
    )


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(_table(apps))
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("fiscal", "0003_authoriser"),
    ]

    operations = [
        migrations.RunPython(create_guard, drop_guard, elidable=False),
    ]
