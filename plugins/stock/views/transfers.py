"""Transfers between warehouses: send (first step), receive (second step)."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import HeaderButton

from plugins.exceptions import RetaguardaError
from plugins.permissions import is_active_user
from plugins.stock import services
from plugins.stock.forms import LinesForm, TransferForm, TransferLineFormSet
from plugins.stock.models import Transfer
from plugins.stock.permissions import (
    user_can_move_stock,
    user_can_operate,
    user_can_see_stock,
    visible_warehouses,
)
from plugins.stock.views import (
    BreadcrumbsMixin,
    StockFormView,
    StockPermissionMixin,
    form_error,
)
from plugins.tables import AbsoluteDateColumn


def transfers_for(user):
    """Transfers from or to a warehouse the user may see."""
    ids = list(visible_warehouses(user).values_list("pk", flat=True))
    return Transfer.objects.involving(ids).select_related("source", "destination")


class TransferFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=Transfer.Status.choices
    )

    class Meta:
        model = Transfer
        fields = ["status"]


class TransferIndexView(generic.IndexView):
    any_permission_required = ["view"]
    page_title = gettext_lazy("Transfers")
    detail_url_name = None
    default_ordering = "-sent_at"

    def get_base_queryset(self):
        return transfers_for(self.request.user)

    @property
    def columns(self):
        return [
            TitleColumn(
                "number",
                label=_("Transfer"),
                get_url=lambda t: reverse(self.detail_url_name, args=[t.pk]),
            ),
            Column("source", label=_("From"), accessor="source.code"),
            Column("destination", label=_("To"), accessor="destination.code"),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda t: t.status == Transfer.Status.SENT,
            ),
            AbsoluteDateColumn("sent_at", label=_("Sent"), sort_key="sent_at"),
            AbsoluteDateColumn("received_at", label=_("Received")),
            Column("note", label=_("Note")),
        ]

    @property
    def header_buttons(self):
        if not user_can_move_stock(self.request.user):
            return []
        return [HeaderButton(_("Send a transfer"), url=self.add_url, icon_name="plus")]


class TransferSendView(StockFormView):
    section_label = gettext_lazy("Transfers")
    section_url_name = "stock_transfers:index"

    form_class = TransferForm
    template_name = "stock/transfer_form.html"
    page_title = gettext_lazy("Send a transfer")
    header_icon = "redirect"
    submit_label = gettext_lazy("Send")

    def test_user(self, user):
        return user_can_move_stock(user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", self.formset())
        return context

    def formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return TransferLineFormSet(data, prefix="lines")

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formset = self.formset()
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response(
                self.get_context_data(form=form, formset=formset)
            )
        lines = [
            (f.cleaned_data["sku"], f.cleaned_data["quantity"])
            for f in formset
            if f.cleaned_data.get("sku")
        ]
        if not lines:
            form.add_error(None, _("Add at least one SKU to send."))
            return self.render_to_response(
                self.get_context_data(form=form, formset=formset)
            )
        try:
            transfer = services.send_transfer(
                source=form.cleaned_data["source"],
                destination=form.cleaned_data["destination"],
                lines=lines,
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except RetaguardaError as error:
            form_error(form, error)
            return self.render_to_response(
                self.get_context_data(form=form, formset=formset)
            )
        messages.success(
            request,
            _("Transfer %(number)s sent to %(to)s.")
            % {"number": transfer.number, "to": transfer.destination.code},
        )
        return redirect("stock_transfers:detail", transfer.pk)


class TransferDetailView(
    StockPermissionMixin, BreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView
):
    """A transfer; its destination's clerks receive it here."""

    template_name = "stock/transfer_detail.html"
    header_icon = "redirect"
    section_label = gettext_lazy("Transfers")
    section_url_name = "stock_transfers:index"

    def test_user(self, user):
        return user_can_see_stock(user)

    def get_page_title(self):
        return _("Transfer %(number)s") % {"number": self.transfer.number}

    def dispatch(self, request, *args, **kwargs):
        if not (is_active_user(request.user) and self.test_user(request.user)):
            raise PermissionDenied
        if request.user.is_authenticated:
            self.transfer = transfers_for(request.user).filter(pk=kwargs["pk"]).first()
            if self.transfer is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def can_receive(self) -> bool:
        return self.transfer.status == Transfer.Status.SENT and user_can_operate(
            self.request.user, self.transfer.destination
        )

    def receive_form(self, data=None):
        return LinesForm(
            data,
            lines=list(self.transfer.lines.all()),
            initial_attr="quantity",
            max_attr="quantity",
            required=True,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            transfer=self.transfer,
            lines=self.transfer.lines.all(),
            can_receive=self.can_receive(),
        )
        if context["can_receive"]:
            context.setdefault("form", self.receive_form())
        return context

    def post(self, request, *args, **kwargs):
        if self.transfer.status != Transfer.Status.SENT:
            messages.error(request, _("This transfer was already received."))
            return redirect("stock_transfers:detail", self.transfer.pk)
        if not self.can_receive():
            raise PermissionDenied
        form = self.receive_form(request.POST)
        if form.is_valid():
            try:
                services.receive_transfer(
                    self.transfer, user=request.user, received=form.values()
                )
            except RetaguardaError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Transfer %(number)s received.")
                    % {"number": self.transfer.number},
                )
                return redirect("stock_transfers:detail", self.transfer.pk)
        return self.render_to_response(self.get_context_data(form=form))
