"""The emitter screens: the listing (with each certificate's state), the
emitter's page (its data, its certificate, its contingency and the switch)
and the contingency switch itself (a POST from that page)."""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.widgets import Button

from content.validators import format_cnpj
from plugins.display import absolute_date, yes_no
from plugins.exceptions import RetaguardaError
from plugins.fiscal.emitters import certificate_status, switch_contingency
from plugins.fiscal.forms_emitters import EMITTER_FIELDS, ContingencyForm
from plugins.fiscal.models import Emitter
from plugins.fiscal.permissions import (
    emitter_policy,
    user_can_issue,
    visible_emitters,
)
from plugins.tables import BooleanColumn
from plugins.viewsets import ScopedIndexView, ScopedInspectView

EMITTERS = "fiscal_emitters"
CONTINGENCY = "fiscal_emitter_contingency"


def emitter_url(emitter) -> str:
    return reverse(f"{EMITTERS}:inspect", args=[quote(emitter.pk)])


class FlagColumn(StatusTagColumn):
    """A value that reads as plain text, or as a highlighted tag when it
    needs attention (``primary``)."""

    cell_template_name = "fiscal/tables/flag_cell.html"


class CertificateColumn(FlagColumn):
    """The certificate's state: "Válido até 10/12/2027", or a highlighted
    "Vence em 12 dias" / "Venceu há 3 dias" / "Nenhum certificado…"."""

    def __init__(self, **kwargs):
        super().__init__(
            "certificate_not_after",
            label=gettext_lazy("A1 certificate"),
            sort_key="certificate_not_after",
            primary=lambda emitter: certificate_status(emitter).needs_attention,
            **kwargs,
        )

    def get_value(self, instance):
        status = certificate_status(instance)
        if not status.needs_attention:
            return _("Valid until %(date)s") % {
                "date": absolute_date(timezone.localdate(status.not_after))
            }
        return status.short


class ContingencyColumn(FlagColumn):
    """ "Em contingência", highlighted, or "Não"."""

    def __init__(self, **kwargs):
        super().__init__(
            "contingency",
            label=capfirst(Emitter._meta.get_field("contingency").verbose_name),
            sort_key="contingency",
            primary=lambda emitter: emitter.contingency,
            **kwargs,
        )

    def get_value(self, instance):
        return _("In contingency") if instance.contingency else yes_no(False)


class EmitterIndexView(ScopedIndexView):
    default_ordering = "legal_name"

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "legal_name",
                label=_("Emitter"),
                accessor=lambda e: e.trade_name or e.legal_name,
                get_url=emitter_url,
                sort_key="legal_name",
            ),
            Column("cnpj", label=_("CNPJ"), accessor=lambda e: format_cnpj(e.cnpj)),
            Column("uf", label=_("UF"), sort_key="uf"),
            Column(
                "environment",
                label=_("Environment"),
                accessor="get_environment_display",
            ),
            Column("series", label=pgettext("NF-e", "Série"), sort_key="series"),
            CertificateColumn(),
            ContingencyColumn(),
            BooleanColumn.for_field(Emitter, "active"),
        ]


#: The emitter's fields on its page (its certificate and contingency have
#: their own sections; the certificate and its password are never shown).
INSPECT_FIELDS = [*EMITTER_FIELDS, "created_at"]


class EmitterInspectView(ScopedInspectView):
    template_name = "fiscal/emitter_inspect.html"
    #: given by the viewset (only to views that declare it): the page links
    #: the emitter's history
    history_url_name = None

    def get_fields(self):
        return list(INSPECT_FIELDS)

    def get_cnpj_display_value(self):
        return format_cnpj(self.object.cnpj)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.history_url_name:
            buttons.append(
                Button(
                    _("History"),
                    url=reverse(self.history_url_name, args=[quote(self.object.pk)]),
                    icon_name="history",
                    priority=30,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        emitter = self.object
        may_issue = user_can_issue(self.request.user, emitter)
        context.update(
            certificate=certificate_status(emitter),
            subject=emitter.certificate_subject,
            contingency_url=reverse(CONTINGENCY, args=[emitter.pk]),
            contingency_form=ContingencyForm(
                initial={"switch": "off" if emitter.contingency else "on"}
            )
            if may_issue
            else None,
        )
        return context


class ContingencyView(View):
    """POST: switch the emitter's contingency (SVC) on, with the reason, or
    off. Whoever issues for the emitter (the fiscal clerk granted it, the
    superuser); an emitter the user does not see does not exist (404), one
    they see but do not issue for is denied (403)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        user = request.user
        if not emitter_policy().user_has_any_permission(user, ["view", "issue"]):
            raise PermissionDenied
        emitter = get_object_or_404(visible_emitters(user), pk=pk)
        if not user_can_issue(user, emitter):
            raise PermissionDenied
        form = ContingencyForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("The contingency was not changed: %s")
                % "; ".join(str(e) for errors in form.errors.values() for e in errors),
            )
            return redirect(emitter_url(emitter))
        on = form.cleaned_data["switch"] == "on"
        try:
            switch_contingency(
                emitter, on=on, reason=form.cleaned_data["reason"], user=user
            )
        except RetaguardaError as error:
            messages.error(request, error.message)
            return redirect(emitter_url(emitter))
        if on:
            messages.warning(
                request,
                _(
                    "%(emitter)s is in contingency: its NF-e go to the "
                    "contingency authoriser (SVC) until you switch it off."
                )
                % {"emitter": emitter},
            )
        else:
            messages.success(
                request,
                _(
                    "%(emitter)s is out of contingency: its NF-e go to the "
                    "state's authoriser."
                )
                % {"emitter": emitter},
            )
        return redirect(emitter_url(emitter))
