"""Returns (logística reversa): a customer sends items of a delivered order
back.

* :func:`request_return` — from the storefront (the order's token) or by
  staff: a delivered order, some of its lines and units (at most what was
  delivered less what other returns, not refused, already take back), a
  reason; the carrier is the one that delivered the order.
* :func:`authorise_return` — the carrier's reverse shipment
  (``reverse``): its authorisation code and the tracking code the customer
  posts the parcel with. :func:`refuse_return` says no, with a reason.
* :func:`receive_return` — the parcel is back at a warehouse:

  - with the stock plugin, the units go back into stock through its
    services: a return that brings back everything the order delivered
    (and follows no other received return) moves the order to *returned*
    with :func:`plugins.stock.services.returns_to` choosing the warehouse,
    so that stock's own ``ORDER_RETURNED`` hook posts the return movements
    of the order's shipped units; a partial return posts return movements
    of its own units through the stock ledger's ``post_entries``
    (reference: the order). The order then stays *delivered*; when several
    partial returns together bring everything back, the order also stays
    delivered (its return transition would post every shipped unit again)
    and its timeline says that every unit came back;
  - with the fiscal plugin, the return NF-e of the units through
    :func:`plugins.fiscal.services.returns.issue_and_send_return`, when
    the order has an authorised sale NF-e (otherwise the order's timeline
    says none was issued and why);
  - the order's return transition as said above.

Every step writes an audit entry (``logistics.return.*``) and an entry on
the order's timeline. Staff act within their carriers: a user who may not
ship with the return's carrier gets PermissionDenied (the screens answer
404 first). Stock, fiscal and the order's transition are done as the
system (``user=None``): the shipping desk receives a return without the
order desk's or the fiscal desk's permissions; the audit entry of the
receipt names who received it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.logistics.carriers import adapter_for
from plugins.logistics.carriers.base import ReverseRequest, Volume
from plugins.logistics.carriers.errors import CarrierError
from plugins.logistics.models import (
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    Shipment,
    ShipmentStatus,
    ShippingOrigin,
)
from plugins.logistics.parties import order_party, origin_party
from plugins.logistics.permissions import user_can_ship
from plugins.orders.models import Order
from plugins.orders.services import record_event, transition_order
from plugins.orders.status import OrderStatus

TIMELINE_SOURCE = "logistics"
CENT = Decimal("0.01")
#: Returns that take units back (a refused one gives them back).
COUNTED = (
    ReturnStatus.REQUESTED,
    ReturnStatus.AUTHORISED,
    ReturnStatus.IN_TRANSIT,
    ReturnStatus.RECEIVED,
)
#: The box a return is posted in when the order's shipment recorded none.
DEFAULT_VOLUME = Volume(weight_g=1000, length_cm=20, width_cm=15, height_cm=10)


class ReturnRefused(RetaguardaError):
    """The return cannot be requested or moved on as asked; nothing was
    written. ``extra["field"]`` names the input at fault when there is one."""

    status = 409
    code = "return-refused"


class InvalidReturn(ReturnRefused):
    """What was asked is not a return this order takes (lines, units)."""

    status = 400
    code = "invalid-return"


# -- reading ---------------------------------------------------------------------


def delivered_shipment(order: Order) -> Shipment | None:
    """The shipment that took ``order`` to the customer: its latest one
    delivered, or else its latest one not cancelled."""
    shipments = order.shipments.select_related("carrier", "origin", "service")
    return (
        shipments.filter(status=ShipmentStatus.DELIVERED)
        .order_by("-created_at", "-pk")
        .first()
        or shipments.exclude(status=ShipmentStatus.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )


def returned_units(order: Order, *, statuses=COUNTED, exclude=None) -> dict[int, int]:
    """Units of each order line (by pk) that returns of ``order`` in
    ``statuses`` take back."""
    units: dict[int, int] = {}
    returns = ReturnRequest.objects.filter(order=order, status__in=statuses)
    if exclude is not None:
        returns = returns.exclude(pk=exclude.pk)
    for items in returns.values_list("items", flat=True):
        for item in items:
            line = item.get("line")
            if line is not None:
                units[line] = units.get(line, 0) + int(item.get("quantity", 0))
    return units


def returnable_units(order: Order) -> dict[int, int]:
    """Units of each order line (by pk) a new return may still take back."""
    taken = returned_units(order)
    return {
        line.pk: max(line.quantity - taken.get(line.pk, 0), 0)
        for line in order.lines.all()
    }


# -- requesting ------------------------------------------------------------------


def _clean_items(order: Order, items: Iterable[Mapping]) -> list[dict]:
    lines = {line.pk: line for line in order.lines.all()}
    by_sku = {line.sku: line for line in lines.values()}
    left = returnable_units(order)
    chosen: dict[int, int] = {}
    for index, item in enumerate(items):
        field = f"items[{index}].sku"
        line = None
        if item.get("line") is not None:
            try:
                line = lines.get(int(item["line"]))
            except (TypeError, ValueError):
                line = None
        elif item.get("sku"):
            line = by_sku.get(str(item["sku"]).strip())
        if line is None:
            raise InvalidReturn(
                _("Item %(number)s is not a line of order %(order)s.")
                % {"number": index + 1, "order": order.number},
                field=field,
            )
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise InvalidReturn(
                _("%(sku)s: give a whole number of units, 1 or more.")
                % {"sku": line.sku},
                field=f"items[{index}].quantity",
            )
        chosen[line.pk] = chosen.get(line.pk, 0) + quantity
    if not chosen:
        raise InvalidReturn(_("Choose at least one item to return."), field="items")
    for pk, quantity in chosen.items():
        if quantity > left.get(pk, 0):
            raise InvalidReturn(
                _(
                    "%(sku)s: %(asked)s units asked, %(left)s may still come "
                    "back (delivered less returned)."
                )
                % {"sku": lines[pk].sku, "asked": quantity, "left": left.get(pk, 0)},
                field="items",
            )
    return [
        {
            "line": pk,
            "sku": lines[pk].sku,
            "name": " ".join(
                part
                for part in (lines[pk].product_name, lines[pk].variant_name)
                if part
            ),
            "quantity": quantity,
        }
        for pk, quantity in sorted(chosen.items())
    ]


@transaction.atomic
def request_return(
    order: Order,
    *,
    items: Iterable[Mapping],
    reason: str,
    comment: str = "",
    via: str,
    user=None,
) -> ReturnRequest:
    """Ask to send back ``items`` of a delivered ``order``.

    ``items`` are ``{"line": <order line pk> | "sku": …, "quantity": n}``;
    each line at most its units delivered less those other returns (not
    refused) take back, counted under the order's row lock so that two
    requests never take the same units. The carrier is the one of the
    shipment that delivered the order. ``via`` is
    :class:`ReturnRequest.Channel`; ``user`` (staff) must ship with that
    carrier. Writes the request, the audit entry
    (``logistics.return.request``) and a timeline entry. Raises
    InvalidReturn, ReturnRefused or PermissionDenied.
    """
    if reason not in ReturnReason.values:
        raise InvalidReturn(_("Choose a reason for the return."), field="reason")
    if via not in ReturnRequest.Channel.values:
        raise InvalidReturn(_("Unknown channel."), field="via")
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.DELIVERED:
        raise ReturnRefused(
            _(
                "Order %(number)s is “%(status)s”: only a delivered order's "
                "items can be returned."
            )
            % {"number": order.number, "status": order.get_status_display()}
        )
    shipment = delivered_shipment(order)
    if shipment is None:
        raise ReturnRefused(
            _("Order %(number)s has no shipment to return through.")
            % {"number": order.number}
        )
    if user is not None and not user_can_ship(user, shipment.carrier):
        raise PermissionDenied
    cleaned = _clean_items(order, items)
    comment = " ".join((comment or "").split())[:500]
    ret = ReturnRequest.objects.create(
        order=order,
        carrier=shipment.carrier,
        reason=reason,
        comment=comment,
        items=cleaned,
        requested_via=via,
        created_by=user,
    )
    log_change(
        ret,
        "logistics.return.request",
        user=user,
        order=order.number,
        via=via,
        items=[[item["sku"], item["quantity"]] for item in cleaned],
    )
    record_event(
        order,
        source=TIMELINE_SOURCE,
        message=_("Return requested (%(reason)s): %(items)s.")
        % {"reason": ret.get_reason_display(), "items": _items_text(cleaned)},
        data={"return": ret.pk, "status": ret.status},
        user=user,
    )
    return ret


def _items_text(items) -> str:
    return ", ".join(f"{item['quantity']} × {item['sku']}" for item in items)


# -- authorising -----------------------------------------------------------------


def _locked(ret: ReturnRequest, *, user, expected) -> ReturnRequest:
    locked = (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("order", "carrier")
        .get(pk=ret.pk)
    )
    if user is not None and not user_can_ship(user, locked.carrier):
        raise PermissionDenied
    if locked.status not in expected:
        raise ReturnRefused(
            _("This return is “%(status)s” already.")
            % {"status": locked.get_status_display()}
        )
    return locked


def declared_value(ret: ReturnRequest) -> Decimal:
    """What the returned units are worth (their lines' totals pro rata)."""
    lines = {line.pk: line for line in ret.order.lines.all()}
    total = Decimal("0")
    for item in ret.items:
        line = lines.get(item.get("line"))
        if line is not None and line.quantity:
            total += line.total * item["quantity"] / line.quantity
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def _reverse_request(ret: ReturnRequest) -> ReverseRequest:
    shipment = delivered_shipment(ret.order)
    origin = (shipment.origin if shipment else None) or (
        ShippingOrigin.objects.order_by("-is_default", "pk").first()
    )
    if origin is None:
        raise ReturnRefused(_("Set up a shipping origin to receive returns at."))
    package = shipment.packages.order_by("number").first() if shipment else None
    volume = (
        Volume(
            weight_g=package.weight_g,
            length_cm=package.length_cm,
            width_cm=package.width_cm,
            height_cm=package.height_cm,
        )
        if package
        else DEFAULT_VOLUME
    )
    return ReverseRequest(
        reference=f"{ret.order.number}-{ret.pk}",
        service_code=shipment.service.code if shipment else "",
        sender=order_party(ret.order),
        recipient=origin_party(origin),
        volumes=(volume,),
        declared_value=declared_value(ret),
    )


@transaction.atomic
def authorise_return(ret: ReturnRequest, user) -> ReturnRequest:
    """Ask the return's carrier for the reverse shipment (its adapter's
    ``reverse``) and keep its authorisation code and tracking code: the
    return is *authorised*. Under the return's row lock; audit entry
    ``logistics.return.authorise`` and a timeline entry. Raises
    ReturnRefused (not requested any more; the carrier said no or could
    not be reached: nothing is written) or PermissionDenied."""
    ret = _locked(ret, user=user, expected=(ReturnStatus.REQUESTED,))
    try:
        result = adapter_for(ret.carrier).reverse(_reverse_request(ret))
    except CarrierError as error:
        raise ReturnRefused(
            _("%(carrier)s did not authorise the return: %(reason)s")
            % {"carrier": ret.carrier.name, "reason": error}
        ) from error
    ret.authorisation_code = result.authorisation_code[:40]
    ret.tracking_code = result.tracking_code[:40]
    ret.status = ReturnStatus.AUTHORISED
    ret.authorised_at = timezone.now()
    ret.save(
        update_fields=[
            "authorisation_code",
            "tracking_code",
            "status",
            "authorised_at",
        ]
    )
    log_change(
        ret,
        "logistics.return.authorise",
        user=user,
        authorisation_code=ret.authorisation_code,
        tracking_code=ret.tracking_code,
    )
    record_event(
        ret.order,
        source=TIMELINE_SOURCE,
        message=_(
            "Return authorised by %(carrier)s: authorisation %(code)s, "
            "tracking code %(tracking)s."
        )
        % {
            "carrier": ret.carrier.name,
            "code": ret.authorisation_code,
            "tracking": ret.tracking_code or "—",
        },
        data={"return": ret.pk, "status": ret.status},
        user=user,
    )
    return ret


def returns_on_their_way(carrier, tracking_codes) -> int:
    """The carrier's tracking names the reverse parcels of authorised
    returns (:func:`~plugins.logistics.services.tracking.record_events`
    hands over the codes of no shipment): the customer posted them, so each
    such return is *on its way back* (audit entry
    ``logistics.return.in_transit`` and a timeline entry). Returns how many
    moved. Runs inside the caller's transaction."""
    codes = [code for code in tracking_codes if code]
    if not codes:
        return 0
    moved = 0
    for ret in (
        ReturnRequest.objects.select_for_update(of=("self",))
        .select_related("order", "carrier")
        .filter(
            carrier=carrier,
            status=ReturnStatus.AUTHORISED,
            tracking_code__in=codes,
        )
        .order_by("pk")
    ):
        ret.status = ReturnStatus.IN_TRANSIT
        ret.save(update_fields=["status"])
        log_change(
            ret,
            "logistics.return.in_transit",
            user=None,
            tracking_code=ret.tracking_code,
        )
        record_event(
            ret.order,
            source=TIMELINE_SOURCE,
            message=_("The return was posted: %(tracking)s is on its way back.")
            % {"tracking": ret.tracking_code},
            data={"return": ret.pk, "status": ret.status},
            user=None,
        )
        moved += 1
    return moved


@transaction.atomic
def refuse_return(ret: ReturnRequest, reason: str, user) -> ReturnRequest:
    """Say no to a requested (or authorised, not yet received) return, with
    a reason the customer reads: its units may be asked for again. Audit
    entry ``logistics.return.refuse`` and a timeline entry. Raises
    InvalidReturn (no reason), ReturnRefused or PermissionDenied."""
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise InvalidReturn(_("Give a reason."), field="reason")
    ret = _locked(
        ret,
        user=user,
        expected=(ReturnStatus.REQUESTED, ReturnStatus.AUTHORISED),
    )
    ret.status = ReturnStatus.REFUSED
    ret.refusal_reason = reason
    ret.save(update_fields=["status", "refusal_reason"])
    log_change(ret, "logistics.return.refuse", user=user, reason=reason)
    record_event(
        ret.order,
        source=TIMELINE_SOURCE,
        message=_("Return refused: %(reason)s") % {"reason": reason},
        data={"return": ret.pk, "status": ret.status},
        user=user,
    )
    return ret


# -- receiving -------------------------------------------------------------------


def _everything_back(ret: ReturnRequest) -> bool:
    """Whether ``ret`` alone brings back every unit the order delivered,
    with no other return received before it."""
    if returned_units(ret.order, statuses=(ReturnStatus.RECEIVED,), exclude=ret):
        return False
    mine = {item["line"]: item["quantity"] for item in ret.items}
    return all(mine.get(line.pk, 0) >= line.quantity for line in ret.order.lines.all())


def _all_units_back(order: Order) -> bool:
    back = returned_units(order, statuses=(ReturnStatus.RECEIVED,))
    return all(back.get(line.pk, 0) >= line.quantity for line in order.lines.all())


def _warehouse(code: str):
    from plugins.stock.models import Warehouse

    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise InvalidReturn(
            _("There is no warehouse “%(code)s”.") % {"code": code},
            field="warehouse_code",
        )
    return warehouse


def _post_partial_stock(ret: ReturnRequest, warehouse) -> None:
    from plugins.stock.models import MovementKind, ReferenceType
    from plugins.stock.services.ledger import Entry, post_entries

    lines = {line.pk: line for line in ret.order.lines.select_related("variant").all()}
    reason = _("Return %(number)s of order %(order)s") % {
        "number": ret.pk,
        "order": ret.order.number,
    }
    entries = [
        Entry(
            lines[item["line"]].variant_id,
            warehouse.pk,
            lines[item["line"]].sku,
            kind=MovementKind.RETURN,
            quantity=item["quantity"],
            reason=reason,
            reference_type=ReferenceType.ORDER,
            reference=ret.order.number,
        )
        for item in ret.items
        if lines.get(item["line"]) is not None
        and lines[item["line"]].variant_id is not None
    ]
    if entries:
        post_entries(entries, user=None)


def _issue_return_nfe(ret: ReturnRequest) -> str:
    """The return NF-e of the units (fiscal plugin); a note for the
    timeline when none could be issued ("" when it was)."""
    from plugins.fiscal.models import DocumentStatus, FiscalDocument, Operation
    from plugins.fiscal.services.returns import issue_and_send_return

    sale = (
        FiscalDocument.objects.filter(
            order=ret.order,
            operation=Operation.SALE,
            status=DocumentStatus.AUTHORISED,
        )
        .order_by("-issued_at", "-pk")
        .first()
    )
    if sale is None:
        return _(
            "No return NF-e was issued: the order has no authorised sale NF-e "
            "(the fiscal desk issues it when there is one)."
        )
    quantities = {item["line"]: item["quantity"] for item in ret.items}
    try:
        with transaction.atomic():
            issue_and_send_return(
                sale,
                quantities=quantities,
                reason=_("Return %(number)s (logística reversa)") % {"number": ret.pk},
                user=None,
            )
    except RetaguardaError as error:
        return _("The return NF-e was not issued: %(reason)s") % {"reason": error}
    return ""


@transaction.atomic
def receive_return(ret: ReturnRequest, *, warehouse_code: str = "", user):
    """The parcel is back at the warehouse ``warehouse_code``: the return is
    *received*; then, as the module says, the stock return movements
    (stock plugin), the return NF-e (fiscal plugin) and the order's return
    transition when this return brings back everything. Audit entry
    ``logistics.return.receive`` and timeline entries. Raises
    InvalidReturn (an unknown warehouse), ReturnRefused (not authorised),
    PermissionDenied, or what a hook of the order's transition raises
    (everything is rolled back then)."""
    ret = _locked(
        ret,
        user=user,
        expected=(ReturnStatus.AUTHORISED, ReturnStatus.IN_TRANSIT),
    )
    order = Order.objects.select_for_update().get(pk=ret.order_id)
    ret.order = order
    warehouse_code = (warehouse_code or "").strip()
    stock_on = apps.is_installed("plugins.stock")
    warehouse = _warehouse(warehouse_code) if stock_on and warehouse_code else None
    if stock_on and warehouse is None:
        raise InvalidReturn(
            _("Choose the warehouse the items came back to."), field="warehouse_code"
        )
    full = _everything_back(ret)
    ret.status = ReturnStatus.RECEIVED
    ret.received_at = timezone.now()
    ret.received_by = user
    ret.warehouse_code = warehouse_code
    ret.save(update_fields=["status", "received_at", "received_by", "warehouse_code"])
    notes = []
    if apps.is_installed("plugins.fiscal"):
        note = _issue_return_nfe(ret)
        if note:
            notes.append(note)
    reason = _("Return %(number)s received: %(reason)s") % {
        "number": ret.pk,
        "reason": ret.get_reason_display(),
    }
    if full:
        if stock_on:
            from plugins.stock.services import returns_to

            with returns_to(warehouse):
                transition_order(order, "return", user=None, reason=reason)
        else:
            transition_order(order, "return", user=None, reason=reason)
    elif stock_on:
        _post_partial_stock(ret, warehouse)
    log_change(
        ret,
        "logistics.return.receive",
        user=user,
        order=order.number,
        warehouse=warehouse_code,
        order_returned=full,
        items=[[item["sku"], item["quantity"]] for item in ret.items],
    )
    message = _("Return received at %(warehouse)s: %(items)s.") % {
        "warehouse": warehouse_code or "—",
        "items": _items_text(ret.items),
    }
    if not full and _all_units_back(order):
        message += " " + _("Every unit of the order is back.")
    record_event(
        order,
        source=TIMELINE_SOURCE,
        message=message,
        data={"return": ret.pk, "status": ret.status},
        user=user,
    )
    for note in notes:
        record_event(
            order,
            source=TIMELINE_SOURCE,
            message=note,
            data={"return": ret.pk},
            user=user,
        )
    return ret
