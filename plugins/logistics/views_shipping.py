"""The shipping desk's screens: the queue of orders to ship (grouped by
carrier and origin, "Gerar etiquetas" and "Fechar romaneio"), a shipment's
page (packages, tracking codes, labels in both layouts, cancel), the
manifests and their romaneio PDF, a label batch's progress and download,
and the picking list and packing slips of the orders chosen.

Who: the queue and the label batches are for users who ship with some
carrier (the shipping desk in its carriers, the logistics manager);
shipments and manifests are read by whoever sees shipments
(:func:`plugins.logistics.permissions.shipment_policy`) and worked by whoever
ships with their carrier. A shipment or manifest of a carrier out of the
user's scope does not exist for them (404); a label batch is its creator's.
"""

from __future__ import annotations

from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.exceptions import RetaguardaError
from plugins.logistics import documents
from plugins.logistics.models import (
    LabelBatch,
    LabelLayout,
    Manifest,
    Shipment,
    ShipmentStatus,
    ShippingOrigin,
)
from plugins.logistics.permissions import (
    manifest_policy,
    shipment_policy,
    shippable_carriers,
    user_can_ship,
)
from plugins.logistics.services import labels as label_service
from plugins.logistics.services.shipments import (
    SHIPPABLE_ORDER_STATUSES,
    add_to_manifest,
    by_carrier_and_origin,
    cancel_shipment,
    close_manifest,
    default_carrier,
    default_origin,
)
from plugins.orders.models import Order
from plugins.permissions import is_active_user

QUEUE = "logistics_shipping_queue"
PICKING_LIST = "logistics_picking_list"
PACKING_SLIPS = "logistics_packing_slips"
SHIPMENT = "logistics_shipment"
SHIPMENT_LABELS = "logistics_shipment_labels"
SHIPMENT_CANCEL = "logistics_shipment_cancel"
MANIFESTS = "logistics_manifests"
MANIFEST = "logistics_manifest"
MANIFEST_CLOSE = "logistics_manifest_close"
MANIFEST_PDF = "logistics_manifest_pdf"
BATCH = "logistics_label_batch"
BATCH_STATUS = "logistics_label_batch_status"
BATCH_DOWNLOAD = "logistics_label_batch_download"
#: The queue shows at most this many orders (the oldest first).
QUEUE_LIMIT = 500


def user_can_use_desk(user) -> bool:
    """Whether ``user`` works the shipping desk (ships with some carrier)."""
    return is_active_user(user) and shippable_carriers(user).exists()


def user_can_read_shipments(user) -> bool:
    return is_active_user(user) and shipment_policy().user_has_any_permission(
        user, ["view"]
    )


def user_can_read_manifests(user) -> bool:
    return is_active_user(user) and manifest_policy().user_has_any_permission(
        user, ["view"]
    )


def pdf_response(content: bytes, filename: str, *, inline: bool = True):
    response = HttpResponse(content, content_type=documents.PDF_CONTENT_TYPE)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


class DeskMixin:
    """Views for users who ship with some carrier."""

    def dispatch(self, request, *args, **kwargs):
        if not user_can_use_desk(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "mail"

    def crumbs(self):
        return []

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            *self.crumbs(),
            {"url": "", "label": self.get_page_title()},
        ]


def queue_crumb():
    return {"url": reverse(QUEUE), "label": _("Shipping desk")}


def manifests_crumb():
    return {"url": reverse(MANIFESTS), "label": _("Manifests")}


# -- The queue ------------------------------------------------------------------


class QueueRow:
    def __init__(self, order, carrier, origin, shipment):
        self.order = order
        self.carrier = carrier
        self.origin = origin
        self.shipment = shipment

    @property
    def labelled(self) -> bool:
        return (
            self.shipment is not None
            and self.shipment.status == ShipmentStatus.LABELLED
        )


def queue_rows(user, pks=None) -> list[QueueRow]:
    """Orders invoiced or ready to ship of the carriers ``user`` ships with:
    the carrier of the order's freight option, or the user's only carrier;
    with their live shipment, if any."""
    carriers = {c.pk: c for c in shippable_carriers(user)}
    fallback = default_carrier(user)
    origins = {o.pk: o for o in ShippingOrigin.objects.all()}
    default = default_origin()
    orders = (
        Order.objects.filter(status__in=SHIPPABLE_ORDER_STATUSES)
        .select_related("logistics_shipping__service")
        .order_by("placed_at", "pk")
    )
    if pks is not None:
        orders = orders.filter(pk__in=pks)
    orders = list(orders[:QUEUE_LIMIT])
    live = {}
    for shipment in (
        Shipment.objects.filter(order__in=orders)
        .exclude(status=ShipmentStatus.CANCELLED)
        .order_by("pk")
    ):
        live[shipment.order_id] = shipment
    rows = []
    for order in orders:
        shipment = live.get(order.pk)
        shipping = getattr(order, "logistics_shipping", None)
        if shipment is not None:
            carrier_id, origin_id = shipment.carrier_id, shipment.origin_id
        elif shipping is not None:
            carrier_id = shipping.service.carrier_id
            origin_id = shipping.origin_id or (default.pk if default else None)
        else:
            carrier_id = fallback.pk if fallback else None
            origin_id = default.pk if default else None
        if carrier_id not in carriers:
            continue
        rows.append(
            QueueRow(order, carriers[carrier_id], origins.get(origin_id), shipment)
        )
    return rows


class QueueView(DeskMixin, AdminPage):
    template_name = "logistics/shipping_queue.html"
    page_title = gettext_lazy("Shipping desk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups: OrderedDict = OrderedDict()
        for row in queue_rows(self.request.user):
            groups.setdefault((row.carrier, row.origin), []).append(row)
        context.update(
            groups=[
                {"carrier": carrier, "origin": origin, "rows": rows}
                for (carrier, origin), rows in groups.items()
            ],
            layouts=LabelLayout.choices,
            open_manifests=manifest_policy()
            .instances_user_has_any_permission_for(self.request.user, ["view"])
            .filter(status=Manifest.Status.OPEN)
            .select_related("carrier", "origin"),
        )
        return context

    def post(self, request):
        pks = [int(pk) for pk in request.POST.getlist("order") if pk.isdigit()]
        rows = queue_rows(request.user, pks)
        if not rows:
            messages.error(request, _("Choose the orders."))
            return redirect(QUEUE)
        action = request.POST.get("action")
        try:
            if action == "labels":
                batch = label_service.start_label_batch(
                    [row.order for row in rows],
                    user=request.user,
                    layout=request.POST.get("layout") or LabelLayout.THERMAL,
                )
                return redirect(BATCH, pk=batch.pk)
            if action == "manifest":
                return self.close_manifests(request, rows)
        except RetaguardaError as error:
            messages.error(request, str(error.message or error))
            return redirect(QUEUE)
        raise Http404

    def close_manifests(self, request, rows):
        labelled = [row.shipment for row in rows if row.labelled]
        if not labelled:
            messages.error(
                request, _("None of the orders chosen has its label printed yet.")
            )
            return redirect(QUEUE)
        closed = []
        for group in by_carrier_and_origin(labelled).values():
            manifest = add_to_manifest(group, request.user)
            closed.append(close_manifest(manifest, request.user))
        skipped = len(rows) - len(labelled)
        for manifest in closed:
            messages.success(
                request,
                _("Manifest %(number)s closed: %(count)s orders shipped.")
                % {"number": manifest.pk, "count": manifest.shipments.count()},
            )
        if skipped:
            messages.warning(
                request,
                _("%(count)s orders without a label were left in the queue.")
                % {"count": skipped},
            )
        if len(closed) == 1:
            return redirect(MANIFEST, pk=closed[0].pk)
        return redirect(MANIFESTS)


class OrdersPdfView(DeskMixin, View):
    """The picking list or the packing slips of the orders chosen in the
    queue (``?order=<id>&order=<id>``), among those the user ships."""

    kind = "picking"

    def get(self, request):
        pks = [int(pk) for pk in request.GET.getlist("order") if pk.isdigit()]
        orders = [row.order for row in queue_rows(request.user, pks)]
        if not orders:
            raise Http404
        if self.kind == "picking":
            return pdf_response(documents.picking_list_pdf(orders), "separacao.pdf")
        return pdf_response(documents.packing_slip_pdf(orders), "romaneio-itens.pdf")


# -- Shipments ------------------------------------------------------------------


class ShipmentMixin:
    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user_can_read_shipments(user):
            raise PermissionDenied
        visible = shipment_policy().instances_user_has_any_permission_for(
            user, ["view"]
        )
        self.shipment = get_object_or_404(
            visible.select_related("order", "carrier", "service", "origin", "manifest"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)


class ShipmentView(ShipmentMixin, AdminPage):
    template_name = "logistics/shipment_detail.html"
    page_title = gettext_lazy("Shipment")

    def get_page_subtitle(self):
        return _("Order %(number)s") % {"number": self.shipment.order.number}

    def crumbs(self):
        return [queue_crumb()] if user_can_use_desk(self.request.user) else []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shipment = self.shipment
        context.update(
            shipment=shipment,
            packages=shipment.packages.all(),
            layouts=[
                (label, reverse(SHIPMENT_LABELS, args=[shipment.pk, value]))
                for value, label in LabelLayout.choices
            ],
            can_cancel=shipment.status
            in (ShipmentStatus.CREATED, ShipmentStatus.LABELLED)
            and user_can_ship(self.request.user, shipment.carrier),
        )
        return context


class ShipmentLabelsView(ShipmentMixin, View):
    def get(self, request, pk, layout):
        if layout not in LabelLayout.values:
            raise Http404
        pdf = documents.shipment_labels_pdf(self.shipment, layout)
        return pdf_response(pdf, f"etiqueta-{self.shipment.order.number}.pdf")


class ShipmentCancelView(ShipmentMixin, AdminPage):
    template_name = "logistics/confirm.html"
    page_title = gettext_lazy("Cancel the shipment")

    def crumbs(self):
        return [
            {
                "url": reverse(SHIPMENT, args=[self.shipment.pk]),
                "label": str(self.shipment),
            }
        ]

    def get(self, request, *args, **kwargs):
        if not user_can_ship(request.user, self.shipment.carrier):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            question=_(
                "Cancel the shipment of order %(number)s? Its tracking codes are "
                "given up and the order goes back to the queue."
            )
            % {"number": self.shipment.order.number},
            confirm=_("Cancel the shipment"),
            back_url=reverse(SHIPMENT, args=[self.shipment.pk]),
        )
        return context

    def post(self, request, pk):
        if not user_can_ship(request.user, self.shipment.carrier):
            raise PermissionDenied
        try:
            cancel_shipment(self.shipment, request.user)
        except RetaguardaError as error:
            messages.error(request, str(error.message or error))
        else:
            messages.success(request, _("Shipment cancelled."))
        return redirect(SHIPMENT, pk=pk)


# -- Manifests ------------------------------------------------------------------


def visible_manifests(user):
    return manifest_policy().instances_user_has_any_permission_for(user, ["view"])


class ManifestMixin:
    def dispatch(self, request, *args, **kwargs):
        if not user_can_read_manifests(request.user):
            raise PermissionDenied
        self.manifest = get_object_or_404(
            visible_manifests(request.user).select_related(
                "carrier", "origin", "closed_by"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)


class ManifestListView(AdminPage):
    template_name = "logistics/manifest_list.html"
    page_title = gettext_lazy("Manifests")

    def dispatch(self, request, *args, **kwargs):
        if not user_can_read_manifests(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator
        from django.db.models import Count

        context = super().get_context_data(**kwargs)
        manifests = (
            visible_manifests(self.request.user)
            .select_related("carrier", "origin")
            .annotate(shipment_count=Count("shipments"))
            .order_by("-created_at", "-pk")
        )
        page = Paginator(manifests, 50).get_page(self.request.GET.get("p"))
        context.update(page=page, manifests=page.object_list)
        return context


class ManifestView(ManifestMixin, AdminPage):
    template_name = "logistics/manifest_detail.html"
    page_title = gettext_lazy("Manifest")

    def get_page_subtitle(self):
        return str(self.manifest)

    def crumbs(self):
        return [manifests_crumb()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        manifest = self.manifest
        context.update(
            manifest=manifest,
            shipments=manifest.shipments.select_related("order").prefetch_related(
                "packages"
            ),
            can_close=manifest.status == Manifest.Status.OPEN
            and user_can_ship(self.request.user, manifest.carrier),
        )
        return context


class ManifestCloseView(ManifestMixin, AdminPage):
    template_name = "logistics/confirm.html"
    page_title = gettext_lazy("Close the manifest")

    def crumbs(self):
        return [
            manifests_crumb(),
            {
                "url": reverse(MANIFEST, args=[self.manifest.pk]),
                "label": str(self.manifest),
            },
        ]

    def get(self, request, *args, **kwargs):
        if not user_can_ship(request.user, self.manifest.carrier):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            question=_(
                "Hand the %(count)s parcels of this manifest over to %(carrier)s? "
                "Their orders become shipped."
            )
            % {
                "count": self.manifest.shipments.count(),
                "carrier": self.manifest.carrier,
            },
            confirm=_("Close the manifest"),
            back_url=reverse(MANIFEST, args=[self.manifest.pk]),
        )
        return context

    def post(self, request, pk):
        if not user_can_ship(request.user, self.manifest.carrier):
            raise PermissionDenied
        try:
            close_manifest(self.manifest, request.user)
        except RetaguardaError as error:
            messages.error(request, str(error.message or error))
        else:
            messages.success(request, _("Manifest closed: its orders are shipped."))
        return redirect(MANIFEST, pk=pk)


class ManifestPdfView(ManifestMixin, View):
    def get(self, request, pk):
        return pdf_response(
            documents.manifest_pdf(self.manifest), f"romaneio-{self.manifest.pk}.pdf"
        )


# -- Label batches ----------------------------------------------------------------


class BatchMixin:
    """A label batch is its creator's: to anyone else it does not exist."""

    def dispatch(self, request, *args, **kwargs):
        if not user_can_use_desk(request.user):
            raise PermissionDenied
        self.batch = get_object_or_404(
            LabelBatch, pk=kwargs["pk"], created_by=request.user
        )
        return super().dispatch(request, *args, **kwargs)


def batch_status_text(batch: LabelBatch) -> str:
    return _("%(status)s: %(done)s of %(total)s orders") % {
        "status": batch.get_status_display(),
        "done": batch.done,
        "total": batch.total,
    }


class BatchView(BatchMixin, AdminPage):
    template_name = "logistics/label_batch.html"
    page_title = gettext_lazy("Labels")

    def crumbs(self):
        return [queue_crumb()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        figures = label_service.progress(batch)
        context.update(
            batch=batch,
            figures=figures,
            running=label_service.is_running(batch),
            status_text=batch_status_text(batch),
            status_url=reverse(BATCH_STATUS, args=[batch.pk]),
            download_url=reverse(BATCH_DOWNLOAD, args=[batch.pk]) if batch.file else "",
        )
        return context


class BatchStatusView(BatchMixin, View):
    def get(self, request, pk):
        batch = self.batch
        return JsonResponse(
            {
                "status": batch.status,
                "status_display": batch_status_text(batch),
                "running": label_service.is_running(batch),
                **label_service.progress(batch).as_dict(),
            }
        )


class BatchDownloadView(BatchMixin, View):
    def get(self, request, pk):
        if not self.batch.file:
            raise Http404
        return FileResponse(
            self.batch.file.open("rb"),
            content_type=documents.PDF_CONTENT_TYPE,
            filename=f"etiquetas-{self.batch.pk}.pdf",
        )


def urls():
    return [
        path("logistics/shipping/", QueueView.as_view(), name=QUEUE),
        path(
            "logistics/shipping/picking-list/",
            OrdersPdfView.as_view(kind="picking"),
            name=PICKING_LIST,
        ),
        path(
            "logistics/shipping/packing-slips/",
            OrdersPdfView.as_view(kind="packing"),
            name=PACKING_SLIPS,
        ),
        path("logistics/shipments/<int:pk>/", ShipmentView.as_view(), name=SHIPMENT),
        path(
            "logistics/shipments/<int:pk>/labels/<str:layout>/",
            ShipmentLabelsView.as_view(),
            name=SHIPMENT_LABELS,
        ),
        path(
            "logistics/shipments/<int:pk>/cancel/",
            ShipmentCancelView.as_view(),
            name=SHIPMENT_CANCEL,
        ),
        path("logistics/manifests/", ManifestListView.as_view(), name=MANIFESTS),
        path("logistics/manifests/<int:pk>/", ManifestView.as_view(), name=MANIFEST),
        path(
            "logistics/manifests/<int:pk>/close/",
            ManifestCloseView.as_view(),
            name=MANIFEST_CLOSE,
        ),
        path(
            "logistics/manifests/<int:pk>/pdf/",
            ManifestPdfView.as_view(),
            name=MANIFEST_PDF,
        ),
        path("logistics/labels/<int:pk>/", BatchView.as_view(), name=BATCH),
        path(
            "logistics/labels/<int:pk>/status/",
            BatchStatusView.as_view(),
            name=BATCH_STATUS,
        ),
        path(
            "logistics/labels/<int:pk>/download/",
            BatchDownloadView.as_view(),
            name=BATCH_DOWNLOAD,
        ),
    ]
