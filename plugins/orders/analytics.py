"""The orders plugin's figures (:mod:`plugins.kpis`): sales, orders, units,
tickets, cancellations, returns, shares, and the NPS of survey answers and
marketplace ratings.

Orders are counted on the store's local day they were placed
(``settings.TIME_ZONE``, America/Sao_Paulo), in the channel they came from:
an order placed on 31/01 at 23:30 is January's even though it is 02:30 UTC
on 01/02, and its later payment, cancellation, return or refund changes
January's figures (the rollup rolls that day again). NPS answers are
counted on the day they were given.

Per category and brand the figures are the lines': an order with lines in
two categories counts once in each, and money is the lines' totals (order
discounts, shipping and refunds belong to the order, not to a line).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from plugins.hooks import collect
from plugins.kpis import (
    KPI,
    ZERO,
    Fact,
    Source,
    Unit,
    day_bounds,
    measure,
    ratio,
    store_date,
    store_day,
)
from plugins.orders.hooks import ORDER_ANALYTICS_MEASURES
from plugins.orders.status import SALE_STATUSES, OrderStatus

MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)
#: Dimensions read from the order itself, and from its lines.
ORDER_DIMENSIONS = ("uf", "payment_method", "seller")
LINE_DIMENSIONS = ("category", "brand")


def seller_expression(order_ref: str = ""):
    """The user who placed an order in the back office (``None``: the
    storefront, an API key or a marketplace placed it)."""
    from plugins.orders.models import OrderEvent

    return Subquery(
        OrderEvent.objects.filter(
            order=OuterRef(order_ref or "pk"), kind=OrderEvent.Kind.PLACED
        )
        .order_by("pk")
        .values("user_id")[:1]
    )


SALE = Q(status__in=SALE_STATUSES)
PAID = Q(paid_at__isnull=False)


class OrdersSource(Source):
    key = "orders"
    label = _("Orders")
    scope = "channel"
    dimensions = ("category", "brand", "uf", "payment_method", "seller")
    flow = True
    kpis = (
        KPI(
            "orders.gmv",
            _("GMV"),
            Unit.MONEY,
            measure("gmv"),
            _(
                "Total (goods − discounts + shipping) of the orders placed in the "
                "period that were paid, even if cancelled or returned later; "
                "unpaid orders do not count."
            ),
            drilldown="orders",
        ),
        KPI(
            "orders.net_revenue",
            _("Net revenue"),
            Unit.MONEY,
            lambda m: m.get("merchandise", ZERO) - m.get("refunded", ZERO),
            _(
                "Goods after discounts of the orders placed in the period that "
                "count as a sale (paid and not cancelled nor returned), minus "
                "what was refunded on them; shipping does not count."
            ),
            drilldown="orders",
        ),
        KPI(
            "orders.orders",
            _("Orders"),
            Unit.COUNT,
            measure("sale_orders"),
            _(
                "Orders placed in the period that count as a sale: paid and "
                "beyond, not cancelled nor returned."
            ),
            drilldown="orders",
        ),
        KPI(
            "orders.units",
            _("Units sold"),
            Unit.COUNT,
            measure("units"),
            _("Units on the lines of the orders that count as a sale."),
            drilldown="orders",
        ),
        KPI(
            "orders.average_ticket",
            _("Average ticket"),
            Unit.MONEY,
            ratio("sales", "sale_orders"),
            _("Total of the orders that count as a sale ÷ their number."),
            drilldown="orders",
            dimensions=("channel", "uf", "payment_method", "seller"),
        ),
        KPI(
            "orders.cancellation_rate",
            _("Cancellation rate"),
            Unit.PERCENT,
            ratio("cancelled", "placed", percent=True),
            _("Orders placed in the period and cancelled ÷ all orders placed in it."),
            higher_is_better=False,
            drilldown="orders",
        ),
        KPI(
            "orders.return_rate",
            _("Return rate"),
            Unit.PERCENT,
            ratio("returned", "shipped", percent=True),
            _(
                "Orders placed in the period and returned ÷ those of them that "
                "were shipped."
            ),
            higher_is_better=False,
            drilldown="orders",
        ),
        KPI(
            "orders.sales_share",
            _("Share of sales"),
            Unit.PERCENT,
            measure("sales"),
            _(
                "Per channel or payment method: its part of the total of the "
                "orders that count as a sale."
            ),
            drilldown="orders",
            dimensions=("channel", "payment_method"),
            share=True,
        ),
    )

    # -- who sees what ------------------------------------------------------------

    def user_can_see(self, user) -> bool:
        from plugins.orders.permissions import order_policy

        return order_policy().user_has_permission(user, "view")

    def scope_ids(self, user):
        from plugins.orders.permissions import order_policy

        return order_policy().scope_ids_for(user, "view")

    # -- facts ------------------------------------------------------------------

    def first_day(self):
        from plugins.orders.models import Order

        first = Order.objects.order_by("placed_at").values_list("placed_at", flat=True)
        first = first.first()
        return store_date(first) if first else None

    def changed_days(self, since):
        from plugins.orders.models import Order, OrderEvent

        orders = OrderEvent.objects.filter(created_at__gte=since).values("order_id")
        return set(
            Order.objects.filter(pk__in=orders)
            .annotate(day=store_day("placed_at"))
            .values_list("day", flat=True)
            .distinct()
        )

    def _orders(self, start, end, where, scope_ids):
        from plugins.orders.models import Order, OrderLine

        since, until = day_bounds(start, end)
        orders = Order.objects.filter(placed_at__gte=since, placed_at__lt=until)
        if scope_ids is not None:
            orders = orders.filter(channel_id__in=scope_ids)
        where = where or {}
        if where.get("uf"):
            orders = orders.filter(shipping_address__uf__in=list(where["uf"]))
        if where.get("payment_method"):
            orders = orders.filter(payment_method__in=list(where["payment_method"]))
        if where.get("seller"):
            sellers = [int(s) for s in where["seller"] if str(s).isdigit()]
            orders = orders.alias(seller=seller_expression()).filter(seller__in=sellers)
        for dimension, lookup in (
            ("category", "variant__product__primary_category_id__in"),
            ("brand", "variant__product__brand_id__in"),
        ):
            if where.get(dimension):
                members = [int(m) for m in where[dimension] if str(m).isdigit()]
                orders = orders.filter(
                    pk__in=OrderLine.objects.filter(**{lookup: members}).values(
                        "order_id"
                    )
                )
        return orders

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        orders = self._orders(start, end, where, scope_ids)
        if dimension in LINE_DIMENSIONS:
            yield from self._line_facts(orders, dimension)
            return
        yield from self._order_facts(orders, dimension)

    def _member_field(self, rows, dimension, prefix=""):
        """``rows`` (orders, or lines with ``prefix="order__"``) with the
        order's member of ``dimension`` as ``member``."""
        if dimension == "uf":
            return rows.annotate(
                member=Coalesce(
                    KeyTextTransform("uf", f"{prefix}shipping_address"),
                    Value(""),
                    output_field=CharField(),
                )
            )
        if dimension == "payment_method":
            return rows.annotate(member=F(f"{prefix}payment_method"))
        if dimension == "seller":
            return rows.annotate(member=seller_expression(prefix and "order_id"))
        return rows.annotate(member=Value(""))

    def _order_facts(self, orders, dimension):
        from plugins.orders.models import OrderLine

        # Per order first, then summed per group (an annotation after
        # values() would join the GROUP BY): the units of its lines, and the
        # measures other plugins add. One pass over the period's orders.
        extra = {
            "units": Subquery(
                OrderLine.objects.filter(order=OuterRef("pk"))
                .values("order")
                .annotate(total=Sum("quantity"))
                .values("total"),
                output_field=IntegerField(),
            )
        }
        for found in collect(ORDER_ANALYTICS_MEASURES):
            extra.update(found)
        orders = orders.annotate(
            **{f"x_{name}": expression for name, expression in extra.items()}
        )
        grouped = (
            self._member_field(orders, dimension)
            .annotate(day=store_day("placed_at"))
            .values("day", "channel_id", "member")
        )
        annotations = {
            "placed": Count("pk"),
            "cancelled": Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
            "returned": Count("pk", filter=Q(status=OrderStatus.RETURNED)),
            "shipped": Count("pk", filter=Q(shipped_at__isnull=False)),
            "paid": Count("pk", filter=PAID),
            "invoiced": Count("pk", filter=Q(invoiced_at__isnull=False)),
            "delivered": Count("pk", filter=Q(delivered_at__isnull=False)),
            "gmv": Sum("total", filter=PAID),
            "sale_orders": Count("pk", filter=SALE),
            "sales": Sum("total", filter=SALE),
            "merchandise": Sum(
                ExpressionWrapper(
                    F("subtotal") - F("discount_total"), output_field=MONEY_FIELD
                ),
                filter=SALE,
            ),
            "discounts": Sum("discount_total", filter=SALE),
        }
        for name in extra:
            annotations[name] = Sum(f"x_{name}", filter=SALE)
        for row in grouped.annotate(**annotations).order_by():
            yield from _row_facts(row, annotations)

    def _line_facts(self, orders, dimension):
        from plugins.orders.models import OrderLine

        lookup = (
            "variant__product__primary_category_id"
            if dimension == "category"
            else "variant__product__brand_id"
        )
        lines = (
            OrderLine.objects.filter(order__in=orders)
            .annotate(
                day=store_day("order__placed_at"),
                channel_id=F("order__channel_id"),
                member=Coalesce(Cast(lookup, output_field=IntegerField()), Value(0)),
            )
            .values("day", "channel_id", "member")
        )
        sale = Q(order__status__in=SALE_STATUSES)
        annotations = {
            "placed": Count("order_id", distinct=True),
            "cancelled": Count(
                "order_id", distinct=True, filter=Q(order__status=OrderStatus.CANCELLED)
            ),
            "returned": Count(
                "order_id", distinct=True, filter=Q(order__status=OrderStatus.RETURNED)
            ),
            "shipped": Count(
                "order_id", distinct=True, filter=Q(order__shipped_at__isnull=False)
            ),
            "paid": Count(
                "order_id", distinct=True, filter=Q(order__paid_at__isnull=False)
            ),
            "invoiced": Count(
                "order_id", distinct=True, filter=Q(order__invoiced_at__isnull=False)
            ),
            "delivered": Count(
                "order_id", distinct=True, filter=Q(order__delivered_at__isnull=False)
            ),
            "gmv": Sum("total", filter=Q(order__paid_at__isnull=False)),
            "sale_orders": Count("order_id", distinct=True, filter=sale),
            "sales": Sum("total", filter=sale),
            "merchandise": Sum("total", filter=sale),
            "discounts": Sum("discount", filter=sale),
            "units": Sum("quantity", filter=sale),
        }
        for row in lines.annotate(**annotations).order_by():
            row["member"] = row["member"] or ""
            yield from _row_facts(row, annotations)

    # -- labels and drill-down ------------------------------------------------------

    def member_labels(self, dimension, members):
        return orders_member_labels(dimension, members)

    def drilldown_url(self, kpi, *, start, end, filters):
        return orders_listing_url(kpi, start=start, end=end, filters=filters)


def _text(member) -> str:
    return "" if member is None else str(member)


def _row_facts(row, annotations):
    for name in annotations:
        value = row[name]
        if value:
            yield Fact(
                row["day"],
                row["channel_id"],
                _text(row["member"]),
                name,
                Decimal(value),
            )


def orders_member_labels(dimension, members) -> dict[str, str]:
    from plugins.orders.models import PaymentMethod, SalesChannel

    members = [m for m in members if m not in (None, "")]
    ids = [int(m) for m in members if str(m).isdigit()]
    if dimension == "channel":
        names = dict(SalesChannel.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif dimension == "category":
        from content.models import Category

        names = dict(Category.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif dimension == "brand":
        from content.models import Brand

        names = dict(Brand.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif dimension == "seller":
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(pk__in=ids)
        names = {user.pk: user.get_full_name() or user.get_username() for user in users}
    elif dimension == "payment_method":
        return {
            m: str(PaymentMethod(m).label) for m in members if m in PaymentMethod.values
        }
    else:
        return {m: m for m in members}
    return {str(pk): name for pk, name in names.items()}


def orders_listing_url(kpi, *, start, end, filters) -> str:
    """The order desk's listing of the orders behind a figure."""
    from urllib.parse import urlencode

    from django.urls import reverse

    params = {
        "placed_at_from": start.strftime("%d/%m/%Y"),
        "placed_at_to": end.strftime("%d/%m/%Y"),
    }
    key = kpi.key
    if key in (
        "orders.orders",
        "orders.units",
        "orders.net_revenue",
        "orders.average_ticket",
        "orders.sales_share",
    ):
        params["sale"] = "true"
    elif key == "orders.cancellation_rate":
        params["status"] = OrderStatus.CANCELLED
    elif key == "orders.return_rate":
        params["status"] = OrderStatus.RETURNED
    elif key == "orders.gmv":
        params["paid"] = "true"
    for dimension, param in (
        ("channel", "channel"),
        ("payment_method", "payment_method"),
        ("category", "category"),
        ("brand", "brand"),
        ("uf", "uf"),
    ):
        members = sorted(filters.get(dimension, ()))
        if len(members) == 1:
            params[param] = members[0]
    return f"{reverse('orders:index')}?{urlencode(params)}"


class SurveySource(Source):
    """NPS of the post-sale survey answers and marketplace ratings, on the day
    they were given."""

    key = "orders_nps"
    label = _("Customer satisfaction")
    scope = "channel"
    dimensions = ()
    flow = True
    kpis = (
        KPI(
            "orders.nps",
            _("NPS"),
            Unit.SCORE,
            lambda m: (
                (m.get("promoters", ZERO) - m.get("detractors", ZERO))
                * 100
                / m["answers"]
                if m.get("answers")
                else None
            ),
            _(
                "Survey answers and marketplace ratings given in the period "
                "(stars on the 0–10 scale): % promoters (9–10) − % detractors "
                "(0–6)."
            ),
        ),
    )

    def user_can_see(self, user) -> bool:
        from plugins.orders.permissions import order_policy

        return order_policy().user_has_permission(user, "view")

    def scope_ids(self, user):
        from plugins.orders.permissions import order_policy

        return order_policy().scope_ids_for(user, "view")

    def first_day(self):
        from plugins.orders.models import SurveyResponse

        first = (
            SurveyResponse.objects.filter(answered_at__isnull=False)
            .order_by("answered_at")
            .values_list("answered_at", flat=True)
            .first()
        )
        return store_date(first) if first else None

    def facts(self, start, end, dimension="", *, where=None, scope_ids=None):
        from plugins.orders.models import SurveyResponse

        since, until = day_bounds(start, end)
        answers = SurveyResponse.objects.filter(
            answered_at__gte=since, answered_at__lt=until
        )
        if scope_ids is not None:
            answers = answers.filter(order__channel_id__in=scope_ids)
        rows = (
            answers.annotate(
                day=store_day("answered_at"), channel_id=F("order__channel_id")
            )
            .values("day", "channel_id")
            .annotate(
                answers=Count("pk"),
                promoters=Count("pk", filter=Q(score__gte=9)),
                detractors=Count("pk", filter=Q(score__lte=6)),
            )
            .order_by()
        )
        for row in rows:
            for name in ("answers", "promoters", "detractors"):
                if row[name]:
                    yield Fact(
                        row["day"], row["channel_id"], "", name, Decimal(row[name])
                    )

    def member_labels(self, dimension, members):
        return orders_member_labels(dimension, members)


def sources():
    return [OrdersSource(), SurveySource()]
