"""IBGE municipality codes (cMun, cMunFG): the 7-digit code of a city found
from its UF and name, offline.

The table (``data/municipios.csv``: code;name;UF, one municipality a line)
comes from the IBGE table that ``brazilfiscalreport`` ships for its DANFSE;
``python -m plugins.fiscal.ibge`` writes it again from the installed package
when the IBGE adds a municipality (a test compares both).

Names are compared without accents, case, spaces, hyphens or apostrophes
("SAO PAULO", "são paulo", "Alta Floresta d Oeste", "Embu Guaçu" all match),
and a few former names that addresses still carry are accepted. In the
Distrito Federal every address is in Brasília (its administrative regions,
Taguatinga or Ceilândia, are not municipalities).
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

TABLE = Path(__file__).resolve().parent / "data" / "municipios.csv"

BRASILIA = "5300108"

#: Former or popular names still found in addresses: (UF, name) -> the
#: official name.
ALIASES = {
    ("SP", "Embu"): "Embu das Artes",  # renamed in 2011
    ("SP", "Moji Mirim"): "Mogi Mirim",
    ("SP", "Moji das Cruzes"): "Mogi das Cruzes",
    ("SP", "Moji Guaçu"): "Mogi Guaçu",
    ("RJ", "Parati"): "Paraty",
    ("PE", "Itamaracá"): "Ilha de Itamaracá",
    ("RN", "Augusto Severo"): "Campo Grande",
    ("TO", "São Valério da Natividade"): "São Valério",
}


class CityNotFound(LookupError):
    """No municipality of that name in that UF; ``str()`` says so in pt-BR
    and suggests close names."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


def normalise(name: str) -> str:
    """A city name as compared: no accents, lower case, letters and digits."""
    value = unicodedata.normalize("NFKD", name or "")
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return re.sub(r"[^0-9a-z]", "", value)


@cache
def _table() -> tuple[dict[tuple[str, str], str], dict[str, tuple[str, str]]]:
    by_name: dict[tuple[str, str], str] = {}
    by_code: dict[str, tuple[str, str]] = {}
    with TABLE.open(encoding="utf-8", newline="") as handle:
        for code, name, uf in csv.reader(handle, delimiter=";"):
            by_name[(uf, normalise(name))] = code
            by_code[code] = (name, uf)
    for (uf, name), official in ALIASES.items():
        by_name.setdefault((uf, normalise(name)), by_name[(uf, normalise(official))])
    return by_name, by_code


def city_code(uf: str, city: str) -> str:
    """The IBGE code of ``city`` in ``uf``. Raises :class:`CityNotFound`."""
    uf = (uf or "").strip().upper()
    if uf == "DF":
        return BRASILIA
    by_name, by_code = _table()
    code = by_name.get((uf, normalise(city)))
    if code:
        return code
    names = [name for name, city_uf in by_code.values() if city_uf == uf]
    if not names:
        raise CityNotFound(_("“%(uf)s” is not a UF.") % {"uf": uf})
    wanted = normalise(city)
    close = difflib.get_close_matches(
        wanted, [normalise(name) for name in names], n=3, cutoff=0.75
    )
    suggestions = [name for name in names if normalise(name) in close]
    message = _("There is no city “%(city)s” in %(uf)s.") % {"city": city, "uf": uf}
    if suggestions:
        message += " " + _("Did you mean: %(names)s?") % {
            "names": ", ".join(suggestions)
        }
    raise CityNotFound(message, suggestions=suggestions)


def city_name(code: str) -> tuple[str, str]:
    """The official name and the UF of the municipality ``code``
    (("", "") when unknown)."""
    return _table()[1].get((code or "").strip(), ("", ""))


def _write_table_from_brazilfiscalreport() -> int:  # pragma: no cover - a tool
    """Write the table again from the installed ``brazilfiscalreport``."""
    import brazilfiscalreport

    source = (
        Path(brazilfiscalreport.__file__).resolve().parent
        / "danfse"
        / "municipios_ibge.csv"
    )
    with source.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.reader(handle, delimiter=";"))
    with TABLE.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\n").writerows(rows)
    return len(rows)


if __name__ == "__main__":  # pragma: no cover
    _write_table_from_brazilfiscalreport()
