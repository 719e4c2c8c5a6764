"""The HTTP calls of the adapters: JSON in and out over ``requests``, a
connect and a read timeout on every call, no redirects followed, and every
failure turned into a :class:`~.errors.ProviderError`.

The base URL comes from the provider account: the vendor's own API host
(its default) or, in tests and the demo, its local simulator on loopback.
Staff may set it; the finance app checks it where it is saved
(:func:`plugins.outbound.validate_public_url`). Redirects are refused here,
but ``requests`` resolves the host again at each call: unlike
:func:`plugins.outbound.send`, it does not pin the checked addresses.

Amounts in responses are read as ``Decimal`` through :func:`money`, which
refuses a value with more than two decimal places rather than round it.

Each adapter instance keeps one ``requests.Session`` (its connection pool):
make an adapter per task or request rather than sharing one across threads.
Retrying is the caller's decision (a background task with backoff, guided
by ``ProviderError.retryable``); nothing here retries on its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import requests
from django.utils.translation import gettext as _

from plugins.finance.models.providers import Provider

from .base import CENT, Timeout
from .errors import (
    ChargeNotFound,
    ProviderAuthenticationFailed,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    UnexpectedResponse,
)

USER_AGENT = "Retaguarda (payments)"
MAX_DETAIL = 300


def money(value: Any, *, provider: str, field: str) -> Decimal:
    """A JSON number (or numeric string) as money with two places."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT):
        raise UnexpectedResponse(
            _("%(provider)s sent “%(value)s” where an amount was expected.")
            % {"provider": Provider(provider).label, "value": value},
            provider=provider,
            detail=field,
        )
    return amount.quantize(CENT)


def number(amount: Decimal) -> float:
    """An amount as a JSON number. Two-place amounts survive the float:
    JSON writes the shortest text that reads back as the same float."""
    return float(amount.quantize(CENT))


class JSONClient:
    """Calls one provider's JSON API with a bearer token.

    ``describe`` reads the provider's error body into one line of text.
    """

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        access_token: str,
        timeout: Timeout,
        idempotency_header: str,
        describe: Callable[[Any], str],
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.idempotency_header = idempotency_header
        self.describe = describe
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {access_token}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
        )

    @property
    def label(self) -> str:
        return str(Provider(self.provider).label)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """Send one request and return its JSON body; raise a ProviderError."""
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers[self.idempotency_header] = idempotency_key
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                data=data,
                headers=headers,
                timeout=(self.timeout.connect, self.timeout.read),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise ProviderTimeout(
                _("%(provider)s did not answer in time: try again later.")
                % {"provider": self.label},
                provider=self.provider,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        except requests.ConnectionError as exc:
            raise ProviderUnavailable(
                _("%(provider)s could not be reached: try again later.")
                % {"provider": self.label},
                provider=self.provider,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ) as exc:
            raise ProviderError(
                _("The address of %(provider)s in the settings is not valid.")
                % {"provider": self.label},
                provider=self.provider,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        except requests.RequestException as exc:
            raise ProviderUnavailable(
                _("%(provider)s could not be reached: try again later.")
                % {"provider": self.label},
                provider=self.provider,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        return self._read(response)

    def _read(self, response: requests.Response) -> Any:
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if 200 <= status < 300:
            if payload is None:
                # The charge may exist: retrying with the same key is safe.
                raise UnexpectedResponse(
                    _("%(provider)s answered with something other than JSON.")
                    % {"provider": self.label},
                    provider=self.provider,
                    retryable=True,
                    http_status=status,
                    detail=response.text[:MAX_DETAIL],
                )
            return payload
        detail = self._detail(payload, response)
        arguments = {
            "provider": self.provider,
            "http_status": status,
            "detail": detail,
        }
        values = {"provider": self.label, "status": status, "detail": detail}
        if 300 <= status < 400:
            raise UnexpectedResponse(
                _("%(provider)s redirected the request (HTTP %(status)s).") % values,
                **arguments,
            )
        if status in (401, 403):
            raise ProviderAuthenticationFailed(
                _(
                    "%(provider)s refused the credentials (HTTP %(status)s): check "
                    "the access token in the settings."
                )
                % values,
                **arguments,
            )
        if status == 404:
            raise ChargeNotFound(
                _("%(provider)s has no such charge (HTTP 404).") % values,
                **arguments,
            )
        if status == 429 or status >= 500:
            raise ProviderUnavailable(
                _("%(provider)s is unavailable (HTTP %(status)s): try again later.")
                % values,
                retry_after=_retry_after(response),
                **arguments,
            )
        raise ProviderRejected(
            _("%(provider)s refused the request (HTTP %(status)s): %(detail)s")
            % values,
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


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
