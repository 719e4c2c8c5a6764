"""Outbound URLs that users configure go only to public http(s) addresses:
the field validator, and the sender's address pinning (the OS resolver is
replaced, so names resolve to the addresses a test chooses)."""

import socket
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from plugins import outbound
from plugins.outbound import validate_public_url
from tests.receivers import running_receivers

PUBLIC = "93.184.215.14"

#: Names the fake resolver answers; anything else goes to the real resolver.
FAKE_DNS = {
    "intranet.example.test": ["10.1.2.3"],
    "metadados.example.test": ["169.254.169.254"],
    "misto.example.test": [PUBLIC, "127.0.0.1"],
    "v6-privado.example.test": ["fd12:3456::1"],
    "publico.example.test": [PUBLIC],
    "erp.example.com": [PUBLIC],
}


def fake_answer(address, port):
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


@pytest.fixture
def fake_dns(monkeypatch):
    real = socket.getaddrinfo
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        answers = FAKE_DNS.get(host)
        if answers is None:
            return real(host, port, *args, **kwargs)
        if callable(answers):
            answers = answers()
        return [fake_answer(address, port) for address in answers]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return calls


REFUSED_ALWAYS = [
    ("ftp://arquivos.example.com/hook", "http:// ou https://"),
    ("file:///etc/passwd", "http:// ou https://"),
    ("gopher://example.com/", "http:// ou https://"),
    ("https://usuario:senha@example.com/hook", "usuário e a senha"),
    ("https://usuario@example.com/hook", "usuário e a senha"),
    ("http://169.254.169.254/latest/meta-data/", "metadados"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadados"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadados"),
    ("http://metadata.google.internal./computeMetadata/v1/", "metadados"),
    ("http://[::ffff:169.254.169.254]/", "metadados"),
    ("http://metadados.example.test/", "aponta para 169.254.169.254"),
    ("http://0.0.0.0:8000/", "não especificado"),
    ("http://[::]:8000/", "não especificado"),
    ("http://169.254.1.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fe80::1%25eth0]/", "não é um endereço válido"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://240.0.0.1/", "reservado"),
    ("http://255.255.255.255/", "reservado"),
    ("http://192.0.2.10/", "reservado"),
    ("http://exemplo.com:99999/", "não é um endereço válido"),
]

REFUSED_UNLESS_PRIVATE_ALLOWED = [
    ("http://localhost:8000/hook", "deste servidor"),
    ("http://api.localhost/hook", "deste servidor"),
    ("http://erp.internal/hook", "deste servidor"),
    ("http://127.0.0.1:8000/hook", "loopback"),
    ("http://127.1/hook", "aponta para 127.0.0.1"),
    ("http://2130706433/hook", "aponta para 127.0.0.1"),
    ("http://[::1]:8000/hook", "loopback"),
    ("http://[::ffff:127.0.0.1]:8000/hook", "loopback"),
    ("http://[::127.0.0.1]/hook", "loopback"),
    ("http://[64:ff9b::7f00:1]/hook", "loopback"),
    ("http://[2002:7f00:1::]/hook", "loopback"),
    ("http://10.0.0.5/hook", "rede privada"),
    ("http://172.16.0.1/hook", "rede privada"),
    ("http://192.168.0.10/hook", "rede privada"),
    ("http://[::ffff:192.168.0.10]/hook", "rede privada"),
    ("http://[fd12:3456::1]/hook", "rede privada"),
    ("http://100.64.0.1/hook", "CGNAT"),
    ("http://intranet.example.test/hook", "aponta para 10.1.2.3"),
    ("http://v6-privado.example.test/hook", "aponta para fd12:3456::1"),
    ("http://misto.example.test/hook", "aponta para 127.0.0.1"),
]

ACCEPTED = [
    "https://erp.example.com/hooks/retaguarda",
    "HTTPS://ERP.EXAMPLE.COM/hook",
    "http://publico.example.test:8080/hook?canal=loja",
    f"http://{PUBLIC}/hook",
    "http://[2606:4700:4700::1111]/hook",
]


@pytest.fixture
def receivers():
    yield from running_receivers()


@pytest.mark.parametrize(
    ("url", "reason"), REFUSED_ALWAYS + REFUSED_UNLESS_PRIVATE_ALLOWED
)
def test_validator_refuses_what_is_not_a_public_http_address(
    settings, fake_dns, url, reason
):
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        validate_public_url(url)
    assert reason in refused.value.messages[0]
    assert refused.value.error_list[0].code == "outbound_url"


@pytest.mark.parametrize(("url", "reason"), REFUSED_ALWAYS)
def test_allowing_private_networks_never_allows_metadata_or_odd_addresses(
    settings, fake_dns, url, reason
):
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = True
    with pytest.raises(ValidationError) as refused:
        validate_public_url(url)
    assert reason in refused.value.messages[0]


@pytest.mark.parametrize(("url", "_reason"), REFUSED_UNLESS_PRIVATE_ALLOWED)
def test_allowing_private_networks_allows_loopback_and_private_targets(
    settings, fake_dns, url, _reason
):
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = True
    validate_public_url(url)


@pytest.mark.parametrize("url", ACCEPTED)
def test_validator_accepts_public_http_addresses(settings, fake_dns, url):
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = False
    validate_public_url(url)


def test_sender_resolves_once_and_connects_to_the_checked_address(
    settings, fake_dns, receivers
):
    """A name that answers 127.0.0.1 first and 127.0.0.2 afterwards (DNS
    rebinding): the request goes to the address that was checked, with the
    name in the Host header, and the resolver is asked once."""
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = True
    checked = receivers(host="127.0.0.1")
    rebound = receivers(host="127.0.0.2", port=checked.port)
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])
    FAKE_DNS["rebind.example.test"] = lambda: next(answers)
    try:
        response = outbound.post(
            f"http://rebind.example.test:{checked.port}/hook", body=b"{}"
        )
    finally:
        del FAKE_DNS["rebind.example.test"]
    assert response.status == 204 and response.address == "127.0.0.1"
    assert fake_dns.count("rebind.example.test") == 1
    assert [r["host"] for r in checked.requests] == [
        f"rebind.example.test:{checked.port}"
    ]
    assert rebound.requests == []


def test_sender_does_not_follow_redirects(receivers):
    internal = receivers()
    redirecting = receivers(
        status=302, headers=[("Location", f"http://127.0.0.1:{internal.port}/internal")]
    )
    response = outbound.post(f"http://127.0.0.1:{redirecting.port}/hook", body=b"{}")
    assert response.is_redirect and not response.ok
    assert response.location == f"http://127.0.0.1:{internal.port}/internal"
    assert internal.requests == []


def test_sender_refuses_before_connecting(settings, receivers):
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = False
    receiver = receivers()
    with pytest.raises(outbound.AddressNotAllowed, match="loopback"):
        outbound.post(f"http://127.0.0.1:{receiver.port}/hook", body=b"{}")
    assert receiver.requests == []


#: A test CA (its key was thrown away) and a certificate it signed for
#: hooks.example.test, valid until 2126 (made with `openssl req -x509` and
#: `openssl x509 -req`).
CERTS = Path(__file__).parent / "certs"


def test_tls_is_verified_against_the_host_name_of_the_url(
    settings, fake_dns, receivers, monkeypatch
):
    """Connecting to the checked address keeps TLS honest: the server gets the
    URL's host name (SNI) and its certificate must be valid for that name."""
    settings.RETAGUARDA_WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setenv("SSL_CERT_FILE", str(CERTS / "ca.pem"))  # the test CA
    receiver = receivers(tls=(CERTS / "hooks.pem", CERTS / "hooks.key"))
    FAKE_DNS["hooks.example.test"] = ["127.0.0.1"]
    FAKE_DNS["outro.example.test"] = ["127.0.0.1"]
    try:
        response = outbound.post(
            f"https://hooks.example.test:{receiver.port}/hook", body=b"{}"
        )
        with pytest.raises(outbound.OutboundError, match="hostname|certificate"):
            outbound.post(
                f"https://outro.example.test:{receiver.port}/hook", body=b"{}"
            )
    finally:
        del FAKE_DNS["hooks.example.test"], FAKE_DNS["outro.example.test"]
    assert response.status == 204 and response.address == "127.0.0.1"
    assert receiver.server_names == ["hooks.example.test", "outro.example.test"]
    assert [r["host"] for r in receiver.requests] == [
        f"hooks.example.test:{receiver.port}"
    ]
