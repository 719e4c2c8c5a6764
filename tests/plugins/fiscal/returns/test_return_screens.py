"""The returns from a sale NF-e's page and its order's Fiscal panel: the
store's return NF-e (lines and units chosen, sent to the local SEFAZ) and
the customer's own return NF-e uploaded; in pt-BR, for whoever issues for
the sale's emitter only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from plugins.fiscal.models import ArchivedXml, FiscalDocument
from plugins.fiscal.services.returns import returnable_lines
from tests.factories import UserFactory
from tests.plugins.fiscal.intake.nfe import Item

from .conftest import authorised_sale, customer_nfe

pytestmark = pytest.mark.django_db


def return_url(sale):
    return reverse("fiscal_return_document", args=[sale.pk])


def customer_return_url(sale):
    return reverse("fiscal_customer_return", args=[sale.pk])


def sale_url(sale):
    return reverse("fiscal_documents:inspect", args=[sale.pk])


def order_url(sale):
    return reverse("orders:detail", args=[sale.order_id])


def line_field(sale, sku):
    (row,) = [row for row in returnable_lines(sale) if row.line.sku == sku]
    return f"line_{row.line.pk}"


def returns():
    return FiscalDocument.objects.filter(operation="return")


def test_the_clerk_returns_part_of_a_sale_from_its_page(client, fiscal_clerk, sale):
    client.force_login(fiscal_clerk)
    # the sale's page and its order's offer the return; a consumer (CPF)
    # issues no NF-e of their own
    for page in (sale_url(sale), order_url(sale)):
        html = client.get(page).content.decode()
        assert return_url(sale) in html, page
        assert customer_return_url(sale) not in html
    html = client.get(return_url(sale)).content.decode()
    assert "CAM-P" in html and "CAN-1" in html
    assert 'value="2"' in html  # every unit left, by default

    # more than was sold
    response = client.post(
        return_url(sale),
        {line_field(sale, "CAM-P"): 3, line_field(sale, "CAN-1"): 0},
    )
    assert response.status_code == 200
    assert "menor ou igual a 2" in response.content.decode()
    assert not returns().exists()

    response = client.post(
        return_url(sale),
        {
            line_field(sale, "CAM-P"): 1,
            line_field(sale, "CAN-1"): 0,
            "reason": "Produto com defeito",
        },
    )

    document = returns().get()
    assert (response.status_code, response.url) == (302, sale_url(document))
    assert document.status == "authorised"
    assert "Motivo: Produto com defeito" in document.xml
    html = client.get(response.url).content.decode()
    assert (
        f"NF-e de devolução {document.number} autorizada: protocolo "
        f"{document.protocol}" in html
    )
    assert sale_url(sale) in html  # the referenced key leads to the sale
    # the sale's page lists its return and what came back
    html = client.get(sale_url(sale)).content.decode()
    assert "Devoluções" in html and sale_url(document) in html
    assert "CAM-P: 1 de 2 unidades voltaram" in html
    # the order's Fiscal panel lists it as a return
    html = client.get(order_url(sale)).content.decode()
    assert f"{document.number} / {document.series}</a> · Devolução" in html
    # what is left is offered next time
    html = client.get(return_url(sale)).content.decode()
    assert f'name="{line_field(sale, "CAM-P")}" value="1"' in html


def test_a_sale_not_delivered_says_why_and_takes_no_return(
    client, sefaz, emitter, ncm_order, tax_tables, fiscal_clerk
):
    sale = authorised_sale(ncm_order, emitter)  # invoiced, not delivered
    client.force_login(fiscal_clerk)

    assert return_url(sale) not in client.get(sale_url(sale)).content.decode()
    response = client.get(return_url(sale))
    assert response.status_code == 200
    html = response.content.decode()
    assert "depois que o pedido foi entregue" in html
    assert 'id="return-form"' not in html
    response = client.post(return_url(sale), {line_field(sale, "CAM-P"): 1})
    assert (response.status_code, response.url) == (302, sale_url(sale))
    assert not returns().exists()


def test_the_customers_return_nfe_is_uploaded_from_the_order(
    client, fiscal_clerk, company_sale, customer_certificate
):
    client.force_login(fiscal_clerk)
    html = client.get(order_url(company_sale)).content.decode()
    assert customer_return_url(company_sale) in html
    assert client.get(customer_return_url(company_sale)).status_code == 200

    # a sale's NF-e is not a return
    wrong = customer_nfe(
        customer_certificate,
        company_sale,
        [Item(code="CAM-P", description="x")],
        purpose="1",
    )
    response = client.post(
        customer_return_url(company_sale),
        {"file": SimpleUploadedFile("venda.xml", wrong)},
    )
    assert response.status_code == 200
    assert "deveria ser uma NF-e de devolução" in response.content.decode()

    xml = customer_nfe(
        customer_certificate,
        company_sale,
        [Item(code="CAN-1", description="Caneca", quantity="1.0000", cfop="6202")],
    )
    response = client.post(
        customer_return_url(company_sale),
        {"file": SimpleUploadedFile("devolucao.xml", xml)},
    )

    assert (response.status_code, response.url) == (302, sale_url(company_sale))
    row = ArchivedXml.objects.get(kind="received")
    assert row.document_id == company_sale.pk
    html = client.get(response.url).content.decode()
    assert "NF-e de devolução do cliente 501 registrada e arquivada: 1 × CAN-1" in html
    assert reverse("fiscal_archive:inspect", args=[row.pk]) in html


def test_only_whoever_issues_for_the_sales_emitter_returns(
    client, sale, other_emitter, accountant, order_desk
):
    clerk = UserFactory(username="filial", roles=["fiscal"])
    for perm in ("fiscal.view_emitter", "fiscal.issue_emitter"):
        assign_perm(perm, clerk, other_emitter)
    client.force_login(clerk)
    for url in (return_url(sale), customer_return_url(sale)):
        assert client.get(url).status_code == 404
        assert client.post(url, {line_field(sale, "CAM-P"): 1}).status_code == 404
    # the order's panel offers them nothing
    assert return_url(sale) not in client.get(order_url(sale)).content.decode()

    for user in (accountant, order_desk):
        client.force_login(user)
        for url in (return_url(sale), customer_return_url(sale)):
            response = client.post(url, {line_field(sale, "CAM-P"): 1})
            assert (response.status_code, response.url) == (302, "/admin/")
    assert not returns().exists()
