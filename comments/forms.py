"""Forms of the moderation desk."""

import ipaddress
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Ban
from .readers import keyed_hash, network_of


class BanForm(forms.Form):
    """Ban or suspend the author of a comment."""

    DURATIONS = [
        ("1", _("Suspend for 1 day")),
        ("7", _("Suspend for 7 days")),
        ("30", _("Suspend for 30 days")),
        ("", _("Ban permanently")),
    ]

    kind = forms.ChoiceField(label=_("Ban by"), choices=Ban.Kind.choices, initial=Ban.Kind.READER)
    duration = forms.ChoiceField(label=_("For how long"), choices=DURATIONS, required=False)
    until = forms.DateTimeField(
        label=_("Or until"),
        required=False,
        help_text=_("A date and time; overrides the choice above."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    reject_past = forms.BooleanField(label=_("Also reject their past comments"), required=False)

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until and until <= timezone.now():
            raise forms.ValidationError(_("Pick a time in the future."))
        return until

    def expires_at(self):
        if self.cleaned_data["until"]:
            return self.cleaned_data["until"]
        days = self.cleaned_data["duration"]
        return timezone.now() + timedelta(days=int(days)) if days else None


class BanAddForm(forms.ModelForm):
    """Add a ban by hand: the identity is typed in clear and stored as the ban expects it."""

    identity = forms.CharField(
        label=_("Reader, email or network"),
        max_length=200,
        help_text=_(
            "A reader key (u:12 or g:…), an email address, or an IP address or network "
            "(203.0.113.0/24). Emails and networks are stored only as keyed hashes."
        ),
    )
    reject_past = forms.BooleanField(label=_("Also reject their past comments"), required=False)

    class Meta:
        model = Ban
        fields = ["kind", "identity", "reason", "expires_at", "reject_past", "label"]

    def clean(self):
        cleaned = super().clean()
        kind, identity = cleaned.get("kind"), (cleaned.get("identity") or "").strip()
        if not kind or not identity:
            return cleaned
        if kind == Ban.Kind.READER:
            if not identity.startswith(("u:", "g:")):
                self.add_error("identity", _("A reader key starts with u: or g:."))
            cleaned["value"], label = identity, identity
        elif kind == Ban.Kind.EMAIL:
            try:
                forms.EmailField().clean(identity)
            except forms.ValidationError:
                self.add_error("identity", _("Enter an email address."))
            name, _at, domain = identity.partition("@")
            cleaned["value"] = keyed_hash(identity.lower(), purpose="email")
            label = f"{name[:1]}…@{domain}"
        else:
            try:
                network = ipaddress.ip_network(identity, strict=False)
            except ValueError:
                self.add_error("identity", _("Enter an IP address or a network."))
                return cleaned
            label = network_of(str(network.network_address))
            cleaned["value"] = keyed_hash(label, purpose="network")
        cleaned["label"] = cleaned.get("label") or label
        return cleaned
