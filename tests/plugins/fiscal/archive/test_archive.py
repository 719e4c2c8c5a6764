"""The fiscal archive: every XML stored once, never changed or deleted, its
content checked against its hash when read."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from plugins.fiscal.archive import (
    ArchiveError,
    ArchiveTampered,
    archive,
    archive_document,
    archive_gap,
    read,
    tampered,
)
from plugins.fiscal.models import ArchivedXml, NumberGap
from plugins.fiscal.models.documents import ArchivedXmlKind, ArchiveIsImmutable
from tests.conftest import IS_POSTGRES

INUT = """<?xml version="1.0" encoding="UTF-8"?>
<ProcInutNFe xmlns="http://www.portalfiscal.inf.br/nfe" versao="4.00">\
<inutNFe versao="4.00"><infInut Id="ID41170611747300015055001000000101000000101">\
<tpAmb>2</tpAmb><xServ>INUTILIZAR</xServ><cUF>41</cUF><ano>17</ano>\
<CNPJ>06117473000150</CNPJ><mod>55</mod><serie>1</serie><nNFIni>101</nNFIni>\
<nNFFin>101</nNFFin><xJust>Falha no sistema pulou a numeracao</xJust></infInut>\
</inutNFe><retInutNFe versao="4.00"><infInut><tpAmb>2</tpAmb>\
<verAplic>PR-v4_0</verAplic><cStat>102</cStat>\
<xMotivo>Inutilizacao de numero homologado</xMotivo><cUF>41</cUF>\
<dhRecbto>2017-07-13T10:00:00-03:00</dhRecbto><nProt>141170000487999</nProt>\
</infInut></retInutNFe></ProcInutNFe>"""


def tamper(row, content):
    """Change a row's content behind the application's back, as someone with
    the database's password could (past the PostgreSQL trigger too)."""
    table = connection.ops.quote_name(ArchivedXml._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {table} SET content = %s WHERE id = %s",  # noqa: S608
            [content, row.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_an_authorised_nfe_is_archived_with_its_hash(authorised_nfe):
    row = archive_document(authorised_nfe)
    assert row.kind == ArchivedXmlKind.ISSUED
    assert row.content == authorised_nfe.proc_xml
    assert row.access_key == authorised_nfe.access_key
    assert row.number == authorised_nfe.number
    assert row.emitter == authorised_nfe.emitter
    assert row.party_document == authorised_nfe.recipient_document
    assert row.intact
    assert read(row) == authorised_nfe.proc_xml


def test_archiving_the_same_xml_again_keeps_one_row(authorised_nfe):
    first = archive_document(authorised_nfe)
    again = archive(
        ArchivedXmlKind.ISSUED,
        authorised_nfe.proc_xml,
        emitter=None,
        key="other",
        number=None,
        issued_at=timezone.now(),
    )
    assert again.pk == first.pk
    assert ArchivedXml.objects.count() == 1


def test_what_is_not_xml_is_refused(fiscal_emitter):
    for content in ("", "   ", "<nfeProc><NFe></nfeProc>", "PDF"):
        with pytest.raises(ArchiveError):
            archive(
                ArchivedXmlKind.ISSUED,
                content,
                emitter=fiscal_emitter,
                key="1",
                number=1,
                issued_at=timezone.now(),
            )
    assert not ArchivedXml.objects.exists()


def test_an_inutilization_is_archived_under_its_id(fiscal_emitter):
    gap = NumberGap.objects.create(
        emitter=fiscal_emitter,
        environment="2",
        series=1,
        first_number=101,
        last_number=101,
        reason="Falha no sistema pulou a numeracao",
        xml=INUT,
        proc_xml=INUT,
        registered_at=datetime.datetime(2017, 7, 13, 13, tzinfo=datetime.UTC),
    )
    row = archive_gap(gap)
    assert row.kind == ArchivedXmlKind.INUTILIZATION
    assert row.access_key == "41170611747300015055001000000101000000101"
    assert row.number == 101


def test_the_archive_refuses_changes_and_deletion(authorised_nfe):
    row = archive_document(authorised_nfe)
    row.content = "<nfeProc/>"
    with pytest.raises(ArchiveIsImmutable):
        row.save()
    with pytest.raises(ArchiveIsImmutable):
        row.delete()
    with pytest.raises(ArchiveIsImmutable):
        ArchivedXml.objects.filter(pk=row.pk).delete()
    with pytest.raises(ArchiveIsImmutable):
        ArchivedXml.objects.filter(pk=row.pk).update(content="<x/>")
    row.refresh_from_db()
    assert row.content == authorised_nfe.proc_xml


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM {table} WHERE id = %s",
        "UPDATE {table} SET content = '<x/>' WHERE id = %s",
        "UPDATE {table} SET party_name = 'Outro' WHERE id = %s",
    ],
)
def test_postgresql_refuses_raw_deletes_and_updates(authorised_nfe, statement):
    row = archive_document(authorised_nfe)
    table = connection.ops.quote_name(ArchivedXml._meta.db_table)
    with pytest.raises(IntegrityError, match="cannot be changed or deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(table=table), [row.pk])
    row = ArchivedXml.objects.get(pk=row.pk)
    assert row.intact and row.party_name == authorised_nfe.recipient_name


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite has no trigger")
def test_on_sqlite_only_the_model_guards_the_archive(authorised_nfe):
    # the test runner empties tables with DELETE there
    row = archive_document(authorised_nfe)
    table = connection.ops.quote_name(ArchivedXml._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [row.pk])  # noqa: S608
    assert not ArchivedXml.objects.exists()


def test_reading_detects_content_changed_behind_the_models_back(authorised_nfe):
    row = archive_document(authorised_nfe)
    tamper(row, authorised_nfe.proc_xml.replace("84.90", "8.49"))
    row = ArchivedXml.objects.get(pk=row.pk)
    assert not row.intact
    with pytest.raises(ArchiveTampered, match=authorised_nfe.access_key):
        read(row)
    assert list(tampered()) == [row]


def test_the_check_command_reports_every_changed_row(authorised_nfe, other_nfe, capsys):
    kept = archive_document(authorised_nfe)
    changed = archive_document(other_nfe)
    # in the site's language, pt-BR
    call_command("check_fiscal_archive")
    assert "2 XML arquivados verificados: todos íntegros." in capsys.readouterr().out

    tamper(changed, other_nfe.proc_xml.replace("<cStat>100", "<cStat>101"))
    with pytest.raises(CommandError, match="1 de 2 XML arquivados não conferem"):
        call_command("check_fiscal_archive")
    report = capsys.readouterr().err
    assert other_nfe.access_key in report
    assert authorised_nfe.access_key not in report
    assert kept.intact
