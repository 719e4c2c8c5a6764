"""The simulated authoriser's words and answers: the codes and reasons it
answers (as SEFAZ writes them), the answers' XML (valid against the official
schemas), and the small checks the rules share."""

from __future__ import annotations

import datetime
import re
import unicodedata
import zoneinfo
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from cryptography import x509
from lxml import etree

from plugins.fiscal.certificates import Certificate
from plugins.fiscal.signing import embedded_certificate

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
    "556": (
        "Rejeição: Justificativa de entrada em contingência não deve ser informada "
        "para tipo de emissão normal"
    ),
    "557": "Rejeição: A Justificativa de entrada em contingência deve ser informada",
    "558": (
        "Rejeição: Data de entrada em contingência posterior a data de recebimento"
    ),
    "563": (
        "Rejeição: Já existe pedido de Inutilização com a mesma faixa de inutilização"
    ),
    "570": (
        "Rejeição: Tipo de Emissão 3, 6 ou 7 só é válido nas contingências SCAN/SVC"
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
    "713": (
        "Rejeição: Tipo de Emissão diferente de 6 ou 7 para contingência da SVC "
        "acessada"
    ),
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


def plain(text: str) -> str:
    """Upper case without accents, to compare names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def text_at(element: etree._Element | None, path: str) -> str:
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


def rule(rule: dict[str, Any]) -> dict[str, str]:
    code = str(rule.get("cStat", "")).strip()
    if not re.fullmatch(r"\d{3}", code):
        raise ValueError("cStat: three digits")
    return {"cStat": code, "xMotivo": str(rule.get("xMotivo") or reason(code))[:255]}


def digits(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value or "").upper()


def certificate_cnpj(xml: str) -> str:
    pem = embedded_certificate(xml.encode("utf-8"))
    if not pem:
        return ""
    certificate = x509.load_pem_x509_certificate(pem)
    return Certificate(key=None, certificate=certificate).cnpj  # type: ignore[arg-type]


def ret_envi(
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
        f"<cUF>{cuf}</cUF><dhRecbto>{stamp(moment)}</dhRecbto>{inner}"
        "</retEnviNFe>"
    )


def prot_nfe(
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


def ret_evento(
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


def stamp(moment: datetime.datetime) -> str:
    """A time as the authorisers write it: 2026-12-04T21:45:19-03:00."""
    return moment.astimezone(BRAZIL).isoformat(timespec="seconds")
