"""What an NF-e authoriser (a state's SEFAZ, the SVC contingency authorisers
or the local simulator) takes and gives back.

:class:`Authoriser` is the protocol the fiscal services call; the SOAP 1.2
adapter that speaks the official web services is
:class:`plugins.fiscal.sefaz.SefazAuthoriser`. Documents go in as signed XML
text and are embedded in the request exactly as they are: nothing here parses
and writes them again. The answers come back as the plain dataclasses below,
each with the XML the authoriser sent for the record (``protNFe``,
``retEvento``, ``retInutNFe``), cut from its answer as text.

Every call has a connect and a read timeout. A failure is an
:class:`AuthoriserError` whose ``retryable`` says whether trying again later
can succeed: timeouts, a refused connection, HTTP 5xx and the authoriser's
own "service stopped" answers (cStat 108/109) can; an answer that cannot be
read, a refused certificate or a wrong address cannot. Nothing here retries on
its own: the services schedule the next attempt (see
:mod:`plugins.fiscal.services.authorisation`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

from plugins.exceptions import RetaguardaError

NFE_NAMESPACE = "http://www.portalfiscal.inf.br/nfe"

#: The largest batch NFeAutorizacao4 takes, and of events NFeRecepcaoEvento4.
MAX_BATCH = 50
MAX_EVENT_BATCH = 20


class Service(StrEnum):
    """The NF-e 4.00 web services (their WSDL names)."""

    AUTHORISATION = "NFeAutorizacao4"
    RECEIPT = "NFeRetAutorizacao4"
    CONSULT = "NFeConsultaProtocolo4"
    STATUS = "NFeStatusServico4"
    EVENT = "NFeRecepcaoEvento4"
    INUTILIZATION = "NFeInutilizacao4"


class Code:
    """The cStat values the services act on (Manual de Orientação do
    Contribuinte, tabela de códigos de erros e mensagens)."""

    AUTHORISED = "100"
    AUTHORISED_LATE = "150"
    INUTILIZED = "102"
    BATCH_RECEIVED = "103"
    BATCH_PROCESSED = "104"
    BATCH_IN_PROCESS = "105"
    BATCH_NOT_FOUND = "106"
    SERVICE_RUNNING = "107"
    SERVICE_STOPPED = "108"
    SERVICE_STOPPED_LONG = "109"
    DENIED = "110"
    EVENTS_PROCESSED = "128"
    EVENT_REGISTERED = "135"
    EVENT_REGISTERED_UNLINKED = "136"
    EVENT_REGISTERED_LATE = "155"
    DUPLICATE = "204"
    DENIED_IN_DATABASE = "205"
    NOT_FOUND = "217"
    ALREADY_CANCELLED = "218"
    DENIED_EMITTER = "301"
    DENIED_RECIPIENT = "302"
    DENIED_RECIPIENT_NOT_ENABLED = "303"
    UNDUE_CONSUMPTION = "656"

    AUTHORISED_CODES = frozenset({AUTHORISED, AUTHORISED_LATE})
    DENIED_CODES = frozenset(
        {
            DENIED,
            DENIED_IN_DATABASE,
            DENIED_EMITTER,
            DENIED_RECIPIENT,
            DENIED_RECIPIENT_NOT_ENABLED,
        }
    )
    EVENT_CODES = frozenset(
        {EVENT_REGISTERED, EVENT_REGISTERED_UNLINKED, EVENT_REGISTERED_LATE}
    )
    #: Answers that mean "not now": the same request may succeed later.
    RETRYABLE_CODES = frozenset(
        {SERVICE_STOPPED, SERVICE_STOPPED_LONG, UNDUE_CONSUMPTION}
    )


# -- Errors ------------------------------------------------------------------------


class AuthoriserError(RetaguardaError):
    """A call to the authoriser failed; the message (translated) says why.

    ``authoriser`` names it ("SP", "SVC-AN" …), ``http_status`` is the status
    of its HTTP answer when there was one, ``status_code`` its cStat when it
    answered one (108 …), ``detail`` its own words or the network error, for
    the log.
    """

    status = 502
    code = "fiscal-authoriser-error"
    retryable = False
    #: the request went out and its answer never came (or could not be
    #: read): the authoriser may have done what was asked
    answer_lost = False

    def __init__(
        self,
        message: str = "",
        *,
        authoriser: str = "",
        retryable: bool | None = None,
        http_status: int | None = None,
        status_code: str = "",
        detail: str = "",
        answer_lost: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.authoriser = authoriser
        if retryable is not None:
            self.retryable = retryable
        if answer_lost is not None:
            self.answer_lost = answer_lost
        self.http_status = http_status
        self.status_code = status_code
        self.detail = detail


class AuthoriserTimeout(AuthoriserError):
    """No answer in time: the request may or may not have been processed (a
    document sent again is answered as a duplicate, then consulted)."""

    status = 504
    code = "fiscal-authoriser-timeout"
    retryable = True
    answer_lost = True


class AuthoriserUnavailable(AuthoriserError):
    """The authoriser could not be reached, answered HTTP 5xx, or said its
    service is stopped (cStat 108/109) or busy (656)."""

    status = 503
    code = "fiscal-authoriser-unavailable"
    retryable = True


class AuthoriserRefused(AuthoriserError):
    """The authoriser refused the request itself (HTTP 4xx, a SOAP fault of
    the sender, the client certificate): sending it again changes nothing."""

    code = "fiscal-authoriser-refused"


class UnexpectedAnswer(AuthoriserError):
    """The authoriser answered something that cannot be read (not SOAP, not
    the expected message, a redirect)."""

    code = "fiscal-authoriser-unexpected"


# -- Answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentResult:
    """The authoriser's answer about one NF-e (its ``protNFe``)."""

    access_key: str
    status_code: str
    reason: str
    protocol: str = ""
    received_at: datetime.datetime | None = None
    #: the digest of the NF-e the authoriser recorded (``digVal``)
    digest: str = ""
    #: the ``protNFe`` element as the authoriser wrote it
    xml: str = field(default="", repr=False)

    @property
    def authorised(self) -> bool:
        return self.status_code in Code.AUTHORISED_CODES

    @property
    def denied(self) -> bool:
        return self.status_code in Code.DENIED_CODES

    @property
    def duplicate(self) -> bool:
        return self.status_code == Code.DUPLICATE


@dataclass(frozen=True)
class BatchResult:
    """The answer to a batch sent (NFeAutorizacao4) or to its receipt
    (NFeRetAutorizacao4). ``documents`` holds a result per NF-e processed;
    a batch refused as a whole (its schema, its signature) has none, and its
    code and reason are each document's."""

    status_code: str
    reason: str
    receipt: str = ""
    received_at: datetime.datetime | None = None
    average_seconds: int | None = None
    documents: tuple[DocumentResult, ...] = ()
    xml: str = field(default="", repr=False)

    @property
    def pending(self) -> bool:
        """Received, not processed yet: fetch the receipt later."""
        return self.status_code in (Code.BATCH_RECEIVED, Code.BATCH_IN_PROCESS)

    def result_for(self, access_key: str) -> DocumentResult:
        """This document's result (the batch's own code when it has none)."""
        for result in self.documents:
            if result.access_key == access_key:
                return result
        return DocumentResult(access_key, self.status_code, self.reason)


@dataclass(frozen=True)
class EventResult:
    """The authoriser's answer about one event (its ``retEvento``)."""

    status_code: str
    reason: str
    access_key: str = ""
    event_type: str = ""
    sequence: int | None = None
    protocol: str = ""
    registered_at: datetime.datetime | None = None
    xml: str = field(default="", repr=False)

    @property
    def registered(self) -> bool:
        return self.status_code in Code.EVENT_CODES


@dataclass(frozen=True)
class ConsultResult:
    """The situation of one NF-e (NFeConsultaProtocolo4): its authorisation
    protocol, if it has one, and the events registered on it."""

    status_code: str
    reason: str
    access_key: str
    protocol: DocumentResult | None = None
    events: tuple[EventResult, ...] = ()
    xml: str = field(default="", repr=False)


@dataclass(frozen=True)
class InutilizationResult:
    """The answer to an inutilização (its ``retInutNFe``)."""

    status_code: str
    reason: str
    protocol: str = ""
    registered_at: datetime.datetime | None = None
    xml: str = field(default="", repr=False)

    @property
    def registered(self) -> bool:
        return self.status_code == Code.INUTILIZED


@dataclass(frozen=True)
class ServiceStatus:
    """NFeStatusServico4: whether the authoriser is taking documents."""

    status_code: str
    reason: str
    checked_at: datetime.datetime | None = None
    average_seconds: int | None = None
    note: str = ""
    xml: str = field(default="", repr=False)

    @property
    def available(self) -> bool:
        return self.status_code == Code.SERVICE_RUNNING


# -- Protocol ----------------------------------------------------------------------


@runtime_checkable
class Authoriser(Protocol):
    """An NF-e authoriser for one emitter's UF and environment.

    ``name`` says which authoriser answers ("SP", "SVRS", "SVC-AN" …).
    Documents, events and inutilizações are signed XML text, sent as they
    are. Every method raises :class:`AuthoriserError` (``retryable`` set) when
    the call fails; an answer of the authoriser (authorised, rejected,
    denied …) is a result, not an error.
    """

    name: str
    uf: str
    environment: str

    def authorise(self, documents: Sequence[str], *, batch_id: str) -> BatchResult:
        """Send up to 50 signed NF-e; one is sent synchronously (its result
        comes in the answer), more as a batch whose receipt is fetched."""
        ...

    def fetch_receipt(self, receipt: str) -> BatchResult: ...

    def consult(self, access_key: str) -> ConsultResult: ...

    def status(self) -> ServiceStatus: ...

    def send_event(
        self, events: Sequence[str], *, batch_id: str
    ) -> tuple[EventResult, ...]:
        """Send up to 20 signed events (cancellation, CC-e)."""
        ...

    def inutilize(self, xml: str) -> InutilizationResult: ...

    def close(self) -> None: ...
