"""Supplier NF-e intake: receiving a supplier's NF-e, confirming the goods
into stock, discarding it.

:func:`receive` reads the file (:func:`plugins.fiscal.reading.read_nfe`:
safe parsing, the official schema, the signature, the access key), checks it
is addressed to one of our emitters that the user may receive for and was
not received before, and in one transaction records the
:class:`~plugins.fiscal.models.SupplierInvoice` with its lines matched to
the catalog (the supplier code a person matched before, then the GTIN),
archives the XML as received and, when the finance plugin is enabled,
records the supplier and the bill to pay from the NF-e's duplicatas. The
invoice is then a *receipt draft*: :func:`confirm_receipt` posts its goods
into the warehouse a person chooses (when the stock plugin is enabled),
learning the supplier codes matched by hand; :func:`discard` drops it (and
cancels its bill when nothing of it was paid).

Who may: the fiscal clerk of the recipient emitter (``fiscal.issue_emitter``
granted on it), a user with the model permission, the superuser; confirming
into a warehouse also needs the right to move stock there. Every refusal is
an :class:`IntakeError` (or ``PermissionDenied``) in pt-BR with nothing
written; every write is in the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from content.validators import format_document, normalise_document
from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.fiscal.models import (
    ArchivedXml,
    Emitter,
    MatchedBy,
    SupplierInvoice,
    SupplierInvoiceLine,
    SupplierInvoiceStatus,
    SupplierProductCode,
)
from plugins.fiscal.models.documents import ArchivedXmlKind
from plugins.fiscal.models.intake import FINANCE_APP, STOCK_APP
from plugins.fiscal.reading import InvalidSupplierNFe, ReceivedNFe, read_nfe
from plugins.permissions import ScopedPermissionPolicy, is_active_user

#: The chart of accounts line a supplier NF-e's bill is classified in, by
#: code (the finance plugin's default chart: "Fornecedores de mercadoria").
DEFAULT_PURCHASE_CATEGORY = "01.01"
#: The most units one line may bring into stock.
MAX_UNITS = 10_000_000

RECEIVE_ACTION = "fiscal.supplier_nfe.receive"
CONFIRM_ACTION = "fiscal.supplier_nfe.confirm"
DISCARD_ACTION = "fiscal.supplier_nfe.discard"


class IntakeError(RetaguardaError):
    """A supplier NF-e that cannot be received, confirmed or discarded (the
    message says why, in pt-BR)."""

    code = "supplier_nfe"


__all__ = [
    "IntakeError",
    "InvalidSupplierNFe",
    "LineChoice",
    "confirm_receipt",
    "discard",
    "receive",
    "record",
]


# -- permissions -------------------------------------------------------------------


@cache
def intake_policy() -> ScopedPermissionPolicy:
    """Supplier NF-e belong to their recipient emitter: its fiscal clerk
    sees them (``fiscal.view_emitter``) and receives, confirms and discards
    them (``fiscal.issue_emitter``); a model permission covers every
    emitter (the accountant, managers and auditors read them all)."""
    return ScopedPermissionPolicy(
        SupplierInvoice,
        scope_field="emitter",
        scope_actions={
            "view": "fiscal.view_emitter",
            "add": "fiscal.issue_emitter",
            "change": "fiscal.issue_emitter",
        },
    )


def receiving_emitters(user):
    """The emitters ``user`` may receive supplier NF-e for."""
    return intake_policy().scope_objects(user, "add")


def user_can_receive(user, emitter: Emitter) -> bool:
    return receiving_emitters(user).filter(pk=emitter.pk).exists()


def user_can_change(user, invoice: SupplierInvoice) -> bool:
    return intake_policy().user_has_permission_for_instance(user, "change", invoice)


def visible_invoices(user):
    return intake_policy().filter_queryset(
        SupplierInvoice.objects.all(), user, ["view"]
    )


def finance_enabled() -> bool:
    return apps.is_installed(FINANCE_APP)


def stock_enabled() -> bool:
    return apps.is_installed(STOCK_APP)


# -- receiving ---------------------------------------------------------------------


def receive(data: bytes, *, user) -> SupplierInvoice:
    """Receive the supplier NF-e in ``data`` (the bytes of an ``NFe`` or an
    ``nfeProc``) for ``user``: :func:`read_nfe`, then :func:`record`.

    Raises :class:`InvalidSupplierNFe` for a file that is not a valid,
    signed NF-e and :class:`IntakeError` for one that cannot be received;
    nothing is written then."""
    return record(read_nfe(data), user=user)


def recipient_of(nfe: ReceivedNFe, *, user) -> Emitter:
    """The emitter ``nfe`` is addressed to, checked for receiving it:
    one of ours (:func:`addressed_emitter`), that ``user`` may receive for,
    in the NF-e's environment (:func:`check_environment`), and the NF-e not
    received before. Raises :class:`IntakeError`."""
    emitter = addressed_emitter(nfe)
    if not user_can_receive(user, emitter):
        raise IntakeError(
            _("You may not receive supplier NF-e for %(emitter)s.")
            % {"emitter": emitter}
        )
    check_environment(nfe, emitter)
    _refuse_duplicate(nfe.access_key)
    return emitter


def addressed_emitter(nfe: ReceivedNFe) -> Emitter:
    """The emitter of ours ``nfe`` is addressed to (its recipient's CNPJ).
    Raises :class:`IntakeError` when it is nobody of ours."""
    document = normalise_document(nfe.recipient_document)
    emitter = (
        Emitter.objects.filter(cnpj__in={document, format_document(document)})
        .order_by("pk")
        .first()
        if len(document) == 14
        else None
    )
    if emitter is None:
        raise IntakeError(
            _(
                "The NF-e is addressed to %(document)s (%(name)s), which is not "
                "one of our emitters."
            )
            % {
                "document": format_document(document) or "—",
                "name": nfe.recipient_name or "—",
            }
        )
    return emitter


def check_environment(nfe: ReceivedNFe, emitter: Emitter) -> None:
    """Refuse (:class:`IntakeError`) an NF-e of the other environment than
    the one ``emitter`` works in (homologação, produção)."""
    if nfe.environment != emitter.environment:
        raise IntakeError(
            _(
                "The NF-e was issued in %(nfe)s and %(emitter)s works in "
                "%(environment)s: it is not received."
            )
            % {
                "nfe": _environment_label(nfe.environment),
                "emitter": emitter,
                "environment": emitter.get_environment_display(),
            }
        )


def _environment_label(value: str) -> str:
    from plugins.fiscal.models import Environment

    try:
        return str(Environment(value).label)
    except ValueError:
        return value


def _refuse_duplicate(key: str) -> None:
    existing = SupplierInvoice.objects.filter(access_key=key).first()
    if existing is None:
        return
    raise IntakeError(
        _(
            "The NF-e %(key)s was received already, on %(date)s "
            "(%(status)s): it is not received twice."
        )
        % {
            "key": key,
            "date": date_format(
                timezone.localtime(existing.received_at), "SHORT_DATETIME_FORMAT"
            ),
            "status": existing.get_status_display(),
        }
    )


def record(nfe: ReceivedNFe, *, user) -> SupplierInvoice:
    """Record the NF-e ``nfe`` read from a file, addressed to one of our
    emitters (:func:`recipient_of`): the invoice and its lines matched to
    the catalog, the XML archived, and, with the finance plugin, the
    supplier (created when new) and the bill to pay.

    One transaction: any refusal (:class:`IntakeError`) leaves nothing
    written. Logs ``fiscal.supplier_nfe.receive`` on the invoice (and the
    finance plugin's own entries)."""
    with transaction.atomic():
        emitter = recipient_of(nfe, user=user)
        try:
            with transaction.atomic():
                invoice = SupplierInvoice.objects.create(
                    emitter=emitter,
                    access_key=nfe.access_key,
                    supplier_cnpj=nfe.supplier_cnpj,
                    supplier_name=nfe.supplier_name[:150],
                    supplier_ie=nfe.supplier_ie[:14],
                    supplier_uf=nfe.supplier_uf[:2],
                    number=nfe.number,
                    series=nfe.series,
                    issued_at=nfe.issued_at,
                    environment=nfe.environment,
                    total=nfe.total,
                    protocol=nfe.protocol,
                    xml=nfe.text,
                    received_by=user if getattr(user, "pk", None) else None,
                )
        except IntegrityError:
            # received at the same moment by someone else
            _refuse_duplicate(nfe.access_key)
            raise
        lines = _create_lines(invoice, nfe)
        _archive(invoice, nfe)
        bill = _payable(invoice, nfe, user) if finance_enabled() else None
        if bill is not None:
            invoice.finance_bill_id = bill.pk
            invoice.save(update_fields=["finance_bill_id"])
        log_change(
            invoice,
            RECEIVE_ACTION,
            user=user,
            access_key=invoice.access_key,
            supplier=invoice.supplier_cnpj,
            total=str(invoice.total),
            lines=len(lines),
            matched=sum(1 for line in lines if line.variant_id),
            bill=bill.pk if bill is not None else None,
        )
    return invoice


def matches(supplier_cnpj: str, lines) -> dict[int, tuple]:
    """``{item: (variant, matched by, factor)}`` for the lines (anything
    with ``item``, ``code`` and ``gtin``) that match an active variant: the
    supplier code a person matched before first, then a GTIN that one
    variant alone has."""
    from content.models import Variant

    lines = list(lines)
    codes = {line.code for line in lines}
    mapped = {
        row.code: row
        for row in SupplierProductCode.objects.filter(
            supplier_cnpj=supplier_cnpj, code__in=codes, variant__active=True
        ).select_related("variant")
    }
    gtins = {line.gtin for line in lines if line.gtin}
    by_gtin: dict[str, list] = {}
    for variant in Variant.objects.filter(gtin__in=gtins, active=True):
        by_gtin.setdefault(variant.gtin, []).append(variant)
    found = {}
    for line in lines:
        if line.code in mapped:
            row = mapped[line.code]
            found[line.item] = (row.variant, MatchedBy.MAPPING, row.factor)
        elif len(by_gtin.get(line.gtin, ())) == 1:
            found[line.item] = (by_gtin[line.gtin][0], MatchedBy.GTIN, 1)
    return found


def suggested_units(quantity: Decimal, factor: int) -> int | None:
    """The catalog units of a supplier's ``quantity`` (None when it is not
    a whole number of units)."""
    units = quantity * factor
    if units != units.to_integral_value() or not 0 < units <= MAX_UNITS:
        return None
    return int(units)


def _create_lines(invoice, nfe: ReceivedNFe) -> list[SupplierInvoiceLine]:
    found = matches(nfe.supplier_cnpj, nfe.lines)
    rows = []
    for line in nfe.lines:
        variant, matched_by, factor = found.get(line.item, (None, "", 1))
        rows.append(
            SupplierInvoiceLine(
                invoice=invoice,
                item=line.item,
                code=line.code[:60],
                description=line.description,
                gtin=line.gtin,
                ncm=line.ncm,
                cfop=line.cfop,
                quantity=line.quantity,
                unit=line.unit,
                unit_value=line.unit_value,
                total=line.total,
                variant=variant,
                matched_by=matched_by,
                units=suggested_units(line.quantity, factor) if variant else None,
            )
        )
    return SupplierInvoiceLine.objects.bulk_create(rows)


def _archive(invoice: SupplierInvoice, nfe: ReceivedNFe) -> None:
    """The XML as received, in the fiscal archive."""
    try:
        with transaction.atomic():
            ArchivedXml.objects.create(
                kind=ArchivedXmlKind.RECEIVED,
                emitter=invoice.emitter,
                access_key=nfe.access_key,
                number=nfe.number,
                issued_at=nfe.issued_at,
                party_document=nfe.supplier_cnpj,
                party_name=nfe.supplier_name[:150],
                content=nfe.text,
            )
    except IntegrityError:
        raise IntakeError(
            _("This very XML is in the fiscal archive already (NF-e %(key)s).")
            % {"key": nfe.access_key}
        ) from None


# -- finance -----------------------------------------------------------------------


def purchase_category_code() -> str:
    return settings.RETAGUARDA_FISCAL_PURCHASE_CATEGORY or DEFAULT_PURCHASE_CATEGORY


def _finance_supplier(nfe: ReceivedNFe, user):
    """The finance plugin's supplier of ``nfe``'s CNPJ, created when new."""
    from plugins.finance.models import Supplier

    supplier = Supplier.objects.filter(document=nfe.supplier_cnpj).first()
    if supplier is None:
        supplier = Supplier(
            name=nfe.supplier_name[:150] or nfe.supplier_cnpj,
            document=nfe.supplier_cnpj,
        )
        try:
            supplier.full_clean()
        except ValidationError as error:
            raise IntakeError(
                _("The supplier cannot be recorded: %(errors)s")
                % {"errors": " ".join(error.messages)}
            ) from None
        supplier.save()
        log_change(
            supplier,
            "wagtail.create",
            user=user,
            source=_("supplier NF-e %(key)s") % {"key": nfe.access_key},
        )
    elif not supplier.active:
        raise IntakeError(
            _(
                "The supplier %(supplier)s is inactive in finance: make it "
                "active again to receive its NF-e."
            )
            % {"supplier": supplier}
        )
    return supplier


def _payable(invoice: SupplierInvoice, nfe: ReceivedNFe, user):
    """The bill to pay of ``nfe``: its duplicatas, or one installment of its
    total due on its issue date; none for an NF-e without payment."""
    from plugins.finance.exceptions import InvalidBill
    from plugins.finance.models import BillCategory
    from plugins.finance.services.payables import record_bill

    if nfe.without_payment or (not nfe.installments and nfe.total <= 0):
        return None
    code = purchase_category_code()
    category = BillCategory.objects.filter(code=code, active=True).first()
    if category is None:
        raise IntakeError(
            _(
                "The chart of accounts has no active category %(code)s for "
                "the bills of goods bought: create it (or activate it) in "
                "Finance › Chart of accounts."
            )
            % {"code": code}
        )
    issued_on = timezone.localdate(nfe.issued_at)
    schedule = [(i.due_date, i.amount) for i in nfe.installments] or [
        (issued_on, nfe.total)
    ]
    try:
        return record_bill(
            _finance_supplier(nfe, user),
            category=category,
            description=(
                _("NF-e %(number)s of %(supplier)s")
                % {"number": nfe.number, "supplier": nfe.supplier_name}
            )[:200],
            document_number=f"NF-e {nfe.number}/{nfe.series}",
            issue_date=issued_on,
            schedule=schedule,
            user=user,
        )
    except InvalidBill as error:
        raise IntakeError(
            _("The bill to pay cannot be recorded: %(reason)s")
            % {"reason": error.message}
        ) from None


# -- confirming --------------------------------------------------------------------


@dataclass(frozen=True)
class LineChoice:
    """What a person decided for one line: the variant and the catalog
    units it brings into stock (``units=0``: the line does not go into
    stock, e.g. packaging for use)."""

    variant: object | None
    units: int


def _locked(invoice: SupplierInvoice, user) -> SupplierInvoice:
    invoice = (
        SupplierInvoice.objects.select_for_update()
        .select_related("emitter")
        .get(pk=invoice.pk)
    )
    if not user_can_change(user, invoice):
        raise PermissionDenied
    if invoice.status != SupplierInvoiceStatus.RECEIVED:
        raise IntakeError(
            _("This NF-e is “%(status)s”: nothing more is done with it.")
            % {"status": invoice.get_status_display()}
        )
    return invoice


def _checked_warehouse(warehouse, user):
    from plugins.stock.permissions import operable_warehouses

    if warehouse is None:
        raise IntakeError(_("Choose the warehouse the goods arrived at."))
    if not operable_warehouses(user).filter(pk=warehouse.pk, active=True).exists():
        raise IntakeError(
            _("You may not move stock in %(warehouse)s.") % {"warehouse": warehouse}
        )
    return warehouse


def _factor(line: SupplierInvoiceLine, units: int) -> int:
    """The units per supplier unit that ``units`` makes of the line (1 when
    it is not a whole number)."""
    if line.quantity <= 0:
        return 1
    factor = Decimal(units) / line.quantity
    return int(factor) if factor == factor.to_integral_value() and factor >= 1 else 1


def confirm_receipt(
    invoice: SupplierInvoice,
    *,
    user,
    choices: Mapping[int, LineChoice],
    warehouse=None,
) -> SupplierInvoice:
    """Confirm the receipt of ``invoice``'s goods: ``choices`` gives each
    line (by its pk) its variant and the catalog units it brings in. With
    the stock plugin the units go into ``warehouse`` as receipt movements
    referencing the NF-e (through the stock ledger, under its locks); a line
    whose variant a person chose (or whose units they changed) teaches its
    supplier code (:class:`SupplierProductCode`) for the next NF-e.

    Needs ``change`` on the invoice (``PermissionDenied``) and, to post
    stock, the right to move stock in ``warehouse``. Raises
    :class:`IntakeError` naming the line at fault, for an invoice already
    confirmed or discarded, or without a warehouse; nothing is written then.
    One transaction under the invoice's row lock; logs
    ``fiscal.supplier_nfe.confirm``."""
    with transaction.atomic():
        invoice = _locked(invoice, user)
        lines = list(invoice.lines.select_related("variant").order_by("item"))
        suggested = matches(invoice.supplier_cnpj, lines)
        plan = []
        for line in lines:
            choice = choices.get(line.pk)
            if choice is None:
                raise IntakeError(
                    _("Say what item %(item)s (%(code)s) is.")
                    % {"item": line.item, "code": line.code}
                )
            units = choice.units
            if not isinstance(units, int) or not 0 <= units <= MAX_UNITS:
                raise IntakeError(
                    _("Item %(item)s: type the units, from 0 to %(max)s.")
                    % {"item": line.item, "max": MAX_UNITS}
                )
            if units and choice.variant is None:
                raise IntakeError(
                    _(
                        "Item %(item)s (%(code)s %(description)s): choose the "
                        "variant it is, or 0 units if it does not go into stock."
                    )
                    % {
                        "item": line.item,
                        "code": line.code,
                        "description": line.description,
                    }
                )
            if choice.variant is not None and not choice.variant.active:
                raise IntakeError(
                    _("Item %(item)s: the variant %(sku)s is inactive.")
                    % {"item": line.item, "sku": choice.variant.sku}
                )
            plan.append((line, choice))
        stocked = [(line, choice) for line, choice in plan if choice.units]
        if stocked and stock_enabled():
            warehouse = _checked_warehouse(warehouse, user)
        elif not stock_enabled():
            warehouse = None
        learned = _apply_choices(invoice, plan, suggested, user)
        movements = []
        if stocked and warehouse is not None:
            movements = _post_stock(invoice, stocked, warehouse, user)
        invoice.status = SupplierInvoiceStatus.CONFIRMED
        invoice.confirmed_by = user if getattr(user, "pk", None) else None
        invoice.confirmed_at = timezone.now()
        invoice.warehouse_id = warehouse.pk if warehouse is not None else None
        invoice.save(
            update_fields=["status", "confirmed_by", "confirmed_at", "warehouse_id"]
        )
        log_change(
            invoice,
            CONFIRM_ACTION,
            user=user,
            warehouse=getattr(warehouse, "code", None),
            lines=[
                {
                    "item": line.item,
                    "sku": choice.variant.sku if choice.variant else None,
                    "units": choice.units,
                }
                for line, choice in plan
            ],
            learned=learned,
            movements=len(movements),
        )
    return invoice


def _apply_choices(invoice, plan, suggested, user) -> list[str]:
    """Write each line's variant and units; save the supplier codes matched
    by hand. Returns the codes learned."""
    learned = []
    changed = []
    for line, choice in plan:
        automatic = suggested.get(line.item)
        variant = choice.variant
        if variant is None:
            line.units = 0
            changed.append(line)
            continue
        factor = _factor(line, choice.units) if choice.units else 1
        automatic_units = (
            suggested_units(line.quantity, automatic[2]) if automatic else None
        )
        by_hand = automatic is None or automatic[0].pk != variant.pk
        if by_hand or (choice.units and choice.units != automatic_units):
            SupplierProductCode.objects.update_or_create(
                supplier_cnpj=invoice.supplier_cnpj,
                code=line.code,
                defaults={"variant": variant, "factor": factor, "created_by": user},
            )
            learned.append(line.code)
        if by_hand:
            line.matched_by = MatchedBy.MANUAL
        elif line.variant_id != variant.pk:
            line.matched_by = automatic[1]
        line.variant = variant
        line.units = choice.units
        changed.append(line)
    SupplierInvoiceLine.objects.bulk_update(changed, ["variant", "matched_by", "units"])
    return learned


def _post_stock(invoice, stocked, warehouse, user):
    from plugins.stock.models import MovementKind, ReferenceType
    from plugins.stock.services.ledger import Entry, post_entries

    reason = _("NF-e %(number)s of %(supplier)s") % {
        "number": invoice.number,
        "supplier": invoice.supplier_name,
    }
    return post_entries(
        [
            Entry(
                choice.variant.pk,
                warehouse.pk,
                choice.variant.sku,
                kind=MovementKind.RECEIPT,
                quantity=choice.units,
                reason=reason,
                reference_type=ReferenceType.SUPPLIER_INVOICE,
                reference=invoice.access_key,
            )
            for _line, choice in stocked
        ],
        user=user,
    )


# -- discarding --------------------------------------------------------------------


def discard(invoice: SupplierInvoice, *, user, reason: str) -> SupplierInvoice:
    """Discard a received NF-e whose goods will not be received (refused at
    the door, issued by mistake), saying why. Its bill to pay is cancelled
    when nothing of it was paid; one partly paid refuses the discard.

    Needs ``change`` on the invoice (``PermissionDenied``). Raises
    :class:`IntakeError` without a reason, for an invoice confirmed or
    discarded already, or a bill with payments. One transaction under the
    invoice's row lock; logs ``fiscal.supplier_nfe.discard`` (and the
    bill's cancellation)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        invoice = _locked(invoice, user)
        if not reason:
            raise IntakeError(_("Say why the NF-e is discarded."))
        bill = invoice.bill if finance_enabled() else None
        if bill is not None:
            _cancel_bill(invoice, bill, user, reason)
        invoice.status = SupplierInvoiceStatus.DISCARDED
        invoice.discarded_by = user if getattr(user, "pk", None) else None
        invoice.discarded_at = timezone.now()
        invoice.discard_reason = reason[:500]
        invoice.save(
            update_fields=["status", "discarded_by", "discarded_at", "discard_reason"]
        )
        log_change(
            invoice,
            DISCARD_ACTION,
            user=user,
            reason=invoice.discard_reason,
            bill=bill.pk if bill is not None else None,
        )
    return invoice


def _cancel_bill(invoice, bill, user, reason: str) -> None:
    from plugins.finance.models import BillStatus, InstallmentStatus
    from plugins.finance.services.payables import apply_bill_cancellation

    if bill.status == BillStatus.CANCELLED:
        return
    if bill.installments.filter(status=InstallmentStatus.PAID).exists():
        raise IntakeError(
            _(
                "The bill to pay of this NF-e has installments paid: settle it "
                "in finance before discarding the NF-e."
            )
        )
    apply_bill_cancellation(
        bill,
        user=user,
        reason=_("Supplier NF-e %(number)s discarded: %(reason)s")
        % {"number": invoice.number, "reason": reason},
    )


def may_receive_any(user) -> bool:
    """Whether ``user`` receives supplier NF-e for any emitter."""
    return is_active_user(user) and intake_policy().user_has_permission(user, "add")
