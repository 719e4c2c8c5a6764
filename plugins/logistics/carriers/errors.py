"""Errors of the carriers' adapters (the same shape as the payment
providers': every failure of an outbound call is a :class:`CarrierError`,
never a bare ``requests`` exception; ``retryable`` tells a background task
whether trying again later can succeed)."""

from __future__ import annotations

from plugins.exceptions import RetaguardaError


class CarrierError(RetaguardaError):
    status = 502
    code = "carrier-error"
    retryable = False

    def __init__(
        self,
        message: str = "",
        *,
        carrier: str = "",
        retryable: bool | None = None,
        http_status: int | None = None,
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.carrier = carrier
        if retryable is not None:
            self.retryable = retryable
        self.http_status = http_status
        self.detail = detail
        #: Seconds the carrier asked to wait (HTTP 429/503 ``Retry-After``).
        self.retry_after = retry_after


class CarrierTimeout(CarrierError):
    status = 504
    code = "carrier-timeout"
    retryable = True


class CarrierUnavailable(CarrierError):
    status = 503
    code = "carrier-unavailable"
    retryable = True


class CarrierAuthenticationFailed(CarrierError):
    code = "carrier-credentials"


class CarrierRejected(CarrierError):
    """The carrier refused the request: the same request will be refused again."""

    status = 422
    code = "carrier-rejected"


class UnexpectedResponse(CarrierError):
    code = "carrier-unexpected-response"


class OperationNotSupported(CarrierError):
    status = 409
    code = "carrier-operation-not-supported"


class InvalidWebhook(CarrierError):
    status = 400
    code = "carrier-invalid-webhook"


class WebhookSignatureInvalid(CarrierAuthenticationFailed):
    """A tracking notification whose origin could not be proven (missing,
    malformed, mismatched or stale signature, or no secret to check it
    with): answer 401 and apply nothing."""

    status = 401
    code = "carrier-webhook-signature"
