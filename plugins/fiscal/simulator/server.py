"""The simulated SEFAZ on HTTP: SOAP 1.2 on loopback, a thread per request,
its database kept in a JSON file when asked, and the control API."""

from __future__ import annotations

import json
import os
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from plugins.fiscal.soap import SOAP_NAMESPACE, WSDL_NAMESPACE, parse

from .answers import AUTHORISERS, NFE
from .rules import Controls, Sefaz

#: The longest a "hang" request waits before the server lets it go.
HANG_LIMIT = 30.0

#: The message each service takes.
REQUESTS = {
    "NFeAutorizacao4": "enviNFe",
    "NFeRetAutorizacao4": "consReciNFe",
    "NFeConsultaProtocolo4": "consSitNFe",
    "NFeStatusServico4": "consStatServ",
    "NFeRecepcaoEvento4": "envEvento",
    "NFeInutilizacao4": "inutNFe",
}


class SefazSimulator(Sefaz):
    """Every authoriser on ``http://127.0.0.1:<port>/<authoriser>/<service>``
    (``/sp/NFeAutorizacao4``, ``/svc-an/NFeStatusServico4`` …), the control
    API on ``/_control``.

    Used as a context manager in tests; ``state_file`` keeps what it
    authorised (and its controls) across restarts, for the demo.
    ``tls=(certificate_pem, key_pem)`` serves https with that server
    certificate; ``client_cas`` (PEM) then requires a client certificate
    issued by one of them (mutual TLS).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: str | os.PathLike[str] | None = None,
        verbose: bool = False,
        tls: tuple[str, str] | None = None,
        client_cas: bytes | None = None,
    ) -> None:
        super().__init__()
        self.host, self.port = host, port
        self.state_file = Path(state_file) if state_file else None
        self.verbose = verbose
        self.tls = tls
        self.client_cas = client_cas
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._release = threading.Event()

    # -- Life cycle ----------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("The simulator is not running: start it first.")
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self._server.server_address[1]}"

    def start(self) -> SefazSimulator:
        simulator = self

        class Handler(_Handler):
            pass

        Handler.simulator = simulator
        self.load_state()
        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            if self.client_cas:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(cadata=self.client_cas.decode())
            self._server.socket = context.wrap_socket(
                self._server.socket, server_side=True
            )
        self._release.clear()
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None
        self.save_state()

    def __enter__(self) -> SefazSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        if self._server is None:
            self.start()
        try:
            while not self._release.wait(3600):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def log(self, text: str) -> None:
        if self.verbose:
            print(f"[sefaz] {text}", file=sys.stderr, flush=True)  # noqa: T201

    # -- State ---------------------------------------------------------------------

    def load_state(self) -> None:
        """Read ``state_file``; one that cannot be read is renamed
        ``<name>.unreadable`` and the simulator starts empty."""
        if self.state_file is None or not self.state_file.exists():
            return
        try:
            saved = json.loads(self.state_file.read_bytes())
            if not isinstance(saved, dict):
                raise ValueError("not a JSON object")
            controls = Controls(**saved.get("controls", {}))
            state = saved["state"]
        except (ValueError, KeyError, TypeError) as error:
            kept = self.state_file.with_name(self.state_file.name + ".unreadable")
            os.replace(self.state_file, kept)
            self.log(f"{self.state_file} is unreadable ({error}): moved to {kept}")
            return
        with self.lock:
            self.state.update(state)
            self.controls = controls

    def save_state(self) -> None:
        if self.state_file is None:
            return
        with self.lock:
            data = json.dumps(
                {"state": self.state, "controls": self.describe()["controls"]},
                ensure_ascii=False,
            ).encode()
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            partial = self.state_file.with_name(self.state_file.name + ".partial")
            partial.write_bytes(data)
            os.replace(partial, self.state_file)

    # -- Requests ------------------------------------------------------------------

    def handle_service(
        self, authoriser: str, service: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes] | None:
        """Answer one SOAP request: ``(HTTP status, body)``, or ``None`` to
        close the connection without answering."""
        self.log_request(authoriser, service)
        mode = self.down_mode(authoriser)
        if mode == "drop":
            return None
        if mode == "hang":
            self._release.wait(HANG_LIMIT)
            return None
        if mode == "503":
            return 503, fault("Receiver", "Serviço indisponível (simulado)")
        if "application/soap+xml" not in headers.get("content-type", ""):
            return 415, fault("Sender", "Content-Type: application/soap+xml")
        try:
            envelope = parse(body)
        except etree.XMLSyntaxError as error:
            return 400, fault("Sender", f"XML mal formado: {error}")
        message = envelope.find(
            f"{{{SOAP_NAMESPACE}}}Body/{{{WSDL_NAMESPACE}{service}}}nfeDadosMsg"
        )
        if message is None or len(message) != 1:
            return 400, fault("Sender", f"nfeDadosMsg de {service} não encontrado")
        root = message[0]
        if root.tag != f"{NFE}{REQUESTS[service]}":
            return 400, fault("Sender", f"{service} recebe {REQUESTS[service]}")
        raw = body.decode("utf-8", errors="replace")
        try:
            if mode in ("108", "109") and service != "NFeStatusServico4":
                answer = self.stopped(service, authoriser, root)
            else:
                answer = self._answer(service, authoriser, raw, root)
        finally:
            self.save_state()
        return 200, result(service, answer)

    def _answer(
        self, service: str, authoriser: str, raw: str, root: etree._Element
    ) -> str:
        if service == "NFeAutorizacao4":
            return self.authorise(authoriser, raw, root)
        if service == "NFeRetAutorizacao4":
            return self.fetch_receipt(raw, root)
        if service == "NFeConsultaProtocolo4":
            return self.consult(raw, root)
        if service == "NFeStatusServico4":
            return self.status(authoriser, raw, root)
        if service == "NFeRecepcaoEvento4":
            return self.register_events(authoriser, raw, root)
        return self.inutilize(authoriser, raw, root)

    def handle_control(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        if path == "/_control" and method == "GET":
            return 200, self.describe()
        if path == "/_control" and method == "POST":
            try:
                payload = json.loads(body or b"{}")
                if not isinstance(payload, dict):
                    raise ValueError("a JSON object")
                described = self.control(payload)
            except (ValueError, TypeError, KeyError) as error:
                return 400, {"error": str(error)}
            self.save_state()
            return 200, described
        if path.startswith("/_control/documents/") and method == "GET":
            found = self.document(path.rsplit("/", 1)[1])
            return (200, found) if found else (404, {"error": "unknown access key"})
        return 404, {"error": "unknown control"}


def fault(code: str, text: str) -> bytes:
    from xml.sax.saxutils import escape

    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_NAMESPACE}"><soap:Body><soap:Fault>'
        f"<soap:Code><soap:Value>soap:{code}</soap:Value></soap:Code>"
        f'<soap:Reason><soap:Text xml:lang="pt-BR">{escape(text)}</soap:Text>'
        "</soap:Reason></soap:Fault></soap:Body></soap:Envelope>"
    ).encode()


def result(service: str, answer: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_NAMESPACE}"><soap:Body>'
        f'<nfeResultMsg xmlns="{WSDL_NAMESPACE}{service}">{answer}</nfeResultMsg>'
        "</soap:Body></soap:Envelope>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    simulator: SefazSimulator
    protocol_version = "HTTP/1.1"

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path.rstrip("/")
        if path.startswith("/_control"):
            status, payload = self.simulator.handle_control(self.command, path, body)
            self._send(status, json.dumps(payload).encode(), "application/json")
            return
        parts = path.strip("/").split("/")
        authoriser = parts[0].upper() if parts else ""
        service = parts[1] if len(parts) == 2 else ""
        if (
            self.command != "POST"
            or authoriser not in AUTHORISERS
            or service not in REQUESTS
        ):
            self._send(404, fault("Sender", "serviço não encontrado"))
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.simulator.handle_service(authoriser, service, headers, body)
        if reply is None:
            self.close_connection = True
            return
        self._send(*reply)

    def _send(
        self, status: int, content: bytes, content_type: str = "application/soap+xml"
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        self.simulator.log(format % args)
