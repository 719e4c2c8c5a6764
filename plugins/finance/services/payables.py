"""Payables: recording a bill in installments, the second person's approval
above the limit, recording payments, cancelling, a supplier's boleto per
installment and the files that come with a bill.

Every operation checks the user's permission (``PermissionDenied``), checks
all its input before writing anything (:class:`~plugins.finance.exceptions.
InvalidBill` naming the field), runs in one transaction under the bill's row
lock (the bill first, then its installments by number) and writes one audit
log entry on the bill. A bill's status follows from its installments
(:func:`bill_status`), recomputed in the same transaction.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.finance.attachments import check_attachment
from plugins.finance.boleto import BoletoError, parse_boleto
from plugins.finance.exceptions import (
    ApprovalRefused,
    BillClosed,
    BillNotPayable,
    InvalidBill,
)
from plugins.finance.models import (
    CLOSED_BILL_STATUSES,
    Bill,
    BillAttachment,
    BillCategory,
    BillInstallment,
    BillStatus,
    InstallmentStatus,
    Supplier,
)
from plugins.finance.permissions import (
    PayablesPerm,
    user_may,
    visible_bank_accounts,
)
from plugins.money import MONEY, format_brl
from plugins.orders.money import CENT, ZERO, installment_amounts

#: The most installments a bill is split into.
MAX_BILL_INSTALLMENTS = 60
#: The longest interval between two installments, in days.
MAX_INTERVAL_DAYS = 366
MAX_AMOUNT = Decimal(10 ** (MONEY["max_digits"] - MONEY["decimal_places"])) - CENT


@dataclass(frozen=True)
class NewAttachment:
    """A file to attach: its :class:`BillAttachment.Kind` and the upload."""

    kind: str
    file: File


def approval_limit() -> Decimal:
    """Bills above this total wait for a second person's approval."""
    return settings.RETAGUARDA_FINANCE_APPROVAL_ABOVE


def needs_approval(total: Decimal) -> bool:
    """The one rule of the approval limit: strictly above it."""
    return total > approval_limit()


def bill_status(bill: Bill, installments: Sequence[BillInstallment]) -> str:
    """What a bill's installments make of it: cancelled when all are,
    paid when all the others are, partially paid when some are, awaiting
    approval while any waits for it, to pay otherwise."""
    live = [i for i in installments if i.status != InstallmentStatus.CANCELLED]
    if not live:
        return BillStatus.CANCELLED
    paid = sum(1 for i in live if i.status == InstallmentStatus.PAID)
    if paid == len(live):
        return BillStatus.PAID
    if paid:
        return BillStatus.PARTIALLY_PAID
    if any(i.status == InstallmentStatus.OPEN for i in live):
        return BillStatus.AWAITING_APPROVAL
    return BillStatus.OPEN


def _require(user, perm: PayablesPerm) -> None:
    if not user_may(user, perm):
        raise PermissionDenied


def _money(value, field: str, *, positive: bool = False) -> Decimal:
    """A stated amount: a Decimal of at most two places, zero or more (more
    than zero when ``positive``), within a money column."""
    if value is None or value == "":
        value = ZERO
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidBill(_("Type an amount, such as 89,90."), field=field) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise InvalidBill(_("An amount has at most two decimal places."), field=field)
    if amount < 0 or (positive and amount == 0):
        raise InvalidBill(
            _("The amount must be more than zero.")
            if positive
            else _("The amount cannot be negative."),
            field=field,
        )
    if amount > MAX_AMOUNT:
        raise InvalidBill(_("The amount is too large."), field=field)
    return amount.quantize(CENT)


def _date(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _locked(bill: Bill) -> tuple[Bill, list[BillInstallment]]:
    """The bill and its installments, under row locks (bill first)."""
    bill = (
        Bill.objects.select_for_update()
        .select_related("supplier", "category")
        .get(pk=bill.pk)
    )
    installments = list(
        BillInstallment.objects.select_for_update().filter(bill=bill).order_by("number")
    )
    return bill, installments


def _refresh_status(bill: Bill, installments: Sequence[BillInstallment]) -> None:
    status = bill_status(bill, installments)
    if status != bill.status:
        bill.status = status
        bill.save(update_fields=["status"])


def _refuse_closed(bill: Bill) -> None:
    if bill.status in CLOSED_BILL_STATUSES:
        raise BillClosed(
            _("This bill is “%(status)s”: nothing more is done with it.")
            % {"status": bill.get_status_display()}
        )


def _boleto(line: str, field: str):
    try:
        return parse_boleto(line)
    except BoletoError as error:
        raise InvalidBill(error.message, field=field) from None


def _check_attachments(attachments: Sequence[NewAttachment]) -> list:
    checked = []
    for attachment in attachments:
        if attachment.kind not in BillAttachment.Kind.values:
            raise InvalidBill(_("Choose what the file is."), field="kind")
        checked.append((attachment, check_attachment(attachment.file)))
    return checked


def _store_attachments(bill: Bill, checked: list, user, saved: list[str]) -> list:
    """Write the checked files (their names appended to ``saved`` as they are
    written, for the caller to remove should the transaction fail)."""
    rows = []
    for attachment, info in checked:
        row = BillAttachment(
            bill=bill,
            kind=attachment.kind,
            original_name=os.path.basename(getattr(attachment.file, "name", "") or "")[
                -200:
            ]
            or f"{attachment.kind}.{info.extension}",
            content_type=info.content_type,
            size=info.size,
            uploaded_by=user,
        )
        attachment.file.seek(0)
        row.file.save(
            f"{uuid.uuid4().hex}.{info.extension}", attachment.file, save=False
        )
        saved.append(row.file.name)
        row.save()
        rows.append(row)
    return rows


def _remove_files(names: list[str]) -> None:
    storage = BillAttachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def create_bill(
    supplier: Supplier,
    *,
    category: BillCategory,
    description: str,
    issue_date: datetime.date,
    user,
    total: Decimal | None = None,
    installments: int = 1,
    first_due_date: datetime.date | None = None,
    every_days: int = 30,
    boleto_line: str = "",
    document_number: str = "",
    attachments: Sequence[NewAttachment] = (),
    bank_account=None,
    schedule: Sequence[tuple[datetime.date, Decimal]] | None = None,
) -> Bill:
    """Record a bill to pay ``supplier``, split into ``installments`` that
    fall due ``every_days`` apart from ``first_due_date``, their amounts
    adding up to ``total`` to the centavo (equal parts rounded down, the
    first taking the centavos left over). A ``schedule`` of ``(due date,
    amount)`` states the installments instead (an NF-e's duplicatas): the
    total is their sum (a total stated as well must be it).

    With a ``boleto_line`` (the supplier's boleto: one installment), the
    amount and the due date come from the boleto; a total or a due date
    typed as well must agree with it. Above the approval limit the bill
    waits for a second person's approval; at or under it, its installments
    are approved at once. ``bank_account`` (optional) is the account its
    installments are paid from, one the user may see.

    Needs ``finance.add_bill``. Raises :class:`InvalidBill` naming the field
    at fault before anything is written. One transaction; logs
    ``finance.bill.create``; attachments are checked by
    :func:`~plugins.finance.attachments.check_attachment` and stored in the
    private storage (removed again should the transaction fail).
    """
    _require(user, PayablesPerm.ADD_BILL)
    return record_bill(
        supplier,
        category=category,
        description=description,
        issue_date=issue_date,
        user=user,
        total=total,
        installments=installments,
        first_due_date=first_due_date,
        every_days=every_days,
        boleto_line=boleto_line,
        document_number=document_number,
        attachments=attachments,
        bank_account=bank_account,
        schedule=schedule,
    )


def _schedule(
    schedule: Sequence[tuple[datetime.date, Decimal]], issue_date: datetime.date
) -> list[tuple[datetime.date, Decimal]]:
    """A stated schedule checked: 1 to the most installments, each with a
    due date not before the issue date and an amount, by due date."""
    if not 1 <= len(schedule) <= MAX_BILL_INSTALLMENTS:
        raise InvalidBill(
            _("A bill has from 1 to %(max)s installments.")
            % {"max": MAX_BILL_INSTALLMENTS},
            field="installments",
        )
    plan = []
    for due_date, amount in schedule:
        if due_date is None:
            raise InvalidBill(_("Type the first due date."), field="first_due_date")
        if due_date < issue_date:
            raise InvalidBill(
                _(
                    "An installment falls due on %(date)s, before the date the "
                    "bill was issued."
                )
                % {"date": _date(due_date)},
                field="first_due_date",
            )
        plan.append((due_date, _money(amount, "total", positive=True)))
    return sorted(plan, key=lambda part: part[0])


def record_bill(
    supplier: Supplier,
    *,
    category: BillCategory,
    description: str,
    issue_date: datetime.date,
    user,
    total: Decimal | None = None,
    installments: int = 1,
    first_due_date: datetime.date | None = None,
    every_days: int = 30,
    boleto_line: str = "",
    document_number: str = "",
    attachments: Sequence[NewAttachment] = (),
    bank_account=None,
    schedule: Sequence[tuple[datetime.date, Decimal]] | None = None,
) -> Bill:
    """:func:`create_bill` for callers that checked a permission of their
    own (the fiscal plugin's supplier NF-e intake records the bill an NF-e
    states for the person who may receive it for its recipient); ``user``
    may be None. The same checks, transaction and audit entry."""
    if supplier is None or not supplier.active:
        raise InvalidBill(_("Choose an active supplier."), field="supplier")
    if category is None or not category.active:
        raise InvalidBill(_("Choose an active category."), field="category")
    description = (description or "").strip()
    if not description:
        raise InvalidBill(_("Describe what the bill is for."), field="description")
    document_number = (document_number or "").strip()
    if issue_date is None:
        raise InvalidBill(_("Type the date the bill was issued."), field="issue_date")
    plan = None
    if schedule is not None:
        if boleto_line and boleto_line.strip():
            raise InvalidBill(
                _(
                    "A boleto is one installment: record the bill in "
                    "installments, then type each installment's boleto on "
                    "the bill's page."
                ),
                field="boleto_line",
            )
        plan = _schedule(schedule, issue_date)
        stated = sum(amount for _due, amount in plan)
        if total not in (None, "") and _money(total, "total") != stated:
            raise InvalidBill(
                _("The installments add up to %(sum)s, not %(total)s.")
                % {"sum": format_brl(stated), "total": format_brl(total)},
                field="total",
            )
        total, installments, first_due_date = stated, len(plan), plan[0][0]
    if not 1 <= int(installments or 0) <= MAX_BILL_INSTALLMENTS:
        raise InvalidBill(
            _("A bill has from 1 to %(max)s installments.")
            % {"max": MAX_BILL_INSTALLMENTS},
            field="installments",
        )
    installments = int(installments)
    if (
        plan is None
        and installments > 1
        and not 1 <= int(every_days or 0) <= MAX_INTERVAL_DAYS
    ):
        raise InvalidBill(
            _("Installments fall due from 1 to %(max)s days apart.")
            % {"max": MAX_INTERVAL_DAYS},
            field="every_days",
        )
    boleto_digits = ""
    if boleto_line and boleto_line.strip():
        if installments > 1:
            raise InvalidBill(
                _(
                    "A boleto is one installment: record the bill in "
                    "installments, then type each installment's boleto on "
                    "the bill's page."
                ),
                field="boleto_line",
            )
        boleto = _boleto(boleto_line, "boleto_line")
        boleto_digits = boleto.digitable_line
        if boleto.amount > 0:
            if total not in (None, "") and _money(total, "total") != boleto.amount:
                raise InvalidBill(
                    _("The boleto is for %(boleto)s, not %(total)s.")
                    % {
                        "boleto": format_brl(boleto.amount),
                        "total": format_brl(_money(total, "total")),
                    },
                    field="total",
                )
            total = boleto.amount
        if boleto.due_date is not None:
            if first_due_date is not None and first_due_date != boleto.due_date:
                raise InvalidBill(
                    _("The boleto falls due on %(date)s.")
                    % {"date": _date(boleto.due_date)},
                    field="first_due_date",
                )
            first_due_date = boleto.due_date
    if total in (None, ""):
        raise InvalidBill(_("Type the bill's total."), field="total")
    total = _money(total, "total", positive=True)
    if total < installments * CENT:
        raise InvalidBill(
            _("%(total)s cannot be split into %(count)s installments.")
            % {"total": format_brl(total), "count": installments},
            field="installments",
        )
    if first_due_date is None:
        raise InvalidBill(_("Type the first due date."), field="first_due_date")
    if first_due_date < issue_date:
        raise InvalidBill(
            _("The first due date is before the date the bill was issued."),
            field="first_due_date",
        )
    if bank_account is not None and not (
        visible_bank_accounts(user).filter(pk=bank_account.pk).exists()
    ):
        raise InvalidBill(_("Choose one of your bank accounts."), field="bank_account")
    checked = _check_attachments(attachments)
    if (
        document_number
        and Bill.objects.filter(supplier=supplier, document_number=document_number)
        .exclude(status=BillStatus.CANCELLED)
        .exists()
    ):
        raise InvalidBill(
            _("A bill of %(supplier)s with document number %(number)s is recorded.")
            % {"supplier": supplier, "number": document_number},
            field="document_number",
        )

    requires_approval = needs_approval(total)
    installment_status = (
        InstallmentStatus.OPEN if requires_approval else InstallmentStatus.APPROVED
    )
    saved: list[str] = []
    try:
        with transaction.atomic():
            bill = Bill.objects.create(
                supplier=supplier,
                bank_account=bank_account,
                category=category,
                description=description[:200],
                document_number=document_number[:60],
                issue_date=issue_date,
                total=total,
                requires_approval=requires_approval,
                status=(
                    BillStatus.AWAITING_APPROVAL
                    if requires_approval
                    else BillStatus.OPEN
                ),
                created_by=user,
            )
            plan = plan or [
                (
                    first_due_date + datetime.timedelta(days=index * every_days),
                    amount,
                )
                for index, amount in enumerate(installment_amounts(total, installments))
            ]
            rows = BillInstallment.objects.bulk_create(
                [
                    BillInstallment(
                        bill=bill,
                        number=number,
                        due_date=due_date,
                        amount=amount,
                        status=installment_status,
                        boleto_line=boleto_digits if number == 1 else "",
                    )
                    for number, (due_date, amount) in enumerate(plan, start=1)
                ]
            )
            files = _store_attachments(bill, checked, user, saved)
            log_change(
                bill,
                "finance.bill.create",
                user=user,
                total=str(total),
                installments=[
                    {"due_date": row.due_date.isoformat(), "amount": str(row.amount)}
                    for row in rows
                ],
                requires_approval=requires_approval,
                attachments=[row.original_name for row in files],
            )
    except IntegrityError:
        _remove_files(saved)
        raise InvalidBill(
            _("A bill of %(supplier)s with document number %(number)s is recorded.")
            % {"supplier": supplier, "number": document_number},
            field="document_number",
        ) from None
    except BaseException:
        _remove_files(saved)
        raise
    return bill


def approve_bill(bill: Bill, *, user) -> Bill:
    """Approve a bill above the approval limit, so that it may be paid: a
    second person's act — whoever recorded the bill cannot approve it.

    Needs ``finance.approve_bill``. Raises :class:`BillClosed` for a paid or
    cancelled bill and :class:`ApprovalRefused` for a bill not awaiting
    approval or recorded by ``user``. Under the bill's row lock; its
    installments become approved; logs ``finance.bill.approve``.
    """
    _require(user, PayablesPerm.APPROVE_BILL)
    with transaction.atomic():
        bill, installments = _locked(bill)
        _refuse_closed(bill)
        if bill.status != BillStatus.AWAITING_APPROVAL:
            raise ApprovalRefused(_("This bill is not awaiting approval."))
        if bill.created_by_id is not None and bill.created_by_id == user.pk:
            raise ApprovalRefused(
                _("You recorded this bill: another person approves it.")
            )
        bill.approved_by = user
        bill.approved_at = timezone.now()
        bill.save(update_fields=["approved_by", "approved_at"])
        for installment in installments:
            if installment.status == InstallmentStatus.OPEN:
                installment.status = InstallmentStatus.APPROVED
                installment.save(update_fields=["status"])
        _refresh_status(bill, installments)
        log_change(
            bill,
            "finance.bill.approve",
            user=user,
            total=str(bill.total),
            limit=str(approval_limit()),
        )
    return bill


def record_bill_payment(
    installment: BillInstallment,
    *,
    user,
    paid_on: datetime.date,
    interest: Decimal | None = None,
    fine: Decimal | None = None,
    discount: Decimal | None = None,
    amount_paid: Decimal | None = None,
    paid_from: str = "",
    note: str = "",
) -> BillInstallment:
    """Record that ``installment`` was paid on ``paid_on``: the amount paid
    is the installment's amount with ``interest`` and ``fine``, less
    ``discount``; an ``amount_paid`` stated as well must be that.

    Needs ``finance.pay_bill``. Raises :class:`InvalidBill` for a payment
    date in the future or amounts that do not add up, :class:`BillClosed`
    for a cancelled bill and :class:`BillNotPayable` for an installment
    awaiting approval, already paid or cancelled. Under the bill's row lock;
    the bill becomes partially paid or paid; logs ``finance.bill.pay``.
    """
    _require(user, PayablesPerm.PAY_BILL)
    return apply_bill_payment(
        installment,
        user=user,
        paid_on=paid_on,
        interest=interest,
        fine=fine,
        discount=discount,
        amount_paid=amount_paid,
        paid_from=paid_from,
        note=note,
    )


def apply_bill_payment(
    installment: BillInstallment,
    *,
    user,
    paid_on: datetime.date,
    interest: Decimal | None = None,
    fine: Decimal | None = None,
    discount: Decimal | None = None,
    amount_paid: Decimal | None = None,
    paid_from: str = "",
    note: str = "",
) -> BillInstallment:
    """:func:`record_bill_payment` for callers that checked a permission of
    their own (the reconciliation: reconcile on the bank account the money
    left from); ``user`` may be None for the automatic reconciliation."""
    if paid_on is None:
        raise InvalidBill(_("Type the date it was paid."), field="paid_on")
    if paid_on > timezone.localdate():
        raise InvalidBill(
            _("The payment date cannot be in the future."), field="paid_on"
        )
    interest = _money(interest, "interest")
    fine = _money(fine, "fine")
    discount = _money(discount, "discount")
    paid_from = (paid_from or "").strip()[:100]
    note = (note or "").strip()[:500]
    with transaction.atomic():
        bill, installments = _locked(installment.bill)
        installment = next(i for i in installments if i.pk == installment.pk)
        if bill.status == BillStatus.CANCELLED:
            _refuse_closed(bill)
        if installment.status == InstallmentStatus.PAID:
            raise BillNotPayable(
                _("Installment %(number)s was paid on %(date)s.")
                % {"number": installment.number, "date": _date(installment.paid_on)}
            )
        if installment.status == InstallmentStatus.CANCELLED:
            raise BillNotPayable(
                _("Installment %(number)s is cancelled.")
                % {"number": installment.number}
            )
        if not installment.payable:
            raise BillNotPayable(
                _(
                    "This bill is above %(limit)s: it is paid once another "
                    "person approves it."
                )
                % {"limit": format_brl(approval_limit())}
            )
        expected = installment.amount + interest + fine - discount
        if expected <= 0:
            raise InvalidBill(
                _("The discount leaves nothing to pay."), field="discount"
            )
        if amount_paid not in (None, ""):
            stated = _money(amount_paid, "amount_paid", positive=True)
            if stated != expected:
                raise InvalidBill(
                    _(
                        "%(amount)s + interest %(interest)s + fine %(fine)s − "
                        "discount %(discount)s is %(expected)s, not %(stated)s."
                    )
                    % {
                        "amount": format_brl(installment.amount),
                        "interest": format_brl(interest),
                        "fine": format_brl(fine),
                        "discount": format_brl(discount),
                        "expected": format_brl(expected),
                        "stated": format_brl(stated),
                    },
                    field="amount_paid",
                )
        installment.status = InstallmentStatus.PAID
        installment.paid_on = paid_on
        installment.interest = interest
        installment.fine = fine
        installment.discount = discount
        installment.amount_paid = expected
        installment.paid_from = paid_from
        installment.payment_note = note
        installment.paid_by = user
        installment.paid_at = timezone.now()
        installment.save()
        _refresh_status(bill, installments)
        log_change(
            bill,
            "finance.bill.pay",
            user=user,
            installment=installment.number,
            paid_on=paid_on.isoformat(),
            amount_paid=str(expected),
            interest=str(interest),
            fine=str(fine),
            discount=str(discount),
            paid_from=paid_from,
        )
    return installment


def reverse_bill_payment(
    installment: BillInstallment, *, user, reason: str
) -> BillInstallment:
    """Take back the payment recorded for ``installment`` (a reconciliation
    match undone): it is approved and unpaid again, with no interest, fine
    or discount, and the bill's status follows.

    For callers that checked their own permission. Raises
    :class:`BillNotPayable` when the installment is not paid. Under the
    bill's row lock; logs ``finance.bill.unpay``.
    """
    with transaction.atomic():
        bill, installments = _locked(installment.bill)
        installment = next(i for i in installments if i.pk == installment.pk)
        if installment.status != InstallmentStatus.PAID:
            raise BillNotPayable(
                _("Installment %(number)s is not paid.")
                % {"number": installment.number}
            )
        before = {
            "paid_on": installment.paid_on.isoformat(),
            "amount_paid": str(installment.amount_paid),
        }
        installment.status = InstallmentStatus.APPROVED
        installment.paid_on = None
        installment.amount_paid = None
        installment.interest = installment.fine = installment.discount = 0
        installment.paid_from = ""
        installment.payment_note = ""
        installment.paid_by = None
        installment.paid_at = None
        installment.save()
        _refresh_status(bill, installments)
        log_change(
            bill,
            "finance.bill.unpay",
            user=user,
            installment=installment.number,
            reason=(reason or "")[:255],
            **before,
        )
    return installment


def cancel_bill(bill: Bill, *, user, reason: str) -> Bill:
    """Cancel what is still to pay of ``bill`` (installments already paid
    stay paid), saying why.

    Needs ``finance.change_bill``. Raises :class:`InvalidBill` without a
    reason and :class:`BillClosed` for a bill paid or cancelled. Under the
    bill's row lock; logs ``finance.bill.cancel``.
    """
    _require(user, PayablesPerm.CHANGE_BILL)
    return apply_bill_cancellation(bill, user=user, reason=reason)


def apply_bill_cancellation(bill: Bill, *, user, reason: str) -> Bill:
    """:func:`cancel_bill` for callers that checked a permission of their
    own (the fiscal plugin cancels the bill of a supplier NF-e it
    discards); ``user`` may be None. The same checks, lock and audit
    entry."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidBill(_("Say why the bill is cancelled."), field="reason")
    with transaction.atomic():
        bill, installments = _locked(bill)
        _refuse_closed(bill)
        cancelled = []
        for installment in installments:
            if installment.unpaid:
                installment.status = InstallmentStatus.CANCELLED
                installment.save(update_fields=["status"])
                cancelled.append(installment.number)
        bill.cancelled_by = user
        bill.cancelled_at = timezone.now()
        bill.cancel_reason = reason[:500]
        bill.save(update_fields=["cancelled_by", "cancelled_at", "cancel_reason"])
        _refresh_status(bill, installments)
        log_change(
            bill,
            "finance.bill.cancel",
            user=user,
            reason=bill.cancel_reason,
            installments=cancelled,
        )
    return bill


def set_installment_boleto(
    installment: BillInstallment, *, line: str, user
) -> BillInstallment:
    """Record the supplier's boleto of an unpaid installment: its due date
    becomes the boleto's; the boleto's amount must be the installment's.

    Needs ``finance.change_bill``. Raises :class:`InvalidBill` for a line
    that is not a boleto's or an amount that differs, :class:`BillClosed`
    and :class:`BillNotPayable` for a closed bill or a paid or cancelled
    installment. Under the bill's row lock; logs ``finance.bill.boleto``.
    """
    _require(user, PayablesPerm.CHANGE_BILL)
    boleto = _boleto(line, "boleto_line")
    with transaction.atomic():
        bill, installments = _locked(installment.bill)
        installment = next(i for i in installments if i.pk == installment.pk)
        _refuse_closed(bill)
        if not installment.unpaid:
            raise BillNotPayable(
                _("Installment %(number)s is “%(status)s”.")
                % {
                    "number": installment.number,
                    "status": installment.get_status_display(),
                }
            )
        if boleto.amount > 0 and boleto.amount != installment.amount:
            raise InvalidBill(
                _("The boleto is for %(boleto)s; installment %(number)s is %(amount)s.")
                % {
                    "boleto": format_brl(boleto.amount),
                    "number": installment.number,
                    "amount": format_brl(installment.amount),
                },
                field="boleto_line",
            )
        changes = {"boleto_line": [installment.boleto_line, boleto.digitable_line]}
        installment.boleto_line = boleto.digitable_line
        if boleto.due_date is not None and boleto.due_date != installment.due_date:
            changes["due_date"] = [
                installment.due_date.isoformat(),
                boleto.due_date.isoformat(),
            ]
            installment.due_date = boleto.due_date
        installment.save(update_fields=["boleto_line", "due_date"])
        log_change(
            bill,
            "finance.bill.boleto",
            user=user,
            installment=installment.number,
            changes=changes,
        )
    return installment


def add_bill_attachment(bill: Bill, *, kind: str, file: File, user) -> BillAttachment:
    """Attach a file to ``bill`` (a boleto, the invoice, a receipt): a PDF,
    PNG or JPEG of at most 10 MB, stored in the private storage.

    Needs ``finance.change_bill``. Raises :class:`InvalidBill` (field
    ``file`` or ``kind``). Logs ``finance.bill.attachment``.
    """
    _require(user, PayablesPerm.CHANGE_BILL)
    checked = _check_attachments([NewAttachment(kind, file)])
    saved: list[str] = []
    try:
        with transaction.atomic():
            bill = Bill.objects.select_for_update().get(pk=bill.pk)
            (row,) = _store_attachments(bill, checked, user, saved)
            log_change(
                bill,
                "finance.bill.attachment",
                user=user,
                kind=row.kind,
                file=row.original_name,
            )
    except BaseException:
        _remove_files(saved)
        raise
    return row
