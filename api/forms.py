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
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=[], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        from api.models import WebhookSubscription

        model = WebhookSubscription
        fields = ["name", "url", "events", "secret", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from api.webhooks import all_events

        events = all_events()
        groups = sorted({event.split(".")[0] + ".*" for event in events})
        self.fields["events"].choices = [(e, e) for e in [*groups, *events]]
