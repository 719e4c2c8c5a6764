"""The SEFAZ web services of the NF-e 4.00 over SOAP 1.2: the adapter that
implements :class:`~plugins.fiscal.authoriser.Authoriser`.

Requests are built as text (:mod:`plugins.fiscal.soap`): the signed
documents are put inside the ``nfeDadosMsg`` exactly as they were signed. The
address of each service comes from :mod:`plugins.fiscal.endpoints`. Over
https the emitter's A1 certificate authenticates the client (mutual TLS); the
authorisers' own certificates chain to ICP-Brasil, which is not in the usual
bundles: ``RETAGUARDA_FISCAL_CA_BUNDLE`` names the file of trusted roots.
"""

from __future__ import annotations

import os
import re
import ssl
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError

from plugins.fiscal.authoriser import (
    MAX_BATCH,
    MAX_EVENT_BATCH,
    NFE_NAMESPACE,
    AuthoriserError,
    AuthoriserRefused,
    AuthoriserTimeout,
    AuthoriserUnavailable,
    BatchResult,
    Code,
    ConsultResult,
    DocumentResult,
    EventResult,
    InutilizationResult,
    Service,
    ServiceStatus,
    UnexpectedAnswer,
)
from plugins.fiscal.certificates import Certificate
from plugins.fiscal.endpoints import authoriser_name, service_url
from plugins.fiscal.keys import UF_CODES
from plugins.fiscal.soap import (
    NFE,
    SOAP_NAMESPACE,
    content_type,
    element_texts,
    envelope,
    moment_of,
    parse,
    read_event,
    read_protocol,
    seconds_of,
    strip_declaration,
    text_of,
)

MAX_DETAIL = 300
USER_AGENT = "Retaguarda (NF-e)"


@dataclass(frozen=True)
class Timeout:
    """Seconds allowed to connect and to wait for the answer."""

    connect: float = 5.0
    read: float = 30.0


def default_timeout() -> Timeout:
    seconds = getattr(settings, "RETAGUARDA_FISCAL_TIMEOUT", 30)
    return Timeout(connect=min(5.0, seconds), read=float(seconds))


class _ClientCertificateAdapter(HTTPAdapter):
    """Connections that present the emitter's certificate (mutual TLS)."""

    def __init__(self, context: ssl.SSLContext, **kwargs) -> None:
        self._context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["ssl_context"] = self._context
        return super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, *args, **kwargs):
        kwargs["ssl_context"] = self._context
        return super().proxy_manager_for(*args, **kwargs)


def client_context(certificate: Certificate, ca_bundle: str | None) -> ssl.SSLContext:
    """A TLS context presenting ``certificate`` and trusting ``ca_bundle`` (or
    the system's roots). The key is written to a private temporary file only
    while the context loads it."""
    context = ssl.create_default_context(cafile=ca_bundle or None)
    with tempfile.TemporaryDirectory() as folder:
        cert_path = os.path.join(folder, "cert.pem")
        key_path = os.path.join(folder, "key.pem")
        for path, data in (
            (cert_path, certificate.certificate_pem()),
            (key_path, certificate.key_pem()),
        ):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
        context.load_cert_chain(cert_path, key_path)
    return context


class SefazAuthoriser:
    """The authoriser of one UF and environment, over SOAP 1.2.

    ``contingency`` sends to the UF's SVC (SVC-AN or SVC-RS) instead. Keep one
    instance per task (it holds a connection pool) and ``close()`` it.
    """

    def __init__(
        self,
        *,
        uf: str,
        environment: str,
        certificate: Certificate | None = None,
        contingency: bool = False,
        base_url: str | None = None,
        timeout: Timeout | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.uf = uf.upper()
        self.environment = environment
        self.contingency = contingency
        self.name = authoriser_name(self.uf, contingency=contingency)
        self.base_url = base_url
        self.timeout = timeout or default_timeout()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if ca_bundle is None:
            ca_bundle = getattr(settings, "RETAGUARDA_FISCAL_CA_BUNDLE", "") or None
        if ca_bundle:
            self.session.verify = ca_bundle
        if certificate is not None:
            self.session.mount(
                "https://",
                _ClientCertificateAdapter(client_context(certificate, ca_bundle)),
            )

    @property
    def cuf(self) -> str:
        return UF_CODES[self.uf]

    def url(self, service: Service) -> str:
        return service_url(
            self.uf,
            self.environment,
            service,
            contingency=self.contingency,
            base_url=self.base_url,
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SefazAuthoriser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- The services --------------------------------------------------------------

    def authorise(self, documents: Sequence[str], *, batch_id: str) -> BatchResult:
        if not 1 <= len(documents) <= MAX_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_BATCH} NF-e")
        synchronous = "1" if len(documents) == 1 else "0"
        content = (
            f'<enviNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<idLote>{_batch_id(batch_id)}</idLote><indSinc>{synchronous}</indSinc>"
            + "".join(strip_declaration(document) for document in documents)
            + "</enviNFe>"
        )
        root, raw = self._call(Service.AUTHORISATION, content, "retEnviNFe")
        self._check_stopped(root)
        info = root.find(f"{NFE}infRec")
        return BatchResult(
            status_code=text_of(root, "cStat"),
            reason=text_of(root, "xMotivo"),
            receipt=text_of(info, "nRec"),
            received_at=moment_of(text_of(root, "dhRecbto")),
            average_seconds=seconds_of(text_of(info, "tMed")),
            documents=self._protocols(root, raw),
            xml=raw,
        )

    def fetch_receipt(self, receipt: str) -> BatchResult:
        content = (
            f'<consReciNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<tpAmb>{self.environment}</tpAmb><nRec>{receipt}</nRec></consReciNFe>"
        )
        root, raw = self._call(Service.RECEIPT, content, "retConsReciNFe")
        self._check_stopped(root)
        return BatchResult(
            status_code=text_of(root, "cStat"),
            reason=text_of(root, "xMotivo"),
            receipt=text_of(root, "nRec"),
            received_at=moment_of(text_of(root, "dhRecbto")),
            documents=self._protocols(root, raw),
            xml=raw,
        )

    def consult(self, access_key: str) -> ConsultResult:
        content = (
            f'<consSitNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<tpAmb>{self.environment}</tpAmb><xServ>CONSULTAR</xServ>"
            f"<chNFe>{access_key}</chNFe></consSitNFe>"
        )
        root, raw = self._call(Service.CONSULT, content, "retConsSitNFe")
        self._check_stopped(root)
        protocols = self._protocols(root, raw)
        events = tuple(
            read_event(element, text)
            for element, text in element_texts(raw, root, "retEvento")
        )
        return ConsultResult(
            status_code=text_of(root, "cStat"),
            reason=text_of(root, "xMotivo"),
            access_key=text_of(root, "chNFe") or access_key,
            protocol=protocols[0] if protocols else None,
            events=events,
            xml=raw,
        )

    def status(self) -> ServiceStatus:
        content = (
            f'<consStatServ xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<tpAmb>{self.environment}</tpAmb><cUF>{self.cuf}</cUF>"
            "<xServ>STATUS</xServ></consStatServ>"
        )
        root, raw = self._call(Service.STATUS, content, "retConsStatServ")
        return ServiceStatus(
            status_code=text_of(root, "cStat"),
            reason=text_of(root, "xMotivo"),
            checked_at=moment_of(text_of(root, "dhRecbto")),
            average_seconds=seconds_of(text_of(root, "tMed")),
            note=text_of(root, "xObs"),
            xml=raw,
        )

    def send_event(
        self, events: Sequence[str], *, batch_id: str
    ) -> tuple[EventResult, ...]:
        if not 1 <= len(events) <= MAX_EVENT_BATCH:
            raise ValueError(f"a batch holds 1 to {MAX_EVENT_BATCH} events")
        content = (
            f'<envEvento xmlns="{NFE_NAMESPACE}" versao="1.00">'
            f"<idLote>{_batch_id(batch_id)}</idLote>"
            + "".join(strip_declaration(event) for event in events)
            + "</envEvento>"
        )
        root, raw = self._call(Service.EVENT, content, "retEnvEvento")
        self._check_stopped(root)
        results = tuple(
            read_event(element, text)
            for element, text in element_texts(raw, root, "retEvento")
        )
        if results:
            return results
        # the batch refused as a whole: its code is each event's
        return tuple(
            EventResult(text_of(root, "cStat"), text_of(root, "xMotivo"))
            for _ in events
        )

    def inutilize(self, xml: str) -> InutilizationResult:
        root, raw = self._call(
            Service.INUTILIZATION, strip_declaration(xml), "retInutNFe"
        )
        info = root.find(f"{NFE}infInut")
        self._check_stopped(info)
        ((_element, text),) = element_texts(raw, root, "retInutNFe")
        return InutilizationResult(
            status_code=text_of(info, "cStat"),
            reason=text_of(info, "xMotivo"),
            protocol=text_of(info, "nProt"),
            registered_at=moment_of(text_of(info, "dhRecbto")),
            xml=text,
        )

    # -- Transport -----------------------------------------------------------------

    def _protocols(self, root: etree._Element, raw: str) -> tuple[DocumentResult, ...]:
        return tuple(
            read_protocol(element, text)
            for element, text in element_texts(raw, root, "protNFe")
        )

    def _check_stopped(self, element: etree._Element | None) -> None:
        """The authoriser said its service is stopped (108/109) or that it is
        called too often (656): try again later."""
        code = text_of(element, "cStat")
        if code in Code.RETRYABLE_CODES:
            raise AuthoriserUnavailable(
                _("The authoriser %(name)s is not taking documents now: %(reason)s")
                % {"name": self.name, "reason": text_of(element, "xMotivo") or code},
                authoriser=self.name,
                status_code=code,
                detail=text_of(element, "xMotivo"),
            )

    def _error(
        self, cls: type[AuthoriserError], message: str, **kwargs
    ) -> AuthoriserError:
        return cls(message, authoriser=self.name, **kwargs)

    def _call(
        self, service: Service, content: str, answer: str
    ) -> tuple[etree._Element, str]:
        """Post one request; return the answer's element ``answer`` and the
        answer's text. Raises an AuthoriserError."""
        url = self.url(service)
        body = envelope(service, content).encode("utf-8")
        values = {"name": self.name}
        try:
            response = self.session.post(
                url,
                data=body,
                headers={"Content-Type": content_type(service)},
                timeout=(self.timeout.connect, self.timeout.read),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise self._error(
                AuthoriserTimeout,
                _("The authoriser %(name)s did not answer in time: trying again later.")
                % values,
                detail=str(exc)[:MAX_DETAIL],
                # no connection made: nothing went out
                answer_lost=not isinstance(exc, requests.ConnectTimeout),
            ) from exc
        except requests.exceptions.SSLError as exc:
            raise self._error(
                AuthoriserRefused,
                _(
                    "The secure connection to the authoriser %(name)s failed: check "
                    "the emitter's certificate and the trusted roots."
                )
                % values,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        except requests.ConnectionError as exc:
            raise self._error(
                AuthoriserUnavailable,
                _("The authoriser %(name)s could not be reached: trying again later.")
                % values,
                detail=str(exc)[:MAX_DETAIL],
                answer_lost=_broke_after_sending(exc),
            ) from exc
        except (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ) as exc:
            raise self._error(
                AuthoriserError,
                _("The address of the authoriser %(name)s is not valid.") % values,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        except requests.RequestException as exc:
            raise self._error(
                AuthoriserUnavailable,
                _("The authoriser %(name)s could not be reached: trying again later.")
                % values,
                detail=str(exc)[:MAX_DETAIL],
            ) from exc
        return self._read(response, answer)

    def _read(
        self, response: requests.Response, answer: str
    ) -> tuple[etree._Element, str]:
        status = response.status_code
        raw = response.content.decode(response.encoding or "utf-8", errors="replace")
        values = {"name": self.name, "status": status}
        try:
            root = parse(response.content)
        except etree.XMLSyntaxError:
            root = None
        fault = root.find(f".//{{{SOAP_NAMESPACE}}}Fault") if root is not None else None
        if fault is not None:
            code = fault.findtext(f".//{{{SOAP_NAMESPACE}}}Value") or ""
            reason = " ".join(
                (fault.findtext(f".//{{{SOAP_NAMESPACE}}}Text") or "").split()
            )
            cls = (
                AuthoriserUnavailable
                if code.endswith("Receiver")
                else AuthoriserRefused
            )
            raise self._error(
                cls,
                _("The authoriser %(name)s answered with an error: %(reason)s")
                % {**values, "reason": reason or code},
                http_status=status,
                detail=reason[:MAX_DETAIL],
            )
        if 300 <= status < 400:
            raise self._error(
                UnexpectedAnswer,
                _("The authoriser %(name)s redirected the request (HTTP %(status)s).")
                % values,
                http_status=status,
            )
        if status >= 500 or status == 429:
            raise self._error(
                AuthoriserUnavailable,
                _(
                    "The authoriser %(name)s is unavailable (HTTP %(status)s): trying "
                    "again later."
                )
                % values,
                http_status=status,
                detail=raw[:MAX_DETAIL],
            )
        if status >= 400:
            raise self._error(
                AuthoriserRefused,
                _("The authoriser %(name)s refused the request (HTTP %(status)s).")
                % values,
                http_status=status,
                detail=raw[:MAX_DETAIL],
            )
        found = root.find(f".//{NFE}{answer}") if root is not None else None
        if found is None:
            raise self._error(
                UnexpectedAnswer,
                _("The authoriser %(name)s answered something that cannot be read.")
                % values,
                # an answer lost on the way: what was sent may have been done
                retryable=True,
                http_status=status,
                detail=raw[:MAX_DETAIL],
            )
        return found, raw


def _broke_after_sending(error: requests.ConnectionError) -> bool:
    """Whether the connection broke after the request went out (closed
    without an answer), rather than never being made (refused, no route):
    the authoriser may then have the request."""
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return not isinstance(reason, NewConnectionError)


def _batch_id(value: str) -> str:
    """An idLote: up to 15 digits."""
    digits = re.sub(r"\D", "", value)[-15:]
    return digits or str(uuid.uuid4().int)[-15:]
