"""Pix BR Codes ("Pix copia e cola"): build, read back and draw them.

A BR Code is the text behind a Pix QR code: EMV QR Code "Merchant Presented
Mode" fields written as TLV (two-digit tag, two-digit length, value), closed
by a CRC16 of everything before it. The rules followed here are those of the
Banco Central do Brasil's *Manual de Padrões para Iniciação do Pix*:

- ``00`` payload format ``01``, first; ``01`` point of initiation ``12`` when
  the code may be paid only once (absent: reusable);
- ``26`` Pix merchant account: ``00`` GUI ``br.gov.bcb.pix``, then ``01`` the
  Pix key and optionally ``02`` a message to the payer (a **static** code),
  or ``25`` the location URL without ``https://`` whose payload the payer's
  bank fetches (a **dynamic** code, where amount and txid live at the URL);
- ``52`` merchant category ``0000``, ``53`` currency ``986`` (BRL), ``54`` the
  amount (optional, static only), ``58`` country ``BR``, ``59`` merchant name
  (1–25), ``60`` merchant city (1–15), ``62``/``05`` the txid (up to 25
  letters and digits, ``***`` when there is none; always ``***`` in dynamic
  codes);
- ``63`` CRC16-CCITT-FALSE (polynomial 0x1021, initial 0xFFFF) over the whole
  payload including ``6304``, in four upper-case hex digits.

Texts are folded to ASCII ("São Paulo" → "Sao Paulo") because the lengths of
the TLV fields count characters and banks' readers expect plain ASCII; upper
and lower case are both allowed. Pix keys are checked the way the DICT
registers them (:func:`parse_pix_key`). Invalid input is refused with an
error saying what is wrong; nothing is truncated or guessed.
"""

from __future__ import annotations

import binascii
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

import segno
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from stdnum.br import cnpj, cpf

from plugins.exceptions import RetaguardaError

GUI = "br.gov.bcb.pix"
CURRENCY_BRL = "986"
COUNTRY = "BR"
NO_TXID = "***"
MERCHANT_NAME_MAX = 25
MERCHANT_CITY_MAX = 15
TXID_MAX = 25
KEY_MAX = 77
URL_MAX = 77

_TXID = re.compile(r"[A-Za-z0-9]{1,25}", re.ASCII)
_PHONE = re.compile(r"\+55[1-9]{2}\d{8,9}", re.ASCII)
_EVP = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,2})?", re.ASCII)
_HEAD = re.compile(r"\d{4}", re.ASCII)
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


class PixError(RetaguardaError, ValueError):
    """Base of the errors of this module (a bad request: HTTP 400)."""

    status = 400
    code = "pix-invalid"


class InvalidPixKey(PixError):
    """The text is not a Pix key (CPF, CNPJ, e-mail, +55 phone or EVP)."""

    code = "pix-key-invalid"


class InvalidBRCode(PixError):
    """A BR Code cannot be built from the given data, or a text read as one
    is malformed."""

    code = "br-code-invalid"


class BRCodeChecksumMismatch(InvalidBRCode):
    """The CRC at the end does not match the payload: mistyped or altered."""

    code = "br-code-checksum"


class PixKeyType(StrEnum):
    CPF = "cpf"
    CNPJ = "cnpj"
    EMAIL = "email"
    PHONE = "phone"
    EVP = "evp"


@dataclass(frozen=True)
class PixKey:
    """A Pix key as it goes into a BR Code (no punctuation, e-mail and EVP in
    lower case)."""

    type: PixKeyType
    value: str


@dataclass(frozen=True)
class BRCode:
    """The fields read from a BR Code by :func:`parse_br_code`."""

    merchant_name: str
    merchant_city: str
    key: str | None = None
    url: str | None = None
    amount: Decimal | None = None
    txid: str = NO_TXID
    description: str | None = None
    single_use: bool = False
    merchant_category_code: str = "0000"
    postal_code: str | None = None

    @property
    def is_dynamic(self) -> bool:
        """A dynamic code points to a location URL instead of carrying a key."""
        return self.url is not None


def parse_pix_key(text: str) -> PixKey:
    """Recognise a Pix key and return it in the form a BR Code carries.

    - an e-mail (has "@"): at most 77 characters, lower-cased;
    - a phone: "+55", the two-digit area code and 8 or 9 digits; spaces,
      dashes and parentheses are dropped. Without "+55" eleven digits are
      read as a CPF, as the DICT does;
    - a random key (EVP): a UUID, lower-cased (its version digit is not
      checked: the Banco Central's own example is not an RFC 4122 UUID);
    - a CPF (11 digits) or CNPJ (14 characters, the alphanumeric CNPJ
      included), with or without punctuation, check digits verified.

    Raises :class:`InvalidPixKey` saying which rule failed.
    """
    text = (text or "").strip()
    if not text:
        raise InvalidPixKey(_("Enter a Pix key."))
    if "@" in text:
        email = text.lower()
        try:
            EmailValidator()(email)
        except ValidationError:
            raise InvalidPixKey(
                _("“%(key)s” is not a valid e-mail Pix key.") % {"key": text}
            ) from None
        if len(email) > KEY_MAX:
            raise InvalidPixKey(
                _("An e-mail Pix key has at most %(max)s characters.")
                % {"max": KEY_MAX}
            )
        return PixKey(PixKeyType.EMAIL, email)
    if text.startswith("+"):
        phone = re.sub(r"[\s().-]", "", text)
        if not _PHONE.fullmatch(phone):
            raise InvalidPixKey(
                _(
                    "“%(key)s” is not a valid phone Pix key: use +55, the area "
                    "code and the number, e.g. +5511987654321."
                )
                % {"key": text}
            )
        return PixKey(PixKeyType.PHONE, phone)
    if _EVP.fullmatch(text.lower()):
        return PixKey(PixKeyType.EVP, text.lower())
    document = re.sub(r"[\s./-]", "", text).upper()
    if len(document) == 11 and document.isdigit():
        if not cpf.is_valid(document):
            raise InvalidPixKey(_("“%(key)s” is not a valid CPF.") % {"key": text})
        return PixKey(PixKeyType.CPF, document)
    if len(document) == 14:
        if not cnpj.is_valid(document):
            raise InvalidPixKey(_("“%(key)s” is not a valid CNPJ.") % {"key": text})
        return PixKey(PixKeyType.CNPJ, document)
    raise InvalidPixKey(
        _(
            "“%(key)s” is not a Pix key: enter a CPF, a CNPJ, an e-mail, a phone "
            "starting with +55 or a random key."
        )
        % {"key": text}
    )


def crc16(payload: str) -> str:
    """CRC16-CCITT-FALSE of ``payload`` as four upper-case hex digits.

    ``binascii.crc_hqx`` is the CCITT CRC (polynomial 0x1021) with the
    initial value given, here 0xFFFF, as the BR Code requires.
    """
    return f"{binascii.crc_hqx(payload.encode('ascii'), 0xFFFF):04X}"


def _ascii_text(text: str, *, field: str, maximum: int) -> str:
    """Fold accents away, collapse spaces and check the length."""
    folded = unicodedata.normalize("NFKD", text or "")
    folded = folded.encode("ascii", "ignore").decode("ascii")
    folded = " ".join(folded.split())
    if not folded or not _PRINTABLE.fullmatch(folded):
        raise InvalidBRCode(_("Enter the %(field)s.") % {"field": field})
    if len(folded) > maximum:
        raise InvalidBRCode(
            _("The %(field)s has at most %(max)s characters (“%(value)s”).")
            % {"field": field, "max": maximum, "value": folded}
        )
    return folded


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise InvalidBRCode(
            _("Field %(tag)s of the BR Code would exceed 99 characters.") % {"tag": tag}
        )
    return f"{tag}{len(value):02d}{value}"


def _amount_text(amount: Decimal) -> str:
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidBRCode(_("The amount is not a number.")) from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidBRCode(_("The amount must be greater than zero."))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidBRCode(_("The amount has more than two decimal places."))
    text = f"{amount:.2f}"
    if not _AMOUNT.fullmatch(text):
        raise InvalidBRCode(_("The amount is too large for a BR Code."))
    return text


def _location(url: str) -> str:
    location = (url or "").strip()
    if location.lower().startswith("https://"):
        location = location[len("https://") :]
    if (
        not location
        or len(location) > URL_MAX
        or not _PRINTABLE.fullmatch(location)
        or " " in location
        or "://" in location
    ):
        raise InvalidBRCode(
            _(
                "The location URL must be an https address of at most %(max)s "
                "characters."
            )
            % {"max": URL_MAX}
        )
    return location


def build_br_code(
    *,
    merchant_name: str,
    merchant_city: str,
    key: str | None = None,
    url: str | None = None,
    amount: Decimal | None = None,
    txid: str | None = None,
    description: str | None = None,
    single_use: bool = False,
) -> str:
    """Return the BR Code ("copia e cola") text of a Pix charge.

    Give ``key`` for a static code (optionally with ``amount``, ``txid`` and a
    ``description`` shown to the payer) or ``url`` for a dynamic code (the
    location of the charge at the PSP; amount and txid are served there).
    ``single_use`` writes point of initiation ``12``: the code may be paid
    once. Raises :class:`InvalidPixKey` or :class:`InvalidBRCode`.
    """
    if (key is None) == (url is None):
        raise InvalidBRCode(
            _(
                "A BR Code needs either a Pix key (static code) or a location "
                "URL (dynamic code)."
            )
        )
    account = _tlv("00", GUI)
    if key is not None:
        account += _tlv("01", parse_pix_key(key).value)
        if description:
            account += _tlv(
                "02", _ascii_text(description, field=_("description"), maximum=99)
            )
        reference = NO_TXID if txid in (None, "", NO_TXID) else txid
        if reference != NO_TXID and not _TXID.fullmatch(reference):
            raise InvalidBRCode(
                _("The txid has 1 to %(max)s letters and digits, nothing else.")
                % {"max": TXID_MAX}
            )
    else:
        if amount is not None or description or txid not in (None, "", NO_TXID):
            raise InvalidBRCode(
                _(
                    "A dynamic BR Code carries no amount, txid or description: "
                    "they are served at its location URL."
                )
            )
        account += _tlv("25", _location(url or ""))
        reference = NO_TXID
    if len(account) > 99:
        raise InvalidBRCode(
            _("The Pix key and the description do not fit together in a BR Code.")
        )
    payload = _tlv("00", "01")
    if single_use:
        payload += _tlv("01", "12")
    payload += _tlv("26", account) + _tlv("52", "0000") + _tlv("53", CURRENCY_BRL)
    if amount is not None:
        payload += _tlv("54", _amount_text(amount))
    payload += _tlv("58", COUNTRY)
    payload += _tlv(
        "59",
        _ascii_text(merchant_name, field=_("merchant name"), maximum=MERCHANT_NAME_MAX),
    )
    payload += _tlv(
        "60",
        _ascii_text(merchant_city, field=_("merchant city"), maximum=MERCHANT_CITY_MAX),
    )
    payload += _tlv("62", _tlv("05", reference)) + "6304"
    return payload + crc16(payload)


def _read_tlv(text: str) -> dict[str, str]:
    """Split TLV text into ``{tag: value}``, refusing cut or repeated fields."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        head = text[position : position + 4]
        if not _HEAD.fullmatch(head):
            raise InvalidBRCode(
                _(
                    "Malformed BR Code: a two-digit tag and length were expected "
                    "at character %(position)s."
                )
                % {"position": position + 1}
            )
        tag, length = head[:2], int(head[2:])
        value = text[position + 4 : position + 4 + length]
        if len(value) != length:
            raise InvalidBRCode(
                _("Malformed BR Code: field %(tag)s is cut short.") % {"tag": tag}
            )
        if tag in fields:
            raise InvalidBRCode(
                _("Malformed BR Code: field %(tag)s appears twice.") % {"tag": tag}
            )
        fields[tag] = value
        position += 4 + length
    return fields


def _required(fields: dict[str, str], tag: str, name: str) -> str:
    value = fields.get(tag, "")
    if not value:
        raise InvalidBRCode(
            _("The BR Code has no %(field)s (field %(tag)s).")
            % {"field": name, "tag": tag}
        )
    return value


def _pix_account(fields: dict[str, str]) -> dict[str, str]:
    """The merchant account template (tags 26–51) whose GUI is Pix's."""
    for tag in sorted(fields):
        if "26" <= tag <= "51":
            account = _read_tlv(fields[tag])
            if account.get("00", "").lower() == GUI:
                return account
    raise InvalidBRCode(_("This BR Code is not a Pix payment code."))


def parse_br_code(text: str) -> BRCode:
    """Read a BR Code back into its fields, checking its structure and CRC.

    Leading and trailing whitespace (a pasted line break) is ignored. Raises
    :class:`BRCodeChecksumMismatch` when the CRC does not match and
    :class:`InvalidBRCode` for any other malformed or non-Pix content.
    """
    text = (text or "").strip()
    if not text:
        raise InvalidBRCode(_("Paste the Pix code."))
    if not _PRINTABLE.fullmatch(text):
        raise InvalidBRCode(
            _("Malformed BR Code: it has characters other than plain ASCII.")
        )
    fields = _read_tlv(text)
    if list(fields)[-1] != "63" or len(fields["63"]) != 4:
        raise InvalidBRCode(_("Malformed BR Code: it must end with its CRC (6304)."))
    if crc16(text[:-4]) != text[-4:].upper():
        raise BRCodeChecksumMismatch(
            _("The BR Code's check digits do not match: it was mistyped or altered.")
        )
    if list(fields)[0] != "00" or fields["00"] != "01":
        raise InvalidBRCode(
            _("Malformed BR Code: it must start with the payload format 000201.")
        )
    initiation = fields.get("01")
    if initiation not in (None, "11", "12"):
        raise InvalidBRCode(
            _("Unknown point of initiation method “%(value)s”.") % {"value": initiation}
        )
    account = _pix_account(fields)
    key, url = account.get("01"), account.get("25")
    if (key is None) == (url is None):
        raise InvalidBRCode(
            _("A Pix BR Code has either a Pix key or a location URL, not both.")
        )
    if key is not None:
        try:
            parse_pix_key(key)
        except InvalidPixKey as error:
            raise InvalidBRCode(error.message) from error
    if _required(fields, "53", _("currency")) != CURRENCY_BRL:
        raise InvalidBRCode(_("A Pix BR Code is in reais (currency 986)."))
    if _required(fields, "58", _("country")) != COUNTRY:
        raise InvalidBRCode(_("A Pix BR Code has country BR."))
    category = _required(fields, "52", _("merchant category"))
    name = _required(fields, "59", _("merchant name"))
    city = _required(fields, "60", _("merchant city"))
    if len(name) > MERCHANT_NAME_MAX or len(city) > MERCHANT_CITY_MAX:
        raise InvalidBRCode(_("The merchant name or city is too long."))
    amount = None
    if "54" in fields:
        if not _AMOUNT.fullmatch(fields["54"]) or Decimal(fields["54"]) <= 0:
            raise InvalidBRCode(
                _("Malformed BR Code: “%(value)s” is not an amount.")
                % {"value": fields["54"]}
            )
        amount = Decimal(fields["54"])
    additional = _read_tlv(_required(fields, "62", _("additional data")))
    txid = _required(additional, "05", _("txid"))
    if txid != NO_TXID and not _TXID.fullmatch(txid):
        raise InvalidBRCode(
            _("Malformed BR Code: “%(value)s” is not a txid.") % {"value": txid}
        )
    return BRCode(
        merchant_name=name,
        merchant_city=city,
        key=key,
        url=url,
        amount=amount,
        txid=txid,
        description=account.get("02"),
        single_use=initiation == "12",
        merchant_category_code=category,
        postal_code=fields.get("61"),
    )


def _qr(payload: str) -> segno.QRCode:
    parse_br_code(payload)
    return segno.make_qr(payload, error="m")


def br_code_svg(payload: str, *, scale: int = 4) -> bytes:
    """The QR code of a BR Code as an SVG document (the payload is checked
    with :func:`parse_br_code` first: a broken code is never drawn)."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="svg", scale=scale)
    return buffer.getvalue()


def br_code_png(payload: str, *, scale: int = 8) -> bytes:
    """The QR code of a BR Code as a PNG image (checked like
    :func:`br_code_svg`)."""
    buffer = io.BytesIO()
    _qr(payload).save(buffer, kind="png", scale=scale)
    return buffer.getvalue()
