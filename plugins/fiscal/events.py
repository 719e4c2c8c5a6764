"""The XML of the events registered on an NF-e — cancellation (110111) and
carta de correção (CC-e, 110110) — with their batch (``envEvento``), and of
the inutilização of unused numbers (``inutNFe``).

Each document is built with nfelib's bindings, validated against its official
schema and signed over its Id'd child (``infEvento``, ``infInut``). The
limits the authoriser enforces are checked first, with pt-BR reasons:

* cancellation: the authorisation protocol (15 digits) and a justification
  of 15 to 255 characters;
* CC-e: sequence 1 to 20, correction text of 15 to 1,000 characters, and the
  conditions of use the schema fixes (a CC-e never corrects values,
  quantities, parties or dates — the text is the person's, the conditions
  say so);
* inutilização: a range of one série inside one year, first ≤ last, and a
  justification of 15 to 255 characters.

The event and inutilização schemas in force bundled with nfelib still accept
only numeric CNPJs (and access keys); until they change, events and
inutilizações of an emitter with an alphanumeric CNPJ are refused with that
reason instead of being sent to fail at the authoriser.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from lxml import etree
from nfelib.nfe.bindings.v4_0.inut_nfe_v4_00 import InutNfe
from nfelib.nfe.bindings.v4_0.leiaute_inut_nfe_v4_00 import TinutNfe
from nfelib.nfe_evento_cancel.bindings.v1_0.evento_canc_nfe_v1_00 import (
    Evento as CancellationEvent,
)
from nfelib.nfe_evento_cancel.bindings.v1_0.leiaute_evento_canc_nfe_v1_00 import (
    Tevento as TCancellation,
)
from nfelib.nfe_evento_cce.bindings.v1_0.cce_v1_00 import Evento as CorrectionEvent
from nfelib.nfe_evento_cce.bindings.v1_0.leiaute_cce_v1_00 import (
    Tevento as TCorrection,
)

from content.validators import normalise_document
from plugins.fiscal import bindings, keys, xsd
from plugins.fiscal import formats as fmt
from plugins.fiscal.certificates import Certificate
from plugins.fiscal.exceptions import EventError
from plugins.fiscal.models import Emitter
from plugins.fiscal.signing import sign

CANCELLATION = "110111"
CORRECTION = "110110"
EVENT_VERSION = "1.00"
INUTILIZATION_VERSION = "4.00"

JUSTIFICATION_LENGTH = (15, 255)
CORRECTION_LENGTH = (15, 1000)
MAX_SEQUENCE = 20
MAX_BATCH = 20

#: The conditions of use of the CC-e, as the schema fixes them.
CORRECTION_CONDITIONS = (
    "A Carta de Correção é disciplinada pelo § 1º-A do art. 7º do Convênio S/N, "
    "de 15 de dezembro de 1970 e pode ser utilizada para regularização de erro "
    "ocorrido na emissão de documento fiscal, desde que o erro não esteja "
    "relacionado com: I - as variáveis que determinam o valor do imposto tais "
    "como: base de cálculo, alíquota, diferença de preço, quantidade, valor da "
    "operação ou da prestação; II - a correção de dados cadastrais que implique "
    "mudança do remetente ou do destinatário; III - a data de emissão ou de "
    "saída."
)

_SCHEMAS = {
    CANCELLATION: (xsd.CANCELLATION, xsd.CANCELLATION_BATCH),
    CORRECTION: (xsd.CORRECTION, xsd.CORRECTION_BATCH),
}


@dataclass(frozen=True)
class SignedEvent:
    kind: str  # tpEvento
    access_key: str
    sequence: int
    id: str  # infEvento's Id
    #: the signed ``evento``, as stored and sent (never re-serialised)
    xml: str


@dataclass(frozen=True)
class SignedInutilization:
    id: str  # infInut's Id
    series: int
    first: int
    last: int
    xml: str


def cancellation(
    *,
    emitter: Emitter,
    access_key: str,
    protocol: str,
    justification: str,
    issued_at: dt.datetime,
    certificate: Certificate,
    environment: str = "",
) -> SignedEvent:
    """The signed cancellation event of the authorised NF-e ``access_key``
    (its authorisation ``protocol``). Raises :class:`EventError` or
    :class:`xsd.SchemaError`."""
    key = _key(emitter, access_key)
    protocol = (protocol or "").strip()
    if not re.fullmatch(r"[0-9]{15}", protocol):
        raise EventError(
            _("The authorisation protocol has 15 digits; “%(protocol)s” does not.")
            % {"protocol": protocol}
        )
    reason = _bounded(
        justification,
        JUSTIFICATION_LENGTH,
        _("The justification of the cancellation"),
    )
    info = TCancellation.InfEvento
    event = CancellationEvent(
        infEvento=info(
            **_event_head(emitter, key, CANCELLATION, 1, issued_at, environment),
            detEvento=info.DetEvento(
                descEvento="Cancelamento",
                nProt=protocol,
                xJust=reason,
                versao=EVENT_VERSION,
            ),
        ),
        versao=EVENT_VERSION,
    )
    return _sign_event(event, key, CANCELLATION, 1, certificate)


def correction(
    *,
    emitter: Emitter,
    access_key: str,
    sequence: int,
    text: str,
    issued_at: dt.datetime,
    certificate: Certificate,
    environment: str = "",
) -> SignedEvent:
    """The signed CC-e number ``sequence`` (1–20; each new one replaces the
    previous, whole) of the NF-e ``access_key``. Raises :class:`EventError`
    or :class:`xsd.SchemaError`."""
    key = _key(emitter, access_key)
    if not isinstance(sequence, int) or not 1 <= sequence <= MAX_SEQUENCE:
        raise EventError(
            _(
                "An NF-e takes at most %(max)d correction letters; the sequence "
                "must be between 1 and %(max)d (not %(sequence)s)."
            )
            % {"max": MAX_SEQUENCE, "sequence": sequence}
        )
    correction_text = _bounded(
        text, CORRECTION_LENGTH, _("The text of the correction letter")
    )
    info = TCorrection.InfEvento
    event = CorrectionEvent(
        infEvento=info(
            **_event_head(emitter, key, CORRECTION, sequence, issued_at, environment),
            detEvento=info.DetEvento(
                descEvento="Carta de Correção",
                xCorrecao=correction_text,
                xCondUso=CORRECTION_CONDITIONS,
                versao=EVENT_VERSION,
            ),
        ),
        versao=EVENT_VERSION,
    )
    return _sign_event(event, key, CORRECTION, sequence, certificate)


def batch(events: Sequence[SignedEvent], *, batch_id: int) -> str:
    """The ``envEvento`` of ``events`` (1–20 of one kind) as sent to the
    authoriser: the signed events joined as they are, validated."""
    if not 1 <= len(events) <= MAX_BATCH:
        raise EventError(_("A batch holds 1 to %(max)d events.") % {"max": MAX_BATCH})
    kinds = {event.kind for event in events}
    if len(kinds) != 1:
        raise EventError(_("A batch holds events of one kind only."))
    if not 0 <= batch_id < 10**15:
        raise EventError(_("The batch number has at most 15 digits."))
    xml = (
        f'<envEvento xmlns="{xsd.NS}" versao="{EVENT_VERSION}">'
        f"<idLote>{batch_id}</idLote>"
        + "".join(event.xml for event in events)
        + "</envEvento>"
    )
    xsd.validate(xml, _SCHEMAS[kinds.pop()][1])
    return xml


def inutilization(
    *,
    emitter: Emitter,
    year: int,
    series: int,
    first: int,
    last: int,
    justification: str,
    certificate: Certificate,
    environment: str = "",
) -> SignedInutilization:
    """The signed request to inutilize the numbers ``first``–``last`` of
    ``series`` in ``year``. Raises :class:`EventError` or
    :class:`xsd.SchemaError`."""
    cnpj = _numeric_cnpj(emitter)
    if not 0 <= series <= 999:
        raise EventError(_("The série must be between 0 and 999."))
    if not 1 <= first <= last <= 999_999_999:
        raise EventError(
            _(
                "The range to inutilize must go from a first number to a last "
                "one not below it, between 1 and 999,999,999."
            )
        )
    if not 2006 <= year <= 2099:
        raise EventError(_("The year %(year)s is not valid.") % {"year": year})
    reason = _bounded(
        justification,
        JUSTIFICATION_LENGTH,
        _("The justification of the inutilização"),
    )
    uf_code = keys.UF_CODES[emitter.uf]
    year_code = f"{year % 100:02d}"
    identifier = (
        f"ID{uf_code}{year_code}{cnpj}{keys.MODEL_NFE}{series:03d}{first:09d}{last:09d}"
    )
    request = InutNfe(
        infInut=TinutNfe.InfInut(
            tpAmb=environment or emitter.environment,
            xServ="INUTILIZAR",
            cUF=uf_code,
            ano=year_code,
            CNPJ=cnpj,
            mod=keys.MODEL_NFE,
            serie=str(series),
            nNFIni=str(first),
            nNFFin=str(last),
            xJust=reason,
            Id=identifier,
        ),
        versao=INUTILIZATION_VERSION,
    )
    tree = bindings.to_tree(request, nsmap={None: xsd.NS})
    xsd.validate(tree, xsd.INUTILIZATION, signed=False)
    xml = sign(
        etree.tostring(tree, encoding="utf-8"),
        reference_id=identifier,
        certificate=certificate,
    )
    return SignedInutilization(
        id=identifier, series=series, first=first, last=last, xml=xml
    )


# -- Helpers -----------------------------------------------------------------------


def _numeric_cnpj(emitter: Emitter) -> str:
    cnpj = normalise_document(emitter.cnpj)
    if not cnpj.isdigit():
        raise EventError(
            _(
                "The official schemas of events and inutilização in force still "
                "accept numeric CNPJs only; the alphanumeric CNPJ %(cnpj)s cannot "
                "be used in them yet."
            )
            % {"cnpj": cnpj}
        )
    return cnpj


def _key(emitter: Emitter, access_key: str) -> keys.AccessKey:
    cnpj = _numeric_cnpj(emitter)
    try:
        key = keys.parse(access_key)
    except keys.InvalidAccessKey as error:
        raise EventError(str(error)) from error
    if key.cnpj != cnpj:
        raise EventError(
            _("The NF-e %(key)s was not issued by the CNPJ %(cnpj)s.")
            % {"key": key, "cnpj": cnpj}
        )
    if key.model != keys.MODEL_NFE:
        raise EventError(_("The access key is not of an NF-e (modelo 55)."))
    return key


def _bounded(value: str, limits: tuple[int, int], what: str) -> str:
    """``value`` as the schema takes it (:func:`fmt.text`), refused when
    that is not ``limits`` characters long: the length told is of what would
    be sent, without the characters the schema does not take (emoji)."""
    low, high = limits
    typed = " ".join((value or "").split())
    text = fmt.text(value, len(typed) + 1) or ""
    if not low <= len(text) <= high:
        values = {"what": what, "low": low, "high": high, "length": len(text)}
        if len(text) != len(typed):
            raise EventError(
                _(
                    "%(what)s must have %(low)d to %(high)d characters as sent to "
                    "the authoriser, which does not take emoji and some symbols; "
                    "it has %(length)d."
                )
                % values
            )
        raise EventError(
            _("%(what)s must have %(low)d to %(high)d characters; it has %(length)d.")
            % values
        )
    return text


def _event_head(emitter, key, kind, sequence, issued_at, environment) -> dict:
    if issued_at.tzinfo is None:
        raise EventError(_("The event's date must carry its time zone."))
    return {
        "cOrgao": key.uf_code,
        "tpAmb": environment or emitter.environment,
        "CNPJ": key.cnpj,
        "chNFe": str(key),
        "dhEvento": fmt.datetime(fmt.local_time(issued_at, emitter.uf)),
        "tpEvento": kind,
        "nSeqEvento": str(sequence),
        "verEvento": EVENT_VERSION,
        "Id": f"ID{kind}{key}{sequence:02d}",
    }


def _sign_event(event, key, kind, sequence, certificate) -> SignedEvent:
    identifier = event.infEvento.Id
    tree = bindings.to_tree(event, nsmap={None: xsd.NS})
    xsd.validate(tree, _SCHEMAS[kind][0], signed=False)
    xml = sign(
        etree.tostring(tree, encoding="utf-8"),
        reference_id=identifier,
        certificate=certificate,
    )
    return SignedEvent(
        kind=kind, access_key=str(key), sequence=sequence, id=identifier, xml=xml
    )
