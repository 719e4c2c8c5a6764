"""Local simulators of the carriers' APIs, for tests and the demo.

Each speaks one vendor's shape on ``127.0.0.1`` (:mod:`.correios`:
Correios' contract API; :mod:`.aggregator`: Melhor Envio's API v2), checks
its auth tokens, keeps its parcels in memory, pushes signed tracking events
(repeated and reordered on demand) and fails or hangs on demand (see
:mod:`.base`). In Python::

    with CorreiosSimulator(username="u", access_code="c", webhook_url=url) as sim:
        carrier.base_url = sim.url
        ...
        sim.journey(code)  # posted, in transit, out for delivery, delivered
        sim.deliver()      # push the events

From the shell: ``python -m plugins.logistics.simulator`` (both, on ports
8811 and 8812; see :func:`serve`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# The simulators speak in the app's tracking statuses (its models): they are
# imported on first use, once Django is set up (``__main__`` does it).
_LAZY = {
    "AggregatorSimulator": ".aggregator",
    "CarrierSimulator": ".base",
    "CorreiosSimulator": ".correios",
}
VENDORS = ("aggregator", "correios")


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    if name == "SIMULATORS":
        return {
            "correios": __getattr__("CorreiosSimulator"),
            "aggregator": __getattr__("AggregatorSimulator"),
        }
    raise AttributeError(name)


#: The demo's credentials: the simulators hold no real account.
DEMO_USERNAME = "retaguarda-demo"
DEMO_ACCESS_CODE = "codigo-de-acesso-demo"  # noqa: S105
DEMO_CARTAO = "0067599079"
DEMO_TOKEN = "melhor-envio-demo-token"  # noqa: S105
DEMO_WEBHOOK_SECRET = "retaguarda-demo-tracking-secret"  # noqa: S105
DEMO_PORTS = {"correios": 8811, "aggregator": 8812}


def build(
    vendor: str,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    webhook_url: str = "",
    webhook_secret: str = DEMO_WEBHOOK_SECRET,
    **options,
):
    """A simulator of ``vendor`` with the demo's credentials."""
    from .aggregator import AggregatorSimulator
    from .correios import CorreiosSimulator

    if vendor == "correios":
        return CorreiosSimulator(
            username=DEMO_USERNAME,
            access_code=DEMO_ACCESS_CODE,
            cartao=DEMO_CARTAO,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            host=host,
            port=port,
            **options,
        )
    return AggregatorSimulator(
        access_token=DEMO_TOKEN,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        host=host,
        port=port,
        **options,
    )


__all__ = [
    "SIMULATORS",
    "AggregatorSimulator",
    "CarrierSimulator",
    "CorreiosSimulator",
    "build",
]
