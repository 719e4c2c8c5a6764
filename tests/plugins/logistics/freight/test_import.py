"""Importing freight tables: a dry run that writes nothing, errors by row
and column, and a confirm that replaces the tables of the services in the
file at once (or adds to them)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from plugins.importing import services as importing
from plugins.importing.engine import run
from plugins.logistics.importers import FreightRatesImporter
from plugins.logistics.models import FreightRate
from plugins.logistics.services import quoting
from tests.factories import UserFactory

HEADER = (
    "carrier;service;origin_cep_from;origin_cep_to;destination_cep_from;"
    "destination_cep_to;weight_from_g;weight_to_g;price;days\n"
)
GOOD = HEADER + (
    "rapidao;ECO;01000-000;19999-999;01000-000;09999-999;0;1000;9,90;2\n"
    "RAPIDAO;ECO;01000000;19999999;1000000;9999999;1001;5000;14,50;3\n"
)


def importer(user, mode="replace"):
    return FreightRatesImporter(user, {"mode": mode})


def eco_rates(carrier):
    return FreightRate.objects.filter(service__carrier=carrier, service__code="ECO")


def test_dry_run_then_replace(table_carrier, logistics_manager):
    before = eco_rates(table_carrier).count()
    report = run(importer(logistics_manager), GOOD.encode(), dry_run=True)
    assert (report.total_rows, report.valid_rows, report.error_count) == (2, 2, 0)
    assert eco_rates(table_carrier).count() == before  # nothing written
    report = run(importer(logistics_manager), GOOD.encode(), dry_run=False)
    assert report.committed
    assert report.counts == {"rates": 2, "replaced": before}
    rows = list(eco_rates(table_carrier).order_by("weight_from_g"))
    assert [(r.destination_start, r.weight_to_g, r.price, r.days) for r in rows] == [
        (1_000_000, 1000, Decimal("9.90"), 2),
        (1_000_000, 5000, Decimal("14.50"), 3),
    ]
    # the other service's table is untouched
    assert FreightRate.objects.filter(service__code="EXP").count() == 4


def test_add_mode_keeps_the_rows_there(table_carrier, logistics_manager):
    before = eco_rates(table_carrier).count()
    report = run(importer(logistics_manager, "add"), GOOD.encode(), dry_run=False)
    assert report.committed and report.counts["replaced"] == 0
    assert eco_rates(table_carrier).count() == before + 2


def test_errors_name_the_row_and_column_and_nothing_is_written(
    table_carrier, logistics_manager
):
    data = HEADER + (
        "rapidao;ECO;01000-000;19999-999;01000-000;09999-999;0;1000;9,90;2\n"
        "rapidao;ECO;0100-000;19999-999;01000-000;09999-999;0;1000;9,90;2\n"
        "rapidao;ECO;01000-000;19999-999;09999-999;01000-000;0;1000;9,90;2\n"
        "rapidao;ECO;01000-000;19999-999;01000-000;09999-999;2000;1000;9,90;2\n"
        "rapidao;ECO;01000-000;19999-999;01000-000;09999-999;0;1000;-1,00;2\n"
        "nada;ECO;01000-000;19999-999;01000-000;09999-999;0;1000;9,90;2\n"
        "rapidao;PAC;01000-000;19999-999;01000-000;09999-999;0;1000;9,90;2\n"
        "rapidao;ECO;01000-000;19999-999;01000-000;09999-999;0;mil;9,90;2\n"
    )
    before = eco_rates(table_carrier).count()
    report = run(importer(logistics_manager), data.encode(), dry_run=False)
    assert not report.committed
    errors = {(e["row"], e["column"]) for e in report.errors}
    assert errors == {
        (3, "origin_cep_from"),
        (4, "destination_cep_to"),
        (5, "weight_to_g"),
        (6, "price"),
        (7, "carrier"),
        (8, "service"),
        (9, "weight_to_g"),
    }
    assert eco_rates(table_carrier).count() == before
    # skipping the invalid rows imports the good one
    report = run(
        importer(logistics_manager), data.encode(), dry_run=False, skip_invalid=True
    )
    assert report.committed and report.counts["rates"] == 1


def test_the_import_forgets_cached_quotes(
    quoting_store, table_carrier, logistics_manager, django_capture_on_commit_callbacks
):
    cart = [{"sku": "CAN-1", "quantity": 1}]
    before = quoting.quote_cart(quoting_store, "01310100", cart)
    assert {o.service_code: o.price for o in before}["ECO"] == Decimal("10.00")
    with django_capture_on_commit_callbacks(execute=True):
        run(importer(logistics_manager), GOOD.encode(), dry_run=False)
    after = quoting.quote_cart(quoting_store, "01310100", cart)
    assert {o.service_code: o.price for o in after}["ECO"] == Decimal("9.90")


def test_through_the_jobs_with_the_permission_only(table_carrier, logistics_manager):
    upload = SimpleUploadedFile("fretes.csv", GOOD.encode(), content_type="text/csv")
    job = importing.start(
        FreightRatesImporter,
        user=logistics_manager,
        upload=upload,
        options={"mode": "replace"},
    )
    job.refresh_from_db()
    assert job.dry_run_report["valid_rows"] == 2
    assert importing.confirm(job, user=logistics_manager, skip_invalid=False)
    assert eco_rates(table_carrier).count() == 2
    clerk = UserFactory(username="expedicao", roles=["shipping_desk"])
    with pytest.raises(PermissionDenied):
        importing.start(FreightRatesImporter, user=clerk, upload=upload)


def test_the_import_screen_is_listed_for_the_logistics_manager(
    client, logistics_manager
):
    client.force_login(logistics_manager)
    response = client.get("/admin/imports/logistics.freight_rates/")
    assert response.status_code == 200
    assert "origin_cep_from" in response.content.decode()
