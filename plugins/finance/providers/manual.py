"""Manual payments: bank transfer, cash on delivery, invoices on payment
terms (B2B) and, when a Pix key is configured, Pix to that key.

Nothing is called: a manual charge exists only in our database. Its status
changes only when staff register the payment (or its refund) in the back
office, so every operation other than creating the charge raises
:class:`~.errors.OperationNotSupported`, whose message says what to do
instead. A Pix charge gets a static BR Code (:mod:`plugins.finance.pix`)
with the amount and our reference as its txid, marked for a single payment:
staff match the credit on the bank statement by that txid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from plugins.finance.pix import PixError, build_br_code, parse_pix_key

from .base import (
    ChargeRequest,
    ChargeResult,
    PaymentMethod,
    PaymentStatus,
    ProviderKind,
    RefundResult,
    WebhookEvent,
    check_method,
)
from .errors import InvalidChargeRequest, OperationNotSupported

MANUAL_METHODS = frozenset(
    {PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.INVOICE}
)


def default_instructions() -> dict[PaymentMethod, str]:
    return {
        PaymentMethod.PIX: _(
            "Pay with the Pix code; the payment is confirmed once it shows on "
            "our bank statement."
        ),
        PaymentMethod.BANK_TRANSFER: _(
            "Transfer the amount to our bank account, quoting the reference."
        ),
        PaymentMethod.CASH_ON_DELIVERY: _("Pay the courier on delivery."),
        PaymentMethod.INVOICE: _("Pay the invoice by its due date."),
    }


class ManualProvider:
    kind = ProviderKind.MANUAL.value

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
        payload = None
        if request.method == PaymentMethod.PIX:
            payload = self._br_code(request)
        return ChargeResult(
            provider=self.kind,
            provider_id=request.reference,
            status=PaymentStatus.PENDING,
            method=request.method,
            amount=request.amount,
            reference=request.reference,
            pix_payload=payload,
            pix_expires_at=request.expires_at if payload else None,
            instructions=self.instructions.get(request.method, ""),
        )

    def _br_code(self, request: ChargeRequest) -> str:
        txid = re.sub(r"[^A-Za-z0-9]", "", request.reference)
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
