"""Marketplace orders on the import framework (plugins.orders.importing.
importer): the check places each batch's orders and rolls them back, so the
service's own rules apply and nothing stays written; the import places them;
a second import finds them already imported."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from plugins.importing.engine import run
from plugins.orders.importing.importer import OrdersImporter
from plugins.orders.models import Customer, Order
from tests.plugins.orders.test_import import GOOD, importer, row, sheet  # noqa: F401


def test_the_check_applies_the_service_and_writes_nothing(importer):  # noqa: F811
    report = run(OrdersImporter(importer), GOOD, dry_run=True)
    assert report.ok, report.errors
    assert (report.total_rows, report.valid_rows) == (3, 3)
    assert report.counts == {"new_orders": 2, "existing_orders": 0}
    assert not Order.objects.exists() and not Customer.objects.exists()


def test_an_unknown_sku_is_an_error_of_its_row_found_by_the_service(
    importer,  # noqa: F811
):
    data = sheet(row("CAM-P", "2", ""), row("NOPE", "1", ""))
    report = run(OrdersImporter(importer), data, dry_run=True)
    # the order is one thing: both rows refused, the SKU's named
    assert report.invalid_rows == 2
    assert (3, "sku") in {(e["row"], e["column"]) for e in report.errors}
    assert not Order.objects.exists()


def test_import_then_import_again(importer):  # noqa: F811
    report = run(OrdersImporter(importer), GOOD, dry_run=False)
    assert report.committed and report.counts["new_orders"] == 2
    assert Order.objects.count() == 2
    again = run(OrdersImporter(importer), GOOD, dry_run=False)
    assert again.counts == {"new_orders": 0, "existing_orders": 2}
    assert Order.objects.count() == 2


def test_the_check_commits_each_batch_apart(importer, monkeypatch):  # noqa: F811
    """The check's writes are rolled back batch by batch: one transaction per
    batch, not one for the whole file."""
    monkeypatch.setattr(OrdersImporter, "batch_size", 1)
    with CaptureQueriesContext(connection) as queries:
        run(OrdersImporter(importer), GOOD, dry_run=True)
    rollbacks = [q for q in queries if "ROLLBACK" in q["sql"].upper()]
    assert len(rollbacks) >= 2
