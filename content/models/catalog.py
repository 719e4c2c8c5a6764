"""The storefront catalog: products with variants, categories, brands and
collections. Plain tables registered as Wagtail snippets with the full editing
lifecycle (drafts, revisions, locking, moderation, preview, scheduling, search).
Variants are inline children of their product (modelcluster), so a product and
its variants are drafted, revised and published together."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from content.blocks import ProductDescriptionBlock
from content.forms import CatalogAdminForm, ProductAdminForm
from content.validators import validate_gtin, validate_ncm

SKU_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
    _(
        "Use letters, digits, dot, dash, slash or underscore; "
        "start with a letter or digit."
    ),
)


def revisions_relation(name: str) -> GenericRelation:
    return GenericRelation(
        "wagtailcore.Revision",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name=name,
        for_concrete_model=False,
    )


def workflow_states_relation(name: str) -> GenericRelation:
    return GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name=name,
        for_concrete_model=False,
    )


class CatalogQuerySet(models.QuerySet):
    def live(self):
        return self.filter(live=True)


class CatalogModel(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """Lifecycle mixins shared by every catalog snippet."""

    base_form_class = CatalogAdminForm

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def revisions(self):
        return self._revisions

    def get_preview_template(self, request, mode_name):
        return f"content/previews/{self._meta.model_name}.html"


class Brand(CatalogModel):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True, allow_unicode=False)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = RichTextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)

    _revisions = revisions_relation("brand")
    workflow_states = workflow_states_relation("brand")

    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(CatalogModel):
    """A node of the category tree. ``path`` is the slug path from the root
    ("moda/camisetas"), kept up to date for the node and its descendants."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=500, unique=True, editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    description = RichTextField(_("description"), blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    search_description = models.CharField(
        _("SEO description"), max_length=160, blank=True
    )

    _revisions = revisions_relation("category")
    workflow_states = workflow_states_relation("category")

    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.FilterField("live"),
        index.FilterField("path"),
    ]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(path=""), name="content_category_path_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") + 1 if self.path else 1

    def compute_path(self) -> str:
        return f"{self.parent.path}/{self.slug}" if self.parent_id else self.slug

    def clean(self):
        super().clean()
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A category cannot be inside itself.")}
                )
            node = node.parent
        if self.slug:
            path = self.compute_path()
            clash = Category.objects.filter(path=path).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {
                        "slug": _("Another category already has the path “%(path)s”.")
                        % {"path": path}
                    }
                )

    @transaction.atomic
    def save(self, *args, **kwargs):
        old_path = None
        if self.pk:
            old_path = (
                Category.objects.filter(pk=self.pk)
                .values_list("path", flat=True)
                .first()
            )
        self.path = self.compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Move the subtree: replace the old prefix in every descendant's path.
            Category.objects.filter(path__startswith=f"{old_path}/").update(
                path=Concat(Value(self.path), Substr(F("path"), len(old_path) + 1))
            )

    def get_descendants(self, include_self=True):
        query = Q(path__startswith=f"{self.path}/")
        if include_self:
            query |= Q(pk=self.pk)
        return Category.objects.filter(query)

    def get_ancestors(self):
        parts = self.path.split("/")
        paths = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
        return Category.objects.filter(path__in=paths).order_by("path")

    def breadcrumbs(self) -> list[dict]:
        return [
            {"name": c.name, "slug": c.slug, "path": c.path}
            for c in [*self.get_ancestors(), self]
        ]

    @property
    def breadcrumb_label(self) -> str:
        """The names from the root to this category: "Moda › Calças" (one
        query; :func:`category_labels` labels many at once)."""
        return category_labels([self])[self.pk]


#: Between the names of a category's ancestors in its label.
BREADCRUMB_SEPARATOR = " › "


def ancestor_paths(path: str) -> list[str]:
    """The paths of a node and its ancestors: "a/b/c" → ["a", "a/b", "a/b/c"]."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def category_labels(categories) -> dict[int, str]:
    """Each category's breadcrumb label ("Moda › Calças") by primary key, with
    one query for all their ancestors' names (saved paths)."""
    categories = [c for c in categories if c is not None]
    paths = {p for c in categories if c.path for p in ancestor_paths(c.path)}
    names = dict(
        Category.objects.filter(path__in=paths).values_list("path", "name")
        if paths
        else ()
    )
    labels = {}
    for category in categories:
        if not category.path:
            labels[category.pk] = category.name
            continue
        *above, _own = ancestor_paths(category.path)
        labels[category.pk] = BREADCRUMB_SEPARATOR.join(
            [*(names.get(p, p.rsplit("/", 1)[-1]) for p in above), category.name]
        )
    return labels


class ProductTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.Product", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ProductQuerySet(CatalogQuerySet):
    def in_category(self, category: Category):
        """Products whose primary or extra category is the category or below it."""
        tree = category.get_descendants(include_self=True)
        return self.filter(
            Q(primary_category__in=tree) | Q(categories__in=tree)
        ).distinct()

    def price_between(self, low: Decimal | None = None, high: Decimal | None = None):
        query = Q()
        if low is not None:
            query &= Q(variants__price__gte=low)
        if high is not None:
            query &= Q(variants__price__lte=high)
        return self.filter(query).distinct() if query else self

    def with_available_units(self):
        """Annotate ``available_units``: what the stock app reports through
        :data:`content.hooks.PRODUCT_STOCK` (one subquery), None without one."""
        from content.hooks import PRODUCT_STOCK
        from plugins.hooks import collect

        expressions = collect(PRODUCT_STOCK)
        return self.annotate(
            available_units=expressions[0]
            if expressions
            else Value(None, output_field=models.IntegerField())
        )


def stock_is_tracked() -> bool:
    """Whether an app reports products' stock (:data:`content.hooks.PRODUCT_STOCK`)."""
    from content.hooks import PRODUCT_STOCK
    from plugins.hooks import implementations

    return bool(implementations(PRODUCT_STOCK))


class Product(CatalogModel):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    brand = models.ForeignKey(
        Brand,
        verbose_name=_("brand"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    primary_category = models.ForeignKey(
        Category,
        verbose_name=_("primary category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_products",
    )
    categories = ParentalManyToManyField(
        Category,
        verbose_name=_("other categories"),
        blank=True,
        related_name="extra_products",
    )
    short_description = models.CharField(
        _("short description"), max_length=300, blank=True
    )
    description = StreamField(
        ProductDescriptionBlock(), verbose_name=_("description"), blank=True
    )
    seo_title = models.CharField(_("SEO title"), max_length=70, blank=True)
    search_description = models.CharField(
        _("SEO description"), max_length=160, blank=True
    )
    tags = ClusterTaggableManager(
        through=ProductTag, blank=True, verbose_name=_("tags")
    )
    option1_name = models.CharField(
        _("option 1"), max_length=40, blank=True, help_text=_("e.g. cor")
    )
    option2_name = models.CharField(
        _("option 2"), max_length=40, blank=True, help_text=_("e.g. tamanho")
    )
    option3_name = models.CharField(_("option 3"), max_length=40, blank=True)

    _revisions = revisions_relation("product")
    workflow_states = workflow_states_relation("product")

    objects = ProductQuerySet.as_manager()
    base_form_class = ProductAdminForm

    search_fields = [
        index.SearchField("name", boost=3),
        index.AutocompleteField("name"),
        index.SearchField("short_description"),
        index.SearchField("description"),
        index.RelatedFields("variants", [index.SearchField("sku")]),
        index.RelatedFields("brand", [index.SearchField("name")]),
        index.FilterField("live"),
        index.FilterField("brand_id"),
        index.FilterField("primary_category_id"),
    ]

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        indexes = [
            # The storefront's default listing: live products by name, id
            # (keyset pagination) — read in index order, never sorted.
            models.Index(
                fields=["name", "id"],
                condition=models.Q(live=True),
                name="product_live_by_name",
            ),
        ]
        permissions = [
            ("view_cost_price", _("Can view and edit cost prices")),
            ("import_product", _("Can import products")),
            ("export_product", _("Can export products")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def option_names(self) -> list[str]:
        return [
            n for n in (self.option1_name, self.option2_name, self.option3_name) if n
        ]

    def price_range(self) -> tuple[Decimal, Decimal] | None:
        prices = [
            v.price for v in self.variants.all() if v.active and v.price is not None
        ]
        return (min(prices), max(prices)) if prices else None

    def get_preview_context(self, request, mode_name):
        """The preview names the variants whose price jumps (see
        :mod:`content.price_checks`), for the moderator who reviews there."""
        from content.price_checks import draft_price_jumps

        context = super().get_preview_context(request, mode_name)
        context["price_jumps"] = draft_price_jumps(self)
        return context

    def save_revision(self, user=None, *args, **kwargs):
        """A revision saved by someone who may not see cost prices carries the
        current ones, never an older revision's (see :mod:`content.costs`)."""
        from content.costs import keep_current_cost_prices, user_can_see_cost_prices

        if user is not None and not user_can_see_cost_prices(user):
            keep_current_cost_prices(self)
        return super().save_revision(user, *args, **kwargs)

    def publish(self, revision, user=None, *args, **kwargs):
        """Publish ``revision``; its cost prices go live only when its author
        or ``user`` may see them, otherwise the live ones stay (every path:
        the editor, revert, workflow approval, scheduled publishing, imports,
        bulk actions)."""
        from content.costs import cost_prices_trusted, with_live_cost_prices

        if not cost_prices_trusted(revision, user):
            # In memory only: the revision's history stays as it was saved.
            revision.content = with_live_cost_prices(self, revision.content)
        return super().publish(revision, user, *args, **kwargs)

    def clean(self):
        super().clean()
        names = [n.strip().lower() for n in self.option_names]
        if len(names) != len(set(names)):
            raise ValidationError(_("Option names must be different from each other."))


class Variant(Orderable):
    class Origin(models.TextChoices):
        # Origem da mercadoria (NF-e, campo orig)
        NATIONAL = "0", _("0 – National")
        FOREIGN_DIRECT = "1", _("1 – Foreign, direct import")
        FOREIGN_INTERNAL = "2", _("2 – Foreign, bought in Brazil")
        NATIONAL_40_70 = "3", _("3 – National, 40% to 70% imported content")
        NATIONAL_PPB = "4", _("4 – National, basic production processes")
        NATIONAL_UNDER_40 = "5", _("5 – National, up to 40% imported content")
        FOREIGN_DIRECT_NO_SIMILAR = (
            "6",
            _("6 – Foreign, direct import, no national similar"),
        )
        FOREIGN_INTERNAL_NO_SIMILAR = (
            "7",
            _("7 – Foreign, bought in Brazil, no national similar"),
        )
        NATIONAL_OVER_70 = "8", _("8 – National, over 70% imported content")

    product = ParentalKey(
        Product,
        on_delete=models.CASCADE,
        related_name="variants",
        verbose_name=_("product"),
    )
    sku = models.CharField(
        _("SKU"), max_length=64, unique=True, validators=[SKU_VALIDATOR]
    )
    option1 = models.CharField(_("option 1 value"), max_length=60, blank=True)
    option2 = models.CharField(_("option 2 value"), max_length=60, blank=True)
    option3 = models.CharField(_("option 3 value"), max_length=60, blank=True)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    compare_at_price = models.DecimalField(
        _("compare-at price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The “from” price shown struck through; at least the price."),
    )
    cost_price = models.DecimalField(
        _("cost price"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    gtin = models.CharField(
        _("GTIN/EAN"), max_length=14, blank=True, validators=[validate_gtin]
    )
    weight_grams = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    length_cm = models.DecimalField(
        _("length (cm)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    width_cm = models.DecimalField(
        _("width (cm)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    ncm = models.CharField(
        _("NCM"), max_length=8, blank=True, validators=[validate_ncm]
    )
    origin = models.CharField(
        _("origin"), max_length=1, choices=Origin.choices, default=Origin.NATIONAL
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta(Orderable.Meta):
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0), name="content_variant_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True)
                | Q(compare_at_price__gte=F("price")),
                name="content_variant_compare_at_not_below_price",
            ),
            models.CheckConstraint(
                condition=Q(cost_price__isnull=True) | Q(cost_price__gte=0),
                name="content_variant_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(weight_grams__isnull=True) | Q(weight_grams__gte=0),
                name="content_variant_weight_not_negative",
            ),
        ]

    def __str__(self) -> str:
        options = " / ".join(o for o in (self.option1, self.option2, self.option3) if o)
        return f"{self.sku} {options}".strip()

    def clean(self):
        super().clean()
        if (
            self.compare_at_price is not None
            and self.price is not None
            and self.compare_at_price < self.price
        ):
            raise ValidationError(
                {
                    "compare_at_price": _(
                        "The compare-at price cannot be below the price."
                    )
                }
            )


class ProductImage(Orderable):
    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    alt = models.CharField(_("alternative text"), max_length=200, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("product image")
        verbose_name_plural = _("product images")


class Collection(CatalogModel):
    """A curated, ordered list of products ("vitrine")."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    description = RichTextField(_("description"), blank=True)

    _revisions = revisions_relation("collection")
    workflow_states = workflow_states_relation("collection")

    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = pgettext_lazy("catalog", "collection")
        verbose_name_plural = pgettext_lazy("catalog", "collections")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CollectionProduct(Orderable):
    collection = ParentalKey(Collection, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta(Orderable.Meta):
        verbose_name = _("collection product")
        verbose_name_plural = _("collection products")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "product"], name="content_collection_product_once"
            )
        ]
