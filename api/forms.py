import secrets

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from api.models import ApiKey, Scope


class ApiKeyForm(WagtailAdminModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    allowed_origins = forms.CharField(
        label=_("Allowed origins"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, e.g. https://loja.com.br. Leave empty for keys used "
            "only by servers and apps (browsers are then refused)."
        ),
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "allowed_origins", "rate_limit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["allowed_origins"] = "\n".join(
                self.instance.allowed_origins or []
            )

    def clean_allowed_origins(self):
        origins = [
            line.strip().rstrip("/")
            for line in self.cleaned_data["allowed_origins"].splitlines()
            if line.strip()
        ]
        for origin in origins:
            if not origin.startswith(("https://", "http://")) or origin.count("/") > 2:
                raise forms.ValidationError(
                    _("“%(origin)s” is not an origin (scheme://host[:port]).")
                    % {"origin": origin}
                )
        return origins


class WebhookSubscriptionForm(WagtailAdminModelForm):
    """A subscription's events by their labels, and its signing secret never
    shown again once saved: the input starts empty; left blank, the stored
    secret stays (or, on a new subscription, a random one is made); "generate
    a new secret" replaces it. A generated secret is in ``generated_secret``,
    for the screen that shows it once."""

    events = forms.MultipleChoiceField(
        label=_("Events"), choices=[], widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=100,
        required=False,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
    )
    new_secret = forms.BooleanField(
        label=_("Generate a new secret"),
        required=False,
        help_text=_(
            "A random secret replaces the current one; it is shown once, "
            "after saving, to copy to the receiver."
        ),
    )

    class Meta:
        from api.models import WebhookSubscription

        model = WebhookSubscription
        fields = ["name", "url", "events", "secret", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from api.webhooks import all_events, event_label, event_labels

        events = all_events()
        groups = sorted({event.split(".")[0] + ".*" for event in events})
        labels = event_labels()
        self.fields["events"].choices = [
            (e, event_label(e, labels)) for e in [*groups, *events]
        ]
        self.generated_secret = None
        # The stored secret never goes back to the browser.
        self.initial["secret"] = ""
        if self.instance.pk:
            self.fields["secret"].help_text = _(
                "Leave blank to keep the current secret, which is not shown "
                "again; type a new one to replace it."
            )
        else:
            self.fields["secret"].help_text = _(
                "Shared with the receiver, which checks the HMAC-SHA256 "
                "signature. Leave blank to generate one, shown once after saving."
            )
            del self.fields["new_secret"]

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("new_secret") and cleaned_data.get("secret"):
            self.add_error(
                "secret",
                _("Type a new secret or generate one, not both."),
            )
        elif not cleaned_data.get("secret"):
            if self.instance.pk and not cleaned_data.get("new_secret"):
                cleaned_data["secret"] = self.instance.secret
            else:
                self.generated_secret = secrets.token_urlsafe(32)
                cleaned_data["secret"] = self.generated_secret
        return cleaned_data
