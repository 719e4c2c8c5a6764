"""The NF-e authorisers' addresses: which authoriser serves each UF
(its own SEFAZ, or SVRS / SVAN; in contingency SVC-AN or SVC-RS) and the
address of each web service in each environment.

The addresses are the official ones nfelib keeps
(``nfelib.nfe.client.v4_0.servers``). ``RETAGUARDA_FISCAL_AUTHORISER_URL``
points every UF at one base address instead (the local simulator, in tests
and the demo): a service is then ``<base>/<authoriser>/<service>``, e.g.
``…/sp/NFeAutorizacao4`` or ``…/svc-an/NFeAutorizacao4``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from nfelib.nfe.client.v4_0.servers import Endpoint
from nfelib.nfe.client.v4_0.servers import servers as SERVERS

from plugins.fiscal.authoriser import AuthoriserRefused, Service
from plugins.fiscal.keys import UF_CODES

#: UFs with their own authoriser; MA uses SVAN, the others SVRS.
OWN_AUTHORISER = frozenset({"AM", "BA", "GO", "MG", "MS", "MT", "PE", "PR", "RS", "SP"})
SVAN_UFS = frozenset({"MA"})
#: Contingency: these UFs go to SVC-RS (tpEmis 7), the others to SVC-AN (6).
SVC_RS_UFS = frozenset({"AM", "BA", "GO", "MA", "MS", "MT", "PE", "PR"})

_ENDPOINTS = {
    Service.AUTHORISATION: Endpoint.NFEAUTORIZACAO,
    Service.RECEIPT: Endpoint.NFERETAUTORIZACAO,
    Service.CONSULT: Endpoint.NFECONSULTAPROTOCOLO,
    Service.STATUS: Endpoint.NFESTATUSSERVICO,
    Service.EVENT: Endpoint.RECEPCAOEVENTO,
    Service.INUTILIZATION: Endpoint.NFEINUTILIZACAO,
}


def authoriser_name(uf: str, *, contingency: bool = False) -> str:
    """The authoriser of ``uf``'s NF-e: "SP", "SVRS", "SVAN"; in contingency
    "SVC-AN" or "SVC-RS"."""
    uf = uf.upper()
    if uf not in UF_CODES:
        raise ValueError(f"unknown UF {uf!r}")
    if contingency:
        return "SVC-RS" if uf in SVC_RS_UFS else "SVC-AN"
    if uf in OWN_AUTHORISER:
        return uf
    return "SVAN" if uf in SVAN_UFS else "SVRS"


def contingency_emission_type(uf: str) -> str:
    """The tpEmis of an NF-e issued in contingency by an emitter of ``uf``:
    6 (SVC-AN) or 7 (SVC-RS)."""
    return "7" if authoriser_name(uf, contingency=True) == "SVC-RS" else "6"


def service_url(
    uf: str,
    environment: str,
    service: Service,
    *,
    contingency: bool = False,
    base_url: str | None = None,
) -> str:
    """The address of ``service`` for ``uf``'s authoriser in ``environment``
    ("1" production, "2" homologation). ``base_url`` (default: the setting
    ``RETAGUARDA_FISCAL_AUTHORISER_URL``) replaces the official table."""
    name = authoriser_name(uf, contingency=contingency)
    if base_url is None:
        base_url = getattr(settings, "RETAGUARDA_FISCAL_AUTHORISER_URL", "")
    if base_url:
        return f"{base_url.rstrip('/')}/{name.lower()}/{service.value}"
    table = SERVERS[name]["prod_endpoints" if environment == "1" else "dev_endpoints"]
    url = table.get(_ENDPOINTS[service])
    if not url:
        raise AuthoriserRefused(
            _("The authoriser %(name)s does not offer %(service)s.")
            % {"name": name, "service": service.value},
            authoriser=name,
        )
    return url.removesuffix("?wsdl")
