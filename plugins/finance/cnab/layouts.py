"""Banco do Brasil's CNAB 240 cobrança records, field by field, as
FEBRABAN's layout and the bank's "particularidades" number them (see the
package's docstring for the file's shape and the bank's choices)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from plugins.finance.cnab.records import ALPHA, DATE, MONEY, NUM, Field, Layout

BANK_CODE = "001"
BANK_NAME = "BANCO DO BRASIL S.A."
FILE_LAYOUT_VERSION = "083"
LOTE_LAYOUT_VERSION = "042"
#: "cobrança cedente", the product code Banco do Brasil asks after the convênio
COBRANCA_PRODUCT = "0014"

# record types (position 8)
FILE_HEADER_TYPE, LOTE_HEADER_TYPE, DETAIL_TYPE = "0", "1", "3"
LOTE_TRAILER_TYPE, FILE_TRAILER_TYPE = "5", "9"
# position 143 of the file header; position 9 of the lote header
REMESSA_CODE, RETORNO_CODE = "1", "2"
REMESSA_OPERATION, RETORNO_OPERATION = "R", "T"
COBRANCA_SERVICE = "01"
FILE_TRAILER_LOTE = "9999"


def _control(record_type: str, *, lote: str | None = None) -> tuple[Field, ...]:
    """Bank, lote and record type: the first 8 positions of every record."""
    return (
        Field(1, 3, "bank", NUM, _("bank code"), value=BANK_CODE),
        Field(4, 7, "lote", NUM, _("lote"), value=lote),
        Field(8, 8, "record_type", NUM, _("record type"), value=record_type),
    )


def _detail(segment: str) -> tuple[Field, ...]:
    """Positions 1–17 of a detail record (segments P, Q, R, T and U)."""
    return (
        *_control(DETAIL_TYPE),
        Field(9, 13, "sequence", NUM, _("record number in the lote")),
        Field(14, 14, "segment", ALPHA, _("segment"), value=segment),
        Field(15, 15),
        Field(16, 17, "movement", NUM, _("movement code")),
    )


def _account(start: int) -> tuple[Field, ...]:
    """Agency, account and their check digits (20 positions)."""
    return (
        Field(start, start + 4, "agency", NUM, _("agency")),
        Field(start + 5, start + 5, "agency_digit", ALPHA, _("agency check digit")),
        Field(start + 6, start + 17, "account", NUM, _("account")),
        Field(start + 18, start + 18, "account_digit", ALPHA, _("account check digit")),
        Field(start + 19, start + 19, "agency_account_digit", ALPHA),
    )


def _agreement(start: int) -> tuple[Field, ...]:
    """Banco do Brasil's 20-position "código do convênio no banco"."""
    return (
        Field(start, start + 8, "convenio", NUM, _("convênio")),
        Field(start + 9, start + 12, "product", NUM, value=COBRANCA_PRODUCT),
        Field(start + 13, start + 14, "carteira", NUM, _("carteira")),
        Field(start + 15, start + 17, "variacao", NUM, _("carteira variation")),
        Field(start + 18, start + 19, "test_marker", ALPHA),
    )


FILE_HEADER = Layout(
    "header de arquivo",
    (
        *_control(FILE_HEADER_TYPE, lote="0000"),
        Field(9, 17),
        Field(18, 18, "company_document_type", NUM, _("company CPF/CNPJ type")),
        Field(19, 32, "company_document", NUM, _("company CPF/CNPJ")),
        *_agreement(33),
        *_account(53),
        Field(73, 102, "company_name", ALPHA, _("company name")),
        Field(103, 132, "bank_name", ALPHA, _("bank name")),
        Field(133, 142),
        Field(143, 143, "file_code", NUM, _("remessa/retorno code")),
        Field(144, 151, "generated_on", DATE, _("generation date")),
        Field(152, 157, "generated_at", NUM, _("generation time")),
        Field(158, 163, "file_number", NUM, _("file sequence number")),
        Field(164, 166, "layout_version", NUM, value=FILE_LAYOUT_VERSION),
        Field(167, 171, "density", NUM, value="00000"),
        Field(172, 211),
        Field(212, 240),
    ),
)

LOTE_HEADER = Layout(
    "header de lote",
    (
        *_control(LOTE_HEADER_TYPE),
        Field(9, 9, "operation", ALPHA, _("operation type")),
        Field(10, 11, "service", NUM, _("service type"), value=COBRANCA_SERVICE),
        Field(12, 13, "", NUM),
        Field(14, 16, "layout_version", NUM, value=LOTE_LAYOUT_VERSION),
        Field(17, 17),
        Field(18, 18, "company_document_type", NUM, _("company CPF/CNPJ type")),
        Field(19, 33, "company_document", NUM, _("company CPF/CNPJ")),
        *_agreement(34),
        *_account(54),
        Field(74, 103, "company_name", ALPHA, _("company name")),
        Field(104, 143, "message_1", ALPHA),
        Field(144, 183, "message_2", ALPHA),
        Field(184, 191, "file_number", NUM, _("remessa/retorno number")),
        Field(192, 199, "recorded_on", DATE, _("recording date")),
        Field(200, 207, "credited_on", DATE, _("credit date")),
        Field(208, 240),
    ),
)

SEGMENT_P = Layout(
    "segmento P",
    (
        *_detail("P"),
        *_account(18),
        Field(38, 57, "nosso_numero", ALPHA, _("nosso número"), strict=True),
        Field(58, 58, "carteira_code", NUM, _("carteira code")),
        Field(59, 59, "registration", NUM, value="1"),
        Field(60, 60, "document_kind", NUM, value="1"),
        Field(61, 61, "issuer", NUM, _("boleto issuer")),
        Field(62, 62, "distribution", ALPHA, _("boleto distribution")),
        Field(63, 77, "document_number", ALPHA, _("document number"), strict=True),
        Field(78, 85, "due_date", DATE, _("due date")),
        Field(86, 100, "amount", MONEY, _("amount")),
        Field(101, 105, "", NUM),
        Field(106, 106),
        Field(107, 108, "species", NUM, _("document species")),
        Field(109, 109, "acceptance", ALPHA, _("acceptance")),
        Field(110, 117, "issue_date", DATE, _("issue date")),
        Field(118, 118, "interest_code", NUM, _("interest code")),
        Field(119, 126, "interest_date", DATE, _("interest start date")),
        Field(127, 141, "interest", MONEY, _("interest per day")),
        Field(142, 142, "discount_code", NUM, _("discount code")),
        Field(143, 150, "discount_date", DATE, _("discount date")),
        Field(151, 165, "discount", MONEY, _("discount")),
        Field(166, 180, "", MONEY),
        Field(181, 195, "rebate", MONEY, _("rebate")),
        Field(
            196, 220, "company_reference", ALPHA, _("company reference"), strict=True
        ),
        Field(221, 221, "protest_code", NUM, value="3"),
        Field(222, 223, "protest_days", NUM, value="00"),
        Field(224, 224, "writeoff_code", NUM, value="0"),
        Field(225, 227, "writeoff_days", NUM, value="000"),
        Field(228, 229, "currency", NUM, value="09"),
        Field(230, 239, "", NUM),
        Field(240, 240),
    ),
)

SEGMENT_Q = Layout(
    "segmento Q",
    (
        *_detail("Q"),
        Field(18, 18, "payer_document_type", NUM, _("payer CPF/CNPJ type")),
        Field(19, 33, "payer_document", NUM, _("payer CPF/CNPJ")),
        Field(34, 73, "payer_name", ALPHA, _("payer name")),
        Field(74, 113, "payer_address", ALPHA, _("payer address")),
        Field(114, 128, "payer_district", ALPHA, _("payer district")),
        Field(129, 136, "payer_postal_code", NUM, _("payer CEP")),
        Field(137, 151, "payer_city", ALPHA, _("payer city")),
        Field(152, 153, "payer_state", ALPHA, _("payer state")),
        Field(154, 154, "", NUM),
        Field(155, 169, "", NUM),
        Field(170, 209),
        Field(210, 212, "", NUM),
        Field(213, 232),
        Field(233, 240),
    ),
)

SEGMENT_R = Layout(
    "segmento R",
    (
        *_detail("R"),
        Field(18, 65, "", NUM),
        Field(66, 66, "fine_code", NUM, _("fine code")),
        Field(67, 74, "fine_date", DATE, _("fine date")),
        Field(75, 89, "fine", MONEY, _("fine")),
        Field(90, 99),
        Field(100, 139, "message_3", ALPHA),
        Field(140, 179, "message_4", ALPHA),
        Field(180, 199),
        Field(200, 215, "", NUM),
        Field(216, 216),
        Field(217, 228, "", NUM),
        Field(229, 230),
        Field(231, 231, "", NUM),
        Field(232, 240),
    ),
)

SEGMENT_T = Layout(
    "segmento T",
    (
        *_detail("T"),
        *_account(18),
        Field(38, 57, "nosso_numero", ALPHA, _("nosso número"), strict=True),
        Field(58, 58, "carteira_code", NUM, _("carteira code")),
        Field(59, 73, "document_number", ALPHA, _("document number"), strict=True),
        Field(74, 81, "due_date", DATE, _("due date")),
        Field(82, 96, "amount", MONEY, _("amount")),
        Field(97, 99, "collecting_bank", NUM, _("collecting bank")),
        Field(100, 104, "collecting_agency", NUM, _("collecting agency")),
        Field(105, 105),
        Field(
            106, 130, "company_reference", ALPHA, _("company reference"), strict=True
        ),
        Field(131, 132, "currency", NUM, value="09"),
        Field(133, 133, "payer_document_type", NUM, _("payer CPF/CNPJ type")),
        Field(134, 148, "payer_document", NUM, _("payer CPF/CNPJ")),
        Field(149, 188, "payer_name", ALPHA, _("payer name")),
        Field(189, 198, "", NUM),
        Field(199, 213, "fee", MONEY, _("fee")),
        Field(214, 223, "reasons", ALPHA, _("occurrence reasons")),
        Field(224, 240),
    ),
)

SEGMENT_U = Layout(
    "segmento U",
    (
        *_detail("U"),
        Field(18, 32, "interest", MONEY, _("interest and fine")),
        Field(33, 47, "discount", MONEY, _("discount")),
        Field(48, 62, "rebate", MONEY, _("rebate")),
        Field(63, 77, "iof", MONEY, _("IOF")),
        Field(78, 92, "paid", MONEY, _("amount paid")),
        Field(93, 107, "net", MONEY, _("net amount credited")),
        Field(108, 122, "other_expenses", MONEY, _("other expenses")),
        Field(123, 137, "other_credits", MONEY, _("other credits")),
        Field(138, 145, "occurred_on", DATE, _("occurrence date")),
        Field(146, 153, "credited_on", DATE, _("credit date")),
        Field(154, 157),
        Field(158, 180, "", NUM),
        Field(181, 210),
        Field(211, 213, "", NUM),
        Field(214, 233),
        Field(234, 240),
    ),
)

LOTE_TRAILER = Layout(
    "trailer de lote",
    (
        *_control(LOTE_TRAILER_TYPE),
        Field(9, 17),
        Field(18, 23, "records", NUM, _("records in the lote")),
        Field(24, 29, "simple_count", NUM, _("títulos in cobrança simples")),
        Field(30, 46, "simple_total", MONEY, _("total of cobrança simples")),
        Field(47, 115, "", NUM),
        Field(116, 123, "notice_number", ALPHA),
        Field(124, 240),
    ),
)

FILE_TRAILER = Layout(
    "trailer de arquivo",
    (
        *_control(FILE_TRAILER_TYPE, lote=FILE_TRAILER_LOTE),
        Field(9, 17),
        Field(18, 23, "lotes", NUM, _("lotes in the file")),
        Field(24, 29, "records", NUM, _("records in the file")),
        Field(30, 35, "", NUM),
        Field(36, 240),
    ),
)

REMESSA_SEGMENTS = {"P": SEGMENT_P, "Q": SEGMENT_Q, "R": SEGMENT_R}
RETORNO_SEGMENTS = {"T": SEGMENT_T, "U": SEGMENT_U}
