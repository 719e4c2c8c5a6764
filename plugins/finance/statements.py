"""Reading bank statements and settlement reports into statement lines.

Three statement formats, one set of columns (:data:`STATEMENT_COLUMNS`) the
statement importer reads, whatever the file:

- **OFX** (:func:`ofx_sheet`), read with ``ofxtools``: OFX 1.x (SGML, as
  Brazilian banks export it, usually in Windows-1252/latin-1) and OFX 2.x
  (XML). Each ``STMTTRN`` is a line: ``DTPOSTED``, ``TRNAMT``, ``FITID``,
  ``MEMO`` (or ``NAME``), ``CHECKNUM``/``REFNUM`` as the reference; the
  statement's ledger balance (``LEDGERBAL``) goes on its last line.
- **CSV** (:func:`csv_sheet`), read by the import framework's reader, its
  columns named by the account's mapping (``BankAccount.csv_mapping``).
- **CNAB 240 retorno** (:func:`cnab_sheet`, Banco do Brasil's cobrança
  retorno of :mod:`plugins.finance.cnab`): each paid título is a credit line
  (reference: the nosso número; gross: the face value; fee: the tariff).

Every line has a :func:`fingerprint`: the same movement read twice (the
same file imported again, or an overlapping statement) is found and not
stored again.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plugins.finance.cnab import Occurrence, retorno_sheet
from plugins.importing.base import Column
from plugins.importing.errors import FileProblem
from plugins.importing.reader import Limits, Sheet, megabytes, read_sheet

#: The columns every statement format is read into.
STATEMENT_COLUMNS = (
    Column("date", gettext_lazy("date of the movement"), required=True),
    Column(
        "amount",
        gettext_lazy("amount"),
        help_text=gettext_lazy("credits positive, debits negative"),
    ),
    Column("credit", gettext_lazy("credit (a CSV with separate columns)")),
    Column("debit", gettext_lazy("debit (a CSV with separate columns)")),
    Column("description", gettext_lazy("description")),
    Column("reference", gettext_lazy("the bank's reference of the movement")),
    Column("fitid", gettext_lazy("the bank's unique id of the movement (OFX)")),
    Column("balance", gettext_lazy("balance after the movement")),
    Column("gross", gettext_lazy("gross amount (CNAB: the face value)")),
    Column("fee", gettext_lazy("fee (CNAB: the tariff)")),
    Column("occurrence", gettext_lazy("what the bank says of the boleto (CNAB)")),
)
STATEMENT_COLUMN_NAMES = [column.name for column in STATEMENT_COLUMNS]

OFX_FILE_TYPES = (".ofx",)
CSV_FILE_TYPES = (".csv", ".txt")
CNAB_FILE_TYPES = (".ret", ".txt", ".cnab")


def _row(**cells) -> list:
    return [cells.get(name) for name in STATEMENT_COLUMN_NAMES]


# -- numbers and dates ---------------------------------------------------------

_NUMBER_JUNK = re.compile(r"[\sR$\u00a0]")


def parse_amount(value, decimal: str = ",") -> Decimal:
    """An amount as a bank writes it in a statement: ``1.234,56`` (or
    ``1,234.56`` with ``decimal="."``), a leading or trailing minus sign,
    ``(12,00)`` or a trailing ``D`` for a debit and ``C`` for a credit.
    ``decimal="auto"`` (OFX) takes the last of a point or a comma as the
    decimal mark.
    ``ValueError`` for anything else."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = _NUMBER_JUNK.sub("", str(value or ""))
    if not text:
        raise ValueError(value)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text[-1:].upper() in ("D", "C"):
        negative, text = text[-1].upper() == "D", text[:-1]
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    if decimal == "auto":
        # OFX: a point, or a comma as some banks write it (the spec allows
        # either as the decimal mark, and no thousands separator)
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
    thousands = "." if decimal == "," else ","
    pattern = rf"(\d{{1,3}}(\{thousands}\d{{3}})+|\d+)(\{decimal}\d{{1,2}})?"
    if not re.fullmatch(pattern, text):
        raise ValueError(value)
    text = text.replace(thousands, "").replace(decimal, ".")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above
        raise ValueError(value) from exc
    return -number if negative else number


def parse_date(value, date_format: str = "%d/%m/%Y") -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    return datetime.datetime.strptime(text, date_format).date()  # noqa: DTZ007


# -- fingerprints --------------------------------------------------------------


def fingerprint(account_id: int, source: str, *parts) -> str:
    """The line's identity within its account: a SHA-256 of the account,
    the source and ``parts`` (the bank's id of the movement when it has one;
    otherwise date, amount, reference, description and the occurrence of
    these values within the file)."""
    text = "\x1f".join([str(account_id), source, *(str(p) for p in parts)])
    return hashlib.sha256(text.encode()).hexdigest()


# -- OFX -----------------------------------------------------------------------


def _ofx_tree(data: bytes):
    from ofxtools.Parser import OFXTree

    def parse(content: bytes):
        tree = OFXTree()
        tree.parse(io.BytesIO(content))
        return tree.getroot()

    try:
        return parse(data)
    except UnicodeDecodeError:
        # An SGML header that promises ASCII or UTF-8 over latin-1 text (as
        # many banks write it): read as Windows-1252, a superset of latin-1.
        fixed = re.sub(rb"(?m)^CHARSET:.*$", b"CHARSET:1252", data[:1024])
        fixed = re.sub(rb"(?m)^ENCODING:.*$", b"ENCODING:USASCII", fixed)
        try:
            return parse(fixed + data[1024:])
        except Exception as exc:  # noqa: BLE001 - any parser error: not OFX
            raise _not_ofx() from exc
    except Exception as exc:  # noqa: BLE001 - ofxtools raises many kinds
        raise _not_ofx() from exc


def _not_ofx() -> FileProblem:
    return FileProblem(
        _(
            "The file is not an OFX statement (or it is damaged): export the "
            "statement from the bank again in the OFX format (Money/Quicken)."
        )
    )


def _text(element, tag: str) -> str:
    found = element.find(tag)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


def _ofx_date(text: str):
    """``DTPOSTED`` as the bank's own day: the first eight digits, whatever
    the time and time zone after them."""
    try:
        return datetime.datetime.strptime(text[:8], "%Y%m%d").date()  # noqa: DTZ007
    except ValueError:
        return text or None


def ofx_sheet(data: bytes, *, limits: Limits) -> Sheet:
    """An OFX statement as rows of :data:`STATEMENT_COLUMNS`, numbered by
    the order of the transactions in the file (the first is 1)."""
    _check_size(data, limits)
    if not data.lstrip()[:200].upper().count(b"OFX"):
        raise _not_ofx()
    root = _ofx_tree(data)
    statements = root.findall(".//STMTRS") + root.findall(".//CCSTMTRS")
    if not statements:
        raise FileProblem(
            _("The OFX file has no bank statement (no STMTRS): is it a statement?")
        )
    rows = []
    for statement in statements:
        lines = []
        for trn in statement.findall(".//STMTTRN"):
            memo = _text(trn, "MEMO")
            name = _text(trn, "NAME")
            description = " · ".join(part for part in (name, memo) if part)
            lines.append(
                _row(
                    date=_ofx_date(_text(trn, "DTPOSTED")),
                    amount=_text(trn, "TRNAMT") or None,
                    description=description or _text(trn, "TRNTYPE"),
                    reference=_text(trn, "CHECKNUM") or _text(trn, "REFNUM"),
                    fitid=_text(trn, "FITID"),
                )
            )
        ledger = statement.find("LEDGERBAL")
        if lines and ledger is not None and _text(ledger, "BALAMT"):
            lines[-1][STATEMENT_COLUMN_NAMES.index("balance")] = _text(ledger, "BALAMT")
        rows.extend(lines)
    _check_rows(rows, limits)
    return Sheet(
        "ofx",
        list(STATEMENT_COLUMN_NAMES),
        ((number, cells) for number, cells in enumerate(rows, start=1)),
    )


# -- CSV with the account's mapping -------------------------------------------


def csv_sheet(data: bytes, *, name: str, limits: Limits, mapping: dict) -> Sheet:
    """A bank's CSV (read by the framework's reader: UTF-8 or Windows-1252,
    comma or semicolon) as rows of :data:`STATEMENT_COLUMNS`, through the
    account's column mapping."""
    if not mapping.get("date"):
        raise FileProblem(
            _(
                "This bank account has no CSV column mapping: a finance manager "
                "sets it on the account's page (which column holds the date, the "
                "amount, the description)."
            )
        )
    sheet = read_sheet(data, name=name, limits=limits)
    header = [str(cell or "").strip().lower() for cell in sheet.header]
    positions = {}
    missing = []
    for key in ("date", "amount", "credit", "debit", "description", "reference"):
        column = (mapping.get(key) or "").strip()
        if not column:
            continue
        if column.lower() not in header:
            missing.append(column)
        else:
            positions[key] = header.index(column.lower())
    balance = (mapping.get("balance") or "").strip()
    if balance and balance.lower() in header:
        positions["balance"] = header.index(balance.lower())
    if missing:
        raise FileProblem(
            _(
                "The file has no column %(missing)s of the account's mapping. "
                "Its columns: %(columns)s."
            )
            % {
                "missing": ", ".join(f"“{m}”" for m in missing),
                "columns": ", ".join(str(c) for c in sheet.header),
            }
        )

    def rows():
        for number, cells in sheet.rows:
            values = {
                key: cells[index] if index < len(cells) else None
                for key, index in positions.items()
            }
            yield number, _row(**values)

    return Sheet(
        "csv",
        list(STATEMENT_COLUMN_NAMES),
        rows(),
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
    )


# -- CNAB 240 retorno ----------------------------------------------------------


def cnab_sheet(data: bytes, *, name: str, limits: Limits) -> Sheet:
    """A CNAB 240 retorno as rows of :data:`STATEMENT_COLUMNS`, numbered by
    the line of each título's segment T. Every título is a row (the import
    applies its outcome to the boleto); only paid ones become lines."""
    retorno = retorno_sheet(data, name=name, limits=limits)
    names = retorno.header

    def rows():
        for number, cells in retorno.rows:
            values = dict(zip(names, cells, strict=False))
            occurrence = values["occurrence"]
            paid = occurrence == Occurrence.PAID
            net = values["net_amount"] or (values["amount_paid"] - values["fee"])
            description = " · ".join(
                part for part in (values["movement"], values["payer_name"]) if part
            )
            yield (
                number,
                _row(
                    date=values["credit_date"]
                    or values["payment_date"]
                    or values["due_date"],
                    amount=net if paid else Decimal("0.00"),
                    description=description,
                    reference=values["nosso_numero"],
                    fitid=f"{values['nosso_numero']}:{occurrence}",
                    gross=values["face_value"],
                    fee=values["fee"],
                    occurrence=occurrence,
                ),
            )

    return Sheet("cnab240", list(STATEMENT_COLUMN_NAMES), rows(), encoding="ascii")


# -- limits --------------------------------------------------------------------


def _check_size(data: bytes, limits: Limits) -> None:
    if not data or not data.strip():
        raise FileProblem(_("The file is empty."))
    if len(data) > limits.max_bytes:
        raise FileProblem(
            _("The file has %(size)s, more than the %(limit)s allowed.")
            % {"size": megabytes(len(data)), "limit": megabytes(limits.max_bytes)}
        )


def _check_rows(rows: list, limits: Limits) -> None:
    if len(rows) > limits.max_rows:
        raise FileProblem(
            _("The file has more than %(limit)s rows.")
            % {"limit": f"{limits.max_rows:,}".replace(",", ".")}
        )
