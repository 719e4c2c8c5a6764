"""The payables screens (contas a pagar): the bills listing, a new bill, a
bill's page with its installments, files and history, and the actions on it
(approve, record a payment, a supplier's boleto, attach a file, cancel),
the installments listing (overdue, due this week) and the download of an
attachment.

Writes go through :mod:`plugins.finance.services.payables`; their errors
come back on the form's field or as a message. Every view checks the
permission it needs (``PayablesPerm``) before anything else.
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import HeaderButton
from wagtail.models import ModelLogEntry

from plugins.audit import describe_changes
from plugins.display import absolute_date
from plugins.exceptions import RetaguardaError
from plugins.exports import SafeSpreadsheetExportMixin
from plugins.finance.forms_payables import (
    AttachmentForm,
    BillForm,
    BoletoForm,
    CancelForm,
    PaymentForm,
)
from plugins.finance.models import (
    CLOSED_BILL_STATUSES,
    UNPAID_STATUSES,
    Bill,
    BillAttachment,
    BillCategory,
    BillInstallment,
    BillStatus,
    InstallmentStatus,
    Supplier,
)
from plugins.finance.permissions import PayablesPerm, user_may
from plugins.finance.services import payables as services
from plugins.money import format_brl
from plugins.tables import AbsoluteDateColumn

BILLS = "finance_bills"
INSTALLMENTS = "finance_bill_installments"


def bill_url(bill_or_pk) -> str:
    return reverse(f"{BILLS}:detail", args=[getattr(bill_or_pk, "pk", bill_or_pk)])


def form_error(form, error: RetaguardaError) -> None:
    """A service's error on the field it names, when the form has it."""
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


class MoneyColumn(Column):
    def get_value(self, instance):
        return format_brl(super().get_value(instance))


class PayablesPermissionMixin:
    """Only active users holding ``permission``: others are denied as by
    Wagtail (403)."""

    permission: PayablesPerm = PayablesPerm.VIEW_BILL

    def dispatch(self, request, *args, **kwargs):
        if not user_may(request.user, self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BillsBreadcrumbsMixin:
    """Home › Bills to pay › this page."""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{BILLS}:index"), "label": _("Bills to pay")},
            {"url": "", "label": self.get_page_title()},
        ]


# -- listings ------------------------------------------------------------------


class BillFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=BillStatus.choices
    )
    supplier = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Supplier"), queryset=Supplier.objects.all()
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Category"), queryset=BillCategory.objects.all()
    )
    issue_date = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Issued on"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Bill
        fields = ["status", "supplier", "category", "issue_date"]


class BillStatusColumn(StatusTagColumn):
    def __init__(self, name="status", **kwargs):
        super().__init__(
            name,
            accessor="get_status_display",
            primary=lambda bill: bill.status not in CLOSED_BILL_STATUSES,
            **kwargs,
        )


class BillIndexView(SafeSpreadsheetExportMixin, IndexView):
    page_title = gettext_lazy("Bills to pay")
    default_ordering = "-created_at"
    search_fields = ["description", "document_number", "supplier__name"]

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("supplier", "category")
            .annotate(
                next_due=Min(
                    "installments__due_date",
                    filter=Q(installments__status__in=UNPAID_STATUSES),
                )
            )
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "description",
                label=_("Description"),
                get_url=bill_url,
                sort_key="description",
            ),
            Column("supplier", label=_("Supplier"), accessor="supplier.name"),
            Column("document_number", label=_("Document number")),
            Column("category", label=_("Category")),
            MoneyColumn("total", label=_("Total"), sort_key="total"),
            AbsoluteDateColumn(
                "next_due", label=_("Next due date"), sort_key="next_due"
            ),
            BillStatusColumn(label=_("Status")),
            AbsoluteDateColumn(
                "created_at", label=_("Recorded"), sort_key="created_at"
            ),
        ]

    @property
    def header_buttons(self):
        if not user_may(self.request.user, PayablesPerm.ADD_BILL):
            return []
        return [
            HeaderButton(_("New bill"), url=reverse(f"{BILLS}:add"), icon_name="plus")
        ]


#: The "due" filter of the installments listing: name → queryset method.
DUE_CHOICES = (
    ("unpaid", gettext_lazy("Unpaid")),
    ("overdue", gettext_lazy("Overdue")),
    ("this_week", gettext_lazy("Due this week")),
)


class InstallmentFilterSet(WagtailFilterSet):
    due = django_filters.ChoiceFilter(
        label=gettext_lazy("Due"), choices=DUE_CHOICES, method="filter_due"
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=InstallmentStatus.choices
    )
    supplier = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Supplier"),
        field_name="bill__supplier",
        queryset=Supplier.objects.all(),
    )
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Category"),
        field_name="bill__category",
        queryset=BillCategory.objects.all(),
    )
    due_date = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Due date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = BillInstallment
        fields = ["due", "status", "supplier", "category", "due_date"]

    def filter_due(self, queryset, name, value):
        if value == "unpaid":
            return queryset.unpaid()
        if value == "overdue":
            return queryset.overdue()
        if value == "this_week":
            return queryset.due_this_week()
        return queryset


class InstallmentIndexView(SafeSpreadsheetExportMixin, IndexView):
    page_title = gettext_lazy("Installments to pay")
    default_ordering = "due_date"
    search_fields = [
        "bill__description",
        "bill__document_number",
        "bill__supplier__name",
    ]

    def get_base_queryset(self):
        count = (
            BillInstallment.objects.filter(bill=OuterRef("bill"))
            .order_by()
            .values("bill")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_base_queryset()
            .select_related("bill__supplier", "bill__category")
            .with_overdue()
            .annotate(of=Subquery(count))
        )

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "bill",
                label=_("Bill"),
                accessor="bill.description",
                get_url=lambda row: bill_url(row.bill_id),
            ),
            Column("supplier", label=_("Supplier"), accessor="bill.supplier.name"),
            Column(
                "number",
                label=_("Installment"),
                accessor=lambda row: f"{row.number}/{row.of}",
            ),
            AbsoluteDateColumn("due_date", label=_("Due date"), sort_key="due_date"),
            MoneyColumn("amount", label=_("Amount"), sort_key="amount"),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor=self.status_label,
                primary=lambda row: row.is_overdue,
            ),
            Column("category", label=_("Category"), accessor="bill.category"),
        ]

    def status_label(self, row) -> str:
        label = row.get_status_display()
        if row.is_overdue:
            return _("%(status)s · overdue") % {"status": label}
        return label


# -- a new bill ----------------------------------------------------------------


class BillCreateView(
    PayablesPermissionMixin, BillsBreadcrumbsMixin, WagtailAdminTemplateMixin, FormView
):
    permission = PayablesPerm.ADD_BILL
    form_class = BillForm
    template_name = "finance/bill_form.html"
    page_title = gettext_lazy("New bill")
    header_icon = "doc-full"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["limit"] = format_brl(services.approval_limit())
        return context

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        if supplier := self.request.GET.get("supplier"):
            initial["supplier"] = supplier
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        attachments = [
            services.NewAttachment(kind, data[name])
            for kind, name in (
                (BillAttachment.Kind.BOLETO, "boleto_file"),
                (BillAttachment.Kind.INVOICE, "invoice_file"),
            )
            if data.get(name)
        ]
        try:
            bill = services.create_bill(
                data["supplier"],
                category=data["category"],
                description=data["description"],
                document_number=data["document_number"],
                issue_date=data["issue_date"],
                total=data["total"],
                installments=data["installments"],
                first_due_date=data["first_due_date"],
                every_days=data["every_days"],
                boleto_line=data["boleto_line"],
                bank_account=data["bank_account"],
                attachments=attachments,
                user=self.request.user,
            )
        except RetaguardaError as error:
            form_error(form, error)
            return self.form_invalid(form)
        if bill.awaiting_approval:
            messages.warning(
                self.request,
                _(
                    "Bill recorded. It is above %(limit)s: another person with "
                    "the approval permission approves it before it is paid."
                )
                % {"limit": format_brl(services.approval_limit())},
            )
        else:
            messages.success(self.request, _("Bill recorded."))
        return redirect(bill_url(bill))


# -- one bill ------------------------------------------------------------------


class BillMixin(PayablesPermissionMixin):
    def get_bill(self) -> Bill:
        return get_object_or_404(
            Bill.objects.select_related(
                "supplier",
                "category",
                "bank_account",
                "created_by",
                "approved_by",
                "cancelled_by",
            ),
            pk=self.kwargs["pk"],
        )


def history(bill: Bill) -> list[dict]:
    entries = (
        ModelLogEntry.objects.for_instance(bill)
        .select_related("user")
        .order_by("-timestamp", "-pk")
    )
    return [
        {
            "entry": entry,
            "message": entry.message,
            "changes": describe_changes(entry.data, Bill),
        }
        for entry in entries
    ]


class BillDetailView(
    BillMixin, BillsBreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView
):
    template_name = "finance/bill_detail.html"
    header_icon = "doc-full"

    def get(self, request, *args, **kwargs):
        self.bill = self.get_bill()
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.bill)

    def get_page_subtitle(self):
        return self.bill.get_status_display()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bill, user = self.bill, self.request.user
        installments = list(bill.installments.with_overdue().order_by("number"))
        may_change = user_may(user, PayablesPerm.CHANGE_BILL)
        may_pay = user_may(user, PayablesPerm.PAY_BILL)
        open_bill = bill.status not in CLOSED_BILL_STATUSES
        context.update(
            bill=bill,
            total=format_brl(bill.total),
            limit=format_brl(services.approval_limit()),
            may_approve=(
                bill.awaiting_approval
                and user_may(user, PayablesPerm.APPROVE_BILL)
                and bill.created_by_id != user.pk
            ),
            own_bill_awaiting=(
                bill.awaiting_approval
                and user_may(user, PayablesPerm.APPROVE_BILL)
                and bill.created_by_id == user.pk
            ),
            installments=[
                {
                    "row": row,
                    "of": len(installments),
                    "amount": format_brl(row.amount),
                    "amount_paid": format_brl(row.amount_paid),
                    "overdue": row.is_overdue,
                    "pay_url": (
                        reverse(f"{BILLS}:pay", args=[row.pk])
                        if may_pay and row.payable
                        else None
                    ),
                    "boleto_url": (
                        reverse(f"{BILLS}:boleto", args=[row.pk])
                        if may_change and row.unpaid and open_bill
                        else None
                    ),
                }
                for row in installments
            ],
            attachments=[
                {
                    "row": row,
                    "url": reverse(f"{BILLS}:attachment", args=[row.pk]),
                }
                for row in bill.attachments.select_related("uploaded_by")
            ],
            attachment_form=AttachmentForm() if may_change else None,
            cancel_form=CancelForm() if may_change and open_bill else None,
            history=history(bill),
        )
        return context


class BillActionView(BillMixin, View):
    """A POST on one bill; answers with a redirect to its page, a service's
    error as a message."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        bill = self.get_bill()
        try:
            self.perform(bill)
        except RetaguardaError as error:
            messages.error(request, error.message)
        return redirect(bill_url(bill))

    def perform(self, bill: Bill) -> None:
        raise NotImplementedError


class BillApproveView(BillActionView):
    permission = PayablesPerm.APPROVE_BILL

    def perform(self, bill):
        services.approve_bill(bill, user=self.request.user)
        messages.success(self.request, _("Bill approved: it may be paid."))


class BillCancelView(BillActionView):
    permission = PayablesPerm.CHANGE_BILL

    def perform(self, bill):
        form = CancelForm(self.request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.cancel_bill(bill, user=self.request.user, reason=reason)
        messages.success(self.request, _("Bill cancelled."))


class BillAttachView(BillActionView):
    permission = PayablesPerm.CHANGE_BILL

    def perform(self, bill):
        form = AttachmentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(self.request, error)
            return
        attachment = services.add_bill_attachment(
            bill,
            kind=form.cleaned_data["kind"],
            file=form.cleaned_data["file"],
            user=self.request.user,
        )
        messages.success(
            self.request,
            _("%(file)s attached.") % {"file": attachment.original_name},
        )


class AttachmentDownloadView(PayablesPermissionMixin, View):
    """An attachment, to those who may see bills, as a download with the
    type its contents were checked to be."""

    permission = PayablesPerm.VIEW_BILL

    def get(self, request, pk):
        attachment = get_object_or_404(BillAttachment, pk=pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


# -- one installment -----------------------------------------------------------


class InstallmentFormView(
    PayablesPermissionMixin, BillsBreadcrumbsMixin, WagtailAdminTemplateMixin, FormView
):
    template_name = "finance/installment_form.html"
    header_icon = "doc-full"
    submit_label = ""

    def dispatch(self, request, *args, **kwargs):
        self.installment = get_object_or_404(
            BillInstallment.objects.select_related("bill__supplier"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return _("%(bill)s · installment %(number)s of %(amount)s, due %(due)s") % {
            "bill": self.installment.bill,
            "number": self.installment.number,
            "amount": format_brl(self.installment.amount),
            "due": absolute_date(self.installment.due_date),
        }

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{BILLS}:index"), "label": _("Bills to pay")},
            {
                "url": bill_url(self.installment.bill_id),
                "label": str(self.installment.bill),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            submit_label=self.submit_label,
            summary=self.get_page_subtitle(),
            installment=self.installment,
            bill_url=bill_url(self.installment.bill_id),
        )
        return context

    def form_valid(self, form):
        try:
            self.perform(form.cleaned_data)
        except RetaguardaError as error:
            form_error(form, error)
            return self.form_invalid(form)
        return redirect(bill_url(self.installment.bill_id))


class InstallmentPayView(InstallmentFormView):
    permission = PayablesPerm.PAY_BILL
    form_class = PaymentForm
    page_title = gettext_lazy("Record a payment")
    submit_label = gettext_lazy("Record the payment")

    def get(self, request, *args, **kwargs):
        if not self.installment.payable:
            messages.error(
                request,
                _("Installment %(number)s is “%(status)s”: it cannot be paid now.")
                % {
                    "number": self.installment.number,
                    "status": self.installment.get_status_display(),
                },
            )
            return redirect(bill_url(self.installment.bill_id))
        return super().get(request, *args, **kwargs)

    def perform(self, data):
        installment = services.record_bill_payment(
            self.installment,
            user=self.request.user,
            paid_on=data["paid_on"],
            interest=data["interest"],
            fine=data["fine"],
            discount=data["discount"],
            amount_paid=data["amount_paid"],
            paid_from=data["paid_from"],
            note=data["note"],
        )
        messages.success(
            self.request,
            _("Installment %(number)s paid: %(amount)s.")
            % {
                "number": installment.number,
                "amount": format_brl(installment.amount_paid),
            },
        )


class InstallmentBoletoView(InstallmentFormView):
    permission = PayablesPerm.CHANGE_BILL
    form_class = BoletoForm
    page_title = gettext_lazy("Supplier's boleto")
    submit_label = gettext_lazy("Save the boleto")

    def get_initial(self):
        return {"boleto_line": self.installment.formatted_boleto_line}

    def perform(self, data):
        installment = services.set_installment_boleto(
            self.installment, line=data["boleto_line"], user=self.request.user
        )
        messages.success(
            self.request,
            _("Boleto of installment %(number)s saved; due %(due)s.")
            % {
                "number": installment.number,
                "due": absolute_date(installment.due_date),
            },
        )
