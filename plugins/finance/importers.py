"""The statement imports, through the import framework: a bank statement
(OFX, CSV with the account's mapping, CNAB 240 retorno) and an acquirer's or
marketplace's settlement report, each into one bank account.

Only a user holding ``finance.reconcile_bankaccount`` on the account (a
finance clerk granted it, the finance manager) may import into it: the
account's choices are those, and the import checks the account again when
it runs. Lines already stored (the same fingerprint in the account) are
counted, not stored again: importing a file twice adds nothing.

The ids of the lines an import stored are :meth:`StatementImporter.
imported_line_ids` (and ``StatementLine.objects.filter(import_job=job)``
afterwards); :meth:`StatementImporter.after_import` is where the automatic
reconciliation of those lines is to be called.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.finance.cnab import Occurrence
from plugins.finance.models import (
    BankAccount,
    LineSource,
    Payment,
    PaymentStatus,
    StatementLine,
)
from plugins.finance.statements import (
    CNAB_FILE_TYPES,
    CSV_FILE_TYPES,
    OFX_FILE_TYPES,
    STATEMENT_COLUMNS,
    cnab_sheet,
    csv_sheet,
    fingerprint,
    ofx_sheet,
    parse_amount,
    parse_date,
)
from plugins.importing.base import Column, Importer, Row, RowInvalid
from plugins.importing.errors import FileProblem
from plugins.importing.reader import read_sheet
from plugins.money import AmbiguousNumber, ForeignNumber, parse_br_decimal
from plugins.permissions import policy_for

RECONCILE = "reconcile"
MAX_AMOUNT = Decimal("9999999999.99")


def account_policy():
    return policy_for(BankAccount)


def accounts_to_import_into(user):
    """The active accounts ``user`` may import statements into."""
    return account_policy().scope_objects(user, RECONCILE).filter(active=True)


class AccountChoiceForm(forms.Form):
    """The bank account of the import: those the user may reconcile. The
    choice is stored as the account's id (the job's options are JSON)."""

    account = forms.TypedChoiceField(
        label=gettext_lazy("Bank account"),
        coerce=int,
        help_text=gettext_lazy("The account the statement is of."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", "---------")] + [
            (account.pk, f"{account.name} ({account.display_number})")
            for account in (accounts_to_import_into(user) if user is not None else [])
        ]


class StatementFormat:
    OFX = "ofx"
    CSV = "csv"
    CNAB = "cnab"

    choices = (
        (OFX, gettext_lazy("OFX (the bank's statement file)")),
        (CSV, gettext_lazy("CSV with the account's column mapping")),
        (CNAB, gettext_lazy("CNAB 240 retorno (Banco do Brasil cobrança)")),
    )


class StatementOptionsForm(AccountChoiceForm):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=StatementFormat.choices,
        initial=StatementFormat.OFX,
        widget=forms.RadioSelect,
    )


def _decimal(row: Row, column: str, value, decimal: str = ",") -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = parse_amount(value, decimal)
    except ValueError:
        raise RowInvalid(
            column, _("“%(value)s” is not an amount.") % {"value": value}
        ) from None
    if abs(number) > MAX_AMOUNT:
        raise RowInvalid(column, _("The amount is too large."))
    return number.quantize(Decimal("0.01"))


def _date(column: str, value, date_format: str) -> datetime.date:
    if value is None or value == "":
        raise RowInvalid(column, _("The date is missing."))
    try:
        return parse_date(value, date_format)
    except ValueError:
        raise RowInvalid(
            column, _("“%(value)s” is not a date.") % {"value": value}
        ) from None


class BankImporterMixin:
    """What both imports share: the account (checked again when the import
    runs), the fingerprints, skipping lines already stored, writing the new
    ones and keeping their ids."""

    permission = "finance.reconcile_bankaccount"
    counters = {
        "new_lines": gettext_lazy("New statement lines"),
        "existing_lines": gettext_lazy("Lines already imported"),
        "reconciled_lines": gettext_lazy("Lines reconciled automatically"),
    }

    def __init__(self, user, options=None, job=None):
        super().__init__(user, options, job)
        self._account = None
        self._seen = Counter()
        self._fingerprints: set[str] = set()
        self._line_ids: list[int] = []

    @classmethod
    def user_can_import(cls, user) -> bool:
        return bool(user.is_active) and account_policy().user_has_permission(
            user, RECONCILE
        )

    @property
    def account(self) -> BankAccount:
        """The chosen account, if the user may still import into it."""
        if self._account is None:
            account = BankAccount.objects.filter(
                pk=self.options.get("account"), active=True
            ).first()
            if account is None or not account_policy().user_has_permission_for_instance(
                self.user, RECONCILE, account
            ):
                raise FileProblem(
                    _("You may not import statements into this bank account.")
                )
            self._account = account
        return self._account

    def line_fingerprint(self, source: str, cleaned: dict) -> str:
        if cleaned.get("fitid"):
            return fingerprint(self.account.pk, source, "fitid", cleaned["fitid"])
        key = (
            cleaned["date"].isoformat(),
            str(cleaned["amount"]),
            cleaned.get("reference", ""),
            cleaned.get("description", ""),
            cleaned.get("order_number", ""),
            str(cleaned.get("installment") or ""),
        )
        # the same values twice in one file are two movements (two equal
        # transfers on a day): the occurrence tells them apart
        occurrence = self._seen[key]
        self._seen[key] += 1
        return fingerprint(self.account.pk, source, *key, occurrence)

    def mark_existing(self, rows: list[Row]) -> list[Row]:
        """Count the rows whose line is already stored (or repeats one of
        the file): returns the rows of new lines."""
        fingerprints = [row.cleaned["fingerprint"] for row in rows]
        stored = set(
            StatementLine.objects.filter(
                account=self.account, fingerprint__in=fingerprints
            ).values_list("fingerprint", flat=True)
        )
        new = []
        for row in rows:
            value = row.cleaned["fingerprint"]
            exists = value in stored or value in self._fingerprints
            row.cleaned["exists"] = exists
            self._fingerprints.add(value)
            if exists:
                self.counts["existing_lines"] += 1
            else:
                self.counts["new_lines"] += 1
                new.append(row)
        return new

    def write_lines(self, rows: list[Row], source: str) -> None:
        lines = [
            StatementLine(
                account=self.account,
                source=source,
                date=row.cleaned["date"],
                amount=row.cleaned["amount"],
                gross=row.cleaned.get("gross"),
                fee=row.cleaned.get("fee") or Decimal("0.00"),
                description=row.cleaned.get("description", "")[:255],
                reference=row.cleaned.get("reference", "")[:80],
                installment=row.cleaned.get("installment"),
                order_number=row.cleaned.get("order_number", "")[:40],
                balance=row.cleaned.get("balance"),
                fingerprint=row.cleaned["fingerprint"],
                import_job=self.job,
            )
            for row in rows
            if row.cleaned.get("line") and not row.cleaned.get("exists")
        ]
        if not lines:
            return
        StatementLine.objects.bulk_create(lines, ignore_conflicts=True)
        self._line_ids.extend(
            StatementLine.objects.filter(
                account=self.account,
                fingerprint__in=[line.fingerprint for line in lines],
            ).values_list("pk", flat=True)
        )

    # -- for reconciliation --------------------------------------------------

    def imported_line_ids(self) -> list[int]:
        """The ids of the statement lines this import stored (none in the
        dry run)."""
        return list(self._line_ids)

    def after_import(self) -> None:
        """Once every line is written, inside the import's transaction (not
        in the dry run): the new lines are reconciled automatically; what
        is left waits in the account's review queue."""
        from plugins.finance.services.reconciliation import reconcile

        ids = self.imported_line_ids()
        if ids:
            result = reconcile(self.account, lines=ids, user=self.user)
            self.counts["reconciled_lines"] = result.matched

    def result_url(self, job) -> str:
        from django.urls import reverse

        from plugins.finance.views_banking import LINES

        account = job.options.get("account")
        return reverse(f"{LINES}:index") + (f"?account={account}" if account else "")


class StatementImporter(BankImporterMixin, Importer):
    key = "finance.statement"
    verbose_name = gettext_lazy("Bank statement")
    columns = STATEMENT_COLUMNS
    options_form = StatementOptionsForm
    file_types = (*OFX_FILE_TYPES, *CSV_FILE_TYPES, ".ret", ".cnab")
    file_help_text = gettext_lazy(
        "OFX (.ofx), CSV (.csv, .txt) with the account's column mapping, or a "
        "CNAB 240 retorno (.ret, .txt)."
    )
    help_text = gettext_lazy(
        "Choose the bank account and the format of the file. An OFX statement "
        "is read as the bank exports it; a CSV through the column mapping saved "
        "on the account; a CNAB 240 retorno gives a credit line for each paid "
        "boleto and records what the bank says of each boleto (paid, written "
        "off, rejected) on its payment. Lines already imported are recognised "
        "and not stored again. The columns below are what each file is read "
        "into."
    )
    counters = {
        **BankImporterMixin.counters,
        "boletos_paid": gettext_lazy("Boletos paid"),
        "boletos_written_off": gettext_lazy("Boletos written off"),
        "boletos_rejected": gettext_lazy("Boletos rejected by the bank"),
        "boletos_unknown": gettext_lazy("Boletos without a payment here"),
    }

    @property
    def format(self) -> str:
        return self.options.get("format") or StatementFormat.OFX

    @property
    def source(self) -> str:
        return {
            StatementFormat.OFX: LineSource.OFX,
            StatementFormat.CSV: LineSource.CSV,
            StatementFormat.CNAB: LineSource.CNAB,
        }[self.format]

    @property
    def mapping(self) -> dict:
        return self.account.csv_mapping or {}

    def read_sheet(self, data, *, name, limits):
        account = self.account  # refuses an account out of reach first
        if self.format == StatementFormat.OFX:
            return ofx_sheet(data, limits=limits)
        if self.format == StatementFormat.CNAB:
            if not name.lower().endswith(CNAB_FILE_TYPES):
                raise FileProblem(
                    _("A CNAB retorno is a .ret or .txt file of the bank.")
                )
            return cnab_sheet(data, name=name, limits=limits)
        return csv_sheet(
            data, name=name, limits=limits, mapping=account.csv_mapping or {}
        )

    def check_row(self, row: Row) -> None:
        values = row.values
        mapping = self.mapping if self.format == StatementFormat.CSV else {}
        decimal = mapping.get("decimal", ",") if mapping else "auto"
        cleaned = row.cleaned
        cleaned["date"] = _date(
            "date", values.get("date"), mapping.get("date_format", "%d/%m/%Y")
        )
        amount = _decimal(row, "amount", values.get("amount"), decimal)
        if amount is None and self.format == StatementFormat.CSV:
            credit = _decimal(row, "credit", values.get("credit"), decimal)
            debit = _decimal(row, "debit", values.get("debit"), decimal)
            if credit is not None or debit is not None:
                amount = abs(credit or 0) - abs(debit or 0)
        if amount is None:
            raise RowInvalid("amount", _("The amount is missing."))
        cleaned["amount"] = amount
        cleaned["balance"] = _decimal(row, "balance", values.get("balance"), decimal)
        cleaned["gross"] = _decimal(row, "gross", values.get("gross"))
        cleaned["fee"] = _decimal(row, "fee", values.get("fee"))
        cleaned["description"] = str(values.get("description") or "")
        cleaned["reference"] = str(values.get("reference") or "")
        cleaned["fitid"] = str(values.get("fitid") or "")
        cleaned["occurrence"] = values.get("occurrence") or ""
        if self.format == StatementFormat.CNAB:
            # only a paid título is money in the account
            cleaned["line"] = cleaned["occurrence"] == Occurrence.PAID
        else:
            cleaned["line"] = amount != 0
            if not cleaned["line"]:
                raise RowInvalid("amount", _("A movement of zero is not a line."))
        cleaned["fingerprint"] = self.line_fingerprint(self.source, cleaned)

    def check_batch(self, rows: list[Row]) -> None:
        lines = [row for row in rows if row.cleaned["line"]]
        self.mark_existing(lines)
        if self.format == StatementFormat.CNAB:
            self._check_boletos(rows)

    # -- CNAB: the boletos' payments --------------------------------------------

    OUTCOMES = {
        Occurrence.PAID: (PaymentStatus.APPROVED, "boletos_paid"),
        Occurrence.WRITTEN_OFF: (PaymentStatus.CANCELLED, "boletos_written_off"),
        Occurrence.REJECTED: (PaymentStatus.REJECTED, "boletos_rejected"),
    }

    def _payments(self, rows: list[Row]) -> dict[str, Payment]:
        numbers = [
            row.cleaned["reference"]
            for row in rows
            if row.cleaned["occurrence"] in self.OUTCOMES
        ]
        if not numbers:
            return {}
        return {
            payment.nosso_numero: payment
            for payment in Payment.objects.filter(
                nosso_numero__in=numbers, method="boleto"
            )
        }

    def _check_boletos(self, rows: list[Row]) -> None:
        from plugins.finance.services.payments import RANK

        payments = self._payments(rows)
        for row in rows:
            outcome = self.OUTCOMES.get(row.cleaned["occurrence"])
            if outcome is None:
                continue
            status, counter = outcome
            payment = payments.get(row.cleaned["reference"])
            row.cleaned["payment"] = payment
            if payment is None:
                self.counts["boletos_unknown"] += 1
            elif RANK[status] > RANK[PaymentStatus(payment.status)]:
                self.counts[counter] += 1

    def _apply_boletos(self, rows: list[Row]) -> None:
        from plugins.finance.services.payments import apply_status

        for row in rows:
            outcome = self.OUTCOMES.get(row.cleaned["occurrence"])
            payment = row.cleaned.get("payment")
            if outcome is None or payment is None:
                continue
            status, _counter = outcome
            paid_at = None
            if status == PaymentStatus.APPROVED:
                paid_at = timezone.make_aware(
                    datetime.datetime.combine(row.cleaned["date"], datetime.time(12))
                )
            apply_status(
                payment,
                status,
                paid_at=paid_at,
                fee=row.cleaned["fee"] if status == PaymentStatus.APPROVED else None,
                source="cnab",
                user=self.user,
            )

    def write_batch(self, rows: list[Row]) -> None:
        self.write_lines(rows, self.source)
        if self.format == StatementFormat.CNAB:
            self._apply_boletos(rows)


# -- settlement reports ------------------------------------------------------------

SETTLEMENT_COLUMNS = (
    Column(
        "date",
        gettext_lazy("date of the settlement"),
        required=True,
        help_text=gettext_lazy("dd/mm/aaaa or aaaa-mm-dd"),
    ),
    Column(
        "reference",
        gettext_lazy("the provider's transaction id or payout id"),
        required=True,
    ),
    Column("order", gettext_lazy("order number")),
    Column("installment", gettext_lazy("installment number")),
    Column("gross", gettext_lazy("gross amount")),
    Column("fee", gettext_lazy("fee (MDR, commission)")),
    Column(
        "net",
        gettext_lazy("net amount deposited"),
        required=True,
        help_text=gettext_lazy("negative for a chargeback or a refund taken back"),
    ),
    Column("description", gettext_lazy("description")),
)
SETTLEMENT_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y")


def _settlement_decimal(column: str, value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        try:
            number = parse_br_decimal(str(value))
        except AmbiguousNumber:
            raise RowInvalid(
                column,
                _("“%(value)s” is ambiguous: write the cents (1.234,00).")
                % {"value": value},
            ) from None
        except (ForeignNumber, ValueError):
            raise RowInvalid(
                column, _("“%(value)s” is not an amount.") % {"value": value}
            ) from None
    if abs(number) > MAX_AMOUNT:
        raise RowInvalid(column, _("The amount is too large."))
    return number.quantize(Decimal("0.01"))


def _settlement_date(value) -> datetime.date:
    for date_format in SETTLEMENT_DATE_FORMATS:
        try:
            return parse_date(value, date_format)
        except ValueError:
            continue
    if value is None or value == "":
        raise RowInvalid("date", _("The date is missing."))
    raise RowInvalid("date", _("“%(value)s” is not a date.") % {"value": value})


class SettlementImporter(BankImporterMixin, Importer):
    key = "finance.settlement"
    verbose_name = gettext_lazy("Settlement report")
    columns = SETTLEMENT_COLUMNS
    options_form = AccountChoiceForm
    help_text = gettext_lazy(
        "The settlement report of an acquirer or a marketplace: one row per "
        "installment or payout, with its gross, fee and net. Choose the bank "
        "account the provider deposits into; each row becomes a line of that "
        "account with the net as its amount. Rows already imported are "
        "recognised and not stored again."
    )

    def read_sheet(self, data, *, name, limits):
        self.account  # noqa: B018 - refuses an account out of reach first
        return read_sheet(data, name=name, limits=limits)

    def check_row(self, row: Row) -> None:
        values = row.values
        cleaned = row.cleaned
        cleaned["date"] = _settlement_date(values.get("date"))
        cleaned["reference"] = str(values.get("reference") or "")
        cleaned["order_number"] = str(values.get("order") or "")
        installment = values.get("installment")
        if installment in (None, ""):
            cleaned["installment"] = None
        else:
            try:
                cleaned["installment"] = int(str(installment).strip())
            except ValueError:
                raise RowInvalid(
                    "installment",
                    _("“%(value)s” is not an installment number.")
                    % {"value": installment},
                ) from None
            if not 1 <= cleaned["installment"] <= 99:
                raise RowInvalid("installment", _("Installments go from 1 to 99."))
        gross = _settlement_decimal("gross", values.get("gross"))
        fee = _settlement_decimal("fee", values.get("fee"))
        net = _settlement_decimal("net", values.get("net"))
        if net is None:
            raise RowInvalid("net", _("The net amount is missing."))
        if net == 0:
            raise RowInvalid("net", _("A movement of zero is not a line."))
        fee = abs(fee) if fee is not None else None
        if gross is not None and fee is not None and abs(gross) - fee != abs(net):
            raise RowInvalid(
                "net",
                _("The net amount is not the gross less the fee."),
            )
        cleaned.update(
            amount=net,
            gross=gross,
            fee=fee,
            description=str(values.get("description") or ""),
            line=True,
        )
        cleaned["fingerprint"] = self.line_fingerprint(LineSource.SETTLEMENT, cleaned)

    def check_batch(self, rows: list[Row]) -> None:
        self.mark_existing(rows)

    def write_batch(self, rows: list[Row]) -> None:
        self.write_lines(rows, LineSource.SETTLEMENT)
