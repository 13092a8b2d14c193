import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CommentReport

TOKEN_SALT = "comments.form-timestamp"


def make_token(article, *, issued_at=None):
    """Sign the story and the moment the form was served, for the too-fast and too-old checks."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps({"a": article.pk, "t": int(issued_at)}, salt=TOKEN_SALT)


def check_token(token, article):
    """Raise ValidationError unless the form was served for `article` a sensible time ago."""
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT)
        issued_at = int(data["t"])
        if data["a"] != article.pk:
            raise ValueError
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise ValidationError(
            _("Something went wrong with this form. Please post your comment again."),
            code="bad_token",
        ) from None
    age = time.time() - issued_at
    if age < settings.NEWSROOM.get("COMMENT_MIN_SECONDS", 3):
        raise ValidationError(
            _("That was quick! Please take a moment to read your comment, then post it again."),
            code="too_fast",
        )
    if age > settings.NEWSROOM.get("COMMENT_FORM_MAX_AGE_HOURS", 24) * 3600:
        raise ValidationError(
            _("This page has been open a long time. Please check your comment and post it again."),
            code="too_old",
        )


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
            gettext_lazy("You can use <b>bold</b>, <i>italic</i> and links. Be kind."),
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
        help_text=gettext_lazy("Never shown. Editors may use it to contact you."),
    )
    body = BodyField()
    # Bots fill every field they find; people never see this one.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    ts = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, article, reader_is_guest=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["ts"].initial = make_token(article)
        if not reader_is_guest:
            del self.fields["author_name"]
            del self.fields["author_email"]

    def clean(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(
                _("Your comment could not be posted. Please leave the last field empty."),
                code="honeypot",
            )
        check_token(self.cleaned_data.get("ts"), self.article)
        return self.cleaned_data

    def renew_token(self):
        """Serve the bound form again with a fresh timestamp, keeping what the reader typed."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data["ts"] = make_token(self.article)


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
