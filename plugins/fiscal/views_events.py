"""Cancelling an NF-e and issuing a carta de correção (CC-e) from its page:
a form each, for whoever issues for the document's emitter. The signed event
is built, sent to the authoriser and recorded
(:mod:`plugins.fiscal.services.events`)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.exceptions import RetaguardaError
from plugins.fiscal.actions import ISSUE, FiscalAction
from plugins.fiscal.exceptions import AuthoriserRejected
from plugins.fiscal.models import DocumentStatus, EventKind
from plugins.fiscal.permissions import (
    issuing_emitters,
    user_can_issue,
    visible_documents,
)
from plugins.fiscal.services import events
from plugins.permissions import is_active_user

CANCEL_URL = "fiscal_cancel_document"
CORRECT_URL = "fiscal_correct_document"
DOCUMENT_URL = "fiscal_documents:inspect"


class CancelForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Justification"),
        min_length=15,
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "15 to 255 characters; it goes to the authoriser with the event."
        ),
    )


class CorrectForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Correction"),
        min_length=15,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "15 to 1,000 characters. A CC-e corrects neither values (amounts, "
            "rates, quantities) nor who sells or buys, nor the date; each new "
            "one replaces the previous, whole."
        ),
    )


class EventView(WagtailAdminTemplateMixin, FormView):
    """GET asks for the text; POST builds, signs and sends the event. A
    document the user may not see does not exist (404); one they see but do
    not issue for is denied."""

    template_name = "fiscal/event_form.html"
    kind: str

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not is_active_user(user) or not issuing_emitters(user).exists():
            raise PermissionDenied
        self.document = get_object_or_404(
            visible_documents(user).select_related("emitter"), pk=kwargs["pk"]
        )
        if not user_can_issue(user, self.document.emitter):
            raise PermissionDenied
        self.document_url = reverse(DOCUMENT_URL, args=[self.document.pk])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("fiscal_documents:index"), "label": _("NF-e")},
            {"url": self.document_url, "label": str(self.document)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_page_subtitle(self):
        return str(self.document)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            document=self.document,
            document_url=self.document_url,
            previous=self.document.events.filter(kind=self.kind).order_by("sequence"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            event = self.send(form.cleaned_data["text"])
        except AuthoriserRejected as error:
            messages.error(self.request, error.message)
            return redirect(self.document_url)
        except RetaguardaError as error:
            form.add_error("text", error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message(event))
        return redirect(self.document_url)


class CancelView(EventView):
    form_class = CancelForm
    kind = EventKind.CANCELLATION
    page_title = gettext_lazy("Cancel the NF-e")
    header_icon = "cross"

    def send(self, text):
        return events.cancel(self.document, justification=text, user=self.request.user)

    def done_message(self, event):
        return _("NF-e %(number)s cancelled: protocol %(protocol)s.") % {
            "number": self.document.number,
            "protocol": event.protocol,
        }


class CorrectView(EventView):
    form_class = CorrectForm
    kind = EventKind.CORRECTION
    page_title = gettext_lazy("Correction letter (CC-e)")
    header_icon = "edit"

    def send(self, text):
        return events.correct(self.document, text=text, user=self.request.user)

    def done_message(self, event):
        return _(
            "CC-e %(sequence)s of NF-e %(number)s registered: protocol %(protocol)s."
        ) % {
            "sequence": event.sequence,
            "number": self.document.number,
            "protocol": event.protocol,
        }


def event_buttons(*, document, request):
    """DOCUMENT_ACTIONS: cancel and correct an authorised NF-e."""
    if document.status != DocumentStatus.AUTHORISED:
        return None
    return [
        FiscalAction(
            _("Correction letter (CC-e)"),
            reverse(CORRECT_URL, args=[document.pk]),
            permission=ISSUE,
            icon="edit",
            priority=40,
            key="correct",
        ),
        FiscalAction(
            _("Cancel the NF-e"),
            reverse(CANCEL_URL, args=[document.pk]),
            permission=ISSUE,
            icon="cross",
            priority=50,
            key="cancel",
        ),
    ]
