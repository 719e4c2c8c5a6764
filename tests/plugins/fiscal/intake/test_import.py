"""Supplier NF-e in bulk through the import framework: a ZIP of XML files,
reported per file, dry run then confirm; ZIP bombs and hostile files."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from plugins.finance.models import Bill
from plugins.fiscal.importers import SupplierNFeImporter
from plugins.fiscal.models import SupplierInvoice
from plugins.importing.engine import run
from plugins.importing.models import ImportJob
from plugins.importing.reader import Limits

from .conftest import OTHER_CNPJ
from .nfe import Item, key_of, zipped
from .test_intake import XXE

pytestmark = pytest.mark.django_db

START = "/admin/imports/fiscal.supplier_nfe/"


@pytest.fixture
def batch(make_nfe):
    """Two good NF-e, one changed after signing, one to the other emitter,
    the first again, a PDF and a hostile XML."""
    first = make_nfe(number=2001)
    second = make_nfe(number=2002, items=[Item("7001", "XICARA")])
    tampered = make_nfe(number=2003).replace(b"<vNF>280.00</vNF>", b"<vNF>1.00</vNF>")
    elsewhere = make_nfe(number=2004, recipient_cnpj=OTHER_CNPJ)
    return {
        "notas/2001.xml": first,
        "notas/2002.xml": second,
        "notas/2003.xml": tampered,
        "notas/2004.xml": elsewhere,
        "notas/copia-2001.xml": first,
        "leia-me.pdf": b"%PDF-1.4",
        "notas/xxe.xml": XXE,
    }


def errors_by_file(report) -> dict[str, str]:
    return {e["message"].split(": ", 1)[0]: e["message"] for e in report.errors}


def test_a_zip_is_checked_file_by_file_then_imported(clerk, catalog, batch):
    data = zipped(batch)

    # the dry run: two would be received, every other file says why not
    report = run(SupplierNFeImporter(clerk), data, name="notas.zip", dry_run=True)
    assert (report.total_rows, report.valid_rows, report.invalid_rows) == (7, 2, 5)
    assert report.counts["invoices"] == 2 and report.counts["bills"] == 2
    errors = errors_by_file(report)
    assert set(errors) == {
        "notas/2003.xml",
        "notas/2004.xml",
        "notas/copia-2001.xml",
        "leia-me.pdf",
        "notas/xxe.xml",
    }
    assert "signature does not match" in errors["notas/2003.xml"]
    assert (
        "You may not receive supplier NF-e for Loja Filial" in errors["notas/2004.xml"]
    )
    assert "the same NF-e as notas/2001.xml" in errors["notas/copia-2001.xml"]
    assert "Not an XML file" in errors["leia-me.pdf"]
    assert "DTD or entities" in errors["notas/xxe.xml"]
    assert SupplierInvoice.objects.count() == 0 and Bill.objects.count() == 0

    # without skipping the invalid files nothing is received
    report = run(SupplierNFeImporter(clerk), data, name="notas.zip", dry_run=False)
    assert not report.committed and SupplierInvoice.objects.count() == 0

    # skipping them, the two good ones are
    report = run(
        SupplierNFeImporter(clerk),
        data,
        name="notas.zip",
        dry_run=False,
        skip_invalid=True,
    )
    assert report.committed and report.counts["invoices"] == 2
    assert set(SupplierInvoice.objects.values_list("number", flat=True)) == {
        2001,
        2002,
    }
    assert Bill.objects.count() == 2

    # and importing the ZIP again receives nothing twice
    report = run(SupplierNFeImporter(clerk), data, name="notas.zip", dry_run=True)
    assert report.valid_rows == 0
    assert "was received already" in errors_by_file(report)["notas/2001.xml"]


def test_one_xml_is_imported_alone(clerk, catalog, nfe_xml):
    report = run(SupplierNFeImporter(clerk), nfe_xml, name="nfe.xml", dry_run=False)
    assert report.committed and report.counts == {
        "invoices": 1,
        "lines": 3,
        "matched": 2,
        "bills": 1,
    }
    assert SupplierInvoice.objects.get().access_key == key_of(nfe_xml)


def test_the_import_screens_take_a_zip_then_confirm(client, clerk, catalog, batch):
    client.force_login(clerk)
    upload = SimpleUploadedFile("notas.zip", zipped(batch), "application/zip")
    response = client.post(START, {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.dry_run_report["valid_rows"] == 2
    response = client.get(f"/admin/imports/job/{job.pk}/")
    assert "notas/2004.xml" in response.content.decode()
    client.post(f"/admin/imports/job/{job.pk}/confirm/", {"skip_invalid": "on"})
    assert SupplierInvoice.objects.count() == 2


def test_the_import_takes_xml_and_zip_files_only(client, clerk):
    client.force_login(clerk)
    upload = SimpleUploadedFile("notas.csv", b"file\nx.xml\n", "text/csv")
    response = client.post(START, {"file": upload})
    assert response.status_code == 200
    assert ".xml, .zip" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_only_who_receives_supplier_nfe_imports_them(client, accountant):
    client.force_login(accountant)
    response = client.get(START)
    assert response.status_code == 302 and response.url == "/admin/"


# -- ZIP bombs ---------------------------------------------------------------------


def bomb(size: int) -> bytes:
    """A ZIP of one "XML" of ``size`` zero bytes: it compresses about 1000
    times."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nfe.xml", b"\0" * size)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_inflated(clerk):
    data = bomb(20 * 1024 * 1024)
    assert len(data) < 100 * 1024
    report = run(SupplierNFeImporter(clerk), data, name="bomba.zip", dry_run=True)
    assert "possible ZIP bomb" in report.file_error


def test_a_zip_that_expands_beyond_the_limit_is_refused(clerk, nfe_xml):
    data = zipped({f"{n}.xml": nfe_xml for n in range(3)})
    limits = Limits(max_xlsx_uncompressed=2 * len(nfe_xml))
    report = run(
        SupplierNFeImporter(clerk), data, name="n.zip", dry_run=True, limits=limits
    )
    assert "expands to" in report.file_error


def test_a_zip_of_too_many_files_is_refused(clerk):
    data = zipped({f"{n}.xml": b"<NFe/>" for n in range(11)})
    report = run(
        SupplierNFeImporter(clerk),
        data,
        name="n.zip",
        dry_run=True,
        limits=Limits(max_xlsx_entries=10),
    )
    assert "11 files, more than the 10 allowed" in report.file_error


def test_a_damaged_zip_or_a_zip_inside_is_reported(clerk, nfe_xml):
    report = run(
        SupplierNFeImporter(clerk), b"PK\x03\x04broken", name="n.zip", dry_run=True
    )
    assert report.file_error == "The ZIP file is damaged."
    inner = zipped({"nfe.xml": nfe_xml})
    report = run(
        SupplierNFeImporter(clerk),
        zipped({"dentro.zip": inner}),
        name="n.zip",
        dry_run=True,
    )
    assert "A ZIP inside the ZIP is not read" in report.errors[0]["message"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomba.zip", bomb(20 * 1024 * 1024), "possível bomba de ZIP"),
        ("xxe.xml", XXE, "declara um DTD ou entidades"),
        ("nota.xml", b"%PDF-1.4", "não é um XML bem formado"),
        ("vazio.zip", b"", "vazio"),
    ],
    ids=["zip-bomb", "xxe", "pdf", "empty"],
)
def test_hostile_files_through_the_upload_screen(client, clerk, name, data, message):
    from django.utils.html import strip_tags

    client.force_login(clerk)
    response = client.post(START, {"file": SimpleUploadedFile(name, data)})
    if response.status_code == 302:
        response = client.get(response.url)
    assert message in " ".join(strip_tags(response.content.decode()).split())
    assert SupplierInvoice.objects.count() == 0
    job = ImportJob.objects.first()
    assert job is None or not job.can_confirm
