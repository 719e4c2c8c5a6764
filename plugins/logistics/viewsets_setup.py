"""Logística › the logistics manager's set-up: carriers (with their
credentials), their services (the terms of their freight tables), shipping
origins, free-shipping rules and the freight tables' rows (read-only: they
come in through the freight table import).

Carriers are scope objects (their policy is registered in
:mod:`plugins.logistics.wagtail_hooks` before these viewsets): a shipping
clerk sees the carriers granted to them, read-only; the logistics manager
and the manager set them up. Nothing here is deleted but free-shipping
rules: shipments, quotes and orders point at carriers, services and
origins (deactivate them instead). Wagtail's create and edit views write
every change to the audit log.
"""

from __future__ import annotations

import django_filters
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from plugins.logistics.forms_setup import (
    CarrierForm,
    CarrierServiceForm,
    FreeShippingRuleForm,
    ShippingOriginForm,
    admin_form,
    webhook_path,
)
from plugins.logistics.menu import LOGISTICS_MENU
from plugins.logistics.models import (
    Carrier,
    CarrierService,
    FreeShippingRule,
    FreightRate,
    ShippingOrigin,
)
from plugins.logistics.permissions import LogisticsPerm
from plugins.tables import BooleanColumn
from plugins.viewsets import ScopedIndexView, ScopedModelViewSet

NO_DELETE = {"delete_url_name": None, "usage_url_name": None, "copy_url_name": None}
READ_ONLY = {
    **NO_DELETE,
    "edit_url_name": None,
    "history_url_name": None,
    "add_url_name": None,
}


def _without(patterns, names):
    return [p for p in patterns if p.name not in names]


class NeverDeleted:
    """Carriers, services and origins are deactivated, never deleted (their
    shipments and quotes keep pointing at them): no delete or usage views."""

    def get_urlpatterns(self):
        return _without(super().get_urlpatterns(), ("delete", "usage"))

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            delete_url_name=None, usage_url_name=None, **kwargs
        )


class CarrierViewSet(NeverDeleted, ScopedModelViewSet):
    model = Carrier
    name = "logistics_carriers"
    url_prefix = "logistics/carriers"
    icon = "globe"
    menu_label = _("Carriers")
    menu_name = "logistics-carriers"
    menu_order = 80
    menu_hook = LOGISTICS_MENU
    copy_view_enabled = False
    add_to_reference_index = False
    list_display = [
        "name",
        "code",
        "kind",
        "tracking_prefix",
        BooleanColumn.for_field(Carrier, "active"),
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    list_export = ["name", "code", "kind", "contract", "tracking_prefix", "active"]
    #: the carrier's page: never its secrets
    inspect_view_fields = [
        "name",
        "code",
        "kind",
        "active",
        "base_url",
        "contract",
        "username",
        "tracking_prefix",
        "cubic_factor",
        "max_weight_g",
        "max_side_cm",
        "max_sum_cm",
    ]

    def get_form_class(self, for_update=False):
        return admin_form(CarrierForm)


class CarrierServiceViewSet(NeverDeleted, ModelViewSet):
    model = CarrierService
    name = "logistics_services"
    url_prefix = "logistics/services"
    icon = "list-ul"
    menu_label = _("Carrier services")
    menu_name = "logistics-services"
    menu_order = 81
    menu_hook = LOGISTICS_MENU
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    index_view_class = ScopedIndexView
    list_display = [
        "name",
        "carrier",
        "code",
        "min_price",
        "ad_valorem_percent",
        "gris_percent",
        "extra_per_kg",
        "extra_days",
        BooleanColumn.for_field(CarrierService, "active"),
    ]
    list_filter = ["carrier", "active"]
    search_fields = ["name", "code"]

    def get_queryset(self, request):
        return CarrierService.objects.select_related("carrier")

    def get_form_class(self, for_update=False):
        return admin_form(CarrierServiceForm)


class ShippingOriginViewSet(NeverDeleted, ModelViewSet):
    model = ShippingOrigin
    name = "logistics_origins"
    url_prefix = "logistics/origins"
    icon = "home"
    menu_label = _("Shipping origins")
    menu_name = "logistics-origins"
    menu_order = 82
    menu_hook = LOGISTICS_MENU
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    index_view_class = ScopedIndexView
    list_display = [
        "name",
        "code",
        "warehouse_code",
        "city",
        "uf",
        "handling_days",
        BooleanColumn.for_field(ShippingOrigin, "is_default"),
    ]
    search_fields = ["name", "code", "city"]

    def get_form_class(self, for_update=False):
        return admin_form(ShippingOriginForm)


class FreeShippingRuleViewSet(ModelViewSet):
    model = FreeShippingRule
    name = "logistics_free_shipping"
    url_prefix = "logistics/free-shipping"
    icon = "tag"
    menu_label = _("Free shipping")
    menu_name = "logistics-free-shipping"
    menu_order = 84
    menu_hook = LOGISTICS_MENU
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    index_view_class = ScopedIndexView
    list_display = [
        "name",
        "service",
        "channel_code",
        "states",
        "min_order_value",
        "product_tag",
        BooleanColumn.for_field(FreeShippingRule, "active"),
    ]
    list_filter = ["active"]
    search_fields = ["name", "product_tag"]

    def get_queryset(self, request):
        return FreeShippingRule.objects.select_related("service__carrier")

    def get_form_class(self, for_update=False):
        return admin_form(FreeShippingRuleForm)

    def get_urlpatterns(self):
        return _without(super().get_urlpatterns(), ("usage",))

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(usage_url_name=None, **kwargs)


class FreightRateFilterSet(WagtailFilterSet):
    service = django_filters.ModelChoiceFilter(
        label=_("Service"),
        queryset=CarrierService.objects.select_related("carrier"),
    )
    destination = django_filters.NumberFilter(
        label=_("Destination CEP"), method="filter_destination"
    )
    weight = django_filters.NumberFilter(label=_("Weight (g)"), method="filter_weight")

    class Meta:
        model = FreightRate
        fields = ["service", "destination", "weight"]

    def filter_destination(self, queryset, name, value):
        cep = int(value)
        return queryset.filter(destination_start__lte=cep, destination_end__gte=cep)

    def filter_weight(self, queryset, name, value):
        grams = int(value)
        return queryset.filter(weight_from_g__lte=grams, weight_to_g__gte=grams)


def _cep(value: int) -> str:
    text = f"{value:08d}"
    return f"{text[:5]}-{text[5:]}"


def freight_importer():
    """The importer of freight tables, when one is registered (the import
    framework's importer whose permission is importing freight rates)."""
    from plugins.importing.base import importers

    for importer in importers().values():
        if importer.permission == LogisticsPerm.IMPORT_RATES:
            return importer
    return None


class FreightRateIndexView(ScopedIndexView):
    default_ordering = ["service", "destination_start", "weight_from_g"]

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        importer = freight_importer()
        if importer is not None and importer.user_can_import(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Import a freight table"),
                    url=reverse("imports:start", args=[importer.key]),
                    icon_name="upload",
                    priority=50,
                )
            )
        return buttons


class FreightRateViewSet(ModelViewSet):
    """The freight tables' rows, read-only: filtered by service, by a
    destination CEP and by a weight."""

    model = FreightRate
    name = "logistics_rates"
    url_prefix = "logistics/rates"
    icon = "table"
    menu_label = _("Freight tables")
    menu_name = "logistics-rates"
    menu_order = 83
    menu_hook = LOGISTICS_MENU
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    index_view_class = FreightRateIndexView
    filterset_class = FreightRateFilterSet
    list_per_page = 50
    list_display = [
        "service",
        Column(
            "origin",
            label=_("Origin CEPs"),
            accessor=lambda r: f"{_cep(r.origin_start)} – {_cep(r.origin_end)}",
        ),
        Column(
            "destination",
            label=_("Destination CEPs"),
            accessor=lambda r: (
                f"{_cep(r.destination_start)} – {_cep(r.destination_end)}"
            ),
        ),
        Column(
            "weight",
            label=_("Weight (g)"),
            accessor=lambda r: f"{r.weight_from_g} – {r.weight_to_g}",
        ),
        "price",
        "days",
    ]

    def get_queryset(self, request):
        return FreightRate.objects.select_related("service__carrier")

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**READ_ONLY, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]


__all__ = [
    "CarrierServiceViewSet",
    "CarrierViewSet",
    "FreeShippingRuleViewSet",
    "FreightRateViewSet",
    "ShippingOriginViewSet",
    "webhook_path",
]
