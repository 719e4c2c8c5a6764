"""CPF/CNPJ as the Receita Federal issues them (alphanumeric CNPJs since July
2026), all-zero documents, and invisible characters: in the validator, the
store settings screen, the catalog import and the product editor."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import Site

from content.models import Product
from content.models.settings import StoreSettings
from content.validators import (
    format_document,
    is_valid_cnpj,
    is_valid_cpf,
    strip_invisible_characters,
    validate_cep,
    validate_document,
    validate_identifier_text,
)
from tests.content.test_import import csv_bytes, importer  # noqa: F401

INVISIBLE = "Remova os caracteres invisíveis"


def spec_check_digits(base: str) -> str:
    """The two check digits of a CNPJ's first twelve characters, computed as the
    Receita Federal specifies: value = ord(char) - 48, weights 2..9 from the
    right, mod 11 (independently of the validator under test)."""
    values = [ord(char) - 48 for char in base]
    digits = ""
    for _ in range(2):
        weights = [2 + i % 8 for i in range(len(values))][::-1]
        remainder = sum(v * w for v, w in zip(values, weights, strict=True)) % 11
        digit = 0 if remainder < 2 else 11 - remainder
        digits += str(digit)
        values.append(digit)
    return digits


def test_the_receita_federal_example_is_valid():
    assert spec_check_digits("12ABC34501DE") == "35"
    for value in ("12.ABC.345/01DE-35", "12ABC34501DE35", "12.abc.345/01de-35"):
        assert is_valid_cnpj(value), value
        validate_document(value)
    assert format_document("12abc34501de35") == "12.ABC.345/01DE-35"


@pytest.mark.parametrize("base", ["A1B2C3D4E5F6", "ZZ9YY8XX0001", "00ABCDEF0001"])
def test_computed_alphanumeric_cnpjs_are_valid_and_a_wrong_digit_is_not(base):
    digits = spec_check_digits(base)
    assert is_valid_cnpj(base + digits)
    assert is_valid_cnpj((base + digits).lower())
    wrong = f"{digits[0]}{(int(digits[1]) + 1) % 10}"
    assert not is_valid_cnpj(base + wrong)


@pytest.mark.parametrize(
    "value",
    [
        "12.ABC.345/01DE-36",
        "12.ABC.345/01DE-3A",
        "12.ABC.345/01D-35",
        "12.ÀBC.345/01DE-35",
    ],
)
def test_bad_cnpjs_are_invalid(value):
    assert not is_valid_cnpj(value)
    with pytest.raises(ValidationError):
        validate_document(value)


def test_numeric_cnpjs_and_cpfs_still_validate():
    assert is_valid_cnpj("11.222.333/0001-81")
    assert is_valid_cnpj("11222333000181")
    assert is_valid_cpf("529.982.247-25")
    assert format_document("11222333000181") == "11.222.333/0001-81"
    assert format_document("52998224725") == "529.982.247-25"


@pytest.mark.parametrize(
    "value",
    [
        "000.000.000-00",
        "00000000000",
        "00.000.000/0000-00",
        "00000000000000",
        *[str(d) * 11 for d in range(10)],
        *[str(d) * 14 for d in range(10)],
    ],
)
def test_all_zero_and_repeated_documents_are_refused(value):
    with pytest.raises(ValidationError):
        validate_document(value)


def test_cep_00000_000_is_refused():
    validate_cep("01310-100")
    for value in ("00000-000", "00000000"):
        with translation.override("pt-br"), pytest.raises(ValidationError) as error:
            validate_cep(value)
        assert error.value.messages == ["O CEP 00000-000 não existe."]


@pytest.mark.parametrize(
    "char",
    ["\u202a", "\u202e", "\u2066", "\u2069", "\u200b", "\u200f", "\u2060", "\ufeff"],
)
def test_invisible_characters_are_refused_in_identifiers_and_stripped_from_text(char):
    with translation.override("pt-br"), pytest.raises(ValidationError) as error:
        validate_identifier_text(f"CAM{char}-P")
    assert INVISIBLE in error.value.messages[0]
    assert strip_invisible_characters(f"Camiseta{char} azul") == "Camiseta azul"


# -- store settings screen -----------------------------------------------------------


def store_form(**changes):
    data = {
        "store_name": "Loja",
        "cnpj": "",
        "email": "",
        "phone": "",
        "whatsapp": "",
        "address": "",
        "instagram": "",
        "facebook": "",
        "tiktok": "",
        "youtube": "",
        "privacy_policy_page": "",
        "returns_policy_page": "",
        "terms_page": "",
    }
    data.update(changes)
    return data


def post_store_settings(client, superuser, **changes):
    client.force_login(superuser)
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/content/storesettings/{site.pk}/"
    return client.post(url, store_form(**changes))


def test_store_settings_take_an_alphanumeric_cnpj(client, superuser):
    response = post_store_settings(client, superuser, cnpj="12.abc.345/01de-35")
    assert response.status_code == 302
    assert StoreSettings.objects.get().cnpj == "12.ABC.345/01DE-35"


@pytest.mark.parametrize(
    "cnpj", ["12.ABC.345/01DE-36", "00.000.000/0000-00", "12.ABC.345/01DE-3\u200b5"]
)
def test_store_settings_refuse_a_bad_cnpj(client, superuser, cnpj):
    response = post_store_settings(client, superuser, cnpj=cnpj)
    assert response.status_code == 200
    assert response.context["form"].errors["cnpj"]
    assert not StoreSettings.objects.filter(cnpj=cnpj).exists()


def test_store_settings_strip_invisible_characters_from_the_name(client, superuser):
    response = post_store_settings(client, superuser, store_name="Loja\u202e Azul")
    assert response.status_code == 302
    assert StoreSettings.objects.get().store_name == "Loja Azul"


# -- catalog import ------------------------------------------------------------------


def test_the_catalog_import_refuses_a_sku_with_invisible_characters(importer):  # noqa: F811
    data = csv_bytes("vestido;Vestido;;;;VES\u202e-1;;10")
    with translation.override("pt-br"):
        report = importer(data)
    assert not report.committed
    [error] = [e for e in report.errors if e["column"] == "sku"]
    assert INVISIBLE in error["message"]
    assert not Product.objects.filter(slug="vestido").exists()


def test_the_catalog_import_strips_invisible_characters_from_names(importer):  # noqa: F811
    data = csv_bytes(
        "vestido;Vestido\u200b \u202eazul;;;tamanho\u2060;VES-1;P\ufeff;10"
    )
    report = importer(data)
    assert report.committed, report.errors
    product = Product.objects.get(slug="vestido")
    assert product.name == "Vestido azul"
    assert product.option1_name == "tamanho"
    assert product.variants.get().option1 == "P"


# -- product editor ------------------------------------------------------------------


def product_form(user, *, name, sku):
    form_class = Product.snippet_viewset.get_edit_handler().get_form_class()
    data = {
        "name": name,
        "slug": "vestido",
        "short_description": "",
        "description-count": "0",
        "tags": "",
        "option1_name": "",
        "option2_name": "",
        "option3_name": "",
        "seo_title": "",
        "search_description": "",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-sku": sku,
        "variants-0-active": "on",
        "variants-0-price": "10.00",
        "variants-0-origin": "0",
        "variants-0-ORDER": "1",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    return form_class(data=data, instance=Product(), for_user=user)


@pytest.mark.django_db
def test_the_product_editor_strips_invisible_characters_from_the_name(superuser):
    form = product_form(superuser, name="Vestido\u200b \u202eazul", sku="VES-1")
    assert form.is_valid(), (form.errors, form.formsets["variants"].errors)
    product = form.save()
    assert product.name == "Vestido azul"


@pytest.mark.django_db
def test_the_product_editor_refuses_a_sku_with_invisible_characters(superuser):
    form = product_form(superuser, name="Vestido", sku="VES\u2066-1")
    with translation.override("pt-br"):
        assert not form.is_valid()
        errors = form.formsets["variants"].forms[0].errors["sku"]
    assert any(INVISIBLE in message for message in errors)
