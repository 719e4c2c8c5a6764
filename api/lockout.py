"""Login lock-out: password guessing on the admin login and the API's token
endpoint, with django-axes.

Every login that passes a request (the admin's login form, ``POST
/api/v1/auth/token/``) goes through :class:`LoginLockoutBackend`. After
``AXES_FAILURE_LIMIT`` failures within ``AXES_COOLOFF_TIME`` from one client
address, or for one user name from any addresses, further logins from there
or for that name are refused, even with the right password, until the
cool-off passes or a manager unlocks them (**Configurações › Bloqueios de
login**). The client address is :func:`client_address`: ``REMOTE_ADDR``, or,
behind ``RETAGUARDA_NUM_PROXIES`` proxies, the address the outermost of them
saw; the rest of ``X-Forwarded-For`` is whatever the client wrote. Each
lock-out and each unlock is in the audit log.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from api.errors import is_api_request, problem_http_response

LOCKOUT_ACTION = "api.login.lockout"
UNLOCK_ACTION = "api.login.unlock"
#: What a lock-out is per: a user name, or a client address.
USERNAME, ADDRESS = "username", "ip_address"


def client_address(request) -> str:
    """The address of the client that sent ``request``.

    With ``RETAGUARDA_NUM_PROXIES = 0`` (the default: clients connect to the
    app server directly) it is ``REMOTE_ADDR`` and ``X-Forwarded-For`` is
    ignored. Behind N proxies that each append the address they received
    from to ``X-Forwarded-For``, it is the N-th address from the right: the
    one the outermost proxy saw. DRF's throttles use the same rule
    (``REST_FRAMEWORK["NUM_PROXIES"]``).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.RETAGUARDA_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LoginLockoutBackend(AxesStandaloneBackend):
    """First of ``AUTHENTICATION_BACKENDS``: refuses logins that are locked
    out (the next backends authenticate). Logins without a request (the test
    client's ``login()``, code calling ``authenticate()`` itself) are not
    web logins and pass through."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed login attempts. Login is blocked for %(minutes)d "
        "minutes; a manager can unlock it sooner."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: a 429 problem document under /api/, the
    lock-out page elsewhere; both say when to try again."""
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if is_api_request(request):
        response = problem_http_response(
            429, "login-locked-out", _("Login blocked."), lockout_message()
        )
    else:
        # Rendered now: a middleware returns it, after the phase that renders
        # template responses.
        response = render(
            request,
            "api/login_locked_out.html",
            {"message": lockout_message()},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response


@receiver(user_locked_out, dispatch_uid="api.lockout.audit")
def audit_lockout(sender, request, username, ip_address, **kwargs):
    """Logs ``api.login.lockout`` when failures reach the limit (not for each
    refused attempt while locked out)."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    attempt = (
        AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=ip_address))
        .order_by("-attempt_time", "-pk")
        .first()
    )
    if attempt is None:
        return
    log(
        instance=attempt,
        action=LOCKOUT_ACTION,
        title=_lockout_title(username, ip_address),
        data={
            "username": username or "",
            "ip_address": ip_address,
            "path": request.path,
            "failures": request.axes_failures_since_start,
        },
    )


def _lockout_title(username: str | None, ip_address: str) -> str:
    return f"{username or '—'} @ {ip_address}"


@dataclass(frozen=True)
class Lockout:
    """A user name or an address that is locked out now."""

    kind: str  # USERNAME or ADDRESS
    value: str
    failures: int
    last_attempt: datetime.datetime

    @property
    def until(self) -> datetime.datetime:
        return self.last_attempt + settings.AXES_COOLOFF_TIME

    @property
    def kind_label(self) -> str:
        return _("User name") if self.kind == USERNAME else _("Address")


def current_lockouts() -> list[Lockout]:
    """User names and addresses locked out now, the most recent first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    lockouts = []
    for kind in (USERNAME, ADDRESS):
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        )
        lockouts += [
            Lockout(kind, row[kind], row["failures"], row["last"])
            for row in rows
            if row[kind]
        ]
    return sorted(lockouts, key=lambda lockout: lockout.last_attempt, reverse=True)


@transaction.atomic
def unlock_login(*, kind: str, value: str, user) -> int:
    """Unlock a user name or a client address: forget its failed attempts.

    Requires ``axes.delete_accessattempt``. Logs ``api.login.unlock``.
    Returns how many attempt records were removed (0: it was not locked).
    """
    if not user.has_perm("axes.delete_accessattempt"):
        raise PermissionDenied
    if kind not in (USERNAME, ADDRESS):
        raise ValueError(f"Unknown lock-out kind {kind!r}.")
    attempts = AccessAttempt.objects.filter(**{kind: value})
    latest = attempts.order_by("-attempt_time", "-pk").first()
    if latest is None:
        return 0
    log(
        instance=latest,
        action=UNLOCK_ACTION,
        user=user,
        title=value,
        data={"kind": kind, "value": value},
    )
    return AxesProxyHandler.reset_attempts(**{kind: value})
