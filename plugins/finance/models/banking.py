"""Bank accounts, the lines of their statements and the reconciliation
matches that tie a line to what it pays or settles.

Bank accounts are scope objects (django-guardian): a finance clerk sees,
imports and reconciles the statements of the accounts granted to them.

A :class:`StatementLine` is one movement the bank (or an acquirer's or
marketplace's settlement report) says happened: signed ``amount`` (credits
positive, debits negative), with ``gross``/``fee`` when a settlement report
states them. Each line is stored once per account (``fingerprint``): an
imported file read twice adds nothing.

A :class:`Match` books part or all of a line against one receivable or one
bill installment. A line may have several matches (a payout settling many
receivables, a split by hand) and a title several lines (partial payments).
Matches are never deleted: undoing one stamps ``undone_at``, so every match
and unmatch stays on record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from plugins.finance.models.payables import BillInstallment
from plugins.finance.models.receivables import Receivable
from plugins.money import MONEY


class BankAccount(models.Model):
    """A store's account at a bank (or a payment account that holds money,
    such as a Mercado Pago balance)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    bank_code = models.CharField(
        _("bank code"),
        max_length=3,
        help_text=_("The three digits of the bank (COMPE), e.g. 001, 341, 260."),
    )
    bank_name = models.CharField(_("bank"), max_length=80, blank=True)
    agency = models.CharField(_("agency"), max_length=10)
    number = models.CharField(
        _("account number"), max_length=20, help_text=_("With its check digit.")
    )
    opening_balance = models.DecimalField(_("opening balance"), default=0, **MONEY)
    opening_date = models.DateField(
        _("opening balance on"),
        null=True,
        blank=True,
        help_text=_("The balance above is the balance at the start of this day."),
    )
    active = models.BooleanField(_("active"), default=True)
    csv_mapping = models.JSONField(
        _("CSV column mapping"),
        default=dict,
        blank=True,
        help_text=_(
            "The columns of this bank's CSV statement: which column holds the "
            "date, the amount, the description and the reference."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["name"]
        permissions = [
            ("reconcile_bankaccount", _("Can import and reconcile statements")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_number(self) -> str:
        return f"{self.bank_code} · {self.agency} / {self.number}"


class LineSource(models.TextChoices):
    OFX = "ofx", _("OFX statement")
    CSV = "csv", _("CSV statement")
    CNAB = "cnab", _("CNAB retorno")
    SETTLEMENT = "settlement", _("Settlement report")
    MANUAL = "manual", _("Typed by hand")


class LineStatus(models.TextChoices):
    UNMATCHED = "unmatched", _("To reconcile")
    PARTIAL = "partial", _("Partly reconciled")
    MATCHED = "matched", _("Reconciled")
    IGNORED = "ignored", _("Ignored")


class StatementLine(models.Model):
    Source = LineSource
    Status = LineStatus

    account = models.ForeignKey(
        BankAccount,
        on_delete=models.PROTECT,
        related_name="lines",
        verbose_name=_("bank account"),
    )
    source = models.CharField(_("source"), max_length=12, choices=LineSource.choices)
    date = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"),
        help_text=_("Credits are positive, debits negative."),
        **MONEY,
    )
    gross = models.DecimalField(_("gross"), null=True, blank=True, **MONEY)
    fee = models.DecimalField(_("fee"), default=0, **MONEY)
    description = models.CharField(_("description"), max_length=255, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=80,
        blank=True,
        help_text=_(
            "The bank's or provider's id of the movement: transaction id, Pix "
            "txid, nosso número, order number."
        ),
    )
    installment = models.PositiveSmallIntegerField(
        _("installment"), null=True, blank=True
    )
    order_number = models.CharField(
        _("order number"),
        max_length=40,
        blank=True,
        help_text=_("The order a settlement report names for the movement."),
    )
    counterparty = models.CharField(_("counterparty"), max_length=120, blank=True)
    balance = models.DecimalField(_("balance after"), null=True, blank=True, **MONEY)
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=LineStatus.choices,
        default=LineStatus.UNMATCHED,
    )
    matched_amount = models.DecimalField(_("reconciled amount"), default=0, **MONEY)
    ignored_reason = models.CharField(_("reason"), max_length=255, blank=True)
    import_job = models.ForeignKey(
        "plugins.ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("import"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "fingerprint"],
                name="finance_statementline_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="ignored") | ~Q(ignored_reason=""),
                name="finance_statementline_ignored_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "status", "date"]),
            models.Index(fields=["reference"]),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.description or self.reference}"

    @property
    def open_amount(self):
        """What is left of the line to reconcile."""
        return abs(self.amount) - self.matched_amount


class MatchRule(models.TextChoices):
    TRANSACTION_ID = "id", _("Transaction id")
    REFERENCE = "reference", pgettext_lazy("match rule", "Reference")
    AMOUNT_DATE = "amount_date", _("Amount and date")
    BATCH = "batch", _("Batch payout")
    PARTIAL = "partial", _("Partial payment")
    MANUAL = "manual", _("By hand")


class Match(models.Model):
    """Part or all of a statement line booked against one receivable or one
    bill installment. ``amount`` is what the title receives from the line;
    ``fee`` the difference within tolerance booked as a fee (an acquirer's
    fee, a rounding). Undone matches stay, stamped."""

    Rule = MatchRule

    line = models.ForeignKey(
        StatementLine,
        on_delete=models.PROTECT,
        related_name="matches",
        verbose_name=_("statement line"),
    )
    receivable = models.ForeignKey(
        Receivable,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("receivable"),
    )
    installment = models.ForeignKey(
        BillInstallment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("bill installment"),
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    fee = models.DecimalField(_("fee"), default=0, **MONEY)
    rule = models.CharField(_("rule"), max_length=12, choices=MatchRule.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matched by"),
    )
    created_at = models.DateTimeField(_("matched at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undo_reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("reconciliation match")
        verbose_name_plural = _("reconciliation matches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # exactly one target
            models.CheckConstraint(
                condition=Q(receivable__isnull=False, installment__isnull=True)
                | Q(receivable__isnull=True, installment__isnull=False),
                name="finance_match_one_target",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0, fee__gte=0), name="finance_match_amounts"
            ),
        ]
        indexes = [models.Index(fields=["line", "undone_at"])]

    def __str__(self) -> str:
        return f"{self.line} → {self.receivable or self.installment}"

    @property
    def active(self) -> bool:
        return self.undone_at is None
