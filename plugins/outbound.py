"""Outbound HTTP to addresses that users configure (webhooks, and the vendor
endpoints of the finance, fiscal and logistics plugins).

Outbound URLs that users configure go only to public http(s) addresses,
without following redirects:

- :func:`validate_public_url` is the validator for model and form fields: an
  ``http://`` or ``https://`` URL without credentials whose host is not, and
  does not resolve to, a private, loopback, link-local, unspecified,
  multicast, reserved or shared (CGNAT) address, nor a cloud metadata
  endpoint. IPv6 forms that embed an IPv4 address (``::ffff:127.0.0.1``,
  ``::127.0.0.1``, NAT64, 6to4) are judged by that address.
- :func:`send` makes the request: it resolves the host once, checks every
  address it got, and connects to exactly those checked addresses (the Host
  header, TLS SNI and certificate verification still use the host name), so
  a second DNS answer cannot point the connection elsewhere. It never follows
  a redirect: a 3xx comes back as a :class:`Response` whose ``location`` the
  caller reports. Connect and read are bounded by a timeout.

With ``RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE`` on, private networks and loopback
(and names such as ``localhost`` or ``*.internal``) are allowed — a receiver
on your own network; metadata endpoints, link-local, unspecified, multicast
and reserved addresses never are.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SCHEMES = ("http", "https")
DEFAULT_TIMEOUT = 10  # seconds, for connecting and for each read
MAX_BODY = 64 * 1024  # bytes of a response body that are read (the rest is not)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Cloud instance metadata services (AWS, ECS, GCP, Azure, Alibaba, Oracle):
#: never a destination, whatever the settings.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.169.123",
        "fd00:ec2::254",
        "100.100.100.200",
        "192.0.0.192",
    )
)
METADATA_NAMES = frozenset(
    {
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data",
        "instance-data.ec2.internal",
        "metadata.azure.internal",
    }
)
#: Names that only ever mean this machine or a private network.
PRIVATE_NAME_SUFFIXES = (".localhost", ".internal", ".local", ".home.arpa", ".lan")
PRIVATE_NAMES = frozenset({"localhost"})

PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
SHARED_NETWORK = ipaddress.ip_network("100.64.0.0/10")  # CGNAT, RFC 6598
NAT64_NETWORK = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """An outbound request could not be made; the message says why (pt-BR)."""


class AddressNotAllowed(OutboundError):
    """The URL or one of the addresses its host resolves to is not allowed."""


def allow_private() -> bool:
    return bool(getattr(settings, "RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE", False))


def embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible,
    NAT64, 6to4), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64_NETWORK or (int(ip) >> 32 == 0 and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress, *, private_ok: bool) -> str | None:
    """Why ``ip`` is not a destination (a pt-BR phrase), or None if it is."""
    ip = embedded_ipv4(ip) or ip
    if ip in METADATA_ADDRESSES:
        return _("a cloud metadata service")
    if ip.is_unspecified:
        return _("an unspecified address")
    if ip.is_link_local:
        return _("a link-local address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_loopback:
        return None if private_ok else _("this server (loopback)")
    if any(
        ip in network for network in PRIVATE_NETWORKS if network.version == ip.version
    ):
        return None if private_ok else _("a private network")
    if ip in SHARED_NETWORK:
        return None if private_ok else _("a shared (CGNAT) network")
    if not ip.is_global:
        return _("a reserved address")
    return None


def name_problem(host: str, *, private_ok: bool) -> str | None:
    """Why the host name ``host`` is not a destination, or None."""
    if host in METADATA_NAMES:
        return _("a cloud metadata service")
    if not private_ok and (
        host in PRIVATE_NAMES or host.endswith(PRIVATE_NAME_SUFFIXES)
    ):
        return _("a name of this server or of a private network")
    return None


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect, and what to say to the server."""

    scheme: str
    host: str  # as in the URL (lower case, IDNA), for Host, SNI and the certificate
    port: int
    path: str  # path and query
    addresses: tuple[tuple, ...] = ()  # getaddrinfo entries, all checked


def parse(url: str) -> Target:
    """Check the form of ``url`` (scheme, credentials, host, port) and its host
    name; raise :class:`AddressNotAllowed` with a pt-BR message."""
    private_ok = allow_private()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressNotAllowed(_("This is not a valid address.")) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise AddressNotAllowed(_("Use an http:// or https:// address."))
    if "@" in parts.netloc:
        raise AddressNotAllowed(
            _(
                "Remove the user name and password from the address: "
                "credentials do not go in the URL."
            )
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise AddressNotAllowed(_("The address has no host."))
    if "%" in host or (":" in host and _literal(host) is None):
        raise AddressNotAllowed(_("This is not a valid address."))
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise AddressNotAllowed(_("This is not a valid address.")) from None
    problem = name_problem(host, private_ok=private_ok)
    if problem:
        raise AddressNotAllowed(_not_allowed(host, problem))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def _not_allowed(host: str, problem: str, address: str = "") -> str:
    if address and address != host:
        return _(
            "“%(host)s” resolves to %(address)s, %(problem)s: only public "
            "internet addresses are allowed."
        ) % {"host": host, "address": address, "problem": problem}
    return _(
        "“%(host)s” is %(problem)s: only public internet addresses are allowed."
    ) % {"host": host, "problem": problem}


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(target: Target) -> Target:
    """Resolve the host once and check every address; the returned target
    carries exactly the checked addresses. Raises :class:`AddressNotAllowed`,
    or :class:`OutboundError` when the name does not resolve."""
    private_ok = allow_private()
    literal = _literal(target.host)
    if literal is not None:
        # An address in the URL: nothing to resolve (and nothing to rebind).
        if literal.version == 4:
            entries = [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (target.host, target.port))
            ]
        else:
            entries = [
                (
                    socket.AF_INET6,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (target.host, target.port, 0, 0),
                )
            ]
    else:
        try:
            entries = socket.getaddrinfo(
                target.host, target.port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as exc:
            raise OutboundError(
                _("“%(host)s” could not be resolved (%(error)s).")
                % {"host": target.host, "error": exc}
            ) from exc
        entries = [e for e in entries if e[0] in (socket.AF_INET, socket.AF_INET6)]
        if not entries:
            raise OutboundError(
                _("“%(host)s” could not be resolved (%(error)s).")
                % {"host": target.host, "error": "no address"}
            )
    for entry in entries:
        address = entry[4][0]
        problem = address_problem(
            ipaddress.ip_address(address.split("%")[0]), private_ok=private_ok
        )
        if problem:
            raise AddressNotAllowed(_not_allowed(target.host, problem, address))
    return Target(target.scheme, target.host, target.port, target.path, tuple(entries))


def check_url(url: str) -> Target:
    """:func:`parse` and :func:`resolve`: the target to connect to."""
    return resolve(parse(url))


def validate_public_url(value: str) -> None:
    """Field validator: ``value`` is an http(s) URL without credentials whose
    host is a public internet address (see the module docstring). A name that
    does not resolve now is accepted; it is checked again at every request."""
    try:
        check_url(value)
    except AddressNotAllowed as exc:
        raise ValidationError(str(exc), code="outbound_url") from None
    except OutboundError:
        pass


# -- Sending ----------------------------------------------------------------------


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to ``host`` that connects to one checked address
    instead of resolving ``host`` again."""

    def __init__(self, target: Target, entry: tuple, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._entry = entry

    def _open_socket(self) -> socket.socket:
        family, socktype, proto, _canonname, sockaddr = self._entry
        sock = socket.socket(family, socktype, proto)
        try:
            sock.settimeout(self.timeout)
            sock.connect(sockaddr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            sock.close()
            raise
        return sock

    def connect(self) -> None:
        self.sock = self._open_socket()


class _PinnedTLSConnection(_PinnedConnection):
    default_port = http.client.HTTPS_PORT

    def __init__(self, target: Target, entry: tuple, timeout: float):
        super().__init__(target, entry, timeout)
        self.tls_context = ssl.create_default_context()

    def connect(self) -> None:
        # SNI and certificate verification against the host name of the URL.
        self.sock = self.tls_context.wrap_socket(
            self._open_socket(), server_hostname=self.host
        )


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    address: str = ""  # the address the request went to

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


def send(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Response:
    """Make one request to ``url`` (checked as :func:`check_url` does), pinned
    to the addresses checked, never following redirects.

    Returns the response, whatever its status (a 3xx is returned, not
    followed: ``response.location`` says where it pointed). Raises
    :class:`AddressNotAllowed` for a URL or address that is not allowed and
    :class:`OutboundError` for network, TLS and protocol failures.
    """
    target = check_url(url)
    connection_class = (
        _PinnedTLSConnection if target.scheme == "https" else _PinnedConnection
    )
    last_error: Exception | None = None
    for entry in target.addresses:
        connection = connection_class(target, entry, timeout)
        try:
            try:
                connection.connect()
            except OSError as exc:  # this address is down: try the next one
                if isinstance(exc, ssl.SSLError | ssl.CertificateError):
                    raise
                last_error = exc
                continue
            connection.request(
                method, target.path, body=body, headers=dict(headers or {})
            )
            response = connection.getresponse()
            content = response.read(MAX_BODY)
            return Response(
                status=response.status,
                headers={k.lower(): v for k, v in response.getheaders()},
                body=content,
                address=entry[4][0],
            )
        except (OSError, http.client.HTTPException) as exc:
            raise OutboundError(_describe(exc)) from exc
        finally:
            connection.close()
    raise OutboundError(_describe(last_error)) from last_error


def post(
    url: str,
    *,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Response:
    return send("POST", url, body=body, headers=headers, timeout=timeout)


def _describe(exc: Exception | None) -> str:
    if isinstance(exc, TimeoutError):
        return _("No answer within the time limit.")
    return (str(exc) or exc.__class__.__name__)[:300]
