"""Django's own messages that readers see, listed so `makemessages` keeps them in our catalogue.

Django ships Spanish for its forms and password rules, but in Spain's usted ("Introduzca su
contraseña"); our readers are addressed as tú. A translation in `locale/` wins over Django's
(LOCALE_PATHS come first), so each message here is given its tú form in our `.po`. Nothing calls
this function: it only shows `makemessages` the exact English text. When Django changes one of
these texts, tests/test_i18n_pages.py notices (the signup page's Spanish is checked).
"""

from django.utils.translation import gettext, ngettext


def _django_messages_readers_see():  # pragma: no cover - read by makemessages, never run
    return [
        gettext("Enter a valid email address."),
        gettext("Enter a valid value."),
        ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            0,
        ),
        ngettext(
            "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
            0,
        ),
        gettext("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
        gettext(
            "Enter a valid username. This value may contain only letters, numbers, and "
            "@/./+/-/_ characters."
        ),
        gettext("Enter the same password as before, for verification."),
        gettext(
            "Please enter a correct %(username)s and password. Note that both fields may be "
            "case-sensitive."
        ),
        gettext("Your old password was entered incorrectly. Please enter it again."),
        ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            0,
        ),
        ngettext(
            "Your password must contain at least %(min_length)d character.",
            "Your password must contain at least %(min_length)d characters.",
            0,
        ),
        gettext("Your password can’t be too similar to your other personal information."),
        gettext("Your password can’t be a commonly used password."),
        gettext("Your password can’t be entirely numeric."),
    ]
