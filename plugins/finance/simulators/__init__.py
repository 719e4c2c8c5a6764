"""Local simulators of the payment providers, for tests and the demo.

Each speaks one vendor's API shape on ``127.0.0.1``, keeps its payments in
memory, checks the bearer token and idempotency keys, signs its webhooks as
the vendor does and misbehaves on demand (see :mod:`.base`). In Python::

    with MercadoPagoSimulator(access_token="TEST-1", webhook_secret="s") as sim:
        provider = MercadoPagoProvider(Credentials(sim.url, "TEST-1", "s"))
        ...
        sim.approve(payment_id)
        sim.deliver()

From the shell: ``python -m plugins.finance.simulators mercadopago --port
8801`` (see :func:`serve`; ``--state FILE`` keeps its payments across
restarts).
"""

from __future__ import annotations

import os

from .base import Delivery, Simulator, SimulatorError
from .mercadopago import MercadoPagoSimulator
from .pagbank import PagBankSimulator

SIMULATORS: dict[str, type[Simulator]] = {
    "mercadopago": MercadoPagoSimulator,
    "pagbank": PagBankSimulator,
}
# The demo's credentials: the simulators hold no real account.
DEMO_ACCESS_TOKEN = "TEST-retaguarda-demo"  # noqa: S105
DEMO_WEBHOOK_SECRET = "retaguarda-demo-webhook-secret"  # noqa: S105


def serve(
    vendor: str,
    port: int,
    *,
    host: str = "127.0.0.1",
    access_token: str = DEMO_ACCESS_TOKEN,
    webhook_secret: str = DEMO_WEBHOOK_SECRET,
    webhook_delay: float = 1.0,
    state_file: str | os.PathLike[str] | None = None,
) -> None:
    """Run a vendor's simulator until interrupted, delivering webhooks on
    its own (after ``webhook_delay`` seconds, retrying failures), its
    payments kept in ``state_file`` if given."""
    simulator = SIMULATORS[vendor](
        access_token=access_token,
        webhook_secret=webhook_secret,
        host=host,
        port=port,
        auto_deliver=True,
        verbose=True,
        state_file=state_file,
    )
    simulator.webhooks.delay = webhook_delay
    simulator.start()
    simulator.log(f"listening on {simulator.url} (token {access_token!r})")
    simulator.serve_forever()


__all__ = [
    "SIMULATORS",
    "Delivery",
    "MercadoPagoSimulator",
    "PagBankSimulator",
    "Simulator",
    "SimulatorError",
    "serve",
]
