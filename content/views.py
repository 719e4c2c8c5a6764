"""Admin screens of the catalog beyond the snippet viewsets: export and
storefront preview tokens (the import is the import framework's)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from content.models import Product
from content.preview import issue_preview_token, max_age, storefront_preview_url
from content.resources import CatalogResource, export_queryset
from content.viewsets import ProductFilterSet
from plugins.exports import csv_response, xlsx_response
from plugins.permissions import PermissionRequiredMixin
from plugins.views import ScreenBreadcrumbsMixin

# -- export ---------------------------------------------------------------------


def filtered_products(request):
    queryset = Product.objects.all()
    filters = ProductFilterSet(request.GET, queryset=queryset, request=request)
    if filters.is_valid():
        queryset = filters.qs
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(
            Q(name__icontains=query)
            | Q(slug__icontains=query)
            | Q(short_description__icontains=query)
            | Q(variants__sku__icontains=query)
        ).distinct()
    return queryset


class ExportView(PermissionRequiredMixin, View):
    """The variants of the products in the current listing filter, in the import
    format (so an export can be edited and imported back)."""

    permission = "content.export_product"

    def get(self, request):
        fmt = request.GET.get("format", "csv")
        if fmt not in {"csv", "xlsx"}:
            raise Http404
        include_cost = request.user.has_perm("content.view_cost_price")
        resource = CatalogResource(include_cost=include_cost)
        dataset = resource.export(export_queryset(filtered_products(request)))
        filename = f"produtos-{timezone.localdate():%Y-%m-%d}.{fmt}"
        if fmt == "csv":
            return csv_response(filename, dataset.headers, dataset)
        return xlsx_response(filename, dataset.headers, dataset, title="produtos")


# -- storefront preview tokens --------------------------------------------------------


class PreviewTokenView(ScreenBreadcrumbsMixin, WagtailAdminTemplateMixin, TemplateView):
    """Issues a signed, expiring token for the latest draft of a product and
    opens the storefront's preview with it (``RETAGUARDA_STOREFRONT_PREVIEW_URL``);
    without a storefront address, shows the token for a headless frontend to
    pass to the API."""

    template_name = "content/preview_token.html"
    page_title = gettext_lazy("Preview on the storefront")
    header_icon = "view"

    def get_object(self):
        product = get_object_or_404(Product, pk=self.kwargs["pk"])
        from wagtail.permissions import policy_registry

        policy = policy_registry.get_by_type(Product)
        if not policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "publish"], product
        ):
            raise PermissionDenied
        return product

    def get_object_name(self, obj) -> str:
        return obj.name

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        token = issue_preview_token(obj)
        if url := storefront_preview_url(token):
            return redirect(url)
        context = self.get_context_data(
            object_name=self.get_object_name(obj),
            token=token,
            max_age_minutes=max_age() // 60,
        )
        return self.render_to_response(context)


class PagePreviewTokenView(PreviewTokenView):
    """The same for the latest draft of a storefront page."""

    def get_object(self):
        page = get_object_or_404(Page, pk=self.kwargs["pk"]).specific
        if not page.permissions_for_user(self.request.user).can_edit():
            raise PermissionDenied
        return page

    def get_object_name(self, obj) -> str:
        return obj.title
