"""Inventory counts: open, enter counted units, review differences, post."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import HeaderButton

from content.models.catalog import category_labels
from content.viewsets import CategoryPathColumn
from plugins.exceptions import RetaguardaError
from plugins.permissions import is_active_user
from plugins.stock import services
from plugins.stock.forms import CountAddLineForm, CountOpenForm, LinesForm
from plugins.stock.models import InventoryCount
from plugins.stock.permissions import (
    user_can_move_stock,
    user_can_operate,
    user_can_see_expected_quantities,
    user_can_see_stock,
    visible_warehouses,
)
from plugins.stock.views import (
    BreadcrumbsMixin,
    StockFormView,
    StockPermissionMixin,
    form_error,
)
from plugins.stock.views.search import variant_label
from plugins.tables import AbsoluteDateColumn
from plugins.viewsets import ScopedIndexView


class CountFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=InventoryCount.Status.choices
    )

    class Meta:
        model = InventoryCount
        fields = ["status"]


class CountIndexView(ScopedIndexView):
    any_permission_required = ["view"]
    page_title = gettext_lazy("Inventory counts")
    detail_url_name = None
    default_ordering = "-opened_at"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("warehouse", "category")

    @property
    def columns(self):
        return [
            TitleColumn(
                "number",
                label=_("Count"),
                get_url=lambda c: reverse(self.detail_url_name, args=[c.pk]),
            ),
            Column("warehouse", label=_("Warehouse"), accessor="warehouse.code"),
            CategoryPathColumn(
                "category", label=_("Category"), category=lambda c: c.category
            ),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda c: c.status == InventoryCount.Status.OPEN,
            ),
            AbsoluteDateColumn("opened_at", label=_("Opened"), sort_key="opened_at"),
            AbsoluteDateColumn("closed_at", label=_("Closed")),
            Column("note", label=_("Note")),
        ]

    @property
    def header_buttons(self):
        if not user_can_move_stock(self.request.user):
            return []
        return [HeaderButton(_("Open a count"), url=self.add_url, icon_name="plus")]


class CountOpenView(StockFormView):
    section_label = gettext_lazy("Inventory counts")
    section_url_name = "stock_counts:index"

    form_class = CountOpenForm
    page_title = gettext_lazy("Open an inventory count")
    header_icon = "list-ol"
    submit_label = gettext_lazy("Open the count")

    def test_user(self, user):
        return user_can_move_stock(user)

    def form_valid(self, form):
        try:
            count = services.open_count(
                form.cleaned_data["warehouse"],
                user=self.request.user,
                category=form.cleaned_data["category"],
                note=form.cleaned_data["note"],
            )
        except RetaguardaError as error:
            form_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Count %(number)s opened with %(lines)d SKUs.")
            % {"number": count.number, "lines": count.lines.count()},
        )
        return redirect("stock_counts:detail", count.pk)


def labelled(lines):
    """Count lines with ``product_label`` (product and options: "Camiseta
    Básica · P"), what the clerk recognises on the shelf."""
    lines = list(lines)
    for line in lines:
        line.product_label = variant_label(line.variant) if line.variant else "—"
    return lines


class CountMixin(StockPermissionMixin, BreadcrumbsMixin):
    section_label = gettext_lazy("Inventory counts")
    section_url_name = "stock_counts:index"

    def test_user(self, user):
        return user_can_see_stock(user)

    def dispatch(self, request, *args, **kwargs):
        if not (is_active_user(request.user) and self.test_user(request.user)):
            raise PermissionDenied
        if request.user.is_authenticated:
            ids = visible_warehouses(request.user).values("pk")
            self.count = (
                InventoryCount.objects.select_related("warehouse", "category")
                .filter(pk=kwargs["pk"], warehouse__in=ids)
                .first()
            )
            if self.count is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def can_work(self) -> bool:
        return self.count.status == InventoryCount.Status.OPEN and user_can_operate(
            self.request.user, self.count.warehouse
        )

    def lines(self):
        return labelled(self.count.lines.select_related("variant__product"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            count=self.count,
            # Blind counts: without the permission the expected units (and the
            # differences, which reveal them) are never sent to the browser.
            show_expected=user_can_see_expected_quantities(self.request.user),
            sheet_url=reverse("stock_counts:sheet", args=[self.count.pk]),
        )
        return context

    def require_work(self):
        if self.count.status != InventoryCount.Status.OPEN:
            messages.error(self.request, _("This count is closed."))
            return redirect("stock_counts:detail", self.count.pk)
        if not self.can_work():
            raise PermissionDenied
        return None


class CountDetailView(CountMixin, WagtailAdminTemplateMixin, TemplateView):
    """Enter counted units (open counts), or see what was posted."""

    template_name = "stock/count_detail.html"
    header_icon = "list-ol"

    def get_page_title(self):
        return _("Count %(number)s") % {"number": self.count.number}

    def get_page_subtitle(self):
        category = self.count.category
        scope = (
            category_labels([category])[category.pk] if category else _("everything")
        )
        return f"{self.count.warehouse.code} · {scope}"

    def entry_form(self, data=None):
        return LinesForm(data, lines=list(self.lines()), initial_attr="counted")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(can_work=self.can_work())
        if context["can_work"]:
            context.setdefault("form", self.entry_form())
            context["add_form"] = CountAddLineForm(
                initial={"count_warehouse": self.count.warehouse_id}
            )
        else:
            context["lines"] = self.lines()
        return context

    def post(self, request, *args, **kwargs):
        if response := self.require_work():
            return response
        form = self.entry_form(request.POST)
        if form.is_valid():
            try:
                services.record_counts(
                    self.count, counted=form.values(), user=request.user
                )
            except RetaguardaError as error:
                form_error(form, error)
            else:
                if "review" in request.POST:
                    return redirect("stock_counts:review", self.count.pk)
                messages.success(request, _("Counted units saved."))
                return redirect("stock_counts:detail", self.count.pk)
        return self.render_to_response(self.get_context_data(form=form))


class CountAddLineView(CountMixin, View):
    """Add a SKU found on the shelf to an open count."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if response := self.require_work():
            return response
        form = CountAddLineForm(request.POST)
        detail = reverse("stock_counts:detail", args=[self.count.pk])
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect(detail)
        line = services.add_count_line(
            self.count, variant=form.cleaned_data["sku"], user=request.user
        )
        messages.success(
            request, _("%(sku)s is on the count: enter the units.") % {"sku": line.sku}
        )
        return redirect(f"{detail}#line-{line.pk}")


class CountReviewView(CountMixin, WagtailAdminTemplateMixin, TemplateView):
    """The differences posting would record, against the units on hand now."""

    template_name = "stock/count_review.html"
    header_icon = "list-ol"

    def get_page_title(self):
        return _("Review count %(number)s") % {"number": self.count.number}

    def get(self, request, *args, **kwargs):
        if response := self.require_work():
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = services.differences(self.count)
        labelled(row["line"] for row in rows)
        context.update(
            rows=rows,
            changed=[row for row in rows if row["difference"]],
            uncounted=self.count.lines.filter(counted__isnull=True).count(),
        )
        return context


class CountSheetView(CountMixin, View):
    """The printable count sheet (PDF) of a count the user may see."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        from plugins.stock.documents import count_sheet_pdf

        pdf = count_sheet_pdf(
            self.count, show_expected=user_can_see_expected_quantities(request.user)
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="inventario-{self.count.number}.pdf"'
        )
        return response


class CountPostView(CountMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if response := self.require_work():
            return response
        try:
            movements = services.post_count(self.count, user=request.user)
        except RetaguardaError as error:
            messages.error(request, error.message)
            return redirect("stock_counts:detail", self.count.pk)
        if user_can_see_expected_quantities(request.user):
            message = _("Count %(number)s posted: %(changes)d adjustments.")
        else:
            message = _("Count %(number)s posted.")
        messages.success(
            request, message % {"number": self.count.number, "changes": len(movements)}
        )
        return redirect("stock_counts:detail", self.count.pk)


class CountCancelView(CountMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if response := self.require_work():
            return response
        services.cancel_count(self.count, user=request.user)
        messages.success(
            request, _("Count %(number)s cancelled.") % {"number": self.count.number}
        )
        return redirect("stock_counts:index")
