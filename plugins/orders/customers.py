"""Customers' personal data under the LGPD: export it, anonymise it.

Both are permissions of their own (``orders.export_customer_data``,
``orders.anonymise_customer``: the privacy officer and the manager), on a
customer the user may see (:func:`plugins.orders.permissions.customer_policy`).

Anonymising removes the customer's personal data from everything the project
stores about them: the customer and their addresses; the snapshots of their
orders; what people typed about them (order notes, reasons, survey comments);
the audit log (labels and before/after values of entries about the customer,
personal values in entries about their orders); webhook deliveries of their
orders; order import files (and the rows their reports quote) that mention
them. Other plugins scrub what they hold through the ``customer_anonymised`` hook.
Customers and orders are not in the search index, so there is nothing to
re-index.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import ModelLogEntry

from content.validators import is_valid_cnpj, normalise_document, only_digits
from plugins import hooks
from plugins.audit import log_change
from plugins.orders import hooks as order_hooks
from plugins.orders.models import (
    ADDRESS_FIELDS,
    Customer,
    Order,
    OrderEvent,
    SurveyResponse,
    format_document,
)
from plugins.orders.permissions import (
    ANONYMISE_CUSTOMER,
    EXPORT_CUSTOMER_DATA,
    user_can_see_customer,
)

ANONYMOUS_NAME = "Cliente anonimizado"
#: What replaces a personal value inside a longer text or an audit value.
REDACTED = "***"
#: What replaces free text people typed about the customer (notes, reasons).
REMOVED_TEXT = "Texto removido (anonimização LGPD)"
#: Parts of an address too generic to look for in other texts on their own.
GENERIC_ADDRESS_FIELDS = {"number", "city", "uf"}
MIN_NEEDLE = 4


def _check(user, permission: str, customer: Customer) -> None:
    """``user`` (``None``: the system) holds ``permission`` and may see the
    customer; otherwise PermissionDenied."""
    if user is None:
        return
    if not (user.has_perm(permission) and user_can_see_customer(user, customer)):
        raise PermissionDenied


def _entries_about(customer: Customer, order_pks: Iterable[int]):
    """Audit entries about the customer and about their orders."""
    from django.db.models import Q

    return ModelLogEntry.objects.filter(
        Q(
            content_type=ContentType.objects.get_for_model(Customer),
            object_id=str(customer.pk),
        )
        | Q(
            content_type=ContentType.objects.get_for_model(Order),
            object_id__in=[str(pk) for pk in order_pks],
        )
    )


def export_customer_data(customer: Customer, *, user) -> dict:
    """Everything stored about ``customer`` (the LGPD's access right), as a
    JSON-ready dict: profile, consents, addresses, orders with their
    snapshots and lines, survey answers, order notes and the audit entries
    about the customer and their orders. Needs ``orders.export_customer_data``
    on a customer the user may see (PermissionDenied); audited."""
    _check(user, EXPORT_CUSTOMER_DATA, customer)
    orders = list(
        Order.objects.filter(customer=customer)
        .select_related("channel")
        .prefetch_related("lines")
        .order_by("placed_at")
    )
    numbers = {o.pk: o.number for o in orders}
    surveys = SurveyResponse.objects.filter(
        order__customer=customer, answered_at__isnull=False
    ).order_by("answered_at")
    notes = OrderEvent.objects.filter(
        order__customer=customer, kind=OrderEvent.Kind.NOTE
    ).order_by("created_at", "pk")
    entries = _entries_about(customer, numbers).order_by("timestamp", "pk")
    customer_type = ContentType.objects.get_for_model(Customer)
    data = {
        "customer": {
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "document": customer.document,
            "accepts_marketing": customer.accepts_marketing,
            "accepts_data_sharing": customer.accepts_data_sharing,
            "consent_updated_at": customer.consent_updated_at,
            "created_at": customer.created_at,
        },
        "addresses": [
            {
                "label": a.label,
                **a.snapshot(),
            }
            for a in customer.addresses.all()
        ],
        "references": [
            {"channel": r.channel.name, "reference": r.reference}
            for r in customer.references.select_related("channel")
        ],
        "orders": [
            {
                "number": o.number,
                "channel": o.channel.name,
                "placed_at": o.placed_at,
                "status": o.status,
                "customer_name": o.customer_name,
                "customer_email": o.customer_email,
                "customer_phone": o.customer_phone,
                "customer_document": o.customer_document,
                "billing_address": o.billing_address,
                "shipping_address": o.shipping_address,
                "total": str(o.total),
                "cancel_reason": o.cancel_reason,
                "return_reason": o.return_reason,
                "lines": [
                    {
                        "sku": line.sku,
                        "product": line.product_name,
                        "quantity": line.quantity,
                        "total": str(line.total),
                    }
                    for line in o.lines.all()
                ],
            }
            for o in orders
        ],
        "survey_answers": [
            {
                "order": numbers.get(s.order_id),
                "score": s.score,
                "comment": s.comment,
                "answered_at": s.answered_at,
            }
            for s in surveys
        ],
        "notes": [
            {
                "order": numbers.get(n.order_id),
                "at": n.created_at,
                "text": n.message,
            }
            for n in notes
        ],
        "audit_log": [
            {
                "at": e.timestamp,
                "action": e.action,
                "about": (
                    "customer"
                    if e.content_type_id == customer_type.pk
                    else f"order {e.label}"
                ),
                "data": e.data,
            }
            for e in entries
        ],
    }
    log_change(customer, "orders.customer.export", user=user)
    return data


#: What the staff API may change on a customer.
EDITABLE_FIELDS = (
    "name",
    "email",
    "phone",
    "document",
    "accepts_marketing",
    "accepts_data_sharing",
)


@transaction.atomic
def update_customer(customer: Customer, *, user, **fields: Any) -> Customer:
    """Change ``customer``'s profile (``EDITABLE_FIELDS``). Needs ``change``
    in the customers' policy (a model-level ``change_customer``, or
    ``handle_orders`` on a channel of one of their orders): PermissionDenied
    otherwise. Validates like the admin (ValidationError); an anonymised
    customer cannot be changed (PermissionDenied); a consent change stamps
    ``consent_updated_at``. Audited (``wagtail.edit`` with before/after)."""
    from plugins.audit import instance_changes
    from plugins.orders.permissions import customer_policy

    if user is not None and not customer_policy().user_has_permission_for_instance(
        user, "change", customer
    ):
        raise PermissionDenied
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.anonymised_at:
        raise PermissionDenied
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    consents = ("accepts_marketing", "accepts_data_sharing")
    if any(k in fields and fields[k] != getattr(customer, k) for k in consents):
        customer.consent_updated_at = timezone.now()
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.full_clean()
    changes = instance_changes(customer)
    if changes:
        customer.save()
        log_change(customer, "wagtail.edit", user=user, changes=changes)
    return customer


def personal_values(customer: Customer, orders: Iterable[Order]) -> set[str]:
    """The customer's personal values, as they may appear in other texts:
    name, e-mail, phone and CPF/CNPJ (as stored and as typed), addresses, the
    snapshots of their orders and the former values of admin edits."""
    values: set[str] = set()

    def add(value: Any) -> None:
        if not isinstance(value, str):
            return
        value = value.strip()
        if len(value) >= MIN_NEEDLE:
            values.add(value)
        digits = only_digits(value)
        if len(digits) >= 8:
            # Documents, phones and CEPs with or without punctuation.
            values.add(digits)
            if len(digits) in (11, 14):
                values.add(format_document(digits))
        if is_valid_cnpj(value) and not value.isdigit():
            # An alphanumeric CNPJ, as stored and formatted.
            values.add(normalise_document(value))
            values.add(format_document(value))

    def add_address(address: dict) -> None:
        for field in ADDRESS_FIELDS:
            if field not in GENERIC_ADDRESS_FIELDS:
                add(address.get(field))

    for value in (customer.name, customer.email, customer.phone, customer.document):
        add(value)
    for address in customer.addresses.all():
        add_address(address.snapshot())
    for order in orders:
        for value in (
            order.customer_name,
            order.customer_email,
            order.customer_phone,
            order.customer_document,
        ):
            add(value)
        for address in (order.billing_address, order.shipping_address):
            if isinstance(address, dict):
                add_address(address)
    customer_entries = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=str(customer.pk),
    )
    for entry in customer_entries:
        add(entry.label)
        for change in ((entry.data or {}).get("changes") or {}).values():
            for value in change if isinstance(change, list) else [change]:
                add(value)
    values.discard(ANONYMOUS_NAME)
    return values


def redact(value: Any, needles: Iterable[str]) -> Any:
    """``value`` (a string, or JSON made of dicts and lists) with every
    occurrence of the ``needles`` replaced by ``***``, case-insensitively."""
    needles = sorted(set(needles), key=len, reverse=True)
    if not needles:
        return value
    pattern = re.compile("|".join(map(re.escape, needles)), re.IGNORECASE)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return pattern.sub(REDACTED, item)
        if isinstance(item, dict):
            return {walk(k): walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    return walk(value)


def _mask_changes(data: dict) -> dict:
    """An audit entry about the customer keeps which fields changed, not the
    values (as for secrets)."""
    data = dict(data or {})
    if isinstance(data.get("changes"), dict):
        data["changes"] = {name: [REDACTED, REDACTED] for name in data["changes"]}
    return data


def _scrub_audit_log(customer: Customer, order_pks: list[int], needles) -> None:
    customer_type = ContentType.objects.get_for_model(Customer)
    for entry in _entries_about(customer, order_pks):
        data = entry.data or {}
        if entry.content_type_id == customer_type.pk:
            label, data = ANONYMOUS_NAME, _mask_changes(data)
        else:
            label = redact(entry.label, needles)
            # Free text typed about the order (notes, reasons) goes whole.
            data = {
                key: REMOVED_TEXT if key in ("note", "reason") and value else value
                for key, value in data.items()
            }
        ModelLogEntry.objects.filter(pk=entry.pk).update(
            label=label, data=redact(data, needles)
        )


def _scrub_timeline(order_pks: list[int], needles) -> None:
    """Notes and reasons are what people typed: removed whole. Other entries
    (from plugins) keep their text without the personal values."""
    events = OrderEvent.objects.filter(order__in=order_pks)
    for event in events:
        typed = event.kind in (OrderEvent.Kind.NOTE, OrderEvent.Kind.TRANSITION)
        message = (
            REMOVED_TEXT if typed and event.message else redact(event.message, needles)
        )
        data = redact(event.data, needles)
        if (message, data) != (event.message, event.data):
            OrderEvent.objects.filter(pk=event.pk).update(message=message, data=data)
    SurveyResponse.objects.filter(order__in=order_pks).exclude(comment="").update(
        comment=""
    )
    Order.objects.filter(pk__in=order_pks).exclude(cancel_reason="").update(
        cancel_reason=REMOVED_TEXT
    )
    Order.objects.filter(pk__in=order_pks).exclude(return_reason="").update(
        return_reason=REMOVED_TEXT
    )


def _scrub_webhook_deliveries(numbers: list[str], needles) -> None:
    if "api" not in apps.app_configs or not numbers:
        return
    from api.models import WebhookDelivery

    deliveries = WebhookDelivery.objects.filter(payload__number__in=numbers)
    for delivery in deliveries:
        payload = redact(delivery.payload, needles)
        if payload != delivery.payload:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(payload=payload)


def file_mentions(content: bytes, needles: Iterable[str]) -> bool:
    """Whether an uploaded CSV or XLSX file mentions any of ``needles``."""
    texts = []
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                for name in archive.namelist():
                    if name.endswith(".xml"):
                        texts.append(archive.read(name).decode("utf-8", "replace"))
        except zipfile.BadZipFile:
            texts.append(content.decode("latin-1"))
    else:
        for encoding in ("utf-8", "cp1252", "latin-1"):
            try:
                texts.append(content.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
    lowered = [t.lower() for t in texts]
    return any(n.lower() in text for n in needles for text in lowered)


def _delete_import_files(needles) -> None:
    """Order import files that mention the customer are deleted, with the
    rows their reports quote (the attendant uploads the file again)."""
    from plugins.importing.models import ImportJob
    from plugins.importing.services import erase_files, job_texts
    from plugins.orders.importing.importer import OrdersImporter

    jobs = ImportJob.objects.filter(importer=OrdersImporter.key).exclude(
        file="", invalid_rows_file=""
    )
    for job in jobs:
        if any(file_mentions(text, needles) for text in job_texts(job)):
            erase_files(job)


@transaction.atomic
def anonymise_customer(customer: Customer, *, user) -> Customer:
    """Remove ``customer``'s personal data (the LGPD's erasure right)
    everywhere it is stored (see the module's docstring). Orders, lines,
    totals and survey scores stay (the books and the NPS need them).

    Needs ``orders.anonymise_customer`` on a customer the user may see
    (PermissionDenied). Locks the customer's row; calls the
    ``customer_anonymised`` hook inside the transaction; audited;
    irreversible."""
    _check(user, ANONYMISE_CUSTOMER, customer)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.anonymised_at:
        return customer
    orders = list(Order.objects.filter(customer=customer))
    order_pks = [o.pk for o in orders]
    needles = personal_values(customer, orders)
    customer.addresses.all().delete()
    # A channel's id for the person (their storefront account, their
    # marketplace buyer id) would tie new orders back to this record.
    customer.references.all().delete()
    customer.name = ANONYMOUS_NAME
    customer.email = ""
    customer.phone = ""
    customer.document = ""
    customer.accepts_marketing = customer.accepts_data_sharing = False
    customer.anonymised_at = timezone.now()
    customer.save()
    Order.objects.filter(customer=customer).update(
        customer_name=ANONYMOUS_NAME,
        customer_email="",
        customer_phone="",
        customer_document="",
        billing_address={},
        shipping_address={},
    )
    _scrub_timeline(order_pks, needles)
    _scrub_audit_log(customer, order_pks, needles)
    _scrub_webhook_deliveries([o.number for o in orders], needles)
    hooks.call(
        order_hooks.CUSTOMER_ANONYMISED,
        customer=customer,
        orders=orders,
        personal_values=frozenset(needles),
    )
    log_change(
        customer,
        "orders.customer.anonymise",
        user=user,
        note=_("Personal data removed; orders kept."),
    )
    # Files are not rolled back with the database: only after the commit.
    transaction.on_commit(lambda: _delete_import_files(needles))
    return customer
