"""A product as a Wagtail page, for Wagtail's own API v2 (case (d)).

The same fields as ``content.Product``: variants and images are inline
children (``Orderable`` with a ``ParentalKey``), categories a parental
many-to-many, tags a cluster taggable manager, and everything is exposed with
``api_fields`` the way the Wagtail documentation shows.
"""

from __future__ import annotations

from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from rest_framework import serializers
from taggit.models import TaggedItemBase
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable, Page

from api.catalog.payloads import IMAGE_SIZES
from content.blocks import ProductDescriptionBlock


class BrandField(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CategoryField(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    path = serializers.CharField()


class PrimaryCategoryField(CategoryField):
    breadcrumbs = serializers.ListField()  # Category.breadcrumbs(): one query


class BenchProductPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "apibench.BenchProductPage", on_delete=models.CASCADE, related_name="tagged"
    )


class BenchProductPage(Page):
    short_description = models.CharField(max_length=300, blank=True)
    description = StreamField(ProductDescriptionBlock(), blank=True)
    brand = models.ForeignKey(
        "content.Brand", null=True, blank=True, on_delete=models.SET_NULL
    )
    primary_category = models.ForeignKey(
        "content.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    categories = ParentalManyToManyField(
        "content.Category", blank=True, related_name="+"
    )
    tags = ClusterTaggableManager(through=BenchProductPageTag, blank=True)
    option1_name = models.CharField(max_length=40, blank=True)
    option2_name = models.CharField(max_length=40, blank=True)
    option3_name = models.CharField(max_length=40, blank=True)

    api_fields = [
        APIField("short_description"),
        APIField("description"),
        APIField("brand", serializer=BrandField()),
        APIField("primary_category", serializer=PrimaryCategoryField()),
        APIField("categories", serializer=CategoryField(many=True)),
        APIField("tags"),
        APIField("option1_name"),
        APIField("option2_name"),
        APIField("option3_name"),
        APIField("images"),
        APIField("variants"),
        APIField("price_range"),
        APIField("last_published_at"),
    ]

    @property
    def price_range(self) -> dict | None:
        prices = [v.price for v in self.variants.all() if v.active]
        if not prices:
            return None
        return {"min": f"{min(prices):.2f}", "max": f"{max(prices):.2f}"}


class BenchVariant(Orderable):
    page = ParentalKey(
        BenchProductPage, on_delete=models.CASCADE, related_name="variants"
    )
    sku = models.CharField(max_length=64)
    option1 = models.CharField(max_length=60, blank=True)
    option2 = models.CharField(max_length=60, blank=True)
    option3 = models.CharField(max_length=60, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    compare_at_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(default=True)
    gtin = models.CharField(max_length=14, blank=True)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    length_cm = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True
    )
    width_cm = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True
    )
    height_cm = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True
    )

    api_fields = [
        APIField("sku"),
        APIField("option1"),
        APIField("option2"),
        APIField("option3"),
        APIField("price"),
        APIField("compare_at_price"),
        APIField("active"),
        APIField("gtin"),
        APIField("weight_grams"),
        APIField("length_cm"),
        APIField("width_cm"),
        APIField("height_cm"),
    ]


class BenchProductImage(Orderable):
    page = ParentalKey(
        BenchProductPage, on_delete=models.CASCADE, related_name="images"
    )
    image = models.ForeignKey(
        "wagtailimages.Image", on_delete=models.CASCADE, related_name="+"
    )
    alt = models.CharField(max_length=200, blank=True)

    api_fields = [
        APIField("alt"),
        *(
            APIField(name, serializer=ImageRenditionField(spec, source="image"))
            for name, spec in IMAGE_SIZES.items()
        ),
    ]
