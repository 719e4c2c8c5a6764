"""Receiving and adjusting stock."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.exceptions import RetaguardaError
from plugins.stock import services
from plugins.stock.forms import AdjustmentForm, ReceiptForm
from plugins.stock.permissions import user_can_move_stock
from plugins.stock.views import StockFormView, form_error


class MovementFormView(StockFormView):
    def test_user(self, user):
        return user_can_move_stock(user)

    def get_initial(self):
        initial = super().get_initial()
        for name in ("warehouse", "sku"):
            if name in self.request.GET:
                initial[name] = self.request.GET[name]
        return initial

    def form_valid(self, form):
        try:
            movement = self.post_movement(form.cleaned_data)
        except RetaguardaError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(kind)s of %(units)+d × %(sku)s in %(warehouse)s: %(after)d on hand.")
            % {
                "kind": movement.get_kind_display(),
                "units": movement.quantity,
                "sku": movement.sku,
                "warehouse": movement.warehouse.code,
                "after": movement.on_hand_after,
            },
        )
        return redirect(self.get_success_url(movement))

    def get_success_url(self, movement) -> str:
        return reverse("stock_levels:index")


class ReceiveView(MovementFormView):
    form_class = ReceiptForm
    page_title = gettext_lazy("Receive stock")
    header_icon = "download"
    submit_label = gettext_lazy("Receive")

    def get_success_url(self, movement) -> str:
        # The levels of the SKU just received: the clerk sees where it stands.
        return f"{reverse('stock_levels:index')}?{urlencode({'sku': movement.sku})}"

    def post_movement(self, data):
        return services.receive_stock(
            data["warehouse"],
            variant=data["sku"],
            quantity=data["quantity"],
            user=self.request.user,
            reason=data["reason"],
            reference=data["reference"],
        )


class AdjustView(MovementFormView):
    form_class = AdjustmentForm
    page_title = gettext_lazy("Adjust stock")
    header_icon = "edit"
    submit_label = gettext_lazy("Adjust")

    def post_movement(self, data):
        return services.adjust_stock(
            data["warehouse"],
            variant=data["sku"],
            quantity=data["quantity"],
            reason=data["reason"],
            user=self.request.user,
        )
