from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comments.formatting import clean_text
from comments.forms import SignupForm as UsernameSignupForm
from comments.services import NAME_MAX_LENGTH
from comments.text import renders_blank

from . import services


def _clean_new_email(email, user=None):
    if services.email_taken(email, by_other_than=user):
        raise ValidationError(
            _("An account already uses this email address. Log in, or reset its password."),
            code="taken",
        )
    return services.normalise(email)


class SignupForm(UsernameSignupForm):
    """Django's sign-up form with an email address, unique and confirmed before posting."""

    email = forms.EmailField(
        label=gettext_lazy("Email"),
        help_text=gettext_lazy("We send a link to confirm it; you can post once it is confirmed."),
    )

    class Meta(UsernameSignupForm.Meta):
        fields = ("username", "email")

    def clean_email(self):
        return _clean_new_email(self.cleaned_data["email"])


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Display name"),
        required=False,
        max_length=NAME_MAX_LENGTH,
        help_text=gettext_lazy("Shown with your comments. Leave empty to use your username."),
    )

    def clean_display_name(self):
        name = clean_text(self.cleaned_data["display_name"], multiline=False)
        return "" if renders_blank(name) else name


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("New email address"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = self.cleaned_data["email"]
        if email.lower() == (self.user.email or "").lower():
            raise ValidationError(_("This is already your address."), code="same")
        return _clean_new_email(email, self.user)


class AccountDeleteForm(forms.Form):
    KEEP, DELETE = "keep", "delete"
    comments = forms.ChoiceField(
        label=gettext_lazy("Your comments"),
        choices=[
            (DELETE, gettext_lazy("Delete them (replies to them stay, under a placeholder)")),
            (KEEP, gettext_lazy("Keep them, signed “a former reader”")),
        ],
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"), strip=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That is not your password."), code="wrong_password")
        return password


class ExportRequestForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("The email address you commented with"))


class LoginForm(AuthenticationForm):
    """Django's log-in form; the backend takes an email address for the username too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or email")
