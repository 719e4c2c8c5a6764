"""Editor screens of the catalog (Wagtail snippet viewsets)."""

from __future__ import annotations

import weakref

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import StartsWith
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
    TitleFieldPanel,
)
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import HeaderButton
from wagtail.admin.widgets.slug import SlugInput
from wagtail.images import get_image_model
from wagtail.models import WorkflowState
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
    SnippetCreateView,
)
from wagtail.snippets.views.snippets import (
    ConfirmWorkflowCancellationView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)
from wagtail.snippets.views.snippets import EditView as SnippetEditView
from wagtail.snippets.views.snippets import InspectView as SnippetInspectView
from wagtail.snippets.widgets import AdminSnippetChooser

from content.forms import COST_PERMISSION, label_categories
from content.models import Brand, Category, Collection, Product, ProductImage
from content.models.catalog import category_labels, stock_is_tracked
from content.price_checks import draft_price_jumps, form_price_jumps
from plugins.exports import SafeSpreadsheetExportMixin
from plugins.money import format_brl, money_filter
from plugins.tables import AbsoluteUpdatedAtColumn
from plugins.viewsets import ReadableInspectMixin

#: The listing's thumbnail of a product: its first image.
THUMBNAIL_SPEC = "fill-50x50"


def price_range_label(instance) -> str:
    """ "R$ 59,90 – R$ 89,90" over the active variants (prefetched)."""
    prices = [v.price for v in instance.variants.all() if v.active]
    if not prices:
        return ""
    low, high = min(prices), max(prices)
    return format_brl(low) if low == high else f"{format_brl(low)} – {format_brl(high)}"


def thumbnail(instance):
    """The rendition of the product's first image (images and their
    renditions prefetched), or None."""
    images = instance.images.all()
    if not images:
        return None
    return images[0].image.get_rendition(THUMBNAIL_SPEC)


class ThumbnailColumn(Column):
    cell_template_name = "content/listing/thumbnail_cell.html"

    def __init__(self, name="thumbnail", **kwargs):
        kwargs.setdefault("label", _("Image"))
        kwargs.setdefault("width", "66px")
        super().__init__(name, **kwargs)

    def get_value(self, instance):
        return thumbnail(instance)


class PriceRangeColumn(Column):
    def get_value(self, instance):
        return price_range_label(instance)


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


class AvailableStockColumn(Column):
    """Units available for sale across the product's variants, as the stock
    app reports them (:data:`content.hooks.PRODUCT_STOCK`, annotated)."""

    cell_template_name = "content/listing/stock_cell.html"

    def __init__(self, name="available_units", **kwargs):
        kwargs.setdefault("label", _("Stock"))
        kwargs.setdefault("sort_key", "available_units")
        super().__init__(name, **kwargs)


class CategoryPathColumn(Column):
    """A category shown by its path of names, "Moda › Calças": the categories
    of the whole table are labelled with one query. ``category`` gives a
    row's category (default: the row itself)."""

    def __init__(self, name, *, category=None, **kwargs):
        super().__init__(name, **kwargs)
        self.category = category or (lambda row: row)
        # Per rendered table (columns are shared by every request).
        self._labels = weakref.WeakKeyDictionary()

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        table = parent_context["table"]
        labels = self._labels.get(table)
        if labels is None:
            categories = {self.category(row) for row in table.data} - {None}
            labels = self._labels[table] = category_labels(categories)
        category = self.category(instance)
        context["value"] = labels.get(category.pk, "") if category else ""
        return context


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


def catalog_imports(request):
    """The user's finished catalog imports (a job is its creator's alone)."""
    from content.importing.importer import CatalogImporter
    from plugins.importing.models import ImportJob

    if request is None or not request.user.is_authenticated:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(
        created_by=request.user,
        importer=CatalogImporter.key,
        status=ImportJob.Status.DONE,
    )


def imported_by(queryset, job):
    """The products an import job wrote: those with its audit entry."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import BigIntegerField
    from wagtail.models import ModelLogEntry

    from content.importing.pipeline import IMPORT_LOG_ACTION

    entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Product),
        action=IMPORT_LOG_ACTION,
        uuid=job.pk,
    ).values_list(Cast("object_id", output_field=BigIntegerField()))
    return queryset.filter(pk__in=entries)


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
    import_job = django_filters.ModelChoiceFilter(
        label=_("Import job"),
        queryset=catalog_imports,
        method="filter_import_job",
        help_text=_("The products a catalog import of yours wrote."),
    )

    class Meta:
        model = Product
        fields = ["category", "brand", "status", "price_min", "price_max", "import_job"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_categories(self.form.fields["category"])

    def filter_category(self, queryset, name, value):
        return queryset.in_category(value) if value else queryset

    def filter_price_min(self, queryset, name, value):
        return queryset.price_between(low=value) if value is not None else queryset

    def filter_price_max(self, queryset, name, value):
        return queryset.price_between(high=value) if value is not None else queryset

    def filter_import_job(self, queryset, name, value):
        return imported_by(queryset, value) if value else queryset

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


class CatalogIndexView(SafeSpreadsheetExportMixin, IndexView):
    """A catalog listing: ``?export=`` answers 404 where the listing offers no
    download (Wagtail would send a file of empty rows)."""

    def dispatch(self, request, *args, **kwargs):
        if self.is_export and not self.list_export:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ProductIndexView(CatalogIndexView):
    """The product listing: a thumbnail, SKU count, price range and, with a
    stock app, the units available per product (a constant number of queries
    whatever the page size); import and export buttons for those allowed.

    ``?export=csv`` / ``?export=xlsx`` download the listing itself (one row
    per product, the current filter) for those who may export products; the
    *Export CSV / XLSX* buttons give the variants in the import format."""

    list_export = [
        "name",
        "slug",
        "brand",
        "category",
        "sku_count",
        "price_min",
        "price_max",
        "status",
        "updated_at",
    ]
    export_headings = {
        "name": _("Name"),
        "slug": _("Slug"),
        "brand": _("Brand"),
        "category": _("Category"),
        "sku_count": _("SKUs"),
        "price_min": _("Lowest price"),
        "price_max": _("Highest price"),
        "available_units": _("Stock"),
        "status": _("Status"),
        "updated_at": _("Updated"),
    }
    export_filename = "produtos-listagem"

    def dispatch(self, request, *args, **kwargs):
        if self.is_export and not request.user.has_perm("content.export_product"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.stock_tracked = stock_is_tracked()
        if self.stock_tracked:
            self.list_export = [*self.list_export]
            self.list_export.insert(-2, "available_units")

    def search_queryset(self, queryset):
        # Searching variants' SKUs joins one row per variant.
        return super().search_queryset(queryset).distinct()

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        return queryset.with_available_units() if self.stock_tracked else queryset

    @cached_property
    def columns(self):
        columns = list(super().columns)
        if self.stock_tracked:
            # before the status and the date
            columns.insert(len(columns) - 2, AvailableStockColumn())
        return columns

    @cached_property
    def show_export_buttons(self):
        # The listing's own download, next to the import-format export.
        return self.request.user.has_perm("content.export_product")

    def to_row_dict(self, item):
        prices = [v.price for v in item.variants.all() if v.active]
        labels = self._export_category_labels
        values = {
            "name": item.name,
            "slug": item.slug,
            "brand": item.brand.name if item.brand else "",
            "category": labels.get(item.primary_category_id, ""),
            "sku_count": len(item.variants.all()),
            "price_min": min(prices) if prices else None,
            "price_max": max(prices) if prices else None,
            "available_units": getattr(item, "available_units", None),
            "status": StatusColumn("status").get_value(item),
            "updated_at": item.updated_at,
        }
        return {field: values[field] for field in self.list_export}

    @cached_property
    def _export_category_labels(self):
        return category_labels(
            {p.primary_category for p in self.object_list if p.primary_category_id}
        )

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        user = self.request.user
        if user.has_perm("content.import_product"):
            buttons.append(
                HeaderButton(
                    _("Import"),
                    url=reverse("imports:start", args=["content.catalog"]),
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


class FoldedPanel(MultiFieldPanel):
    """Fields folded under a summary line (``<details>``), shown open when one
    of them has an error."""

    def __init__(self, children=(), *args, summary="", **kwargs):
        self.summary = summary
        super().__init__(children, *args, **kwargs)

    def clone_kwargs(self):
        return {**super().clone_kwargs(), "summary": self.summary}

    class BoundPanel(MultiFieldPanel.BoundPanel):
        template_name = "content/panels/folded_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            fields = self.panel.get_form_options().get("fields", [])
            context["open"] = bool(self.form.errors) and any(
                name in self.form.errors for name in fields
            )
            context["summary"] = self.panel.summary
            return context


def variant_panels():
    """One compact row per variant (SKU, options, price, compare-at price,
    GTIN, active: see ``content/css/catalog_editor.css``), the rest folded
    below it."""
    return [
        FieldRowPanel(
            [
                FieldPanel("sku"),
                FieldPanel("option1"),
                FieldPanel("option2"),
                FieldPanel("option3"),
                FieldPanel("price"),
                FieldPanel("compare_at_price"),
                FieldPanel("gtin"),
                FieldPanel("active"),
            ],
            classname="variant-grid__row",
        ),
        FoldedPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("cost_price", permission=COST_PERMISSION),
                        FieldPanel("ncm"),
                        FieldPanel("origin"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("weight_grams"),
                        FieldPanel("length_cm"),
                        FieldPanel("width_cm"),
                        FieldPanel("height_cm"),
                    ]
                ),
            ],
            summary=_("Cost, tax and measures"),
            classname="variant-grid__more",
        ),
    ]


def name_panel():
    """The name, which fills the slug while it is typed (until the slug is
    edited by hand; not on a live object, whose address is in use)."""
    return TitleFieldPanel("name", placeholder=False, classname="")


def slug_panel():
    # The models' slugs are ASCII (SlugField without allow_unicode).
    return FieldPanel(
        "slug", widget=SlugInput(attrs={"data-w-slug-allow-unicode-value": "false"})
    )


class CheckedConfirmWorkflowCancellationView(
    PermissionCheckedMixin, ConfirmWorkflowCancellationView
):
    """Wagtail's view checks no permission: without this, any admin user could
    probe catalog ids and read the name of the workflow and task under way."""

    permission_required = "change"


class CatalogInspectView(ReadableInspectMixin, SnippetInspectView):
    pass


class CatalogSnippetViewSet(SnippetViewSet):
    """What every catalog snippet's screens share."""

    confirm_workflow_cancellation_view_class = CheckedConfirmWorkflowCancellationView
    inspect_view_class = CatalogInspectView
    index_view_class = CatalogIndexView


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
            if self.live_without_stock():
                messages.warning(
                    self.request,
                    _(
                        "This product is live but none of its variants has stock "
                        "available: the storefront cannot sell it."
                    ),
                )
        return super().get_context_data(**kwargs)

    def live_without_stock(self) -> bool:
        """Live, with active variants, and the stock app reports no unit
        available for sale across them (:data:`content.hooks.PRODUCT_STOCK`)."""
        product = self.object
        if not product.live or not stock_is_tracked():
            return False
        units = (
            Product.objects.filter(pk=product.pk, variants__active=True)
            .with_available_units()
            .values_list("available_units", flat=True)
            .first()
        )
        return units is not None and units <= 0

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        buttons.append(
            HeaderButton(
                _("View on the storefront"),
                url=reverse("content_preview_token:product", args=[self.object.pk]),
                icon_name="view",
                attrs={"target": "_blank", "rel": "noopener"},
                priority=5,
            )
        )
        return buttons

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
        ThumbnailColumn(),
        Column("brand", label=_("Brand"), accessor="brand"),
        CategoryPathColumn(
            "primary_category",
            label=_("Category"),
            category=lambda product: product.primary_category,
        ),
        VariantCountColumn("variants", label=_("SKUs")),
        PriceRangeColumn("price", label=_("Price"), classname="catalog-nowrap"),
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
                    name_panel(),
                    slug_panel(),
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
                        classname="variant-grid",
                    ),
                ],
                heading=_("Variants"),
            ),
            ObjectList(
                [
                    InlinePanel(
                        "images",
                        panels=[FieldPanel("image"), FieldPanel("alt")],
                        heading=_("Images"),
                        label=_("image"),
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
        images = ProductImage.objects.order_by("sort_order").prefetch_related(
            Prefetch(
                "image",
                queryset=get_image_model().objects.prefetch_renditions(THUMBNAIL_SPEC),
            )
        )
        return Product.objects.select_related(
            "brand", "primary_category", "latest_revision", "live_revision"
        ).prefetch_related("variants", Prefetch("images", queryset=images))


# -- categories: a chooser that shows the tree -----------------------------------


class CategorySearchForm(BaseFilterForm):
    """Search the category chooser by name: a match brings its subcategories
    along ("moda" lists Moda and everything under it)."""

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q", "").strip()
        if query:
            # the matches and every category below one of them
            matches = Category.objects.filter(name__icontains=query)
            objects = objects.filter(
                Exists(
                    matches.filter(
                        Q(path=OuterRef("path"))
                        | StartsWith(OuterRef("path"), Concat("path", Value("/")))
                    )
                )
            )
            self.is_searching = True
            self.search_query = query
        return objects


class CategoryChooseMixin:
    """Each category shown by its path of names, "Moda › Calças" (labelled
    for the whole page with one query)."""

    filter_form_class = CategorySearchForm
    ordering = ["path"]
    labels: dict[int, str] = {}  # replaced per request by get_results_page

    def get_results_page(self, request):
        page = super().get_results_page(request)
        self.labels = category_labels(page.object_list)
        return page

    @property
    def title_column(self):
        column = super().title_column
        column.accessor = lambda category: self.labels.get(category.pk, category.name)
        column.label = _("Category")
        return column


class CategoryChooseView(CategoryChooseMixin, ChooseView):
    pass


class CategoryChooseResultsView(CategoryChooseMixin, ChooseResultsView):
    pass


class BreadcrumbTitleMixin:
    def get_display_title(self, instance):
        return instance.breadcrumb_label


class CategoryChosenView(BreadcrumbTitleMixin, SnippetChosenView):
    pass


class CategoryChosenMultipleView(BreadcrumbTitleMixin, SnippetChosenMultipleView):
    pass


class CategoryCreateView(BreadcrumbTitleMixin, SnippetCreateView):
    pass


class CategoryChooserWidget(BreadcrumbTitleMixin, AdminSnippetChooser):
    pass


class CategoryChooserViewSet(SnippetChooserViewSet):
    choose_view_class = CategoryChooseView
    choose_results_view_class = CategoryChooseResultsView
    chosen_view_class = CategoryChosenView
    chosen_multiple_view_class = CategoryChosenMultipleView
    create_view_class = CategoryCreateView
    base_widget_class = CategoryChooserWidget


class CategoryViewSet(CatalogSnippetViewSet):
    model = Category
    icon = "list-ul"
    menu_label = _("Categories")
    menu_name = "categories"
    chooser_viewset_class = CategoryChooserViewSet
    list_display = [
        "name",
        CategoryPathColumn("tree", label=_("Place in the tree"), sort_key="path"),
        "position",
        AbsoluteUpdatedAtColumn(),
    ]
    search_fields = ["name", "path"]
    search_backend_name = None
    ordering = ["path"]
    panels = [
        name_panel(),
        FieldRowPanel([slug_panel(), FieldPanel("parent"), FieldPanel("position")]),
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
        name_panel(),
        slug_panel(),
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
        name_panel(),
        slug_panel(),
        FieldPanel("description"),
        InlinePanel("items", panels=[FieldPanel("product")], heading=_("Products")),
    ]


class CatalogViewSetGroup(SnippetViewSetGroup):
    items = (ProductViewSet, CategoryViewSet, BrandViewSet, CollectionViewSet)
    menu_icon = "tag"
    menu_label = _("Catalog")
    menu_name = "catalog"
    menu_order = 150
