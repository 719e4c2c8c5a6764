"""Case (e): the product list as a competent DRF user writes it.

``ModelSerializer``s with nested variants, images, categories and tags (all
prefetched by the view), producing the same JSON document as the public
endpoint, key for key.
"""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers
from wagtail.images.utils import generate_signature

from content.models import Brand, Category, Product, ProductImage, Variant

IMAGE_SIZES = {
    "thumb": "fill-160x160",
    "card": "fill-480x480",
    "large": "max-1200x1200",
}


class IsoDateTimeField(serializers.DateTimeField):
    """ISO 8601 in the stored time zone (UTC), as the public endpoint renders
    datetimes (DRF's own converts to the current time zone and writes "Z")."""

    def to_representation(self, value):
        return value.isoformat()


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name", "path"]


class BrandRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["slug", "name"]


class PrimaryCategorySerializer(serializers.ModelSerializer):
    breadcrumbs = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["slug", "name", "path", "breadcrumbs"]

    def get_breadcrumbs(self, category):
        # The view puts the (small) category tree in the context: no query
        # per product.
        by_path = self.context["categories_by_path"]
        parts = category.path.split("/")
        crumbs = []
        for i in range(len(parts)):
            node = by_path.get("/".join(parts[: i + 1]))
            if node is not None:
                crumbs.append({"slug": node.slug, "name": node.name, "path": node.path})
        return crumbs


class DimensionsSerializer(serializers.ModelSerializer):
    length = serializers.DecimalField(
        source="length_cm", max_digits=7, decimal_places=2
    )
    width = serializers.DecimalField(source="width_cm", max_digits=7, decimal_places=2)
    height = serializers.DecimalField(
        source="height_cm", max_digits=7, decimal_places=2
    )

    class Meta:
        model = Variant
        fields = ["length", "width", "height"]


class VariantSerializer(serializers.ModelSerializer):
    options = serializers.SerializerMethodField()
    gtin = serializers.SerializerMethodField()
    dimensions_cm = DimensionsSerializer(source="*")

    class Meta:
        model = Variant
        fields = [
            "sku",
            "options",
            "price",
            "compare_at_price",
            "active",
            "gtin",
            "weight_grams",
            "dimensions_cm",
        ]

    def get_options(self, variant):
        product = variant.product  # set by prefetch_related, no query
        return {
            name: getattr(variant, f"option{i}")
            for i, name in enumerate(
                (product.option1_name, product.option2_name, product.option3_name),
                start=1,
            )
            if name
        }

    def get_gtin(self, variant):
        return variant.gtin or None


class ImageSerializer(serializers.ModelSerializer):
    width = serializers.IntegerField(source="image.width")
    height = serializers.IntegerField(source="image.height")
    sizes = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["alt", "width", "height", "sizes"]

    def get_sizes(self, item):
        file_name = item.image.file.name.rsplit("/", 1)[-1]
        return {
            name: reverse(
                "wagtailimages_serve",
                args=(generate_signature(item.image_id, spec), item.image_id, spec),
            )
            + file_name
            for name, spec in IMAGE_SIZES.items()
        }


class ProductSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField()
    seo = serializers.SerializerMethodField()
    brand = BrandRefSerializer()
    category = PrimaryCategorySerializer(source="primary_category")
    categories = CategoryRefSerializer(many=True)
    tags = serializers.SerializerMethodField()
    options = serializers.SerializerMethodField()
    images = ImageSerializer(many=True)
    variants = VariantSerializer(many=True)
    price_range = serializers.SerializerMethodField()
    published_at = IsoDateTimeField(source="first_published_at")
    updated_at = IsoDateTimeField(source="last_published_at")

    class Meta:
        model = Product
        fields = [
            "id",
            "slug",
            "name",
            "short_description",
            "description",
            "seo",
            "brand",
            "category",
            "categories",
            "tags",
            "options",
            "images",
            "variants",
            "price_range",
            "published_at",
            "updated_at",
        ]

    def get_description(self, product):
        return list(product.description.raw_data)

    def get_seo(self, product):
        return {"title": product.seo_title, "description": product.search_description}

    def get_tags(self, product):
        return [item.tag.name for item in product.tagged_items.all()]

    def get_options(self, product):
        return product.option_names

    def get_price_range(self, product):
        prices = [v.price for v in product.variants.all() if v.active]
        if not prices:
            return None
        return {"min": f"{min(prices):.2f}", "max": f"{max(prices):.2f}"}
