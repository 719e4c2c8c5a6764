"""Issuing NF-e in bulk in the browser: a fiscal clerk filters the paid
orders, selects them all, chooses "Emitir NF-e" and the emitter, and reads on
the job's page that each got its NF-e authorised by the local SEFAZ — and
which order was skipped, and why."""

import base64
import os

import pytest
from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from content.models import Variant
from plugins.fiscal import certificates
from plugins.fiscal.models import Emitter, FiscalDocument
from plugins.fiscal.simulator import SefazSimulator
from plugins.fiscal.tax_defaults import install_defaults
from plugins.orders.models import SalesChannel
from plugins.orders.services import pay_order
from tests.content.conftest import make_product
from tests.factories import UserFactory
from tests.plugins.orders.conftest import ADDRESS, place

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def sefaz(settings):
    with SefazSimulator() as simulator:
        settings.RETAGUARDA_FISCAL_AUTHORISER_URL = simulator.url
        yield simulator


@pytest.fixture
def fiscal_desk(db):
    install_defaults()
    pkcs12 = certificates.generate("11222333000181", "Loja Matriz", password="a1")
    matriz = Emitter.objects.create(
        legal_name="Loja Matriz Comércio Ltda",
        trade_name="Loja Matriz",
        cnpj="11222333000181",
        ie="110042490114",
        tax_regime="3",
        street="Rua Augusta",
        number="100",
        district="Consolação",
        city="São Paulo",
        city_code="3550308",
        uf="SP",
        cep="01304-000",
        certificate=base64.b64encode(pkcs12).decode(),
        certificate_password="a1",
    )
    clerk = UserFactory(username="faturista", roles=["fiscal"])
    assign_perm("fiscal.view_emitter", clerk, matriz)
    assign_perm("fiscal.issue_emitter", clerk, matriz)
    loja = SalesChannel.objects.create(
        code="loja", name="Loja virtual", kind=SalesChannel.Kind.STOREFRONT
    )
    make_product("camiseta-basica", variants=[("CAM-P", "49.90")])
    make_product("caneca", variants=[("CAN-1", "39.90")])
    Variant.objects.filter(sku="CAM-P").update(ncm="61091000")
    to_rio = {**ADDRESS, "uf": "RJ", "city": "Rio de Janeiro"}
    orders = []
    for lines in ([("CAM-P", 1)], [("CAM-P", 2)], [("CAN-1", 1)]):
        order = place(
            loja,
            lines=[{"sku": sku, "quantity": n} for sku, n in lines],
            shipping_address=to_rio,
        )
        pay_order(order, user=None)
        orders.append(order)
    return clerk, orders


def test_the_clerk_invoices_the_paid_orders_in_bulk(
    page, login, live_server, sefaz, fiscal_desk
):
    clerk, (first, second, no_ncm) = fiscal_desk
    login(page, clerk.username)

    page.goto(f"{live_server.url}/admin/orders/?status=paid")
    page.locator("input[data-bulk-action-select-all-checkbox]").first.check()
    page.get_by_role(
        "link", name="Emitir as NF-e dos pedidos pagos selecionados"
    ).click()

    expect(page.locator("#bulk-issue-to-issue")).to_contain_text("3 pedidos pagos")
    expect(page.get_by_label("Emitente")).to_have_value(str(Emitter.objects.get().pk))
    page.get_by_role("button", name="Emitir as NF-e").click()

    expect(page.locator("#bulk-issue-stage")).to_contain_text(
        "Concluída: 3 de 3 pedidos"
    )
    expect(page.locator('[data-count="authorised"]')).to_have_text("2")
    expect(page.locator('[data-count="skipped"]')).to_have_text("1")
    row = page.locator(f'#bulk-issue-problems tr[data-order="{no_ncm.number}"]')
    expect(row).to_contain_text("NF-e não gerada")
    expect(row).to_contain_text("CAN-1")
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=os.environ["E2E_SCREENSHOTS"], full_page=True)
    assert FiscalDocument.objects.filter(status="authorised").count() == 2
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == "invoiced"
