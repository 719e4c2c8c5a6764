"""Manual payments: bank transfer, cash on delivery, invoices on payment
terms (B2B) and, when a Pix key is configured, Pix to that key.

Nothing is called: a manual charge exists only in our database. Its status
changes only when staff register the payment (or its refund) in the back
office, so every operation other than creating the charge raises
:class:`~.errors.OperationNotSupported`, whose message says what to do
instead. A Pix charge gets a static BR Code (:mod:`plugins.finance.pix`)
with the amount and our reference as its txid (:func:`pix_txid`), marked for
a single payment: staff match the credit on the bank statement by that txid.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from plugins.finance.models.payments import PaymentStatus
from plugins.finance.models.providers import Provider
from plugins.finance.pix import TXID_MAX, PixError, build_br_code, parse_pix_key
from plugins.orders.models import PaymentMethod

from .base import (
    ChargeRequest,
    ChargeResult,
    RefundResult,
    WebhookEvent,
    check_method,
)
from .errors import InvalidChargeRequest, OperationNotSupported

BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MANUAL_METHODS = frozenset(
    {PaymentMethod.TRANSFER, PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.TERMS}
)


def pix_txid(reference: str) -> str:
    """The txid a static BR Code carries for our reference: a UUID (the
    finance app's payment reference) written in base 36, which fits its 128
    bits in the 25 letters and digits a txid allows; any other reference
    with its punctuation dropped (and refused, never cut, if still too
    long)."""
    try:
        number = uuid.UUID(reference).int
    except ValueError:
        return re.sub(r"[^A-Za-z0-9]", "", reference)
    digits = ""
    while number:
        number, digit = divmod(number, 36)
        digits = BASE36[digit] + digits
    return digits.rjust(TXID_MAX, "0")


def default_instructions() -> dict[PaymentMethod, str]:
    return {
        PaymentMethod.PIX: _(
            "Pay with the Pix code; the payment is confirmed once it shows on "
            "our bank statement."
        ),
        PaymentMethod.TRANSFER: _(
            "Transfer the amount to our bank account, quoting the reference."
        ),
        PaymentMethod.CASH_ON_DELIVERY: _("Pay the courier on delivery."),
        PaymentMethod.TERMS: _("Pay the invoice by its due date."),
    }


class ManualProvider:
    kind = Provider.MANUAL.value

    def __init__(
        self,
        *,
        pix_key: str | None = None,
        merchant_name: str = "",
        merchant_city: str = "",
        instructions: Mapping[PaymentMethod, str] | None = None,
    ) -> None:
        """``pix_key``, with the merchant's name and city as the BR Code shows
        them, enables Pix. ``instructions`` replace the default text shown
        to the payer, per method. Raises
        :class:`~plugins.finance.pix.InvalidPixKey` for a bad key."""
        self.pix_key = parse_pix_key(pix_key).value if pix_key else None
        self.merchant_name = merchant_name
        self.merchant_city = merchant_city
        self.instructions = default_instructions() | dict(instructions or {})
        self.methods = MANUAL_METHODS | (
            {PaymentMethod.PIX} if self.pix_key else frozenset()
        )

    def create_charge(self, request: ChargeRequest) -> ChargeResult:
        """A pending charge whose provider id is our reference; for Pix, with
        a static BR Code carrying the amount and the reference as txid."""
        check_method(self, request)
        payload = txid = None
        if request.method == PaymentMethod.PIX:
            txid = pix_txid(request.reference)
            payload = self._br_code(request, txid)
        return ChargeResult(
            provider=self.kind,
            provider_id=request.reference,
            status=PaymentStatus.PENDING,
            method=request.method,
            amount=request.amount,
            reference=request.reference,
            pix_payload=payload,
            pix_txid=txid,
            pix_expires_at=request.expires_at if payload else None,
            instructions=self.instructions.get(request.method, ""),
        )

    def _br_code(self, request: ChargeRequest, txid: str) -> str:
        try:
            return build_br_code(
                key=self.pix_key,
                merchant_name=self.merchant_name,
                merchant_city=self.merchant_city,
                amount=request.amount,
                txid=txid,
                single_use=True,
            )
        except PixError as error:
            raise InvalidChargeRequest(error.message) from error

    def _manual(self, message: str) -> OperationNotSupported:
        return OperationNotSupported(message, provider=self.kind)

    def fetch_status(self, provider_id: str) -> ChargeResult:
        raise self._manual(
            _(
                "A manual payment has no status outside the back office: it "
                "changes when staff register the payment."
            )
        )

    def capture(
        self, provider_id: str, *, idempotency_key: str, amount: Decimal | None = None
    ) -> ChargeResult:
        raise self._manual(
            _("A manual payment is not captured: register the payment received.")
        )

    def refund(
        self, provider_id: str, *, idempotency_key: str, amount: Decimal | None = None
    ) -> RefundResult:
        raise self._manual(
            _("Return the money by hand, then register the refund in the back office.")
        )

    def cancel(self, provider_id: str, *, idempotency_key: str) -> ChargeResult:
        raise self._manual(
            _("A manual payment has nothing to cancel outside the back office.")
        )

    def parse_webhook(
        self,
        *,
        body: bytes,
        headers: Mapping[str, str],
        query: Mapping[str, str],
    ) -> WebhookEvent:
        raise self._manual(_("Manual payments send no webhooks."))
