"""Pix BR Codes: published examples, round trips, key rules and the QR image."""

import io
import random
import string
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation
from PIL import Image

from plugins.finance.pix import (
    BRCode,
    BRCodeChecksumMismatch,
    InvalidBRCode,
    InvalidPixKey,
    PixKeyType,
    br_code_png,
    br_code_svg,
    build_br_code,
    crc16,
    parse_br_code,
    parse_pix_key,
)

# The example of the Banco Central's "Manual de Padrões para Iniciação do Pix".
BCB_STATIC = (
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
)
# A dynamic code annotated field by field in a public gist (matheusb-comp,
# "Exemplos de formato PIX", sections 6.1/6.2 of the manual).
GIST_DYNAMIC = (
    "00020101021226770014BR.GOV.BCB.PIX2555pix.example.com/qr/"
    "93598be0-1bd0-4997-8318-81776a1d8a995204000053039865802BR5907EMPRESA"
    "6009SAO PAULO62070503***6304EEAB"
)
# The static code of the same gist: its CRC 170E was computed over a field 62
# that declares 8 characters but holds 7 ("0503***"), so it is malformed.
GIST_STATIC_MISLENGTHED = (
    "00020126360014BR.GOV.BCB.PIX0114+5511943214321520400005303986"
    "540566.665802BR5907EMPRESA6008BRASILIA62080503***6304170E"
)


def test_crc_reproduces_the_published_examples():
    for code in (BCB_STATIC, GIST_DYNAMIC, GIST_STATIC_MISLENGTHED):
        assert crc16(code[:-4]) == code[-4:]


def test_building_the_central_bank_example_gives_it_back_exactly():
    code = build_br_code(
        key="123e4567-e12b-12d1-a456-426655440000",
        merchant_name="Fulano de Tal",
        merchant_city="BRASILIA",
    )
    assert code == BCB_STATIC


def test_building_the_dynamic_example_gives_it_back_exactly():
    code = build_br_code(
        url="https://pix.example.com/qr/93598be0-1bd0-4997-8318-81776a1d8a99",
        merchant_name="EMPRESA",
        merchant_city="SAO PAULO",
        single_use=True,
    )
    # the gist writes the GUI in upper case; everything else is identical
    assert code.replace("br.gov.bcb.pix", "BR.GOV.BCB.PIX")[:-4] == GIST_DYNAMIC[:-4]
    assert parse_br_code(code) == parse_br_code(GIST_DYNAMIC)


def test_parsing_the_central_bank_example():
    assert parse_br_code(BCB_STATIC) == BRCode(
        merchant_name="Fulano de Tal",
        merchant_city="BRASILIA",
        key="123e4567-e12b-12d1-a456-426655440000",
    )


def test_parsing_a_dynamic_code():
    code = parse_br_code(GIST_DYNAMIC)
    assert code.is_dynamic
    assert code.url == "pix.example.com/qr/93598be0-1bd0-4997-8318-81776a1d8a99"
    assert code.key is None and code.amount is None and code.txid == "***"
    assert code.single_use


def test_a_field_longer_than_what_follows_it_is_refused():
    with pytest.raises(InvalidBRCode, match="cut short"):
        parse_br_code(GIST_STATIC_MISLENGTHED)


def test_a_pasted_line_break_is_ignored_and_the_crc_may_be_lower_case():
    assert parse_br_code(BCB_STATIC[:-4] + "1d3d\n") == parse_br_code(BCB_STATIC)


@pytest.mark.parametrize("position", [30, 70, 95, 120])
def test_any_altered_character_breaks_the_checksum(position):
    original = BCB_STATIC[position]
    altered = "7" if original != "7" else "8"
    if not original.isdigit():
        altered = "x" if original != "x" else "y"
    code = BCB_STATIC[:position] + altered + BCB_STATIC[position + 1 :]
    with pytest.raises(InvalidBRCode):
        parse_br_code(code)


def test_a_changed_amount_with_a_consistent_structure_is_a_checksum_mismatch():
    code = build_br_code(
        key="+5511987654321", merchant_name="Loja", merchant_city="Recife", amount=10
    )
    tampered = code.replace("540510.00", "540590.00")
    with pytest.raises(BRCodeChecksumMismatch):
        parse_br_code(tampered)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste"),
        ("hello", "two-digit tag"),
        ("000201", "end with its CRC"),
        ("0002010002016304", "appears twice"),
        (BCB_STATIC.replace("Tal", "Tál"), "ASCII"),
    ],
)
def test_malformed_text_is_refused_with_a_reason(text, message):
    with pytest.raises(InvalidBRCode, match=message):
        parse_br_code(text)


def _with_crc(payload: str) -> str:
    return payload + crc16(payload)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        # a card scheme's template, no Pix GUI
        (
            "000201261800141234567890123452040000530398658"
            "02BR5901A6001B62070503***6304",
            "not a Pix",
        ),
        # US dollars
        (
            "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
            "5204000053038405802BR5901A6001B62070503***6304",
            "986",
        ),
        # no merchant name
        (
            "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
            "5204000053039865802BR6001B62070503***6304",
            "merchant name",
        ),
        # an amount of zero
        (
            "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
            "52040000530398654040.005802BR5901A6001B62070503***6304",
            "not an amount",
        ),
        # a key that is not a Pix key
        (
            "00020126320014br.gov.bcb.pix0110123456789052040000530398658"
            "02BR5901A6001B62070503***6304",
            "not a Pix key",
        ),
        # payload format missing from the start
        (
            "26580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
            "5204000053039865802BR5901A6001B62070503***6304",
            "payload format",
        ),
    ],
)
def test_well_formed_but_invalid_codes_are_refused(payload, message):
    with pytest.raises(InvalidBRCode, match=message):
        parse_br_code(_with_crc(payload))


def test_the_error_messages_are_translated():
    with translation.override("pt-br"), pytest.raises(BRCodeChecksumMismatch) as error:
        parse_br_code(BCB_STATIC[:-4] + "0000")
    assert "não conferem" in str(error.value)


def test_amount_txid_and_description_are_written_and_read_back():
    code = build_br_code(
        key="fulano@example.com",
        merchant_name="Padaria São João",
        merchant_city="São Paulo",
        amount=Decimal("1234.5"),
        txid="PEDIDO1234",
        description="Pedido 1234 - pão de queijo",
    )
    assert "54071234.50" in code
    assert "5916Padaria Sao Joao" in code and "6009Sao Paulo" in code
    assert parse_br_code(code) == BRCode(
        merchant_name="Padaria Sao Joao",
        merchant_city="Sao Paulo",
        key="fulano@example.com",
        amount=Decimal("1234.50"),
        txid="PEDIDO1234",
        description="Pedido 1234 - pao de queijo",
    )


def _random_input(rng: random.Random) -> dict:
    def pick(alphabet: str, k: int) -> str:
        return "".join(rng.choices(alphabet, k=k))

    keys = [
        "+55" + rng.choice("123456789") * 2 + "9" + pick(string.digits, 8),
        "pessoa." + pick(string.ascii_lowercase, 6) + "@exemplo.com.br",
        "123e4567-e12b-12d1-a456-" + pick("0123456789abcdef", 12),
        "52998224725",  # a valid CPF
        "11222333000181",  # a valid CNPJ
        "12ABC34501DE35",  # a valid alphanumeric CNPJ
    ]
    letters = string.ascii_letters + "çãéü  "
    result = {
        "key": rng.choice(keys),
        "merchant_name": "".join(rng.choices(letters, k=rng.randint(1, 25))).strip()
        or "Loja",
        "merchant_city": "".join(rng.choices(letters, k=rng.randint(1, 15))).strip()
        or "Natal",
        "single_use": rng.random() < 0.3,
    }
    if rng.random() < 0.7:
        result["amount"] = Decimal(rng.randint(1, 10**9)) / 100
    if rng.random() < 0.5:
        result["txid"] = "".join(
            rng.choices(string.ascii_letters + string.digits, k=rng.randint(1, 25))
        )
    if rng.random() < 0.3:
        result["description"] = "".join(rng.choices(letters, k=rng.randint(1, 20)))
    return result


def test_round_trip_of_many_generated_codes():
    rng = random.Random(20250222)
    for _ in range(500):
        given = _random_input(rng)
        try:
            code = build_br_code(**given)
        except InvalidBRCode as error:
            # only the folding of a name or city to nothing, or a key and a
            # description too long together, may refuse generated input
            assert "Enter the" in str(error) or "fit together" in str(error)
            continue
        read = parse_br_code(code)
        assert read.key == parse_pix_key(given["key"]).value
        assert read.amount == given.get("amount")
        assert read.txid == given.get("txid", "***")
        assert read.single_use == given["single_use"]
        assert read.merchant_name == " ".join(read.merchant_name.split())
        assert len(read.merchant_name) <= 25 and len(read.merchant_city) <= 15
        assert crc16(code[:-4]) == code[-4:]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "either a Pix key"),
        ({"key": "52998224725", "url": "pix.example.com/x"}, "either a Pix key"),
        ({"url": "pix.example.com/x", "amount": 10}, "dynamic"),
        ({"url": "pix.example.com/x", "txid": "ABC"}, "dynamic"),
        ({"url": "ftp://pix.example.com/x"}, "https"),
        ({"key": "52998224725", "txid": "PEDIDO-12"}, "txid"),
        ({"key": "52998224725", "txid": "A" * 26}, "txid"),
        ({"key": "52998224725", "amount": Decimal("0")}, "greater than zero"),
        ({"key": "52998224725", "amount": Decimal("1.005")}, "two decimal"),
        ({"key": "52998224725", "amount": Decimal("1e11")}, "too large"),
        ({"key": "52998224725", "merchant_name": "A" * 26}, "at most 25"),
        ({"key": "52998224725", "merchant_city": "Sao Jose dos Campos"}, "15"),
        ({"key": "52998224725", "merchant_name": "   "}, "merchant name"),
        ({"key": "a" * 60 + "@example.com", "description": "x" * 30}, "fit together"),
    ],
)
def test_invalid_input_is_refused(given, message):
    arguments = {"merchant_name": "Loja", "merchant_city": "Natal"} | given
    with pytest.raises(InvalidBRCode, match=message):
        build_br_code(**arguments)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("529.982.247-25", PixKeyType.CPF, "52998224725"),
        ("11.222.333/0001-81", PixKeyType.CNPJ, "11222333000181"),
        ("12.ABC.345/01DE-35", PixKeyType.CNPJ, "12ABC34501DE35"),
        (" Fulano@Example.COM ", PixKeyType.EMAIL, "fulano@example.com"),
        ("+55 (11) 98765-4321", PixKeyType.PHONE, "+5511987654321"),
        ("+556132345678", PixKeyType.PHONE, "+556132345678"),
        (
            "123E4567-E12B-12D1-A456-426655440000",
            PixKeyType.EVP,
            "123e4567-e12b-12d1-a456-426655440000",
        ),
    ],
)
def test_pix_keys_are_recognised_and_normalised(text, kind, value):
    key = parse_pix_key(text)
    assert (key.type, key.value) == (kind, value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter a Pix key"),
        ("529.982.247-24", "not a valid CPF"),
        ("11222333000180", "not a valid CNPJ"),
        ("fulano@", "e-mail"),
        ("a" * 70 + "@example.com", "at most 77"),
        ("+1 202 555 0100", r"\+55"),
        ("+55119876543", r"\+55"),
        ("+5501987654321", r"\+55"),
        ("123e4567-e12b-12d1-a456-42665544000", "not a Pix key"),
        ("hello", "not a Pix key"),
    ],
)
def test_invalid_pix_keys_are_refused(text, message):
    with pytest.raises(InvalidPixKey, match=message):
        parse_pix_key(text)


def test_the_qr_code_is_a_valid_svg_document():
    svg = br_code_svg(BCB_STATIC)
    root = ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path").get("d")


def test_the_qr_code_is_a_png_of_the_symbol_size():
    png = br_code_png(BCB_STATIC, scale=5)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    # a 137-character payload in byte mode at level M needs version 8
    # (49 × 49 modules), plus the 4-module quiet zone on each side
    assert image.size == ((49 + 8) * 5, (49 + 8) * 5)
    assert set(image.convert("L").get_flattened_data()) == {0, 255}


def test_a_broken_code_is_never_drawn():
    with pytest.raises(BRCodeChecksumMismatch):
        br_code_svg(BCB_STATIC[:-4] + "0000")
