"""What the simulated SEFAZ decides: the checks an authoriser makes on the
NF-e, events and inutilizações it receives, the answers it writes (valid
against the official schemas), and what it remembers.

:class:`Sefaz` holds the state (authorised documents, protocols, events,
inutilized ranges, batches waiting for their receipt) and the controls that
make it misbehave; :class:`~.server.SefazSimulator` puts it on HTTP.
"""

from __future__ import annotations

import datetime
import re
import threading
import unicodedata
import zoneinfo
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from lxml import etree
from signxml.exceptions import InvalidInput, InvalidSignature

from plugins.fiscal.certificates import Certificate
from plugins.fiscal.endpoints import UF_CODES
from plugins.fiscal.signing import embedded_certificate, verify
from plugins.fiscal.soap import element_texts

from . import schemas

NFE_NAMESPACE = "http://www.portalfiscal.inf.br/nfe"
DS_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
NFE = f"{{{NFE_NAMESPACE}}}"
BRAZIL = zoneinfo.ZoneInfo("America/Sao_Paulo")
VERSION = "SIMULADOR-1.0"

#: The authorisers the simulator plays (the first part of a service's path).
AUTHORISERS = frozenset(
    {
        "AM",
        "BA",
        "GO",
        "MG",
        "MS",
        "MT",
        "PE",
        "PR",
        "RS",
        "SP",
        "SVRS",
        "SVAN",
        "SVC-AN",
        "SVC-RS",
    }
)
#: The recipient name (or part of it) that asks for a rejection, for the
#: demo: "Cliente REJEITAR 778" is rejected with cStat 778.
REJECT_BY_NAME = re.compile(r"REJEITAR\s*(\d{3})")

#: The authoriser's words for the codes it answers (as SEFAZ writes them).
REASONS = {
    "100": "Autorizado o uso da NF-e",
    "101": "Cancelamento de NF-e homologado",
    "102": "Inutilização de número homologado",
    "103": "Lote recebido com sucesso",
    "104": "Lote processado",
    "105": "Lote em processamento",
    "106": "Lote não localizado",
    "107": "Serviço em Operação",
    "108": "Serviço Paralisado Momentaneamente (curto prazo)",
    "109": "Serviço Paralisado sem Previsão",
    "110": "Uso Denegado",
    "128": "Lote de Evento Processado",
    "135": "Evento registrado e vinculado a NF-e",
    "204": "Rejeição: Duplicidade de NF-e",
    "206": "Rejeição: NF-e já está inutilizada na Base de dados da SEFAZ",
    "213": "Rejeição: CNPJ-Base do Emitente difere do CNPJ-Base do Certificado Digital",
    "215": "Rejeição: Falha no schema XML",
    "217": "Rejeição: NF-e não consta na base de dados da SEFAZ",
    "218": "Rejeição: NF-e já está cancelada na base de dados da SEFAZ",
    "222": "Rejeição: Protocolo de Autorização de Uso difere do cadastrado",
    "225": "Rejeição: Falha no Schema XML do lote de NFe",
    "226": "Rejeição: Código da UF do Emitente diverge da UF autorizadora",
    "241": "Rejeição: Um número da faixa já foi utilizado",
    "252": "Rejeição: Ambiente informado diverge do Ambiente de recebimento",
    "253": "Rejeição: Digito Verificador da chave de acesso composta inválida",
    "254": "Rejeição: Número inicial maior que o número final",
    "256": "Rejeição: Uma NF-e da faixa já está inutilizada na Base de dados da SEFAZ",
    "297": "Rejeição: Assinatura difere do calculado",
    "301": "Uso Denegado: Irregularidade fiscal do emitente",
    "302": "Uso Denegado: Irregularidade fiscal do destinatário",
    "452": "Rejeição: Solicitada resposta síncrona para Lote com mais de uma NF-e",
    "491": "Rejeição: O tpEvento informado inválido",
    "494": "Rejeição: Chave de Acesso inexistente",
    "501": "Rejeição: Prazo de cancelamento superior ao previsto na Legislação",
    "502": (
        "Rejeição: Erro na Chave de Acesso - Campo Id não corresponde à "
        "concatenação dos campos correspondentes"
    ),
    "539": "Rejeição: Duplicidade de NF-e, com diferença na Chave de Acesso",
    "563": (
        "Rejeição: Já existe pedido de Inutilização com a mesma faixa de inutilização"
    ),
    "572": (
        "Rejeição: Erro Atributo ID do evento não corresponde a concatenação dos "
        "campos (“ID” + tpEvento + chNFe + nSeqEvento)"
    ),
    "573": "Rejeição: Duplicidade de Evento",
    "574": "Rejeição: O autor do evento diverge do emissor da NF-e",
    "580": "Rejeição: O evento exige uma NF-e autorizada",
    "594": (
        "Rejeição: O número de sequencia do evento informado é maior que o permitido"
    ),
    "703": "Rejeição: Data-Hora de Emissão posterior ao horário de recebimento",
    "778": "Rejeição: Informado NCM inexistente",
}
EVENT_NAMES = {
    "110111": "Cancelamento registrado",
    "110110": "Carta de Correção registrada",
}
#: The CC-e of one NF-e are numbered 1 to 20.
MAX_CORRECTIONS = 20
#: How far ahead of the simulator's clock an emission time may be.
CLOCK_SKEW = datetime.timedelta(minutes=5)
DOWN_MODES = ("", "503", "108", "109", "drop", "hang")


def reason(code: str) -> str:
    return REASONS.get(code, "Rejeição simulada")


def check_digit(key43: str) -> str:
    """The access key's last digit (mod 11, weights 2–9 from the right;
    letters of an alphanumeric CNPJ count their code point minus 48)."""
    total = 0
    for index, char in enumerate(reversed(key43)):
        total += (ord(char) - 48) * (2 + index % 8)
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def _plain(text: str) -> str:
    """Upper case without accents, to compare names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def _text(element: etree._Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path, namespaces={"n": NFE_NAMESPACE})
    return (found.text or "").strip() if found is not None else ""


class Answer(Exception):
    """Raised inside a check: the document gets this code (and reason)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason(code) + (f" ({detail})" if detail else "")


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


class Sefaz:
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

    @staticmethod
    def stamp(moment: datetime.datetime) -> str:
        return moment.astimezone(BRAZIL).isoformat(timespec="seconds")

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
                controls.reject_next += [_rule(rule)] * times
            if "reject_recipient" in payload:
                rule = dict(payload["reject_recipient"])
                controls.reject_recipients[_plain(rule.pop("match"))] = _rule(rule)
            for name in ("denied_recipients", "denied_emitters"):
                if name in payload:
                    setattr(controls, name, [_digits(d) for d in payload[name]])
            if "deny_recipient" in payload:
                controls.denied_recipients.append(_digits(payload["deny_recipient"]))
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
        cuf = _text(first_ide, "n:cUF") or UF_CODES.get(authoriser, "91")
        environment = _text(first_ide, "n:tpAmb") or "2"

        def batch_answer(code: str, text: str = "", inner: str = "") -> str:
            return _ret_envi(
                environment, code, text or reason(code), cuf, moment, inner
            )

        errors = schemas.errors("enviNFe", root)
        if errors:
            return batch_answer("225", f"{reason('225')} ({errors[0][:150]})")
        synchronous = _text(root, "n:indSinc") == "1"
        if synchronous and len(documents) > 1:
            return batch_answer("452")
        if len({_text(d, "n:infNFe/n:ide/n:tpAmb") for d in documents}) > 1:
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
        environment = _text(root, "n:tpAmb") or "2"
        receipt = _text(root, "n:nRec")
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
        environment = _text(ide, "n:tpAmb")
        key = (info.get("Id") or "")[3:]
        digest = _text(
            nfe,
            f"{{{DS_NAMESPACE}}}Signature/{{{DS_NAMESPACE}}}SignedInfo/"
            f"{{{DS_NAMESPACE}}}Reference/{{{DS_NAMESPACE}}}DigestValue",
        )

        def protocol(code: str, text_reason: str = "", number: str = "") -> str:
            return _prot_nfe(
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
        emitter = _text(info, "n:emit/n:CNPJ") or _text(info, "n:emit/n:CPF")
        series, number = _text(ide, "n:serie"), _text(ide, "n:nNF")
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
            recipient = _digits(
                _text(info, "n:dest/n:CNPJ") or _text(info, "n:dest/n:CPF")
            )
            if _digits(emitter) in self.controls.denied_emitters:
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
                "tpEmis": _text(ide, "n:tpEmis"),
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
        emitter = _text(info, "n:emit/n:CNPJ") or _text(info, "n:emit/n:CPF").zfill(14)
        try:
            verify(text)
        except (InvalidSignature, InvalidInput, ValueError) as error:
            raise Answer("297", str(error)[:80]) from None
        certificate_cnpj = _certificate_cnpj(text)
        if certificate_cnpj and certificate_cnpj[:8] != emitter[:8]:
            raise Answer("213")
        cuf = _text(ide, "n:cUF")
        if authoriser in UF_CODES and UF_CODES[authoriser] != cuf:
            raise Answer("226")
        issued = _text(ide, "n:dhEmi")
        try:
            issued_at = datetime.datetime.fromisoformat(issued)
        except ValueError:
            raise Answer("502") from None
        expected = (
            cuf
            + f"{issued_at:%y%m}"
            + emitter
            + _text(ide, "n:mod")
            + _text(ide, "n:serie").zfill(3)
            + _text(ide, "n:nNF").zfill(9)
            + _text(ide, "n:tpEmis")
            + _text(ide, "n:cNF").zfill(8)
        )
        if key[:43] != expected or key[43:] != _text(ide, "n:cDV"):
            raise Answer("502")
        if check_digit(key[:43]) != key[43:]:
            raise Answer("253")
        if issued_at > moment + CLOCK_SKEW:
            raise Answer("703")

    def _chosen_rejection(self, info: etree._Element) -> dict[str, str] | None:
        """A rejection asked for through the controls or the recipient's name."""
        if self.controls.reject_next:
            return self.controls.reject_next.pop(0)
        name = _plain(_text(info, "n:dest/n:xNome"))
        document = _digits(_text(info, "n:dest/n:CNPJ") or _text(info, "n:dest/n:CPF"))
        for match, rule in self.controls.reject_recipients.items():
            if (document and match == document) or (match and match in name):
                return rule
        found = REJECT_BY_NAME.search(name)
        if found:
            return _rule({"cStat": found[1]})
        return None

    # -- NFeConsultaProtocolo4 / NFeStatusServico4 ---------------------------------

    def consult(self, raw: str, root: etree._Element) -> str:
        moment = self.now()
        environment = _text(root, "n:tpAmb") or "2"
        key = _text(root, "n:chNFe")
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
        environment = _text(root, "n:tpAmb") or "2"
        cuf = _text(root, "n:cUF") or UF_CODES.get(authoriser, "91")
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
        environment = _text(root, ".//n:tpAmb") or "2"
        cuf = UF_CODES.get(authoriser, "91")
        moment = self.now()
        text = escape(reason(code))
        if service == "NFeStatusServico4":
            return self.status(authoriser, "", root)
        if service == "NFeAutorizacao4":
            return _ret_envi(environment, code, reason(code), cuf, moment, "")
        if service == "NFeRecepcaoEvento4":
            return (
                f'<retEnvEvento xmlns="{NFE_NAMESPACE}" versao="1.00">'
                f"<idLote>{_text(root, 'n:idLote') or '1'}</idLote>"
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
                f"<nRec>{_text(root, 'n:nRec') or '0' * 15}</nRec><cStat>{code}</cStat>"
                f"<xMotivo>{text}</xMotivo><cUF>{cuf}</cUF>"
                f"<dhRecbto>{self.stamp(moment)}</dhRecbto></retConsReciNFe>"
            )
        return (
            f'<retConsSitNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
            f"<cStat>{code}</cStat><xMotivo>{text}</xMotivo><cUF>{cuf}</cUF>"
            f"<dhRecbto>{self.stamp(moment)}</dhRecbto>"
            f"<chNFe>{_text(root, 'n:chNFe') or '0' * 44}</chNFe></retConsSitNFe>"
        )

    # -- NFeRecepcaoEvento4 --------------------------------------------------------

    def register_events(self, authoriser: str, raw: str, root: etree._Element) -> str:
        moment = self.now()
        environment = _text(root, "n:evento/n:infEvento/n:tpAmb") or "2"
        organ = _text(root, "n:evento/n:infEvento/n:cOrgao") or UF_CODES.get(
            authoriser, "91"
        )
        batch = _text(root, "n:idLote")
        batch = batch if batch.isdigit() and len(batch) <= 15 else "0"
        errors = schemas.errors("envEvento", root)
        if errors:
            code, answers = "215", []
        else:
            code = "128"
            answers = [
                self._register_event(element, text, moment)
                for element, text in element_texts(raw, root, "evento")
            ]
        return (
            f'<retEnvEvento xmlns="{NFE_NAMESPACE}" versao="1.00">'
            f"<idLote>{batch}</idLote><tpAmb>{environment}</tpAmb>"
            f"<verAplic>{VERSION}</verAplic><cOrgao>{organ}</cOrgao>"
            f"<cStat>{code}</cStat><xMotivo>{escape(reason(code))}</xMotivo>"
            + "".join(answers)
            + "</retEnvEvento>"
        )

    def _register_event(
        self, event: etree._Element, text: str, moment: datetime.datetime
    ) -> str:
        info = event.find(f"{NFE}infEvento")
        kind = _text(info, "n:tpEvento")
        key = _text(info, "n:chNFe")
        sequence = int(_text(info, "n:nSeqEvento") or "0")
        values = {
            "environment": _text(info, "n:tpAmb"),
            "organ": _text(info, "n:cOrgao"),
            "key": key,
            "kind": kind,
            "sequence": sequence,
            "moment": moment,
        }
        try:
            ret = self._decide_event(info, text, kind, key, sequence, moment, values)
        except Answer as answer:
            return _ret_evento(
                code=answer.code, reason=answer.reason, stamp=self.stamp, **values
            )
        return ret

    def _decide_event(self, info, text, kind, key, sequence, moment, values) -> str:
        try:
            verify(text)
        except (InvalidSignature, InvalidInput, ValueError) as error:
            raise Answer("297", str(error)[:80]) from None
        if info.get("Id") != f"ID{kind}{key}{sequence:02d}":
            raise Answer("572")
        if kind not in EVENT_NAMES:
            raise Answer("491")
        author = _text(info, "n:CNPJ") or _text(info, "n:CPF").zfill(14)
        with self.lock:
            document = self.state["documents"].get(key)
            if document is None:
                raise Answer("494")
            if author != key[6:20]:
                raise Answer("574")
            if document["status"] == "denied":
                raise Answer("580")
            name = f"{key}:{kind}:{sequence}"
            if name in self.state["events"]:
                raise Answer("573")
            if document["status"] == "cancelled":
                raise Answer("218")
            if kind == "110110" and sequence > MAX_CORRECTIONS:
                raise Answer("594")
        errors = schemas.errors(f"evento.{kind}", text)
        if errors:
            raise Answer("215", errors[0][:150])
        with self.lock:
            document = self.state["documents"][key]
            if name in self.state["events"]:
                raise Answer("573")
            if kind == "110111":
                if _text(info, "n:detEvento/n:nProt") != document["protocol"]:
                    raise Answer("222")
                authorised_at = datetime.datetime.fromisoformat(document["received_at"])
                window = datetime.timedelta(hours=self.controls.cancel_window_hours)
                if moment - authorised_at > window:
                    raise Answer("501")
            protocol = self.new_protocol(key[:2])
            ret = _ret_evento(
                code="135",
                reason=reason("135"),
                protocol=protocol,
                stamp=self.stamp,
                **values,
            )
            self.state["events"][name] = {
                "protocol": protocol,
                "registered_at": self.stamp(moment),
                "evento": text,
                "ret": ret,
            }
            if kind == "110111":
                document["status"] = "cancelled"
            return ret

    # -- NFeInutilizacao4 ----------------------------------------------------------

    def inutilize(self, authoriser: str, raw: str, root: etree._Element) -> str:
        moment = self.now()
        info = root.find(f"{NFE}infInut")
        fields = {
            name: _text(info, f"n:{name}")
            for name in (
                "tpAmb",
                "cUF",
                "ano",
                "CNPJ",
                "mod",
                "serie",
                "nNFIni",
                "nNFFin",
            )
        }
        environment = fields["tpAmb"] or "2"
        cuf = fields["cUF"] if fields["cUF"] in UF_CODES.values() else "91"
        protocol = ""
        try:
            errors = schemas.errors("inutNFe", root)
            if errors:
                raise Answer("215", errors[0][:150])
            ((_element, text),) = element_texts(raw, root, "inutNFe")
            try:
                verify(text)
            except (InvalidSignature, InvalidInput, ValueError) as error:
                raise Answer("297", str(error)[:80]) from None
            certificate_cnpj = _certificate_cnpj(text)
            if certificate_cnpj and certificate_cnpj[:8] != fields["CNPJ"][:8]:
                raise Answer("213")
            if authoriser in UF_CODES and UF_CODES[authoriser] != cuf:
                raise Answer("226")
            series, first, last = (
                int(fields["serie"]),
                int(fields["nNFIni"]),
                int(fields["nNFFin"]),
            )
            if first > last:
                raise Answer("254")
            with self.lock:
                for range_ in self.state["inutilized"]:
                    same = (range_["cnpj"], range_["series"]) == (
                        fields["CNPJ"],
                        series,
                    )
                    if same and (range_["first"], range_["last"]) == (first, last):
                        raise Answer("563")
                if self._inutilized(fields["CNPJ"], series, first, last):
                    raise Answer("256")
                for number in range(first, last + 1):
                    if f"{fields['CNPJ']}/{series}/{number}" in self.state["numbers"]:
                        raise Answer("241")
                protocol = self.new_protocol(cuf)
                self.state["inutilized"].append(
                    {
                        "cnpj": fields["CNPJ"],
                        "series": series,
                        "first": first,
                        "last": last,
                        "protocol": protocol,
                        "registered_at": self.stamp(moment),
                    }
                )
            code, text_reason = "102", reason("102")
        except Answer as answer:
            code, text_reason = answer.code, answer.reason
        identity = "".join(
            f"<{name}>{escape(fields[name])}</{name}>"
            for name in ("ano", "CNPJ", "mod", "serie", "nNFIni", "nNFFin")
            if code == "102"
        )
        attribute = f" Id={quoteattr('ID' + protocol)}" if protocol else ""
        return (
            f'<retInutNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
            f"<infInut{attribute}>"
            f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
            f"<cStat>{code}</cStat><xMotivo>{escape(text_reason[:255])}</xMotivo>"
            f"<cUF>{cuf}</cUF>{identity}<dhRecbto>{self.stamp(moment)}</dhRecbto>"
            + (f"<nProt>{protocol}</nProt>" if protocol else "")
            + "</infInut></retInutNFe>"
        )

    def _inutilized(self, cnpj: str, series: int, first: int, last: int) -> bool:
        return any(
            range_["cnpj"] == cnpj
            and range_["series"] == series
            and range_["first"] <= last
            and first <= range_["last"]
            for range_ in self.state["inutilized"]
        )


# -- Answers -----------------------------------------------------------------------


def _rule(rule: dict[str, Any]) -> dict[str, str]:
    code = str(rule.get("cStat", "")).strip()
    if not re.fullmatch(r"\d{3}", code):
        raise ValueError("cStat: three digits")
    return {"cStat": code, "xMotivo": str(rule.get("xMotivo") or reason(code))[:255]}


def _digits(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def _certificate_cnpj(xml: str) -> str:
    pem = embedded_certificate(xml.encode("utf-8"))
    if not pem:
        return ""
    certificate = x509.load_pem_x509_certificate(pem)
    return Certificate(key=None, certificate=certificate).cnpj  # type: ignore[arg-type]


def _ret_envi(
    environment: str,
    code: str,
    text: str,
    cuf: str,
    moment: datetime.datetime,
    inner: str,
) -> str:
    return (
        f'<retEnviNFe xmlns="{NFE_NAMESPACE}" versao="4.00">'
        f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
        f"<cStat>{code}</cStat><xMotivo>{escape(text[:255])}</xMotivo>"
        f"<cUF>{cuf}</cUF><dhRecbto>{Sefaz.stamp(moment)}</dhRecbto>{inner}"
        "</retEnviNFe>"
    )


def _prot_nfe(
    environment: str,
    key: str,
    moment: datetime.datetime,
    code: str,
    text: str,
    *,
    protocol: str,
    digest: str,
    stamp,
) -> str:
    identity = f" Id={quoteattr('ID' + protocol)}" if protocol else ""
    return (
        f'<protNFe versao="4.00"><infProt{identity}>'
        f"<tpAmb>{environment}</tpAmb><verAplic>{VERSION}</verAplic>"
        f"<chNFe>{escape(key)}</chNFe><dhRecbto>{stamp(moment)}</dhRecbto>"
        + (f"<nProt>{protocol}</nProt>" if protocol else "")
        + (f"<digVal>{escape(digest)}</digVal>" if digest else "")
        + f"<cStat>{code}</cStat><xMotivo>{escape(text[:255])}</xMotivo>"
        "</infProt></protNFe>"
    )


def _ret_evento(
    *,
    environment: str,
    organ: str,
    key: str,
    kind: str,
    sequence: int,
    moment: datetime.datetime,
    code: str,
    reason: str,
    stamp,
    protocol: str = "",
) -> str:
    identity = f" Id={quoteattr('ID' + protocol)}" if protocol else ""
    registered = code == "135"
    return (
        f'<retEvento versao="1.00"><infEvento{identity}>'
        f"<tpAmb>{environment or '2'}</tpAmb><verAplic>{VERSION}</verAplic>"
        f"<cOrgao>{organ or '91'}</cOrgao><cStat>{code}</cStat>"
        f"<xMotivo>{escape(reason[:255])}</xMotivo>"
        + (
            f"<chNFe>{key}</chNFe>"
            if re.fullmatch(r"\d{6}[0-9A-Z]{12}\d{26}", key)
            else ""
        )
        + (f"<tpEvento>{kind}</tpEvento>" if re.fullmatch(r"\d{6}", kind) else "")
        + (f"<xEvento>{EVENT_NAMES[kind]}</xEvento>" if registered else "")
        + (f"<nSeqEvento>{sequence}</nSeqEvento>" if 1 <= sequence <= 99 else "")
        + f"<dhRegEvento>{stamp(moment)}</dhRegEvento>"
        + (f"<nProt>{protocol}</nProt>" if protocol else "")
        + "</infEvento></retEvento>"
    )
