"""Pieces the vendor simulators share: replies and errors in the vendor's
shape, the faults queue, time stamps, the simulated merchant and the
boleto slip a vendor's PDF link serves."""

from __future__ import annotations

import io
import json
import threading
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

BRAZIL = zoneinfo.ZoneInfo("America/Sao_Paulo")
CENT = Decimal("0.01")
#: The simulated merchant's Pix key (the Banco Central's example EVP).
PIX_KEY = "123e4567-e12b-12d1-a456-426655440000"
MERCHANT_NAME = "Loja Simulada"
MERCHANT_CITY = "SAO PAULO"


def stamp(moment: datetime) -> str:
    """A time as the vendors write it: ``2024-05-31T13:01:02.000-03:00``."""
    return moment.astimezone(BRAZIL).isoformat(timespec="milliseconds")


def card_outcome(token: str, *, capture: bool) -> str:
    """What a card token does, after Mercado Pago's test cardholder names:
    ``OTHE`` rejected, ``FUND`` rejected for funds, ``CONT`` left pending,
    anything else approved (``authorized`` when not captured)."""
    upper = token.upper()
    if "FUND" in upper:
        return "rejected_funds"
    if "OTHE" in upper:
        return "rejected"
    if "CONT" in upper:
        return "pending"
    return "approved" if capture else "authorized"


class SimulatorError(ValueError):
    """A control action that the payment's state does not allow."""


class ApiError(Exception):
    """Raised by a route to answer with the vendor's error shape."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able, or bytes sent as they are
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def to_json(value: Any) -> bytes:
    def default(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return float(obj)
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default, ensure_ascii=False).encode()


@dataclass
class _Fault:
    kind: str  # "fail" or "hang"
    status: int = 500
    retry_after: float | None = None
    after_processing: bool = False


class Faults:
    """Failures the next API requests will meet, in order."""

    def __init__(self) -> None:
        self._queue: list[_Fault] = []
        self._lock = threading.Lock()

    def fail(
        self, status: int = 500, *, times: int = 1, retry_after: float | None = None
    ) -> None:
        with self._lock:
            self._queue += [_Fault("fail", status, retry_after) for _ in range(times)]

    def hang(self, *, times: int = 1, after_processing: bool = False) -> None:
        with self._lock:
            self._queue += [
                _Fault("hang", after_processing=after_processing) for _ in range(times)
            ]

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take(self) -> _Fault | None:
        with self._lock:
            return self._queue.pop(0) if self._queue else None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}", parse_float=Decimal)
        except ValueError:
            raise ApiError(400, "the body is not valid JSON") from None


def boleto_pdf(*, line: str, amount: Decimal, due_date: date, payer: str) -> bytes:
    """A one-page slip with the typed line (what a vendor's PDF link serves)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle("Boleto")
    rows = [
        "Boleto (simulador)",
        f"Pagador: {payer}",
        f"Vencimento: {due_date:%d/%m/%Y}",
        f"Valor: R$ {amount:.2f}".replace(".", ","),
        line,
    ]
    for index, text in enumerate(rows):
        pdf.drawString(72, 770 - 24 * index, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
