"""Our own format for tracking pushes, for carriers without an API of their
own (the table carriers) and for relays that forward a carrier's events.

A push is ``POST /api/v1/logistics/webhooks/<the carrier's webhook
token>/`` with a JSON body that is a list of events::

    [
      {
        "id": "evt-000123",                 # the carrier's id of the event
        "tracking_code": "RP000000015BR",
        "status": "in_transit",             # a TrackingStatus value
        "occurred_at": "2026-05-04T10:20:00-03:00",
        "carrier_status": "RO",             # optional: the carrier's own code
        "description": "Objeto em trânsito",  # optional
        "place": "Cajamar / SP"             # optional
      }
    ]

and two headers, the same scheme as the store's own outgoing webhooks
(:func:`api.webhooks.sign`):

- ``X-Retaguarda-Timestamp``: the time of sending, in Unix seconds;
- ``X-Retaguarda-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed
  with the carrier's webhook secret, of ``"<timestamp>.<raw body>"``.

The signature is checked on the raw bytes before anything is parsed, with a
constant-time comparison; a timestamp more than :data:`TOLERANCE` away from
now is refused (a captured push cannot be replayed later). A repeated event
(same ``id``) is applied once, whenever it comes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from plugins.logistics.models import TrackingStatus

from .base import TrackEvent
from .errors import InvalidWebhook, WebhookSignatureInvalid

TIMESTAMP_HEADER = "X-Retaguarda-Timestamp"
SIGNATURE_HEADER = "X-Retaguarda-Signature"
TOLERANCE = timedelta(minutes=5)
#: The most events one push may carry.
MAX_EVENTS = 1000


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Retaguarda-Signature`` value of ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signed_headers(secret: str, body: bytes, *, at: float | None = None) -> dict:
    """The headers of a push of ``body`` (what a carrier, or the simulator,
    sends)."""
    timestamp = str(int(time.time() if at is None else at))
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value or ""
    return ""


def verify(
    body: bytes,
    headers: Mapping[str, str],
    *,
    secret: str,
    tolerance: timedelta | None = TOLERANCE,
    now: float | None = None,
) -> None:
    """Check a push's signature; raise :class:`~.errors.WebhookSignatureInvalid`."""
    if not secret:
        # An empty key would make every signature computable by anyone.
        raise WebhookSignatureInvalid(
            _("The carrier has no webhook secret: its pushes cannot be checked.")
        )
    timestamp = _header(headers, TIMESTAMP_HEADER).strip()
    received = _header(headers, SIGNATURE_HEADER).strip()
    if not timestamp or not received:
        raise WebhookSignatureInvalid(_("The push is not signed."))
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise WebhookSignatureInvalid(_("The push's timestamp is malformed."))
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), received.lower().encode()):
        raise WebhookSignatureInvalid(
            _("The push's signature does not match: it was not sent by the carrier.")
        )
    if tolerance is not None:
        age = (time.time() if now is None else now) - int(timestamp)
        if abs(age) > tolerance.total_seconds():
            raise WebhookSignatureInvalid(
                _("The push was signed too long ago (or in the future).")
            )


def _text(item: Mapping[str, Any], name: str, limit: int) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidWebhook(_("“%(field)s” must be text.") % {"field": name})
    return value.strip()[:limit]


def parse_events(body: bytes) -> list[TrackEvent]:
    """The events of a push whose signature was checked; raise
    :class:`~.errors.InvalidWebhook` for a body that is not our format."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidWebhook(_("The push is not valid JSON.")) from None
    if not isinstance(data, list):
        raise InvalidWebhook(_("The push must be a JSON list of events."))
    if len(data) > MAX_EVENTS:
        raise InvalidWebhook(
            _("A push carries at most %(count)s events.") % {"count": MAX_EVENTS}
        )
    events = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidWebhook(
                _("Event %(index)s is not an object.") % {"index": index}
            )
        event_id = _text(item, "id", 80)
        code = _text(item, "tracking_code", 40).replace(" ", "").upper()
        if not event_id or not code:
            raise InvalidWebhook(
                _("Event %(index)s needs an id and a tracking code.") % {"index": index}
            )
        try:
            status = TrackingStatus(item.get("status"))
        except ValueError:
            raise InvalidWebhook(
                _("Event %(index)s has an unknown status “%(status)s”.")
                % {"index": index, "status": item.get("status")}
            ) from None
        occurred_at = parse_datetime(_text(item, "occurred_at", 40))
        if occurred_at is None or occurred_at.tzinfo is None:
            raise InvalidWebhook(
                _(
                    "Event %(index)s needs “occurred_at” as an ISO 8601 time "
                    "with its offset."
                )
                % {"index": index}
            )
        events.append(
            TrackEvent(
                event_id=event_id,
                tracking_code=code,
                status=status,
                occurred_at=occurred_at,
                carrier_status=_text(item, "carrier_status", 40),
                description=_text(item, "description", 300),
                place=_text(item, "place", 150),
                raw=item,
            )
        )
    return events


def parse_signed_events(
    body: bytes, headers: Mapping[str, str], *, secret: str, carrier: Any = None
) -> list[TrackEvent]:
    """Check a push's signature on the raw ``body``, then read its events.

    Raises :class:`~.errors.WebhookSignatureInvalid` (nothing was read) or
    :class:`~.errors.InvalidWebhook`. ``carrier`` (the carrier row) is for
    the errors' context.
    """
    kind = getattr(carrier, "kind", "") or ""
    try:
        verify(body, headers, secret=secret)
        return parse_events(body)
    except (WebhookSignatureInvalid, InvalidWebhook) as error:
        error.carrier = error.carrier or kind
        raise


def event_json(event: TrackEvent) -> dict[str, Any]:
    """An event in the push format (what the simulators and tests send)."""
    return {
        "id": event.event_id,
        "tracking_code": event.tracking_code,
        "status": str(event.status),
        "occurred_at": event.occurred_at.isoformat(),
        "carrier_status": event.carrier_status,
        "description": event.description,
        "place": event.place,
    }
