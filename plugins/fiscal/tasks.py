"""Background work of the fiscal plugin."""

from __future__ import annotations

from django_tasks import task


@task()
def send_documents_email(document_pk: int) -> bool:
    """E-mail an authorised NF-e's DANFE and XML to its customer (see
    :func:`plugins.fiscal.emails.email_documents`)."""
    from plugins.fiscal.emails import send_documents

    return send_documents(document_pk)
