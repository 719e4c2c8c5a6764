"""The supplier NF-e screens (Fiscal › Supplier NF-e): the listing, the
upload of one XML, an NF-e's page with its lines (the receipt draft: the
warehouse, a variant per line, "Confirm receipt") and the discard, and the
download of the XML as received.

Who sees what follows :func:`plugins.fiscal.services.intake.intake_policy`:
an NF-e of an emitter out of the user's scope does not exist for them
(404); one they see but may not act on is denied. Writes go through the
intake service; its refusals come back on the form or as a message.
"""

from __future__ import annotations

import django_filters
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import HeaderButton
from wagtail.models import ModelLogEntry

from plugins.exceptions import RetaguardaError
from plugins.fiscal.forms_intake import DiscardForm, ReceiptForm, UploadForm
from plugins.fiscal.models import Emitter, SupplierInvoice, SupplierInvoiceStatus
from plugins.fiscal.services import intake as services
from plugins.money import format_brl
from plugins.tables import AbsoluteDateColumn
from plugins.viewsets import ScopedIndexView

INVOICES = "fiscal_supplier_invoices"
IMPORTER = "fiscal.supplier_nfe"


def invoice_url(invoice_or_pk) -> str:
    return reverse(
        f"{INVOICES}:detail", args=[getattr(invoice_or_pk, "pk", invoice_or_pk)]
    )


def get_invoice(request, pk, *, change: bool = False) -> SupplierInvoice:
    """The NF-e ``pk`` as ``request.user`` may see it: denied to a user with
    no access to these screens, 404 out of their scope, denied when
    ``change`` is asked of one they only see."""
    user = request.user
    policy = services.intake_policy()
    if not policy.user_has_any_permission(user, ["view", "change"]):
        raise PermissionDenied
    invoice = (
        services.visible_invoices(user)
        .select_related("emitter", "received_by", "confirmed_by", "discarded_by")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404
    if change and not services.user_can_change(user, invoice):
        raise PermissionDenied
    return invoice


class BreadcrumbsMixin:
    """Home › Supplier NF-e › this page."""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{INVOICES}:index"), "label": _("Supplier NF-e")},
            {"url": "", "label": self.get_page_title()},
        ]


# -- the listing -------------------------------------------------------------------


class InvoiceFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=SupplierInvoiceStatus.choices
    )
    emitter = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Recipient"), queryset=Emitter.objects.none()
    )
    issued_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Issued on"), widget=DateRangePickerWidget
    )

    class Meta:
        model = SupplierInvoice
        fields = ["status", "emitter", "issued_at"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["emitter"].queryset = services.intake_policy().scope_objects(
            user, "view"
        )


class MoneyColumn(Column):
    def get_value(self, instance):
        return format_brl(super().get_value(instance))


class InvoiceIndexView(ScopedIndexView):
    page_title = gettext_lazy("Supplier NF-e")
    default_ordering = "-issued_at"
    search_fields = ["supplier_name", "supplier_cnpj", "access_key"]

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("emitter")
            .annotate(
                line_count=Count("lines"),
                matched_count=Count("lines", filter=Q(lines__variant__isnull=False)),
            )
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "supplier_name",
                label=_("Supplier"),
                get_url=invoice_url,
                sort_key="supplier_name",
            ),
            Column("number", label=_("Number"), sort_key="number"),
            AbsoluteDateColumn("issued_at", label=_("Issued"), sort_key="issued_at"),
            MoneyColumn("total", label=_("Total"), sort_key="total"),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda row: row.status == SupplierInvoiceStatus.RECEIVED,
            ),
            Column(
                "matched",
                label=_("Lines matched"),
                accessor=lambda row: f"{row.matched_count}/{row.line_count}",
            ),
            Column("emitter", label=_("Recipient")),
        ]

    @property
    def header_buttons(self):
        if not services.may_receive_any(self.request.user):
            return []
        buttons = [
            HeaderButton(
                _("Receive an XML"), url=reverse(f"{INVOICES}:add"), icon_name="upload"
            )
        ]
        buttons.append(
            HeaderButton(
                _("Import XML in bulk"),
                url=reverse("imports:start", args=[IMPORTER]),
                icon_name="download",
            )
        )
        return buttons


# -- one XML ------------------------------------------------------------------------


class UploadView(BreadcrumbsMixin, WagtailAdminTemplateMixin, FormView):
    form_class = UploadForm
    template_name = "fiscal/supplier_invoice_upload.html"
    page_title = gettext_lazy("Receive a supplier NF-e")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not services.may_receive_any(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["import_url"] = reverse("imports:start", args=[IMPORTER])
        return context

    def form_valid(self, form):
        data = form.cleaned_data["file"].read()
        try:
            invoice = services.receive(data, user=self.request.user)
        except RetaguardaError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("NF-e %(number)s of %(supplier)s received: confirm the receipt below.")
            % {"number": invoice.number, "supplier": invoice.supplier_name},
        )
        return redirect(invoice_url(invoice))


# -- one NF-e ----------------------------------------------------------------------


def unit_value(value) -> str:
    """A supplier's unit value as precise as it was stated (at least the
    centavos): R$ 12,206."""
    from django.utils.formats import number_format

    places = max(2, -value.normalize().as_tuple().exponent)
    return "R$ " + number_format(value, places, force_grouping=True)


def history(invoice: SupplierInvoice) -> list:
    return list(
        ModelLogEntry.objects.for_instance(invoice)
        .select_related("user")
        .order_by("-timestamp", "-pk")
    )


class DetailView(BreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "fiscal/supplier_invoice_detail.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        self.invoice = get_invoice(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.invoice)

    def get_page_subtitle(self):
        return self.invoice.get_status_display()

    @cached_property
    def lines(self) -> list:
        """The lines, each with its values as people read them."""
        lines = list(self.invoice.lines.select_related("variant").order_by("item"))
        for line in lines:
            line.unit_value_display = unit_value(line.unit_value)
            line.total_display = format_brl(line.total)
        return lines

    def receipt_form(self, data=None):
        invoice = self.invoice
        if invoice.status != SupplierInvoiceStatus.RECEIVED:
            return None
        if not services.user_can_change(self.request.user, invoice):
            return None
        return ReceiptForm(data, lines=self.lines, user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice, user = self.invoice, self.request.user
        may_change = (
            invoice.status == SupplierInvoiceStatus.RECEIVED
            and services.user_can_change(user, invoice)
        )
        form = kwargs.get("receipt_form") or self.receipt_form()
        context.update(
            invoice=invoice,
            total=format_brl(invoice.total),
            lines=self.lines,
            receipt_form=form,
            discard_form=(kwargs.get("discard_form") or DiscardForm())
            if may_change
            else None,
            bill=self.bill_context(),
            warehouse=invoice.warehouse,
            xml_url=reverse(f"{INVOICES}:xml", args=[invoice.pk]),
            history=history(invoice),
            stock_enabled=services.stock_enabled(),
        )
        return context

    def bill_context(self):
        """The bill to pay, linked when the user may see bills."""
        bill = self.invoice.bill
        if bill is None:
            return None
        url = None
        if apps.is_installed("plugins.finance"):
            from plugins.finance.permissions import PayablesPerm, user_may
            from plugins.finance.views_payables import bill_url

            if user_may(self.request.user, PayablesPerm.VIEW_BILL):
                url = bill_url(bill)
        return {"bill": bill, "total": format_brl(bill.total), "url": url}


class ConfirmView(DetailView):
    """POST: confirm the receipt; the page again with the errors when the
    form or the service refuses."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        self.invoice = get_invoice(request, kwargs["pk"], change=True)
        return super(DetailView, self).dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.receipt_form(request.POST)
        if form is None:
            messages.error(
                request,
                _("This NF-e is “%(status)s”: nothing more is done with it.")
                % {"status": self.invoice.get_status_display()},
            )
            return redirect(invoice_url(self.invoice))
        if form.is_valid():
            try:
                services.confirm_receipt(
                    self.invoice,
                    user=request.user,
                    choices=form.choices(),
                    warehouse=form.cleaned_data.get("warehouse"),
                )
            except RetaguardaError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Receipt confirmed."))
                return redirect(invoice_url(self.invoice))
        return self.render_to_response(self.get_context_data(receipt_form=form))


class DiscardView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        invoice = get_invoice(request, pk, change=True)
        form = DiscardForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
        elif (form["reason"].value() or "").strip():
            # a reason that does not fit: say so (a missing one is the
            # service's to refuse)
            for error in form.errors["reason"]:
                messages.error(request, error)
            return redirect(invoice_url(invoice))
        else:
            reason = ""
        try:
            services.discard(invoice, user=request.user, reason=reason)
        except RetaguardaError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("NF-e discarded."))
        return redirect(invoice_url(invoice))


class XmlView(View):
    """The XML as received, as a download named by its access key."""

    def get(self, request, pk):
        invoice = get_invoice(request, pk)
        response = HttpResponse(
            invoice.xml.encode("utf-8"), content_type="application/xml"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{invoice.access_key}-nfe.xml"'
        )
        return response
