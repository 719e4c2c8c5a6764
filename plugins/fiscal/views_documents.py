"""The documents screens: Fiscal › NF-e (the listing, filtered by status,
emitter, série and issue date) and an NF-e's page (its data, the
authoriser's answer, its events and the buttons other modules contribute
through :data:`plugins.fiscal.hooks.DOCUMENT_ACTIONS`), and Fiscal ›
Inutilizações (the numbers inutilized, read only).

Every listing and page is narrowed to the emitters the user sees: a
document of another emitter does not exist for them (404)."""

from __future__ import annotations

import django_filters
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.widgets import HeaderButton

from content.validators import format_cnpj, format_document
from plugins.display import EMPTY, absolute_date
from plugins.fiscal.actions import FiscalAction, collect_actions
from plugins.fiscal.authoriser import Code
from plugins.fiscal.hooks import DOCUMENT_ACTIONS
from plugins.fiscal.models import (
    DocumentStatus,
    EventKind,
    FiscalDocument,
    NumberGap,
    Operation,
)
from plugins.fiscal.permissions import (
    issuing_emitters,
    visible_documents,
    visible_emitters,
)
from plugins.fiscal.views_inutilization import INUTILIZE
from plugins.money import format_brl
from plugins.tables import AbsoluteDateColumn, LinkColumn
from plugins.viewsets import ScopedIndexView, ScopedInspectView

DOCUMENTS = "fiscal_documents"
NUMBER_GAPS = "fiscal_number_gaps"

#: Statuses that need someone's attention (highlighted).
ATTENTION = (DocumentStatus.REJECTED, DocumentStatus.DENIED)


def document_url(document) -> str:
    return reverse(f"{DOCUMENTS}:inspect", args=[quote(document.pk)])


def spaced_key(key: str) -> str:
    """The 44-digit access key in groups of four, as the DANFE prints it."""
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def number_and_series(document) -> str:
    return f"{document.number} / {document.series}"


def order_url(user, order) -> str:
    """The order's page, when ``user`` may open it."""
    from plugins.orders.permissions import order_policy

    if order is None or not order_policy().user_has_permission_for_instance(
        user, "view", order
    ):
        return ""
    return reverse("orders:detail", args=[order.pk])


def emitter_choices(request):
    """The emitter filter's choices: the emitters the user sees."""
    if request is None:
        return visible_emitters(None)
    return visible_emitters(request.user)


class DocumentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=DocumentStatus.choices
    )
    emitter = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Emitter"), queryset=emitter_choices
    )
    series = django_filters.NumberFilter(label=pgettext_lazy("NF-e", "Série"))
    issued_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Issued on"), widget=DateRangePickerWidget
    )

    class Meta:
        model = FiscalDocument
        fields = ["status", "emitter", "series", "issued_at"]


class MoneyColumn(Column):
    def get_value(self, instance):
        return format_brl(super().get_value(instance))


class DocumentStatusColumn(StatusTagColumn):
    def __init__(self, name="status", **kwargs):
        super().__init__(
            name,
            accessor="get_status_display",
            primary=lambda document: document.status in ATTENTION,
            **kwargs,
        )


class DocumentIndexView(ScopedIndexView):
    default_ordering = "-issued_at"
    page_title = gettext_lazy("NF-e")
    list_export = [
        "number",
        "series",
        "access_key",
        "emitter",
        "order.number",
        "recipient_name",
        "recipient_document",
        "total",
        "get_status_display",
        "status_reason",
        "issued_at",
        "authorised_at",
        "protocol",
    ]
    export_headings = {
        "order.number": gettext_lazy("Order"),
        "get_status_display": gettext_lazy("Status"),
    }

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("emitter", "order")

    @cached_property
    def columns(self):
        user = self.request.user
        return [
            TitleColumn(
                "number",
                label=_("Number / série"),
                accessor=number_and_series,
                get_url=document_url,
                sort_key="number",
            ),
            Column(
                "emitter",
                label=_("Emitter"),
                accessor=lambda d: d.emitter.trade_name or d.emitter.legal_name,
            ),
            LinkColumn(
                "order",
                label=_("Order"),
                accessor=lambda d: d.order.number if d.order else EMPTY,
                get_url=lambda d: order_url(user, d.order),
            ),
            Column(
                "recipient_name",
                label=_("Recipient"),
                accessor=lambda d: d.recipient_name or EMPTY,
            ),
            MoneyColumn("total", label=_("Total"), sort_key="total"),
            DocumentStatusColumn(label=_("Status")),
            AbsoluteDateColumn("issued_at", label=_("Issued at"), sort_key="issued_at"),
        ]


#: The document's fields on its page, in order.
DOCUMENT_FIELDS = [
    "emitter",
    "order",
    "operation",
    "status",
    "environment",
    "series",
    "number",
    "access_key",
    "issued_at",
    "authorised_at",
    "protocol",
    "recipient_name",
    "recipient_document",
    "recipient_uf",
    "total",
    "referenced_key",
    "in_contingency",
    "attempts",
    "next_attempt_at",
    "created_by",
    "created_at",
]


#: Labels of the document's relations (their model fields have none).
FIELD_LABELS = {
    "emitter": gettext_lazy("Emitter"),
    "order": gettext_lazy("Order"),
    "created_by": gettext_lazy("Issued by"),
}


class DocumentInspectView(ScopedInspectView):
    """An NF-e's page. Its buttons are :meth:`get_actions`: what the
    implementations of :data:`~plugins.fiscal.hooks.DOCUMENT_ACTIONS` return
    that the user may use (download the DANFE and the XML, cancel, the
    correction letter …)."""

    template_name = "fiscal/document_inspect.html"

    def get_object(self, *args, **kwargs):
        document = super().get_object(*args, **kwargs)
        return (
            FiscalDocument.objects.select_related("emitter", "order", "created_by")
            .filter(pk=document.pk)
            .get()
        )

    def get_fields(self):
        return list(DOCUMENT_FIELDS)

    def get_field_label(self, field_name, field):
        if field_name in FIELD_LABELS:
            return FIELD_LABELS[field_name]
        return super().get_field_label(field_name, field)

    def get_page_subtitle(self):
        return _("NF-e %(number)s · série %(series)s") % {
            "number": self.object.number,
            "series": self.object.series,
        }

    def get_order_display_value(self):
        order = self.object.order
        if order is None:
            return EMPTY
        url = order_url(self.request.user, order)
        return (
            format_html('<a href="{}">{}</a>', url, order.number)
            if url
            else order.number
        )

    def get_status_display_value(self):
        return format_html(
            '<span class="w-status{}" id="document-status">{}</span>',
            " w-status--primary" if self.object.status in ATTENTION else "",
            self.object.get_status_display(),
        )

    def get_access_key_display_value(self):
        return format_html("<code>{}</code>", spaced_key(self.object.access_key))

    def get_referenced_key_display_value(self):
        key = self.object.referenced_key
        if not key:
            return EMPTY
        referenced = (
            visible_documents(self.request.user)
            .filter(access_key=key)
            .only("pk")
            .first()
        )
        if referenced is None:
            return format_html("<code>{}</code>", spaced_key(key))
        return format_html(
            '<a href="{}"><code>{}</code></a>',
            document_url(referenced),
            spaced_key(key),
        )

    def get_recipient_document_display_value(self):
        value = self.object.recipient_document
        return format_document(value) if value else EMPTY

    def get_total_display_value(self):
        return format_brl(self.object.total)

    def get_emitter_display_value(self):
        from plugins.fiscal.views_emitters import emitter_url

        emitter = self.object.emitter
        return format_html('<a href="{}">{}</a>', emitter_url(emitter), emitter)

    def get_actions(self) -> list[FiscalAction]:
        """The buttons of the page: the hook's actions the user may use."""
        document = self.object
        return collect_actions(
            DOCUMENT_ACTIONS,
            user=self.request.user,
            emitter=document.emitter,
            document=document,
            request=self.request,
        )

    def get_returns(self) -> dict | None:
        """A sale's returns: the store's return NF-e the user sees, the
        customer's own and the units that came back per line."""
        from plugins.fiscal.services import returns

        document = self.object
        if document.operation != Operation.SALE or document.order_id is None:
            return None
        documents = visible_documents(
            self.request.user, returns.return_documents(document)
        )
        received = returns.customer_returns(document)
        lines = [row for row in returns.returnable_lines(document) if row.returned]
        if not (documents or received or lines):
            return None
        return {"documents": documents, "received": received, "lines": lines}

    def get_answer(self):
        """The authoriser's answer the page leads with: the registered
        cancellation's for a cancelled NF-e (its own answer is still the
        authorisation's), the document's otherwise."""
        document = self.object
        if document.status == DocumentStatus.CANCELLED:
            cancellation = (
                document.events.filter(
                    kind=EventKind.CANCELLATION, status_code__in=Code.EVENT_CODES
                )
                .order_by("-sequence", "-pk")
                .first()
            )
            if cancellation is not None:
                return cancellation
        return document

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        context.update(
            returns=self.get_returns(),
            document=document,
            answer=self.get_answer(),
            attention=document.status in ATTENTION,
            actions=self.get_actions(),
            events=[
                {
                    "event": event,
                    "registered_at": absolute_date(event.registered_at)
                    or absolute_date(event.created_at),
                }
                for event in document.events.select_related("created_by").order_by(
                    "created_at", "pk"
                )
            ],
        )
        return context


# -- Inutilizações ------------------------------------------------------------------


class NumberGapFilterSet(WagtailFilterSet):
    emitter = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Emitter"), queryset=emitter_choices
    )
    series = django_filters.NumberFilter(label=pgettext_lazy("NF-e", "Série"))
    created_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = NumberGap
        fields = ["emitter", "series", "created_at"]


def gap_range(gap) -> str:
    if gap.first_number == gap.last_number:
        return str(gap.first_number)
    return f"{gap.first_number}–{gap.last_number}"


def gap_outcome(gap) -> str:
    if gap.protocol:
        return _("Registered (protocol %(protocol)s)") % {"protocol": gap.protocol}
    if gap.status_reason:
        return gap.status_reason
    return _("Awaiting the authoriser")


class NumberGapIndexView(ScopedIndexView):
    default_ordering = "-created_at"
    page_title = gettext_lazy("Inutilized numbers")

    @property
    def header_buttons(self):
        if not issuing_emitters(self.request.user).exists():
            return []
        return [
            HeaderButton(
                _("Inutilize numbers"), url=reverse(INUTILIZE), icon_name="plus"
            )
        ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("emitter")

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "created_at",
                label=_("Date"),
                accessor=lambda g: absolute_date(g.created_at),
                get_url=lambda g: reverse(f"{NUMBER_GAPS}:inspect", args=[quote(g.pk)]),
                sort_key="created_at",
            ),
            Column(
                "emitter",
                label=_("Emitter"),
                accessor=lambda g: (
                    f"{g.emitter.trade_name or g.emitter.legal_name}"
                    f" ({format_cnpj(g.emitter.cnpj)})"
                ),
            ),
            Column(
                "environment",
                label=_("Environment"),
                accessor="get_environment_display",
            ),
            Column("series", label=pgettext("NF-e", "Série"), sort_key="series"),
            Column("first_number", label=_("Numbers"), accessor=gap_range),
            Column("reason", label=_("Justification")),
            Column("status_reason", label=_("Authoriser"), accessor=gap_outcome),
        ]
