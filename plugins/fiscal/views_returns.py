"""Returns from a sale NF-e's page and from its order's Fiscal panel: the
store's return NF-e (the lines and units that came back, built, signed and
sent at once) and the customer's own return NF-e (its XML uploaded,
checked and archived), for whoever issues for the sale's emitter
(:mod:`plugins.fiscal.services.returns`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content.validators import normalise_document
from plugins.exceptions import RetaguardaError
from plugins.fiscal.actions import ISSUE, FiscalAction
from plugins.fiscal.forms_intake import UploadForm
from plugins.fiscal.models import DocumentStatus, FiscalDocument, Operation
from plugins.fiscal.permissions import (
    issuing_emitters,
    user_can_issue,
    visible_documents,
)
from plugins.fiscal.services import returns
from plugins.fiscal.views_documents import document_url, order_url
from plugins.permissions import is_active_user

RETURN_URL = "fiscal_return_document"
CUSTOMER_RETURN_URL = "fiscal_customer_return"


class ReturnForm(forms.Form):
    """The units of each line of the sale that came back (every unit left
    by default) and why."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=returns.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Optional; it goes in the NF-e's additional information (e.g. "
            "“Produto com defeito”)."
        ),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for row in lines:
            self.fields[f"line_{row.line.pk}"] = forms.IntegerField(
                label=_("Units of %(sku)s coming back") % {"sku": row.line.sku},
                min_value=0,
                max_value=row.left,
                initial=row.left,
                disabled=row.left == 0,
                widget=forms.NumberInput(attrs={"class": "w-w-24"}),
            )

    def quantities(self) -> dict[int, int]:
        return {
            row.line.pk: self.cleaned_data.get(f"line_{row.line.pk}") or 0
            for row in self.lines
            if row.left
        }

    def rows(self):
        return [(row, self[f"line_{row.line.pk}"]) for row in self.lines]


class CustomerReturnForm(UploadForm):
    file = forms.FileField(
        label=gettext_lazy("The customer's return NF-e (XML)"),
        help_text=gettext_lazy(
            "The XML of the NF-e de devolução the customer issued (the NF-e or "
            "its nfeProc, up to 5 MB)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml"}),
        error_messages={"empty": gettext_lazy("The file is empty.")},
    )


class SaleView(WagtailAdminTemplateMixin, FormView):
    """A form about a sale NF-e. A document the user may not see does not
    exist (404); one they see but do not issue for is denied."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not is_active_user(user) or not issuing_emitters(user).exists():
            raise PermissionDenied
        self.sale = get_object_or_404(
            visible_documents(user).select_related("emitter", "order"),
            pk=kwargs["pk"],
        )
        if not user_can_issue(user, self.sale.emitter):
            raise PermissionDenied
        self.sale_url = document_url(self.sale)
        self.refusal = returns.return_refusal(self.sale)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.refusal:
            messages.error(request, self.refusal)
            return redirect(self.sale_url)
        return super().post(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("fiscal_documents:index"), "label": _("NF-e")},
            {"url": self.sale_url, "label": str(self.sale)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        return str(self.sale)

    def get_context_data(self, **kwargs):
        order = self.sale.order
        return super().get_context_data(
            sale=self.sale,
            sale_url=self.sale_url,
            order=order,
            order_url=order_url(self.request.user, order),
            refusal=self.refusal,
            **kwargs,
        )


class ReturnView(SaleView):
    """GET shows the sale's lines (sold, returned, left) with the units
    coming back; POST issues the return NF-e and sends it."""

    template_name = "fiscal/return_form.html"
    form_class = ReturnForm
    page_title = gettext_lazy("Return NF-e")
    header_icon = "resubmit"

    def get_form_kwargs(self):
        self.lines = returns.returnable_lines(self.sale)
        return {**super().get_form_kwargs(), "lines": self.lines}

    def get_initial(self):
        order = self.sale.order
        return {"reason": order.return_reason if order else ""}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            customer_returns=returns.customer_returns(self.sale),
            previous=returns.return_documents(self.sale),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            document = returns.issue_and_send_return(
                self.sale,
                quantities=form.quantities(),
                reason=form.cleaned_data["reason"],
                user=self.request.user,
            )
        except RetaguardaError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
            return self.form_invalid(form)
        values = {
            "number": document.number,
            "protocol": document.protocol,
            "reason": document.status_reason,
        }
        if document.status == DocumentStatus.AUTHORISED:
            messages.success(
                self.request,
                _("Return NF-e %(number)s authorised: protocol %(protocol)s.") % values,
            )
        elif document.status in (DocumentStatus.REJECTED, DocumentStatus.DENIED):
            messages.error(
                self.request,
                _("Return NF-e %(number)s was not authorised: %(reason)s") % values,
            )
        else:
            messages.warning(
                self.request,
                _(
                    "Return NF-e %(number)s was sent; the authoriser has not "
                    "answered yet (%(reason)s). It is sent again on its own."
                )
                % values,
            )
        return redirect(document_url(document))


class CustomerReturnView(SaleView):
    """GET asks for the XML; POST checks it and records it."""

    template_name = "fiscal/customer_return_form.html"
    form_class = CustomerReturnForm
    page_title = gettext_lazy("Customer's return NF-e")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            customer_returns=returns.customer_returns(self.sale), **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data["file"].read()
        try:
            recorded = returns.record_customer_return(
                self.sale, data, user=self.request.user
            )
        except RetaguardaError as error:
            form.add_error("file", error.message)
            return self.form_invalid(form)
        units = ", ".join(f"{count} × {line.sku}" for line, count in recorded.matched)
        messages.success(
            self.request,
            _(
                "The customer's return NF-e %(number)s was recorded and archived: "
                "%(units)s."
            )
            % {
                "number": recorded.nfe.number,
                "units": units or _("no line of the sale matched"),
            },
        )
        if recorded.unmatched:
            messages.warning(
                self.request,
                ngettext(
                    "Item %(items)s of the customer's NF-e matches no line of the "
                    "sale (by SKU or GTIN): its units were not counted as "
                    "returned. Check them before issuing a return NF-e.",
                    "Items %(items)s of the customer's NF-e match no line of the "
                    "sale (by SKU or GTIN): their units were not counted as "
                    "returned. Check them before issuing a return NF-e.",
                    len(recorded.unmatched),
                )
                % {
                    "items": ", ".join(
                        f"{item.item} ({item.code})" for item in recorded.unmatched
                    )
                },
            )
        return redirect(self.sale_url)


# -- buttons -----------------------------------------------------------------------


def _buttons(sale: FiscalDocument) -> list[FiscalAction]:
    buttons = [
        FiscalAction(
            _("Issue a return NF-e"),
            reverse(RETURN_URL, args=[sale.pk]),
            permission=ISSUE,
            icon="resubmit",
            priority=30,
            key="return",
        )
    ]
    # a customer with a CNPJ may be an ICMS contributor, who issues their own
    if len(normalise_document(sale.order.customer_document)) == 14:
        buttons.append(
            FiscalAction(
                _("Record the customer's return NF-e"),
                reverse(CUSTOMER_RETURN_URL, args=[sale.pk]),
                permission=ISSUE,
                icon="upload",
                priority=35,
                key="customer-return",
            )
        )
    return buttons


def return_buttons(*, document, request):
    """DOCUMENT_ACTIONS: the returns of an authorised sale NF-e whose order
    was delivered or returned."""
    if document.operation != Operation.SALE or returns.return_refusal(document):
        return None
    return _buttons(document)


def order_return_buttons(*, order, request):
    """ORDER_ACTIONS: the returns of the order's authorised sale NF-e, for
    whoever issues for its emitter, once the order was delivered or
    returned."""
    if order.status not in returns.RETURNABLE_ORDER_STATUSES:
        return None
    sale = (
        FiscalDocument.objects.filter(
            order=order, operation=Operation.SALE, status=DocumentStatus.AUTHORISED
        )
        .select_related("emitter", "order")
        .order_by("-pk")
        .first()
    )
    if sale is None or not user_can_issue(request.user, sale.emitter):
        return None
    return _buttons(sale)
