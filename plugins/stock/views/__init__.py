"""Admin screens of the stock plugin (see ``viewsets.py`` for their URLs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from plugins.exceptions import RetaguardaError
from plugins.permissions import is_active_user


class StockPermissionMixin:
    """Allow users passing ``test_user`` (active users only)."""

    def test_user(self, user) -> bool:
        return True

    def dispatch(self, request, *args, **kwargs):
        if not (is_active_user(request.user) and self.test_user(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class BreadcrumbsMixin:
    """Home › the stock section › this page."""

    section_label = gettext_lazy("Stock")
    section_url_name = "stock_levels:index"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.section_url_name), "label": self.section_label},
            {"url": "", "label": self.get_page_title()},
        ]


class StockFormView(
    StockPermissionMixin, BreadcrumbsMixin, WagtailAdminTemplateMixin, FormView
):
    template_name = "stock/form.html"
    submit_label = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_label"] = self.submit_label
        return context


def form_error(form, error: RetaguardaError) -> None:
    """Show a service's error on the form: on its field when it names one
    that the form has, otherwise on the form."""
    field = error.extra.get("field")
    message = error.message
    if error.extra.get("short"):
        message = str(error)
    form.add_error(field if field in form.fields else None, message)
