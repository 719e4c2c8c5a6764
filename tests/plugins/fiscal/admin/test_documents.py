"""Fiscal › NF-e: the listing and a document's page show the documents of
the emitters the user sees (another emitter's document does not exist for
a fiscal clerk), filter by status, emitter, série and issue date, and read
as people read them (R$ 1.234,56, dd/mm/aaaa hh:mm, statuses in
Portuguese). Other modules add buttons to a document's page and to the
order's Fiscal panel through the plugin's hooks."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail import hooks

from plugins.fiscal.actions import FiscalAction
from plugins.fiscal.hooks import DOCUMENT_ACTIONS, ORDER_ACTIONS
from plugins.fiscal.models import FiscalEvent, NumberGap
from plugins.orders.models import Order, SalesChannel
from tests.factories import UserFactory
from tests.plugins.fiscal.admin.conftest import make_document

pytestmark = pytest.mark.django_db

LISTING = "/admin/fiscal/nfe/"


def numbers_listed(response) -> list[str]:
    """The "number / série" of each row of the listing, in order."""
    page = response.content.decode()
    return re.findall(
        r'href="/admin/fiscal/nfe/inspect/\d+/"[^>]*>\s*(\d+ / \d+)', page
    )


def local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


@pytest.fixture
def documents(matriz, filial):
    now = timezone.now()
    return {
        "authorised": make_document(
            matriz, number=101, issued_at=now - dt.timedelta(days=1)
        ),
        "rejected": make_document(
            matriz,
            number=102,
            status="rejected",
            status_code="539",
            status_reason="Rejeição: Duplicidade de NF-e, com diferença na Chave "
            "de Acesso",
            issued_at=now - dt.timedelta(days=10),
        ),
        "series_2": make_document(matriz, number=7, series=2, issued_at=now),
        "filial": make_document(filial, number=201, issued_at=now),
    }


def test_the_fiscal_clerk_lists_only_its_emitters_documents(client, clerk, documents):
    client.force_login(clerk)

    response = client.get(LISTING)

    assert response.status_code == 200
    assert sorted(numbers_listed(response)) == ["101 / 1", "102 / 1", "7 / 2"]
    assert "Loja Filial" not in response.content.decode()


def test_another_emitters_document_does_not_exist_for_the_clerk(
    client, clerk, documents
):
    client.force_login(clerk)

    own = client.get(f"{LISTING}inspect/{documents['authorised'].pk}/")
    other = client.get(f"{LISTING}inspect/{documents['filial'].pk}/")
    other_by_filter = client.get(LISTING, {"emitter": documents["filial"].emitter_id})

    assert own.status_code == 200
    assert other.status_code == 404
    # an emitter out of reach is no choice: the filter is ignored
    assert "201 / 1" not in numbers_listed(other_by_filter)


def test_the_accountant_reads_every_emitters_documents(client, accountant, documents):
    client.force_login(accountant)

    response = client.get(LISTING)

    assert sorted(numbers_listed(response)) == [
        "101 / 1",
        "102 / 1",
        "201 / 1",
        "7 / 2",
    ]
    assert client.get(f"{LISTING}inspect/{documents['filial'].pk}/").status_code == 200


def test_the_order_desk_has_no_fiscal_screens(client, documents):
    client.force_login(UserFactory(roles=["order_desk"]))

    assert client.get(LISTING).status_code in (302, 403)
    response = client.get(f"{LISTING}inspect/{documents['authorised'].pk}/")
    assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "rejected"}, ["102 / 1"]),
        ({"status": "authorised"}, ["101 / 1", "7 / 2"]),
        ({"series": "2"}, ["7 / 2"]),
        ({"emitter": "matriz"}, ["101 / 1", "102 / 1", "7 / 2"]),
        ({"q": "102"}, ["102 / 1"]),
    ],
)
def test_the_listing_filters(client, clerk, documents, params, expected):
    client.force_login(clerk)
    if params.get("emitter") == "matriz":
        params = {"emitter": documents["authorised"].emitter_id}

    response = client.get(LISTING, params)

    assert sorted(numbers_listed(response)) == expected


def test_the_listing_filters_by_issue_date(client, clerk, documents):
    client.force_login(clerk)
    today = timezone.localdate()
    week_ago = today - dt.timedelta(days=7)

    response = client.get(
        LISTING,
        {
            "issued_at_from": week_ago.strftime("%d/%m/%Y"),
            "issued_at_to": today.strftime("%d/%m/%Y"),
        },
    )

    assert sorted(numbers_listed(response)) == ["101 / 1", "7 / 2"]


def test_the_listing_reads_in_portuguese(client, clerk, documents, matriz):
    order = Order.objects.create(
        number="PED-0001",
        channel=SalesChannel.objects.create(code="loja", name="Loja"),
        customer_name="Maria",
        subtotal=Decimal("1234.56"),
        total=Decimal("1234.56"),
        payment_method="pix",
        placed_at=timezone.now(),
    )
    documents["authorised"].order = order
    documents["authorised"].save()
    client.force_login(clerk)

    page = client.get(LISTING).content.decode()

    assert "R$ 1.234,56" in page
    assert local(documents["authorised"].issued_at) in page
    assert "Autorizada" in page
    assert "Rejeitada" in page
    assert "Loja Matriz" in page
    # the order links to its page (the fiscal role reads every order)
    assert f'href="/admin/orders/{order.pk}/"' in page
    assert "authorised" not in re.sub(r"<[^>]+>", " ", page)


def test_a_documents_page_shows_its_data_events_and_the_authorisers_answer(
    client, clerk, documents
):
    rejected = documents["rejected"]
    authorised = documents["authorised"]
    FiscalEvent.objects.create(
        document=authorised,
        kind="110110",
        sequence=1,
        text="Corrige o endereço de entrega: número 120.",
        xml="<evento/>",
        protocol="135260000000001",
        status_reason="Evento registrado e vinculado a NF-e",
        registered_at=timezone.now(),
    )
    client.force_login(clerk)

    page = client.get(f"{LISTING}inspect/{rejected.pk}/").content.decode()
    with_event = client.get(f"{LISTING}inspect/{authorised.pk}/").content.decode()

    assert "Rejeição: Duplicidade de NF-e" in page
    assert "código da SEFAZ 539" in page
    assert "Rejeitada" in page
    assert "R$ 1.234,56" in page
    key = rejected.access_key
    assert " ".join(key[i : i + 4] for i in range(0, 44, 4)) in page
    assert "Nenhum evento foi registrado nesta NF-e." in page
    assert "Carta de correção (CC-e)" in with_event
    assert "Corrige o endereço de entrega: número 120." in with_event
    assert "135260000000001" in with_event


def _actions(*, document, request):
    return [
        FiscalAction("Baixar DANFE", f"/danfe/{document.pk}/", key="danfe"),
        FiscalAction(
            "Cancelar",
            f"/cancel/{document.pk}/",
            permission="issue",
            method="post",
            key="cancel",
        ),
        FiscalAction(
            "Baixar XML",
            f"/xml/{document.pk}/",
            permission="fiscal.download_archive",
            key="xml",
            priority=50,
        ),
    ]


def test_other_modules_add_buttons_to_a_documents_page(
    client, clerk, accountant, documents
):
    document = documents["authorised"]
    url = f"{LISTING}inspect/{document.pk}/"

    with hooks.register_temporarily(DOCUMENT_ACTIONS, _actions):
        client.force_login(clerk)
        as_clerk = client.get(url).content.decode()
        client.force_login(accountant)
        as_accountant = client.get(url).content.decode()

    # the clerk issues for this emitter: download and cancel (a form posting
    # the page's CSRF token); not the archive's XML
    assert 'data-fiscal-action="danfe"' in as_clerk
    cancel = re.search(
        r'<form method="post" action="/cancel/\d+/">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken"[^>]*>\s*<button[^>]*data-fiscal-action="cancel"',
        as_clerk,
    )
    assert cancel
    assert 'data-fiscal-action="xml"' not in as_clerk
    # the accountant downloads, cancels nothing; by priority, XML first
    assert 'data-fiscal-action="cancel"' not in as_accountant
    assert as_accountant.index('data-fiscal-action="xml"') < as_accountant.index(
        'data-fiscal-action="danfe"'
    )


def test_the_orders_page_has_a_fiscal_panel(client, clerk, matriz, filial):
    order = Order.objects.create(
        number="PED-0002",
        channel=SalesChannel.objects.create(code="loja", name="Loja"),
        customer_name="Maria",
        subtotal=Decimal("89.90"),
        total=Decimal("89.90"),
        payment_method="pix",
        placed_at=timezone.now(),
    )
    own = make_document(matriz, number=301, order=order, total=Decimal("89.90"))
    make_document(filial, number=302, order=order)

    def issue_button(*, order, request):
        return FiscalAction("Emitir NF-e", f"/issue/{order.pk}/", permission="issue")

    with hooks.register_temporarily(ORDER_ACTIONS, issue_button):
        client.force_login(clerk)
        page = client.get(f"/admin/orders/{order.pk}/").content.decode()
        client.force_login(UserFactory(roles=["accountant"]))
        as_accountant = client.get(f"/admin/orders/{order.pk}/").content.decode()

    panel = page[page.index('id="order-fiscal-section"') :]
    assert f'href="/admin/fiscal/nfe/inspect/{own.pk}/"' in panel
    assert "301 / 1" in panel
    assert "302 / 1" not in panel  # another emitter's
    assert "Autorizada" in panel
    assert " ".join(own.access_key[i : i + 4] for i in range(0, 44, 4)) in panel
    assert "Emitir NF-e" in panel
    assert "Emitir NF-e" not in as_accountant
    assert "302 / 1" in as_accountant


def test_the_fiscal_panel_is_for_those_who_see_fiscal_documents(client, matriz):
    order = Order.objects.create(
        number="PED-0003",
        channel=SalesChannel.objects.create(code="loja", name="Loja"),
        customer_name="Maria",
        subtotal=Decimal("89.90"),
        total=Decimal("89.90"),
        payment_method="pix",
        placed_at=timezone.now(),
    )
    client.force_login(UserFactory(roles=["manager"]))
    as_manager = client.get(f"/admin/orders/{order.pk}/").content.decode()
    client.force_login(UserFactory(roles=["finance"]))
    as_finance = client.get(f"/admin/orders/{order.pk}/").content.decode()

    assert 'id="order-fiscal-section"' in as_manager
    assert "Nenhuma NF-e foi emitida para este pedido." in as_manager
    assert 'id="order-fiscal-section"' not in as_finance


def test_inutilized_numbers_are_listed_by_emitter(client, clerk, matriz, filial):
    for emitter, first in ((matriz, 10), (filial, 50)):
        NumberGap.objects.create(
            emitter=emitter,
            environment="2",
            series=1,
            first_number=first,
            last_number=first + 2,
            reason="Falha no sistema de emissão",
            xml="<inutNFe/>",
            protocol="135260000000009",
        )
    client.force_login(clerk)

    page = client.get("/admin/fiscal/inutilizacoes/").content.decode()

    assert "10–12" in page
    assert "50–52" not in page
    assert "Registrada (protocolo 135260000000009)" in page
    assert "Homologação (testes)" in page
