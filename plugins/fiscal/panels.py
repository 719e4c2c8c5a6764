"""What the fiscal plugin adds to the order desk's order screen: the order's
NF-e (number, status, access key) of the emitters the user sees, and the
buttons other modules contribute (:data:`plugins.fiscal.hooks.ORDER_ACTIONS`:
issuing the NF-e …)."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from plugins.fiscal.actions import collect_actions
from plugins.fiscal.hooks import ORDER_ACTIONS
from plugins.fiscal.permissions import user_sees_documents, visible_documents
from plugins.fiscal.views_documents import ATTENTION, document_url, spaced_key
from plugins.money import format_brl


class OrderFiscalPanel(Component):
    template_name = "fiscal/order_panel.html"

    def __init__(self, order, request):
        self.order = order
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        documents = visible_documents(
            user, self.order.fiscal_documents.select_related("emitter")
        ).order_by("issued_at", "pk")
        return {
            "csrf_token": (parent_context or {}).get("csrf_token"),
            "order": self.order,
            "documents": [
                {
                    "document": document,
                    "url": document_url(document),
                    "key": spaced_key(document.access_key),
                    "total": format_brl(document.total),
                    "attention": document.status in ATTENTION,
                }
                for document in documents
            ],
            "actions": collect_actions(
                ORDER_ACTIONS, user=user, order=self.order, request=self.request
            ),
        }


def order_fiscal_panel(order, request):
    """The order's Fiscal panel, for those who see fiscal documents."""
    if not user_sees_documents(request.user):
        return None
    return OrderFiscalPanel(order, request)
