"""From an order to the :class:`~plugins.fiscal.nfe.NFeData` of its NF-e:
the sale (:func:`build_from_order`) and the return of its goods
(:func:`return_from_order`).

The taxes of each line come from the caller (the rules engine), in the
order's line order; this module reads the order as it was placed: the
customer and addresses it snapshotted, its lines (the order discount is
already spread over them), its freight (split over the lines in proportion
to their totals, centavos by largest remainder, as the NF-e needs them per
line) and its payments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from plugins.fiscal.exceptions import NFeError
from plugins.fiscal.models import Emitter
from plugins.fiscal.nfe_data import (
    Address,
    Card,
    FreightMode,
    IEIndicator,
    Intermediary,
    Line,
    NFeData,
    Payment,
    PaymentKind,
    Presence,
    Purpose,
    Recipient,
    Transport,
)
from plugins.fiscal.taxation import ZERO, CustomerType, LineTaxes, TaxInput
from plugins.orders.models import (
    Order,
    OrderLine,
    OrderPayment,
    PaymentMethod,
    SalesChannel,
)
from plugins.orders.money import allocate, to_money

SALE_NATURE = "Venda de mercadoria"
RETURN_NATURE = "Devolução de venda"

#: tPag of each payment method.
PAYMENT_KINDS = {
    PaymentMethod.PIX: PaymentKind.PIX,
    PaymentMethod.BOLETO: PaymentKind.BOLETO,
    PaymentMethod.CARD: PaymentKind.CREDIT_CARD,
    PaymentMethod.DEBIT_CARD: PaymentKind.DEBIT_CARD,
    PaymentMethod.VOUCHER: PaymentKind.GIFT_CARD,
    PaymentMethod.TRANSFER: PaymentKind.TRANSFER,
    PaymentMethod.CASH_ON_DELIVERY: PaymentKind.CASH,
    PaymentMethod.TERMS: PaymentKind.OTHER,
}


#: indPres by the kind of the order's sales channel: a sale at the counter
#: of a physical store is in person; a B2B sale (a salesperson, by phone or
#: e-mail) "other"; the storefront and the marketplaces sell over the internet.
CHANNEL_PRESENCE = {
    SalesChannel.Kind.PHYSICAL_STORE: Presence.IN_PERSON,
    SalesChannel.Kind.B2B: Presence.OTHER,
}


def presence_for(order: Order) -> str:
    """The NF-e's indPres for ``order``, from its channel's kind."""
    return CHANNEL_PRESENCE.get(order.channel.kind, Presence.INTERNET)


def build_from_order(
    order: Order,
    emitter: Emitter,
    *,
    number: int,
    series: int,
    issued_at: dt.datetime,
    taxes: Sequence[LineTaxes],
    customer_type: str = CustomerType.CONSUMER,
    recipient_ie: str = "",
    final_consumer: bool | None = None,
    intermediary: Intermediary | None = None,
    transport: Transport | None = None,
    emission_type: str = "1",
    contingency_since: dt.datetime | None = None,
    contingency_reason: str = "",
) -> NFeData:
    """The sale NF-e of ``order``: one line per order line with ``taxes``
    (one per line, in order), the order's customer, its freight split over
    the lines, and its payments; in contingency (``emission_type`` 6 or 7)
    with the contingency's start and reason (dhCont, xJust). Raises
    :class:`NFeError` (pt-BR) when the order lacks what an NF-e needs."""
    lines = list(order.lines.select_related("variant"))
    items = tax_inputs(order, lines)
    _same_length(items, taxes)
    recipient, delivery = _recipient(order, customer_type, recipient_ie)
    if transport is None:
        transport = Transport(mode=FreightMode.SENDER)
    return NFeData(
        emitter=emitter,
        recipient=recipient,
        delivery=delivery,
        lines=[Line(item, tax) for item, tax in zip(items, taxes, strict=True)],
        number=number,
        series=series,
        issued_at=issued_at,
        nature=SALE_NATURE,
        final_consumer=final_consumer,
        presence=presence_for(order),
        intermediary=intermediary,
        transport=transport,
        payments=order_payments(order),
        additional_info=f"Pedido {order.number}.",
        emission_type=emission_type,
        contingency_since=contingency_since,
        contingency_reason=contingency_reason,
    )


def return_from_order(
    order: Order,
    emitter: Emitter,
    *,
    original_key: str,
    number: int,
    series: int,
    issued_at: dt.datetime,
    taxes: Sequence[LineTaxes],
    quantities: Mapping[int, int] | None = None,
    reason: str = "",
    customer_type: str = CustomerType.CONSUMER,
    recipient_ie: str = "",
    transport: Transport | None = None,
    emission_type: str = "1",
    contingency_since: dt.datetime | None = None,
    contingency_reason: str = "",
) -> NFeData:
    """The NF-e de devolução (finNFe 4, an entry: tpNF 0) of the goods of
    ``order`` that came back from its customer, referring to the sale's
    ``original_key``. ``quantities`` maps order line ids to the units
    returned (all of them when None); ``taxes`` has one entry per returned
    line, in order (:func:`returned_items`), with the CFOP of the return
    (1202/2202 …). The freight comes back only when every unit does."""
    returned = [item for _line, item in returned_items(order, quantities)]
    _same_length(returned, taxes)
    recipient, _delivery = _recipient(order, customer_type, recipient_ie)
    info = f"Devolução da NF-e {original_key}, pedido {order.number}."
    if reason.strip():
        info = f"{info} Motivo: {reason.strip()}"
    return NFeData(
        emitter=emitter,
        recipient=recipient,
        lines=[Line(item, tax) for item, tax in zip(returned, taxes, strict=True)],
        number=number,
        series=series,
        issued_at=issued_at,
        nature=RETURN_NATURE,
        purpose=Purpose.RETURN,
        entry=True,
        presence=Presence.NOT_APPLICABLE,
        references=(original_key,),
        transport=transport or Transport(mode=FreightMode.NONE),
        additional_info=info,
        emission_type=emission_type,
        contingency_since=contingency_since,
        contingency_reason=contingency_reason,
    )


def returned_items(
    order: Order, quantities: Mapping[int, int] | None = None
) -> list[tuple[OrderLine, TaxInput]]:
    """The lines of ``order`` that come back and each one's part as the
    rules engine and the NF-e read it: ``quantities`` maps order line ids to
    the units returned (every unit when None); a line returned in part
    keeps its unit price, its discount in proportion and no freight; the
    order's freight comes back only when every unit of every line does.
    Raises :class:`NFeError` for more units than the order had, or none."""
    lines = list(order.lines.select_related("variant"))
    everything = quantities is None or all(
        quantities.get(line.pk, 0) == line.quantity for line in lines
    )
    items = tax_inputs(order, lines, shipping=None if everything else ZERO)
    returned = []
    for line, item in zip(lines, items, strict=True):
        count = line.quantity if quantities is None else quantities.get(line.pk, 0)
        if count <= 0:
            continue
        if count > line.quantity:
            raise NFeError(
                _(
                    "%(sku)s: %(count)d units cannot come back; the order had "
                    "%(quantity)d."
                )
                % {"sku": line.sku, "count": count, "quantity": line.quantity}
            )
        returned.append((line, _part(item, count, line.quantity)))
    if not returned:
        raise NFeError(_("Nothing is being returned."))
    return returned


def tax_inputs(
    order: Order,
    lines: Sequence[OrderLine] | None = None,
    *,
    shipping: Decimal | None = None,
    require_ncm: bool = True,
) -> list[TaxInput]:
    """The lines of ``order`` as the rules engine and the NF-e read them:
    the product's NCM, origin and GTIN, and each line's share of the
    freight (``shipping``, the order's when None), centavos spread by
    largest remainder. A product without NCM raises :class:`NFeError`,
    unless ``require_ncm`` is off (the rules engine says why itself)."""
    if lines is None:
        lines = list(order.lines.select_related("variant").order_by("pk"))
    freight = to_money(order.shipping_total if shipping is None else shipping)
    shares = allocate(freight, [line.total for line in lines])
    items = []
    for index, (line, share) in enumerate(zip(lines, shares, strict=True), start=1):
        variant = line.variant
        ncm = variant.ncm if variant else ""
        if not ncm and require_ncm:
            raise NFeError(
                _(
                    "Line %(line)d (%(sku)s): the product has no NCM; fill it in "
                    "the catalog."
                )
                % {"line": index, "sku": line.sku}
            )
        items.append(
            TaxInput(
                sku=line.sku,
                ncm=ncm,
                origin=(variant.origin if variant else "") or "0",
                quantity=Decimal(line.quantity),
                unit_price=line.unit_price,
                total=line.total,
                discount=line.discount,
                freight=share,
                gtin=(variant.gtin if variant else "") or "",
                description=f"{line.product_name} {line.variant_name}".strip(),
            )
        )
    return items


def order_payments(order: Order) -> list[Payment]:
    """How ``order`` was paid: its approved payments, and the rest of its
    total under its payment method."""
    payments = [
        _payment(p.method, p.value, p.installments, p.paid_at)
        for p in order.payments.filter(status=OrderPayment.Status.APPROVED)
    ]
    paid = sum((p.amount for p in payments), ZERO)
    if paid < order.total:
        payments.append(
            _payment(
                order.payment_method,
                order.total - paid,
                order.installments,
                order.paid_at,
            )
        )
    return payments


def _payment(method, value, installments, paid_at) -> Payment:
    kind = PAYMENT_KINDS.get(method, PaymentKind.OTHER)
    return Payment(
        kind=kind,
        amount=to_money(value),
        description="Faturado a prazo" if method == PaymentMethod.TERMS else "",
        card=Card() if kind in PaymentKind.CARDS else None,
        deferred=(installments or 1) > 1 or method == PaymentMethod.TERMS,
        paid_on=paid_at.date() if paid_at else None,
    )


def _recipient(
    order: Order, customer_type: str, ie: str
) -> tuple[Recipient, Address | None]:
    """The order's customer, at the billing address (the shipping one when
    there is none); the shipping address as the delivery place when it is
    another."""
    if not order.customer_document:
        raise NFeError(
            _("The order %(number)s has no CPF/CNPJ of the customer.")
            % {"number": order.number}
        )
    shipping = _address(order.shipping_address, order.customer_phone)
    billing = _address(order.billing_address, order.customer_phone)
    if billing is None and shipping is None:
        raise NFeError(
            _("The order %(number)s has no address.") % {"number": order.number}
        )
    main = billing or shipping
    delivery = shipping if billing and shipping and shipping != billing else None
    indicator = IEIndicator.of(customer_type)
    recipient = Recipient(
        name=order.customer_name,
        document=order.customer_document,
        address=main,
        ie_indicator=indicator,
        ie=ie if indicator == IEIndicator.CONTRIBUTOR else "",
        email=order.customer_email,
    )
    return recipient, delivery


def _address(snapshot: dict, phone: str) -> Address | None:
    if not snapshot or not snapshot.get("street"):
        return None
    return Address(
        street=snapshot.get("street", ""),
        number=snapshot.get("number", "") or "S/N",
        complement=snapshot.get("complement", ""),
        district=snapshot.get("district", ""),
        city=snapshot.get("city", ""),
        uf=(snapshot.get("uf", "") or "").upper(),
        cep=snapshot.get("cep", ""),
        phone=phone or "",
    )


def _part(item: TaxInput, count: int, quantity: int) -> TaxInput:
    """``count`` of the ``quantity`` units of ``item``."""
    if count == quantity:
        return item
    share = Decimal(count) / Decimal(quantity)
    discount = to_money(item.discount * share)
    total = to_money(item.unit_price * count) - discount
    return TaxInput(
        **{
            **item.__dict__,
            "quantity": Decimal(count),
            "total": total,
            "discount": discount,
            "freight": ZERO,
        }
    )


def _same_length(items: Sequence, taxes: Sequence) -> None:
    if len(items) != len(taxes):
        raise NFeError(
            _(
                "The taxes were computed for %(taxes)d lines; the document has "
                "%(lines)d."
            )
            % {"taxes": len(taxes), "lines": len(items)}
        )
