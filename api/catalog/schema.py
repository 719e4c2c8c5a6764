"""Serializers that describe the public catalog payloads in the OpenAPI schema.

The responses are built as plain dicts (see ``payloads``) for speed; these
classes document their exact shape, and a test checks that real responses
validate against them."""

from rest_framework import serializers


class CategoryRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    path = serializers.CharField()


class PrimaryCategorySerializer(CategoryRefSerializer):
    breadcrumbs = CategoryRefSerializer(many=True)


class BrandRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class SeoSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)


class ImageSerializer(serializers.Serializer):
    alt = serializers.CharField(allow_blank=True)
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    sizes = serializers.DictField(
        child=serializers.CharField(), help_text="thumb, card, large"
    )


class DimensionsSerializer(serializers.Serializer):
    length = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    width = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    height = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)


class VariantSerializer(serializers.Serializer):
    sku = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField(allow_blank=True))
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True
    )
    active = serializers.BooleanField()
    gtin = serializers.CharField(allow_null=True)
    weight_grams = serializers.IntegerField(allow_null=True)
    dimensions_cm = DimensionsSerializer()


class PriceRangeSerializer(serializers.Serializer):
    min = serializers.DecimalField(max_digits=12, decimal_places=2)
    max = serializers.DecimalField(max_digits=12, decimal_places=2)


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    short_description = serializers.CharField(allow_blank=True)
    description = serializers.ListField(
        child=serializers.DictField(), help_text="StreamField blocks: type, value, id"
    )
    seo = SeoSerializer()
    brand = BrandRefSerializer(allow_null=True)
    category = PrimaryCategorySerializer(allow_null=True)
    categories = CategoryRefSerializer(many=True)
    tags = serializers.ListField(child=serializers.CharField())
    options = serializers.ListField(child=serializers.CharField())
    images = ImageSerializer(many=True)
    variants = VariantSerializer(many=True)
    price_range = PriceRangeSerializer(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class ProductPageSerializer(serializers.Serializer):
    results = ProductSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class CategorySummarySerializer(CategoryRefSerializer):
    position = serializers.IntegerField()
    seo = SeoSerializer()


class CategoryNodeSerializer(CategorySummarySerializer):
    children = serializers.ListField(
        child=serializers.DictField(), help_text="Nested nodes"
    )


class CategorySerializer(CategorySummarySerializer):
    breadcrumbs = CategoryRefSerializer(many=True)
    children = CategorySummarySerializer(many=True)


class BrandSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    website = serializers.CharField(allow_blank=True)


class CollectionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    products = ProductSerializer(many=True)
