"""Returns of goods sold: the NF-e de devolução the store issues (finNFe 4,
an entry referring to the sale's access key) and the one a customer who is
an ICMS contributor issues to the store, recorded here.

Both count the units of each order line that came back
(:class:`~plugins.fiscal.models.ReturnedItem`): a sale takes back at most
what it sold less what came back before — in the store's return NF-e that
are signed, sent or authorised (a rejected, denied or cancelled one gives
its units back) and in the customer's NF-e recorded. The sale is locked
(``SELECT … FOR UPDATE``) while the units are counted and the return
written, so two clerks never return the same units twice.

* :func:`issue_return` builds the store's return NF-e of an authorised
  sale whose order was delivered or returned: the lines and units chosen
  (every unit left by default), their taxes from the tax rules for the
  operation "return" (CFOP 1202/2202 with the default rules), the série's
  next number, the XML validated and signed, recorded as a document of the
  return kind linked to the sale (``referenced_key`` and ``order``), all in
  one transaction: a refusal writes nothing and spends no number.
  :func:`issue_and_send_return` then sends it through the authorisation
  flow (:func:`plugins.fiscal.services.authorisation.send_documents`).
* :func:`record_customer_return` takes the customer's XML through the
  checks of the supplier NF-e intake (:func:`plugins.fiscal.reading.read_nfe`:
  safe parsing, the schema, the signature, the access key and protocol;
  :func:`plugins.fiscal.services.intake.addressed_emitter` and
  :func:`~plugins.fiscal.services.intake.check_environment`), then checks it
  returns this sale (its NFref), to the sale's emitter, from the sale's
  customer, once; and keeps it in the archive linked to the sale.

The order's status is the order desk's (``return_order`` records the goods
back into stock): a return NF-e does not move it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from content.validators import format_document, normalise_document
from plugins.audit import log_change
from plugins.fiscal import nfe, rules
from plugins.fiscal.archive import archive
from plugins.fiscal.exceptions import FiscalRefused, FiscalXmlError
from plugins.fiscal.models import (
    ArchivedXml,
    DocumentStatus,
    Environment,
    FiscalDocument,
    Operation,
    ReturnedItem,
)
from plugins.fiscal.models.documents import ArchivedXmlKind
from plugins.fiscal.nfe_orders import returned_items
from plugins.fiscal.reading import RETURN, ReceivedLine, ReceivedNFe, read_nfe
from plugins.fiscal.services.authorisation import send_documents
from plugins.fiscal.services.authorisers import (
    check_may_issue,
    emission_type,
)
from plugins.fiscal.services.intake import addressed_emitter, check_environment
from plugins.fiscal.services.issuing import (
    LIVE_STATUSES,
    contingency_fields,
    record_signed,
    signing_certificate,
)
from plugins.fiscal.services.numbering import take_number
from plugins.fiscal.services.timeline import timeline_entry
from plugins.fiscal.taxation import NoTaxRule
from plugins.fiscal.xsd import SchemaError
from plugins.orders.models import OrderLine
from plugins.orders.status import OrderStatus

S = DocumentStatus
#: Orders whose goods may come back with a return NF-e: delivered (the
#: customer is sending them back) or already marked returned.
RETURNABLE_ORDER_STATUSES = (OrderStatus.DELIVERED, OrderStatus.RETURNED)
#: The store's return NF-e whose units count as returned.
COUNTED_STATUSES = LIVE_STATUSES
#: The reason written in the return NF-e (infCpl), at most.
MAX_REASON = 255

ISSUE_ACTION = "fiscal.return.issue"
RECEIVE_ACTION = "fiscal.return.receive"


# -- what a sale may take back -----------------------------------------------------


@dataclass(frozen=True)
class ReturnableLine:
    """One line of the sale: the units sold, those that came back already
    and those that may still come back."""

    line: OrderLine
    sold: int
    returned: int

    @property
    def left(self) -> int:
        return max(self.sold - self.returned, 0)


def returned_quantities(sale: FiscalDocument) -> dict[int, int]:
    """Units of each order line of ``sale`` (by its pk) that came back: in
    the store's return NF-e still standing and in the customer's NF-e."""
    rows = (
        ReturnedItem.objects.filter(sale=sale)
        .filter(Q(received__isnull=False) | Q(document__status__in=COUNTED_STATUSES))
        .values("order_line")
        .annotate(units=Sum("quantity"))
    )
    return {row["order_line"]: row["units"] for row in rows}


def returnable_lines(sale: FiscalDocument) -> list[ReturnableLine]:
    """The order lines of ``sale`` with the units sold, returned and left."""
    if sale.order_id is None:
        return []
    returned = returned_quantities(sale)
    return [
        ReturnableLine(line, line.quantity, returned.get(line.pk, 0))
        for line in sale.order.lines.select_related("variant").order_by("pk")
    ]


def return_refusal(sale: FiscalDocument) -> str:
    """Why ``sale`` takes no return now ("" when it does): it must be an
    authorised sale NF-e of an order delivered or returned."""
    if sale.operation != Operation.SALE or sale.order_id is None:
        return _("Only the NF-e of an order's sale takes a return.")
    if sale.status != S.AUTHORISED:
        return _(
            "Only an authorised NF-e takes a return; this one is “%(status)s”."
        ) % {"status": sale.get_status_display()}
    order = sale.order
    if order.status not in RETURNABLE_ORDER_STATUSES:
        return _(
            "Order %(number)s is “%(status)s”: goods come back with a return "
            "NF-e once the order was delivered (or marked returned)."
        ) % {"number": order.number, "status": order.get_status_display()}
    return ""


def check_returnable(sale: FiscalDocument) -> None:
    reason = return_refusal(sale)
    if reason:
        raise FiscalRefused(reason)


def return_documents(sale: FiscalDocument):
    """The store's return NF-e of ``sale`` (any status), oldest first."""
    return FiscalDocument.objects.filter(
        operation=Operation.RETURN, referenced_key=sale.access_key
    ).order_by("issued_at", "pk")


def customer_returns(sale: FiscalDocument):
    """The customer's own return NF-e recorded for ``sale`` (archived)."""
    return ArchivedXml.objects.filter(
        kind=ArchivedXmlKind.RECEIVED, document=sale
    ).order_by("issued_at", "pk")


def _locked_sale(sale: FiscalDocument) -> FiscalDocument:
    return (
        FiscalDocument.objects.select_for_update(of=("self",))
        .select_related("emitter", "order")
        .get(pk=sale.pk)
    )


def _units_text(pairs) -> str:
    return ", ".join(f"{units} × {line.sku}" for line, units in pairs)


# -- the store's return NF-e -------------------------------------------------------


def issue_return(
    sale: FiscalDocument,
    *,
    quantities: Mapping[int, int] | None = None,
    reason: str = "",
    user,
) -> FiscalDocument:
    """Build, sign and record the return NF-e of the goods of ``sale`` (an
    authorised sale NF-e of a delivered or returned order) that came back:
    ``quantities`` maps order line pks to units (every unit left when
    None; lines left out return nothing); ``reason`` goes in the NF-e's
    additional information.

    One transaction under the sale's row lock: the units checked against
    what is left (:func:`returnable_lines`), the taxes of the return
    (the rules for ``Operation.RETURN``), the série's next number, the
    signed XML, the document (status *signed*, operation *return*,
    ``referenced_key`` the sale's key, the sale's order), its
    :class:`ReturnedItem` rows, the audit entries (``wagtail.create`` on
    the return, ``fiscal.return.issue`` on the sale) and the order's
    timeline entry. Raises FiscalRefused (``extra["field"]`` names the
    line at fault: ``line_<pk>``) or PermissionDenied; nothing is written
    then."""
    check_may_issue(user, sale.emitter)
    with transaction.atomic():
        return _issue_return(sale, quantities=quantities, reason=reason, user=user)


def _checked_units(
    lines: list[ReturnableLine], quantities: Mapping[int, int] | None
) -> dict[int, int]:
    wanted = (
        {row.line.pk: row.left for row in lines}
        if quantities is None
        else dict(quantities)
    )
    known = {row.line.pk for row in lines}
    if set(wanted) - known:
        raise FiscalRefused(_("A line given is not one of this sale's."))
    for row in lines:
        count = wanted.get(row.line.pk, 0)
        field = f"line_{row.line.pk}"
        if not isinstance(count, int) or count < 0:
            raise FiscalRefused(
                _("%(sku)s: give a whole number of units, 0 or more.")
                % {"sku": row.line.sku},
                field=field,
            )
        if count > row.left:
            raise FiscalRefused(
                _(
                    "%(sku)s: %(count)d units cannot come back; %(left)d of the "
                    "%(sold)d sold may still (%(returned)d came back already)."
                )
                % {
                    "sku": row.line.sku,
                    "count": count,
                    "left": row.left,
                    "sold": row.sold,
                    "returned": row.returned,
                },
                field=field,
            )
    units = {pk: count for pk, count in wanted.items() if count > 0}
    if not units:
        raise FiscalRefused(
            _("Choose the units that came back: nothing is being returned.")
        )
    return units


def _issue_return(sale, *, quantities, reason, user) -> FiscalDocument:
    sale = _locked_sale(sale)
    check_returnable(sale)
    emitter, order = sale.emitter, sale.order
    if not emitter.active:
        raise FiscalRefused(
            _("The emitter %(emitter)s is not active.") % {"emitter": emitter}
        )
    if emitter.environment != sale.environment:
        raise FiscalRefused(
            _(
                "The sale NF-e was issued in %(sale)s and %(emitter)s works in "
                "%(environment)s now: its return cannot be issued."
            )
            % {
                "sale": sale.get_environment_display(),
                "emitter": emitter,
                "environment": emitter.get_environment_display(),
            }
        )
    units = _checked_units(returnable_lines(sale), quantities)
    reason = " ".join((reason or "").split())[:MAX_REASON]
    certificate = signing_certificate(emitter)
    try:
        context, _inputs = rules.order_tax_inputs(
            order, emitter, operation=Operation.RETURN
        )
        lines = returned_items(order, units)
        taxes = rules.compute([item for _line, item in lines], context)
    except (NoTaxRule, FiscalXmlError) as error:
        raise FiscalRefused(
            _("The return NF-e was not built: %(reason)s") % {"reason": error}
        ) from error
    series, environment = emitter.series, emitter.environment
    number = take_number(emitter, series, environment)
    issued_at = timezone.now()
    kind = emission_type(emitter)
    try:
        data = nfe.return_from_order(
            order,
            emitter,
            original_key=sale.access_key,
            number=number,
            series=series,
            issued_at=issued_at,
            taxes=taxes,
            quantities=units,
            reason=reason,
            customer_type=context.customer_type,
            recipient_ie=rules.order_ie(order),
            emission_type=kind,
            **contingency_fields(emitter, kind),
        )
        signed = nfe.build_nfe(data, certificate=certificate)
    except (FiscalXmlError, SchemaError) as error:
        raise FiscalRefused(
            _("The return NF-e was not built: %(reason)s") % {"reason": error}
        ) from error
    document = record_signed(
        order,
        emitter,
        signed,
        operation=Operation.RETURN,
        issued_at=issued_at,
        destination_uf=context.destination_uf,
        user=user,
        referenced_key=sale.access_key,
    )
    returned = [(line, units[line.pk]) for line, _item in lines]
    ReturnedItem.objects.bulk_create(
        ReturnedItem(sale=sale, order_line=line, document=document, quantity=count)
        for line, count in returned
    )
    log_change(document, "wagtail.create", user=user, referenced_key=sale.access_key)
    log_change(
        sale,
        ISSUE_ACTION,
        user=user,
        number=document.number,
        access_key=document.access_key,
        lines=[{"sku": line.sku, "units": count} for line, count in returned],
        reason=reason,
    )
    timeline_entry(
        document,
        _(
            "Return NF-e %(number)s (série %(series)s) of NF-e %(sale)s built "
            "and signed%(environment)s: %(units)s."
        )
        % {
            "number": number,
            "series": series,
            "sale": sale.number,
            "units": _units_text(returned),
            "environment": (
                _(" in homologation") if environment == Environment.HOMOLOGATION else ""
            ),
        },
    )
    return document


def issue_and_send_return(
    sale: FiscalDocument,
    *,
    quantities: Mapping[int, int] | None = None,
    reason: str = "",
    user,
) -> FiscalDocument:
    """:func:`issue_return`, then the authoriser at once (synchronous for
    one document; one that cannot be reached is sent again on its own);
    the return NF-e as the authoriser left it."""
    document = issue_return(sale, quantities=quantities, reason=reason, user=user)
    send_documents([document], user=user)
    document.refresh_from_db()
    return document


# -- the customer's own return NF-e ------------------------------------------------


@dataclass(frozen=True)
class CustomerReturn:
    """A customer's return NF-e recorded: its archive row, what was read,
    the sale's lines it returns (with their units) and its items that match
    none of them (kept, not counted)."""

    archived: ArchivedXml
    nfe: ReceivedNFe
    matched: list[tuple[OrderLine, int]]
    unmatched: list[ReceivedLine]


def _match_lines(
    received: tuple[ReceivedLine, ...], lines: list[ReturnableLine]
) -> tuple[dict[int, int], list[ReceivedLine]]:
    """The units per order line of the customer's items: an item is a line
    of the sale when its code is the line's SKU, or its GTIN the variant's;
    items matching none, or in a fraction of a unit, are left over."""
    by_sku = {row.line.sku.strip().upper(): row.line for row in lines}
    by_gtin = {
        row.line.variant.gtin: row.line
        for row in lines
        if row.line.variant is not None and row.line.variant.gtin
    }
    units: dict[int, int] = {}
    unmatched = []
    for item in received:
        line = by_sku.get(item.code.strip().upper()) or (
            by_gtin.get(item.gtin) if item.gtin else None
        )
        whole = item.quantity == item.quantity.to_integral_value()
        if line is None or not whole or item.quantity <= Decimal(0):
            unmatched.append(item)
            continue
        units[line.pk] = units.get(line.pk, 0) + int(item.quantity)
    return units, unmatched


def record_customer_return(
    sale: FiscalDocument, data: bytes, *, user
) -> CustomerReturn:
    """Record the NF-e de devolução the sale's customer issued to the store
    (the bytes of its ``NFe`` or ``nfeProc``).

    The file goes through the intake's reading (schema, signature, access
    key, the authoriser's protocol when present; refused unless it is a
    return, finNFe 4); then it must refer to ``sale``'s access key, be
    addressed to the sale's emitter in its environment, be issued by the
    sale's customer (the CNPJ's root: a branch of the same company may
    return), be recorded once, and return no more units of a line than may
    still come back. One transaction under the sale's row lock: the XML in
    the archive linked to the sale, a :class:`ReturnedItem` per line it
    returns, the audit entry (``fiscal.return.receive`` on the sale) and the
    order's timeline entry.

    Raises InvalidSupplierNFe, IntakeError, FiscalRefused or
    PermissionDenied (``user`` must issue for the sale's emitter); nothing
    is written then."""
    check_may_issue(user, sale.emitter)
    received = read_nfe(data, purpose=RETURN)
    with transaction.atomic():
        sale = _locked_sale(sale)
        check_returnable(sale)
        if sale.access_key not in received.references:
            raise FiscalRefused(
                _(
                    "This return NF-e refers to %(keys)s, not to the sale's NF-e "
                    "%(key)s."
                )
                % {
                    "keys": ", ".join(received.references) or _("no NF-e"),
                    "key": sale.access_key,
                }
            )
        emitter = addressed_emitter(received)
        if emitter.pk != sale.emitter_id:
            raise FiscalRefused(
                _(
                    "This return NF-e is addressed to %(emitter)s; the sale was "
                    "issued by %(sale_emitter)s."
                )
                % {"emitter": emitter, "sale_emitter": sale.emitter}
            )
        check_environment(received, emitter)
        order = sale.order
        issuer = normalise_document(received.supplier_cnpj)
        customer = normalise_document(order.customer_document)
        if len(customer) != 14 or issuer[:8] != customer[:8]:
            raise FiscalRefused(
                _(
                    "This return NF-e was issued by %(issuer)s; the sale's "
                    "customer is %(customer)s."
                )
                % {
                    "issuer": format_document(issuer),
                    "customer": format_document(customer) or "—",
                }
            )
        existing = ArchivedXml.objects.filter(
            kind=ArchivedXmlKind.RECEIVED, access_key=received.access_key
        ).first()
        if existing is not None:
            raise FiscalRefused(
                _("The NF-e %(key)s was recorded already.")
                % {"key": received.access_key}
            )
        lines = returnable_lines(sale)
        units, unmatched = _match_lines(received.lines, lines)
        for row in lines:
            count = units.get(row.line.pk, 0)
            if count > row.left:
                raise FiscalRefused(
                    _(
                        "The customer's NF-e returns %(count)d × %(sku)s; %(left)d "
                        "of the %(sold)d sold may still come back."
                    )
                    % {
                        "count": count,
                        "sku": row.line.sku,
                        "left": row.left,
                        "sold": row.sold,
                    }
                )
        archived = archive(
            ArchivedXmlKind.RECEIVED,
            received.text,
            emitter=emitter,
            document=sale,
            key=received.access_key,
            number=received.number,
            issued_at=received.issued_at,
            party_document=issuer,
            party_name=received.supplier_name,
        )
        matched = [
            (row.line, units[row.line.pk]) for row in lines if row.line.pk in units
        ]
        ReturnedItem.objects.bulk_create(
            ReturnedItem(sale=sale, order_line=line, received=archived, quantity=count)
            for line, count in matched
        )
        log_change(
            sale,
            RECEIVE_ACTION,
            user=user,
            access_key=received.access_key,
            number=received.number,
            issuer=issuer,
            lines=[{"sku": line.sku, "units": count} for line, count in matched],
            unmatched=[item.code for item in unmatched],
        )
        timeline_entry(
            sale,
            _(
                "The customer's return NF-e %(number)s (%(key)s) of NF-e %(sale)s "
                "recorded: %(units)s."
            )
            % {
                "number": received.number,
                "key": received.access_key,
                "sale": sale.number,
                "units": _units_text(matched) or _("no line of the sale matched"),
            },
            returned_key=received.access_key,
        )
    return CustomerReturn(archived, received, matched, unmatched)
