"""Real HTTP servers on loopback for tests of outbound requests."""

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """A real HTTP server on a loopback address that records what it gets."""

    def __init__(self, host="127.0.0.1", port=0, status=204, headers=(), tls=None):
        """``tls``: (certificate file, key file) to serve HTTPS; the server
        names the client asked for (SNI) are kept in ``server_names``."""
        self.requests = []
        self.server_names = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "host": self.headers["Host"],
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = handle_any

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            context.sni_callback = lambda sock, name, ctx: self.server_names.append(
                name
            )
            self.server.socket = context.wrap_socket(
                self.server.socket, server_side=True
            )
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        ).start()  # a short poll: closing waits for it

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def running_receivers():
    """For a fixture (``yield from running_receivers()``): gives a function
    that starts receivers, ``start(host=..., status=..., headers=...)``; all
    are stopped after the test."""
    started = []

    def start(**kwargs):
        receiver = Receiver(**kwargs)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.close()
