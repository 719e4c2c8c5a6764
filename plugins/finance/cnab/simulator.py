"""The bank's side, for tests and the demo: a retorno written for a remessa.

Banco do Brasil answers a remessa with a retorno: each título confirmed or
rejected, later paid or written off. :func:`retorno_for_remessa` plays the
bank: it reads a remessa with :func:`~plugins.finance.cnab.remessa.read_remessa`
and writes the retorno of the :class:`Outcome` chosen for each título, with
the same layouts the reader checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from plugins.finance.cnab.codes import ENTRY_CONFIRMED, SETTLED, SETTLED_AFTER_WRITE_OFF
from plugins.finance.cnab.files import write_file
from plugins.finance.cnab.layouts import (
    BANK_CODE,
    BANK_NAME,
    RETORNO_CODE,
    RETORNO_OPERATION,
    SEGMENT_T,
    SEGMENT_U,
)
from plugins.finance.cnab.remessa import Remessa, read_remessa

PAYMENTS = frozenset({SETTLED, SETTLED_AFTER_WRITE_OFF})
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Outcome:
    """What the bank reports for one título. For a payment, ``amount_paid``
    defaults to the face value plus interest less discount, and the net
    credit to the amount paid less the fee."""

    movement: str = ENTRY_CONFIRMED
    reasons: tuple[str, ...] = ()
    amount_paid: Decimal | None = None
    interest: Decimal = ZERO
    discount: Decimal = ZERO
    fee: Decimal = ZERO
    payment_date: date | None = None
    credit_date: date | None = None


def title_values(charge: Mapping, outcome: Outcome) -> tuple[dict, dict]:
    """The values of segments T and U for a título of a remessa (its P and Q
    values merged, as :func:`read_remessa` gives them)."""
    paid = outcome.movement in PAYMENTS
    amount_paid = outcome.amount_paid
    if amount_paid is None:
        amount_paid = (
            charge["amount"] + outcome.interest - outcome.discount if paid else ZERO
        )
    reasons = "".join(code[:2].rjust(2, "0") for code in outcome.reasons[:5])
    t = {
        "movement": outcome.movement,
        **{
            name: charge[name]
            for name in (
                "agency",
                "agency_digit",
                "account",
                "account_digit",
                "nosso_numero",
                "carteira_code",
                "document_number",
                "due_date",
                "amount",
                "company_reference",
                "payer_document_type",
                "payer_document",
                "payer_name",
            )
        },
        "collecting_bank": BANK_CODE if paid else "",
        "collecting_agency": charge["agency"] if paid else "",
        "fee": outcome.fee,
        "reasons": reasons,
    }
    u = {
        "movement": outcome.movement,
        "interest": outcome.interest,
        "discount": outcome.discount,
        "paid": amount_paid,
        "net": amount_paid - outcome.fee if paid else ZERO,
        "occurred_on": outcome.payment_date,
        "credited_on": outcome.credit_date if paid else None,
    }
    return t, u


def write_retorno(
    remessa: Remessa,
    titles: Sequence[tuple[dict, dict]],
    *,
    file_number: int,
    generated_at: datetime | None = None,
    credit_date: date | None = None,
) -> bytes:
    """A retorno for ``remessa``'s agreement with the títulos' T and U
    values (see :func:`title_values`), in one lote whose trailer carries the
    cobrança simples totals."""
    moment = timezone.localtime(generated_at)
    agreement = {
        "company_document_type": remessa.company_document_type,
        "company_document": remessa.company_document,
        "convenio": remessa.convenio,
        "carteira": remessa.carteira,
        "variacao": remessa.variacao,
        "agency": remessa.agency,
        "agency_digit": remessa.agency_digit,
        "account": remessa.account,
        "account_digit": remessa.account_digit,
        "company_name": remessa.company_name,
    }
    header = {
        **agreement,
        "bank_name": BANK_NAME,
        "file_code": RETORNO_CODE,
        "generated_on": moment.date(),
        "generated_at": moment.strftime("%H%M%S"),
        "file_number": file_number,
    }
    lote_header = {
        **agreement,
        "operation": RETORNO_OPERATION,
        "file_number": file_number,
        "recorded_on": moment.date(),
        "credited_on": credit_date,
    }
    details = []
    for t, u in titles:
        details += [(SEGMENT_T, t), (SEGMENT_U, u)]
    trailer = {
        "simple_count": len(titles),
        "simple_total": sum((t["amount"] for t, _u in titles), ZERO),
    }
    return write_file(header, [(lote_header, details, trailer)])


def retorno_for_remessa(
    remessa: bytes,
    outcomes: Mapping[str, Outcome] | None = None,
    *,
    default: Outcome | None = None,
    file_number: int = 1,
    generated_at: datetime | None = None,
) -> bytes:
    """The retorno the bank would send for ``remessa``: for each título the
    outcome ``outcomes`` gives its nosso número, ``default`` (entry
    confirmed) for the others."""
    read = read_remessa(remessa)
    outcomes = outcomes or {}
    default = default or Outcome()
    titles = [
        title_values(charge, outcomes.get(charge["nosso_numero"], default))
        for charge in read.charges
    ]
    credit_dates = [u["credited_on"] for _t, u in titles if u["credited_on"]]
    return write_retorno(
        read,
        titles,
        file_number=file_number,
        generated_at=generated_at,
        credit_date=max(credit_dates) if credit_dates else None,
    )
