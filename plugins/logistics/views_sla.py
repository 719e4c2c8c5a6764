"""Logística › Late to ship and Late to deliver: the two SLA listings
(:mod:`plugins.logistics.querysets` says what "late" is), filtered by
carrier and destination UF, each showing only the carriers the user sees."""

from __future__ import annotations

import django_filters
from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from plugins.display import EMPTY, absolute_date
from plugins.logistics.models import Carrier, Package, Shipment
from plugins.logistics.permissions import (
    carrier_policy,
    shipment_policy,
    user_can_see_shipments,
)
from plugins.logistics.querysets import late_to_ship, of_carriers
from plugins.orders.models import UF_CHOICES, Order

LATE_SHIPMENTS = "logistics_late_shipments"
LATE_DELIVERIES = "logistics_late_deliveries"


def visible_carriers(user):
    return carrier_policy().scope_objects(user, "view")


def order_url(user, order) -> str:
    """The order's page, when ``user`` may open it."""
    from plugins.orders.permissions import order_policy

    if not order_policy().user_has_permission_for_instance(user, "view", order):
        return ""
    return reverse("orders:detail", args=[order.pk])


class CarrierFilterSet(WagtailFilterSet):
    carrier = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Carrier"),
        queryset=Carrier.objects.none(),
        method="filter_carrier",
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request is not None else None
        self.filters["carrier"].queryset = visible_carriers(user)

    uf = django_filters.ChoiceFilter(
        label=gettext_lazy("Destination UF"), choices=UF_CHOICES, method="filter_uf"
    )

    def filter_carrier(self, queryset, name, value):
        return queryset.filter(carrier=value)

    def filter_uf(self, queryset, name, value):
        return queryset.filter(order__shipping_address__uf=value)


class LateShipmentFilterSet(CarrierFilterSet):
    class Meta:
        model = Order
        fields = ["carrier", "uf"]

    def filter_carrier(self, queryset, name, value):
        return queryset.filter(carrier_id_of=value.pk)

    def filter_uf(self, queryset, name, value):
        return queryset.filter(shipping_address__uf=value)


class LateDeliveryFilterSet(CarrierFilterSet):
    class Meta:
        model = Shipment
        fields = ["carrier", "uf"]


class LateListingView(generic.IndexView):
    """A listing for those who see shipments, within their carriers."""

    any_permission_required = ["view"]
    permission_required = None
    paginate_by = 50
    header_icon = "warning"

    @cached_property
    def permission_policy(self):
        return shipment_policy()

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": "", "label": self.page_title},
        ]


def _carrier_names() -> dict[int, str]:
    return dict(Carrier.objects.values_list("pk", "name"))


class LateShipmentsView(LateListingView):
    """Orders not handed over by their handling deadline."""

    model = Order
    page_title = gettext_lazy("Late to ship")
    index_url_name = LATE_SHIPMENTS
    index_results_url_name = f"{LATE_SHIPMENTS}_results"
    filterset_class = LateShipmentFilterSet
    default_ordering = "deadline"

    def get_base_queryset(self):
        first_deadline = (
            Shipment.objects.filter(order=OuterRef("pk"))
            .values("order")
            .annotate(first=Min("handling_deadline"))
            .values("first")[:1]
        )
        return (
            of_carriers(
                late_to_ship(Order.objects.all()), visible_carriers(self.request.user)
            )
            .annotate(
                deadline=Coalesce(
                    "logistics_shipping__handling_deadline", Subquery(first_deadline)
                )
            )
            .select_related("channel")
        )

    @cached_property
    def columns(self):
        user = self.request.user
        names = _carrier_names()
        today = timezone.localdate()
        return [
            TitleColumn(
                "number",
                label=_("Order"),
                get_url=lambda order: order_url(user, order),
                sort_key="number",
            ),
            Column("customer_name", label=_("Customer")),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column(
                "carrier",
                label=_("Carrier"),
                accessor=lambda order: names.get(order.carrier_id_of, EMPTY),
            ),
            Column(
                "deadline",
                label=_("Hand over by"),
                accessor=lambda order: absolute_date(order.deadline),
                sort_key="deadline",
            ),
            Column(
                "days_late",
                label=_("Days late"),
                accessor=lambda order: (
                    (today - order.deadline).days if order.deadline else EMPTY
                ),
            ),
        ]


class LateDeliveriesView(LateListingView):
    """Shipments on their way past their promised date."""

    model = Shipment
    page_title = gettext_lazy("Late to deliver")
    index_url_name = LATE_DELIVERIES
    index_results_url_name = f"{LATE_DELIVERIES}_results"
    filterset_class = LateDeliveryFilterSet
    default_ordering = "promise"

    def get_base_queryset(self):
        codes = (
            Package.objects.filter(shipment=OuterRef("pk"))
            .exclude(tracking_code="")
            .order_by("number")
            .values("tracking_code")[:1]
        )
        return (
            shipment_policy()
            .filter_queryset(
                Shipment.objects.late_delivery(), self.request.user, ["view"]
            )
            .annotate(first_code=Subquery(codes))
            .select_related("order", "carrier", "service")
        )

    @cached_property
    def columns(self):
        user = self.request.user
        today = timezone.localdate()
        return [
            TitleColumn(
                "order",
                label=_("Order"),
                accessor=lambda s: s.order.number,
                get_url=lambda s: order_url(user, s.order),
                sort_key="order__number",
            ),
            Column("carrier", label=_("Carrier"), accessor=lambda s: s.carrier.name),
            Column("service", label=_("Service"), accessor=lambda s: s.service.name),
            Column(
                "tracking", label=_("Tracking code"), accessor=lambda s: s.first_code
            ),
            Column("status", label=_("Status"), accessor="get_status_display"),
            Column(
                "promise",
                label=_("Promised for"),
                accessor=lambda s: absolute_date(s.promise),
                sort_key="promise",
            ),
            Column(
                "days_late",
                label=_("Days late"),
                accessor=lambda s: (today - s.promise).days,
            ),
        ]


class SlaMenuItem(MenuItem):
    def is_shown(self, request):
        return user_can_see_shipments(request.user)


def menu_items():
    return [
        lambda: SlaMenuItem(
            _("Late to ship"),
            reverse(LATE_SHIPMENTS),
            name="logistics-late-shipments",
            icon_name="warning",
            order=20,
        ),
        lambda: SlaMenuItem(
            _("Late to deliver"),
            reverse(LATE_DELIVERIES),
            name="logistics-late-deliveries",
            icon_name="time",
            order=21,
        ),
    ]
