"""On PostgreSQL, stock movements cannot be changed or deleted at all: a
trigger refuses any UPDATE that touches something other than the links that
Django clears when a variant or user is deleted (``variant_id``,
``user_id`` set to NULL), and any DELETE. (TRUNCATE, used by test
tear-downs, is not a row operation.) On SQLite the model refuses."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION stock_movement_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'stock movements are immutable: no delete';
    END IF;
    IF (NEW.id, NEW.warehouse_id, NEW.sku, NEW.kind, NEW.quantity,
        NEW.on_hand_after, NEW.reason, NEW.reference_type, NEW.reference,
        NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.warehouse_id, OLD.sku, OLD.kind, OLD.quantity,
        OLD.on_hand_after, OLD.reason, OLD.reference_type, OLD.reference,
        OLD.created_at)
       OR (NEW.variant_id IS DISTINCT FROM OLD.variant_id AND NEW.variant_id IS NOT NULL)
       OR (NEW.user_id IS DISTINCT FROM OLD.user_id AND NEW.user_id IS NOT NULL)
    THEN
        RAISE EXCEPTION 'stock movements are immutable: no update';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS stock_movement_immutable ON stock_stockmovement;
CREATE TRIGGER stock_movement_immutable
    BEFORE UPDATE OR DELETE ON stock_stockmovement
    FOR EACH ROW EXECUTE FUNCTION stock_movement_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS stock_movement_immutable ON stock_stockmovement;
DROP FUNCTION IF EXISTS stock_movement_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("stock", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
