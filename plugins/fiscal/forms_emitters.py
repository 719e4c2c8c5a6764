"""Forms of the emitter screens: an emitter with its A1 certificate, and the
contingency switch.

The certificate is uploaded as the PKCS#12 file (.pfx) the certifying
authority delivered, with its password. It is read here, never stored as a
file: opened with the password (:func:`plugins.fiscal.certificates.load`),
its holder's CNPJ must be the emitter's and it must be valid now; then the
file (base64) and the password are stored encrypted, with the holder's name
and the end of its validity. Neither is ever shown again: the page says
which certificate is saved and until when; uploading another replaces it.
"""

from __future__ import annotations

import base64

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from content.forms import CleanTextAdminForm
from content.validators import (
    format_cnpj,
    normalise_document,
    validate_cnpj,
    validate_identifier_text,
)
from plugins.display import absolute_date
from plugins.fiscal import certificates
from plugins.fiscal.emitters import REASON_MAX
from plugins.fiscal.models import Emitter

#: An A1 certificate is a few kilobytes; anything much larger is not one.
MAX_CERTIFICATE_BYTES = 64 * 1024
PFX_TYPES = ".pfx,.p12,application/x-pkcs12"


class SecretInput(forms.PasswordInput):
    """Never renders a value: a password is typed, never shown again."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"autocomplete": "new-password", **(attrs or {})}, render_value=False
        )


def stored_certificate(emitter: Emitter) -> certificates.Certificate | None:
    """The emitter's saved certificate, opened (``None`` without one)."""
    if not emitter.certificate:
        return None
    return certificates.load(
        base64.b64decode(emitter.certificate), emitter.certificate_password
    )


#: The emitter's own fields, edited in its form and shown on its page (its
#: certificate and contingency have their own parts).
EMITTER_FIELDS = [
    "legal_name",
    "trade_name",
    "cnpj",
    "ie",
    "tax_regime",
    "street",
    "number",
    "complement",
    "district",
    "city",
    "city_code",
    "uf",
    "cep",
    "phone",
    "environment",
    "series",
    "active",
]


class EmitterForm(CleanTextAdminForm):
    """An emitter. Its certificate is uploaded with its password; left
    empty, the saved one stays."""

    certificate = forms.FileField(
        label=_("A1 certificate (.pfx)"),
        required=False,
        # never a "clear" box or the saved file: there is no file, only its
        # encrypted content
        widget=forms.FileInput(attrs={"accept": PFX_TYPES}),
        help_text=_(
            "The e-CNPJ A1 certificate file (PKCS#12, .pfx or .p12) of this "
            "emitter's CNPJ. It is stored encrypted and never shown again."
        ),
    )
    certificate_password = forms.CharField(
        label=_("Certificate password"),
        required=False,
        strip=False,
        widget=SecretInput,
        help_text=_("The password that opens the certificate file."),
    )

    class Meta:
        model = Emitter
        fields = EMITTER_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._new_certificate = None
        # Stored without punctuation: typed with it, a CNPJ has 18
        # characters (12.ABC.345/01DE-35) and an IE up to 20.
        for name, length in (("cnpj", 18), ("ie", 20)):
            field = self.fields[name]
            field.max_length = length
            field.widget.attrs["maxlength"] = str(length)
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]
        if self.instance.pk and self.instance.certificate:
            not_after = self.instance.certificate_not_after
            self.fields["certificate"].help_text = _(
                "Saved: %(holder)s, valid until %(date)s (not shown). Upload "
                "another file with its password to replace it."
            ) % {
                "holder": self.instance.certificate_subject or "—",
                "date": absolute_date(timezone.localdate(not_after))
                if not_after
                else "—",
            }
            self.fields["certificate_password"].help_text = _(
                "Only with a new certificate file; the saved password stays."
            )

    def clean_cnpj(self):
        value = self.cleaned_data.get("cnpj") or ""
        validate_identifier_text(value)
        value = normalise_document(value)
        validate_cnpj(value)
        return value

    def clean_ie(self):
        value = self.cleaned_data.get("ie") or ""
        validate_identifier_text(value)
        value = normalise_document(value)
        if value != "ISENTO" and not (value.isdigit() and 2 <= len(value) <= 14):
            raise forms.ValidationError(
                _(
                    "The IE has 2 to 14 digits (with or without punctuation), "
                    "or is ISENTO."
                )
            )
        return value

    def clean(self):
        data = super().clean()
        upload = data.get("certificate")
        password = data.get("certificate_password") or ""
        if upload:
            self._read_certificate(upload, password, data.get("cnpj"))
        elif password:
            self.add_error(
                "certificate",
                _("Upload the certificate file this password opens."),
            )
        elif self._cnpj_changed(data.get("cnpj")):
            self._check_saved_certificate(data["cnpj"])
        return data

    def _cnpj_changed(self, cnpj) -> bool:
        return bool(
            cnpj and self.instance.pk and self.instance.certificate
        ) and cnpj != normalise_document(
            Emitter.objects.filter(pk=self.instance.pk)
            .values_list("cnpj", flat=True)
            .first()
            or ""
        )

    def _check_saved_certificate(self, cnpj: str) -> None:
        try:
            saved = stored_certificate(self.instance)
        except certificates.CertificateError:
            saved = None
        if saved is None or saved.cnpj != cnpj:
            self.add_error(
                "certificate",
                _(
                    "The saved certificate is not of CNPJ %(cnpj)s: upload the "
                    "certificate of the new CNPJ with its password."
                )
                % {"cnpj": format_cnpj(cnpj)},
            )

    def _read_certificate(self, upload, password: str, cnpj: str | None) -> None:
        if upload.size > MAX_CERTIFICATE_BYTES:
            self.add_error(
                "certificate",
                _("The file is too large to be an A1 certificate (.pfx)."),
            )
            return
        upload.seek(0)
        data = upload.read()
        try:
            certificate = certificates.load(data, password)
        except certificates.CertificateError as error:
            self.add_error("certificate", str(error))
            return
        now = timezone.now()
        if not certificate.cnpj:
            self.add_error(
                "certificate",
                _(
                    "The certificate states no CNPJ: it is not an e-CNPJ A1 "
                    "certificate."
                ),
            )
            return
        if cnpj and certificate.cnpj != cnpj:
            self.add_error(
                "certificate",
                _(
                    "The certificate was issued to CNPJ %(certificate)s, not "
                    "to this emitter's CNPJ %(emitter)s."
                )
                % {
                    "certificate": format_cnpj(certificate.cnpj),
                    "emitter": format_cnpj(cnpj),
                },
            )
            return
        if certificate.not_after <= now:
            self.add_error(
                "certificate",
                _("The certificate expired on %(date)s: upload the renewed one.")
                % {"date": absolute_date(certificate.not_after)},
            )
            return
        if certificate.not_before > now:
            self.add_error(
                "certificate",
                _("The certificate is valid only from %(date)s.")
                % {"date": absolute_date(certificate.not_before)},
            )
            return
        self._new_certificate = (data, password, certificate)

    def save(self, commit=True):
        if self._new_certificate is not None:
            data, password, certificate = self._new_certificate
            instance = self.instance
            instance.certificate = base64.b64encode(data).decode("ascii")
            instance.certificate_password = password
            instance.certificate_subject = certificate.subject[:200]
            instance.certificate_not_after = certificate.not_after
        return super().save(commit=commit)


class ContingencyForm(forms.Form):
    """Switch an emitter's contingency on (with the reason) or off."""

    switch = forms.ChoiceField(
        choices=[("on", "on"), ("off", "off")], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Why the state's authoriser cannot be used (at least 15 "
            "characters): it goes in every NF-e issued in contingency."
        ),
    )
