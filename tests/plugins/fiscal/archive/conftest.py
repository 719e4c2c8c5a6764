"""Fixtures of the fiscal plugin.

Documents are made from real authorised XML: the samples nfelib ships
(``nfelib/nfe/samples/v4_0``), with their own access keys, numbers, dates,
recipients and taxes read from the XML."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import nfelib
import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from lxml import etree

from tests.factories import UserFactory

NFE_SAMPLES = Path(nfelib.__file__).parent / "nfe" / "samples" / "v4_0"
#: A correction letter (CC-e) as signed by its emitter (``evento``).
CCE_SAMPLE = (
    Path(nfelib.__file__).parent
    / "nfe_evento_cce"
    / "samples"
    / "v1_0"
    / "35180803102452000172550010000476051695511860-01-cce.xml"
)
NFE_NS = {"n": "http://www.portalfiscal.inf.br/nfe"}

#: An authorised NF-e of homologation (tpAmb 2), one line, Simples Nacional.
SAMPLE_PROC = "procNFe.xml"
#: Eleven authorised NF-e of production issued in August 2018: ten by one
#: emitter (CNPJ 34128745000152) to SP, MG, SC and ES, with ICMS, DIFAL,
#: PIS, COFINS and IPI; one by another (CNPJ 75335849000115) to SP.
AUGUST_2018 = sorted(
    p.name
    for p in (NFE_SAMPLES / "leiauteNFe").glob("*-nfe.xml")
    if p.name.startswith(("3518", "2618"))
)


def sample_xml(name: str) -> str:
    """The text of one of nfelib's sample XML (``procNFe.xml`` or a file of
    ``leiauteNFe/``), as stored: never re-serialised."""
    path = NFE_SAMPLES / name
    if not path.exists():
        path = NFE_SAMPLES / "leiauteNFe" / name
    return path.read_text(encoding="utf-8")


def nfe_facts(xml: str) -> dict:
    """What a FiscalDocument row records of an ``nfeProc``, read from it."""
    root = etree.fromstring(xml.encode("utf-8"))
    inf = root.find(".//n:infNFe", NFE_NS)

    def text(path, node=inf):
        found = node.find(path, NFE_NS)
        return found.text if found is not None and found.text else ""

    prot = root.find(".//n:protNFe/n:infProt", NFE_NS)
    dest = inf.find("n:dest", NFE_NS)
    return {
        "access_key": inf.get("Id").removeprefix("NFe"),
        "series": int(text("n:ide/n:serie")),
        "number": int(text("n:ide/n:nNF")),
        "environment": text("n:ide/n:tpAmb"),
        "issued_at": datetime.datetime.fromisoformat(text("n:ide/n:dhEmi")),
        "recipient_name": text("n:xNome", dest)[:150] if dest is not None else "",
        "recipient_document": (
            (text("n:CNPJ", dest) or text("n:CPF", dest)) if dest is not None else ""
        ),
        "recipient_uf": text("n:enderDest/n:UF", dest) if dest is not None else "",
        "total": Decimal(text("n:total/n:ICMSTot/n:vNF") or "0"),
        "protocol": text("n:nProt", prot) if prot is not None else "",
        "status_code": text("n:cStat", prot) if prot is not None else "",
        "authorised_at": (
            datetime.datetime.fromisoformat(text("n:dhRecbto", prot))
            if prot is not None
            else None
        ),
        "emitter_cnpj": text("n:emit/n:CNPJ"),
    }


def make_emitter(cnpj: str, name: str = "Loja Matriz", uf: str = "SP"):
    from plugins.fiscal.models import Emitter

    return Emitter.objects.create(
        legal_name=name,
        cnpj=cnpj,
        ie="110042490114",
        tax_regime="3",
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        city_code="3550308",
        uf=uf,
        cep="01304-000",
    )


def make_nfe(xml: str, *, emitter, order=None, status="authorised", **overrides):
    """A FiscalDocument of the authorised ``xml`` (its facts read from it)."""
    from plugins.fiscal.models import FiscalDocument

    facts = nfe_facts(xml)
    facts.pop("emitter_cnpj")
    start, end = xml.find("<NFe"), xml.rfind("</NFe>")
    values = {
        **facts,
        "emitter": emitter,
        "order": order,
        "operation": "sale",
        "status": status,
        "xml": xml[start : end + len("</NFe>")] if start >= 0 else "",
        "proc_xml": xml,
        **overrides,
    }
    return FiscalDocument.objects.create(**values)


def archive_nfe(document):
    """The document's nfeProc in the archive."""
    from plugins.fiscal.archive import archive_document

    return archive_document(document)


def make_order(number: str = "ABCD-EFGH", *, email: str = "maria@example.com"):
    from plugins.orders.models import Order, SalesChannel

    channel, _ = SalesChannel.objects.get_or_create(
        code="loja", defaults={"name": "Loja", "kind": "storefront"}
    )
    return Order.objects.create(
        number=number,
        channel=channel,
        customer_name="Maria da Silva",
        customer_email=email,
        subtotal=Decimal("84.90"),
        total=Decimal("84.90"),
        payment_method="pix",
        placed_at=timezone.now(),
    )


# -- emitters, documents, archive --------------------------------------------------


@pytest.fixture
def fiscal_emitter(db):
    """The emitter of the sample NF-e (``procNFe.xml``)."""
    return make_emitter("06117473000150", "Akretion", uf="PR")


@pytest.fixture
def other_emitter(db):
    """An emitter outside the fiscal clerk's scope."""
    return make_emitter("11444777000161", "Loja Filial")


@pytest.fixture
def invoiced_order(db):
    return make_order()


@pytest.fixture
def authorised_nfe(fiscal_emitter, invoiced_order):
    """The sample NF-e, authorised (homologation), of ``invoiced_order``."""
    return make_nfe(
        sample_xml(SAMPLE_PROC), emitter=fiscal_emitter, order=invoiced_order
    )


@pytest.fixture
def other_nfe(other_emitter):
    """An authorised NF-e of the emitter outside the clerk's scope."""
    return make_nfe(
        sample_xml("42220575277525000178550030000292481295366801-procNFe.xml"),
        emitter=other_emitter,
    )


# -- people ---------------------------------------------------------------------


@pytest.fixture
def fiscal_clerk(fiscal_emitter):
    """A fiscal clerk (Fiscal / Faturamento) of ``fiscal_emitter`` only."""
    user = UserFactory(username="faturista", roles=["fiscal"])
    assign_perm("fiscal.view_emitter", user, fiscal_emitter)
    assign_perm("fiscal.issue_emitter", user, fiscal_emitter)
    return user


@pytest.fixture
def accountant(db):
    return UserFactory(username="contador", roles=["accountant"])


@pytest.fixture
def order_desk(db):
    return UserFactory(username="balcao", roles=["order_desk"])


def cancellation_xml(key: str, *, cnpj: str, at: str, protocol: str) -> str:
    """A registered cancellation of NF-e ``key`` (``procEventoNFe``, cStat
    135), as the authoriser returns it (without the signature)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<procEventoNFe xmlns="http://www.portalfiscal.inf.br/nfe" versao="1.00">'
        '<evento versao="1.00">'
        f'<infEvento Id="ID110111{key}01"><cOrgao>{key[:2]}</cOrgao>'
        f"<tpAmb>1</tpAmb><CNPJ>{cnpj}</CNPJ><chNFe>{key}</chNFe>"
        f"<dhEvento>{at}</dhEvento><tpEvento>110111</tpEvento>"
        "<nSeqEvento>1</nSeqEvento><verEvento>1.00</verEvento>"
        '<detEvento versao="1.00"><descEvento>Cancelamento</descEvento>'
        f"<nProt>{protocol}</nProt>"
        "<xJust>Pedido cancelado pelo cliente antes do envio</xJust>"
        "</detEvento></infEvento></evento>"
        '<retEvento versao="1.00"><infEvento><tpAmb>1</tpAmb>'
        f"<verAplic>SP_EVENTOS</verAplic><cOrgao>{key[:2]}</cOrgao>"
        "<cStat>135</cStat><xMotivo>Evento registrado e vinculado a NF-e</xMotivo>"
        f"<chNFe>{key}</chNFe><tpEvento>110111</tpEvento>"
        f"<nSeqEvento>1</nSeqEvento><dhRegEvento>{at}</dhRegEvento>"
        f"<nProt>9{protocol[1:]}</nProt></infEvento></retEvento></procEventoNFe>"
    )
