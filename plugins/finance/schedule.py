"""When and how much each payment's money reaches the store: the acquirer's
schedule and fees, as receivables (one per card installment, one per Pix or
boleto).

Rules (to the centavo, ROUND_HALF_UP as every amount of the project):

* a card payment of N installments is split as the order's installments are
  (:func:`plugins.orders.money.installment_amounts`: equal parts rounded
  down, the first taking the centavos left over);
* each installment's fee is its gross × (the card fee (MDR) + the extra fee
  per installment after the first × (N − 1)), rounded; net = gross − fee;
* installment *i* is expected ``settlement_days × i`` days after the payment
  (D+30, D+60 … by default);
* with anticipation every installment is expected with the first, and each
  pays the anticipation fee per month it was brought forward (days / 30),
  on its gross, on top of its fee;
* Pix: one receivable, the Pix fee (a percentage), expected after the Pix
  settlement days (D+0 by default); boleto: one, the fixed boleto fee
  (never more than the amount), after the boleto settlement days (D+2);
  manual methods: one, no fee, expected on the day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from plugins.orders.money import ZERO, installment_amounts, to_money

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Installment:
    number: int
    of: int
    gross: Decimal
    fee: Decimal
    due_date: datetime.date

    @property
    def net(self) -> Decimal:
        return self.gross - self.fee


def card_schedule(
    gross: Decimal,
    installments: int,
    paid_on: datetime.date,
    *,
    fee_percent: Decimal,
    installment_fee_percent: Decimal = ZERO,
    settlement_days: int = 30,
    anticipation: bool = False,
    anticipation_fee_percent: Decimal = ZERO,
) -> list[Installment]:
    if installments < 1:
        raise ValueError("installments must be at least 1")
    rate = (fee_percent + installment_fee_percent * (installments - 1)) / HUNDRED
    first_due = paid_on + datetime.timedelta(days=settlement_days)
    schedule = []
    for number, part in enumerate(installment_amounts(gross, installments), start=1):
        due = paid_on + datetime.timedelta(days=settlement_days * number)
        fee = to_money(part * rate)
        if anticipation and due > first_due:
            months = Decimal((due - first_due).days) / 30
            fee = to_money(
                part * rate + part * anticipation_fee_percent / HUNDRED * months
            )
            due = first_due
        schedule.append(Installment(number, installments, part, min(fee, part), due))
    return schedule


def single(
    gross: Decimal, paid_on: datetime.date, *, fee: Decimal, days: int
) -> list[Installment]:
    gross = to_money(gross)
    return [
        Installment(
            1, 1, gross, min(to_money(fee), gross), paid_on + datetime.timedelta(days)
        )
    ]


def schedule_for(account, method: str, gross: Decimal, installments: int, paid_on):
    """The receivables of a payment of ``gross`` by ``method`` through
    ``account`` (a ProviderAccount), paid on ``paid_on``."""
    from plugins.finance.models import Provider

    if account.provider == Provider.MANUAL:
        return single(gross, paid_on, fee=ZERO, days=0)
    if method in ("card", "debit_card"):
        return card_schedule(
            gross,
            installments if method == "card" else 1,
            paid_on,
            fee_percent=account.card_fee_percent,
            installment_fee_percent=account.installment_fee_percent,
            settlement_days=account.settlement_days if method == "card" else 1,
            anticipation=account.anticipation,
            anticipation_fee_percent=account.anticipation_fee_percent,
        )
    if method == "pix":
        fee = gross * account.pix_fee_percent / HUNDRED
        return single(gross, paid_on, fee=fee, days=account.pix_settlement_days)
    if method == "boleto":
        return single(
            gross, paid_on, fee=account.boleto_fee, days=account.boleto_settlement_days
        )
    return single(gross, paid_on, fee=ZERO, days=0)
