"""Correios through its contract API (``api.correios.com.br``), in the
shapes Correios documents, field names in Portuguese as Correios writes
them. Tests and the demo use the local simulator
(:class:`plugins.logistics.simulator.CorreiosSimulator`).

The carrier row holds: ``username`` (the "Meu Correios" user), the access
code (``access_token``, "código de acesso às APIs"), and ``contract``, the
cartão de postagem number; the contract number and the regional office
(DR) come back with the token.

- **Token**: ``POST /token/v1/autentica/cartaopostagem`` with the user and
  access code (HTTP Basic) and ``{"numero": <cartão>}`` → a bearer
  ``token`` valid until ``expiraEm``. Kept in the process for its life
  (less a minute); a 401 with a kept token fetches a new one once.
- **Quote**: ``GET /preco/v1/nacional/{coProduto}`` (``pcFinal``, per
  volume, summed) and ``GET /prazo/v1/nacional/{coProduto}``
  (``prazoEntrega``).
- **Pre-posting**: ``POST /prepostagem/v1/prepostagens``, one per volume,
  each answering its ``id`` and S10 ``codigoObjeto``; ``numeroPedido``
  carries our reference and volume so that a retry after a timeout gets
  the same pre-posting back. Cancel: ``DELETE
  /prepostagem/v1/prepostagens/{id}`` for each.
- **Tracking**: ``GET /srorastro/v1/objetos?codigosObjetos=…&resultado=T``
  (:data:`SRO_STATUS` maps its event codes).
- **Reverse** (logística reversa): ``POST
  /logisticareversa/v1/solicitacoes`` → ``numeroAutorizacao`` (what the
  customer shows at the agency) and the object's ``codigoObjeto``.
- Labels: we print our own (``label`` answers ``None``).
- Correios has no tracking webhook: pushes (from a relay, or the
  simulator) come in our own signed format (:mod:`.push`).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from content.validators import only_digits
from plugins.logistics import s10
from plugins.logistics.models import Carrier as CarrierRow
from plugins.logistics.models import CarrierKind, TrackingStatus

from .base import (
    Party,
    QuoteOption,
    QuoteRequest,
    ReverseRequest,
    ReverseResult,
    ShipmentRequest,
    ShipmentResult,
    Timeout,
    TrackEvent,
    Volume,
)
from .errors import CarrierAuthenticationFailed, UnexpectedResponse
from .http import JSONClient, money

DEFAULT_URL = "https://api.correios.com.br"
BRAZIL = ZoneInfo("America/Sao_Paulo")
#: Correios' object format: 2 = box or package.
BOX = "2"
#: Additional service "valor declarado" of SEDEX (019) and PAC (064).
DECLARED_VALUE_SERVICE = {"03220": "019", "03298": "064"}

T = TrackingStatus
#: Correios' SRO event codes → our tracking status. The delivery codes
#: (BDE, BDI, BDR: the same events seen from the unit, the system and the
#: return) are read with their ``tipo``: 01 delivered, 23 returned to the
#: sender, any other tipo a failed attempt (absent, refused, unknown
#: address, moved …). Codes not listed are movements between units
#: (in transit). One table, used by the adapter and the simulator.
SRO_STATUS: dict[str, TrackingStatus] = {
    "PO": T.POSTED,  # objeto postado
    "RO": T.IN_TRANSIT,  # objeto em trânsito
    "DO": T.IN_TRANSIT,  # objeto em trânsito (encaminhado)
    "PAR": T.IN_TRANSIT,  # conferido / fiscalização
    "OEC": T.OUT_FOR_DELIVERY,  # objeto saiu para entrega
    "LDI": T.DELIVERY_FAILED,  # aguardando retirada na agência
}
DELIVERY_CODES = ("BDE", "BDI", "BDR")
DELIVERED_TIPOS = ("01",)
RETURNED_TIPOS = ("23",)


def sro_status(codigo: str, tipo: str) -> TrackingStatus:
    """Our tracking status of a Correios SRO event."""
    codigo = (codigo or "").upper()
    if codigo in DELIVERY_CODES:
        tipo = (tipo or "").zfill(2)
        if tipo in DELIVERED_TIPOS:
            return T.DELIVERED
        if tipo in RETURNED_TIPOS:
            return T.RETURNED
        return T.DELIVERY_FAILED
    return SRO_STATUS.get(codigo, T.IN_TRANSIT)


def _describe(payload: Any) -> str:
    if isinstance(payload, dict):
        messages = payload.get("msgs") or payload.get("mensagens")
        if isinstance(messages, list) and messages:
            return "; ".join(str(m) for m in messages)
        return str(payload.get("mensagem") or payload.get("message") or "")
    return ""


def _place(unidade: Mapping[str, Any] | None) -> str:
    if not isinstance(unidade, Mapping):
        return ""
    endereco = unidade.get("endereco") or {}
    city, uf = endereco.get("cidade") or "", endereco.get("uf") or ""
    place = " / ".join(part for part in (city.title(), uf.upper()) if part)
    return place or str(unidade.get("nome") or "")


def sro_event(code: str, evento: Mapping[str, Any]) -> TrackEvent | None:
    """One SRO ``evento`` of object ``code`` as a :class:`TrackEvent`; its
    id is a hash of what identifies it (SRO events carry none)."""
    occurred_at = parse_datetime(str(evento.get("dtHrCriado") or ""))
    if occurred_at is None:
        return None
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=BRAZIL)
    codigo = str(evento.get("codigo") or "").upper()
    tipo = str(evento.get("tipo") or "")
    unidade = evento.get("unidade") or {}
    identity = "|".join(
        (code, codigo, tipo, occurred_at.isoformat(), str(unidade.get("codSro", "")))
    )
    return TrackEvent(
        event_id="sro-" + hashlib.sha256(identity.encode()).hexdigest()[:40],
        tracking_code=code,
        status=sro_status(codigo, tipo),
        occurred_at=occurred_at,
        carrier_status=f"{codigo}/{tipo}" if tipo else codigo,
        description=str(evento.get("descricao") or "")[:300],
        place=_place(unidade),
        raw=dict(evento),
    )


#: Bearer tokens per account: ``{key: (token, contract, dr, valid until)}``.
_TOKENS: dict[tuple, tuple[str, str, str, float]] = {}
_TOKENS_LOCK = threading.Lock()


class CorreiosCarrier:
    kind = CarrierKind.CORREIOS

    def __init__(self, carrier: CarrierRow, *, timeout: Timeout | None = None):
        self.carrier = carrier
        self.base_url = (carrier.base_url or DEFAULT_URL).rstrip("/")
        self.client = JSONClient(
            carrier=self.kind,
            base_url=self.base_url,
            timeout=timeout or Timeout(),
            describe=_describe,
            authorization=self._bearer,
        )
        self._account = (
            self.base_url,
            carrier.username,
            carrier.contract,
            hashlib.sha256(carrier.access_token.encode()).hexdigest(),
        )

    # -- Token -------------------------------------------------------------------

    def _token(self) -> tuple[str, str, str]:
        """The bearer token (with the contract and DR), fetched when none is
        kept or the kept one expires within a minute."""
        with _TOKENS_LOCK:
            kept = _TOKENS.get(self._account)
        if kept and kept[3] - 60 > time.time():
            return kept[0], kept[1], kept[2]
        basic = base64.b64encode(
            f"{self.carrier.username}:{self.carrier.access_token}".encode()
        ).decode()
        answer = self.client.call(
            "POST",
            "/token/v1/autentica/cartaopostagem",
            body={"numero": self.carrier.contract},
            headers={"Authorization": f"Basic {basic}"},
        )
        try:
            token = answer["token"]
            card = answer.get("cartaoPostagem") or {}
            contract = str(card.get("contrato") or "")
            dr = str(card.get("dr") or "")
            expires = parse_datetime(answer["expiraEm"])
        except (KeyError, TypeError, ValueError):
            expires = None
        if not isinstance(answer, dict) or expires is None or not token:
            raise UnexpectedResponse(
                _("Correios answered the token request without a token."),
                carrier=self.kind,
            )
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=BRAZIL)
        with _TOKENS_LOCK:
            _TOKENS[self._account] = (token, contract, dr, expires.timestamp())
        return token, contract, dr

    def _bearer(self) -> str:
        return f"Bearer {self._token()[0]}"

    def _call(self, method: str, path: str, **options: Any) -> Any:
        """A call with the bearer token; a 401 with a kept token (expired
        early, revoked) fetches a new one and tries once more."""
        try:
            return self.client.call(method, path, **options)
        except CarrierAuthenticationFailed as error:
            if error.http_status != 401:
                raise
            with _TOKENS_LOCK:
                dropped = _TOKENS.pop(self._account, None)
            if dropped is None:
                raise
            return self.client.call(method, path, **options)

    # -- Quotes --------------------------------------------------------------------

    def _services(self, request: QuoteRequest) -> list[tuple[str, str]]:
        services = self.carrier.services.filter(active=True).order_by("name")
        if request.services:
            services = services.filter(code__in=request.services)
        return list(services.values_list("code", "name"))

    def quote(self, request: QuoteRequest) -> list[QuoteOption]:
        _token, contract, dr = self._token()
        options = []
        for code, name in self._services(request):
            total = None
            raws = []
            for index, volume in enumerate(request.volumes):
                query = {
                    "cepOrigem": only_digits(request.origin_cep),
                    "cepDestino": only_digits(request.destination_cep),
                    "psObjeto": volume.weight_g,
                    "tpObjeto": BOX,
                    "comprimento": volume.length_cm,
                    "largura": volume.width_cm,
                    "altura": volume.height_cm,
                    "nuContrato": contract,
                    "nuDR": dr,
                }
                if index == 0 and request.declared_value:
                    query["servicosAdicionais"] = DECLARED_VALUE_SERVICE.get(
                        code, "019"
                    )
                    query["vlDeclarado"] = f"{request.declared_value:.2f}"
                answer = self._call("GET", f"/preco/v1/nacional/{code}", query=query)
                price = money(
                    (answer or {}).get("pcFinal"), carrier=self.kind, field="pcFinal"
                )
                total = price if total is None else total + price
                raws.append(answer)
            prazo = self._call(
                "GET",
                f"/prazo/v1/nacional/{code}",
                query={
                    "cepOrigem": only_digits(request.origin_cep),
                    "cepDestino": only_digits(request.destination_cep),
                },
            )
            try:
                days = int((prazo or {})["prazoEntrega"])
            except (KeyError, TypeError, ValueError):
                raise UnexpectedResponse(
                    _("Correios answered the delivery time without “prazoEntrega”."),
                    carrier=self.kind,
                ) from None
            if total is None:
                continue
            options.append(
                QuoteOption(
                    service_code=code,
                    service_name=name,
                    price=total,
                    days=days,
                    raw={"preco": raws, "prazo": prazo},
                )
            )
        return options

    # -- Pre-posting -------------------------------------------------------------

    @staticmethod
    def _party(party: Party) -> dict[str, Any]:
        phone = only_digits(party.phone)
        if phone.startswith("55") and len(phone) > 11:
            phone = phone[2:]
        return {
            "nome": party.name[:50],
            "cpfCnpj": only_digits(party.document),
            "dddTelefone": phone[:2],
            "telefone": phone[2:],
            "email": party.email,
            "endereco": {
                "cep": only_digits(party.cep),
                "logradouro": party.street,
                "numero": party.number,
                "complemento": party.complement,
                "bairro": party.district,
                "cidade": party.city,
                "uf": party.uf,
            },
        }

    def _volume(self, volume: Volume) -> dict[str, Any]:
        return {
            "pesoInformado": str(volume.weight_g),
            "codigoFormatoObjetoInformado": BOX,
            "alturaInformada": str(volume.height_cm),
            "larguraInformada": str(volume.width_cm),
            "comprimentoInformado": str(volume.length_cm),
        }

    def create_shipment(self, request: ShipmentRequest) -> ShipmentResult:
        ids, codes, raws = [], [], []
        count = len(request.volumes)
        for number, volume in enumerate(request.volumes, start=1):
            body: dict[str, Any] = {
                "numeroPedido": f"{request.reference}-{number}",
                "numeroCartaoPostagem": self.carrier.contract,
                "remetente": self._party(request.sender),
                "destinatario": self._party(request.recipient),
                "codigoServico": request.service_code,
                "cienteObjetoNaoProibido": 1,
                "observacao": f"{number}/{count}",
                **self._volume(volume),
            }
            if number == 1 and request.declared_value:
                body["listaServicoAdicional"] = [
                    {
                        "codigoServicoAdicional": DECLARED_VALUE_SERVICE.get(
                            request.service_code, "019"
                        ),
                        "valorDeclarado": f"{request.declared_value:.2f}",
                    }
                ]
            if request.nfe_key:
                body["chaveNFe"] = request.nfe_key
            elif request.items:
                body["itensDeclaracaoConteudo"] = [
                    {
                        "conteudo": str(item.get("name", ""))[:60],
                        "quantidade": str(item.get("quantity", 1)),
                        "valor": str(item.get("unit_value", "0.00")),
                    }
                    for item in request.items
                ]
            answer = self._call("POST", "/prepostagem/v1/prepostagens", body=body)
            code = s10.normalise(str((answer or {}).get("codigoObjeto") or ""))
            if not answer or not answer.get("id") or not s10.is_valid(code):
                raise UnexpectedResponse(
                    _("Correios answered the pre-posting without a valid object code."),
                    carrier=self.kind,
                    detail=str(answer)[:300],
                )
            ids.append(str(answer["id"]))
            codes.append(code)
            raws.append(answer)
        return ShipmentResult(
            carrier_reference=",".join(ids),
            tracking_codes=tuple(codes),
            raw={"prepostagens": raws},
        )

    def label(self, result: ShipmentResult) -> bytes | None:
        return None  # we print our own, with the S10 code's barcode

    def cancel(self, carrier_reference: str) -> None:
        for prepostagem in filter(None, carrier_reference.split(",")):
            self._call("DELETE", f"/prepostagem/v1/prepostagens/{prepostagem}")

    # -- Tracking ---------------------------------------------------------------

    def track(self, tracking_codes: list[str]) -> list[TrackEvent]:
        codes = [s10.normalise(code) for code in tracking_codes if code]
        if not codes:
            return []
        answer = self._call(
            "GET",
            "/srorastro/v1/objetos",
            query={"codigosObjetos": ",".join(codes), "resultado": "T"},
        )
        events = []
        for objeto in (answer or {}).get("objetos") or []:
            code = s10.normalise(str(objeto.get("codObjeto") or ""))
            for evento in objeto.get("eventos") or []:
                event = sro_event(code, evento)
                if event is not None:
                    events.append(event)
        return events

    # -- Reverse -------------------------------------------------------------------

    def reverse(self, request: ReverseRequest) -> ReverseResult:
        volume = request.volumes[0] if request.volumes else None
        body: dict[str, Any] = {
            "numeroPedido": f"{request.reference}-R",
            "numeroCartaoPostagem": self.carrier.contract,
            "codigoServico": request.service_code,
            "remetente": self._party(request.sender),
            "destinatario": self._party(request.recipient),
            "valorDeclarado": f"{request.declared_value:.2f}",
        }
        if volume is not None:
            body.update(self._volume(volume))
        answer = self._call("POST", "/logisticareversa/v1/solicitacoes", body=body)
        code = s10.normalise(str((answer or {}).get("codigoObjeto") or ""))
        authorisation = str((answer or {}).get("numeroAutorizacao") or "")
        if not authorisation or not s10.is_valid(code):
            raise UnexpectedResponse(
                _("Correios answered the reverse request without its codes."),
                carrier=self.kind,
                detail=str(answer)[:300],
            )
        return ReverseResult(
            authorisation_code=authorisation,
            tracking_code=code,
            expires_on=parse_date(str(answer.get("prazoPostagem") or "")[:10]),
            raw=answer,
        )

    # -- Pushes -----------------------------------------------------------------

    def parse_webhook(
        self, body: bytes, headers: Mapping[str, str]
    ) -> list[TrackEvent]:
        from .push import parse_signed_events

        return parse_signed_events(
            body, headers, secret=self.carrier.webhook_secret, carrier=self.carrier
        )


def tracking_url(code: str) -> str:
    """Where the customer follows a Correios object."""
    return f"https://rastreamento.correios.com.br/app/index.php?objeto={code}"
