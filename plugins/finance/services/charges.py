"""Taking a payment for an order through a provider account.

The amount is always the order's total as the server has it; the caller
chooses only the method, the installments and, for a card, the token the
provider's card form made. A payment row is written first (its reference is
the provider's idempotency key), then the provider is called outside any
transaction (no row lock is held during an HTTP call), then the row gets the
provider's answer. A storefront that asks again for the same method while a
payment is still open gets that payment back; a provider that failed is
retried with the same reference, so it never charges twice.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.finance.exceptions import PaymentNotAllowed
from plugins.finance.gateway import provider_for
from plugins.finance.models import Payment, PaymentStatus, ProviderAccount
from plugins.finance.providers import (
    Address,
    ChargeRequest,
    InvalidChargeRequest,
    Payer,
    ProviderError,
)
from plugins.finance.providers.base import check_method
from plugins.finance.services.payments import apply_status, check_takes_payment
from plugins.orders.models import Order, PaymentMethod

ACCEPTS = {
    PaymentMethod.PIX: "accepts_pix",
    PaymentMethod.BOLETO: "accepts_boleto",
    PaymentMethod.CARD: "accepts_card",
}


class ProviderUnavailable(PaymentNotAllowed):
    status = 503
    code = "payment-provider-unavailable"


def account_for(method: str) -> ProviderAccount | None:
    """The active provider account that takes ``method`` (the first by name)."""
    flag = ACCEPTS.get(method)
    if flag is None:
        return None
    return (
        ProviderAccount.objects.filter(active=True, **{flag: True})
        .exclude(provider="manual")
        .order_by("name")
        .first()
        or ProviderAccount.objects.filter(
            active=True, provider="manual", **{flag: True}
        )
        .exclude(pix_key="")
        .order_by("name")
        .first()
    )


def _payer(order: Order) -> Payer:
    address = order.billing_address or order.shipping_address or {}
    return Payer(
        name=order.customer_name,
        email=order.customer_email or "cliente@example.com",
        document=order.customer_document,
        address=Address(
            street=address.get("street", ""),
            number=address.get("number", ""),
            neighborhood=address.get("district", ""),
            city=address.get("city", ""),
            state=address.get("uf", ""),
            postal_code=(address.get("cep", "") or "").replace("-", ""),
            complement=address.get("complement", ""),
        )
        if address
        else None,
    )


def _open_payment(order: Order, method: str) -> Payment | None:
    now = timezone.now()
    for payment in Payment.objects.filter(
        order=order, method=method, status=PaymentStatus.PENDING
    ).order_by("-pk"):
        if payment.expires_at is None or payment.expires_at > now:
            return payment
    return None


def create_payment(
    order: Order,
    *,
    method: str,
    installments: int = 1,
    card_token: str | None = None,
    card_brand: str | None = None,
    notification_url: str | None = None,
    account: ProviderAccount | None = None,
    user=None,
) -> Payment:
    """A payment of ``order``'s total by ``method``: a Pix code, a boleto or
    a card charge. Raises PaymentNotAllowed (the order takes no payment now,
    the method or the installments are not offered) or ProviderUnavailable
    (the provider did not answer: ask again later, nothing is charged
    twice)."""
    check_takes_payment(order)
    account = account or account_for(method)
    if account is None or not getattr(account, ACCEPTS.get(method, ""), False):
        raise PaymentNotAllowed(
            _("Payment by %(method)s is not available.")
            % {
                "method": PaymentMethod(method).label
                if method in PaymentMethod.values
                else method
            },
            field="method",
        )
    if method != PaymentMethod.CARD:
        installments = 1
    limit = account.max_installments
    if method == PaymentMethod.CARD and not 1 <= installments <= limit:
        raise PaymentNotAllowed(
            _("Choose from 1 to %(max)s installments.") % {"max": limit},
            field="installments",
        )
    payment = None if method == PaymentMethod.CARD else _open_payment(order, method)
    if payment is not None and payment.provider_id:
        return payment
    provider = provider_for(account)
    reference = payment.reference if payment is not None else uuid.uuid4()
    now = timezone.now()
    try:
        request = ChargeRequest(
            method=PaymentMethod(method),
            amount=order.total,
            reference=str(reference),
            payer=_payer(order),
            description=_("Order %(number)s") % {"number": order.number},
            installments=installments,
            card_token=card_token,
            card_brand=card_brand,
            due_date=timezone.localdate(now)
            + datetime.timedelta(days=account.boleto_due_days)
            if method == PaymentMethod.BOLETO
            else None,
            expires_at=now + datetime.timedelta(minutes=account.pix_expiry_minutes)
            if method == PaymentMethod.PIX
            else None,
            notification_url=notification_url,
        )
        check_method(provider, request)
    except InvalidChargeRequest as error:
        raise PaymentNotAllowed(error.message, field="method") from None
    if payment is None:
        with transaction.atomic():
            payment = Payment.objects.create(
                order=order,
                account=account,
                method=method,
                amount=order.total,
                installments=installments,
                reference=reference,
                created_by=user,
            )
            log_change(payment, "finance.create_payment", user=user, method=method)
    try:
        result = provider.create_charge(request)
    except ProviderError as error:
        if error.retryable:
            raise ProviderUnavailable(
                _("The payment provider did not answer. Try again in a moment.")
            ) from error
        Payment.objects.filter(pk=payment.pk).update(
            status=PaymentStatus.REJECTED, note=str(error)[:500]
        )
        raise PaymentNotAllowed(str(error)) from error
    Payment.objects.filter(pk=payment.pk).update(
        provider_id=result.provider_id,
        pix_payload=result.pix_payload or "",
        pix_txid=result.pix_txid or "",
        expires_at=result.pix_expires_at,
        boleto_line=result.boleto_line or "",
        boleto_barcode=result.boleto_barcode or "",
        boleto_url=result.boleto_pdf_url or "",
        due_date=result.boleto_due_date,
        fee=result.fee_amount,
        updated_at=timezone.now(),
    )
    payment.refresh_from_db()
    if result.status != PaymentStatus.PENDING:
        apply_status(
            payment,
            result.status,
            paid_at=result.paid_at,
            fee=result.fee_amount,
            source="charge",
            user=user,
        )
        payment.refresh_from_db()
    return payment
