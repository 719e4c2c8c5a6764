"""The check on price jumps: a variant whose price moves more than
:data:`PRICE_JUMP_FACTOR` times away from its published price (up or down) is
named, with both prices, to the editor and the moderator before it goes live —
"89,90" read as 8990 must not reach the storefront unnoticed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from plugins.money import format_br_decimal

#: A new price at least this many times the published one (or at most its
#: fraction) is a jump.
PRICE_JUMP_FACTOR = Decimal(5)


@dataclass(frozen=True)
class PriceJump:
    sku: str
    published: Decimal
    new: Decimal

    def message(self) -> str:
        return _(
            "Variant %(sku)s: the published price R$ %(published)s becomes "
            "R$ %(new)s, more than %(factor)s times %(direction)s. Check it "
            "before publishing."
        ) % {
            "sku": self.sku,
            "published": format_br_decimal(self.published),
            "new": format_br_decimal(self.new),
            "factor": PRICE_JUMP_FACTOR,
            "direction": _("higher") if self.new > self.published else _("lower"),
        }


def is_jump(published: Decimal, new: Decimal) -> bool:
    if published <= 0 or new <= 0:
        return False
    return new > published * PRICE_JUMP_FACTOR or new * PRICE_JUMP_FACTOR < published


def price_jumps(
    product_pk: int | None, variants: Iterable[tuple[int | None, str, Decimal | None]]
) -> list[PriceJump]:
    """The jumps of ``variants`` — ``(pk, sku, price)`` of a draft or a form —
    against the published prices of the product ``product_pk`` (none while it
    was never published). A variant is matched by its id, else by its SKU."""
    from content.models import Product, Variant

    if (
        product_pk is None
        or not Product.objects.filter(pk=product_pk, live=True).exists()
    ):
        return []
    published = list(
        Variant.objects.filter(product_id=product_pk).values_list("pk", "sku", "price")
    )
    by_pk = {pk: price for pk, _sku, price in published}
    by_sku = {sku: price for _pk, sku, price in published}
    jumps = []
    for pk, sku, price in variants:
        before = by_pk.get(pk) if pk is not None else by_sku.get(sku)
        if before is None:
            before = by_sku.get(sku)
        if price is not None and before is not None and is_jump(before, price):
            jumps.append(PriceJump(sku=sku, published=before, new=price))
    return jumps


def draft_price_jumps(product) -> list[PriceJump]:
    """The jumps of ``product`` as it is in memory (a revision as object)."""
    return price_jumps(
        product.pk, [(v.pk, v.sku, v.price) for v in product.variants.all()]
    )


def form_price_jumps(form) -> list[PriceJump]:
    """The jumps of what a product form posts (rows marked for deletion left
    out)."""
    formset = form.formsets.get("variants")
    if formset is None:
        return []
    rows = []
    for variant_form in formset.forms:
        data = getattr(variant_form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        instance = data.get("id") or variant_form.instance
        rows.append((getattr(instance, "pk", None), data.get("sku"), data.get("price")))
    return price_jumps(form.instance.pk, rows)
