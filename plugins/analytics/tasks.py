"""Background work of the analytics plugin: rolling up after writes (queued
by :func:`plugins.analytics.rollups.mark_changed`) and the goals digest."""

from __future__ import annotations

import logging

from django_tasks import task

from plugins.analytics import rollups

logger = logging.getLogger(__name__)


@task()
def refresh_rollups_task() -> dict:
    result = rollups.refresh()
    if result.days:
        logger.info("rolled up %s", result.days)
    return result.days


@task()
def send_digest_task() -> int:
    """The goals e-mails due today (:func:`plugins.analytics.digest.send_digests`)."""
    from plugins.analytics.digest import send_digests

    sent = send_digests()
    logger.info("goals digest: %s e-mail(s) sent", sent)
    return sent
