from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Shelf(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"), default=10)
    units = models.PositiveIntegerField(_("units"), default=0)

    class Meta:
        verbose_name = _("shelf")
        verbose_name_plural = _("shelves")
        ordering = ["code"]
        permissions = [("restock_shelf", _("Can restock shelf"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(units__lte=F("capacity")),
                name="shelves_shelf_units_within_capacity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ShelfItem(models.Model):
    """A product placed on a shelf: rows scoped by their shelf."""

    shelf = models.ForeignKey(
        Shelf, on_delete=models.CASCADE, related_name="items", verbose_name=_("shelf")
    )
    sku = models.CharField(_("SKU"), max_length=40)
    facings = models.PositiveIntegerField(_("facings"), default=1)

    class Meta:
        verbose_name = _("shelf item")
        verbose_name_plural = _("shelf items")
        ordering = ["shelf__code", "sku"]
        constraints = [
            models.UniqueConstraint(
                fields=["shelf", "sku"], name="shelves_item_unique_sku"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} @ {self.shelf.code}"
