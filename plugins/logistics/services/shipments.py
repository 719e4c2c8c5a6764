"""Shipments, their packages and manifests (romaneios): what the shipping
desk does between an invoiced order and the parcel handed over to the
carrier.

- :func:`create_shipment` packs an order (invoiced or ready to ship) into one
  or more packages, asks the carrier's adapter for the pré-postagem and its
  tracking codes, and records the shipment, labelled.
- :func:`cancel_shipment` undoes one still in the warehouse.
- :func:`add_to_manifest` puts labelled shipments into their carrier's open
  manifest; :func:`close_manifest` hands it over: every shipment to
  *handed over* and every order to *shipped* through the orders service
  (which makes the stock plugin turn the reservation into a sale), all or
  nothing.

Who: the user must ship with the carrier (``logistics.ship_carrier`` on it or
for the model, :func:`plugins.logistics.permissions.user_can_ship`); a carrier
out of their scope does not exist for them (:class:`CarrierNotFound`, 404).
The orders' transitions are made on the user's behalf when the user holds
the order desk's permission for them, otherwise by the system
(``user=None``) on the strength of the carrier permission checked here: the
shipping desk ships the orders of its carriers, whatever their channel. The
logistics audit entries always name the user.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.audit import log_change
from plugins.exceptions import RetaguardaError
from plugins.logistics import s10
from plugins.logistics.carriers import adapter_for
from plugins.logistics.carriers.base import ShipmentRequest, Volume
from plugins.logistics.carriers.errors import CarrierError, UnexpectedResponse
from plugins.logistics.models import (
    IN_WAREHOUSE,
    Carrier,
    CarrierKind,
    CarrierService,
    Manifest,
    OrderShipping,
    Package,
    Shipment,
    ShipmentStatus,
    ShippingOrigin,
)
from plugins.logistics.parties import order_party, origin_party
from plugins.logistics.permissions import shippable_carriers, user_can_ship
from plugins.logistics.services.quoting import add_business_days
from plugins.orders.models import Order
from plugins.orders.services import can_transition, record_event, transition_order
from plugins.orders.status import OrderStatus

S = ShipmentStatus
#: Orders the shipping desk packs: invoiced (moved to ready to ship when
#: their shipment is made) or ready to ship.
SHIPPABLE_ORDER_STATUSES = (OrderStatus.INVOICED, OrderStatus.READY_TO_SHIP)
TIMELINE_SOURCE = "logistics"
CENTS = Decimal("0.01")

#: What an item weighs and measures when its catalog variant does not say
#: (grams; centimetres: the smallest box the Correios accept is 16 × 11 × 2).
DEFAULT_ITEM_WEIGHT_G = 300
DEFAULT_ITEM_LENGTH_CM = 16
DEFAULT_ITEM_WIDTH_CM = 11
DEFAULT_ITEM_HEIGHT_CM = 2

#: Audit log actions of this module: (code, label, message).
LOG_ACTIONS = (
    (
        "logistics.shipment.create",
        gettext_lazy("Create a shipment"),
        gettext_lazy("Shipment created"),
    ),
    (
        "logistics.shipment.cancel",
        gettext_lazy("Cancel a shipment"),
        gettext_lazy("Shipment cancelled"),
    ),
    (
        "logistics.manifest.add",
        gettext_lazy("Add to the manifest"),
        gettext_lazy("Shipments added to the manifest"),
    ),
    (
        "logistics.manifest.close",
        gettext_lazy("Close the manifest"),
        gettext_lazy("Manifest closed"),
    ),
    (
        "logistics.labels.print",
        gettext_lazy("Print labels"),
        gettext_lazy("Labels printed in bulk"),
    ),
)

_S10_SHAPE = re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$")


# -- Errors --------------------------------------------------------------------


class ShipmentRefused(RetaguardaError):
    """The shipment, or the manifest operation, cannot be made as asked:
    nothing was written. ``str()`` is the reason shown to the clerk."""

    status = 400
    code = "logistics-shipment-refused"


class OrderNotShippable(ShipmentRefused):
    status = 409
    code = "logistics-order-not-shippable"


class InvalidPackages(ShipmentRefused):
    code = "logistics-invalid-packages"


class CarrierNotFound(ShipmentRefused):
    """The carrier (or a shipment or manifest of it) is out of the user's
    scope: to them it does not exist."""

    status = 404
    code = "logistics-not-found"


class ManifestRefused(ShipmentRefused):
    status = 409
    code = "logistics-manifest-refused"


# -- Reading an order -----------------------------------------------------------


def live_shipment(order: Order) -> Shipment | None:
    """The order's newest shipment that is not cancelled."""
    return (
        Shipment.objects.filter(order=order)
        .exclude(status=S.CANCELLED)
        .order_by("-pk")
        .first()
    )


def order_shipping(order: Order) -> OrderShipping | None:
    """The freight option the order was placed with, if it has one."""
    try:
        return (
            OrderShipping.objects.select_related("service__carrier", "origin")
            .filter(order=order)
            .get()
        )
    except OrderShipping.DoesNotExist:
        return None


def default_origin() -> ShippingOrigin | None:
    """The default origin, or the only one the store has."""
    origin = ShippingOrigin.objects.filter(is_default=True).order_by("pk").first()
    if origin is not None:
        return origin
    origins = list(ShippingOrigin.objects.order_by("pk")[:2])
    return origins[0] if len(origins) == 1 else None


def default_carrier(user) -> Carrier | None:
    """The carrier an order without a chosen freight ships with, for
    ``user``: the only active carrier (store pickup aside) they ship with."""
    carriers = list(
        shippable_carriers(user)
        .filter(active=True)
        .exclude(kind=CarrierKind.PICKUP)
        .order_by("pk")[:2]
    )
    return carriers[0] if len(carriers) == 1 else None


def default_service(carrier: Carrier) -> CarrierService | None:
    return carrier.services.filter(active=True).order_by("name", "pk").first()


def goods_value(order: Order) -> Decimal:
    """The value of the goods: the order's total without its freight."""
    return (order.total - order.shipping_total).quantize(CENTS, ROUND_HALF_UP)


def authorised_nfe_key(order: Order) -> str:
    """The access key of the order's authorised sale NF-e, when the fiscal
    plugin is enabled and the order has one; otherwise ``""`` (the label
    then goes with a declaração de conteúdo)."""
    if not apps.is_installed("plugins.fiscal"):
        return ""
    from plugins.fiscal.models import DocumentStatus
    from plugins.fiscal.services.issuing import live_sale_document

    document = live_sale_document(order)
    if document is None or document.status != DocumentStatus.AUTHORISED:
        return ""
    return document.access_key


# -- Packages -------------------------------------------------------------------


@dataclass(frozen=True)
class PackageSpec:
    """One package as the clerk packed it: weight in grams, sides in
    centimetres, ``items`` ``[{"sku", "quantity"}]``."""

    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    items: tuple[Mapping[str, Any], ...]

    @classmethod
    def from_value(cls, value) -> PackageSpec:
        if isinstance(value, PackageSpec):
            return value
        try:
            return cls(
                weight_g=int(value["weight_g"]),
                length_cm=int(value["length_cm"]),
                width_cm=int(value["width_cm"]),
                height_cm=int(value["height_cm"]),
                items=tuple(
                    {"sku": str(item["sku"]), "quantity": int(item["quantity"])}
                    for item in value.get("items") or ()
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidPackages(
                _("Each package needs its weight, its three sides and its items.")
            ) from error


def _ceil_cm(value) -> int:
    return max(1, math.ceil(Decimal(value)))


def default_packages(order: Order) -> list[PackageSpec]:
    """One package with every line of the order. Its weight is the sum of
    the variants' weights (:data:`DEFAULT_ITEM_WEIGHT_G` for a variant
    without one); its length and width the largest of the items', its height
    the items' heights stacked (the defaults' 16 × 11 × 2 cm for a variant
    without them)."""
    lines = list(order.lines.select_related("variant").order_by("pk"))
    weight = 0
    length = width = height = 0
    quantities: Counter[str] = Counter()
    for line in lines:
        variant = line.variant
        unit_weight = (variant.weight_grams if variant else None) or 0
        weight += (unit_weight or DEFAULT_ITEM_WEIGHT_G) * line.quantity
        item_length = _ceil_cm(
            (variant and variant.length_cm) or DEFAULT_ITEM_LENGTH_CM
        )
        item_width = _ceil_cm((variant and variant.width_cm) or DEFAULT_ITEM_WIDTH_CM)
        item_height = _ceil_cm(
            (variant and variant.height_cm) or DEFAULT_ITEM_HEIGHT_CM
        )
        length = max(length, item_length)
        width = max(width, item_width)
        height += item_height * line.quantity
        quantities[line.sku] += line.quantity
    return [
        PackageSpec(
            weight_g=max(weight, 1),
            length_cm=max(length, DEFAULT_ITEM_LENGTH_CM),
            width_cm=max(width, DEFAULT_ITEM_WIDTH_CM),
            height_cm=max(height, DEFAULT_ITEM_HEIGHT_CM),
            items=tuple({"sku": s, "quantity": q} for s, q in quantities.items()),
        )
    ]


def _check_packages(order: Order, packages: Sequence[PackageSpec]) -> dict[str, dict]:
    """Every line of the order packed exactly once, positive weights and
    sides. Returns the order's lines per SKU (name, quantity, unit value)."""
    if not packages:
        raise InvalidPackages(_("Pack the order in at least one package."))
    lines: dict[str, dict] = {}
    for line in order.lines.order_by("pk"):
        entry = lines.setdefault(
            line.sku,
            {
                "name": " ".join(
                    p for p in (line.product_name, line.variant_name) if p
                ),
                "quantity": 0,
                "total": Decimal("0"),
            },
        )
        entry["quantity"] += line.quantity
        entry["total"] += line.total
    packed: Counter[str] = Counter()
    for number, package in enumerate(packages, start=1):
        if package.weight_g <= 0:
            raise InvalidPackages(
                _("Package %(number)s: give its weight in grams.") % {"number": number}
            )
        if min(package.length_cm, package.width_cm, package.height_cm) <= 0:
            raise InvalidPackages(
                _("Package %(number)s: give its length, width and height.")
                % {"number": number}
            )
        if not package.items:
            raise InvalidPackages(
                _("Package %(number)s is empty.") % {"number": number}
            )
        for item in package.items:
            if item["sku"] not in lines:
                raise InvalidPackages(
                    _("Package %(number)s: SKU %(sku)s is not in the order.")
                    % {"number": number, "sku": item["sku"]}
                )
            if item["quantity"] <= 0:
                raise InvalidPackages(
                    _("Package %(number)s: the quantity of %(sku)s must be positive.")
                    % {"number": number, "sku": item["sku"]}
                )
            packed[item["sku"]] += item["quantity"]
    for sku, entry in lines.items():
        if packed[sku] != entry["quantity"]:
            raise InvalidPackages(
                _(
                    "SKU %(sku)s: the order has %(ordered)s, the packages hold "
                    "%(packed)s. Pack every unit exactly once."
                )
                % {"sku": sku, "ordered": entry["quantity"], "packed": packed[sku]}
            )
    return lines


def _unit_value(entry: dict) -> Decimal:
    return (entry["total"] / entry["quantity"]).quantize(CENTS, ROUND_HALF_UP)


# -- Dates ----------------------------------------------------------------------


def _dates(
    order: Order, shipping: OrderShipping | None, origin: ShippingOrigin
) -> tuple[datetime.date | None, datetime.date | None]:
    """(hand over by, promised delivery date)."""
    if shipping is not None:
        return shipping.handling_deadline, shipping.promised_date
    start = timezone.localdate(order.ready_at or order.invoiced_at or timezone.now())
    return add_business_days(start, origin.handling_days), order.promised_delivery_date


# -- Creating and cancelling shipments ------------------------------------------


def check_can_ship(user, carrier: Carrier) -> None:
    """Raises :class:`CarrierNotFound` unless ``user`` ships with ``carrier``."""
    if user is None:
        return
    if not user_can_ship(user, carrier):
        raise CarrierNotFound(_("This carrier does not exist."))


def _order_actor(order: Order, name: str, user):
    """Who an order transition is made by: ``user`` when they hold the order
    desk's permission for it, otherwise the system (the carrier permission,
    checked by the caller, is what allows it)."""
    if user is not None and can_transition(order, name, user):
        return user
    return None


def create_shipment(
    order: Order,
    *,
    carrier: Carrier,
    service: CarrierService | None = None,
    packages: Iterable[Mapping | PackageSpec] | None = None,
    user,
    another: bool = False,
) -> Shipment:
    """Ship ``order`` (invoiced or ready to ship) with ``carrier``'s
    ``service`` in ``packages`` (default: :func:`default_packages`).

    Checks: ``user`` ships with ``carrier`` (else :class:`CarrierNotFound`),
    the service is the carrier's and active, every order line packed exactly
    once and every weight and side positive (:class:`InvalidPackages`), the
    order invoiced or ready to ship (:class:`OrderNotShippable`). An order
    with a live (not cancelled) shipment of ``carrier`` gets that one back
    (of another carrier: :class:`OrderNotShippable`), unless ``another`` (a
    second shipment, asked for by the clerk).

    Writes, in three steps so that the carrier is called outside any
    transaction: (1) under the order's row lock, the shipment awaiting its
    label (the carrier's idempotency key is its id); (2) the carrier's
    pré-postagem (:meth:`Carrier.create_shipment`), whose S10 codes are
    checked; (3) in one transaction, the packages with their tracking codes,
    the shipment labelled, an invoiced order moved to ready to ship
    (``transition_order(order, "prepare")``), the audit entry
    ``logistics.shipment.create`` and an entry on the order's timeline. When
    the carrier fails, nothing stays (the shipment awaiting its label is
    removed) and its :class:`CarrierError` is raised.

    The declared value is the order's goods; the handling deadline, the
    promised date and the origin come from the order's freight option
    (:class:`OrderShipping`), or from the order's promised date and the
    default origin's handling time.
    """
    check_can_ship(user, carrier)
    if service is None:
        shipping = order_shipping(order)
        if shipping is not None and shipping.service.carrier_id == carrier.pk:
            service = shipping.service
        else:
            service = default_service(carrier)
    if service is None or service.carrier_id != carrier.pk or not service.active:
        raise ShipmentRefused(
            _("Choose an active service of %(carrier)s.") % {"carrier": carrier.name}
        )
    if not carrier.active:
        raise ShipmentRefused(
            _("%(carrier)s is not active.") % {"carrier": carrier.name}
        )
    specs = [
        PackageSpec.from_value(p)
        for p in (packages if packages is not None else default_packages(order))
    ]
    lines = _check_packages(order, specs)

    # (1) the shipment, awaiting its label, under the order's row lock
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if not another:
            existing = live_shipment(locked)
            if existing is not None and existing.carrier_id == carrier.pk:
                return existing
            if existing is not None:
                raise OrderNotShippable(
                    _(
                        "Order %(number)s already has a shipment with another "
                        "carrier: cancel it first."
                    )
                    % {"number": locked.number}
                )
        if locked.status not in SHIPPABLE_ORDER_STATUSES:
            raise OrderNotShippable(
                _(
                    "Order %(number)s is “%(status)s”: only invoiced orders and "
                    "orders ready to ship are shipped."
                )
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        shipping = order_shipping(locked)
        origin = (shipping.origin if shipping else None) or default_origin()
        if origin is None:
            raise ShipmentRefused(_("Set up the shipping origin first."))
        handling_deadline, promised_date = _dates(locked, shipping, origin)
        shipment = Shipment.objects.create(
            order=locked,
            carrier=carrier,
            service=service,
            origin=origin,
            status=S.CREATED,
            declared_value=goods_value(locked),
            handling_deadline=handling_deadline,
            promised_date=promised_date,
            created_by=user,
        )

    # (2) the carrier's pré-postagem, outside any transaction
    request = ShipmentRequest(
        reference=str(shipment.pk),
        service_code=service.code,
        sender=origin_party(origin),
        recipient=order_party(locked),
        volumes=tuple(
            Volume(p.weight_g, p.length_cm, p.width_cm, p.height_cm) for p in specs
        ),
        declared_value=shipment.declared_value,
        nfe_key=authorised_nfe_key(locked),
        items=tuple(
            {
                "sku": sku,
                "name": entry["name"],
                "quantity": entry["quantity"],
                "unit_value": _unit_value(entry),
            }
            for sku, entry in lines.items()
        ),
    )
    adapter = adapter_for(carrier)
    try:
        result = adapter.create_shipment(request)
        codes = [s10.normalise(code) for code in result.tracking_codes]
        _check_codes(carrier, codes, len(specs))
    except Exception:
        Shipment.objects.filter(pk=shipment.pk, status=S.CREATED).delete()
        raise

    # (3) the packages, the shipment labelled, the order ready to ship
    try:
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            now = timezone.now()
            Package.objects.bulk_create(
                [
                    Package(
                        shipment=shipment,
                        number=number,
                        tracking_code=codes[number - 1] if codes else "",
                        weight_g=spec.weight_g,
                        length_cm=spec.length_cm,
                        width_cm=spec.width_cm,
                        height_cm=spec.height_cm,
                        items=[
                            {
                                "sku": item["sku"],
                                "name": lines[item["sku"]]["name"],
                                "quantity": item["quantity"],
                                "unit_value": str(_unit_value(lines[item["sku"]])),
                            }
                            for item in spec.items
                        ],
                    )
                    for number, spec in enumerate(specs, start=1)
                ]
            )
            shipment.carrier_reference = result.carrier_reference[:60]
            shipment.status = S.LABELLED
            shipment.labelled_at = now
            shipment.save(update_fields=["carrier_reference", "status", "labelled_at"])
            if locked.status == OrderStatus.INVOICED:
                transition_order(
                    locked, "prepare", user=_order_actor(locked, "prepare", user)
                )
            log_change(
                shipment,
                "logistics.shipment.create",
                user=user,
                order=locked.number,
                carrier=carrier.code,
                service=service.code,
                tracking_codes=codes,
            )
            record_event(
                locked,
                source=TIMELINE_SOURCE,
                message=_("Shipment by %(carrier)s %(service)s: %(codes)s")
                % {
                    "carrier": carrier.name,
                    "service": service.name,
                    "codes": ", ".join(codes) or _("no tracking code"),
                },
                data={"shipment": shipment.pk, "tracking_codes": codes},
                user=user,
                at=now,
            )
    except Exception:
        Shipment.objects.filter(pk=shipment.pk, status=S.CREATED).delete()
        _cancel_quietly(adapter, result.carrier_reference)
        raise
    order.status = locked.status
    return shipment


def _check_codes(carrier: Carrier, codes: list[str], volumes: int) -> None:
    if codes and len(codes) != volumes:
        raise UnexpectedResponse(
            _("%(carrier)s gave %(codes)s tracking codes for %(volumes)s packages.")
            % {"carrier": carrier.name, "codes": len(codes), "volumes": volumes},
            carrier=carrier.kind,
        )
    if len(set(codes)) != len(codes):
        raise UnexpectedResponse(
            _("%(carrier)s gave the same tracking code twice.")
            % {"carrier": carrier.name},
            carrier=carrier.kind,
        )
    for code in codes:
        if _S10_SHAPE.match(code) and not s10.is_valid(code):
            raise UnexpectedResponse(
                _(
                    "%(carrier)s gave the tracking code %(code)s, whose check digit "
                    "is wrong."
                )
                % {"carrier": carrier.name, "code": code},
                carrier=carrier.kind,
            )


def _cancel_quietly(adapter, carrier_reference: str) -> None:
    try:
        adapter.cancel(carrier_reference)
    except CarrierError:  # the pré-postagem expires on its own
        pass


def cancel_shipment(shipment: Shipment, user) -> Shipment:
    """Cancel ``shipment`` before it is handed over: the carrier's
    pré-postagem is cancelled (outside any transaction), then, under the
    shipment's row lock, it is marked cancelled and leaves its open
    manifest. Logs ``logistics.shipment.cancel`` and writes on the order's
    timeline. The order stays where it is (ready to ship).

    Raises :class:`CarrierNotFound` out of the user's scope,
    :class:`ShipmentRefused` once handed over, or the carrier's error."""
    check_can_ship(user, shipment.carrier)
    if shipment.status not in IN_WAREHOUSE:
        raise ShipmentRefused(_("Only shipments still in the warehouse are cancelled."))
    if shipment.carrier_reference:
        adapter_for(shipment.carrier).cancel(shipment.carrier_reference)
    with transaction.atomic():
        locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if locked.status not in IN_WAREHOUSE:
            raise ShipmentRefused(
                _("Only shipments still in the warehouse are cancelled.")
            )
        before = locked.status
        locked.status = S.CANCELLED
        locked.manifest = None
        locked.save(update_fields=["status", "manifest"])
        log_change(
            locked,
            "logistics.shipment.cancel",
            user=user,
            changes={"status": [before, locked.status]},
        )
        codes = list(locked.packages.values_list("tracking_code", flat=True))
        record_event(
            locked.order,
            source=TIMELINE_SOURCE,
            message=_("Shipment cancelled: %(codes)s")
            % {"codes": ", ".join(c for c in codes if c) or "—"},
            data={"shipment": locked.pk},
            user=user,
        )
    shipment.status, shipment.manifest = locked.status, None
    return locked


# -- Manifests ------------------------------------------------------------------


@transaction.atomic
def add_to_manifest(shipments: Iterable[Shipment], user) -> Manifest:
    """Put labelled ``shipments`` (one carrier, one origin) into their
    carrier's open manifest for that origin, created on demand under the
    carrier's row lock (so two clerks share one open manifest). Shipments
    already in it stay. Logs ``logistics.manifest.add``.

    Raises :class:`CarrierNotFound` out of scope, :class:`ManifestRefused`
    for shipments of several carriers or origins, not labelled, or in
    another manifest."""
    pks = sorted({s.pk for s in shipments})
    if not pks:
        raise ManifestRefused(_("Choose the shipments to hand over."))
    locked = list(
        Shipment.objects.select_for_update()
        .filter(pk__in=pks)
        .select_related("carrier", "order")
        .order_by("pk")
    )
    carriers = {s.carrier_id for s in locked}
    origins = {s.origin_id for s in locked}
    if len(carriers) != 1 or len(origins) != 1:
        raise ManifestRefused(
            _("A manifest holds the shipments of one carrier from one origin.")
        )
    carrier = Carrier.objects.select_for_update().get(pk=carriers.pop())
    check_can_ship(user, carrier)
    origin_id = origins.pop()
    manifest = (
        Manifest.objects.filter(
            carrier=carrier, origin_id=origin_id, status=Manifest.Status.OPEN
        )
        .order_by("pk")
        .first()
    )
    if manifest is None:
        manifest = Manifest.objects.create(carrier=carrier, origin_id=origin_id)
    added = []
    for shipment in locked:
        if shipment.manifest_id == manifest.pk:
            continue
        if shipment.status != S.LABELLED:
            raise ManifestRefused(
                _("Order %(number)s: its shipment is “%(status)s”, not labelled.")
                % {
                    "number": shipment.order.number,
                    "status": shipment.get_status_display(),
                }
            )
        if shipment.manifest_id is not None:
            raise ManifestRefused(
                _("Order %(number)s: its shipment is in manifest %(manifest)s.")
                % {"number": shipment.order.number, "manifest": shipment.manifest_id}
            )
        shipment.manifest = manifest
        added.append(shipment)
    Shipment.objects.bulk_update(added, ["manifest"])
    if added:
        log_change(
            manifest,
            "logistics.manifest.add",
            user=user,
            shipments=[s.pk for s in added],
        )
    return manifest


@transaction.atomic
def close_manifest(manifest: Manifest, user) -> Manifest:
    """Hand ``manifest`` over to its carrier: under row locks (the manifest,
    then its shipments), every shipment to *handed over* and every order to
    *shipped* (``transition_order(order, "ship")``: the stock plugin, when
    enabled, turns its reservation into a sale), the manifest closed. All or
    nothing: a shipment not labelled or an order that cannot ship (cancelled
    meanwhile, a hook refusing) rolls everything back with the reason
    (:class:`ManifestRefused`, or the hook's ``Refused``). An order already
    shipped (a second shipment of it) stays shipped. Logs
    ``logistics.manifest.close`` and writes on each order's timeline."""
    check_can_ship(user, manifest.carrier)
    locked = Manifest.objects.select_for_update().get(pk=manifest.pk)
    if locked.status != Manifest.Status.OPEN:
        raise ManifestRefused(_("This manifest is closed already."))
    shipments = list(
        Shipment.objects.select_for_update()
        .filter(manifest=locked)
        .select_related("order")
        .order_by("pk")
    )
    if not shipments:
        raise ManifestRefused(_("The manifest is empty."))
    now = timezone.now()
    for shipment in shipments:
        order = shipment.order
        if shipment.status != S.LABELLED:
            raise ManifestRefused(
                _("Order %(number)s: its shipment is “%(status)s”, not labelled.")
                % {"number": order.number, "status": shipment.get_status_display()}
            )
        if order.status == OrderStatus.READY_TO_SHIP:
            transition_order(order, "ship", user=_order_actor(order, "ship", user))
        elif order.status != OrderStatus.SHIPPED:
            raise ManifestRefused(
                _("Order %(number)s is “%(status)s”: it cannot be shipped.")
                % {"number": order.number, "status": order.get_status_display()}
            )
        shipment.status = S.HANDED_OVER
        shipment.handed_over_at = now
        codes = list(shipment.packages.values_list("tracking_code", flat=True))
        record_event(
            order,
            source=TIMELINE_SOURCE,
            message=_("Handed over to %(carrier)s (manifest %(manifest)s): %(codes)s")
            % {
                "carrier": locked.carrier.name,
                "manifest": locked.pk,
                "codes": ", ".join(c for c in codes if c) or "—",
            },
            data={"shipment": shipment.pk, "manifest": locked.pk},
            user=user,
            at=now,
        )
    Shipment.objects.bulk_update(shipments, ["status", "handed_over_at"])
    locked.status = Manifest.Status.CLOSED
    locked.closed_at = now
    locked.closed_by = user
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    log_change(
        locked,
        "logistics.manifest.close",
        user=user,
        shipments=[s.pk for s in shipments],
        orders=[s.order.number for s in shipments],
    )
    manifest.status, manifest.closed_at = locked.status, locked.closed_at
    manifest.closed_by = user
    return locked


def open_manifest_of(shipment: Shipment) -> Manifest | None:
    manifest = shipment.manifest
    if manifest is not None and manifest.status == Manifest.Status.OPEN:
        return manifest
    return None


def group_key(shipment: Shipment) -> tuple[int, int | None]:
    return shipment.carrier_id, shipment.origin_id


def by_carrier_and_origin(
    shipments: Iterable[Shipment],
) -> dict[tuple[int, int | None], list[Shipment]]:
    groups: dict[tuple[int, int | None], list[Shipment]] = defaultdict(list)
    for shipment in shipments:
        groups[group_key(shipment)].append(shipment)
    return dict(groups)
