"""Invoicing in the browser, against the local SEFAZ: the fiscal clerk of
Loja Matriz opens a paid order, issues its NF-e, which the authoriser
authorises and which invoices the order; opens the NF-e, downloads its
DANFE, issues a carta de correção; and Loja Filial's NF-e does not exist
for them."""

# ruff: noqa: F811  (fixtures imported from the fiscal tests, used as arguments)
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from plugins.fiscal.models import DocumentStatus, EventKind, FiscalDocument
from plugins.orders.models import OrderStatus
from tests.plugins.fiscal.conftest import (  # noqa: F401  (fixtures)
    a1,
    certificate_file,
    emitter,
    fiscal_clerk,
    make_emitter,
    ncm_order,
    other_emitter,
    sefaz,
    tax_tables,
)
from tests.plugins.orders.conftest import loja, sellable  # noqa: F401

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def shots(tmp_path):
    folder = os.environ.get("E2E_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    return lambda name: os.path.join(folder, f"fiscal-invoicing-{name}.png")


@pytest.fixture
def paid(ncm_order, tax_tables):  # noqa: F811
    from plugins.orders.services import pay_order

    pay_order(ncm_order, user=None)
    return ncm_order


@pytest.fixture
def theirs(other_emitter):  # noqa: F811
    """An NF-e of Loja Filial, which the clerk is not granted."""
    return FiscalDocument.objects.create(
        emitter=other_emitter,
        operation="sale",
        status=DocumentStatus.AUTHORISED,
        environment="2",
        series=1,
        number=2001,
        access_key="31260311444777000161550010000020011000020017",
        recipient_name="Carlos Dias",
        issued_at=timezone.now(),
    )


def test_the_fiscal_clerk_invoices_a_paid_order_and_corrects_its_nfe(
    page,
    login,
    live_server,
    sefaz,
    fiscal_clerk,
    paid,
    theirs,
    shots,  # noqa: F811
):
    login(page, "faturamento")

    # the paid order: its Fiscal panel offers "Emitir NF-e"
    page.goto(f"{live_server.url}/admin/orders/{paid.pk}/")
    panel = page.locator("#order-fiscal-section")
    expect(panel).to_contain_text("Nenhuma NF-e foi emitida para este pedido.")
    issue = panel.get_by_role("button", name="Emitir NF-e")
    assert issue.bounding_box()["height"] < 60  # its icon sits inside it
    panel.screenshot(path=shots("order-before"))
    issue.click()

    # the authoriser authorised it and the order is invoiced
    expect(page.locator(".messages")).to_contain_text(
        "autorizada: o pedido está faturado."
    )
    row = page.locator("#order-fiscal-documents tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Autorizada")
    expect(panel.get_by_role("button", name="Emitir NF-e")).to_have_count(0)
    page.screenshot(path=shots("order-invoiced"), full_page=True)
    paid.refresh_from_db()
    assert paid.status == OrderStatus.INVOICED
    document = FiscalDocument.objects.get(order=paid)
    assert document.status == DocumentStatus.AUTHORISED
    assert [call["service"] for call in sefaz.requests].count("NFeAutorizacao4") == 1

    # the NF-e's page, and its DANFE
    row.get_by_role("link").first.click()
    page.wait_for_url(f"**/admin/fiscal/nfe/inspect/{document.pk}/")
    expect(page.locator("main")).to_contain_text(document.access_key[:4])
    page.screenshot(path=shots("document"), full_page=True)
    href = page.locator("[data-fiscal-action=danfe]").get_attribute("href")
    danfe = page.request.get(f"{live_server.url}{href}")
    assert danfe.status == 200
    assert danfe.headers["content-type"] == "application/pdf"
    assert danfe.body().startswith(b"%PDF")

    # a carta de correção
    page.locator("[data-fiscal-action=correct]").click()
    page.fill(
        "textarea[name=text]",
        "Onde se lê Rua das Laranjeiras 100, leia-se Rua das Laranjeiras 110.",
    )
    page.screenshot(path=shots("correction-form"), full_page=True)
    page.get_by_role("button", name="Enviar à SEFAZ").click()
    page.wait_for_url(f"**/admin/fiscal/nfe/inspect/{document.pk}/")
    expect(page.locator(".messages")).to_contain_text("CC-e 1 da NF-e")
    expect(page.locator("#document-events")).to_contain_text("Rua das Laranjeiras 110")
    page.screenshot(path=shots("document-corrected"), full_page=True)
    assert document.events.filter(kind=EventKind.CORRECTION).count() == 1

    # Loja Filial's NF-e does not exist for this clerk
    response = page.goto(f"{live_server.url}/admin/fiscal/nfe/inspect/{theirs.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/admin/fiscal/nfe/")
    expect(page.locator("table.listing")).not_to_contain_text("Carlos Dias")
