"""The SKU suggestions of the stock forms (receive, adjust, transfer, count):
product name, SKU and the level in the chosen warehouse."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.generic import View

from plugins.stock.models import StockLevel
from plugins.stock.permissions import user_can_see_stock, visible_warehouses
from plugins.stock.views import StockPermissionMixin

MAX_SUGGESTIONS = 10


def variant_label(variant) -> str:
    """ "Camiseta Básica · P · Azul": what a clerk recognises on the shelf."""
    options = [o for o in (variant.option1, variant.option2, variant.option3) if o]
    return " · ".join([variant.product.name, *options])


def _level_sum(field: str, warehouse_ids):
    levels = (
        StockLevel.objects.filter(
            variant_id=OuterRef("pk"), warehouse_id__in=warehouse_ids
        )
        .order_by()
        .values("variant_id")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Coalesce(Subquery(levels, output_field=IntegerField()), Value(0))


def suggest_skus(user, query: str, warehouse=None) -> list[dict]:
    """Variants whose SKU or product name contains ``query``, with their
    units on hand and available in ``warehouse`` (or in all the warehouses
    ``user`` may see): one query, whatever the number of results."""
    from content.models import Variant

    if warehouse is not None:
        warehouse_ids = [warehouse.pk]
    else:
        warehouse_ids = list(visible_warehouses(user).values_list("pk", flat=True))
    variants = (
        Variant.objects.filter(
            Q(sku__icontains=query) | Q(product__name__icontains=query)
        )
        .select_related("product")
        .annotate(
            units_on_hand=_level_sum("on_hand", warehouse_ids),
            units_reserved=_level_sum("reserved", warehouse_ids),
        )
        .order_by("sku")[:MAX_SUGGESTIONS]
    )
    where = warehouse.code if warehouse is not None else _("your warehouses")
    results = []
    for variant in variants:
        available = variant.units_on_hand - variant.units_reserved
        results.append(
            {
                "value": variant.sku,
                "sku": variant.sku,
                "name": variant_label(variant),
                "label": f"{variant.sku} — {variant_label(variant)}",
                "on_hand": variant.units_on_hand,
                "available": available,
                "detail": _("%(where)s: %(on_hand)d on hand, %(available)d available")
                % {
                    "where": where,
                    "on_hand": variant.units_on_hand,
                    "available": available,
                },
            }
        )
    return results


class SkuSearchView(StockPermissionMixin, View):
    """``GET ?q=<text>&warehouse=<id>``: up to ten SKUs. A warehouse the
    user may not see does not exist for them (404)."""

    http_method_names = ["get"]

    def test_user(self, user):
        return user_can_see_stock(user)

    def get(self, request):
        query = request.GET.get("q", "").strip()[:64]
        warehouse = None
        if raw := request.GET.get("warehouse"):
            if not raw.isdigit():
                raise Http404
            warehouse = visible_warehouses(request.user).filter(pk=raw).first()
            if warehouse is None:
                raise Http404
        if len(query) < 2:
            return JsonResponse({"results": []})
        return JsonResponse(
            {"results": suggest_skus(request.user, query, warehouse)},
            json_dumps_params={"ensure_ascii": False},
        )
