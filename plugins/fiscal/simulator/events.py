"""The simulated authoriser's events (NFeRecepcaoEvento4: cancellation
and CC-e) and inutilizações (NFeInutilizacao4), mixed into
:class:`~.rules.Sefaz`."""

from __future__ import annotations

import datetime
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from signxml.exceptions import InvalidInput, InvalidSignature

from plugins.fiscal.keys import UF_CODES
from plugins.fiscal.signing import verify
from plugins.fiscal.soap import element_texts

from . import schemas
from .answers import (
    EVENT_NAMES,
    MAX_CORRECTIONS,
    NFE,
    NFE_NAMESPACE,
    VERSION,
    Answer,
    certificate_cnpj,
    reason,
    ret_evento,
    text_at,
)


class EventRules:
    """Events and inutilizações; the state, clock and protocols are the
    :class:`~.rules.Sefaz`'s."""

    # -- NFeRecepcaoEvento4 --------------------------------------------------------

    def register_events(self, authoriser: str, raw: str, root: etree._Element) -> str:
        moment = self.now()
        environment = text_at(root, "n:evento/n:infEvento/n:tpAmb") or "2"
        organ = text_at(root, "n:evento/n:infEvento/n:cOrgao") or UF_CODES.get(
            authoriser, "91"
        )
        batch = text_at(root, "n:idLote")
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
        kind = text_at(info, "n:tpEvento")
        key = text_at(info, "n:chNFe")
        sequence = int(text_at(info, "n:nSeqEvento") or "0")
        values = {
            "environment": text_at(info, "n:tpAmb"),
            "organ": text_at(info, "n:cOrgao"),
            "key": key,
            "kind": kind,
            "sequence": sequence,
            "moment": moment,
        }
        try:
            ret = self._decide_event(info, text, kind, key, sequence, moment, values)
        except Answer as answer:
            return ret_evento(
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
        author = text_at(info, "n:CNPJ") or text_at(info, "n:CPF").zfill(14)
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
                if text_at(info, "n:detEvento/n:nProt") != document["protocol"]:
                    raise Answer("222")
                authorised_at = datetime.datetime.fromisoformat(document["received_at"])
                window = datetime.timedelta(hours=self.controls.cancel_window_hours)
                if moment - authorised_at > window:
                    raise Answer("501")
            protocol = self.new_protocol(key[:2])
            ret = ret_evento(
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
            name: text_at(info, f"n:{name}")
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
            holder = certificate_cnpj(text)
            if holder and holder[:8] != fields["CNPJ"][:8]:
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
