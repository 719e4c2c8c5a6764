"""Background work of the fiscal plugin."""

from __future__ import annotations

from django_tasks import task


@task()
def send_documents_task(document_pks: list[int], user_pk: int | None = None) -> dict:
    """Send signed NF-e to the authoriser (the order desk's bulk "emitir
    NF-e"), on behalf of the user who asked (whose permission is checked
    again)."""
    from django.contrib.auth import get_user_model

    from plugins.fiscal.services.authorisation import Sent, send_documents

    user = get_user_model().objects.filter(pk=user_pk).first() if user_pk else None
    if user_pk and user is None:
        return Sent(not_sent=list(document_pks)).as_dict()
    return send_documents(document_pks, user=user).as_dict()


@task()
def resend_due_documents(emitter_pk: int | None = None) -> dict:
    """Send again the NF-e whose next attempt is due (all emitters, or one)."""
    from plugins.fiscal.models import Emitter
    from plugins.fiscal.services.authorisation import resend_due

    emitter = Emitter.objects.filter(pk=emitter_pk).first() if emitter_pk else None
    return resend_due(emitter=emitter).as_dict()


@task()
def send_documents_email(document_pk: int) -> bool:
    """E-mail an authorised NF-e's DANFE and XML to its customer (see
    :func:`plugins.fiscal.emails.email_documents`)."""
    from plugins.fiscal.emails import send_documents

    return send_documents(document_pk)


@task()
def issue_orders_task(job_id: str) -> dict:
    """Issue and send the NF-e of a bulk issue's orders (the order listing's
    "Emitir NF-e"), on behalf of the user who asked; returns its figures."""
    from plugins.fiscal.services.bulk import progress, run_bulk_issue

    return progress(run_bulk_issue(job_id)).as_dict()
