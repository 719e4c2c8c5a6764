"""The fiscal desk in the browser: a fiscal clerk of Loja Matriz sees on the
dashboard the certificate that expires soon, opens Fiscal › NF-e from the
menu, filters the rejected documents, opens one and reads the authoriser's
reason, and cannot open a document of Loja Filial, which is not theirs."""

import datetime as dt
import os
from decimal import Decimal as D

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from plugins.fiscal.models import Emitter, FiscalDocument
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def emitter(name, cnpj, **fields):
    return Emitter.objects.create(
        legal_name=f"{name} Comércio Ltda",
        trade_name=name,
        cnpj=cnpj,
        ie="110042490114",
        tax_regime="1",
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        city_code="3550308",
        uf="SP",
        cep="01304-000",
        **fields,
    )


def document(emitter, number, *, status="authorised", days_ago=0, **fields):
    return FiscalDocument.objects.create(
        emitter=emitter,
        operation="sale",
        status=status,
        environment="2",
        series=1,
        number=number,
        access_key=f"352603{emitter.cnpj}55001{number:09d}1{number:08d}7",
        issued_at=timezone.now() - dt.timedelta(days=days_ago, hours=2),
        total=D("1234.56"),
        **fields,
    )


@pytest.fixture
def fiscal_world(db):
    now = timezone.now()
    matriz = emitter(
        "Loja Matriz",
        "11222333000181",
        certificate="stored",
        certificate_subject="LOJA MATRIZ COMERCIO LTDA:11222333000181",
        certificate_not_after=now + dt.timedelta(days=12),
    )
    filial = emitter("Loja Filial", "11444777000161")
    document(matriz, 1041, recipient_name="Maria Souza", days_ago=3)
    rejected = document(
        matriz,
        1042,
        status="rejected",
        recipient_name="João Pereira",
        status_code="778",
        status_reason="Rejeição: Informado NCM inexistente",
        days_ago=1,
    )
    document(matriz, 1043, recipient_name="Ana Lima")
    theirs = document(filial, 2001, recipient_name="Carlos Dias")
    clerk = UserFactory(username="faturista", roles=["fiscal"])
    for perm in ("fiscal.view_emitter", "fiscal.issue_emitter"):
        assign_perm(perm, clerk, matriz)
    return {"rejected": rejected, "theirs": theirs}


@pytest.fixture
def shots(tmp_path):
    """Where the screenshots go (outside the repository)."""
    folder = os.environ.get("E2E_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return lambda name: os.path.join(folder, f"fiscal-{name}.png")


def sidebar(page):
    return page.locator("[data-wagtail-sidebar], #wagtail-sidebar, aside").first


def test_the_fiscal_clerk_works_the_documents_of_its_emitter(
    page, login, live_server, fiscal_world, shots
):
    login(page, "faturista")

    # the dashboard warns about the certificate that expires in 12 days
    panel = page.locator("#fiscal-section")
    expect(
        panel.locator("[data-figure=certificates-expiring] [data-value]")
    ).to_have_text("1")
    expect(panel.locator("#fiscal-certificates")).to_contain_text("Vence em 12 dias.")
    expect(panel.locator("[data-figure=rejected] [data-value]")).to_have_text("1")
    panel.screenshot(path=shots("dashboard"))

    # Retaguarda › Fiscal › NF-e
    nav = sidebar(page)
    nav.get_by_role("button", name="Retaguarda").click()
    nav.get_by_role("button", name="Fiscal").click()
    nav.get_by_role("link", name="NF-e", exact=True).click()
    page.wait_for_url(f"{live_server.url}/admin/fiscal/nfe/")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table.listing")).to_contain_text("R$ 1.234,56")
    expect(page.locator("table.listing")).not_to_contain_text("Loja Filial")
    page.screenshot(path=shots("listing"), full_page=True)

    # the rejected ones
    page.get_by_role("button", name="Mostrar filtros").click()
    page.get_by_role("button", name="Status").click()
    page.screenshot(path=shots("listing-filters"), full_page=True)
    page.select_option("select[name=status]", label="Rejeitada")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("1042 / 1")
    expect(rows.first).to_contain_text("Rejeitada")
    page.screenshot(path=shots("listing-rejected"), full_page=True)

    # its page: the authoriser's reason
    rows.first.get_by_role("link", name="1042 / 1").click()
    page.wait_for_url(f"**/admin/fiscal/nfe/inspect/{fiscal_world['rejected'].pk}/")
    expect(page.locator("#document-status-reason")).to_contain_text(
        "Rejeição: Informado NCM inexistente"
    )
    expect(page.locator("#document-status-reason")).to_contain_text(
        "código da SEFAZ 778"
    )
    page.screenshot(path=shots("document"), full_page=True)
    page.locator("#document-events").screenshot(path=shots("document-events"))

    # Loja Filial's document does not exist for this clerk
    response = page.goto(
        f"{live_server.url}/admin/fiscal/nfe/inspect/{fiscal_world['theirs'].pk}/"
    )
    assert response.status == 404
    page.screenshot(path=shots("other-emitter"), full_page=True)

    # the emitter's page: the certificate, and the contingency switch
    page.goto(f"{live_server.url}/admin/fiscal/emitters/")
    expect(page.locator("table.listing tbody tr")).to_have_count(1)
    page.screenshot(path=shots("emitters"), full_page=True)
    page.get_by_role("link", name="Loja Matriz").click()
    expect(page.locator("#emitter-certificate")).to_contain_text("Vence em 12 dias.")
    page.locator("#contingency").screenshot(path=shots("emitter-contingency-off"))
    page.fill("#contingency-form textarea", "SEFAZ-SP fora do ar desde as 10h")
    page.get_by_role("button", name="Entrar em contingência").click()
    expect(page.locator("[data-contingency=on]")).to_be_visible()
    page.screenshot(path=shots("emitter-contingency"), full_page=True)
    page.locator("#emitter-certificate").screenshot(path=shots("emitter-certificate"))
    page.locator("#contingency").screenshot(path=shots("emitter-contingency-on"))
    assert Emitter.objects.get(trade_name="Loja Matriz").contingency
