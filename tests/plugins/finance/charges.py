"""Charge requests the provider tests make (the server's figures, as the
finance app will pass them)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from plugins.finance.providers import Address, ChargeRequest, Payer, PaymentMethod

PAYER = Payer(
    name="Maria da Silva Souza",
    email="maria@example.com",
    document="529.982.247-25",
    address=Address(
        street="Avenida Paulista",
        number="1000",
        neighborhood="Bela Vista",
        city="São Paulo",
        state="SP",
        postal_code="01310100",
    ),
)
TOTAL = Decimal("150.00")


def charge_request(method: PaymentMethod, **overrides) -> ChargeRequest:
    """A charge of the order total with a fresh reference (our payment id)."""
    arguments = {
        "method": method,
        "amount": TOTAL,
        "reference": f"pay{uuid.uuid4().hex[:12]}",
        "payer": PAYER,
        "description": "Pedido 1001",
    }
    if method == PaymentMethod.PIX:
        arguments["expires_at"] = timezone.now() + timedelta(hours=1)
    if method == PaymentMethod.BOLETO:
        arguments["due_date"] = timezone.localdate() + timedelta(days=3)
    if method == PaymentMethod.CARD:
        arguments |= {"card_token": "card-token-apro", "card_brand": "visa"}
    return ChargeRequest(**(arguments | overrides))
