"""A local Correios: the contract API's shapes on loopback (see
:mod:`plugins.logistics.carriers.correios` for the routes).

``POST /token/v1/autentica/cartaopostagem`` checks the user and access
code (HTTP Basic) and the cartão de postagem, and answers the bearer token
every other route checks, with ``expiraEm``; :meth:`expire_tokens` (or
``token_ttl``) replaces it, as when a token expires. Prices are the
simulator's own table: a base per service plus a price per started kg of
the billed weight (the greater of the actual and the cubic weight, L × W ×
H / 6,000), plus 1 % of the declared value above R$ 25,00; delivery days
grow with the distance between the CEPs' first digits. Pre-postings get S10
codes (SEDEX ``SS``, PAC ``PC``, reverse ``LR``) with their check digit from
one serial; a repeated ``numeroPedido`` gets its pre-posting back.

Correios has no tracking webhook: each new event is pushed to
``webhook_url`` in the store's own signed format
(:mod:`plugins.logistics.carriers.push`), as a tracking relay would.
"""

from __future__ import annotations

import base64
import hmac
import math
import secrets
import time
import zlib
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from plugins.finance.simulators.common import BRAZIL, ApiError, Reply, Request
from plugins.finance.simulators.webhooks import Notification
from plugins.logistics import s10
from plugins.logistics.carriers.correios import sro_event, sro_status
from plugins.logistics.carriers.push import event_json, signed_headers

from .base import CarrierSimulator

CENT = Decimal("0.01")
#: service code → (name, base price, price per kg, base days, S10 prefix)
SERVICES = {
    "03220": ("SEDEX", Decimal("19.90"), Decimal("4.50"), 1, "SS"),
    "03298": ("PAC", Decimal("14.90"), Decimal("2.10"), 4, "PC"),
    "04227": ("Mini Envios", Decimal("9.90"), Decimal("1.50"), 6, "NX"),
}
REVERSE_PREFIX = "LR"
#: step → (SRO code, tipo, description)
STEP_EVENTS = {
    "post": ("PO", "01", "Objeto postado"),
    "transit": ("RO", "01", "Objeto em trânsito - por favor aguarde"),
    "out": ("OEC", "01", "Objeto saiu para entrega ao destinatário"),
    "fail": ("BDE", "20", "Carteiro não atendido - entrega não realizada"),
    "deliver": ("BDE", "01", "Objeto entregue ao destinatário"),
    "return": ("BDE", "23", "Objeto devolvido ao remetente"),
}
PLACES = {
    "post": ("SAO PAULO", "SP", "AGF PAULISTA"),
    "transit": ("CAJAMAR", "SP", "CTE CAJAMAR"),
    "out": ("RIO DE JANEIRO", "RJ", "CDD COPACABANA"),
    "fail": ("RIO DE JANEIRO", "RJ", "CDD COPACABANA"),
    "deliver": ("RIO DE JANEIRO", "RJ", "CDD COPACABANA"),
    "return": ("SAO PAULO", "SP", "AGF PAULISTA"),
}


def _stamp(moment: datetime) -> str:
    """Correios' local times: ``2024-05-31T13:01:02``."""
    return moment.astimezone(BRAZIL).strftime("%Y-%m-%dT%H:%M:%S")


def _decimal(value: Any, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value or default).replace(",", "."))
    except ArithmeticError:
        raise ApiError(400, f"valor inválido: {value}") from None


def _comma(amount: Decimal) -> str:
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):.2f}".replace(".", ",")


class CorreiosSimulator(CarrierSimulator):
    vendor = "correios"
    public_routes = [
        ("POST", r"/token/v1/autentica/cartaopostagem", "authenticate"),
    ]
    routes = [
        ("GET", r"/preco/v1/nacional/(?P<product>\d{5})", "price"),
        ("GET", r"/prazo/v1/nacional/(?P<product>\d{5})", "deadline"),
        ("POST", r"/prepostagem/v1/prepostagens", "create_prepostagem"),
        ("DELETE", r"/prepostagem/v1/prepostagens/(?P<id>[\w-]+)", "cancel"),
        ("GET", r"/srorastro/v1/objetos", "track"),
        ("POST", r"/logisticareversa/v1/solicitacoes", "reverse"),
    ]

    def __init__(
        self,
        *,
        username: str = "retaguarda",
        access_code: str = "codigo-de-acesso",
        cartao: str = "0067599079",
        contrato: str = "9912208555",
        dr: int = 72,
        token_ttl: float = 3600,
        webhook_secret: str = "",
        **options: Any,
    ) -> None:
        super().__init__(
            access_token=secrets.token_urlsafe(24),
            webhook_secret=webhook_secret or access_code,
            **options,
        )
        self.username, self.access_code = username, access_code
        self.cartao, self.contrato, self.dr = cartao, contrato, dr
        self.token_ttl = token_ttl
        self.token_expires = time.time() + token_ttl
        self.tokens_issued = 0
        self.prepostagens: dict[str, dict[str, Any]] = {}
        self._by_order: dict[str, str] = {}
        self._next_serial = 10_000_001
        self._next_id = 1

    # -- Token --------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (as at ``expiraEm``)."""
        with self.lock:
            self.access_token = secrets.token_urlsafe(24)
            self.token_expires = time.time() + self.token_ttl

    def dispatch(self, method, path, query, headers, body):
        if time.time() > self.token_expires:
            self.expire_tokens()
        return super().dispatch(method, path, query, headers, body)

    def error_reply(self, error: ApiError) -> Reply:
        return Reply(
            error.status,
            {
                "msgs": [error.message],
                "date": _stamp(timezone.now()),
                "method": "",
                "path": "",
                "causa": str(error.status),
            },
        )

    def authenticate(self, request: Request) -> Reply:
        expected = base64.b64encode(
            f"{self.username}:{self.access_code}".encode()
        ).decode()
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Basic {expected}".encode()):
            return self.error_reply(
                ApiError(401, "Usuário ou código de acesso inválido")
            )
        try:
            numero = str(request.json().get("numero") or "")
        except ApiError as error:
            return self.error_reply(error)
        if numero != self.cartao:
            return self.error_reply(
                ApiError(403, f"Cartão de postagem {numero} não pertence ao usuário")
            )
        now = timezone.now()
        with self.lock:
            self.tokens_issued += 1
            expires = datetime.fromtimestamp(self.token_expires, tz=BRAZIL)
        return Reply(
            201,
            {
                "ambiente": "HOMOLOGACAO",
                "id": self.username,
                "perfil": "PJ",
                "cartaoPostagem": {
                    "numero": self.cartao,
                    "contrato": self.contrato,
                    "dr": self.dr,
                    "api": [27, 34, 35, 36, 37, 41, 76, 78, 80, 83, 87, 93],
                },
                "emissao": _stamp(now),
                "expiraEm": _stamp(expires),
                "zoneOffset": "-03:00",
                "token": self.access_token,
            },
        )

    # -- Prices and deadlines ---------------------------------------------------

    @staticmethod
    def _service(product: str):
        try:
            return SERVICES[product]
        except KeyError:
            raise ApiError(
                400, f"Produto {product} não disponível no contrato"
            ) from None

    @staticmethod
    def _cep(value: str, name: str) -> str:
        digits = "".join(c for c in value or "" if c.isdigit())
        if len(digits) != 8:
            raise ApiError(400, f"{name} inválido")
        return digits

    def price(self, request: Request, product: str) -> Reply:
        _name, base, per_kg, _days, _prefix = self._service(product)
        q = request.query
        self._cep(q.get("cepOrigem", ""), "cepOrigem")
        self._cep(q.get("cepDestino", ""), "cepDestino")
        if q.get("nuContrato") != self.contrato:
            raise ApiError(400, "nuContrato não informado ou inválido")
        weight_g = int(_decimal(q.get("psObjeto")))
        sides = [
            int(_decimal(q.get(n), "1")) for n in ("comprimento", "largura", "altura")
        ]
        if weight_g <= 0 or weight_g > 30000 or max(sides) > 100:
            raise ApiError(400, "Peso ou dimensões fora dos limites do serviço")
        cubic_g = math.prod(sides) * 1000 // 6000
        billed_g = max(weight_g, cubic_g)
        kilos = math.ceil(billed_g / 1000)
        total = base + per_kg * (kilos - 1)
        declared = _decimal(q.get("vlDeclarado"))
        ad_valorem = max(Decimal(0), declared - 25) * Decimal("0.01")
        total += ad_valorem
        return Reply(
            200,
            {
                "coProduto": product,
                "pcBase": _comma(base),
                "pcBaseGeral": _comma(base),
                "peVariacao": "0,0000",
                "pcReferencia": _comma(total),
                "vlBaseCalculoImposto": _comma(total),
                "inPesoCubico": "S" if cubic_g > weight_g else "N",
                "psCobrado": str(billed_g),
                "peAdValorem": "1,0000" if ad_valorem else "0,0000",
                "vlSeguroAutomatico": "0,00",
                "qtAdicional": "0",
                "pcFaixa": _comma(base + per_kg * (kilos - 1)),
                "pcTotalServicosAdicionais": _comma(ad_valorem),
                "pcFinal": _comma(total),
            },
        )

    def deadline(self, request: Request, product: str) -> Reply:
        _name, _base, _per_kg, days, _prefix = self._service(product)
        origin = self._cep(request.query.get("cepOrigem", ""), "cepOrigem")
        destination = self._cep(request.query.get("cepDestino", ""), "cepDestino")
        days += abs(int(origin[0]) - int(destination[0])) // 2
        latest = timezone.now().astimezone(BRAZIL) + timedelta(days=days)
        return Reply(
            200,
            {
                "coProduto": product,
                "prazoEntrega": days,
                "dataMaxima": latest.strftime("%Y-%m-%dT23:59:59"),
                "entregaDomiciliar": "S",
                "entregaSabado": "S" if product == "03220" else "N",
            },
        )

    # -- Pre-postings -------------------------------------------------------------

    def _code(self, prefix: str) -> str:
        with self.lock:
            serial = self._next_serial
            self._next_serial += 1
        return s10.make(prefix, serial)

    def _new_id(self) -> str:
        with self.lock:
            number = self._next_id
            self._next_id += 1
        return f"PR{number:010d}"

    def create_prepostagem(self, request: Request) -> Reply:
        data = request.json()
        product = str(data.get("codigoServico") or "")
        _name, _base, _per_kg, _days, prefix = self._service(product)
        for party in ("remetente", "destinatario"):
            endereco = (data.get(party) or {}).get("endereco") or {}
            if not (data.get(party) or {}).get("nome"):
                raise ApiError(400, f"{party}.nome é obrigatório")
            self._cep(endereco.get("cep", ""), f"{party}.endereco.cep")
        if int(_decimal(data.get("pesoInformado"))) <= 0:
            raise ApiError(400, "pesoInformado é obrigatório")
        order = str(data.get("numeroPedido") or "")
        with self.lock:
            if order and order in self._by_order:
                return Reply(200, self.prepostagens[self._by_order[order]])
            prepostagem = self._prepostagem(data, self._code(prefix))
            if order:
                self._by_order[order] = prepostagem["id"]
        return Reply(200, prepostagem)

    def _prepostagem(self, data: dict, code: str) -> dict[str, Any]:
        prepostagem = {
            "id": self._new_id(),
            "codigoObjeto": code,
            "codigoServico": data.get("codigoServico"),
            "numeroPedido": data.get("numeroPedido"),
            "statusAtual": 1,
            "descStatusAtual": "Preenchido",
            "dataHora": _stamp(timezone.now()),
        }
        self.prepostagens[prepostagem["id"]] = prepostagem
        self.objects[code] = {
            "codObjeto": code,
            "tipoPostal": {"sigla": code[:2], "descricao": "ETIQUETA LOGICA"},
            "eventos": [],
            "modalidade": "F",
        }
        return prepostagem

    def cancel(self, request: Request, id: str) -> Reply:  # noqa: A002
        with self.lock:
            prepostagem = self.prepostagens.get(id)
            if prepostagem is None:
                raise ApiError(404, f"Pré-postagem {id} não encontrada")
            if self.objects.get(prepostagem["codigoObjeto"], {}).get("eventos"):
                raise ApiError(
                    400, "Objeto já postado: a pré-postagem não pode ser cancelada"
                )
            prepostagem["statusAtual"] = 5
            prepostagem["descStatusAtual"] = "Cancelado"
        return Reply(200, prepostagem)

    # -- Tracking ------------------------------------------------------------------

    def track(self, request: Request) -> Reply:
        codes = [
            c.strip().upper()
            for c in request.query.get("codigosObjetos", "").split(",")
            if c.strip()
        ]
        if not codes:
            raise ApiError(400, "Informe codigosObjetos")
        objetos = []
        with self.lock:
            for code in codes:
                objeto = self.objects.get(code)
                if objeto is None or not objeto["eventos"]:
                    objetos.append(
                        {
                            "codObjeto": code,
                            "mensagem": "SRO-020: Objeto não encontrado na base de "
                            "dados dos Correios.",
                        }
                    )
                else:
                    # newest first, as SRO answers
                    objetos.append({**objeto, "eventos": objeto["eventos"][::-1]})
        return Reply(
            200, {"versao": "1.0.0", "quantidade": len(objetos), "objetos": objetos}
        )

    def advance(self, code: str, step: str, *, at=None, **details: Any) -> dict:
        """Add the SRO event of ``step`` to object ``code`` (``at``: when it
        happened, now by default) and push it."""
        codigo, tipo, descricao = STEP_EVENTS[step]
        cidade, uf, nome = PLACES[step]
        moment = at or timezone.now()
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        evento = {
            "codigo": codigo,
            "tipo": tipo,
            "dtHrCriado": _stamp(moment),
            "descricao": details.get("descricao") or descricao,
            "unidade": {
                "codSro": f"{zlib.crc32(nome.encode()) % 100000000:08d}",
                "nome": nome,
                "tipo": "Unidade de Tratamento",
                "endereco": {"cidade": cidade, "uf": uf},
            },
        }
        with self.lock:
            objeto = self._object(code)
            objeto["eventos"].append(evento)
        self._push(objeto["codObjeto"], evento)
        return evento

    # -- Pushes ---------------------------------------------------------------------

    def _push(self, code: str, evento: dict[str, Any]) -> None:
        event = sro_event(code, evento)
        if event is not None:
            self.enqueue(self.webhook_url, [event_json(event)])

    def sign(self, notification: Notification) -> tuple[str, dict[str, str]]:
        """Signed at each attempt (a retry carries a fresh timestamp)."""
        return notification.url, signed_headers(self.webhook_secret, notification.body)

    # -- Reverse ------------------------------------------------------------------

    def reverse(self, request: Request) -> Reply:
        data = request.json()
        self._cep(
            ((data.get("remetente") or {}).get("endereco") or {}).get("cep", ""),
            "remetente.endereco.cep",
        )
        with self.lock:
            code = self._code(REVERSE_PREFIX)
            self.objects[code] = {
                "codObjeto": code,
                "tipoPostal": {
                    "sigla": REVERSE_PREFIX,
                    "descricao": "LOGISTICA REVERSA",
                },
                "eventos": [],
                "modalidade": "F",
            }
            authorisation = f"{self._next_id:09d}"
            self._next_id += 1
        deadline = (timezone.now().astimezone(BRAZIL) + timedelta(days=10)).date()
        return Reply(
            201,
            {
                "numeroAutorizacao": authorisation,
                "codigoObjeto": code,
                "prazoPostagem": deadline.isoformat(),
                "status": "AUTORIZADA",
            },
        )


__all__ = ["SERVICES", "CorreiosSimulator", "sro_status"]
