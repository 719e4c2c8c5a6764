"""“Mesclar clientes”: staff with ``orders.merge_customer`` merge a customer
record into another one (the same person), through
:func:`plugins.orders.services.merging.merge_customers`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.exceptions import RetaguardaError
from plugins.orders.models import Customer
from plugins.orders.services.merging import merge_customers, user_can_merge_customers

URL_NAME = "orders_customer_merge"


class MergeCustomerForm(forms.Form):
    """The customer to keep: one of the likely duplicates (same e-mail,
    CPF/CNPJ or phone), or any other by its code."""

    target = forms.ModelChoiceField(
        label=gettext_lazy("Customer to keep"),
        queryset=Customer.objects.none(),
        required=False,
        empty_label=gettext_lazy("— choose —"),
    )
    target_code = forms.IntegerField(
        label=gettext_lazy("or the code of the customer to keep"),
        required=False,
        min_value=1,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I checked that both records are the same person. This cannot be undone."
        ),
    )

    def __init__(self, *args, source: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        same = Q(pk__in=[])
        for name in ("email", "document", "phone"):
            if value := getattr(source, name):
                same |= Q(**{name: value})
        self.fields["target"].queryset = (
            Customer.objects.filter(same, anonymised_at__isnull=True)
            .exclude(pk=source.pk)
            .order_by("name", "pk")
        )
        self.fields["target"].label_from_instance = lambda c: (
            f"{c.name} · {c.email or '—'} · {c.document_display or '—'} (#{c.pk})"
        )

    def clean(self):
        data = super().clean()
        target, code = data.get("target"), data.get("target_code")
        if bool(target) == bool(code):
            raise forms.ValidationError(
                _("Choose one customer to keep, from the list or by its code.")
            )
        if code:
            target = Customer.objects.filter(pk=code).first()
            if target is None:
                self.add_error("target_code", _("There is no customer %d.") % code)
                return data
        data["customer"] = target
        return data


class MergeCustomerView(WagtailAdminTemplateMixin, TemplateView):
    """Merge the customer of the URL (it disappears) into the one chosen."""

    template_name = "orders/customer/merge.html"
    page_title = gettext_lazy("Merge customer")
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        if not user_can_merge_customers(request.user):
            raise PermissionDenied
        self.source = get_object_or_404(
            Customer, pk=kwargs["pk"], anonymised_at__isnull=True
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.source)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("customers:index"), "label": _("Customers")},
            {
                "url": reverse("customers:inspect", args=[self.source.pk]),
                "label": str(self.source),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            customer=self.source,
            orders=self.source.orders.count(),
            cancel_url=reverse("customers:inspect", args=[self.source.pk]),
        )
        return context

    def get(self, request, *args, **kwargs):
        form = MergeCustomerForm(source=self.source)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = MergeCustomerForm(request.POST, source=self.source)
        if form.is_valid():
            target = form.cleaned_data["customer"]
            try:
                merge_customers(target, self.source, user=request.user)
            except RetaguardaError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(source)s merged into %(target)s.")
                    % {"source": self.source.name, "target": target.name},
                )
                return redirect("customers:inspect", target.pk)
        return self.render_to_response(self.get_context_data(form=form))
