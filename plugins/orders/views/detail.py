"""One order: its detail page with the timeline, and the actions on it
(transitions, notes). Writes go through the services; service errors come
back as messages. Orders out of the user's channels answer 404."""

from __future__ import annotations

from django.apps import apps
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import HeaderButton

from plugins.exceptions import RetaguardaError
from plugins.hooks import collect
from plugins.money import format_brl
from plugins.orders import hooks as order_hooks
from plugins.orders import services
from plugins.orders.exceptions import InvalidOrder
from plugins.orders.forms import NoteForm, TransitionForm
from plugins.orders.models import Order, OrderEvent, OrderStatus, SurveyResponse
from plugins.orders.money import installment_amounts
from plugins.orders.permissions import customer_policy, order_policy
from plugins.permissions import is_active_user


class OrderDeskMixin:
    """Users without any access to orders are turned away (403); an order
    outside the user's channels does not exist for them (404)."""

    index_url_name = None
    detail_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not (
            is_active_user(request.user)
            and order_policy().user_has_permission(request.user, "view")
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_order(self, pk, queryset=None) -> Order:
        queryset = queryset if queryset is not None else Order.objects.all()
        visible = order_policy().filter_queryset(queryset, self.request.user, ["view"])
        return get_object_or_404(visible.select_related("channel", "customer"), pk=pk)

    def detail_url(self, order) -> str:
        return reverse(self.detail_url_name, args=[quote(order.pk)])

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Orders")},
            {"url": "", "label": self.get_page_title()},
        ]


def source_label(source: str) -> str:
    """The app that wrote a timeline entry, by its verbose name."""
    try:
        return str(apps.get_app_config(source).verbose_name)
    except LookupError:
        return source


def timeline(order: Order) -> list[dict]:
    """Every event of the order, newest first."""
    events = order.events.select_related("user").order_by("-created_at", "-pk")
    labels = dict(OrderStatus.choices)
    rows = []
    for event in events:
        if event.kind == OrderEvent.Kind.TRANSITION:
            title = _("%(from)s → %(to)s") % {
                "from": labels.get(event.from_status, event.from_status),
                "to": labels.get(event.to_status, event.to_status),
            }
        elif event.kind == OrderEvent.Kind.PLACED:
            title = _("Order placed")
        elif event.kind == OrderEvent.Kind.NOTE:
            title = _("Note")
        else:
            title = source_label(event.source)
        rows.append(
            {
                "event": event,
                "kind": event.kind,
                "title": title,
                "source": source_label(event.source),
                "message": event.message,
                "user": event.user,
                "at": event.created_at,
                "imported": event.imported,
                "time_unknown": bool(event.data.get("time_unknown")),
            }
        )
    return rows


class OrderDetailView(OrderDeskMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "orders/order/detail.html"
    header_icon = "form"
    transition_url_name = None
    note_url_name = None
    customers_namespace = None

    def get_page_title(self):
        return _("Order %(number)s") % {"number": self.order.number}

    def get(self, request, *args, **kwargs):
        self.order = self.get_order(kwargs["pk"])
        return super().get(request, *args, **kwargs)

    @cached_property
    def header_more_buttons(self):
        order, user = self.order, self.request.user
        if not (self.customers_namespace and order.customer_id):
            return []
        policy, customer = customer_policy(), order.customer
        if policy.user_has_permission_for_instance(user, "change", customer):
            url_name = f"{self.customers_namespace}:edit"
        elif policy.user_has_permission_for_instance(user, "view", customer):
            url_name = f"{self.customers_namespace}:inspect"
        else:
            return []
        return [
            HeaderButton(
                _("Customer"),
                url=reverse(url_name, args=[order.customer_id]),
                icon_name="user",
            )
        ]

    def _may(self, action: str) -> bool:
        return order_policy().user_has_permission_for_instance(
            self.request.user, action, self.order
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.order
        lines = list(order.lines.all())
        amounts = installment_amounts(order.total, order.installments)
        transitions = [
            {
                "transition": t,
                "url": reverse(self.transition_url_name, args=[order.pk, t.name]),
                "form": TransitionForm(prefix=t.name) if t.needs_reason else None,
            }
            for t in services.allowed_transitions(order, self.request.user)
        ]
        context.update(
            order=order,
            lines=lines,
            money={
                "subtotal": format_brl(order.subtotal),
                "discount": format_brl(order.discount_total),
                "shipping": format_brl(order.shipping_total),
                "total": format_brl(order.total),
            },
            line_rows=[
                {
                    "line": line,
                    "unit_price": format_brl(line.unit_price),
                    "discount": format_brl(line.discount),
                    "total": format_brl(line.total),
                }
                for line in lines
            ],
            installments=[format_brl(a) for a in amounts],
            installment_same=len(set(amounts)) == 1,
            late=order.is_late(),
            transitions=transitions,
            timeline=timeline(order),
            note_form=NoteForm() if self._may("change") else None,
            note_url=reverse(self.note_url_name, args=[order.pk]),
            survey=SurveyResponse.objects.filter(order=order).first(),
            payments=[
                {"payment": payment, "value": format_brl(payment.value)}
                for payment in order.payments.all()
            ],
            plugin_panels=collect(
                order_hooks.ORDER_DETAIL_PANELS, order=order, request=self.request
            ),
            marketplace={
                "fee": format_brl(order.marketplace_fee),
                "freight": format_brl(order.marketplace_freight),
            }
            if order.marketplace_fee or order.marketplace_freight
            else None,
        )
        return context


class OrderActionView(OrderDeskMixin, View):
    """A POST on one order; answers with a redirect to the order."""

    http_method_names = ["post"]
    action = "change"

    def post(self, request, *args, **kwargs):
        order = self.get_order(kwargs["pk"])
        if not order_policy().user_has_permission_for_instance(
            request.user, self.get_action(), order
        ):
            raise PermissionDenied
        try:
            self.perform(order)
        except InvalidOrder as exc:
            for field_errors in exc.errors.values():
                for error in field_errors:
                    messages.error(request, error)
            if not exc.errors:
                messages.error(request, exc.message)
        except PermissionDenied:
            messages.error(request, _("You may not do this on this order."))
        except RetaguardaError as exc:  # IllegalTransition, a hook's Refused ...
            messages.error(request, exc.message)
        return redirect(self.detail_url(order))

    def get_action(self) -> str:
        return self.action

    def perform(self, order: Order) -> None:
        raise NotImplementedError


class OrderTransitionView(OrderActionView):
    def get_action(self) -> str:
        transition = services.TRANSITIONS.get(self.kwargs["transition"])
        if transition is None:
            raise Http404
        return transition.action

    def perform(self, order):
        name = self.kwargs["transition"]
        reason = self.request.POST.get(f"{name}-reason", "")
        services.transition_order(order, name, user=self.request.user, reason=reason)
        messages.success(
            self.request,
            _("Order %(number)s: %(status)s.")
            % {"number": order.number, "status": order.get_status_display()},
        )


class OrderNoteView(OrderActionView):
    action = "change"

    def perform(self, order):
        services.add_note(
            order, self.request.POST.get("text", ""), user=self.request.user
        )
        messages.success(self.request, _("Note added."))
