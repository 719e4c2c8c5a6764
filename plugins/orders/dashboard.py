"""The orders plugin's dashboard panels and their figures.

* **Order desk** (whoever works orders): orders to confirm (pending payment),
  to invoice (paid), to prepare (invoiced), to ship (ready to ship), late
  (:func:`plugins.orders.querysets.late_q`) and today's orders per sales
  channel, all within the channels the user may view; each figure links to the
  orders listing filtered the same way.
* **Sales** (whoever sees every order: the manager): sales today, in the last
  7 and the last 30 days (today included) — total in R$, number of orders and
  average ticket — the NPS of the survey answers of the last 30 days, and a
  chart of daily sales over the last 30 days.

A sale is an order of :meth:`OrderQuerySet.sales` (paid and beyond, neither
cancelled nor returned), counted on the day it was placed. Days are the
user's local days (America/Sao_Paulo unless their profile says otherwise),
the same days the listing's "placed" filter uses.

Each panel runs a fixed number of queries, whatever the number of orders:
conditional aggregates (``Count(filter=Q(...))``) and one ``TruncDate``
group-by for the chart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content.viewsets import format_brl
from plugins.dashboard import DashboardPanel, Detail, Figure
from plugins.orders.models import Order, OrderStatus
from plugins.orders.money import ZERO, to_money
from plugins.orders.permissions import order_policy
from plugins.orders.querysets import late_q
from plugins.permissions import is_active_user

#: The order desk's work queues: (key, label, status).
QUEUES = (
    ("to_confirm", _("To confirm payment"), OrderStatus.PENDING_PAYMENT),
    ("to_invoice", _("To invoice"), OrderStatus.PAID),
    ("to_prepare", _("To prepare"), OrderStatus.INVOICED),
    ("to_ship", _("To ship"), OrderStatus.READY_TO_SHIP),
)
CHART_DAYS = 30
PERIODS = (
    ("today", 1, _("Today")),
    ("last_7_days", 7, _("Last 7 days")),
    ("last_30_days", 30, _("Last 30 days")),
)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def date_param(day: datetime.date) -> str:
    """A date as the listing's filters read it (dd/mm/aaaa)."""
    return day.strftime("%d/%m/%Y")


def orders_url(**params) -> str:
    url = reverse("orders:index")
    return f"{url}?{urlencode(params)}" if params else url


# -- Figures --------------------------------------------------------------------


def order_desk_figures(user, today: datetime.date | None = None) -> dict:
    """The order desk's counts within the channels ``user`` may view:
    ``{"to_confirm": n, …, "late": n, "channels": [(channel, n today), …]}``.
    Two queries (plus the user's channel grants, cached on the user)."""
    today = today or timezone.localdate()
    policy = order_policy()
    orders = policy.filter_queryset(Order.objects.all(), user, ["view"])
    counts = orders.aggregate(
        late=Count("pk", filter=late_q(today)),
        **{key: Count("pk", filter=Q(status=status)) for key, _label, status in QUEUES},
    )
    placed_today = Q(
        orders__placed_at__gte=day_start(today),
        orders__placed_at__lt=day_start(today + datetime.timedelta(days=1)),
    )
    channels = (
        policy.scope_objects(user, "view")
        .annotate(today=Count("orders", filter=placed_today))
        .filter(Q(active=True) | Q(today__gt=0))
        .order_by("name")
    )
    counts["channels"] = [(channel, channel.today) for channel in channels]
    return counts


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    total: Decimal
    orders: int

    @property
    def average_ticket(self) -> Decimal | None:
        return to_money(self.total / self.orders) if self.orders else None


def sales_figures(today: datetime.date | None = None) -> dict:
    """Sales of every channel: ``{"periods": [Period today, 7 days, 30 days],
    "daily": [(date, total, orders) × 30]}``. Two queries."""
    today = today or timezone.localdate()
    tomorrow = day_start(today + datetime.timedelta(days=1))
    first_day = today - datetime.timedelta(days=CHART_DAYS - 1)
    sales = Order.objects.sales().filter(
        placed_at__gte=day_start(first_day), placed_at__lt=tomorrow
    )
    aggregates = {}
    for key, days, _label in PERIODS:
        since = Q(placed_at__gte=day_start(today - datetime.timedelta(days=days - 1)))
        aggregates[f"{key}_total"] = Sum("total", filter=since)
        aggregates[f"{key}_orders"] = Count("pk", filter=since)
    row = sales.aggregate(**aggregates)
    periods = [
        Period(
            key,
            label,
            to_money(row[f"{key}_total"] or ZERO),
            row[f"{key}_orders"],
        )
        for key, _days, label in PERIODS
    ]
    by_day = {
        entry["day"]: entry
        for entry in sales.annotate(
            day=TruncDate("placed_at", tzinfo=timezone.get_current_timezone())
        )
        .values("day")
        .annotate(total=Sum("total"), orders=Count("pk"))
        .order_by("day")
    }
    daily = []
    for offset in range(CHART_DAYS):
        day = first_day + datetime.timedelta(days=offset)
        entry = by_day.get(day, {})
        daily.append(
            (day, to_money(entry.get("total") or ZERO), entry.get("orders", 0))
        )
    return {"periods": periods, "daily": daily, "first_day": first_day}


def survey_figures(user, today: datetime.date | None = None) -> dict:
    """NPS of the answers given in the last 30 days (today included), within
    the channels ``user`` may view. One query."""
    from plugins.orders.surveys import nps
    from plugins.orders.views.survey import visible_responses

    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=CHART_DAYS - 1)
    answers = visible_responses(user).filter(
        answered_at__gte=day_start(since),
        answered_at__lt=day_start(today + datetime.timedelta(days=1)),
    )
    return {**nps(answers), "since": since, "until": today}


# -- Panels -------------------------------------------------------------------------


class OrderDeskPanel(DashboardPanel):
    name = "order_desk"
    order = 110
    heading = _("Order desk")
    icon = "form"
    template_name = "orders/dashboard/order_desk.html"

    @classmethod
    def user_can_see(cls, user) -> bool:
        """Whoever works orders in at least one channel."""
        return order_policy().user_has_permission(user, "change")

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        today = timezone.localdate()
        counts = order_desk_figures(self.user, today)
        figures = [
            Figure(label, counts[key], url=orders_url(status=status), key=key)
            for key, label, status in QUEUES
        ]
        figures.append(
            Figure(
                _("Late orders"),
                counts["late"],
                url=orders_url(late="true"),
                hint=_("Promised delivery date passed"),
                alert=counts["late"] > 0,
                key="late",
            )
        )
        context["figures"] = figures
        context["channel_figures"] = [
            Figure(
                channel.name,
                count,
                url=orders_url(
                    channel=channel.pk,
                    placed_at_from=date_param(today),
                    placed_at_to=date_param(today),
                ),
                key=f"today-{channel.code}",
            )
            for channel, count in counts["channels"]
        ]
        context["today"] = today
        return context


class SalesPanel(DashboardPanel):
    name = "sales"
    order = 100
    heading = _("Sales")
    icon = "list-ul"
    template_name = "orders/dashboard/sales.html"

    class Media:
        js = [
            "plugins/vendor/chartjs/chart.umd.min.js",
            "plugins/dashboard/chart.js",
        ]

    @classmethod
    def user_can_see(cls, user) -> bool:
        """Whoever sees the orders of every channel (the manager)."""
        return is_active_user(user) and user.has_perm("orders.view_order")

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        today = timezone.localdate()
        sales = sales_figures(today)
        figures = []
        for period in sales["periods"]:
            since = today - datetime.timedelta(
                days={"today": 0, "last_7_days": 6, "last_30_days": 29}[period.key]
            )
            figures.append(
                Figure(
                    period.label,
                    format_brl(period.total),
                    url=orders_url(
                        sale="true",
                        placed_at_from=date_param(since),
                        placed_at_to=date_param(today),
                    ),
                    key=period.key,
                    details=(
                        Detail(_("Orders"), period.orders, key="orders"),
                        Detail(
                            _("Average ticket"),
                            format_brl(period.average_ticket)
                            if period.average_ticket is not None
                            else "—",
                            key="average_ticket",
                        ),
                    ),
                )
            )
        survey = survey_figures(self.user, today)
        figures.append(
            Figure(
                _("NPS (last 30 days)"),
                survey["nps"] if survey["nps"] is not None else "—",
                url=reverse("orders:survey")
                + "?"
                + urlencode(
                    {
                        "since": date_param(survey["since"]),
                        "until": date_param(survey["until"]),
                    }
                ),
                key="nps",
                details=(
                    Detail(_("Answers"), survey["answers"], key="answers"),
                    Detail(_("Promoters"), survey["promoters"], key="promoters"),
                    Detail(_("Detractors"), survey["detractors"], key="detractors"),
                ),
            )
        )
        context["figures"] = figures
        context["chart"] = {
            "type": "bar",
            "unit": "money",
            "labels": [day.strftime("%d/%m") for day, _t, _n in sales["daily"]],
            "datasets": [
                {
                    "label": str(_("Sales (R$)")),
                    "values": [str(total) for _day, total, _n in sales["daily"]],
                }
            ],
        }
        context["daily_rows"] = [
            (day, format_brl(total), orders) for day, total, orders in sales["daily"]
        ]
        context["chart_first_day"] = sales["first_day"]
        context["today"] = today
        return context
