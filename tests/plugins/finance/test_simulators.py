"""The simulators themselves: the demo's controls over HTTP, webhooks
delivered on their own, the vendors' rules they enforce, and the command."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from plugins.finance.providers import (
    Credentials,
    MercadoPagoProvider,
    PagBankProvider,
    PaymentMethod,
    PaymentStatus,
)
from plugins.finance.simulators import MercadoPagoSimulator, PagBankSimulator

from .charges import charge_request
from .conftest import MP_SECRET, MP_TOKEN, PAGBANK_TOKEN

ROOT = Path(__file__).resolve().parents[3]


def _mercadopago(simulator):
    return MercadoPagoProvider(Credentials(simulator.url, MP_TOKEN, MP_SECRET))


def test_the_demo_approves_a_payment_over_http(mercadopago_simulator):
    provider = _mercadopago(mercadopago_simulator)
    charge = provider.create_charge(charge_request(PaymentMethod.PIX))
    control = f"{mercadopago_simulator.url}/_simulator/payments/{charge.provider_id}"
    answer = requests.post(f"{control}/approve", timeout=5)
    assert answer.status_code == 200
    assert answer.json()["status"] == "approved"
    assert provider.fetch_status(charge.provider_id).status == PaymentStatus.APPROVED
    # approving twice is not a state change the vendor knows
    assert requests.post(f"{control}/approve", timeout=5).status_code == 409
    refund = requests.post(f"{control}/refund", json={"amount": "10.00"}, timeout=5)
    assert refund.json()["status_detail"] == "partially_refunded"


@pytest.mark.parametrize("vendor", ["mercadopago", "pagbank"])
def test_the_demo_names_a_payment_by_the_stores_reference(
    vendor, mercadopago_simulator, pagbank_simulator
):
    # given a Pix charged with our reference (what the storefront API shows
    # as the payment's id)
    simulator, provider = {
        "mercadopago": (mercadopago_simulator, _mercadopago(mercadopago_simulator)),
        "pagbank": (
            pagbank_simulator,
            PagBankProvider(Credentials(pagbank_simulator.url, PAGBANK_TOKEN)),
        ),
    }[vendor]
    request = charge_request(PaymentMethod.PIX)
    charge = provider.create_charge(request)
    # when the demo approves it by that reference
    control = f"{simulator.url}/_simulator/payments/{request.reference}/approve"
    assert requests.post(control, timeout=5).status_code == 200
    # then the vendor's payment is approved
    assert provider.fetch_status(charge.provider_id).status == PaymentStatus.APPROVED
    # and a reference nobody sent is no payment
    unknown = f"{simulator.url}/_simulator/payments/pay-unknown/approve"
    assert requests.post(unknown, timeout=5).status_code == 409


def test_faults_and_webhook_behaviour_are_set_over_http(
    mercadopago_simulator, webhook_receiver
):
    url = mercadopago_simulator.url
    requests.post(f"{url}/_simulator/faults", json={"fail": {"status": 503}}, timeout=5)
    provider = _mercadopago(mercadopago_simulator)
    with pytest.raises(Exception, match="HTTP 503"):
        provider.fetch_status("1")
    answer = requests.put(
        f"{url}/_simulator/webhooks", json={"duplicates": 1}, timeout=5
    )
    assert answer.json()["duplicates"] == 1
    provider.create_charge(
        charge_request(PaymentMethod.PIX, notification_url=webhook_receiver.url)
    )
    delivered = requests.post(f"{url}/_simulator/deliver", timeout=5).json()
    assert [d["status"] for d in delivered] == [200, 200]
    assert len(requests.get(f"{url}/_simulator/deliveries", timeout=5).json()) == 2


def test_webhooks_go_out_on_their_own_and_are_retried(webhook_receiver):
    # given a simulator delivering by itself, as in the demo
    with MercadoPagoSimulator(
        access_token=MP_TOKEN, webhook_secret=MP_SECRET, auto_deliver=True
    ) as simulator:
        simulator.webhooks.backoff = 0.05
        webhook_receiver.answers = [500]
        provider = _mercadopago(simulator)
        # when a payment is made and our endpoint fails once
        charge = provider.create_charge(
            charge_request(PaymentMethod.PIX, notification_url=webhook_receiver.url)
        )
        # then the webhook comes again and is taken
        first, second = webhook_receiver.wait_for(2)
    assert first.body == second.body
    assert first.query["data.id"] == charge.provider_id


def test_mercadopago_requires_an_idempotency_key(mercadopago_simulator):
    answer = requests.post(
        f"{mercadopago_simulator.url}/v1/payments",
        json={"transaction_amount": 10, "payment_method_id": "pix"},
        headers={"Authorization": f"Bearer {MP_TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["cause"][0]["description"].startswith("header X-Idempotency")


def test_pagbank_refuses_an_invalid_cpf(pagbank_simulator):
    answer = requests.post(
        f"{pagbank_simulator.url}/orders",
        json={
            "customer": {"name": "A", "email": "a@b.com", "tax_id": "12345678900"},
            "qr_codes": [{"amount": {"value": 100}}],
        },
        headers={"Authorization": f"Bearer {PAGBANK_TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error_messages"][0]["parameter_name"] == "customer.tax_id"


def test_pagbanks_qr_code_image_is_served(pagbank_simulator):
    order = requests.post(
        f"{pagbank_simulator.url}/orders",
        json={
            "customer": {"name": "A", "email": "a@b.com", "tax_id": "52998224725"},
            "qr_codes": [{"amount": {"value": 100}}],
        },
        headers={"Authorization": f"Bearer {PAGBANK_TOKEN}"},
        timeout=5,
    ).json()
    image = requests.get(order["qr_codes"][0]["links"][0]["href"], timeout=5)
    assert image.headers["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_the_command_serves_a_simulator():
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "plugins.finance.simulators",
            "pagbank",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stderr.readline()
        assert f"listening on http://127.0.0.1:{port}" in line
        answer = requests.get(f"http://127.0.0.1:{port}/orders/ORDE_X", timeout=5)
        assert answer.status_code == 401
        assert answer.json()["error_messages"][0]["code"] == "UNAUTHORIZED"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()


def test_a_restarted_simulator_knows_the_payments_in_its_state_file(tmp_path):
    # given a Mercado Pago simulator that kept its state in a file, now gone
    state = tmp_path / "mercadopago.json"
    with MercadoPagoSimulator(
        access_token=MP_TOKEN, webhook_secret=MP_SECRET, state_file=state
    ) as simulator:
        pix = _mercadopago(simulator).create_charge(charge_request(PaymentMethod.PIX))
        card = _mercadopago(simulator).create_charge(
            charge_request(PaymentMethod.CARD, installments=3)
        )
    # when it starts again with the same file
    with MercadoPagoSimulator(
        access_token=MP_TOKEN, webhook_secret=MP_SECRET, state_file=state
    ) as simulator:
        provider = _mercadopago(simulator)
        # then its payments are there, as they were, and the demo controls act
        # on them
        assert provider.fetch_status(pix.provider_id).status == PaymentStatus.PENDING
        kept = provider.fetch_status(card.provider_id)
        assert (kept.status, kept.amount, kept.installments) == (
            PaymentStatus.APPROVED,
            card.amount,
            3,
        )
        control = f"{simulator.url}/_simulator/payments/{pix.provider_id}/approve"
        assert requests.post(control, timeout=5).status_code == 200
        assert provider.fetch_status(pix.provider_id).status == PaymentStatus.APPROVED
        # and a new payment gets an id of its own
        new = provider.create_charge(charge_request(PaymentMethod.PIX))
        assert new.provider_id not in (pix.provider_id, card.provider_id)


def test_a_restarted_pagbank_simulator_still_serves_a_boleto(tmp_path):
    # the demo's simulators come back on the same port: the slip's link holds
    options = {
        "access_token": PAGBANK_TOKEN,
        "state_file": tmp_path / "pagbank.json",
        "port": _free_port(),
    }
    with PagBankSimulator(**options) as simulator:
        provider = PagBankProvider(Credentials(simulator.url, PAGBANK_TOKEN))
        boleto = provider.create_charge(charge_request(PaymentMethod.BOLETO))
    with PagBankSimulator(**options) as simulator:
        provider = PagBankProvider(Credentials(simulator.url, PAGBANK_TOKEN))
        assert provider.fetch_status(boleto.provider_id).boleto_line == (
            boleto.boleto_line
        )
        pdf = requests.get(boleto.boleto_pdf_url, timeout=5)
        assert pdf.content.startswith(b"%PDF")
        simulator.approve(boleto.provider_id)
        assert provider.fetch_status(boleto.provider_id).status == (
            PaymentStatus.APPROVED
        )


def test_an_unreadable_state_file_is_set_aside(tmp_path):
    state = tmp_path / "mercadopago.json"
    state.write_text('{"payments": {"1": ')  # cut short
    with MercadoPagoSimulator(access_token=MP_TOKEN, state_file=state) as simulator:
        assert simulator.payments == {}
    assert (tmp_path / "mercadopago.json.unreadable").read_text().endswith(": ")
    assert json.loads(state.read_text())["payments"] == {}


def test_a_simulator_that_is_not_running_has_no_address():
    with pytest.raises(RuntimeError, match="not running"):
        PagBankSimulator(access_token="t").url  # noqa: B018
