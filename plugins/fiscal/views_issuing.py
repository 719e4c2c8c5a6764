"""Issuing an order's NF-e from its page: one button per emitter the user
issues for, on the order's Fiscal panel (only for a paid order without a
live NF-e). The NF-e is built, signed and sent at once; the order moves to
invoiced when the authoriser authorises it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View
from wagtail.admin import messages

from plugins.exceptions import RetaguardaError
from plugins.fiscal.actions import ISSUE, FiscalAction
from plugins.fiscal.models import DocumentStatus
from plugins.fiscal.permissions import issuing_emitters
from plugins.fiscal.services.issuing import issue_and_send, live_sale_document
from plugins.orders.models import Order
from plugins.orders.permissions import order_policy
from plugins.orders.status import OrderStatus
from plugins.permissions import is_active_user

ISSUE_URL = "fiscal_issue_order"


class IssueOrderView(View):
    """POST: issue the order's NF-e by the emitter. An order the user may not
    see, or an emitter they do not issue for, does not exist (404)."""

    http_method_names = ["post"]

    def post(self, request, pk, emitter_pk):
        user = request.user
        if not is_active_user(user) or not issuing_emitters(user).exists():
            raise PermissionDenied
        visible = order_policy().filter_queryset(Order.objects.all(), user, ["view"])
        order = get_object_or_404(visible, pk=pk)
        emitter = get_object_or_404(issuing_emitters(user), pk=emitter_pk)
        detail = reverse("orders:detail", args=[order.pk])
        try:
            document = issue_and_send(order, emitter=emitter, user=user)
        except RetaguardaError as error:
            messages.error(request, error.message)
            return redirect(detail)
        values = {"number": document.number, "reason": document.status_reason}
        if document.status == DocumentStatus.AUTHORISED:
            messages.success(
                request,
                _("NF-e %(number)s authorised: the order is invoiced.") % values,
            )
        elif document.status in (DocumentStatus.REJECTED, DocumentStatus.DENIED):
            messages.error(
                request, _("NF-e %(number)s was not authorised: %(reason)s") % values
            )
        else:
            messages.warning(
                request,
                _(
                    "NF-e %(number)s was sent; the authoriser has not answered "
                    "yet (%(reason)s). It is sent again on its own."
                )
                % values,
            )
        return redirect(detail)


def issue_buttons(*, order, request):
    """ORDER_ACTIONS: "Issue NF-e" per emitter the user issues for, on a paid
    order without a live NF-e."""
    if order.status != OrderStatus.PAID or live_sale_document(order) is not None:
        return None
    emitters = list(issuing_emitters(request.user).filter(active=True))
    return [
        FiscalAction(
            _("Issue NF-e")
            if len(emitters) == 1
            else _("Issue NF-e by %(emitter)s") % {"emitter": emitter},
            reverse(ISSUE_URL, args=[order.pk, emitter.pk]),
            permission=ISSUE,
            method="post",
            icon="doc-full",
            priority=10,
            key="issue",
        )
        for emitter in emitters
    ]
