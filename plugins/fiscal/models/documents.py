"""Fiscal documents (NF-e modelo 55), their events, the numbers inutilized and
the archive of every XML.

A :class:`FiscalDocument` is one NF-e: issued from an order (a sale), a return
(finNFe 4) or received from a supplier. Its signed XML is written once, when
it is built; the authoriser's answer adds the protocol and the ``nfeProc``
(the signed NF-e and its ``protNFe`` joined as strings, never re-serialised).

Every XML the project produces or receives also goes to :class:`ArchivedXml`,
which never deletes or changes a row: the legal record, kept for at least five
years, with a SHA-256 of its content checked when read.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from plugins.fiscal.models.emitters import Emitter, Environment
from plugins.money import MONEY


class DocumentStatus(models.TextChoices):
    # "NF-e" is feminine in Portuguese: with a context, the labels are not
    # Wagtail's masculine "Rejeitado", "Cancelado".
    DRAFT = "draft", pgettext_lazy("NF-e status", "Draft")
    SIGNED = "signed", pgettext_lazy("NF-e status", "Signed, not sent")
    SENT = "sent", pgettext_lazy("NF-e status", "Sent, awaiting the authoriser")
    AUTHORISED = "authorised", pgettext_lazy("NF-e status", "Authorised")
    REJECTED = "rejected", pgettext_lazy("NF-e status", "Rejected")
    DENIED = "denied", pgettext_lazy("NF-e status", "Denied")
    CANCELLED = "cancelled", pgettext_lazy("NF-e status", "Cancelled")
    INUTILIZED = "inutilized", pgettext_lazy("NF-e status", "Number inutilized")
    RECEIVED = "received", pgettext_lazy("NF-e status", "Received from a supplier")


class Operation(models.TextChoices):
    """What the document does: picks the tax rules and the CFOP."""

    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")
    TRANSFER = "transfer", _("Transfer")
    PURCHASE = "purchase", _("Purchase (received)")


#: Documents whose number is spent: nothing else may take it.
NUMBERED_STATUSES = (
    DocumentStatus.SIGNED,
    DocumentStatus.SENT,
    DocumentStatus.AUTHORISED,
    DocumentStatus.REJECTED,
    DocumentStatus.DENIED,
    DocumentStatus.CANCELLED,
)


class FiscalDocument(models.Model):
    emitter = models.ForeignKey(
        Emitter, on_delete=models.PROTECT, related_name="documents"
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="fiscal_documents",
        null=True,
        blank=True,
    )
    operation = models.CharField(
        _("operation"), max_length=10, choices=Operation.choices
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DocumentStatus.choices,
        default=DocumentStatus.DRAFT,
        db_index=True,
    )
    environment = models.CharField(
        _("environment"), max_length=1, choices=Environment.choices
    )
    series = models.PositiveSmallIntegerField(_("série"))
    number = models.PositiveIntegerField(_("number"))
    access_key = models.CharField(_("access key"), max_length=44, unique=True)
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    #: the signed NF-e as built and sent (never re-serialised)
    xml = models.TextField(_("signed XML"), blank=True)
    #: the signed NF-e and the authoriser's protNFe, joined as strings
    proc_xml = models.TextField(_("authorised XML (nfeProc)"), blank=True)
    protocol = models.CharField(_("protocol"), max_length=20, blank=True)
    status_code = models.CharField(_("status code"), max_length=4, blank=True)
    status_reason = models.CharField(_("status reason"), max_length=255, blank=True)
    authorised_at = models.DateTimeField(_("authorised at"), null=True, blank=True)
    #: the access key of the NF-e a return (or a complement) refers to
    referenced_key = models.CharField(_("referenced key"), max_length=44, blank=True)
    in_contingency = models.BooleanField(_("issued in contingency"), default=False)
    #: an attempt's answer was lost (a timeout, an answer that could not be
    #: read): the authoriser may have the document, which then goes again
    #: only to that authoriser (never rebuilt for another one)
    answer_lost = models.BooleanField(_("an answer was lost"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    #: the authoriser's receipt of the batch the document went in, while its
    #: result is awaited (asynchronous batches)
    receipt = models.CharField(_("receipt"), max_length=15, blank=True)
    recipient_name = models.CharField(_("recipient"), max_length=150, blank=True)
    recipient_document = models.CharField(
        _("recipient CPF/CNPJ"), max_length=14, blank=True, db_index=True
    )
    recipient_uf = models.CharField(_("recipient UF"), max_length=2, blank=True)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    #: per-document tax totals and CFOPs, for the listings and the
    #: accountant's summary: {"icms": "12.34", "cfops": ["5102"], ...}
    totals = models.JSONField(_("tax totals"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("NF-e")
        verbose_name_plural = _("NF-e")
        ordering = ["-issued_at", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["emitter", "environment", "series", "number"],
                condition=~models.Q(operation="purchase"),
                name="fiscal_document_number_unique",
            )
        ]
        indexes = [
            models.Index(fields=["emitter", "status", "issued_at"]),
            # the documents due for another attempt (services.authorisation)
            models.Index(
                fields=["status", "next_attempt_at"], name="fiscal_document_retry"
            ),
        ]

    def __str__(self) -> str:
        return f"NF-e {self.number} · {self.series}"


class EventKind(models.TextChoices):
    """The event's tpEvento."""

    CANCELLATION = "110111", _("Cancellation")
    CORRECTION = "110110", _("Correction letter (CC-e)")


class RegisteredRequest(models.Model):
    """A signed request to the authoriser (an event, an inutilização) and
    its answer: the registered XML (joined as strings), protocol and code."""

    xml = models.TextField(_("signed XML"))
    proc_xml = models.TextField(_("registered XML"), blank=True)
    protocol = models.CharField(_("protocol"), max_length=20, blank=True)
    status_code = models.CharField(_("status code"), max_length=4, blank=True)
    status_reason = models.CharField(_("status reason"), max_length=255, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class FiscalEvent(RegisteredRequest):
    """An event registered on an NF-e: its signed XML and the authoriser's
    answer (the procEventoNFe, joined as strings)."""

    document = models.ForeignKey(
        FiscalDocument, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=6, choices=EventKind.choices)
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    text = models.TextField(_("justification or correction"))

    class Meta(RegisteredRequest.Meta):
        verbose_name = _("NF-e event")
        verbose_name_plural = _("NF-e events")
        ordering = ["document", "kind", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "kind", "sequence"], name="fiscal_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sequence} · {self.document}"


class NumberGap(RegisteredRequest):
    """A range of numbers of a série that will never be used, inutilized at
    the authoriser with a justification."""

    emitter = models.ForeignKey(
        Emitter, on_delete=models.PROTECT, related_name="number_gaps"
    )
    environment = models.CharField(
        _("environment"), max_length=1, choices=Environment.choices
    )
    series = models.PositiveSmallIntegerField(_("série"))
    first_number = models.PositiveIntegerField(_("first number"))
    last_number = models.PositiveIntegerField(_("last number"))
    reason = models.CharField(_("justification"), max_length=255)

    class Meta(RegisteredRequest.Meta):
        verbose_name = _("inutilização")
        verbose_name_plural = _("inutilizações")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.series}: {self.first_number}–{self.last_number}"


class ArchivedXmlKind(models.TextChoices):
    ISSUED = "nfe", _("NF-e issued")
    EVENT = "event", _("Event")
    INUTILIZATION = "inut", _("Inutilization")
    RECEIVED = "received", _("NF-e received")


class ArchivedXmlQuerySet(models.QuerySet):
    def delete(self):
        raise ArchiveIsImmutable

    def update(self, **kwargs):
        raise ArchiveIsImmutable


class ArchiveIsImmutable(Exception):
    """The fiscal archive keeps every XML as it was stored: no change, no
    delete."""

    def __str__(self) -> str:
        return str(_("The fiscal archive cannot be changed or deleted."))


class ArchivedXml(models.Model):
    """One XML of the legal record, stored once, never changed or deleted."""

    kind = models.CharField(_("kind"), max_length=8, choices=ArchivedXmlKind.choices)
    emitter = models.ForeignKey(
        Emitter, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    document = models.ForeignKey(
        FiscalDocument,
        on_delete=models.PROTECT,
        related_name="archive",
        null=True,
        blank=True,
    )
    access_key = models.CharField(_("access key"), max_length=44, db_index=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    party_document = models.CharField(
        _("customer or supplier CPF/CNPJ"), max_length=14, blank=True, db_index=True
    )
    party_name = models.CharField(_("customer or supplier"), max_length=150, blank=True)
    content = models.TextField(_("XML"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    archived_at = models.DateTimeField(_("archived at"), auto_now_add=True)

    objects = ArchivedXmlQuerySet.as_manager()

    class Meta:
        verbose_name = _("archived XML")
        verbose_name_plural = _("archived XML")
        ordering = ["-issued_at"]
        permissions = [
            ("download_archive", _("Can download fiscal XML and monthly packages")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.access_key}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ArchiveIsImmutable
        self.sha256 = self.digest(self.content)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ArchiveIsImmutable

    @staticmethod
    def digest(content: str) -> str:
        return hashlib.sha256(content.encode("utf-8")).hexdigest()

    @property
    def intact(self) -> bool:
        """The content is what was stored (its hash matches)."""
        return self.digest(self.content) == self.sha256


class ReturnedItem(models.Model):
    """Units of one line of a sale that came back, and the NF-e that says
    so: a return NF-e the store issued (``document``, finNFe 4) or the
    customer's own NF-e de devolução, received and kept in the archive
    (``received``). The units a sale may still take back are its order
    lines' quantities less these (the store's return NF-e count while they
    are signed, sent or authorised)."""

    sale = models.ForeignKey(
        FiscalDocument, on_delete=models.PROTECT, related_name="returned_items"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        FiscalDocument,
        on_delete=models.PROTECT,
        related_name="return_items",
        null=True,
        blank=True,
    )
    received = models.ForeignKey(
        ArchivedXml,
        on_delete=models.PROTECT,
        related_name="return_items",
        null=True,
        blank=True,
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("returned item")
        verbose_name_plural = _("returned items")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="fiscal_returned_item_quantity_positive",
            ),
            # one of the two NF-e, never both
            models.CheckConstraint(
                condition=(
                    models.Q(document__isnull=False, received__isnull=True)
                    | models.Q(document__isnull=True, received__isnull=False)
                ),
                name="fiscal_returned_item_one_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line_id}"
