"""The order desk listing: scoping, filters, search, columns, query count,
bulk actions and exports."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plugins.orders.models import Order, OrderStatus
from plugins.orders.services import transition_order
from tests.helpers import csv_export, xlsx_export_dicts
from tests.plugins.orders import admin_fixtures
from tests.plugins.orders.admin_fixtures import (
    force_status,
    is_admin_denied,
    login,
    messages_of,
    text,
)
from tests.plugins.orders.conftest import CNPJ, place

# fixtures shared by the admin tests
ml_order = admin_fixtures.ml_order
order = admin_fixtures.order
viewer = admin_fixtures.viewer

S = OrderStatus
URL = "/admin/orders/"


def numbers(response) -> set[str]:
    page = response.content.decode()
    return {o.number for o in Order.objects.all() if o.number in page}


def test_attendant_lists_only_their_channels_orders(attendant, order, ml_order):
    response = login(attendant).get(URL)
    assert response.status_code == 200
    assert numbers(response) == {order.number}


def test_managers_and_auditors_list_every_channel(manager, auditor, order, ml_order):
    for user in (manager, auditor):
        assert numbers(login(user).get(URL)) == {order.number, ml_order.number}


@pytest.mark.parametrize(
    "query",
    [
        "529.982.247-25",
        "52998224725",
        "maria@example.com",
        "Maria da",
        "MLB-1",
    ],
)
def test_search(manager, sellable, loja, mercado_livre, query):
    maria = place(mercado_livre, external_id="MLB-1")
    other = place(
        loja,
        customer={"name": "Empresa X", "document": CNPJ, "email": "x@example.com"},
    )
    found = numbers(login(manager).get(URL, {"q": query}))
    assert maria.number in found
    assert other.number not in found


def test_search_by_number_and_cnpj(manager, order, sellable, loja):
    company = place(loja, customer={"name": "Empresa X", "document": CNPJ})
    client = login(manager)
    assert numbers(client.get(URL, {"q": order.number})) == {order.number}
    assert numbers(client.get(URL, {"q": "11222333000181"})) == {company.number}


def test_search_stays_within_the_channels(attendant, order, ml_order):
    assert numbers(login(attendant).get(URL, {"q": "MLB-1"})) == set()


def test_filters(manager, sellable, loja, mercado_livre):
    pix = place(loja)
    card = place(loja, payment_method="card", installments=2)
    ml = place(mercado_livre, external_id="MLB-9")
    force_status(card, S.PAID)
    old = timezone.now() - datetime.timedelta(days=40)
    Order.objects.filter(pk=ml.pk).update(
        placed_at=old, promised_delivery_date=datetime.date(2020, 1, 1)
    )
    client = login(manager)
    assert numbers(client.get(URL, {"status": "paid"})) == {card.number}
    assert numbers(client.get(URL, {"channel": mercado_livre.pk})) == {ml.number}
    assert numbers(client.get(URL, {"payment_method": "card"})) == {card.number}
    assert numbers(client.get(URL, {"late": "true"})) == {ml.number}
    assert numbers(client.get(URL, {"late": "false"})) == {pix.number, card.number}
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert numbers(client.get(URL, {"placed_at_from": since})) == {
        pix.number,
        card.number,
    }
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert numbers(client.get(URL, {"placed_at_to": until})) == {ml.number}


def test_channel_filter_offers_only_the_users_channels(
    attendant, order, ml_order, loja, mercado_livre
):
    client = login(attendant)
    page = client.get(URL).content.decode()
    assert "Loja virtual" in page
    assert "Mercado Livre" not in page
    # asking for another channel does not widen the listing
    assert numbers(client.get(URL, {"channel": mercado_livre.pk})) == {order.number}


def test_columns(manager, order):
    Order.objects.filter(pk=order.pk).update(
        promised_delivery_date=datetime.date(2020, 1, 1)
    )
    page = text(login(manager).get(URL))
    for expected in (
        order.number,
        "Loja virtual",
        "Maria da Silva",
        "R$ 154,70",
        "Aguardando pagamento",
        "Atrasado",
    ):
        assert expected in page, expected


def test_listing_query_count_is_constant_in_page_size(attendant, sellable, loja):
    client = login(attendant)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        return len(queries), len(numbers(response))

    place(loja)
    place(loja, external_id="x-1")
    client.get(URL)  # warm caches (content types, site)
    small, shown = count()
    assert shown == 2
    for i in range(10):
        place(loja, external_id=f"x-{i + 2}")
    large, shown = count()
    assert shown == 12
    assert large == small


# -- bulk actions ------------------------------------------------------------------


def bulk(action, *orders, **params):
    query = "&".join(f"id={o.pk}" for o in orders)
    extra = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/admin/bulk/orders/order/{action}/?{query}&{extra}&next={URL}"


def test_bulk_ready_to_ship_reports_each_order(attendant, sellable, loja):
    ready, also_ready, pending = place(loja), place(loja), place(loja)
    for o in (ready, also_ready):
        for name in ("pay", "invoice"):
            transition_order(o, name, user=attendant)
    client = login(attendant)
    url = bulk("prepare", ready, also_ready, pending)
    assert client.get(url).status_code == 200  # confirmation
    response = client.post(url)
    assert response.status_code == 302
    notes = messages_of(response)
    assert any(pending.number in m and "Aguardando pagamento" in m for m in notes)
    assert any("2 pedidos" in m for m in notes)
    statuses = dict(Order.objects.values_list("number", "status"))
    assert statuses[ready.number] == statuses[also_ready.number] == S.READY_TO_SHIP
    assert statuses[pending.number] == S.PENDING_PAYMENT
    assert not pending.events.filter(kind="transition").exists()


def test_bulk_select_all_follows_the_listing_filters(attendant, sellable, loja):
    invoiced, pending = place(loja), place(loja)
    force_status(invoiced, S.INVOICED)
    client = login(attendant)
    url = f"/admin/bulk/orders/order/prepare/?status=invoiced&id=all&next={URL}"
    response = client.post(url)
    assert response.status_code == 302
    invoiced.refresh_from_db()
    pending.refresh_from_db()
    assert (invoiced.status, pending.status) == (S.READY_TO_SHIP, S.PENDING_PAYMENT)


def test_bulk_actions_answer_404_for_other_channels_orders(attendant, order, ml_order):
    force_status(ml_order, S.INVOICED)
    client = login(attendant)
    assert client.get(bulk("prepare", order, ml_order)).status_code == 404
    assert client.post(bulk("prepare", ml_order)).status_code == 404
    assert client.get(bulk("export", ml_order, format="csv")).status_code == 404
    ml_order.refresh_from_db()
    assert ml_order.status == S.INVOICED


def test_bulk_ready_to_ship_needs_the_permission(viewer, order):
    force_status(order, S.INVOICED)
    response = login(viewer).post(bulk("prepare", order))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.INVOICED


def test_bulk_actions_are_denied_without_orders_access(editor, order):
    assert is_admin_denied(login(editor).get(bulk("prepare", order)))


# -- exports -----------------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    return csv_export(response)


def test_export_of_the_filtered_listing_is_scoped(attendant, order, ml_order):
    response = login(attendant).get(URL, {"export": "csv"})
    assert response.status_code == 200
    rows = rows_of(response)
    assert rows[0][0] == "Número"
    assert [row[0] for row in rows[1:]] == [order.number]
    assert "R$" not in rows[1][13] and rows[1][13] == "154,70"


def test_export_writes_numbers_and_dates_the_brazilian_way(manager, sellable, loja):
    placed = place(loja)
    Order.objects.filter(pk=placed.pk).update(
        placed_at=datetime.datetime(2026, 3, 9, 2, 30, tzinfo=datetime.UTC),
        promised_delivery_date=datetime.date(2026, 3, 20),
        subtotal=F("subtotal") + 1000,
        total=F("total") + 1000,
    )
    client = login(manager)
    header, row = rows_of(client.get(URL, {"export": "csv"}))
    row = dict(zip(header, row, strict=True))
    # 02:30 UTC is 23:30 of the day before in São Paulo
    assert row["Recebido em"] == "08/03/2026 23:30"
    assert row["Total"] == "1154,70"  # no thousands separator: imports read it back
    assert row["Data de entrega prometida"] == "20/03/2026"
    assert row["Parcelas"] == "1"

    (cells,) = xlsx_export_dicts(client.get(URL, {"export": "xlsx"}))
    total, placed_at = cells["Total"], cells["Recebido em"]
    assert total.data_type == "n" and total.value == 1154.7
    assert total.number_format == "0.00"
    assert placed_at.is_date
    assert placed_at.value.isoformat() == "2026-03-08T23:30:00"
    assert placed_at.number_format == "dd/mm/yyyy hh:mm"
    promised = cells["Data de entrega prometida"]
    assert promised.is_date and promised.value.date() == datetime.date(2026, 3, 20)
    assert promised.number_format == "dd/mm/yyyy"
    assert cells["Parcelas"].data_type == "n"


def test_export_neutralises_formulas(manager, sellable, loja):
    place(loja, customer={"name": '=HYPERLINK("http://x")', "email": ""})
    rows = rows_of(login(manager).get(URL, {"export": "csv"}))
    assert rows[1][4] == '\'=HYPERLINK("http://x")'
    (cells,) = xlsx_export_dicts(login(manager).get(URL, {"export": "xlsx"}))
    name = cells["Nome do cliente"]
    # a text cell (never a formula), quoted as Excel quotes a typed '=
    assert name.data_type == "s" and name.quotePrefix
    assert name.value == '=HYPERLINK("http://x")'


def test_export_of_a_selection(attendant, sellable, loja):
    first, second, _third = place(loja), place(loja), place(loja)
    client = login(attendant)
    response = client.get(bulk("export", first, second, format="csv"))
    assert response.status_code == 302
    rows = rows_of(client.get(response.url))
    assert sorted(row[0] for row in rows[1:]) == sorted([first.number, second.number])
    xlsx = client.get(client.get(bulk("export", first, format="xlsx")).url)
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_export_of_select_all_keeps_the_filters(manager, sellable, loja):
    paid, pending = place(loja), place(loja)
    force_status(paid, S.PAID)
    client = login(manager)
    response = client.get(
        f"/admin/bulk/orders/order/export/?status=paid&id=all&format=csv&next={URL}"
    )
    rows = rows_of(client.get(response.url))
    assert [row[0] for row in rows[1:]] == [paid.number]
    assert pending.number not in response.url
