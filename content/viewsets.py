"""Editor screens of the catalog (Wagtail snippet viewsets)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.contrib import messages
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import HeaderButton
from wagtail.models import WorkflowState
from wagtail.snippets.views.snippets import (
    ConfirmWorkflowCancellationView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)
from wagtail.snippets.views.snippets import EditView as SnippetEditView

from content.forms import COST_PERMISSION
from content.models import Brand, Category, Collection, Product
from content.price_checks import draft_price_jumps, form_price_jumps
from plugins.money import money_filter
from plugins.tables import AbsoluteUpdatedAtColumn


def format_brl(value: Decimal | None) -> str:
    """R$ 1.234,56"""
    if value is None:
        return ""
    whole, cents = f"{value:,.2f}".split(".")
    return f"R$ {whole.replace(',', '.')},{cents}"


class PriceRangeColumn(Column):
    def get_value(self, instance):
        prices = [v.price for v in instance.variants.all() if v.active]
        if not prices:
            return ""
        low, high = min(prices), max(prices)
        return (
            format_brl(low)
            if low == high
            else f"{format_brl(low)} – {format_brl(high)}"
        )


class StatusColumn(StatusTagColumn):
    """Live/draft from the row itself (Wagtail's own status column asks about
    workflows and schedules row by row)."""

    def get_value(self, instance):
        if not instance.live:
            return _("draft")
        if instance.has_unpublished_changes:
            return _("live + draft")
        return _("live")

    def get_primary(self, instance):
        return instance.live


class VariantCountColumn(Column):
    def get_value(self, instance):
        return len(instance.variants.all())


class ProductStatus:
    LIVE = "live"
    DRAFT = "draft"
    CHANGES = "changes"
    SCHEDULED = "scheduled"
    IN_MODERATION = "in_moderation"
    CHOICES = [
        (LIVE, _("Live")),
        (DRAFT, _("Draft (never published or unpublished)")),
        (CHANGES, _("Live with unpublished changes")),
        (SCHEDULED, _("Scheduled")),
        (IN_MODERATION, _("In moderation")),
    ]


def in_moderation_subquery(model):
    from django.contrib.contenttypes.models import ContentType

    return WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(model),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
        status__in=[
            WorkflowState.STATUS_IN_PROGRESS,
            WorkflowState.STATUS_NEEDS_CHANGES,
        ],
    )


class ProductFilterSet(WagtailFilterSet):
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.all(),
        method="filter_category",
        help_text=_("Includes its subcategories."),
    )
    brand = django_filters.ModelChoiceFilter(
        label=_("Brand"), queryset=Brand.objects.all()
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProductStatus.CHOICES, method="filter_status"
    )
    price_min = money_filter(
        label=_("Price from (R$)"), method="filter_price_min", min_value=0
    )
    price_max = money_filter(
        label=_("Price up to (R$)"), method="filter_price_max", min_value=0
    )

    class Meta:
        model = Product
        fields = ["category", "brand", "status", "price_min", "price_max"]

    def filter_category(self, queryset, name, value):
        return queryset.in_category(value) if value else queryset

    def filter_price_min(self, queryset, name, value):
        return queryset.price_between(low=value) if value is not None else queryset

    def filter_price_max(self, queryset, name, value):
        return queryset.price_between(high=value) if value is not None else queryset

    def filter_status(self, queryset, name, value):
        if value == ProductStatus.LIVE:
            return queryset.filter(live=True)
        if value == ProductStatus.DRAFT:
            return queryset.filter(live=False)
        if value == ProductStatus.CHANGES:
            return queryset.filter(live=True, has_unpublished_changes=True)
        if value == ProductStatus.SCHEDULED:
            return queryset.filter(
                _revisions__approved_go_live_at__gt=timezone.now()
            ).distinct()
        if value == ProductStatus.IN_MODERATION:
            return queryset.filter(Exists(in_moderation_subquery(Product)))
        return queryset


class ProductIndexView(IndexView):
    """The product listing, with import and export buttons for those allowed."""

    def search_queryset(self, queryset):
        # Searching variants' SKUs joins one row per variant.
        return super().search_queryset(queryset).distinct()

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        user = self.request.user
        if user.has_perm("content.import_product"):
            buttons.append(
                HeaderButton(
                    _("Import"),
                    url=reverse("content_import:start"),
                    icon_name="upload",
                    priority=50,
                )
            )
        if user.has_perm("content.export_product"):
            query = self.request.GET.urlencode()
            for fmt, label in (("csv", _("Export CSV")), ("xlsx", _("Export XLSX"))):
                buttons.append(
                    HeaderButton(
                        label,
                        url=f"{reverse('content_export:products')}?format={fmt}&{query}",
                        icon_name="download",
                        priority=60,
                    )
                )
        return buttons


def variant_panels():
    return [
        FieldRowPanel([FieldPanel("sku"), FieldPanel("active")]),
        FieldRowPanel(
            [FieldPanel("option1"), FieldPanel("option2"), FieldPanel("option3")]
        ),
        FieldRowPanel(
            [
                FieldPanel("price"),
                FieldPanel("compare_at_price"),
                FieldPanel("cost_price", permission=COST_PERMISSION),
            ]
        ),
        FieldRowPanel([FieldPanel("gtin"), FieldPanel("ncm"), FieldPanel("origin")]),
        FieldRowPanel(
            [
                FieldPanel("weight_grams"),
                FieldPanel("length_cm"),
                FieldPanel("width_cm"),
                FieldPanel("height_cm"),
            ]
        ),
    ]


class CheckedConfirmWorkflowCancellationView(
    PermissionCheckedMixin, ConfirmWorkflowCancellationView
):
    """Wagtail's view checks no permission: without this, any admin user could
    probe catalog ids and read the name of the workflow and task under way."""

    permission_required = "change"


class CatalogSnippetViewSet(SnippetViewSet):
    """What every catalog snippet's screens share."""

    confirm_workflow_cancellation_view_class = CheckedConfirmWorkflowCancellationView


class ProductEditView(SnippetEditView):
    """The product editor, with the check on price jumps
    (:mod:`content.price_checks`): the screen warns of every variant whose
    saved draft moves its price more than five times away from the published
    one (the editor after saving, the moderator reviewing), and publishing in
    one step a jump that no saved draft showed yet is refused on the price."""

    def get_context_data(self, **kwargs):
        if self.request.method == "GET":
            for jump in draft_price_jumps(self.object):
                messages.warning(self.request, jump.message())
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # Saving a draft lands back on this screen, which warns; submitting to
        # moderation lands on the listing: warn there.
        if self.action == "submit":
            for jump in form_price_jumps(form):
                messages.warning(self.request, jump.message())
        return response

    def is_valid(self, form):
        # What the latest draft held, before the form writes the posted values
        # into the same objects.
        seen = (
            set(draft_price_jumps(self.object)) if self.action == "publish" else set()
        )
        valid = super().is_valid(form)
        if not valid or self.action != "publish":
            return valid
        unseen = [jump for jump in form_price_jumps(form) if jump not in seen]
        if not unseen:
            return True
        rows = {
            f.cleaned_data.get("sku"): f
            for f in form.formsets["variants"].forms
            if getattr(f, "cleaned_data", None)
        }
        for jump in unseen:
            rows[jump.sku].add_error(
                "price",
                f"{jump.message()} "
                f"{_('Save a draft first; publish once the price is right.')}",
            )
        self.produced_error_code = "validation_error"
        self.produced_error_message = self.get_error_message()
        return False


class ProductViewSet(CatalogSnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = _("Products")
    menu_name = "products"
    index_view_class = ProductIndexView
    edit_view_class = ProductEditView
    list_display = [
        "name",
        Column("brand", label=_("Brand"), accessor="brand"),
        Column("primary_category", label=_("Category"), accessor="primary_category"),
        PriceRangeColumn("price", label=_("Price")),
        VariantCountColumn("variants", label=_("Variants")),
        StatusColumn("status", label=_("Status"), sort_key="live"),
        AbsoluteUpdatedAtColumn(),
    ]
    list_per_page = 50
    filterset_class = ProductFilterSet
    search_fields = ["name", "slug", "short_description", "variants__sku"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    ordering = ["name"]

    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("slug"),
                    FieldRowPanel(
                        [FieldPanel("brand"), FieldPanel("primary_category")]
                    ),
                    FieldPanel("categories"),
                    FieldPanel("short_description"),
                    FieldPanel("description"),
                    FieldPanel("tags"),
                ],
                heading=_("Product"),
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldRowPanel(
                                [
                                    FieldPanel("option1_name"),
                                    FieldPanel("option2_name"),
                                    FieldPanel("option3_name"),
                                ]
                            )
                        ],
                        heading=_("Options"),
                    ),
                    InlinePanel(
                        "variants",
                        panels=variant_panels(),
                        heading=_("Variants"),
                        label=_("Variant"),
                        min_num=1,
                    ),
                ],
                heading=_("Variants"),
            ),
            ObjectList(
                [
                    InlinePanel(
                        "images", panels=[FieldPanel("image"), FieldPanel("alt")]
                    )
                ],
                heading=_("Images"),
            ),
            ObjectList(
                [FieldPanel("seo_title"), FieldPanel("search_description")],
                heading=_("SEO"),
            ),
        ]
    )

    def get_queryset(self, request):
        return Product.objects.select_related(
            "brand", "primary_category", "latest_revision", "live_revision"
        ).prefetch_related("variants")


class CategoryViewSet(CatalogSnippetViewSet):
    model = Category
    icon = "list-ul"
    menu_label = _("Categories")
    menu_name = "categories"
    list_display = ["name", "path", "position", AbsoluteUpdatedAtColumn()]
    search_fields = ["name", "path"]
    search_backend_name = None
    ordering = ["path"]
    panels = [
        FieldPanel("name"),
        FieldRowPanel(
            [FieldPanel("slug"), FieldPanel("parent"), FieldPanel("position")]
        ),
        FieldPanel("description"),
        FieldPanel("image"),
        MultiFieldPanel(
            [FieldPanel("seo_title"), FieldPanel("search_description")],
            heading=_("SEO"),
        ),
    ]


class BrandViewSet(CatalogSnippetViewSet):
    model = Brand
    icon = "pick"
    menu_label = _("Brands")
    menu_name = "brands"
    list_display = ["name", "slug", AbsoluteUpdatedAtColumn()]
    search_fields = ["name", "slug"]
    search_backend_name = None
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("logo"),
        FieldPanel("website"),
        FieldPanel("description"),
    ]


class CollectionViewSet(CatalogSnippetViewSet):
    model = Collection
    icon = "folder-inverse"
    menu_label = pgettext_lazy("catalog", "Collections")
    menu_name = "collections"
    list_display = ["name", "slug", AbsoluteUpdatedAtColumn()]
    search_fields = ["name", "slug"]
    search_backend_name = None
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        InlinePanel("items", panels=[FieldPanel("product")], heading=_("Products")),
    ]


class CatalogViewSetGroup(SnippetViewSetGroup):
    items = (ProductViewSet, CategoryViewSet, BrandViewSet, CollectionViewSet)
    menu_icon = "tag"
    menu_label = _("Catalog")
    menu_name = "catalog"
    menu_order = 150
