"""A CNAB 240 file as lines: written with its numbering and counts, read
back with every structural rule checked.

A file is a header (record type 0), lotes — each a header (1), details (3)
numbered 1, 2, 3… and a trailer (5) counting the lote's records — and a
trailer (9) counting the lotes and all the lines. Lines are 240 characters
of plain ASCII, ended by CR LF when written (LF alone is read too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from plugins.finance.cnab.layouts import (
    BANK_CODE,
    DETAIL_TYPE,
    FILE_HEADER,
    FILE_HEADER_TYPE,
    FILE_TRAILER,
    FILE_TRAILER_TYPE,
    LOTE_HEADER,
    LOTE_HEADER_TYPE,
    LOTE_TRAILER,
    LOTE_TRAILER_TYPE,
    REMESSA_CODE,
    RETORNO_CODE,
)
from plugins.finance.cnab.records import (
    LINE_LENGTH,
    CnabError,
    Field,
    Layout,
    field_error,
)

#: an MS-DOS end-of-file mark some bank systems still append
EOF_MARK = "\x1a"


@dataclass
class Record:
    line: int
    values: dict[str, Any]


@dataclass
class Lote:
    number: int
    header: Record
    details: list[tuple[str, Record]] = field(default_factory=list)
    trailer: Record | None = None


@dataclass
class CnabFile:
    header: Record
    lotes: list[Lote]
    trailer: Record


# -- writing --------------------------------------------------------------------


def write_file(
    header: Mapping[str, Any],
    lotes: Sequence[
        tuple[Mapping[str, Any], Sequence[tuple[Layout, Mapping[str, Any]]], Mapping]
    ],
) -> bytes:
    """The bytes of a file: ``header``'s values, then each lote as (its
    header's values, its details as (layout, values), its trailer's extra
    values). Lote numbers, record numbers and every count are set here."""
    lines = [FILE_HEADER.format(header)]
    for number, (lote_header, details, lote_trailer) in enumerate(lotes, start=1):
        lote = f"{number:04d}"
        lines.append(LOTE_HEADER.format({**lote_header, "lote": lote}))
        for sequence, (layout, values) in enumerate(details, start=1):
            lines.append(layout.format({**values, "lote": lote, "sequence": sequence}))
        records = len(details) + 2
        lines.append(
            LOTE_TRAILER.format({**lote_trailer, "lote": lote, "records": records})
        )
    lines.append(FILE_TRAILER.format({"lotes": len(lotes), "records": len(lines) + 1}))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


# -- reading --------------------------------------------------------------------


def split_lines(data: bytes | str) -> list[str]:
    """The file's lines, each checked to be 240 characters of printable
    ASCII; blank lines at the end and an end-of-file mark are ignored."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    lines = data.split(b"\n")
    while lines and lines[-1].strip(b"\r\x1a \t") == b"":
        lines.pop()
    if not lines:
        raise CnabError(_("The file is empty."))
    texts = []
    for number, raw in enumerate(lines, start=1):
        raw = raw.removesuffix(b"\r")
        for position, byte in enumerate(raw, start=1):
            if byte > 0x7E or byte < 0x20:
                message = (
                    _(
                        "Line %(line)s, position %(position)s: a character other "
                        "than plain ASCII. CNAB files are plain text without "
                        "accents: is this a CNAB 240 file?"
                    )
                    if byte > 0x7F
                    else _(
                        "Line %(line)s, position %(position)s: a control "
                        "character. CNAB files are plain text: is this a CNAB "
                        "240 file?"
                    )
                )
                raise CnabError(
                    message % {"line": number, "position": position}, line=number
                )
        if len(raw) != LINE_LENGTH:
            raise CnabError(
                _(
                    "Line %(line)s has %(length)s characters; the lines of a "
                    "CNAB 240 file have 240."
                )
                % {"line": number, "length": len(raw)},
                line=number,
            )
        texts.append(raw.decode("ascii"))
    return texts


def _check(
    layout: Layout, name: str, values: dict, line: int, wanted, problem, **params
):
    if values[name] != wanted:
        raise field_error(
            layout.field(name), problem, line=line, value=values[name], **params
        )


def read_file(
    data: bytes | str,
    *,
    file_code: str,
    operation: str,
    segments: Mapping[str, Layout],
) -> CnabFile:
    """Read a whole file of Banco do Brasil's (``file_code`` 1 remessa or 2
    retorno; lotes of ``operation`` R or T with the detail ``segments``),
    checking its structure and counts. Raises :class:`CnabError` naming the
    line and field of the first problem."""
    lines = split_lines(data)
    lotes: list[Lote] = []
    header = trailer = None
    lote: Lote | None = None
    for number, text in enumerate(lines, start=1):
        if text[:3] != BANK_CODE:
            raise field_error(
                FILE_HEADER.field("bank"),
                _("“%(value)s” is not Banco do Brasil (001)."),
                line=number,
                value=text[:3],
            )
        kind = text[7]
        if trailer is not None:
            raise CnabError(
                _(
                    "Line %(line)s comes after the file trailer (record type 9): "
                    "the file must end there."
                )
                % {"line": number},
                line=number,
            )
        if header is None and kind != FILE_HEADER_TYPE:
            raise _type_error(number, kind, _("the file must start with its header"))
        if kind == FILE_HEADER_TYPE:
            if header is not None:
                raise _type_error(number, kind, _("a second file header"))
            header = Record(number, FILE_HEADER.parse(text, number))
            _check_file_code(header, file_code)
        elif kind == LOTE_HEADER_TYPE:
            if lote is not None:
                raise _unclosed(number, lote)
            lote = _open_lote(text, number, len(lotes) + 1, operation)
            lotes.append(lote)
        elif kind == DETAIL_TYPE:
            if lote is None:
                raise _type_error(number, kind, _("a detail record outside a lote"))
            lote.details.append(_detail(text, number, lote, segments))
        elif kind == LOTE_TRAILER_TYPE:
            if lote is None:
                raise _type_error(number, kind, _("a lote trailer with no lote open"))
            _close_lote(text, number, lote)
            lote = None
        elif kind == FILE_TRAILER_TYPE:
            if lote is not None:
                raise _unclosed(number, lote)
            trailer = Record(number, FILE_TRAILER.parse(text, number))
            _check_file_trailer(trailer, len(lotes), number)
        else:
            raise _type_error(number, kind, _("not a CNAB 240 record type"))
    if trailer is None:
        raise CnabError(
            _(
                "The file ends at line %(line)s without its trailer (record "
                "type 9): it was cut short."
            )
            % {"line": len(lines)},
            line=len(lines),
        )
    return CnabFile(header, lotes, trailer)


def _type_error(line: int, value: str, problem: str) -> CnabError:
    return field_error(
        FILE_HEADER.field("record_type"),
        _("“%(value)s”: %(reason)s."),
        line=line,
        value=value,
        reason=problem,
    )


def _unclosed(line: int, lote: Lote) -> CnabError:
    return _type_error(
        line,
        "",
        _("lote %(lote)s has no trailer (record type 5) before this line")
        % {"lote": lote.number},
    )


def _check_file_code(header: Record, file_code: str) -> None:
    found = header.values["file_code"]
    if found == file_code:
        return
    if found == REMESSA_CODE:
        problem = _("“%(value)s”: this is a remessa, the file sent to the bank.")
    elif found == RETORNO_CODE:
        problem = _("“%(value)s”: this is a retorno, the file the bank sends back.")
    else:
        problem = _("“%(value)s” is neither 1 (remessa) nor 2 (retorno).")
    raise field_error(
        FILE_HEADER.field("file_code"), problem, line=header.line, value=found
    )


def _open_lote(text: str, line: int, expected: int, operation: str) -> Lote:
    values = LOTE_HEADER.parse(text, line)
    checks = (
        ("lote", f"{expected:04d}", _("“%(value)s” should be %(expected)s.")),
        ("operation", operation, _("“%(value)s” should be %(expected)s.")),
        ("service", "01", _("“%(value)s” is not cobrança (01).")),
    )
    for name, wanted, problem in checks:
        _check(LOTE_HEADER, name, values, line, wanted, problem, expected=wanted)
    return Lote(expected, Record(line, values))


def _detail(
    text: str, line: int, lote: Lote, segments: Mapping[str, Layout]
) -> tuple[str, Record]:
    segment = text[13]
    layout = segments.get(segment)
    if layout is None:
        raise field_error(
            Field(14, 14, "segment", label=_("segment")),
            _("“%(value)s” is not one of the segments of this file (%(segments)s)."),
            line=line,
            value=segment,
            segments=", ".join(segments),
        )
    values = layout.parse(text, line)
    lote_number = f"{lote.number:04d}"
    _check(
        layout,
        "lote",
        values,
        line,
        lote_number,
        _("“%(value)s” is not the lote open here (%(expected)s)."),
        expected=lote_number,
    )
    wanted = f"{len(lote.details) + 1:05d}"
    _check(
        layout,
        "sequence",
        values,
        line,
        wanted,
        _(
            "“%(value)s” should be %(expected)s: records are numbered 1, 2, "
            "3… in a lote."
        ),
        expected=wanted,
    )
    return segment, Record(line, values)


def _close_lote(text: str, line: int, lote: Lote) -> None:
    values = LOTE_TRAILER.parse(text, line)
    lote_number = f"{lote.number:04d}"
    _check(
        LOTE_TRAILER,
        "lote",
        values,
        line,
        lote_number,
        _("“%(value)s” is not the lote open here (%(expected)s)."),
        expected=lote_number,
    )
    count = len(lote.details) + 2
    if int(values["records"] or 0) != count:
        raise field_error(
            LOTE_TRAILER.field("records"),
            _(
                "%(value)s records declared, but the lote has %(count)s (its "
                "header, details and trailer)."
            ),
            line=line,
            value=values["records"],
            count=count,
        )
    lote.trailer = Record(line, values)


def _check_file_trailer(trailer: Record, lotes: int, line: int) -> None:
    values = trailer.values
    if int(values["lotes"] or 0) != lotes:
        raise field_error(
            FILE_TRAILER.field("lotes"),
            _("%(value)s lotes declared, but the file has %(count)s."),
            line=line,
            value=values["lotes"],
            count=lotes,
        )
    if int(values["records"] or 0) != line:
        raise field_error(
            FILE_TRAILER.field("records"),
            _("%(value)s records declared, but the file has %(count)s lines."),
            line=line,
            value=values["records"],
            count=line,
        )
