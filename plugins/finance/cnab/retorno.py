"""The retorno: what Banco do Brasil says happened to each título.

:func:`read_retorno` reads a whole file — every line 240 characters of
ASCII, every record where it belongs, the counts and totals of the trailers
— and returns its títulos as :class:`RetornoRecord`, each a segment T and
its segment U. The import framework reads it as a spreadsheet whose rows are
the títulos numbered by the line of their segment T: :func:`retorno_sheet`
and :data:`RETORNO_COLUMNS` (an importer declares ``columns =
RETORNO_COLUMNS`` and gets typed cells: dates, ``Decimal`` amounts).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.finance.cnab.codes import (
    REJECTIONS,
    Occurrence,
    movement_label,
    occurrence_of,
    reason_codes,
    rejection_reason,
)
from plugins.finance.cnab.files import Lote, read_file
from plugins.finance.cnab.layouts import (
    LOTE_TRAILER,
    RETORNO_CODE,
    RETORNO_OPERATION,
    RETORNO_SEGMENTS,
)
from plugins.finance.cnab.records import CnabError, field_error
from plugins.importing.base import Column
from plugins.importing.reader import Limits, Sheet, megabytes
from plugins.money import format_brl


@dataclass(frozen=True)
class RetornoRecord:
    """One título of a retorno: segment T (at ``line``) and U (the next)."""

    line: int
    lote: int
    movement: str
    nosso_numero: str
    document_number: str
    company_reference: str
    due_date: date | None
    face_value: Decimal
    fee: Decimal
    interest: Decimal
    discount: Decimal
    rebate: Decimal
    iof: Decimal
    amount_paid: Decimal
    net_amount: Decimal
    other_expenses: Decimal
    other_credits: Decimal
    #: when the payer paid (the date of the occurrence)
    payment_date: date | None
    credit_date: date | None
    reasons: tuple[str, ...]
    payer_name: str
    payer_document: str

    @property
    def occurrence(self) -> Occurrence:
        return occurrence_of(self.movement)

    @property
    def movement_label(self) -> str:
        return movement_label(self.movement)

    @property
    def rejection_reasons(self) -> list[str]:
        """The reasons of a rejection, as people read them (empty for a
        movement that is not a rejection)."""
        if self.movement not in REJECTIONS:
            return []
        return [rejection_reason(code) for code in self.reasons]

    def cells(self) -> list[Any]:
        """The row the import framework reads, in :data:`RETORNO_COLUMNS`'
        order."""
        return [getter(self) for _column, getter in _COLUMNS]


@dataclass
class Retorno:
    """A retorno file read whole: its header's numbers and its títulos."""

    file_number: int
    generated_on: date | None
    convenio: str
    agency: str
    account: str
    credit_date: date | None
    records: list[RetornoRecord]


def read_retorno(data: bytes | str) -> Retorno:
    """Read and check a whole retorno. Raises :class:`CnabError` (in the
    active language, naming the line and the field) for a file that is not
    a Banco do Brasil CNAB 240 cobrança retorno, is cut short, has a record
    out of place, or whose trailers' counts or totals do not match."""
    parsed = read_file(
        data,
        file_code=RETORNO_CODE,
        operation=RETORNO_OPERATION,
        segments=RETORNO_SEGMENTS,
    )
    records: list[RetornoRecord] = []
    for lote in parsed.lotes:
        lote_records = _records(lote)
        _check_totals(lote, lote_records)
        records.extend(lote_records)
    header = parsed.header.values
    first_lote = parsed.lotes[0].header.values if parsed.lotes else {}
    return Retorno(
        file_number=int(header["file_number"] or 0),
        generated_on=header["generated_on"],
        convenio=header["convenio"],
        agency=header["agency"],
        account=header["account"],
        credit_date=first_lote.get("credited_on"),
        records=records,
    )


def iter_retorno(data: bytes | str) -> Iterator[RetornoRecord]:
    """The títulos of a retorno one by one, after the whole file is
    checked (the trailers' totals are at its end)."""
    yield from read_retorno(data).records


def _records(lote: Lote) -> list[RetornoRecord]:
    records = []
    details = lote.details
    for index in range(0, len(details), 2):
        segment, t = details[index]
        if segment != "T":
            raise _pair_error(t.line, _("a segment U without its segment T before it"))
        if index + 1 == len(details) or details[index + 1][0] != "U":
            raise _pair_error(t.line, _("a segment T without its segment U after it"))
        u = details[index + 1][1]
        tv, uv = t.values, u.values
        if tv["movement"] != uv["movement"]:
            raise field_error(
                RETORNO_SEGMENTS["U"].field("movement"),
                _("“%(value)s” is not the movement of its segment T (%(expected)s)."),
                line=u.line,
                value=uv["movement"],
                expected=tv["movement"],
            )
        records.append(
            RetornoRecord(
                line=t.line,
                lote=lote.number,
                movement=tv["movement"],
                nosso_numero=tv["nosso_numero"].strip(),
                document_number=tv["document_number"].strip(),
                company_reference=tv["company_reference"].strip(),
                due_date=tv["due_date"],
                face_value=tv["amount"],
                fee=tv["fee"],
                interest=uv["interest"],
                discount=uv["discount"],
                rebate=uv["rebate"],
                iof=uv["iof"],
                amount_paid=uv["paid"],
                net_amount=uv["net"],
                other_expenses=uv["other_expenses"],
                other_credits=uv["other_credits"],
                payment_date=uv["occurred_on"],
                credit_date=uv["credited_on"],
                reasons=reason_codes(tv["reasons"]),
                payer_name=tv["payer_name"].strip(),
                payer_document=tv["payer_document"].lstrip("0"),
            )
        )
    return records


def _pair_error(line: int, problem: str) -> CnabError:
    return CnabError(
        _(
            "Line %(line)s: %(problem)s. Each título of a retorno is a "
            "segment T and its U."
        )
        % {"line": line, "problem": problem},
        line=line,
    )


def _check_totals(lote: Lote, records: list[RetornoRecord]) -> None:
    """The cobrança simples totals of the lote trailer, when the bank fills
    them in: the number of títulos and the sum of their face values."""
    values = lote.trailer.values
    count, total = values["simple_count"], values["simple_total"]
    if not int(count or 0) and not total:
        return
    if int(count or 0) != len(records):
        raise field_error(
            LOTE_TRAILER.field("simple_count"),
            _("%(value)s títulos declared, but the lote has %(count)s."),
            line=lote.trailer.line,
            value=int(count or 0),
            count=len(records),
        )
    computed = sum((record.face_value for record in records), Decimal("0.00"))
    if total != computed:
        raise field_error(
            LOTE_TRAILER.field("simple_total"),
            _("%(value)s declared, but the títulos of the lote add up to %(total)s."),
            line=lote.trailer.line,
            value=format_brl(total),
            total=format_brl(computed),
        )


_COLUMNS = (
    (Column("nosso_numero", gettext_lazy("nosso número")), lambda r: r.nosso_numero),
    (Column("occurrence", gettext_lazy("occurrence")), lambda r: r.occurrence.value),
    (Column("movement", gettext_lazy("movement")), lambda r: r.movement_label),
    (
        Column("reasons", gettext_lazy("rejection reasons")),
        lambda r: "; ".join(r.rejection_reasons),
    ),
    (
        Column("document_number", gettext_lazy("document number")),
        lambda r: r.document_number,
    ),
    (
        Column("company_reference", gettext_lazy("company reference")),
        lambda r: r.company_reference,
    ),
    (Column("due_date", gettext_lazy("due date")), lambda r: r.due_date),
    (Column("face_value", gettext_lazy("amount")), lambda r: r.face_value),
    (Column("amount_paid", gettext_lazy("amount paid")), lambda r: r.amount_paid),
    (Column("fee", gettext_lazy("fee")), lambda r: r.fee),
    (Column("interest", gettext_lazy("interest and fine")), lambda r: r.interest),
    (Column("discount", gettext_lazy("discount")), lambda r: r.discount),
    (Column("rebate", gettext_lazy("rebate")), lambda r: r.rebate),
    (
        Column("net_amount", gettext_lazy("net amount credited")),
        lambda r: r.net_amount,
    ),
    (Column("payment_date", gettext_lazy("payment date")), lambda r: r.payment_date),
    (Column("credit_date", gettext_lazy("credit date")), lambda r: r.credit_date),
    (Column("payer_name", gettext_lazy("payer name")), lambda r: r.payer_name),
    (
        Column("payer_document", gettext_lazy("payer CPF/CNPJ")),
        lambda r: r.payer_document,
    ),
)

#: the columns of the rows :func:`retorno_sheet` gives the import framework
RETORNO_COLUMNS: tuple[Column, ...] = tuple(column for column, _getter in _COLUMNS)


def retorno_sheet(
    data: bytes, *, name: str = "", limits: Limits | None = None
) -> Sheet:
    """A retorno as the import framework reads a spreadsheet: the header is
    :data:`RETORNO_COLUMNS`' names and each row is ``(line of segment T,
    cells)``. The whole file is checked first; :class:`CnabError` is a
    ``FileProblem``, reported as the file's error."""
    limits = limits or Limits.from_settings()
    if len(data) > limits.max_bytes:
        raise CnabError(
            _("The file has %(size)s, more than the %(limit)s allowed.")
            % {"size": megabytes(len(data)), "limit": megabytes(limits.max_bytes)}
        )
    records = read_retorno(data).records
    if len(records) > limits.max_rows:
        raise CnabError(
            _("The file has more than %(limit)s rows.")
            % {"limit": f"{limits.max_rows:,}".replace(",", ".")}
        )
    return Sheet(
        "cnab240",
        [column.name for column in RETORNO_COLUMNS],
        ((record.line, record.cells()) for record in records),
        encoding="ascii",
    )
