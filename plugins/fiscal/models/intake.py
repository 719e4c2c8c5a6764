"""Supplier NF-e received (entrada): the document as it came, its lines with
the catalog variant each was matched to, and the supplier product codes a
person matched by hand, remembered for the next NF-e of that supplier.

A received NF-e is a *receipt draft* until a person confirms it (the stock
entries are then posted into the warehouse they choose) or discards it.

The finance plugin and the stock plugin are optional for fiscal: the bill
to pay and the warehouse are kept as plain ids (``finance_bill_id``,
``warehouse_id``), not foreign keys, so that the fiscal tables migrate and
work without those apps installed; :attr:`SupplierInvoice.bill` and
:attr:`SupplierInvoice.warehouse` resolve them when the app is there. The
stock movements of a confirmed receipt point back at the invoice by its
access key (``reference``).

Rows change only through :mod:`plugins.fiscal.services.intake`.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plugins.fiscal.models.emitters import Emitter, Environment
from plugins.money import MONEY

FINANCE_APP = "plugins.finance"
STOCK_APP = "plugins.stock"


class SupplierInvoiceStatus(models.TextChoices):
    RECEIVED = "received", _("Received, to confirm")
    CONFIRMED = "confirmed", _("Receipt confirmed")
    DISCARDED = "discarded", _("Discarded")


class MatchedBy(models.TextChoices):
    """How a line found its catalog variant."""

    GTIN = "gtin", _("GTIN")
    MAPPING = "mapping", _("Saved supplier code")
    MANUAL = "manual", _("By hand")


class SupplierInvoice(models.Model):
    """An NF-e a supplier issued to one of our emitters."""

    Status = SupplierInvoiceStatus

    emitter = models.ForeignKey(
        Emitter,
        on_delete=models.PROTECT,
        related_name="supplier_invoices",
        verbose_name=_("recipient"),
    )
    access_key = models.CharField(_("access key"), max_length=44, unique=True)
    supplier_cnpj = models.CharField(_("supplier CNPJ"), max_length=14, db_index=True)
    supplier_name = models.CharField(_("supplier"), max_length=150)
    supplier_ie = models.CharField(_("supplier IE"), max_length=14, blank=True)
    supplier_uf = models.CharField(_("supplier UF"), max_length=2, blank=True)
    number = models.PositiveIntegerField(_("number"))
    series = models.PositiveSmallIntegerField(_("série"))
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    environment = models.CharField(
        _("environment"), max_length=1, choices=Environment.choices
    )
    total = models.DecimalField(_("total"), **MONEY)
    #: the authoriser's protocol, when the file was an nfeProc
    protocol = models.CharField(_("authorisation protocol"), max_length=20, blank=True)
    #: the file as it was received (never re-serialised)
    xml = models.TextField(_("XML as received"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SupplierInvoiceStatus.choices,
        default=SupplierInvoiceStatus.RECEIVED,
        db_index=True,
    )
    #: the finance plugin's Bill (a plain id: finance is optional)
    finance_bill_id = models.PositiveBigIntegerField(
        _("bill to pay"), null=True, blank=True, db_index=True
    )
    #: the stock plugin's Warehouse the goods went into (a plain id: stock
    #: is optional)
    warehouse_id = models.PositiveBigIntegerField(_("warehouse"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("discarded by"),
    )
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True)
    discard_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("supplier NF-e")
        verbose_name_plural = _("supplier NF-e")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0), name="fiscal_supplierinvoice_total"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="fiscal_supplierinvoice_confirmed",
            ),
            models.CheckConstraint(
                condition=~Q(status="discarded")
                | (Q(discarded_at__isnull=False) & ~Q(discard_reason="")),
                name="fiscal_supplierinvoice_discarded",
            ),
        ]
        indexes = [models.Index(fields=["emitter", "status", "issued_at"])]

    def __str__(self) -> str:
        return _("NF-e %(number)s · %(supplier)s") % {
            "number": self.number,
            "supplier": self.supplier_name,
        }

    @property
    def supplier_cnpj_display(self) -> str:
        from content.validators import format_document

        return format_document(self.supplier_cnpj)

    @property
    def bill(self):
        """The finance plugin's bill to pay, when finance is installed."""
        if self.finance_bill_id is None or not apps.is_installed(FINANCE_APP):
            return None
        from plugins.finance.models import Bill

        return Bill.objects.filter(pk=self.finance_bill_id).first()

    @property
    def warehouse(self):
        """The stock plugin's warehouse, when stock is installed."""
        if self.warehouse_id is None or not apps.is_installed(STOCK_APP):
            return None
        from plugins.stock.models import Warehouse

        return Warehouse.objects.filter(pk=self.warehouse_id).first()


class SupplierInvoiceLine(models.Model):
    """One ``det`` of a received NF-e and the variant it was matched to."""

    invoice = models.ForeignKey(
        SupplierInvoice, on_delete=models.CASCADE, related_name="lines"
    )
    item = models.PositiveSmallIntegerField(_("item"))
    code = models.CharField(_("supplier's code"), max_length=60)
    description = models.CharField(_("description"), max_length=120)
    gtin = models.CharField(_("GTIN/EAN"), max_length=14, blank=True)
    ncm = models.CharField(_("NCM"), max_length=8, blank=True)
    cfop = models.CharField(_("CFOP"), max_length=4)
    quantity = models.DecimalField(_("quantity"), max_digits=15, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=6)
    unit_value = models.DecimalField(_("unit value"), max_digits=21, decimal_places=10)
    total = models.DecimalField(_("total"), **MONEY)
    variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("variant"),
    )
    matched_by = models.CharField(
        _("matched by"), max_length=8, choices=MatchedBy.choices, blank=True
    )
    #: the catalog units this line brings into stock (the supplier's
    #: quantity times the saved factor); set when the receipt is confirmed,
    #: 0 for a line that does not go into stock
    units = models.PositiveIntegerField(_("units into stock"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplier NF-e line")
        verbose_name_plural = _("supplier NF-e lines")
        ordering = ["invoice", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "item"], name="fiscal_supplierinvoiceline_item"
            ),
            models.CheckConstraint(
                condition=Q(variant__isnull=True, matched_by="")
                | Q(variant__isnull=False) & ~Q(matched_by=""),
                name="fiscal_supplierinvoiceline_matched",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.code} {self.description}"


class SupplierProductCode(models.Model):
    """What a supplier's product code (``cProd``) is in our catalog: learned
    when a person matches a line by hand, used for that supplier's next
    NF-e. ``factor`` converts the supplier's unit into ours (a box of 12)."""

    supplier_cnpj = models.CharField(_("supplier CNPJ"), max_length=14)
    code = models.CharField(_("supplier's code"), max_length=60)
    variant = models.ForeignKey(
        "content.Variant",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("variant"),
    )
    factor = models.PositiveIntegerField(
        _("units per item"),
        default=1,
        help_text=_("Catalog units in one unit of the supplier's (e.g. 12 a box)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )
    updated_at = models.DateTimeField(_("saved at"), auto_now=True)

    class Meta:
        verbose_name = _("supplier product code")
        verbose_name_plural = _("supplier product codes")
        ordering = ["supplier_cnpj", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier_cnpj", "code"], name="fiscal_supplierproductcode_once"
            ),
            models.CheckConstraint(
                condition=Q(factor__gte=1), name="fiscal_supplierproductcode_factor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier_cnpj} · {self.code} → {self.variant_id}"
