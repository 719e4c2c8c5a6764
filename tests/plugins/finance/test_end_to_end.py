"""A storefront takes a payment through a provider's simulator, over real
HTTP end to end: it places an order, asks for Pix (or a card in
installments), the provider approves and sends its signed notifications to
our endpoint, and the order becomes paid with its receivables — once,
whatever is repeated or reordered; an unsigned notification changes nothing."""

from decimal import Decimal

import pytest
import requests

from api.services import create_api_key
from plugins.finance.models import Payment, Provider, ProviderAccount, ProviderEvent
from plugins.finance.pix import parse_br_code
from plugins.orders.models import Order, OrderEvent, SalesChannel
from tests.content.conftest import make_product
from tests.plugins.finance.conftest import MP_SECRET, MP_TOKEN, PAGBANK_TOKEN

pytestmark = pytest.mark.django_db(transaction=True)

ORDER = {
    "customer": {
        "name": "Maria da Silva",
        "email": "maria@example.com",
        "document": "529.982.247-25",
    },
    "shipping_address": {
        "recipient": "Maria da Silva",
        "cep": "01310-100",
        "street": "Avenida Paulista",
        "number": "1000",
        "district": "Bela Vista",
        "city": "São Paulo",
        "uf": "SP",
    },
    "lines": [{"sku": "CAM-P", "quantity": 2}],
    "payment_method": "pix",
}


@pytest.fixture
def shop(live_server, db):
    SalesChannel.objects.create(code="loja", name="Loja", kind="storefront")
    make_product("camiseta", variants=[("CAM-P", "49.90")])
    _key, secret = create_api_key(
        name="Loja",
        scopes=["orders:write", "orders:read"],
        allowed_origins=[],
        rate_limit=0,
        user=None,
    )
    session = requests.Session()
    session.headers["Authorization"] = f"Api-Key {secret}"
    session.base = live_server.url
    return session


def place(shop, **changes) -> str:
    response = shop.post(
        f"{shop.base}/api/v1/orders/",
        json={**ORDER, **changes},
        headers={"Idempotency-Key": f"pedido-{len(Order.objects.all())}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["status_url"].rstrip("/").rsplit("/", 1)[-1]


def pay(shop, token, **body):
    return shop.post(
        f"{shop.base}/api/v1/finance/payments/",
        json={"order": token, **body},
        timeout=30,
    )


def test_pix_through_mercado_pago_pays_the_order_once(shop, mercadopago_simulator):
    ProviderAccount.objects.create(
        name="Mercado Pago",
        provider=Provider.MERCADO_PAGO,
        api_url=mercadopago_simulator.url,
        access_token=MP_TOKEN,
        webhook_secret=MP_SECRET,
    )
    token = place(shop)
    order = Order.objects.get(customer_token=token)

    response = pay(
        shop, token, method="pix", amount="0.01"
    )  # a stated amount is ignored

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending" and body["amount"] == "99.80"
    assert parse_br_code(body["pix"]["copy_and_paste"]).amount == Decimal("99.80")
    qr = shop.get(body["pix"]["qr_png_url"], timeout=30)
    assert qr.headers["Content-Type"] == "image/png" and qr.content[:4] == b"\x89PNG"
    # asking again while it is open gives the same payment
    assert pay(shop, token, method="pix").json()["id"] == body["id"]

    payment = Payment.objects.get(reference=body["id"])
    mercadopago_simulator.webhooks.duplicates = 2
    mercadopago_simulator.approve(payment.provider_id)
    deliveries = mercadopago_simulator.deliver_until_done()

    assert deliveries and all(d.ok for d in deliveries)
    order.refresh_from_db()
    assert order.status == "paid"
    payment.refresh_from_db()
    assert payment.status == "approved"
    assert payment.receivables.count() == 1
    # each notification (created, updated) three times: each stored once, and
    # the approval applied once
    events = ProviderEvent.objects.filter(account__provider="mercadopago")
    assert len(deliveries) == 3 * events.count()
    assert events.count() == len({d.notification_id for d in deliveries})
    assert sorted(events.values_list("outcome", flat=True)).count("applied") == 1
    assert OrderEvent.objects.filter(order=order, source="finance").count() == 1
    status = shop.get(f"{shop.base}/api/v1/finance/payments/{body['id']}/", timeout=30)
    assert status.json()["status"] == "approved"


def test_a_notification_that_is_not_signed_changes_nothing(shop, mercadopago_simulator):
    account = ProviderAccount.objects.create(
        name="Mercado Pago",
        provider=Provider.MERCADO_PAGO,
        api_url=mercadopago_simulator.url,
        access_token=MP_TOKEN,
        webhook_secret=MP_SECRET,
    )
    token = place(shop)
    body = pay(shop, token, method="pix").json()
    payment = Payment.objects.get(reference=body["id"])
    mercadopago_simulator.approve(payment.provider_id)
    webhook = f"{shop.base}/api/v1/finance/webhooks/{account.webhook_token}/"

    forged = requests.post(
        f"{webhook}?data.id={payment.provider_id}&type=payment",
        json={"action": "payment.updated", "data": {"id": payment.provider_id}},
        headers={"x-signature": "ts=1700000000,v1=" + "0" * 64, "x-request-id": "r"},
        timeout=30,
    )
    unknown = requests.post(f"{shop.base}/api/v1/finance/webhooks/nope/", timeout=30)

    assert forged.status_code == 401 and unknown.status_code == 404
    assert not ProviderEvent.objects.exists()
    assert Order.objects.get(customer_token=token).status == "pending_payment"


def test_card_in_installments_through_pagbank_out_of_order(shop, pagbank_simulator):
    ProviderAccount.objects.create(
        name="PagBank",
        provider=Provider.PAGBANK,
        api_url=pagbank_simulator.url,
        access_token=PAGBANK_TOKEN,
        webhook_secret=PAGBANK_TOKEN,
        accepts_pix=False,
    )
    token = place(shop, payment_method="card", installments=3)

    response = pay(shop, token, method="card", installments=3, card_token="tok-visa")

    assert response.status_code == 201, response.text
    payment = Payment.objects.get(reference=response.json()["id"])
    if payment.status == "pending":
        pagbank_simulator.approve(payment.provider_id)
    pagbank_simulator.refund(payment.provider_id)
    pagbank_simulator.webhooks.reverse = True  # the refund arrives first
    pagbank_simulator.deliver_until_done()

    payment.refresh_from_db()
    assert payment.status == "refunded"
    assert payment.receivables.count() == 3
    assert set(payment.receivables.values_list("status", flat=True)) == {"written_off"}
    assert Order.objects.get(customer_token=token).status == "cancelled"


def test_no_payment_for_an_order_that_is_not_pending_or_unknown(shop):
    ProviderAccount.objects.create(
        name="Depósito",
        provider=Provider.MANUAL,
        pix_key="financeiro@example.com",
        merchant_name="LOJA EXEMPLO",
        merchant_city="SAO PAULO",
    )
    token = place(shop)
    assert pay(shop, token, method="boleto").status_code == 409  # not offered
    assert pay(shop, "nao-existe", method="pix").status_code == 404
    static = pay(shop, token, method="pix").json()
    assert parse_br_code(static["pix"]["copy_and_paste"]).amount == Decimal("99.80")
    Order.objects.filter(customer_token=token).update(status="cancelled")
    assert pay(shop, token, method="pix").status_code == 409
