"""The finance screens, in a "Financeiro" group of the shared back-office
menu: Receivables, Payments, Provider notifications and Provider accounts.

Payments and receivables change only through the services (a provider's
notification, a manual payment, reconciliation): their viewsets have no
generic create, edit, copy or delete view. Provider accounts are deactivated,
not deleted (their payments point at them).
"""

from __future__ import annotations

import django_filters
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import WagtailMenuRegisterableGroup
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton

from plugins.finance.forms import PayoutTermsForm, ProviderAccountForm, admin_form
from plugins.finance.models import (
    MarketplacePayoutTerms,
    Payment,
    PaymentStatus,
    ProviderAccount,
    ProviderEvent,
    Receivable,
)
from plugins.finance.querysets import AGING_BUCKETS
from plugins.hooks import BACKOFFICE_MENU
from plugins.orders.models import PaymentMethod
from plugins.tables import AbsoluteDateColumn, BooleanColumn
from plugins.viewsets import InspectView, ScopedIndexView

FINANCE_MENU = "register_finance_menu_item"

READ_ONLY = {
    "edit_url_name": None,
    "delete_url_name": None,
    "copy_url_name": None,
    "usage_url_name": None,
    "history_url_name": None,
    "add_url_name": None,
}


class FinanceMenu(WagtailMenuRegisterableGroup):
    menu_label = _("Finance")
    menu_name = "finance"
    menu_icon = "doc-full-inverse"
    menu_order = 300
    menu_hook = BACKOFFICE_MENU
    submenu_hook = FINANCE_MENU


class ReadOnlyViewSet(ModelViewSet):
    """Listing (filters, search, export) and inspect only."""

    menu_hook = FINANCE_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = ScopedIndexView  # the project's one export format
    inspect_view_enabled = True
    inspect_view_class = InspectView
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**READ_ONLY, **kwargs)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<str:pk>/", self.inspect_view, name="inspect"),
        ]


#: The receivables still expected, and of them the overdue ones (the
#: listing behind the finance figures).
RECEIVABLE_DUE_CHOICES = (
    ("open", _("Open or partly settled")),
    ("overdue", _("Overdue")),
)


class ReceivableFilterSet(WagtailFilterSet):
    due = django_filters.ChoiceFilter(
        label=_("Due"), choices=RECEIVABLE_DUE_CHOICES, method="filter_due"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Receivable.Status.choices
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Receivable.Kind.choices)
    aging = django_filters.ChoiceFilter(
        label=_("Aging"),
        choices=[(key, label) for key, label, _first, _last in AGING_BUCKETS],
        method="filter_aging",
    )
    due_date = django_filters.DateFromToRangeFilter(
        label=_("Expected on"), widget=DateRangePickerWidget
    )
    account = django_filters.ModelChoiceFilter(
        label=_("Provider account"), queryset=ProviderAccount.objects.all()
    )

    class Meta:
        model = Receivable
        fields = ["due", "status", "kind", "aging", "due_date", "account"]

    def filter_due(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue()
        return queryset

    def filter_aging(self, queryset, name, value):
        return queryset.open().with_aging().filter(aging=value)


class ReceivableViewSet(ReadOnlyViewSet):
    model = Receivable
    name = "finance_receivables"
    url_prefix = "finance/receivables"
    icon = "date"
    menu_label = _("Receivables")
    menu_name = "finance-receivables"
    menu_order = 10
    filterset_class = ReceivableFilterSet
    search_fields = ["reference", "order__number"]
    list_display = [
        "__str__",
        "kind",
        "gross",
        "fee",
        "net",
        AbsoluteDateColumn("due_date", label=_("Expected on"), sort_key="due_date"),
        "status",
        "account",
    ]
    list_export = [
        "order",
        "kind",
        "installment",
        "installments",
        "gross",
        "fee",
        "net",
        "due_date",
        "status",
        "settled_amount",
        "settled_on",
        "reference",
        "account",
    ]
    inspect_view_fields = [
        "order",
        "kind",
        "installment",
        "installments",
        "gross",
        "fee",
        "net",
        "due_date",
        "status",
        "settled_amount",
        "settled_on",
        "reference",
        "account",
        "channel",
        "payment",
    ]

    def get_queryset(self, request):
        return Receivable.objects.select_related("order", "account")


class PaymentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PaymentStatus.choices
    )
    method = django_filters.ChoiceFilter(
        label=_("Payment method"), choices=PaymentMethod.choices
    )
    account = django_filters.ModelChoiceFilter(
        label=_("Provider account"), queryset=ProviderAccount.objects.all()
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Payment
        fields = ["status", "method", "account", "created_at"]


class PaymentViewSet(ReadOnlyViewSet):
    model = Payment
    name = "finance_payments"
    url_prefix = "finance/payments"
    icon = "tick-inverse"
    menu_label = _("Payments")
    menu_name = "finance-payments"
    menu_order = 20
    filterset_class = PaymentFilterSet
    search_fields = ["order__number", "provider_id", "pix_txid", "nosso_numero"]
    list_display = [
        "order",
        "method",
        "amount",
        "installments",
        "status",
        "account",
        AbsoluteDateColumn("created_at", label=_("Created"), sort_key="created_at"),
    ]
    list_export = [
        "order",
        "method",
        "amount",
        "installments",
        "status",
        "provider_id",
        "refunded_amount",
        "paid_at",
        "account",
        "created_at",
    ]
    inspect_view_fields = [
        "order",
        "account",
        "method",
        "amount",
        "installments",
        "status",
        "provider_id",
        "reference",
        "pix_txid",
        "expires_at",
        "boleto_line",
        "nosso_numero",
        "due_date",
        "refunded_amount",
        "fee",
        "paid_at",
        "created_by",
        "note",
        "created_at",
    ]

    def get_queryset(self, request):
        return Payment.objects.select_related("order", "account")


class EventFilterSet(WagtailFilterSet):
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"), choices=ProviderEvent.Outcome.choices
    )
    account = django_filters.ModelChoiceFilter(
        label=_("Provider account"), queryset=ProviderAccount.objects.all()
    )

    class Meta:
        model = ProviderEvent
        fields = ["outcome", "account"]


class EventInspectView(InspectView):
    """A notification, with *Processar novamente* for the finance manager
    while it failed or was never processed."""

    @cached_property
    def header_buttons(self):
        from plugins.finance.services.events import (
            REPROCESS_PERMISSION,
            REPROCESSABLE,
        )

        buttons = list(super().header_buttons)
        if self.object.outcome in REPROCESSABLE and self.request.user.has_perm(
            REPROCESS_PERMISSION
        ):
            buttons.append(
                HeaderButton(
                    _("Process again"),
                    url=reverse("finance_event_reprocess", args=[self.object.pk]),
                    icon_name="rotate",
                )
            )
        return buttons


class ProviderEventViewSet(ReadOnlyViewSet):
    model = ProviderEvent
    name = "finance_events"
    url_prefix = "finance/notifications"
    icon = "mail"
    menu_label = _("Provider notifications")
    menu_name = "finance-notifications"
    menu_order = 30
    inspect_view_class = EventInspectView
    filterset_class = EventFilterSet
    search_fields = ["event_id", "provider_payment_id"]
    list_display = [
        "event_id",
        "account",
        "topic",
        "payment",
        "outcome",
        Column("message", label=_("Message")),
        AbsoluteDateColumn("received_at", label=_("Received"), sort_key="received_at"),
    ]
    list_export = ["event_id", "account", "topic", "outcome", "message", "received_at"]
    inspect_view_fields = [
        "account",
        "event_id",
        "topic",
        "payment",
        "provider_payment_id",
        "outcome",
        "message",
        "received_at",
        "processed_at",
        "queued_at",
        "headers",
        "body",
    ]

    def get_queryset(self, request):
        return ProviderEvent.objects.select_related("account", "payment__order")


class ProviderAccountViewSet(ModelViewSet):
    model = ProviderAccount
    name = "finance_accounts"
    url_prefix = "finance/accounts"
    icon = "key"
    menu_label = _("Provider accounts")
    menu_name = "finance-accounts"
    menu_order = 90
    menu_hook = FINANCE_MENU
    copy_view_enabled = False
    index_view_class = ScopedIndexView
    inspect_view_enabled = False
    list_display = [
        "name",
        "provider",
        BooleanColumn.for_field(ProviderAccount, "active"),
        BooleanColumn.for_field(ProviderAccount, "accepts_pix"),
        BooleanColumn.for_field(ProviderAccount, "accepts_boleto"),
        BooleanColumn.for_field(ProviderAccount, "accepts_card"),
    ]
    list_filter = ["provider", "active"]
    search_fields = ["name"]

    def get_form_class(self, for_update=False):
        return admin_form(ProviderAccountForm)

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name != "delete"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(delete_url_name=None, **kwargs)


class PayoutTermsViewSet(ModelViewSet):
    """Each marketplace's payout terms (without terms: 30 days after
    delivery); the payouts of orders written after a change follow it."""

    model = MarketplacePayoutTerms
    name = "finance_payout_terms"
    url_prefix = "finance/payout-terms"
    icon = "calendar-alt"
    menu_label = _("Marketplace payout terms")
    menu_name = "finance-payout-terms"
    menu_order = 95
    menu_hook = FINANCE_MENU
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = ScopedIndexView
    list_display = ["channel", "days", "counted_from"]
    list_export = ["channel", "days", "counted_from"]

    def get_form_class(self, for_update=False):
        return admin_form(PayoutTermsForm)

    def get_queryset(self, request):
        return MarketplacePayoutTerms.objects.select_related("channel")
