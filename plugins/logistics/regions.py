"""The CEP ranges of each Brazilian state (UF), as the Correios assign them:
a destination CEP tells the state a free-shipping rule or a freight table
names, without an address lookup."""

from __future__ import annotations

#: UF -> ((first CEP, last CEP), ...) as 8-digit integers
UF_CEP_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "SP": ((1_000_000, 19_999_999),),
    "RJ": ((20_000_000, 28_999_999),),
    "ES": ((29_000_000, 29_999_999),),
    "MG": ((30_000_000, 39_999_999),),
    "BA": ((40_000_000, 48_999_999),),
    "SE": ((49_000_000, 49_999_999),),
    "PE": ((50_000_000, 56_999_999),),
    "AL": ((57_000_000, 57_999_999),),
    "PB": ((58_000_000, 58_999_999),),
    "RN": ((59_000_000, 59_999_999),),
    "CE": ((60_000_000, 63_999_999),),
    "PI": ((64_000_000, 64_999_999),),
    "MA": ((65_000_000, 65_999_999),),
    "PA": ((66_000_000, 68_899_999),),
    "AP": ((68_900_000, 68_999_999),),
    "AM": ((69_000_000, 69_299_999), (69_400_000, 69_899_999)),
    "RR": ((69_300_000, 69_399_999),),
    "AC": ((69_900_000, 69_999_999),),
    "DF": ((70_000_000, 72_799_999), (73_000_000, 73_699_999)),
    "GO": ((72_800_000, 72_999_999), (73_700_000, 76_799_999)),
    "RO": ((76_800_000, 76_999_999),),
    "TO": ((77_000_000, 77_999_999),),
    "MT": ((78_000_000, 78_899_999),),
    "MS": ((79_000_000, 79_999_999),),
    "PR": ((80_000_000, 87_999_999),),
    "SC": ((88_000_000, 89_999_999),),
    "RS": ((90_000_000, 99_999_999),),
}


def cep_number(cep: str | int) -> int:
    """A CEP as typed ("01310-100") as the integer freight tables store
    (1310100; 0 if it has no digits)."""
    if isinstance(cep, int):
        return cep
    digits = "".join(c for c in str(cep) if c.isdigit())
    return int(digits) if digits else 0


def uf_for_cep(cep: str | int) -> str:
    """The state of a CEP, or "" when no state has it."""
    number = cep_number(cep)
    for uf, ranges in UF_CEP_RANGES.items():
        if any(start <= number <= end for start, end in ranges):
            return uf
    return ""
