"""Credentials of the API: keys for storefront frontends (one per frontend: site,
app, marketplace) and personal tokens for back-office staff; webhooks."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plugins.outbound import validate_public_url

KEY_PREFIX = "rtg"
STAFF_TOKEN_PREFIX = "rtgs"  # noqa: S105  (a label, not a secret)


class Scope(models.TextChoices):
    CATALOG_READ = "catalog:read", _("Read the catalog and pages")
    ORDERS_WRITE = "orders:write", _("Place and cancel orders")
    ORDERS_READ = "orders:read", _("Read orders by their customer token")
    LOGISTICS_QUOTE = "logistics:quote", _("Quote freight for a cart")


def hash_secret(secret: str) -> str:
    # Keys are 256-bit random strings: a plain SHA-256 is enough (no stretching
    # needed for secrets that cannot be guessed), and it is fast per request.
    return hashlib.sha256(secret.encode()).hexdigest()


class CredentialQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class HashedCredential(models.Model):
    """A secret of the form ``<kind>_<prefix>_<random>``, of which only the
    prefix (to find the row) and a hash are stored: the secret is shown once,
    when the credential is created."""

    kind_prefix = KEY_PREFIX

    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def new_secret(cls) -> tuple[str, str]:
        """A fresh (prefix, secret) pair: ``<kind>_<prefix>_<random>``."""
        prefix = secrets.token_hex(6)
        return prefix, f"{cls.kind_prefix}_{prefix}_{secrets.token_urlsafe(32)}"

    @classmethod
    def split(cls, secret: str) -> str | None:
        """The prefix of a presented secret, or None if it is not of this kind."""
        parts = secret.split("_", 2)
        if len(parts) != 3 or parts[0] != cls.kind_prefix or not parts[1]:
            return None
        return parts[1]

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.key_hash, hash_secret(secret))


class ApiKey(HashedCredential):
    """A frontend's credentials."""

    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list)
    allowed_origins = models.JSONField(
        _("allowed origins"),
        default=list,
        blank=True,
        help_text=_(
            "Browser origins allowed to use this key, e.g. https://loja.com.br"
        ),
    )
    rate_limit = models.PositiveIntegerField(
        _("requests per minute"), default=600, help_text=_("0 means no limit.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({KEY_PREFIX}_{self.prefix}_…)"

    def get_scopes_display(self) -> str:
        """The scopes as people read them, on the listing and the inspect
        screen: "Ler o catálogo e as páginas, Fazer e cancelar pedidos"."""
        labels = dict(Scope.choices)
        return ", ".join(str(labels.get(scope, scope)) for scope in self.scopes or [])

    def get_allowed_origins_display(self) -> str:
        return ", ".join(self.allowed_origins or [])

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def allows_origin(self, origin: str | None) -> bool:
        """Requests without an Origin (servers, apps) are allowed; browsers must
        come from one of the key's origins."""
        if not origin:
            return True
        return origin.rstrip("/") in {o.rstrip("/") for o in self.allowed_origins or []}


class StaffToken(HashedCredential):
    """A member of staff's personal token for the back-office endpoints
    (scripts, integrations): it acts as that user, with that user's
    permissions, until it expires or is revoked."""

    kind_prefix = STAFF_TOKEN_PREFIX
    DEFAULT_VALIDITY = datetime.timedelta(days=90)
    MAX_VALIDITY = datetime.timedelta(days=365)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for.")
    )
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("staff token")
        verbose_name_plural = _("staff tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({STAFF_TOKEN_PREFIX}_{self.prefix}_…)"

    def is_valid_at(self, when: datetime.datetime) -> bool:
        return self.is_active and when < self.expires_at


class WebhookSubscription(models.Model):
    """An endpoint that receives signed notifications of catalog events."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[validate_public_url],
        help_text=_(
            "A public http:// or https:// address, without user name or "
            "password. Redirects are not followed."
        ),
    )
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        help_text=_(
            "Shared with the receiver, which checks the HMAC-SHA256 signature."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_events_display(self) -> str:
        """The events as people read them, on the listing: "Pedido recebido,
        Todos os eventos de produtos"."""
        from api.webhooks import event_label, event_labels

        labels = event_labels()
        return ", ".join(event_label(event, labels) for event in self.events or [])

    def wants(self, event: str) -> bool:
        return self.active and events_match(self.events, event)


def events_match(events: list[str], event: str) -> bool:
    """Whether a subscription to ``events`` (names, or ``kind.*``) wants
    ``event``."""
    return event in events or f"{event.split('.')[0]}.*" in events


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("webhook"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=60)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last response status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.subscription}"

    def get_event_display(self) -> str:
        """The event as people read it: "Pedido recebido" for ``order.placed``."""
        from api.webhooks import event_label

        return event_label(self.event)
