"""The order detail page and the actions on an order (transitions, notes):
what each role sees and may do, service errors as messages, and channel
scoping (other channels' orders answer 404)."""

import json

import pytest
from wagtail import hooks
from wagtail.models import ModelLogEntry

from plugins.exceptions import Refused
from plugins.orders import hooks as order_hooks
from plugins.orders.models import OrderEvent, OrderStatus
from plugins.orders.services import record_event, transition_order
from tests.plugins.orders import admin_fixtures
from tests.plugins.orders.admin_fixtures import (
    force_status,
    is_admin_denied,
    login,
    messages_of,
    text,
)
from tests.plugins.orders.conftest import place

# fixtures shared by the admin tests
ml_order = admin_fixtures.ml_order
order = admin_fixtures.order
viewer = admin_fixtures.viewer

S = OrderStatus


def detail(order):
    return f"/admin/orders/{order.pk}/"


def transition(order, name):
    return f"/admin/orders/{order.pk}/transition/{name}/"


def test_detail_shows_the_snapshots_lines_totals_and_payment(attendant, sellable, loja):
    order = place(loja, payment_method="card", installments=3)
    response = login(attendant).get(detail(order))
    assert response.status_code == 200
    page = text(response)
    for expected in (
        order.number,
        "Maria da Silva",
        "529.982.247-25",
        "maria@example.com",
        "Avenida Paulista, 1000",
        "01310-100",
        "São Paulo/SP",
        "CAM-P",
        "CAN-1",
        "R$ 99,80",  # 2 × 49,90
        "R$ 139,70",  # subtotal
        "R$ 15,00",  # shipping
        "R$ 154,70",  # total
        "Aguardando pagamento",
        # 154,70 in 3: the first installment takes the leftover centavo
        "R$ 51,58",
        "R$ 51,56",
    ):
        assert expected in page, expected


def test_timeline_lists_every_event_newest_first_with_plugin_sources(attendant, order):
    transition_order(order, "pay", user=attendant)
    record_event(order, source="shelves", message="NF-e 123 autorizada")
    client = login(attendant)
    client.post(f"/admin/orders/{order.pk}/note/", {"text": "Cliente ligou"})
    page = text(client.get(detail(order)))
    timeline = page[page.index("Linha do tempo") :]
    positions = [
        timeline.index(entry)
        for entry in (
            "Cliente ligou",
            "NF-e 123 autorizada",
            "Aguardando pagamento → Pago",
            "Pedido recebido",
        )
    ]
    assert positions == sorted(positions)
    assert "(Shelves)" in timeline or "(Prateleiras)" in timeline


def test_buttons_are_the_allowed_transitions_only(attendant, viewer, manager, order):
    def buttons(user):
        html = login(user).get(detail(order)).content.decode()
        return sorted(
            name
            for name in ("pay", "invoice", "prepare", "ship", "deliver", "cancel")
            if f'data-transition="{name}"' in html
        )

    assert buttons(attendant) == ["cancel", "pay"]
    assert buttons(viewer) == []
    assert buttons(manager) == []
    force_status(order, S.INVOICED)
    assert buttons(attendant) == ["prepare"]


def test_the_whole_lifecycle_with_the_buttons(attendant, order):
    client = login(attendant)
    for name, status in (
        ("pay", S.PAID),
        ("invoice", S.INVOICED),
        ("prepare", S.READY_TO_SHIP),
        ("ship", S.SHIPPED),
        ("deliver", S.DELIVERED),
    ):
        response = client.post(transition(order, name))
        assert response.status_code == 302
        assert response.url == detail(order)
        order.refresh_from_db()
        assert order.status == status
    assert order.events.filter(kind="transition").count() == 5
    assert ModelLogEntry.objects.filter(
        object_id=str(order.pk), action="orders.deliver", user=attendant
    ).exists()


def test_illegal_transition_is_an_error_message_and_changes_nothing(attendant, order):
    response = login(attendant).post(transition(order, "ship"))
    assert response.status_code == 302
    assert any("Aguardando pagamento" in m for m in messages_of(response))
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT
    assert not order.events.filter(kind="transition").exists()


def test_cancel_asks_for_a_reason(attendant, order):
    client = login(attendant)
    response = client.post(transition(order, "cancel"), {"cancel-reason": " "})
    assert messages_of(response) == ["Informe um motivo."]
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT
    client.post(transition(order, "cancel"), {"cancel-reason": "Desistiu"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (S.CANCELLED, "Desistiu")


def test_a_refusing_hook_is_an_error_message_and_nothing_is_written(attendant, order):
    class GatewayDown(Refused):
        pass

    def refuse(*, order, user):
        raise GatewayDown("O gateway recusou.")

    with hooks.register_temporarily(order_hooks.ORDER_PAID, refuse):
        response = login(attendant).post(transition(order, "pay"))
    assert messages_of(response) == ["O gateway recusou."]
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT
    assert not ModelLogEntry.objects.filter(action="orders.pay").exists()


def test_a_view_only_grant_cannot_move_or_annotate(viewer, order):
    client = login(viewer)
    assert client.get(detail(order)).status_code == 200
    assert is_admin_denied(client.post(transition(order, "pay")))
    assert is_admin_denied(
        client.post(f"/admin/orders/{order.pk}/note/", {"text": "oi"})
    )
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT
    assert not order.events.filter(kind="note").exists()


def test_managers_read_orders_but_do_not_move_them(manager, order):
    client = login(manager)
    assert client.get(detail(order)).status_code == 200
    assert is_admin_denied(client.post(transition(order, "pay")))


def test_users_without_orders_access_are_denied(editor, order):
    client = login(editor)
    assert is_admin_denied(client.get(detail(order)))
    assert is_admin_denied(client.get("/admin/orders/"))


@pytest.mark.parametrize(
    ("method", "suffix", "data"),
    [
        ("get", "", {}),
        ("post", "transition/pay/", {}),
        ("post", "transition/cancel/", {"cancel-reason": "x"}),
        ("post", "note/", {"text": "oi"}),
    ],
)
def test_other_channels_orders_are_404_everywhere(
    attendant, ml_order, method, suffix, data
):
    response = getattr(login(attendant), method)(detail(ml_order) + suffix, data)
    assert response.status_code == 404
    ml_order.refresh_from_db()
    assert ml_order.status == S.PENDING_PAYMENT
    assert not ml_order.events.exclude(kind="placed").exists()


def test_unknown_transition_and_unknown_order_are_404(attendant, order):
    client = login(attendant)
    assert client.post(transition(order, "teleport")).status_code == 404
    assert client.get("/admin/orders/999999/").status_code == 404


def test_a_transition_needs_post(attendant, order):
    assert login(attendant).get(transition(order, "pay")).status_code == 405


def test_notes_go_on_the_timeline_and_empty_ones_are_refused(attendant, order):
    client = login(attendant)
    response = client.post(f"/admin/orders/{order.pk}/note/", {"text": "  "})
    assert messages_of(response) == ["Escreva uma nota."]
    client.post(f"/admin/orders/{order.pk}/note/", {"text": "Trocar endereço"})
    note = order.events.get(kind=OrderEvent.Kind.NOTE)
    assert (note.message, note.user) == ("Trocar endereço", attendant)
    assert ModelLogEntry.objects.filter(
        action="orders.note", object_id=str(order.pk)
    ).exists()


def test_late_orders_are_marked(attendant, order):
    import datetime

    from plugins.orders.models import Order

    Order.objects.filter(pk=order.pk).update(
        promised_delivery_date=datetime.date(2020, 1, 1)
    )
    assert "Atrasado" in text(login(attendant).get(detail(order)))


def test_the_order_desk_is_in_the_back_office_menu(attendant, editor, loja):
    page = login(attendant).get("/admin/").content.decode()
    for url in (
        "/admin/orders/",
        "/admin/customers/",
        "/admin/sales-channels/",
        "/admin/orders/survey/",
    ):
        assert url in page, url
    for label in ("Pedidos", "Clientes", "Canais de venda", "Pesquisa pós-venda"):
        assert json.dumps(label)[1:-1] in page, label  # in the sidebar's JSON
    assert "/admin/orders/" not in login(editor).get("/admin/").content.decode()


def test_the_order_links_to_its_customer(attendant, manager, order):
    customer = order.customer_id
    page = login(attendant).get(detail(order)).content.decode()
    assert f"/admin/customers/edit/{customer}/" in page
    page = login(manager).get(detail(order)).content.decode()  # read only
    assert f"/admin/customers/inspect/{customer}/" in page


def test_order_permissions_are_offered_in_the_group_editor(db):
    from django.urls import reverse
    from wagtail import hooks as wagtail_hooks

    reverse("orders:index")  # the admin's URLs register the viewsets
    codenames = {
        perm.codename
        for fn in wagtail_hooks.get_hooks("register_permissions")
        for perm in fn()
        if perm.content_type.app_label == "orders"
    }
    assert {"view_order", "pay_order", "import_order", "change_customer"} <= codenames
