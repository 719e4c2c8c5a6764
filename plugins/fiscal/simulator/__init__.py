"""A local SEFAZ: the NF-e 4.00 web services over SOAP 1.2 on loopback, for
the tests and the demo (nothing reaches a real authoriser).

It plays every authoriser at once, each under its own path —
``/<authoriser>/<service>`` with the authoriser in lower case (``sp``,
``svrs``, ``svc-an`` …) and the service's WSDL name (``NFeAutorizacao4``,
``NFeRetAutorizacao4``, ``NFeConsultaProtocolo4``, ``NFeStatusServico4``,
``NFeRecepcaoEvento4``, ``NFeInutilizacao4``) — which is what
``RETAGUARDA_FISCAL_AUTHORISER_URL`` makes the adapter call.

What it checks, as an authoriser does: the message against the official
schema (225/215), each signature (297) and that the certificate's CNPJ is the
emitter's (213), the authoriser's UF (226), the access key against the fields
it is made of (502) and its check digit (253), an emission time ahead of its
clock (703), a number already used with another key (539) or inutilized
(206), the emission type (tpEmis) against the authoriser — SVC-AN takes 6
only and SVC-RS 7 only (713), the others refuse 3, 6 and 7 (570) — and the
contingency's dhCont and xJust (557 missing, 556 in normal emission, 558
after the receipt). An NF-e sent again with the same digest gets its first
protocol back; with another digest, 204. Then it authorises (100, a protocol and the
``protNFe``) or denies (301 for the emitters, 302 for the recipients listed
in the controls). Synchronous for one NF-e (``indSinc`` 1), a receipt
otherwise (103, then 104 with the protocols from NFeRetAutorizacao4).

Events: cancellation (110111: the authorisation protocol must match, 222;
within the window, 501; registered 135, and the NF-e is then "101
cancelled" when consulted) and CC-e (110110: sequence 1–20, 594 beyond;
the same sequence twice, 573), each event's own schema (215), its Id (572)
and author (574). Inutilização: 102, a number already used (241), a range
already inutilized (256, the same range 563).

Controls (``POST /_control`` with a JSON object; ``GET /_control`` shows them
with the calls received; ``GET /_control/documents/<key>`` one NF-e):

- ``{"down": true}`` (HTTP 503), ``"108"``/``"109"`` (the service answers
  that cStat), ``"drop"`` (the connection closes without an answer),
  ``"hang"`` (no answer until the client times out), ``false`` (back up);
  ``"svc_down"`` the same for SVC-AN and SVC-RS;
- ``{"reject_next": {"cStat": "778", "xMotivo": "…", "times": 1}}``: the
  next NF-e are rejected with that code;
- ``{"reject_recipient": {"match": "NAME OR CPF/CNPJ", "cStat": "…"}}``;
  also, a recipient whose name holds "REJEITAR 778" is rejected with 778;
- ``{"denied_recipients": [...]}``, ``{"deny_recipient": "…"}``,
  ``{"denied_emitters": [...]}``;
- ``{"strict_duplicates": true}``: the same NF-e sent again gets 204 too
  (as the real authorisers answer), not its first protocol;
- ``{"advance_clock": seconds}``, ``{"cancel_window_hours": 24}``,
  ``{"pending_receipts": n}`` (the next receipts answer 105);
- ``{"reset": true}``: forget everything.

In Python::

    with SefazSimulator() as sefaz:
        settings.RETAGUARDA_FISCAL_AUTHORISER_URL = sefaz.url
        sefaz.control({"down": "108"})

From the shell: ``python -m plugins.fiscal.simulator --port 8703 --state
var/simulators/sefaz.json``.
"""

from __future__ import annotations

import os

from .answers import check_digit
from .rules import Controls, Sefaz
from .server import SefazSimulator


def serve(
    port: int,
    *,
    host: str = "127.0.0.1",
    state_file: str | os.PathLike[str] | None = None,
) -> None:
    """Run the simulator until interrupted."""
    simulator = SefazSimulator(
        host=host, port=port, state_file=state_file, verbose=True
    )
    simulator.start()
    simulator.log(f"listening on {simulator.url}")
    simulator.serve_forever()


__all__ = ["Controls", "Sefaz", "SefazSimulator", "check_digit", "serve"]
