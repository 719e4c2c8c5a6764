"""Who sends and who receives a parcel, as the carriers' protocol takes them
(:class:`~plugins.logistics.carriers.base.Party`): a shipping origin, and an
order's recipient at its shipping address."""

from __future__ import annotations

from content.validators import only_digits
from plugins.logistics.carriers.base import Party
from plugins.logistics.models import ShippingOrigin
from plugins.orders.models import Order


def origin_party(origin: ShippingOrigin) -> Party:
    """The origin as the sender of a parcel (or the recipient of a return)."""
    return Party(
        name=origin.sender_name,
        street=origin.street,
        number=origin.number,
        complement=origin.complement,
        district=origin.district,
        city=origin.city,
        uf=origin.uf,
        cep=only_digits(origin.cep),
        document=only_digits(origin.sender_document),
        phone=origin.sender_phone,
    )


def order_party(order: Order) -> Party:
    """The order's recipient at its shipping address (the sender of a
    return)."""
    address = order.shipping_address or {}
    return Party(
        name=address.get("recipient") or order.customer_name,
        street=address.get("street", ""),
        number=address.get("number", ""),
        complement=address.get("complement", ""),
        district=address.get("district", ""),
        city=address.get("city", ""),
        uf=address.get("uf", ""),
        cep=only_digits(address.get("cep", "")),
        document=only_digits(order.customer_document),
        phone=order.customer_phone,
        email=order.customer_email,
    )
