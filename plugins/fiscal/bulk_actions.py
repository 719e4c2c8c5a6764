"""The order listing's bulk action "Emitir NF-e": the emitter is chosen
(among those the user issues for), then a background task issues and sends
the NF-e of the selected paid orders in batches
(:mod:`plugins.fiscal.services.bulk`); the person follows it on the job's
page. Orders not paid or with a live NF-e already are listed beforehand
and skipped."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from plugins.fiscal.models import FiscalDocument, Operation
from plugins.fiscal.permissions import issuing_emitters
from plugins.fiscal.services.bulk import start_bulk_issue
from plugins.fiscal.services.issuing import LIVE_STATUSES
from plugins.orders.bulk_actions import OrderBulkAction
from plugins.orders.status import OrderStatus
from plugins.permissions import is_active_user

#: The confirmation lists this many orders of each kind (the counts are whole).
SHOWN = 100
BULK_ISSUE = "fiscal_bulk_issue"


class IssueForm(forms.Form):
    emitter = forms.ModelChoiceField(
        label=gettext_lazy("Emitter"),
        queryset=None,
        empty_label=None,
        help_text=gettext_lazy("The NF-e are issued by this emitter."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["emitter"].queryset = (
            issuing_emitters(user).filter(active=True).order_by("legal_name")
        )


class IssueNFeBulkAction(OrderBulkAction):
    """Issue the NF-e of the selected orders by one emitter, in the
    background. Whoever sees the orders and issues for an emitter."""

    display_name = gettext_lazy("Issue NF-e")
    action_type = "issue_nfe"
    aria_label = gettext_lazy("Issue the NF-e of the selected paid orders")
    action_priority = 30
    template_name = "fiscal/bulk_actions/confirm_issue.html"
    form_class = IssueForm
    job = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if (
            not is_active_user(user)
            or not issuing_emitters(user).filter(active=True).exists()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        orders = [entry["item"] for entry in context["items"]]
        issued = set(
            FiscalDocument.objects.filter(
                order__in=orders, operation=Operation.SALE, status__in=LIVE_STATUSES
            ).values_list("order_id", flat=True)
        )
        to_issue, live, not_paid = [], [], []
        for order in orders:
            if order.pk in issued:
                live.append(order)
            elif order.status != OrderStatus.PAID:
                not_paid.append(order)
            else:
                to_issue.append(order)
        context.update(
            action_title=_("Issue NF-e"),
            header_icon="doc-full",
            to_issue=to_issue[:SHOWN],
            to_issue_count=len(to_issue),
            live=live[:SHOWN],
            live_count=len(live),
            not_paid=not_paid[:SHOWN],
            not_paid_count=len(not_paid),
        )
        return context

    def get_execution_context(self):
        return {"view": self}

    @classmethod
    def execute_action(cls, objects, view=None, **kwargs):
        view.job = start_bulk_issue(
            objects,
            emitter=view.cleaned_form.cleaned_data["emitter"],
            user=view.request.user,
        )
        return len(objects), 0

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.job is not None:
            return redirect(BULK_ISSUE, pk=self.job.pk)
        return response

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "The NF-e of %(count)d order is being issued.",
            "The NF-e of %(count)d orders are being issued.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
