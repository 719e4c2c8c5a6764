"""The DANFE: a PDF rendered from the authorised XML."""

import io
import re

import pytest
from pypdf import PdfReader

from plugins.fiscal.danfe import NoDanfe, render_danfe

from .conftest import AUGUST_2018, make_nfe, sample_xml


def pdf_text(content: bytes) -> str:
    return "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(content)).pages
    )


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_the_danfe_is_a_pdf_with_the_access_key(authorised_nfe):
    pdf = render_danfe(authorised_nfe)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    # printed in groups of four digits
    assert authorised_nfe.access_key in digits(text)
    assert "DANFE" in text


def test_a_homologation_danfe_says_it_has_no_fiscal_value(authorised_nfe):
    assert authorised_nfe.environment == "2"
    assert "SEM VALOR FISCAL" in pdf_text(render_danfe(authorised_nfe))


def test_a_production_danfe_has_no_such_mark(fiscal_emitter):
    document = make_nfe(sample_xml(AUGUST_2018[1]), emitter=fiscal_emitter)
    assert document.environment == "1"
    assert "SEM VALOR FISCAL" not in pdf_text(render_danfe(document))


def test_a_cancelled_nfe_prints_cancelled(authorised_nfe):
    authorised_nfe.status = "cancelled"
    assert "CANCELADA" in pdf_text(render_danfe(authorised_nfe))


@pytest.mark.parametrize("status", ["draft", "signed", "sent", "rejected"])
def test_no_danfe_without_authorisation(authorised_nfe, status):
    authorised_nfe.status = status
    with pytest.raises(NoDanfe):
        render_danfe(authorised_nfe)
