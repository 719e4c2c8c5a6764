"""Bulk actions of the order listing: move the selected orders to “ready to
ship”, and export the selection (or the whole filtered listing).

Only orders of the user's channels are acted on; a selection naming any other
order answers 404, as every order screen does.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin import messages
from wagtail.admin.views.bulk_action import BulkAction

from plugins.exceptions import RetaguardaError
from plugins.orders import services
from plugins.orders.models import Order
from plugins.orders.permissions import order_policy
from plugins.orders.views.listing import filtered_orders


class OrderBulkAction(BulkAction):
    models = [Order]
    permission_action = "view"

    @cached_property
    def permission_policy(self):
        return order_policy()

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self, model, object_ids):
        visible = self.permission_policy.filter_queryset(
            Order.objects.select_related("channel"), self.request.user, ["view"]
        )
        if isinstance(object_ids, QuerySet):  # "select all in the listing"
            return list(visible.filter(pk__in=object_ids.values("pk")))
        ids = {pk for pk in object_ids if str(pk).isdigit()}
        orders = list(visible.filter(pk__in=ids))
        if not orders or len(orders) != len(ids):
            raise Http404
        return orders

    def get_all_objects_in_listing_query(self, parent_id):
        # The listing's own filters and search ride along with "select all".
        return filtered_orders(self.request)

    def get_actionable_objects(self):
        object_ids = self.request.GET.getlist("id")
        if "all" in object_ids:
            object_ids = self.get_all_objects_in_listing_query(None)
        objects, no_access = [], []
        for order in self.get_queryset(self.model, object_ids):
            (objects if self.check_perm(order) else no_access).append(order)
        return objects, {"items_with_no_access": no_access}

    def check_perm(self, order):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.permission_action, order
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(action_title=self.display_name, header_icon="form")
        return context


class PrepareOrdersBulkAction(OrderBulkAction):
    """Apply the ``prepare`` transition to each selected order. Each order
    moves or not on its own (its own transaction): the message lists which
    failed and why."""

    display_name = gettext_lazy("Ready to ship")
    action_type = "prepare"
    aria_label = gettext_lazy("Move the selected orders to ready to ship")
    action_priority = 10
    permission_action = "prepare"
    template_name = "orders/bulk_actions/confirm_prepare.html"

    def get_execution_context(self):
        return {"view": self}

    @classmethod
    def execute_action(cls, objects, view=None, **kwargs):
        moved, failed = 0, []
        for order in objects:
            try:
                services.transition_order(order, "prepare", user=view.request.user)
            except (RetaguardaError, PermissionDenied) as exc:
                failed.append((order, getattr(exc, "message", "") or str(exc)))
            else:
                moved += 1
        for order, message in failed:
            messages.error(
                view.request,
                _("%(number)s was not moved: %(reason)s")
                % {
                    "number": order.number,
                    "reason": message or _("you may not do this on this order"),
                },
            )
        return moved, len(failed)

    def get_success_message(self, num_parent_objects, num_child_objects):
        if not num_parent_objects:
            return None
        return ngettext(
            "%(count)d order is ready to ship.",
            "%(count)d orders are ready to ship.",
            num_parent_objects,
        ) % {"count": num_parent_objects}


class ExportOrdersBulkAction(OrderBulkAction):
    """Export the selection as CSV or XLSX: the listing's own export (same
    columns, scoped, formulas neutralised), narrowed to the selected orders."""

    display_name = gettext_lazy("Export")
    action_type = "export"
    aria_label = gettext_lazy("Export the selected orders")
    action_priority = 20
    template_name = "orders/bulk_actions/confirm_export.html"
    index_url_name = "orders:index"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format")
        if fmt not in ("csv", "xlsx"):
            return super().get(request, *args, **kwargs)
        ids = request.GET.getlist("id")
        if "all" in ids:
            params = request.GET.copy()
            for key in ("id", "next", "format"):
                params.pop(key, None)
            query = params.urlencode()
        else:
            objects, _no_access = self.get_actionable_objects()
            query = urlencode([("id", order.pk) for order in objects])
        url = reverse(self.index_url_name) + f"?export={fmt}"
        return redirect(f"{url}&{query}" if query else url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        context["export_urls"] = []
        for fmt in ("csv", "xlsx"):
            params["format"] = fmt
            context["export_urls"].append(
                (fmt.upper(), f"{self.request.path}?{params.urlencode()}")
            )
        return context

    @classmethod
    def execute_action(cls, objects, **kwargs):
        return 0, 0
