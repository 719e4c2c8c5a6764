"""What the simulated SEFAZ decides: the checks an authoriser makes on the
NF-e it receives, its answers, and what it remembers.

:class:`Sefaz` holds the state (authorised documents, protocols, events,
inutilized ranges, batches waiting for their receipt) and the controls that
make it misbehave; its events and inutilizações are in :mod:`.events`, its
words and answers' XML in :mod:`.answers`; :class:`~.server.SefazSimulator`
puts it on HTTP.
"""

from __future__ import annotations

import datetime
import threading
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree
from signxml.exceptions import InvalidInput, InvalidSignature

from plugins.fiscal.keys import UF_CODES
from plugins.fiscal.signing import verify
from plugins.fiscal.soap import element_texts

from . import schemas
from .answers import (
    BRAZIL,
    CLOCK_SKEW,
    DOWN_MODES,
    DS_NAMESPACE,
    NFE,
    NFE_NAMESPACE,
    REJECT_BY_NAME,
    VERSION,
    Answer,
    certificate_cnpj,
    check_digit,
    digits,
    plain,
    prot_nfe,
    reason,
    ret_envi,
    stamp,
    text_at,
)
from .answers import (
    rule as checked_rule,
)
from .events import EventRules


@dataclass
class Controls:
    """What the simulator was told to do (the control API's state)."""

    #: the authorisers of the states, and the SVC ones: "" (up), "503"
    #: (HTTP 503), "108"/"109" (cStat), "drop" (connection closed without an
    #: answer), "hang" (no answer until the client gives up)
    down: str = ""
    svc_down: str = ""
    #: the next NF-e are rejected with these, in order
    reject_next: list[dict[str, str]] = field(default_factory=list)
    #: NF-e whose recipient's name contains the key, or whose CPF/CNPJ is
    #: the key, are rejected with the value's code and reason
    reject_recipients: dict[str, dict[str, str]] = field(default_factory=dict)
    #: CPF/CNPJ of recipients (302) and emitters (301) whose NF-e are denied
    denied_recipients: list[str] = field(default_factory=list)
    denied_emitters: list[str] = field(default_factory=list)
    #: seconds the simulator's clock is ahead of the machine's
    clock_offset: float = 0.0
    #: the next receipts fetched answer "105 Lote em processamento"
    pending_receipts: int = 0
    #: hours after authorisation within which an NF-e may be cancelled
    cancel_window_hours: float = 24.0
    #: answer 204 to an NF-e sent again even with the same digest (as the
    #: real authorisers do; the sender then consults its protocol)
    strict_duplicates: bool = False


def _empty_state() -> dict[str, Any]:
    return {
        "documents": {},
        "numbers": {},
        "batches": {},
        "events": {},
        "inutilized": [],
        "counters": {"protocol": 0, "receipt": 0},
    }


class Sefaz(EventRules):
    """The simulated authorisers' shared database and decisions. One
    instance plays every authoriser (each state's and the SVC): a document
    authorised in contingency is known to the state's authoriser too."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.state = _empty_state()
        self.controls = Controls()
        #: every service call: {"authoriser", "service", "at"} (the last 1,000)
        self.requests: list[dict[str, str]] = []

    # -- Clock and numbers ---------------------------------------------------------

    def now(self) -> datetime.datetime:
        offset = datetime.timedelta(seconds=self.controls.clock_offset)
        return (datetime.datetime.now(BRAZIL) + offset).replace(microsecond=0)

    stamp = staticmethod(stamp)

    def _next(self, counter: str) -> int:
        with self.lock:
            self.state["counters"][counter] += 1
            return self.state["counters"][counter]

    def new_protocol(self, cuf: str) -> str:
        """A 15-digit protocol: 1, the UF, the year, a sequence."""
        return f"1{cuf}{self.now():%y}{self._next('protocol'):010d}"

    def new_receipt(self, cuf: str) -> str:
        return f"{cuf}{self._next('receipt'):013d}"

    # -- Controls ------------------------------------------------------------------

    def control(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Apply a control request (see the package's docstring)."""
        with self.lock:
            controls = self.controls
            if payload.get("reset"):
                self.state = _empty_state()
                self.controls = controls = Controls()
                self.requests.clear()
            for name in ("down", "svc_down"):
                if name in payload:
                    value = payload[name]
                    value = "503" if value is True else "" if not value else str(value)
                    if value not in DOWN_MODES:
                        raise ValueError(f"{name}: one of {DOWN_MODES}")
                    setattr(controls, name, value)
            if "reject_next" in payload:
                rule = dict(payload["reject_next"])
                times = int(rule.pop("times", 1))
                controls.reject_next += [checked_rule(rule)] * times
            if "reject_recipient" in payload:
                rule = dict(payload["reject_recipient"])
                controls.reject_recipients[plain(rule.pop("match"))] = checked_rule(
                    rule
                )
            for name in ("denied_recipients", "denied_emitters"):
                if name in payload:
                    setattr(controls, name, [digits(d) for d in payload[name]])
            if "deny_recipient" in payload:
                controls.denied_recipients.append(digits(payload["deny_recipient"]))
            if "advance_clock" in payload:
                controls.clock_offset += float(payload["advance_clock"])
            if "strict_duplicates" in payload:
                controls.strict_duplicates = bool(payload["strict_duplicates"])
            for name in ("pending_receipts", "cancel_window_hours"):
                if name in payload:
                    setattr(
                        controls, name, type(getattr(controls, name))(payload[name])
                    )
            return self.describe()

    def describe(self) -> dict[str, Any]:
        with self.lock:
            return {
                "controls": asdict(self.controls),
                "now": self.stamp(self.now()),
                "documents": len(self.state["documents"]),
                "events": len(self.state["events"]),
                "inutilized": list(self.state["inutilized"]),
                "requests": list(self.requests),
            }

    def document(self, access_key: str) -> dict[str, Any] | None:
        with self.lock:
            found = self.state["documents"].get(access_key)
            return dict(found) if found else None

    def down_mode(self, authoriser: str) -> str:
        return (
            self.controls.svc_down
            if authoriser.startswith("SVC")
            else self.controls.down
        )

    def log_request(self, authoriser: str, service: str) -> None:
        with self.lock:
            self.requests.append(
                {
                    "authoriser": authoriser,
                    "service": service,
                    "at": self.stamp(self.now()),
                }
            )
            del self.requests[:-1000]

    # -- NFeAutorizacao4 / NFeRetAutorizacao4 --------------------------------------

    def authorise(self, authoriser: str, raw: str, root: etree._Element) -> str:
        """Answer an ``enviNFe`` (``root``) sent as ``raw``."""
        moment = self.now()
        documents = root.findall(f"{NFE}NFe")
        first_ide = documents[0].find(f"{NFE}infNFe/{NFE}ide") if documents else None
        cuf = text_at(first_ide, "n:cUF") or UF_CODES.get(authoriser, "91")
        environment = text_at(first_ide, "n:tpAmb") or "2"

        def batch_answer(code: str, text: str = "", inner: str = "") -> str:
            return ret_envi(environment, code, text or reason(code), cuf, moment, inner)

        errors = schemas.errors("enviNFe", root)
        if errors:
            return batch_answer("225", f"{reason('225')} ({errors[0][:150]})")
        synchronous = text_at(root, "n:indSinc") == "1"
        if synchronous and len(documents) > 1:
            return batch_answer("452")
        if len({text_at(d, "n:infNFe/n:ide/n:tpAmb") for d in documents}) > 1:
            return batch_answer("252")
        texts = [text for _element, text in element_texts(raw, root, "NFe")]
        protocols = [
            self._authorise_one(authoriser, element, text, moment)
            for element, text in zip(documents, texts, strict=True)
        ]
        if synchronous:
            return batch_answer("104", inner=protocols[0])
        receipt = self.new_receipt(cuf)
        with self.lock:
            self.state["batches"][receipt] = {
                "received_at": self.stamp(moment),
                "cuf": cuf,
                "environment": environment,
                "protocols": protocols,
            }
        return batch_answer(
            "103", inner=f"<infRec><nRec>{receipt}</nRec><tMed>1</tMed></infRec>"
        )

    def fetch_receipt(self, raw: str, root: etree._Element) -> str:
        moment = self.now()
        environment = text_at(root, "n:tpAmb") or "2"
        receipt = text_at(root, "n:nRec")
        with self.lock:
            batch = self.state["batches"].get(receipt)
            pending = batch is not None and self.controls.pending_receipts > 0
            if pending:
                self.controls.pending_receipts -= 1
        if schemas.errors("consReciNFe", root):
            code, protocols, cuf = "215", [], "91"
        elif batch is None:
            code, protocols, cuf = "106", [], "91"
        elif pending:
            code, protocols, cuf = "105", [], batch["cuf"]
        else:
            code, protocols, cuf = "104", batch["protocols"], batch["cuf"]
        return (
            f'<retConsReciNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
            f"<nRec>{receipt if receipt.isdigit() and len(receipt) == 15 else '0' * 15}"
            f"</nRec><cStat>{code}</cStat><xMotivo>{escape(reason(code))}</xMotivo>"
            f"<cUF>{cuf}</cUF><dhRecbto>{self.stamp(moment)}</dhRecbto>"
            + "".join(protocols)
            + "</retConsReciNFe>"
        )

    def _authorise_one(
        self,
        authoriser: str,
        nfe: etree._Element,
        text: str,
        moment: datetime.datetime,
    ) -> str:
        """Decide one NF-e; return its ``protNFe``."""
        info = nfe.find(f"{NFE}infNFe")
        ide = info.find(f"{NFE}ide")
        environment = text_at(ide, "n:tpAmb")
        key = (info.get("Id") or "")[3:]
        digest = text_at(
            nfe,
            f"{{{DS_NAMESPACE}}}Signature/{{{DS_NAMESPACE}}}SignedInfo/"
            f"{{{DS_NAMESPACE}}}Reference/{{{DS_NAMESPACE}}}DigestValue",
        )

        def protocol(code: str, text_reason: str = "", number: str = "") -> str:
            return prot_nfe(
                environment,
                key,
                moment,
                code,
                text_reason or reason(code),
                protocol=number,
                digest=digest,
                stamp=self.stamp,
            )

        try:
            self._check_document(authoriser, nfe, text, key, moment)
        except Answer as answer:
            return protocol(answer.code, answer.reason)
        emitter = text_at(info, "n:emit/n:CNPJ") or text_at(info, "n:emit/n:CPF")
        series, number = text_at(ide, "n:serie"), text_at(ide, "n:nNF")
        slot = f"{emitter}/{int(series)}/{int(number)}"
        with self.lock:
            known = self.state["documents"].get(key)
            if known is not None:
                if known["digest"] == digest and not self.controls.strict_duplicates:
                    return known["prot"]  # the same NF-e again: its protocol
                return protocol("204", f"{reason('204')} [nRec:{known['protocol']}]")
            taken = self.state["numbers"].get(slot)
            if taken is not None:
                return protocol("539", f"{reason('539')} [chNFe:{taken}]")
            if self._inutilized(emitter, int(series), int(number), int(number)):
                return protocol("206")
            rejection = self._chosen_rejection(info)
            if rejection is not None:
                return protocol(rejection["cStat"], rejection["xMotivo"])
            code = "100"
            recipient = digits(
                text_at(info, "n:dest/n:CNPJ") or text_at(info, "n:dest/n:CPF")
            )
            if digits(emitter) in self.controls.denied_emitters:
                code = "301"
            elif recipient and recipient in self.controls.denied_recipients:
                code = "302"
            number_protocol = self.new_protocol(key[:2])
            prot = protocol(code, number=number_protocol)
            self.state["documents"][key] = {
                "status": "authorised" if code == "100" else "denied",
                "code": code,
                "digest": digest,
                "protocol": number_protocol,
                "received_at": self.stamp(moment),
                "emitter": emitter,
                "series": int(series),
                "number": int(number),
                "authoriser": authoriser,
                "tpEmis": text_at(ide, "n:tpEmis"),
                "prot": prot,
            }
            self.state["numbers"][slot] = key
            return prot

    def _check_document(
        self,
        authoriser: str,
        nfe: etree._Element,
        text: str,
        key: str,
        moment: datetime.datetime,
    ) -> None:
        """The checks that reject an NF-e before it is recorded."""
        info = nfe.find(f"{NFE}infNFe")
        ide = info.find(f"{NFE}ide")
        emitter = text_at(info, "n:emit/n:CNPJ") or text_at(info, "n:emit/n:CPF").zfill(
            14
        )
        try:
            verify(text)
        except (InvalidSignature, InvalidInput, ValueError) as error:
            raise Answer("297", str(error)[:80]) from None
        holder = certificate_cnpj(text)
        if holder and holder[:8] != emitter[:8]:
            raise Answer("213")
        cuf = text_at(ide, "n:cUF")
        if authoriser in UF_CODES and UF_CODES[authoriser] != cuf:
            raise Answer("226")
        issued = text_at(ide, "n:dhEmi")
        try:
            issued_at = datetime.datetime.fromisoformat(issued)
        except ValueError:
            raise Answer("502") from None
        expected = (
            cuf
            + f"{issued_at:%y%m}"
            + emitter
            + text_at(ide, "n:mod")
            + text_at(ide, "n:serie").zfill(3)
            + text_at(ide, "n:nNF").zfill(9)
            + text_at(ide, "n:tpEmis")
            + text_at(ide, "n:cNF").zfill(8)
        )
        if key[:43] != expected or key[43:] != text_at(ide, "n:cDV"):
            raise Answer("502")
        if check_digit(key[:43]) != key[43:]:
            raise Answer("253")
        if issued_at > moment + CLOCK_SKEW:
            raise Answer("703")
        self._check_emission_type(authoriser, ide, moment)

    def _check_emission_type(
        self, authoriser: str, ide: etree._Element, moment: datetime.datetime
    ) -> None:
        """SVC-AN takes tpEmis 6 only and SVC-RS 7 only (713); the other
        authorisers refuse the contingency types (570). In contingency dhCont
        and xJust are required (557), not after the receipt (558); in normal
        emission they are refused (556)."""
        emission = text_at(ide, "n:tpEmis")
        if authoriser.startswith("SVC"):
            if emission != ("6" if authoriser == "SVC-AN" else "7"):
                raise Answer("713")
        elif emission in ("3", "6", "7"):
            raise Answer("570")
        started, reason_text = text_at(ide, "n:dhCont"), text_at(ide, "n:xJust")
        if emission == "1":
            if started or reason_text:
                raise Answer("556")
            return
        if not (started and reason_text):
            raise Answer("557")
        try:
            started_at = datetime.datetime.fromisoformat(started)
        except ValueError:
            raise Answer("557") from None
        if started_at > moment + CLOCK_SKEW:
            raise Answer("558")

    def _chosen_rejection(self, info: etree._Element) -> dict[str, str] | None:
        """A rejection asked for through the controls or the recipient's name."""
        if self.controls.reject_next:
            return self.controls.reject_next.pop(0)
        name = plain(text_at(info, "n:dest/n:xNome"))
        document = digits(
            text_at(info, "n:dest/n:CNPJ") or text_at(info, "n:dest/n:CPF")
        )
        for match, rule in self.controls.reject_recipients.items():
            if (document and match == document) or (match and match in name):
                return rule
        found = REJECT_BY_NAME.search(name)
        if found:
            return checked_rule({"cStat": found[1]})
        return None

    # -- NFeConsultaProtocolo4 / NFeStatusServico4 ---------------------------------

    def consult(self, raw: str, root: etree._Element) -> str:
        moment = self.now()
        environment = text_at(root, "n:tpAmb") or "2"
        key = text_at(root, "n:chNFe")
        inner = ""
        with self.lock:
            known = self.state["documents"].get(key)
            events = [
                event
                for name, event in sorted(self.state["events"].items())
                if name.startswith(f"{key}:")
            ]
        if schemas.errors("consSitNFe", root):
            code = "215"
        elif known is None:
            code = "217"
        else:
            code = {"authorised": "100", "cancelled": "101"}.get(
                known["status"], known["code"]
            )
            inner = known["prot"] + "".join(
                f'<procEventoNFe versao="1.00">{event["evento"]}{event["ret"]}'
                "</procEventoNFe>"
                for event in events
            )
        return (
            f'<retConsSitNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
            f"<cStat>{code}</cStat><xMotivo>{escape(reason(code))}</xMotivo>"
            f"<cUF>{key[:2] if key[:2].isdigit() else '91'}</cUF>"
            f"<dhRecbto>{self.stamp(moment)}</dhRecbto>"
            f"<chNFe>{key if len(key) == 44 else '0' * 44}</chNFe>{inner}"
            "</retConsSitNFe>"
        )

    def status(self, authoriser: str, raw: str, root: etree._Element) -> str:
        environment = text_at(root, "n:tpAmb") or "2"
        cuf = text_at(root, "n:cUF") or UF_CODES.get(authoriser, "91")
        mode = self.down_mode(authoriser)
        code = mode if mode in ("108", "109") else "107"
        if schemas.errors("consStatServ", root):
            code = "215"
        return (
            f'<retConsStatServ xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
            f"<cStat>{code}</cStat><xMotivo>{escape(reason(code))}</xMotivo>"
            f"<cUF>{cuf}</cUF><dhRecbto>{self.stamp(self.now())}</dhRecbto>"
            f"<tMed>1</tMed></retConsStatServ>"
        )

    def stopped(self, service: str, authoriser: str, root: etree._Element) -> str:
        """The answer of a service whose authoriser is stopped (108/109)."""
        code = self.down_mode(authoriser)
        environment = text_at(root, ".//n:tpAmb") or "2"
        cuf = UF_CODES.get(authoriser, "91")
        moment = self.now()
        text = escape(reason(code))
        if service == "NFeStatusServico4":
            return self.status(authoriser, "", root)
        if service == "NFeAutorizacao4":
            return ret_envi(environment, code, reason(code), cuf, moment, "")
        if service == "NFeRecepcaoEvento4":
            return (
                f'<retEnvEvento xmlns="{NFE_NAMESPACE}" versao="1.00">'
                f"<idLote>{text_at(root, 'n:idLote') or '1'}</idLote>"
                f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
                f"<cOrgao>{cuf}</cOrgao><cStat>{code}</cStat><xMotivo>{text}</xMotivo>"
                "</retEnvEvento>"
            )
        if service == "NFeInutilizacao4":
            return (
                f'<retInutNFe xmlns="{NFE_NAMESPACE}" versao="4.00"><infInut>'
                f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
                f"<cStat>{code}</cStat><xMotivo>{text}</xMotivo><cUF>{cuf}</cUF>"
                f"<dhRecbto>{self.stamp(moment)}</dhRecbto></infInut></retInutNFe>"
            )
        if service == "NFeRetAutorizacao4":
            return (
                f'<retConsReciNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
                f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
                f"<nRec>{text_at(root, 'n:nRec') or '0' * 15}</nRec>"
                f"<cStat>{code}</cStat>"
                f"<xMotivo>{text}</xMotivo><cUF>{cuf}</cUF>"
                f"<dhRecbto>{self.stamp(moment)}</dhRecbto></retConsReciNFe>"
            )
        return (
            f'<retConsSitNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
            f"<cStat>{code}</cStat><xMotivo>{text}</xMotivo><cUF>{cuf}</cUF>"
            f"<dhRecbto>{self.stamp(moment)}</dhRecbto>"
            f"<chNFe>{text_at(root, 'n:chNFe') or '0' * 44}</chNFe></retConsSitNFe>"
        )
