"""Payables (contas a pagar): suppliers, the chart of accounts the expenses
are classified in, bills with one row per installment, and the files that
come with a bill (the supplier's boleto, the invoice).

A bill's installments add up to its total to the centavo. A bill above the
approval limit (``RETAGUARDA_FINANCE_APPROVAL_ABOVE``) waits for a second
person's approval before any installment may be paid; under it, its
installments are approved when it is recorded. Bills and installments change
only through :mod:`plugins.finance.services.payables`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from content.validators import (
    format_document,
    normalise_document,
    validate_document,
)
from plugins.finance.querysets import BillInstallmentQuerySet, BillQuerySet
from plugins.money import MONEY
from plugins.orders.models import HALF_CENT
from plugins.storage import private_storage

#: The deepest a category of the chart of accounts may sit (1 = a root).
CHART_MAX_DEPTH = 3


class Supplier(models.Model):
    """Someone the store pays: a merchandise supplier, a carrier, a landlord,
    a service provider. Deactivated, never deleted (bills point at them)."""

    class AccountType(models.TextChoices):
        CHECKING = "checking", _("Checking account")
        SAVINGS = "savings", _("Savings account")
        PAYMENT = "payment", _("Payment account")

    name = models.CharField(_("name"), max_length=150)
    document = models.CharField(
        _("CPF or CNPJ"),
        max_length=14,
        unique=True,
        help_text=_("Check digits are validated; punctuation is optional."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    pix_key = models.CharField(
        _("Pix key"),
        max_length=77,
        blank=True,
        help_text=_("CPF, CNPJ, e-mail, phone starting with +55 or random key."),
    )
    bank_code = models.CharField(
        _("bank"),
        max_length=3,
        blank=True,
        help_text=_("The bank's three-digit code, e.g. 001 for Banco do Brasil."),
    )
    bank_branch = models.CharField(_("branch"), max_length=10, blank=True)
    bank_account = models.CharField(
        _("account"),
        max_length=20,
        blank=True,
        help_text=_("With its check digit, e.g. 12345-6."),
    )
    bank_account_type = models.CharField(
        _("account type"), max_length=10, choices=AccountType.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(document=""), name="finance_supplier_document"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def document_display(self) -> str:
        return format_document(self.document)

    def clean(self):
        from plugins.finance.pix import PixError, parse_pix_key

        super().clean()
        errors = {}
        self.document = normalise_document(self.document)
        try:
            validate_document(self.document)
        except ValidationError as error:
            errors["document"] = error.messages
        if self.pix_key:
            try:
                self.pix_key = parse_pix_key(self.pix_key).value
            except PixError as error:
                errors["pix_key"] = [error.message]
        if self.bank_code:
            if not (len(self.bank_code) == 3 and self.bank_code.isdigit()):
                errors["bank_code"] = [_("A bank's code has three digits.")]
        bank = (self.bank_code, self.bank_branch, self.bank_account)
        if any(bank) and not all(bank):
            errors["bank_account"] = [
                _("Fill in the bank, the branch and the account, or none of them.")
            ]
        if errors:
            raise ValidationError(errors)


class BillCategory(models.Model):
    """A line of the chart of accounts (plano de contas) that bills are
    classified in: "02 Frete e logística", "07.01 Salários" under "07
    Pessoal". Deactivated, never deleted (bills point at them)."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Orders the chart, e.g. 07 for a group and 07.01 inside it."),
    )
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("inside"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("expense category")
        verbose_name_plural = _("expense categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code="") & ~Q(name=""), name="finance_billcategory_named"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        super().clean()
        depth, node = 1, self.parent
        while node is not None:
            if self.pk is not None and node.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A category cannot be inside itself.")}
                )
            depth += 1
            node = node.parent
        if depth > CHART_MAX_DEPTH:
            raise ValidationError(
                {
                    "parent": _("The chart of accounts goes %(max)s levels deep.")
                    % {"max": CHART_MAX_DEPTH}
                }
            )


# Statuses of a bill (conta) and of an installment (parcela), both feminine
# in Portuguese: their own context, apart from orders' and payments' "Paid".
class BillStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", pgettext_lazy("bill", "Awaiting approval")
    OPEN = "open", pgettext_lazy("bill", "To pay")
    PARTIALLY_PAID = "partially_paid", pgettext_lazy("bill", "Partially paid")
    PAID = "paid", pgettext_lazy("bill", "Paid")
    CANCELLED = "cancelled", pgettext_lazy("bill", "Cancelled")


class InstallmentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("bill", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("bill", "Approved")
    PAID = "paid", pgettext_lazy("bill", "Paid")
    CANCELLED = "cancelled", pgettext_lazy("bill", "Cancelled")


#: Installments still to be paid (one rule: "unpaid").
UNPAID_STATUSES = (InstallmentStatus.OPEN, InstallmentStatus.APPROVED)
#: Bills nothing more is done with.
CLOSED_BILL_STATUSES = (BillStatus.PAID, BillStatus.CANCELLED)


class Bill(models.Model):
    """A bill to pay (conta a pagar): what the store owes a supplier, in one
    or more installments."""

    Status = BillStatus

    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="bills",
        verbose_name=_("supplier"),
    )
    category = models.ForeignKey(
        BillCategory,
        on_delete=models.PROTECT,
        related_name="bills",
        verbose_name=_("category"),
    )
    description = models.CharField(_("description"), max_length=200)
    document_number = models.CharField(
        _("document number"),
        max_length=60,
        blank=True,
        help_text=_("The invoice's (NF-e) or the supplier's document number."),
    )
    issue_date = models.DateField(_("issued on"))
    total = models.DecimalField(_("total"), **MONEY)
    status = models.CharField(
        _("status"), max_length=20, choices=BillStatus.choices, default=BillStatus.OPEN
    )
    requires_approval = models.BooleanField(
        _("needs approval"),
        default=False,
        help_text=_("Its total was above the approval limit when it was recorded."),
    )
    bank_account = models.ForeignKey(
        "finance.BankAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bills",
        verbose_name=_("paid from"),
        help_text=_(
            "The bank account its installments are paid from: where they leave "
            "in the cash flow."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("cancellation reason"), max_length=500, blank=True
    )

    objects = BillQuerySet.as_manager()

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("approve_bill", _("Can approve a bill above the approval limit")),
            ("pay_bill", _("Can record the payment of a bill")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="finance_bill_total"),
            # The second person: whoever recorded a bill never approves it.
            models.CheckConstraint(
                condition=~Q(approved_by=F("created_by")),
                name="finance_bill_approved_by_another",
            ),
            models.UniqueConstraint(
                fields=["supplier", "document_number"],
                condition=~Q(document_number="") & ~Q(status="cancelled"),
                name="finance_bill_document_once_per_supplier",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.supplier} · {self.document_number or self.description}"

    @property
    def awaiting_approval(self) -> bool:
        return self.status == BillStatus.AWAITING_APPROVAL


class BillInstallment(models.Model):
    """One installment of a bill: its due date and amount, and, once paid,
    when, how much and from where."""

    Status = InstallmentStatus

    bill = models.ForeignKey(
        Bill,
        on_delete=models.CASCADE,
        related_name="installments",
        verbose_name=_("bill"),
    )
    number = models.PositiveSmallIntegerField(_("installment"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InstallmentStatus.choices,
        default=InstallmentStatus.OPEN,
    )
    boleto_line = models.CharField(
        _("boleto line"),
        max_length=47,
        blank=True,
        help_text=_("The 47 digits of the supplier's boleto (linha digitável)."),
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    amount_paid = models.DecimalField(_("amount paid"), null=True, blank=True, **MONEY)
    interest = models.DecimalField(_("interest"), default=0, **MONEY)
    fine = models.DecimalField(_("fine"), default=0, **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    paid_from = models.CharField(
        _("paid from"),
        max_length=100,
        blank=True,
        help_text=_("The bank account the money left from."),
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment recorded by"),
    )
    paid_at = models.DateTimeField(_("payment recorded at"), null=True, blank=True)
    payment_note = models.CharField(_("note"), max_length=500, blank=True)

    objects = BillInstallmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("bill installment")
        verbose_name_plural = _("bill installments")
        ordering = ["due_date", "bill_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["bill", "number"], name="finance_billinstallment_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, amount__gt=0)
                & Q(interest__gte=0, fine__gte=0, discount__gte=0),
                name="finance_billinstallment_amounts",
            ),
            # Paid: when and how much, which is the amount with interest and
            # fine, less the discount (within half a centavo: SQLite computes
            # in floating point).
            models.CheckConstraint(
                condition=~Q(status="paid")
                | (
                    Q(paid_on__isnull=False, amount_paid__isnull=False)
                    & Q(
                        amount_paid__gte=F("amount")
                        + F("interest")
                        + F("fine")
                        - F("discount")
                        - HALF_CENT
                    )
                    & Q(
                        amount_paid__lte=F("amount")
                        + F("interest")
                        + F("fine")
                        - F("discount")
                        + HALF_CENT
                    )
                ),
                name="finance_billinstallment_paid",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.bill} · {self.number}"

    @property
    def payable(self) -> bool:
        """May be recorded as paid now: approved (by a second person, or by
        being at or under the limit) and not paid or cancelled."""
        return self.status == InstallmentStatus.APPROVED

    @property
    def unpaid(self) -> bool:
        return self.status in UNPAID_STATUSES

    @property
    def formatted_boleto_line(self) -> str:
        line = self.boleto_line
        if len(line) != 47:
            return line
        return (
            f"{line[0:5]}.{line[5:10]} {line[10:15]}.{line[15:21]} "
            f"{line[21:26]}.{line[26:32]} {line[32]} {line[33:]}"
        )


class BillAttachment(models.Model):
    """A file that came with a bill: the supplier's boleto, the invoice.
    Stored in the private storage (never under a public address) and served
    only to those who may see the bill."""

    class Kind(models.TextChoices):
        BOLETO = "boleto", _("Boleto")
        INVOICE = "invoice", _("Invoice")
        RECEIPT = "receipt", _("Payment receipt")
        OTHER = "other", _("Other")

    bill = models.ForeignKey(
        Bill,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("bill"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="finance/bills/%Y/%m/"
    )
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bill attachment")
        verbose_name_plural = _("bill attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
