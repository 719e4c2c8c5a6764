"""The HTTP calls of the carriers' adapters: JSON in and out over
``requests``, a connect and a read timeout on every call, no redirects
followed, and every failure turned into a :class:`~.errors.CarrierError`
whose ``retryable`` says whether a background task may try again.

The base URL comes from the carrier row: the vendor's own API host (the
adapter's default) or, in tests and the demo, its local simulator on
loopback (:mod:`plugins.logistics.simulator`). Staff may set it; the model
checks it where it is saved (:func:`plugins.outbound.validate_public_url`).
Redirects are refused here.

How each failure reads:

============================  =====================================  =========
what happened                 error                                  retryable
============================  =====================================  =========
no answer in time             :class:`~.errors.CarrierTimeout`       yes
cannot connect                :class:`~.errors.CarrierUnavailable`   yes
HTTP 429 or 5xx               :class:`~.errors.CarrierUnavailable`   yes
HTTP 401 / 403                :class:`~.errors.CarrierAuthenticationFailed` no
other HTTP 4xx                :class:`~.errors.CarrierRejected`      no
HTTP 3xx (a redirect)         :class:`~.errors.UnexpectedResponse`   no
2xx that is not JSON          :class:`~.errors.UnexpectedResponse`   yes
============================  =====================================  =========

Each adapter keeps one :class:`JSONClient` (its connection pool): make an
adapter per task or request rather than sharing one across threads. Nothing
here retries on its own; the caller decides (``logistics_track`` backs off
on retryable errors).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from django.utils.translation import gettext as _

from plugins.logistics.models import CarrierKind

from .base import Timeout
from .errors import (
    CarrierAuthenticationFailed,
    CarrierError,
    CarrierRejected,
    CarrierTimeout,
    CarrierUnavailable,
    UnexpectedResponse,
)

USER_AGENT = "Retaguarda (logistics)"
MAX_DETAIL = 300
CENT = Decimal("0.01")


def money(value: Any, *, carrier: str, field: str) -> Decimal:
    """A price the carrier sent (a JSON number, ``"12.34"`` or Correios'
    ``"12,34"``) as money with two places; anything else is an
    :class:`~.errors.UnexpectedResponse`."""
    text = str(value).strip()
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT):
        raise UnexpectedResponse(
            _("%(carrier)s sent “%(value)s” where a price was expected.")
            % {"carrier": _label(carrier), "value": value},
            carrier=carrier,
            detail=field,
        )
    return amount.quantize(CENT)


def _label(carrier: str) -> str:
    try:
        return str(CarrierKind(carrier).label)
    except ValueError:
        return carrier


class JSONClient:
    """Calls one carrier's JSON API.

    ``describe`` reads the carrier's error body into one line of text;
    ``authorization`` (called before every request) gives the value of the
    ``Authorization`` header, or ``None`` for none.
    """

    def __init__(
        self,
        *,
        carrier: str,
        base_url: str,
        timeout: Timeout,
        describe: Callable[[Any], str],
        authorization: Callable[[], str | None] | None = None,
    ) -> None:
        self.carrier = carrier
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.describe = describe
        self.authorization = authorization
        self.session = requests.Session()
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": USER_AGENT}
        )

    @property
    def label(self) -> str:
        return _label(self.carrier)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        raw: bool = False,
    ) -> Any:
        """Send one request and return its JSON body (its bytes with
        ``raw``); raise a :class:`~.errors.CarrierError`."""
        sent = dict(headers or {})
        if "Authorization" not in sent and self.authorization is not None:
            value = self.authorization()
            if value:
                sent["Authorization"] = value
        data = None
        if body is not None:
            data = json.dumps(body, default=_json_default).encode()
            sent["Content-Type"] = "application/json"
        values = {"carrier": self.label}
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                params=query,
                data=data,
                headers=sent,
                timeout=(self.timeout.connect, self.timeout.read),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise CarrierTimeout(
                _("%(carrier)s did not answer in time: try again later.") % values,
                carrier=self.carrier,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ) as exc:
            raise CarrierError(
                _("The address of %(carrier)s in the settings is not valid.") % values,
                carrier=self.carrier,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        except requests.RequestException as exc:
            raise CarrierUnavailable(
                _("%(carrier)s could not be reached: try again later.") % values,
                carrier=self.carrier,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        return self._read(response, raw=raw)

    def _read(self, response: requests.Response, *, raw: bool) -> Any:
        status = response.status_code
        if 200 <= status < 300:
            if raw:
                return response.content
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise UnexpectedResponse(
                    _("%(carrier)s answered with something other than JSON.")
                    % {"carrier": self.label},
                    carrier=self.carrier,
                    retryable=True,
                    http_status=status,
                    detail=response.text[:MAX_DETAIL],
                ) from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        detail = self._detail(payload, response)
        arguments = {"carrier": self.carrier, "http_status": status, "detail": detail}
        values = {"carrier": self.label, "status": status, "detail": detail}
        if 300 <= status < 400:
            raise UnexpectedResponse(
                _("%(carrier)s redirected the request (HTTP %(status)s).") % values,
                **arguments,
            )
        if status in (401, 403):
            raise CarrierAuthenticationFailed(
                _(
                    "%(carrier)s refused the credentials (HTTP %(status)s): check "
                    "the user, contract and access code in the carrier's settings."
                )
                % values,
                **arguments,
            )
        if status == 429 or status >= 500:
            raise CarrierUnavailable(
                _("%(carrier)s is unavailable (HTTP %(status)s): try again later.")
                % values,
                retry_after=_retry_after(response),
                **arguments,
            )
        raise CarrierRejected(
            _("%(carrier)s refused the request (HTTP %(status)s): %(detail)s") % values,
            **arguments,
        )

    def _detail(self, payload: Any, response: requests.Response) -> str:
        text = ""
        if payload is not None:
            try:
                text = self.describe(payload)
            except (AttributeError, KeyError, TypeError, IndexError):
                text = ""
        return (text or response.text or response.reason or "")[:MAX_DETAIL]


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value.quantize(CENT))
    raise TypeError(type(value).__name__)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
