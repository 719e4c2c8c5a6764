"""Why a fiscal document could not be built, and errors of the fiscal
services (the authoriser's own are in :mod:`plugins.fiscal.authoriser`).
``str()`` is the pt-BR reason shown to the person (on the order's timeline,
in the admin)."""

from __future__ import annotations

from plugins.exceptions import RetaguardaError


class FiscalXmlError(ValueError):
    """A fiscal document cannot be built from what was given."""


class NFeError(FiscalXmlError):
    """The data cannot make an NF-e."""


class EventError(FiscalXmlError):
    """An event (cancellation, CC-e) or an inutilização breaks its limits."""


class FiscalRefused(RetaguardaError):
    """The operation cannot be done as asked (an event outside its window, a
    justification too short, a range already used): nothing was sent."""

    status = 400
    code = "fiscal-refused"


class OrderNotPaid(FiscalRefused):
    """Only paid orders are invoiced."""


class AlreadyIssued(FiscalRefused):
    """The order has a live NF-e (signed, sent or authorised) already."""


class AuthoriserRejected(RetaguardaError):
    """The authoriser answered and refused (an event, an inutilização): its
    code and reason are recorded on ``record`` (the FiscalEvent or the
    NumberGap) and in the message."""

    status = 409
    code = "fiscal-rejected"

    def __init__(
        self, message: str = "", *, status_code: str = "", record=None
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.status_code = status_code
        self.record = record
