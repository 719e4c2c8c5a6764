"""Fiscal › Inutilizações: inutilizing a range of NF-e numbers that will
never be authorised (the form) and one inutilização's page (the request,
the authoriser's answer and its protocol).

The form offers the emitters the user issues for; the request goes in the
emitter's environment, this year, and is built, signed, sent and recorded
by :func:`plugins.fiscal.services.inutilization.inutilize`, whose refusals
come back as the form's errors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from content.validators import format_cnpj
from plugins.display import EMPTY
from plugins.exceptions import RetaguardaError
from plugins.fiscal.events import JUSTIFICATION_LENGTH
from plugins.fiscal.models import ArchivedXml, NumberSequence
from plugins.fiscal.models.documents import ArchivedXmlKind
from plugins.fiscal.permissions import issuing_emitters
from plugins.fiscal.services import inutilization
from plugins.fiscal.services.numbering import MAX_NUMBER
from plugins.permissions import is_active_user
from plugins.viewsets import ScopedInspectView

NUMBER_GAPS = "fiscal_number_gaps"
INUTILIZE = f"{NUMBER_GAPS}:inutilize"

#: The service's names of the inputs (``FiscalRefused.extra["field"]``) and
#: the form's.
SERVICE_FIELDS = {"reason": "justification", "first": "first", "last": "last"}


def gap_url(gap) -> str:
    return reverse(f"{NUMBER_GAPS}:inspect", args=[gap.pk])


class EmitterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(emitter)s — %(environment)s") % {
            "emitter": f"{obj.trade_name or obj.legal_name} ({format_cnpj(obj.cnpj)})",
            "environment": obj.get_environment_display(),
        }


class InutilizationForm(forms.Form):
    emitter = EmitterChoiceField(
        label=gettext_lazy("Emitter"),
        queryset=None,
        help_text=gettext_lazy(
            "The numbers are inutilized in the emitter's environment "
            "(homologação or produção)."
        ),
    )
    series = forms.IntegerField(
        label=pgettext_lazy("NF-e", "Série"), min_value=0, max_value=999
    )
    first = forms.IntegerField(
        label=gettext_lazy("First number"), min_value=1, max_value=MAX_NUMBER
    )
    last = forms.IntegerField(
        label=gettext_lazy("Last number"), min_value=1, max_value=MAX_NUMBER
    )
    justification = forms.CharField(
        label=gettext_lazy("Justification"),
        min_length=JUSTIFICATION_LENGTH[0],
        max_length=JUSTIFICATION_LENGTH[1],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "15 to 255 characters; it goes to the authoriser with the request "
            "(e.g. “Numeração rejeitada pela SEFAZ e não reaproveitada”)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emitter"].queryset = (
            issuing_emitters(user).filter(active=True).order_by("legal_name")
        )
        self.fields["last"].help_text = _(
            "The same as the first for a single number; at most %(max)s numbers "
            "at a time."
        ) % {"max": inutilization.MAX_RANGE}

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first is not None and last is not None and first > last:
            self.add_error(
                "last",
                _("The last number cannot be below the first (%(first)s).")
                % {"first": first},
            )
        return cleaned


class InutilizeView(WagtailAdminTemplateMixin, FormView):
    """GET asks for the range; POST builds, signs and sends the request, and
    shows the inutilização's page with its protocol. Only for whoever
    issues for an emitter."""

    template_name = "fiscal/inutilize_form.html"
    form_class = InutilizationForm
    page_title = gettext_lazy("Inutilize numbers")
    header_icon = "list-ol"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not is_active_user(user) or not issuing_emitters(user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(f"{NUMBER_GAPS}:index"),
                "label": _("Inutilized numbers"),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        emitters = list(issuing_emitters(self.request.user).filter(active=True)[:2])
        if len(emitters) == 1:
            return {"emitter": emitters[0], "series": emitters[0].series}
        return {}

    def get_context_data(self, **kwargs):
        emitters = list(
            issuing_emitters(self.request.user)
            .filter(active=True)
            .order_by("legal_name")
        )
        sequences = NumberSequence.objects.filter(emitter__in=emitters).order_by(
            "emitter__legal_name", "environment", "series"
        )
        return super().get_context_data(
            sequences=[
                {
                    "emitter": sequence.emitter,
                    "environment": sequence.get_environment_display(),
                    "series": sequence.series,
                    "used": sequence.next_number - 1,
                }
                for sequence in sequences.select_related("emitter")
            ],
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            gap = inutilization.inutilize(
                data["emitter"],
                series=data["series"],
                first=data["first"],
                last=data["last"],
                justification=data["justification"],
                user=self.request.user,
            )
        except RetaguardaError as error:
            field = SERVICE_FIELDS.get(error.extra.get("field", ""))
            form.add_error(field, error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Numbers %(first)s to %(last)s of série %(series)s inutilized: "
                "protocol %(protocol)s."
            )
            % {
                "first": gap.first_number,
                "last": gap.last_number,
                "series": gap.series,
                "protocol": gap.protocol,
            },
        )
        return redirect(gap_url(gap))


#: An inutilização's fields on its page, in order.
GAP_FIELDS = [
    "emitter",
    "environment",
    "series",
    "first_number",
    "last_number",
    "reason",
    "status_code",
    "status_reason",
    "protocol",
    "registered_at",
    "archived",
    "created_by",
    "created_at",
]


class NumberGapInspectView(ScopedInspectView):
    """An inutilização: the range, the justification, the authoriser's
    answer (code, reason, protocol) and the archived ``procInutNFe``."""

    def get_object(self, *args, **kwargs):
        gap = super().get_object(*args, **kwargs)
        gap.emitter  # noqa: B018 (one query, shown below)
        return gap

    def get_fields(self):
        return list(GAP_FIELDS)

    def get_field_label(self, field_name, field):
        labels = {
            "emitter": _("Emitter"),
            "archived": _("Archived XML"),
            "created_by": _("Sent by"),
            "status_reason": _("Authoriser's answer"),
        }
        if field_name in labels:
            return labels[field_name]
        return super().get_field_label(field_name, field)

    def get_page_subtitle(self):
        return _("Série %(series)s: %(first)s to %(last)s") % {
            "series": self.object.series,
            "first": self.object.first_number,
            "last": self.object.last_number,
        }

    def get_emitter_display_value(self):
        from plugins.fiscal.views_emitters import emitter_url

        emitter = self.object.emitter
        return format_html('<a href="{}">{}</a>', emitter_url(emitter), emitter)

    def get_protocol_display_value(self):
        protocol = self.object.protocol
        return (
            format_html('<code id="gap-protocol">{}</code>', protocol)
            if protocol
            else EMPTY
        )

    def get_archived_display_value(self):
        gap = self.object
        if not gap.proc_xml:
            return EMPTY
        row = ArchivedXml.objects.filter(
            kind=ArchivedXmlKind.INUTILIZATION,
            sha256=ArchivedXml.digest(gap.proc_xml),
        ).first()
        if row is None:
            return EMPTY
        return format_html(
            '<a href="{}">{}</a>',
            reverse("fiscal_archive:inspect", args=[row.pk]),
            _("procInutNFe in the fiscal archive"),
        )
