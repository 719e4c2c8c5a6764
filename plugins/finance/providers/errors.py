"""Errors of the payment providers' adapters.

Every failure of an outbound call is a :class:`ProviderError`, never a bare
``requests`` exception: a timeout, a refused connection, an answer the
adapter cannot read, or the provider's refusal. ``retryable`` tells the
background task whether trying again later (with the same idempotency key,
so that nothing is charged twice) can succeed: timeouts, connection
failures, HTTP 5xx and 429 can; a refused request (4xx), wrong credentials
or an unsupported operation cannot.

:class:`InvalidChargeRequest` is not the provider's doing: the charge asked
for cannot be made (a boleto without the payer's address, a method the
provider does not offer). It is raised before anything is sent.
"""

from __future__ import annotations

from plugins.exceptions import RetaguardaError


class ProviderError(RetaguardaError):
    """A call to a payment provider failed; the message (translated) says why.

    ``provider`` is the provider's kind (``"mercadopago"`` …), ``http_status``
    the status of its answer when there was one, ``detail`` the provider's
    own description of the problem (its language, for the log), and
    ``retry_after`` the seconds it asked to wait (HTTP 429/503), if it did.
    """

    status = 502
    code = "payment-provider-error"
    retryable = False

    def __init__(
        self,
        message: str = "",
        *,
        provider: str = "",
        retryable: bool | None = None,
        http_status: int | None = None,
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        if retryable is not None:
            self.retryable = retryable
        self.http_status = http_status
        self.detail = detail
        self.retry_after = retry_after


class ProviderTimeout(ProviderError):
    """No answer in time (connecting or reading): it may or may not have
    been done, so try again with the same idempotency key."""

    status = 504
    code = "payment-provider-timeout"
    retryable = True


class ProviderUnavailable(ProviderError):
    """The provider could not be reached, answered 5xx or asked to slow down
    (429)."""

    status = 503
    code = "payment-provider-unavailable"
    retryable = True


class ProviderAuthenticationFailed(ProviderError):
    """The provider refused the credentials (HTTP 401/403): fix the settings."""

    code = "payment-provider-credentials"


class ProviderRejected(ProviderError):
    """The provider refused the request (HTTP 4xx): the same request will be
    refused again."""

    code = "payment-provider-rejected"


class ChargeNotFound(ProviderRejected):
    """The provider has no charge with that id (HTTP 404)."""

    code = "payment-provider-not-found"


class UnexpectedResponse(ProviderError):
    """The provider answered something the adapter cannot read (not JSON, a
    field missing, a status it does not know, a redirect)."""

    code = "payment-provider-unexpected"


class OperationNotSupported(ProviderError):
    """The provider cannot do this (a manual method has no capture, PagBank
    cannot cancel a Pix QR code …)."""

    status = 409
    code = "payment-operation-unsupported"


class InvalidChargeRequest(RetaguardaError, ValueError):
    """The charge asked for cannot be made as it is; nothing was sent."""

    status = 400
    code = "payment-charge-invalid"


class InvalidWebhook(RetaguardaError):
    """A webhook whose signature checked out but whose content cannot be read
    (not JSON, not about a payment, ids that disagree): answer 400."""

    status = 400
    code = "webhook-invalid"
