import ipaddress
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import classifier
from .models import Ban, CommentReport, ModerationSettings
from .readers import keyed_hash, network_of
from .text import renders_blank
from .tokens import make_token


def add_service_errors(form, error):
    """Show a write-path ValidationError on the form's own fields where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class BodyField(forms.CharField):
    def __init__(self, **kwargs):
        limit = settings.NEWSROOM["COMMENT_MAX_LENGTH"]
        kwargs.setdefault("label", gettext_lazy("Comment"))
        kwargs.setdefault(
            "help_text",
            gettext_lazy("You can use **bold**, _italic_, links, quotes and lists. Be kind."),
        )
        super().__init__(
            required=False,
            strip=False,
            widget=forms.Textarea(
                attrs={"rows": 5, "required": True, "data-maxlength": limit, "spellcheck": "true"}
            ),
            **kwargs,
        )


class CommentForm(forms.Form):
    """A new comment or reply; the write path validates the fields themselves."""

    author_name = forms.CharField(
        label=gettext_lazy("Name"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name", "required": True, "maxlength": 50}),
        help_text=gettext_lazy("Shown with your comment."),
    )
    author_email = forms.CharField(
        label=gettext_lazy("Email (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("Never shown. For reply notices if you ask for them below."),
    )
    body = BodyField()
    notify_replies = forms.BooleanField(
        label=gettext_lazy("Email me when someone replies"),
        required=False,
        help_text=gettext_lazy("We ask you to confirm your address first."),
    )
    # Bots fill every field they find; people never see this one.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    # The posting token (comments.tokens): checked and spent by the write path.
    ts = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, article, browser, reader_is_guest=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.browser = browser
        self.fields["ts"].initial = make_token(article, browser=browser)
        if not reader_is_guest:
            del self.fields["author_name"]
            del self.fields["author_email"]

    def clean(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(
                _("Your comment could not be posted. Please leave the last field empty."),
                code="honeypot",
            )
        return self.cleaned_data

    def renew_token(self):
        """Serve the bound form again with a fresh timestamp, keeping what the reader typed."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["ts"] = make_token(self.article, browser=self.browser)


class SignupForm(UserCreationForm):
    """Django's sign-up form; the username is the name shown with comments, so it must show."""

    def clean_username(self):
        username = super().clean_username()
        if renders_blank(username):
            raise ValidationError(_("Please tell us your name."), code="blank")
        return username


class CommentEditForm(forms.Form):
    body = BodyField()


class CommentReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why are you reporting this comment?"),
        choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Details (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# The moderation desk.


def validate_classifier_endpoint(url):
    try:
        classifier.resolve_endpoint(url)
    except classifier.ClassifierError as error:
        raise ValidationError(str(error)) from error


class ClassifierEndpointField(forms.URLField):
    """A URL comments may be sent to: https, and outside the newsroom's own network."""

    default_validators = [*forms.URLField.default_validators, validate_classifier_endpoint]

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class ModerationSettingsForm(forms.ModelForm):
    class Meta:
        model = ModerationSettings
        fields = ["classifier_url"]  # the admin adds the rest from its fieldsets
        field_classes = {"classifier_url": ClassifierEndpointField}


class BanForm(forms.Form):
    """Ban or suspend the author of a comment."""

    DURATIONS = [
        ("1", gettext_lazy("Suspend for 1 day")),
        ("7", gettext_lazy("Suspend for 7 days")),
        ("30", gettext_lazy("Suspend for 30 days")),
        ("", gettext_lazy("Ban permanently")),
    ]

    kind = forms.ChoiceField(
        label=gettext_lazy("Ban by"), choices=Ban.Kind.choices, initial=Ban.Kind.READER
    )
    duration = forms.ChoiceField(
        label=gettext_lazy("For how long"), choices=DURATIONS, required=False
    )
    until = forms.DateTimeField(
        label=gettext_lazy("Or until"),
        required=False,
        help_text=gettext_lazy("A date and time; overrides the choice above."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)
    reject_past = forms.BooleanField(
        label=gettext_lazy("Also reject their past comments"), required=False
    )

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
        label=gettext_lazy("Reader, email or network"),
        max_length=200,
        help_text=_(
            "A reader key (u:12 or g:…), an email address, or an IP address or network "
            "(203.0.113.0/24). Emails and networks are stored only as keyed hashes."
        ),
    )
    reject_past = forms.BooleanField(
        label=gettext_lazy("Also reject their past comments"), required=False
    )

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
