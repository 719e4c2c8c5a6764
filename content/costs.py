"""Variants' cost prices: who sees and changes them, and how revisions keep
them.

Only holders of ``content.view_cost_price`` (the *Gerente*) see and change
cost prices. The editor leaves the field out of the form for everyone else,
but a form is not the only way a cost reaches the storefront's rows: a
revision carries every variant's cost, and reverting to an old revision,
publishing, approving in a workflow or a scheduled publication turns a
revision into live data. So the rule is kept on the revisions themselves
(:class:`content.models.Product` calls these):

* a revision saved by someone without the permission carries the *current*
  cost of each SKU — the one in the product's latest version (its draft, or
  the live row) — never an older revision's, and no cost for a new SKU;
* a revision is published with its own cost prices only when its author or
  its publisher holds the permission (a scheduled publication has no
  publisher: its author counts) or when neither is a person (system work);
  otherwise the live cost of each SKU is kept and a new SKU gets none.
"""

from __future__ import annotations

from decimal import Decimal

from content.forms import COST_PERMISSION
from plugins.permissions import is_active_user


def user_can_see_cost_prices(user) -> bool:
    return is_active_user(user) and user.has_perm(COST_PERMISSION)


def _costs(variants) -> dict[str, Decimal | None]:
    return {variant.sku: variant.cost_price for variant in variants}


def live_cost_prices(product) -> dict[str, Decimal | None]:
    """Cost price of each SKU as stored in the product's live rows."""
    from content.models import Variant

    return dict(
        Variant.objects.filter(product_id=product.pk).values_list("sku", "cost_price")
    )


def current_cost_prices(product) -> dict[str, Decimal | None]:
    """Cost price of each SKU in the product's latest version (its draft if
    it has unpublished changes), falling back to the live rows."""
    from content.models import Product

    if product.pk is None:
        return {}
    stored = Product.objects.filter(pk=product.pk).first()
    if stored is None:
        return {}
    costs = live_cost_prices(product)
    costs.update(_costs(stored.get_latest_revision_as_object().variants.all()))
    return costs


def keep_current_cost_prices(product) -> None:
    """Set the in-memory variants of ``product`` (about to become a revision)
    to the current cost of their SKU."""
    current = current_cost_prices(product)
    variants = list(product.variants.all())
    for variant in variants:
        variant.cost_price = current.get(variant.sku)
    # In memory (a product read from the database would query its rows again).
    product.variants = variants


def cost_prices_trusted(revision, user) -> bool:
    """Whether ``revision``'s cost prices may go live when ``user`` (``None``
    for a scheduled publication) publishes it."""
    author = revision.user
    if user_can_see_cost_prices(user) or user_can_see_cost_prices(author):
        return True
    return user is None and author is None


def with_live_cost_prices(product, content: dict) -> dict:
    """A copy of a revision's ``content`` whose variants carry the live cost
    of their SKU (none for a SKU that is not live)."""
    live = live_cost_prices(product)
    variants = []
    for data in content.get("variants", []):
        cost = live.get(data.get("sku"))
        variants.append({**data, "cost_price": None if cost is None else str(cost)})
    return {**content, "variants": variants}
