"""The kardex of a SKU: its movements in date order with the running balance,
in the warehouses the user may see (or one of them)."""

from __future__ import annotations

from django.apps import apps
from django.db.models import F, Sum, Window
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView
from wagtail.admin.ui.tables import Column, Table
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.stock.models import ReferenceType, StockLevel, StockMovement
from plugins.stock.permissions import user_can_see_stock, visible_warehouses
from plugins.stock.views import BreadcrumbsMixin, StockPermissionMixin
from plugins.stock.views.search import variant_label
from plugins.stock.views.transfers import transfers_for
from plugins.tables import AbsoluteDateColumn, LinkColumn


def kardex_url(variant_id, warehouse_id=None) -> str:
    url = reverse("stock_kardex", args=[variant_id])
    return f"{url}?warehouse={warehouse_id}" if warehouse_id else url


def _number_pk(number: str, prefix: str) -> int | None:
    """``TR-000012`` → 12 (the number of a transfer or a count)."""
    head, _dash, digits = number.partition("-")
    return int(digits) if head == prefix and digits.isdigit() else None


def reference_links(user, movements) -> dict[tuple[str, str], str]:
    """The screen of each movement's reference (transfer, count, order) that
    ``user`` may open: one query per kind of reference, whatever the page."""
    refs: dict[str, set[str]] = {}
    for movement in movements:
        if movement.reference_type and movement.reference:
            refs.setdefault(movement.reference_type, set()).add(movement.reference)
    links = {}
    numbers = {
        ReferenceType.TRANSFER: ("TR", "stock_transfers:detail"),
        ReferenceType.COUNT: ("INV", "stock_counts:detail"),
    }
    for kind, (prefix, url_name) in numbers.items():
        pks = {_number_pk(n, prefix): n for n in refs.get(kind, ())}
        pks.pop(None, None)
        if not pks:
            continue
        if kind == ReferenceType.TRANSFER:
            visible = transfers_for(user).filter(pk__in=list(pks))
        else:
            from plugins.stock.models import InventoryCount

            visible = InventoryCount.objects.filter(
                pk__in=list(pks), warehouse__in=visible_warehouses(user).values("pk")
            )
        for pk in visible.values_list("pk", flat=True):
            links[kind, pks[pk]] = reverse(url_name, args=[pk])
    if refs.get(ReferenceType.ORDER) and apps.is_installed("plugins.orders"):
        from plugins.orders.models import Order
        from plugins.orders.permissions import order_policy

        orders = order_policy().filter_queryset(
            Order.objects.filter(number__in=refs[ReferenceType.ORDER]), user, ["view"]
        )
        for number, pk in orders.values_list("number", "pk"):
            links[ReferenceType.ORDER, number] = reverse("orders:detail", args=[pk])
    return links


class SignedColumn(Column):
    def get_value(self, instance):
        return f"{instance.quantity:+d}"


class KardexView(
    StockPermissionMixin, BreadcrumbsMixin, WagtailAdminTemplateMixin, ListView
):
    """``stock/sku/<variant_id>/[?warehouse=<id>]``: oldest first; the
    balance is a window sum over every movement shown, so each page carries on
    from the one before."""

    template_name = "stock/kardex.html"
    header_icon = "history"
    paginate_by = 50
    page_kwarg = "p"
    section_label = gettext_lazy("Movements")
    section_url_name = "stock_movements:index"

    def test_user(self, user):
        return user_can_see_stock(user)

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated and self.test_user(request.user)):
            return super().dispatch(request, *args, **kwargs)  # denied there
        from content.models import Variant

        self.variant = get_object_or_404(
            Variant.objects.select_related("product"), pk=kwargs["variant_id"]
        )
        self.warehouses = visible_warehouses(request.user).order_by("priority", "code")
        self.warehouse = None
        if raw := request.GET.get("warehouse"):
            self.warehouse = (
                self.warehouses.filter(pk=raw).first() if raw.isdigit() else None
            )
            if self.warehouse is None:
                raise Http404  # another warehouse's stock does not exist for them
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Kardex of %(sku)s") % {"sku": self.variant.sku}

    def get_page_subtitle(self):
        return variant_label(self.variant)

    def scope_ids(self):
        if self.warehouse is not None:
            return [self.warehouse.pk]
        return list(self.warehouses.values_list("pk", flat=True))

    def get_queryset(self):
        order = [F("created_at").asc(), F("pk").asc()]
        return (
            StockMovement.objects.filter(
                variant=self.variant, warehouse_id__in=self.scope_ids()
            )
            .select_related("warehouse", "user")
            .annotate(balance=Window(Sum("quantity"), order_by=order))
            .order_by(*order)
        )

    def columns(self, links):
        return [
            AbsoluteDateColumn("created_at", label=_("At"), accessor="created_at"),
            Column("warehouse", label=_("Warehouse"), accessor="warehouse.code"),
            Column("kind", label=_("Kind"), accessor="get_kind_display"),
            SignedColumn("quantity", label=_("Units"), classname="kardex-units"),
            Column("balance", label=_("Balance"), classname="kardex-balance"),
            LinkColumn(
                "reference",
                label=_("Reference"),
                get_url=lambda m: links.get((m.reference_type, m.reference)),
            ),
            Column("reason", label=_("Reason")),
            Column("user", label=_("User")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        movements = list(context["object_list"])
        links = reference_links(self.request.user, movements)
        page = context["page_obj"]
        levels = StockLevel.objects.filter(
            variant=self.variant, warehouse_id__in=self.scope_ids()
        ).select_related("warehouse")
        context.update(
            variant=self.variant,
            variant_label=variant_label(self.variant),
            warehouse=self.warehouse,
            warehouses=[
                (w, kardex_url(self.variant.pk, w.pk)) for w in self.warehouses
            ],
            all_url=kardex_url(self.variant.pk),
            levels=levels,
            table=Table(
                self.columns(links),
                movements,
                attrs={"id": "kardex"},
                caption=_("Movements of %(sku)s, oldest first")
                % {"sku": self.variant.sku},
            ),
            items=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
        )
        return context
