"""The accountant's monthly package: every XML of the month in a ZIP, and a
summary workbook whose totals are read from the XML."""

import datetime
import io
import zipfile
from collections import defaultdict
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from lxml import etree
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from plugins.fiscal.archive import archive
from plugins.fiscal.models.documents import ArchivedXmlKind
from plugins.fiscal.package import FIGURES, build_summary, month_rows, read_nfe
from tests.factories import UserFactory

from .conftest import (
    AUGUST_2018,
    CCE_SAMPLE,
    NFE_NS,
    archive_nfe,
    cancellation_xml,
    make_emitter,
    make_nfe,
    nfe_facts,
    sample_xml,
)

PACKAGE = "/admin/fiscal/archive/package/"
SP_EMITTER = "34128745000152"
#: cancelled by an event of August (in the package) and of September
CANCELLED_IN_AUGUST = "35180834128745000152550010000476711079516696"
CANCELLED_LATER = "35180834128745000152550010000476121675985748"
#: a supplier's NF-e received in August (issued in 2021: a sample)
RECEIVED = "42211275277525000178550030000276771368212013-procNFe.xml"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def august(db):
    """The August 2018 samples archived for their two emitters, with a
    cancellation, a CC-e, a supplier's NF-e received, and a cancellation of
    another NF-e registered in September."""
    emitters = {
        SP_EMITTER: make_emitter(SP_EMITTER, "Loja SP"),
        "75335849000115": make_emitter("75335849000115", "Loja PE", uf="PE"),
    }
    rows = []
    for name in AUGUST_2018:
        xml = sample_xml(name)
        emitter = emitters[nfe_facts(xml)["emitter_cnpj"]]
        rows.append(archive_nfe(make_nfe(xml, emitter=emitter)))
    sp = emitters[SP_EMITTER]
    for key, at in (
        (CANCELLED_IN_AUGUST, "2018-08-17T18:00:00-03:00"),
        (CANCELLED_LATER, "2018-09-01T09:00:00-03:00"),
    ):
        rows.append(
            archive(
                ArchivedXmlKind.EVENT,
                cancellation_xml(
                    key, cnpj=SP_EMITTER, at=at, protocol="135180600000001"
                ),
                emitter=sp,
                key=key,
                number=int(key[25:34]),
                issued_at=datetime.datetime.fromisoformat(at),
            )
        )
    rows.append(
        archive(
            ArchivedXmlKind.EVENT,
            CCE_SAMPLE.read_text(encoding="utf-8"),
            emitter=sp,
            key="35180803102452000172550010000476051695511860",
            number=47605,
            issued_at=datetime.datetime.fromisoformat("2018-08-17T15:17:45-03:00"),
        )
    )
    received = sample_xml(RECEIVED)
    rows.append(
        archive(
            ArchivedXmlKind.RECEIVED,
            received,
            emitter=sp,
            key=nfe_facts(received)["access_key"],
            number=nfe_facts(received)["number"],
            issued_at=datetime.datetime(2018, 8, 20, 12, tzinfo=datetime.UTC),
            party_document="75277525000178",
        )
    )
    return emitters, rows


def icms_tot(xml: str) -> dict:
    """The document's totals as its ICMSTot states them (read here apart
    from the package's own reading)."""
    root = etree.fromstring(xml.encode())
    tot = root.find(".//n:total/n:ICMSTot", NFE_NS)

    def value(tag):
        found = tot.find(f"n:{tag}", NFE_NS)
        return Decimal(found.text) if found is not None else Decimal("0.00")

    return {
        "value": value("vNF"),
        "icms_base": value("vBC"),
        "icms": value("vICMS"),
        "fcp": value("vFCP") + value("vFCPUFDest"),
        "difal": value("vICMSUFDest") + value("vICMSUFRemet"),
        "pis": value("vPIS"),
        "cofins": value("vCOFINS"),
        "ipi": value("vIPI"),
    }


def download(user, **params):
    client = Client()
    client.force_login(user)
    return client.get(PACKAGE, {"download": 1, **params})


def unzip(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def sheet_rows(package: zipfile.ZipFile, title: str) -> list[list]:
    workbook = load_workbook(io.BytesIO(package.read("resumo.xlsx")), read_only=True)
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def test_the_package_holds_every_xml_of_the_month(august, accountant):
    _emitters, rows = august
    package = unzip(download(accountant, month=8, year=2018))
    names = package.namelist()
    in_august = [row for row in rows if row.issued_at.astimezone().month == 8]
    assert len(in_august) == len(rows) - 1  # the September cancellation
    assert len(names) == len(in_august) + 1  # and resumo.xlsx
    contents = {package.read(name).decode() for name in names if name.endswith(".xml")}
    assert contents == {row.content for row in in_august}
    assert f"{SP_EMITTER}/emitidas/{CANCELLED_IN_AUGUST}-procNFe.xml" in names
    assert (
        f"{SP_EMITTER}/eventos/{CANCELLED_IN_AUGUST}-110111-01-procEventoNFe.xml"
        in names
    )
    assert (
        f"{SP_EMITTER}/recebidas/42211275277525000178550030000276771368212013-procNFe.xml"
        in names
    )
    assert (
        "75335849000115/emitidas/26180875335849000115550010000016871192213331-procNFe.xml"
        in names
    )
    assert "resumo.xlsx" in names
    # the download is in the audit log, once per emitter of the package
    logged = ModelLogEntry.objects.filter(action="fiscal.package.download")
    assert logged.count() == 2
    assert {entry.data["month"] for entry in logged} == {8}
    assert {entry.user for entry in logged} == {accountant}


def test_one_emitters_package_has_only_its_xml(august, accountant):
    emitters, rows = august
    other = emitters["75335849000115"]
    package = unzip(download(accountant, month=8, year=2018, emitter=other.pk))
    assert sorted(package.namelist()) == [
        "75335849000115/emitidas/26180875335849000115550010000016871192213331-procNFe.xml",
        "resumo.xlsx",
    ]


def test_the_summary_totals_per_uf_are_the_documents_totals(august):
    emitters, rows = august
    summary = build_summary(month_rows(list(emitters.values()), year=2018, month=8))
    expected = defaultdict(lambda: defaultdict(Decimal))
    counted = 0
    for name in AUGUST_2018:
        xml = sample_xml(name)
        facts = nfe_facts(xml)
        if facts["access_key"] in (CANCELLED_IN_AUGUST, CANCELLED_LATER):
            continue
        counted += 1
        for figure, value in icms_tot(xml).items():
            expected[facts["recipient_uf"]][figure] += value
    by_uf = {
        uf: group
        for (kind, uf), group in summary.by_uf().items()
        if kind == ArchivedXmlKind.ISSUED
    }
    assert sorted(by_uf) == ["ES", "MG", "SC", "SP"]
    assert sum(group["documents"] for group in by_uf.values()) == counted == 9
    for uf, figures in expected.items():
        for figure, value in figures.items():
            assert by_uf[uf][figure] == value, (uf, figure)
    # SP: 173.01 + 610.37 + 313.92 + 3,251.92 + 5,780.00 (24.34 cancelled)
    assert by_uf["SP"]["value"] == Decimal("10129.22")
    assert by_uf["SP"]["icms"] == Decimal("481.53")


def test_the_totals_per_cfop_add_up_to_the_documents(august):
    emitters, _rows = august
    summary = build_summary(month_rows(list(emitters.values()), year=2018, month=8))
    by_cfop = summary.by_cfop()
    by_uf = summary.by_uf()
    for figure in FIGURES:
        assert sum(g[figure] for g in by_cfop.values()) == sum(
            g[figure] for g in by_uf.values()
        ), figure
    issued = {cfop for kind, cfop in by_cfop if kind == ArchivedXmlKind.ISSUED}
    assert issued == {"5101", "5401", "5910", "6101", "6102", "6401", "6910"}
    # the supplier's NF-e is counted apart, under the supplier's UF
    assert (ArchivedXmlKind.RECEIVED, "SC") in by_uf
    received = by_uf[(ArchivedXmlKind.RECEIVED, "SC")]
    assert received["value"] == Decimal("19606.03")
    assert received["ipi"] == Decimal("23.91")


def test_cancelled_nfe_are_listed_but_not_counted(august, accountant):
    # the workbook is in the accountant's language: pt-BR
    package = unzip(download(accountant, month=8, year=2018))
    documents = sheet_rows(package, "Documentos")
    header, *rows = documents
    assert header[:3] == ["Tipo", "Chave de acesso", "Número"]
    status = {row[1]: row[header.index("Status")] for row in rows}
    assert status[CANCELLED_IN_AUGUST] == "Cancelada"
    assert status[CANCELLED_LATER] == "Cancelada"
    assert list(status.values()).count("Autorizada") == len(status) - 2
    assert {row[header.index("Conferência do hash")] for row in rows} == {"Íntegro"}
    per_uf = sheet_rows(package, "Por UF")
    assert per_uf[0][:4] == ["Tipo", "UF", "Documentos", "Valor"]
    sp = next(row for row in per_uf if row[:2] == ["NF-e emitida", "SP"])
    assert sp[2] == 5 and sp[3] == pytest.approx(10129.22)
    assert [row[1] for row in sheet_rows(package, "Por CFOP")[1:]] == [
        "5101",
        "5401",
        "5910",
        "6101",
        "6102",
        "6401",
        "6910",
        "6107",
        "6108",
        "6910",
    ]
    events = sheet_rows(package, "Eventos")
    assert [row[2] for row in events[1:]].count(
        "Cancelamento: Pedido cancelado pelo cliente antes do envio"
    ) == 1
    assert any(str(row[2]).startswith("Carta de Correção: VOLUME") for row in events)


def test_a_changed_xml_is_flagged_in_the_summary(august):
    from tests.plugins.fiscal.archive.test_archive import tamper

    emitters, rows = august
    tamper(rows[0], rows[0].content.replace("<vNF>", "<vNF>1"))
    summary = build_summary(month_rows(list(emitters.values()), year=2018, month=8))
    flagged = [d.facts.key for d in summary.documents if not d.intact]
    assert flagged == [rows[0].access_key]


def test_the_reform_taxes_are_read_from_the_xml():
    facts = read_nfe(sample_xml("nfe_reforma_tributaria.xml"))
    assert facts.totals["ibs"] == Decimal("50")
    assert facts.totals["cbs"] == Decimal("87.29")
    assert facts.by_cfop["5405"]["cbs"] == Decimal("101")


@pytest.mark.parametrize("role", ["fiscal", "manager", "auditor", "order_desk"])
def test_only_the_accountant_downloads_packages(august, role):
    user = UserFactory(username=f"papel-{role}", roles=[role])
    response = download(user, month=8, year=2018)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert not ModelLogEntry.objects.filter(action="fiscal.package.download").exists()


def test_a_superuser_downloads_packages(august, superuser):
    assert "resumo.xlsx" in unzip(download(superuser, month=8, year=2018)).namelist()


def test_the_screen_shows_what_the_month_holds(august, accountant):
    client = Client()
    client.force_login(accountant)
    response = client.get(PACKAGE, {"month": 8, "year": 2018})
    assert response.status_code == 200
    counts = dict(response.context["counts"])
    assert counts["NF-e emitida"] == 11
    assert counts["Evento"] == 2
    assert counts["NF-e recebida"] == 1
    assert counts["Inutilização"] == 0
    assert "Baixar o pacote (ZIP)" in response.content.decode()
    assert "download=1" in response.context["download_url"]
    # by default, last month; a month in the future is refused
    assert client.get(PACKAGE).status_code == 200
    response = client.get(PACKAGE, {"month": 1, "year": 2999})
    assert response.context["form"].errors["year"]
