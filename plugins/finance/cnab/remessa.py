"""The remessa: the file that registers boletos (títulos) with Banco do Brasil.

:func:`write_remessa` writes one lote with segments P and Q for each título,
and R when it has a fine or messages to the payer. :func:`read_remessa`
reads such a file back (what the bank simulator does with it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.br import cnpj, cpf

from plugins.finance.cnab.codes import ENTRY
from plugins.finance.cnab.files import read_file as read_cnab_file
from plugins.finance.cnab.files import write_file
from plugins.finance.cnab.layouts import (
    BANK_NAME,
    REMESSA_CODE,
    REMESSA_OPERATION,
    REMESSA_SEGMENTS,
    SEGMENT_P,
    SEGMENT_Q,
    SEGMENT_R,
)
from plugins.finance.cnab.records import CnabError

#: Banco do Brasil's code for carteira 17 "simples" in segment P; other
#: carteiras (11, 12) are "1"
CARTEIRA_CODES = {"17": "7"}
SPECIES_DUPLICATA_MERCANTIL = "02"
#: the boleto is printed and delivered by the company, not by the bank
ISSUED_BY_COMPANY = "2"
INTEREST_PER_DAY, NO_INTEREST = "1", "3"
FIXED_DISCOUNT, NO_DISCOUNT = "1", "0"
FINE_PERCENT, NO_FINE = "2", "0"
CPF_TYPE, CNPJ_TYPE = "1", "2"

_DIGITS = re.compile(r"\D")


@dataclass(frozen=True)
class Agreement:
    """The company's convênio de cobrança with Banco do Brasil: a 7-digit
    convênio on a carteira (17 by default) and variation, credited to an
    agency and account."""

    company_name: str
    company_document: str
    convenio: str
    agency: str
    agency_digit: str
    account: str
    account_digit: str
    carteira: str = "17"
    variacao: str = "019"

    def nosso_numero(self, sequence: int) -> str:
        """The 17 digits Banco do Brasil asks of a 7-digit convênio: the
        convênio and a 10-digit sequence (as in the boleto's campo livre)."""
        if not (len(self.convenio) == 7 and self.convenio.isdigit()):
            raise CnabError(_("The convênio must have exactly 7 digits."))
        if not 0 < sequence < 10**10:
            raise CnabError(
                _("The nosso número sequence %(sequence)s is not 1 to 10 digits.")
                % {"sequence": sequence}
            )
        return f"{self.convenio}{sequence:010d}"


@dataclass(frozen=True)
class Payer:
    """The pagador: who the boleto is issued to."""

    name: str
    document: str
    address: str = ""
    district: str = ""
    postal_code: str = ""
    city: str = ""
    state: str = ""


@dataclass(frozen=True)
class Charge:
    """One título: a boleto to register (movement 01) or to write off (02)."""

    sequence: int
    document_number: str
    due_date: date
    amount: Decimal
    issue_date: date
    payer: Payer
    #: the company's own reference, returned in the retorno (25 characters)
    company_reference: str = ""
    interest_per_day: Decimal = Decimal(0)
    fine_percent: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    discount_until: date | None = None
    #: up to two lines of 40 characters to the payer (segment R)
    messages: tuple[str, ...] = ()
    movement: str = ENTRY


@dataclass
class Remessa:
    """A remessa read back: the agreement's numbers and the títulos."""

    file_number: int
    generated_on: date | None
    company_name: str
    company_document_type: str
    company_document: str
    convenio: str
    carteira: str
    variacao: str
    agency: str
    agency_digit: str
    account: str
    account_digit: str
    charges: list[dict] = field(default_factory=list)


def document_type(document: str, *, whose: str) -> tuple[str, str]:
    """``("1", cpf)`` or ``("2", cnpj)`` for a valid CPF or CNPJ (digits
    only); :class:`CnabError` naming ``whose`` it is otherwise."""
    digits = _DIGITS.sub("", document or "")
    if len(digits) == 11 and cpf.is_valid(digits):
        return CPF_TYPE, digits
    if len(digits) == 14 and cnpj.is_valid(digits):
        return CNPJ_TYPE, digits
    raise CnabError(
        _("The %(whose)s CPF/CNPJ “%(value)s” is not valid.")
        % {"whose": whose, "value": document}
    )


def _agreement_values(agreement: Agreement) -> dict:
    kind, document = document_type(agreement.company_document, whose=_("company's"))
    return {
        "company_document_type": kind,
        "company_document": document,
        "convenio": agreement.convenio,
        "carteira": agreement.carteira,
        "variacao": agreement.variacao,
        "agency": agreement.agency,
        "agency_digit": agreement.agency_digit,
        "account": agreement.account,
        "account_digit": agreement.account_digit,
        "company_name": agreement.company_name,
    }


def _charge_segments(agreement: Agreement, charge: Charge) -> list:
    if charge.amount <= 0:
        raise CnabError(
            _("Título %(document)s: the amount must be greater than zero.")
            % {"document": charge.document_number}
        )
    if len(charge.messages) > 2:
        raise CnabError(_("A título carries at most two messages to the payer."))
    kind, document = document_type(charge.payer.document, whose=_("payer's"))
    account = {
        key: value
        for key, value in _agreement_values(agreement).items()
        if key.startswith(("agency", "account"))
    }
    movement = {"movement": charge.movement}
    interest = charge.interest_per_day > 0
    discount = charge.discount > 0
    p = {
        **movement,
        **account,
        "nosso_numero": agreement.nosso_numero(charge.sequence),
        "carteira_code": CARTEIRA_CODES.get(agreement.carteira, "1"),
        "issuer": ISSUED_BY_COMPANY,
        "distribution": ISSUED_BY_COMPANY,
        "document_number": charge.document_number,
        "due_date": charge.due_date,
        "amount": charge.amount,
        "species": SPECIES_DUPLICATA_MERCANTIL,
        "acceptance": "N",
        "issue_date": charge.issue_date,
        "interest_code": INTEREST_PER_DAY if interest else NO_INTEREST,
        "interest_date": charge.due_date + timedelta(days=1) if interest else None,
        "interest": charge.interest_per_day,
        "discount_code": FIXED_DISCOUNT if discount else NO_DISCOUNT,
        "discount_date": (charge.discount_until or charge.due_date)
        if discount
        else None,
        "discount": charge.discount,
        "company_reference": charge.company_reference,
    }
    payer = charge.payer
    q = {
        **movement,
        "payer_document_type": kind,
        "payer_document": document,
        "payer_name": payer.name,
        "payer_address": payer.address,
        "payer_district": payer.district,
        "payer_postal_code": _DIGITS.sub("", payer.postal_code or ""),
        "payer_city": payer.city,
        "payer_state": payer.state,
    }
    segments = [(SEGMENT_P, p), (SEGMENT_Q, q)]
    if charge.fine_percent > 0 or charge.messages:
        fine = charge.fine_percent > 0
        messages = (*charge.messages, "", "")
        r = {
            **movement,
            "fine_code": FINE_PERCENT if fine else NO_FINE,
            "fine_date": charge.due_date + timedelta(days=1) if fine else None,
            "fine": charge.fine_percent,
            "message_3": messages[0],
            "message_4": messages[1],
        }
        segments.append((SEGMENT_R, r))
    return segments


def write_remessa(
    agreement: Agreement,
    charges: Sequence[Charge],
    *,
    file_number: int,
    generated_at: datetime | None = None,
    test: bool = False,
) -> bytes:
    """The remessa registering ``charges`` under ``agreement``: file number
    ``file_number`` (the NSA, one more than the last file sent), generated at
    ``generated_at`` (now by default, in the site's time zone); ``test``
    marks it "TS", a file the bank checks without registering.

    Raises :class:`CnabError` for data the file cannot carry: an invalid
    CPF/CNPJ, an identifier too long for its field, a negative or
    over-precise amount, no título at all.
    """
    if not charges:
        raise CnabError(_("A remessa needs at least one título."))
    moment = timezone.localtime(generated_at)
    agreement_values = {
        **_agreement_values(agreement),
        "test_marker": "TS" if test else "",
    }
    header = {
        **agreement_values,
        "bank_name": BANK_NAME,
        "file_code": REMESSA_CODE,
        "generated_on": moment.date(),
        "generated_at": moment.strftime("%H%M%S"),
        "file_number": file_number,
    }
    lote_header = {
        **agreement_values,
        "operation": REMESSA_OPERATION,
        "file_number": file_number,
        "recorded_on": moment.date(),
    }
    details = []
    for charge in charges:
        details.extend(_charge_segments(agreement, charge))
    return write_file(header, [(lote_header, details, {})])


def read_remessa(data: bytes | str) -> Remessa:
    """A remessa read back, each título as the values of its P, Q and
    (optional) R segments merged; checked as :func:`read_file` checks any
    file, and each título must start with P and have its Q."""
    parsed = read_cnab_file(
        data,
        file_code=REMESSA_CODE,
        operation=REMESSA_OPERATION,
        segments=REMESSA_SEGMENTS,
    )
    header = parsed.header.values
    remessa = Remessa(
        file_number=int(header["file_number"] or 0),
        generated_on=header["generated_on"],
        **{
            name: header[name]
            for name in (
                "company_name",
                "company_document_type",
                "company_document",
                "convenio",
                "carteira",
                "variacao",
                "agency",
                "agency_digit",
                "account",
                "account_digit",
            )
        },
    )
    for lote in parsed.lotes:
        current: dict | None = None
        for segment, record in lote.details:
            if segment == "P":
                current = {"line": record.line, **record.values}
                remessa.charges.append(current)
                continue
            if current is None or (segment == "Q") == ("payer_name" in current):
                raise _order_error(record.line, segment)
            current.update({k: v for k, v in record.values.items() if k not in current})
        if current is not None and "payer_name" not in current:
            raise _order_error(lote.trailer.line, "Q")
    return remessa


def _order_error(line: int, segment: str) -> CnabError:
    return CnabError(
        _(
            "Line %(line)s: segment %(segment)s is out of order; each título "
            "is a segment P, then Q, then optionally R."
        )
        % {"line": line, "segment": segment},
        line=line,
    )
