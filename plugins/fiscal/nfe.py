"""Building the NF-e 4.00 (modelo 55) with nfelib's bindings of the official
schema, validating it against the XSD and signing it.

The builder reads a neutral :class:`NFeData` (the emitter, the recipient, the
lines with the taxes the rules decided, freight, payments …) so that a sale,
a return or any other operation is built the same way;
:func:`build_from_order` and :func:`return_from_order` make one from an order.

    data = build_from_order(order, emitter, number=1, series=1,
                            issued_at=now, taxes=line_taxes)
    signed = build_nfe(data, certificate=certificate)
    signed.access_key, signed.xml   # the text to store and send, as signed

:func:`build_nfe` raises :class:`NFeError` (pt-BR) when the data cannot make
an NF-e, and :class:`plugins.fiscal.xsd.SchemaError` when the document does
not validate: in both cases nothing is signed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree
from nfelib.nfe.bindings.v4_0.leiaute_nfe_v4_00 import (
    Tendereco,
    TenderEmi,
    Tlocal,
)
from nfelib.nfe.bindings.v4_0.leiaute_nfe_v4_00 import Tnfe as _Tnfe
from nfelib.nfe.bindings.v4_0.nfe_v4_00 import Nfe

from content.validators import (
    gtin_check_digit,
    is_valid_cnpj,
    is_valid_cpf,
    normalise_document,
    only_digits,
)
from plugins.fiscal import bindings, keys, xsd
from plugins.fiscal import formats as fmt
from plugins.fiscal.certificates import Certificate
from plugins.fiscal.exceptions import NFeError
from plugins.fiscal.ibge import CityNotFound, city_code
from plugins.fiscal.models import Emitter, Environment
from plugins.fiscal.nfe_data import (
    Address,
    Card,
    Carrier,
    FreightMode,
    IEIndicator,
    Intermediary,
    Line,
    NFeData,
    Payment,
    PaymentKind,
    Presence,
    Purpose,
    Recipient,
    Transport,
    Volume,
)
from plugins.fiscal.nfe_orders import (
    build_from_order,
    order_payments,
    return_from_order,
    tax_inputs,
)
from plugins.fiscal.nfe_taxes import Totals, taxes_group
from plugins.fiscal.signing import sign
from plugins.fiscal.taxation import ZERO

__all__ = [
    "Address",
    "Card",
    "Carrier",
    "Draft",
    "FreightMode",
    "IEIndicator",
    "Intermediary",
    "Line",
    "NFeData",
    "NFeError",
    "Payment",
    "PaymentKind",
    "Presence",
    "Purpose",
    "Recipient",
    "SignedNFe",
    "Transport",
    "Volume",
    "build_from_order",
    "build_nfe",
    "order_payments",
    "prepare",
    "rebuild_for_emission",
    "return_from_order",
    "tax_inputs",
]

NAMESPACE = xsd.NS
VERSION = "4.00"
#: verProc: who built the document (at most 20 characters)
APPLICATION = "Retaguarda 0.1"

#: What the authoriser requires in homologation instead of the real names
#: (Manual de Orientação do Contribuinte).
HOMOLOGATION_RECIPIENT = "NF-E EMITIDA EM AMBIENTE DE HOMOLOGACAO - SEM VALOR FISCAL"
HOMOLOGATION_PRODUCT = (
    "NOTA FISCAL EMITIDA EM AMBIENTE DE HOMOLOGACAO - SEM VALOR FISCAL"
)

MAX_LINES = 990

Ide = _Tnfe.InfNfe.Ide
Det = _Tnfe.InfNfe.Det
Transp = _Tnfe.InfNfe.Transp
Pag = _Tnfe.InfNfe.Pag


@dataclass(frozen=True)
class Draft:
    """An NF-e built and not yet signed."""

    binding: Nfe
    access_key: str
    numeric_code: str
    totals: dict
    total: Decimal

    @property
    def reference_id(self) -> str:
        return f"NFe{self.access_key}"

    def tree(self) -> etree._Element:
        """The document as an lxml element (no indentation)."""
        return bindings.to_tree(self.binding, nsmap={None: NAMESPACE})


@dataclass(frozen=True)
class SignedNFe:
    access_key: str
    numeric_code: str
    #: the signed NF-e: what is stored and sent, never re-serialised
    xml: str
    totals: dict
    total: Decimal  # vNF


# -- Building --------------------------------------------------------------------


def build_nfe(data: NFeData, *, certificate: Certificate) -> SignedNFe:
    """Build, validate against the official XSD and sign the NF-e of
    ``data``. Raises :class:`NFeError` or :class:`xsd.SchemaError` (pt-BR);
    nothing is signed then."""
    draft = prepare(data)
    tree = draft.tree()
    xsd.validate(tree, xsd.NFE, signed=False)
    xml = sign(
        etree.tostring(tree, encoding="utf-8"),
        reference_id=draft.reference_id,
        certificate=certificate,
    )
    return SignedNFe(
        access_key=draft.access_key,
        numeric_code=draft.numeric_code,
        xml=xml,
        totals=draft.totals,
        total=draft.total,
    )


def rebuild_for_emission(
    xml: str,
    *,
    emission_type: str,
    issued_at: dt.datetime,
    certificate: Certificate,
    since: dt.datetime | None = None,
    reason: str = "",
) -> SignedNFe:
    """The signed NF-e ``xml`` built again for another authoriser: its
    tpEmis ``emission_type`` — "1" (normal), or "6" (SVC-AN) / "7" (SVC-RS)
    with ``dhCont`` (``since``, default ``issued_at``) and ``xJust``
    (``reason``) —, issued at ``issued_at``, its access key made again with
    the same UF, CNPJ, série, number and cNF (its tpEmis digit, month and
    check digit change), validated against the XSD and signed again.
    Everything else (parties, lines, taxes, totals) stays as it was.
    Raises :class:`NFeError` or :class:`xsd.SchemaError`."""
    if emission_type not in ("1", "6", "7"):
        raise NFeError(_("The emission type or the model is not valid."))
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml.encode("utf-8"), parser)
    ns = {"n": NAMESPACE}
    info = root.find("n:infNFe", ns)
    if info is None:
        raise NFeError(_("The document is not an NF-e."))
    for signature in root.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        root.remove(signature)
    ide = info.find("n:ide", ns)
    uf = keys.UF_BY_CODE.get(ide.findtext("n:cUF", namespaces=ns) or "")
    cnpj = info.findtext("n:emit/n:CNPJ", namespaces=ns) or ""
    numeric_code = ide.findtext("n:cNF", namespaces=ns) or ""
    local = fmt.local_time(issued_at, uf or "SP")
    try:
        key = keys.make_key(
            uf=uf or "",
            issued_at=local,
            cnpj=cnpj,
            series=int(ide.findtext("n:serie", namespaces=ns) or -1),
            number=int(ide.findtext("n:nNF", namespaces=ns) or 0),
            numeric_code=numeric_code,
            emission_type=emission_type,
        )
    except (keys.InvalidAccessKey, ValueError) as error:
        raise NFeError(str(error)) from error
    stamp = fmt.datetime(local)
    previous = ide.findtext("n:dhEmi", namespaces=ns) or ""
    ide.find("n:dhEmi", ns).text = stamp
    departure = ide.find("n:dhSaiEnt", ns)
    if (
        departure is not None
        and (departure.text or "") < stamp
        and (departure.text == previous)
    ):
        departure.text = stamp
    ide.find("n:tpEmis", ns).text = emission_type
    ide.find("n:cDV", ns).text = str(key.digit)
    for name in ("dhCont", "xJust"):
        for element in ide.findall(f"n:{name}", ns):
            ide.remove(element)
    if emission_type != "1":
        version = ide.find("n:verProc", ns)
        at = list(ide).index(version) + 1
        contingency = etree.Element(f"{{{NAMESPACE}}}dhCont")
        contingency.text = fmt.datetime(fmt.local_time(since or issued_at, uf or "SP"))
        justification = etree.Element(f"{{{NAMESPACE}}}xJust")
        justification.text = fmt.text(reason, 256) or "Autorizador da UF indisponivel"
        ide.insert(at, contingency)
        ide.insert(at + 1, justification)
    info.set("Id", f"NFe{key}")
    xsd.validate(root, xsd.NFE, signed=False)
    total = Decimal(info.findtext("n:total/n:ICMSTot/n:vNF", namespaces=ns) or "0")
    signed = sign(
        etree.tostring(root, encoding="utf-8"),
        reference_id=f"NFe{key}",
        certificate=certificate,
    )
    return SignedNFe(
        access_key=str(key),
        numeric_code=numeric_code,
        xml=signed,
        totals={},
        total=total,
    )


def prepare(data: NFeData) -> Draft:
    """The NF-e of ``data`` as nfelib's binding, with its access key and
    totals, before validation and signature."""
    emitter = data.emitter
    _check(data)
    environment = data.environment or emitter.environment
    homologation = environment == Environment.HOMOLOGATION
    issued_at = fmt.local_time(data.issued_at, emitter.uf)
    numeric_code = data.numeric_code or keys.random_numeric_code(data.number)
    try:
        key = keys.make_key(
            uf=emitter.uf,
            issued_at=issued_at,
            cnpj=normalise_document(emitter.cnpj),
            series=data.series,
            number=data.number,
            numeric_code=numeric_code,
            emission_type=data.emission_type,
        )
    except keys.InvalidAccessKey as error:
        raise NFeError(str(error)) from error
    recipient_address = _address(data.recipient.address)
    destination = "1" if recipient_address.uf == emitter.uf else "2"
    final_consumer = (
        data.final_consumer
        if data.final_consumer is not None
        else data.recipient.ie_indicator == IEIndicator.NON_CONTRIBUTOR
    )
    _check_cfops(data, destination)
    totals = Totals()
    items = []
    for index, line in enumerate(data.lines, start=1):
        items.append(_det(index, line, data, totals, destination, homologation))
    total = totals.total()
    payments = _payments(data, total)
    infnfe = _Tnfe.InfNfe(
        ide=_ide(data, key, issued_at, destination, final_consumer, environment),
        emit=_emit(emitter),
        dest=_dest(data.recipient, recipient_address, homologation),
        entrega=_delivery(data),
        det=items,
        total=totals.binding(),
        transp=_transport(data.transport),
        pag=payments,
        infIntermed=(
            _Tnfe.InfNfe.InfIntermed(
                CNPJ=normalise_document(data.intermediary.cnpj),
                idCadIntTran=fmt.text(data.intermediary.identifier, 60),
            )
            if data.intermediary
            else None
        ),
        infAdic=_additional(data),
        versao=VERSION,
        Id=f"NFe{key}",
    )
    return Draft(
        binding=Nfe(infNFe=infnfe),
        access_key=str(key),
        numeric_code=numeric_code,
        totals=totals.summary(),
        total=total,
    )


def _check(data: NFeData) -> None:
    emitter = data.emitter
    if not data.lines:
        raise NFeError(_("An NF-e needs at least one line."))
    if len(data.lines) > MAX_LINES:
        raise NFeError(
            _("An NF-e holds at most %(max)d lines; this one has %(count)d.")
            % {"max": MAX_LINES, "count": len(data.lines)}
        )
    if not is_valid_cnpj(emitter.cnpj):
        raise NFeError(_("The emitter's CNPJ is not valid."))
    document = normalise_document(data.recipient.document)
    if not (is_valid_cpf(document) or is_valid_cnpj(document)):
        raise NFeError(
            _("The recipient's CPF/CNPJ “%(document)s” is not valid.")
            % {"document": data.recipient.document}
        )
    indicator = data.recipient.ie_indicator
    if indicator not in (
        IEIndicator.CONTRIBUTOR,
        IEIndicator.EXEMPT,
        IEIndicator.NON_CONTRIBUTOR,
    ):
        raise NFeError(_("The recipient's IE indicator must be 1, 2 or 9."))
    if indicator == IEIndicator.CONTRIBUTOR and not only_digits(data.recipient.ie):
        raise NFeError(_("The recipient is an ICMS contributor: their IE is required."))
    if data.purpose == Purpose.RETURN and not data.references:
        raise NFeError(_("A return NF-e must refer to the original NF-e's key."))
    for reference in data.references:
        try:
            keys.parse(reference)
        except keys.InvalidAccessKey as error:
            raise NFeError(
                _("Referenced NF-e: %(error)s") % {"error": error}
            ) from error
    if data.issued_at.tzinfo is None:
        raise NFeError(_("The issue date must carry its time zone."))


def _check_cfops(data: NFeData, destination: str) -> None:
    """The CFOP's first digit says the direction and the destination: 1/2
    entries inside/outside the state, 5/6 exits (3 and 7 abroad)."""
    expected = {
        (False, "1"): "5",
        (False, "2"): "6",
        (True, "1"): "1",
        (True, "2"): "2",
    }[(data.entry, destination)]
    for index, line in enumerate(data.lines, start=1):
        cfop = line.taxes.cfop or ""
        if len(cfop) != 4 or not cfop.isdigit():
            raise NFeError(
                _("Line %(line)d (%(sku)s): the CFOP “%(cfop)s” is not valid.")
                % {"line": index, "sku": line.item.sku, "cfop": cfop}
            )
        if cfop[0] != expected:
            raise NFeError(
                _(
                    "Line %(line)d (%(sku)s): the CFOP %(cfop)s does not fit an "
                    "operation %(where)s; it should start with %(digit)s."
                )
                % {
                    "line": index,
                    "sku": line.item.sku,
                    "cfop": cfop,
                    "where": (
                        _("inside the state")
                        if destination == "1"
                        else _("to another state")
                    ),
                    "digit": expected,
                }
            )


def _ide(data, key, issued_at, destination, final_consumer, environment) -> Ide:
    contingency = {}
    if data.emission_type in ("6", "7"):
        since = data.contingency_since or data.issued_at
        contingency = {
            "dhCont": fmt.datetime(fmt.local_time(since, data.emitter.uf)),
            "xJust": fmt.text(data.contingency_reason, 256)
            or fmt.text(data.emitter.contingency_reason, 256)
            or "Autorizador da UF indisponivel",
        }
    return Ide(
        cUF=keys.UF_CODES[data.emitter.uf],
        cNF=key.numeric_code,
        natOp=fmt.text(data.nature, 60),
        mod=keys.MODEL_NFE,
        serie=str(data.series),
        nNF=str(data.number),
        dhEmi=fmt.datetime(issued_at),
        tpNF="0" if data.entry else "1",
        idDest=destination,
        cMunFG=data.emitter.city_code,
        tpImp="1",
        tpEmis=data.emission_type,
        cDV=str(key.digit),
        tpAmb=environment,
        finNFe=data.purpose,
        indFinal="1" if final_consumer else "0",
        indPres=data.presence,
        indIntermed=(
            None
            if data.presence in (Presence.NOT_APPLICABLE, Presence.IN_PERSON)
            else ("1" if data.intermediary else "0")
        ),
        procEmi="0",
        verProc=APPLICATION,
        NFref=[Ide.Nfref(refNFe=str(keys.parse(ref))) for ref in data.references],
        **contingency,
    )


def _emit(emitter: Emitter) -> _Tnfe.InfNfe.Emit:
    ie = emitter.ie.strip().upper()
    return _Tnfe.InfNfe.Emit(
        CNPJ=normalise_document(emitter.cnpj),
        xNome=fmt.text(emitter.legal_name, 60),
        xFant=fmt.text(emitter.trade_name, 60),
        enderEmit=TenderEmi(
            xLgr=fmt.text(emitter.street, 60),
            nro=fmt.text(emitter.number, 60),
            xCpl=fmt.text(emitter.complement, 60),
            xBairro=fmt.text(emitter.district, 60),
            cMun=emitter.city_code,
            xMun=fmt.text(emitter.city, 60),
            UF=emitter.uf,
            CEP=only_digits(emitter.cep),
            cPais="1058",
            xPais="Brasil",
            fone=fmt.phone(emitter.phone),
        ),
        IE="ISENTO" if ie == "ISENTO" else only_digits(ie),
        CRT=emitter.crt,
    )


def _address(address: Address) -> Address:
    """The address with its IBGE city code (found from its name when not
    given)."""
    if address.city_code:
        return address
    try:
        code = city_code(address.uf, address.city)
    except CityNotFound as error:
        raise NFeError(
            _("Recipient's address: %(error)s") % {"error": error}
        ) from error
    return Address(**{**address.__dict__, "city_code": code})


def _dest(recipient: Recipient, address: Address, homologation: bool):
    document = normalise_document(recipient.document)
    return _Tnfe.InfNfe.Dest(
        CNPJ=document if len(document) == 14 else None,
        CPF=document if len(document) == 11 else None,
        xNome=HOMOLOGATION_RECIPIENT if homologation else fmt.text(recipient.name, 60),
        enderDest=Tendereco(
            xLgr=fmt.text(address.street, 60),
            nro=fmt.text(address.number, 60),
            xCpl=fmt.text(address.complement, 60),
            xBairro=fmt.text(address.district, 60),
            cMun=address.city_code,
            xMun=fmt.text(address.city, 60),
            UF=address.uf,
            CEP=only_digits(address.cep) or None,
            cPais="1058",
            xPais="Brasil",
            fone=fmt.phone(address.phone),
        ),
        indIEDest=recipient.ie_indicator,
        IE=(
            only_digits(recipient.ie)
            if recipient.ie_indicator == IEIndicator.CONTRIBUTOR
            else None
        ),
        email=fmt.text(recipient.email, 60),
    )


def _delivery(data: NFeData):
    if data.delivery is None:
        return None
    address = _address(data.delivery)
    document = normalise_document(data.recipient.document)
    return Tlocal(
        CNPJ=document if len(document) == 14 else None,
        CPF=document if len(document) == 11 else None,
        xLgr=fmt.text(address.street, 60),
        nro=fmt.text(address.number, 60),
        xCpl=fmt.text(address.complement, 60),
        xBairro=fmt.text(address.district, 60),
        cMun=address.city_code,
        xMun=fmt.text(address.city, 60),
        UF=address.uf,
        CEP=only_digits(address.cep) or None,
    )


# -- Lines -------------------------------------------------------------------------


def _det(index, line: Line, data, totals, destination, homologation) -> Det:
    item, taxes = line.item, line.taxes
    gross = fmt.money(item.total + item.discount)
    discount = fmt.money(item.discount)
    freight = fmt.money(item.freight)
    gtin = only_digits(item.gtin) or "SEM GTIN"
    if gtin != "SEM GTIN" and not _valid_gtin(gtin):
        raise NFeError(
            _("Line %(line)d (%(sku)s): the GTIN “%(gtin)s” is not valid.")
            % {"line": index, "sku": item.sku, "gtin": item.gtin}
        )
    description = fmt.text(item.description or item.sku, 120)
    if homologation and index == 1:
        description = HOMOLOGATION_PRODUCT
    quantity = fmt.quantity(item.quantity)
    unit_price = fmt.unit_price(item.unit_price)
    unit = fmt.text(item.unit or "UN", 6)
    prod = Det.Prod(
        cProd=fmt.text(item.sku, 60),
        cEAN=gtin,
        xProd=description,
        NCM=item.ncm,
        CFOP=taxes.cfop,
        uCom=unit,
        qCom=quantity,
        vUnCom=unit_price,
        vProd=fmt.amount(gross),
        cEANTrib=gtin,
        uTrib=unit,
        qTrib=quantity,
        vUnTrib=unit_price,
        vFrete=fmt.amount(freight) if freight > 0 else None,
        vDesc=fmt.amount(discount) if discount > 0 else None,
        indTot="1",
    )
    totals.products += gross
    totals.discount += discount
    totals.freight += freight
    totals.cfops.add(taxes.cfop)
    imposto = taxes_group(
        index,
        item,
        taxes,
        simples=data.emitter.uses_csosn,
        interstate=destination == "2",
        devolution=data.purpose == Purpose.RETURN,
        totals=totals,
    )
    devolution = None
    if data.purpose == Purpose.RETURN and taxes.ipi_value > 0:
        devolution = Det.ImpostoDevol(
            pDevol="100.00",
            IPI=Det.ImpostoDevol.Ipi(vIPIDevol=fmt.amount(taxes.ipi_value)),
        )
        totals.ipi_returned += taxes.ipi_value
    return Det(
        prod=prod,
        imposto=imposto,
        impostoDevol=devolution,
        infAdProd=fmt.text(line.additional_info, 500),
        nItem=str(index),
    )


def _valid_gtin(gtin: str) -> bool:
    """8, 12, 13 or 14 digits with the GS1 check digit (the authoriser
    refuses a wrong one)."""
    return len(gtin) in (8, 12, 13, 14) and gtin_check_digit(gtin[:-1]) == int(gtin[-1])


def _transport(transport: Transport) -> Transp:
    carrier = None
    if transport.carrier is not None:
        c = transport.carrier
        document = normalise_document(c.document)
        carrier = Transp.Transporta(
            CNPJ=document if len(document) == 14 else None,
            CPF=document if len(document) == 11 else None,
            xNome=fmt.text(c.name, 60),
            IE=only_digits(c.ie) or None,
            xEnder=fmt.text(c.address, 60),
            xMun=fmt.text(c.city, 60),
            UF=c.uf or None,
        )
    volumes = [
        Transp.Vol(
            qVol=str(v.quantity) if v.quantity is not None else None,
            esp=fmt.text(v.kind, 60),
            marca=fmt.text(v.brand, 60),
            nVol=fmt.text(v.numbering, 60),
            pesoL=fmt.weight(v.net_weight),
            pesoB=fmt.weight(v.gross_weight),
        )
        for v in transport.volumes
    ]
    return Transp(modFrete=transport.mode, transporta=carrier, vol=volumes)


def _payments(data: NFeData, total: Decimal) -> Pag:
    if data.purpose in (Purpose.ADJUSTMENT, Purpose.RETURN):
        # returns and adjustments state no payment (tPag 90)
        return Pag(detPag=[Pag.DetPag(tPag=PaymentKind.NONE, vPag=fmt.amount(ZERO))])
    if not data.payments:
        raise NFeError(_("State how the NF-e was paid."))
    paid = sum((fmt.money(p.amount) for p in data.payments), ZERO)
    if paid < total:
        raise NFeError(
            _(
                "The payments (R$ %(paid)s) do not cover the NF-e's total "
                "(R$ %(total)s)."
            )
            % {"paid": fmt.amount(paid), "total": fmt.amount(total)}
        )
    details = []
    for payment in data.payments:
        card = None
        if payment.kind in PaymentKind.CARDS:
            info = payment.card or Card()
            card = Pag.DetPag.Card(
                tpIntegra="1" if info.integrated else "2",
                CNPJ=normalise_document(info.acquirer_cnpj) or None,
                tBand=info.brand or None,
                cAut=fmt.text(info.authorization, 128),
            )
        description = fmt.text(payment.description, 60)
        if payment.kind == PaymentKind.OTHER and not description:
            description = "Outros"
        details.append(
            Pag.DetPag(
                indPag="1" if payment.deferred else "0",
                tPag=payment.kind,
                xPag=description,
                vPag=fmt.amount(payment.amount),
                dPag=payment.paid_on.isoformat() if payment.paid_on else None,
                card=card,
            )
        )
    change = paid - total
    return Pag(detPag=details, vTroco=fmt.amount(change) if change > 0 else None)


def _additional(data: NFeData):
    complement = fmt.text(data.additional_info, 5000)
    fisco = fmt.text(data.fisco_info, 2000)
    if not (complement or fisco):
        return None
    return _Tnfe.InfNfe.InfAdic(infAdFisco=fisco, infCpl=complement)
