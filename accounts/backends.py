"""Log in with a username or an email address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS

from newsroom.prepared import prepared

from .models import Account


def user_for_login(login):
    """Return the user `login` names: a username first, else the one account with that email."""
    if not login:
        return None
    User = get_user_model()
    user = User._default_manager.filter(**{User.USERNAME_FIELD: login}).first()
    if user is None and "@" in login:
        # Two legacy accounts sharing an address: neither may log in by it, only by username.
        matches = list(User._default_manager.filter(email__iexact=login.strip())[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_for_login(username)
        if user is None:
            # Take as long as a wrong password would, so timing does not tell who has an account.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        try:
            user = _signed_in_user(int(user_id))
        except (TypeError, ValueError):  # a session naming no user this site could have made
            return None
        return user if user is not None and self.user_can_authenticate(user) else None


def _user_fields():
    return [field.attname for field in get_user_model()._meta.concrete_fields]


def _account_fields():
    return [field.attname for field in Account._meta.concrete_fields]


@prepared
def _user_and_account(user_id):
    """The user and, in the same row, their Account's fields (None without one)."""
    columns = [*_user_fields(), *(f"account__{name}" for name in _account_fields())]
    return get_user_model()._default_manager.filter(pk=user_id).values_list(*columns)


def _signed_in_user(user_id):
    """Return the user with their Account loaded, as select_related("account") would.

    Runs on every request of a signed-in reader (AuthenticationMiddleware), and every page drawn
    for them asks whether their email is confirmed (accounts.models.needs_confirmation), hence
    one row with both. Prepared, because compiling the ORM query cost more than the rest of
    their story page; still read from the database each time, so a deactivated account or a
    changed password (the session's auth hash) counts at once.
    """
    rows = _user_and_account.values(user_id)
    if not rows:
        return None
    User = get_user_model()
    user_names, account_names = _user_fields(), _account_fields()
    values = rows[0]
    user = User.from_db(DEFAULT_DB_ALIAS, user_names, values[: len(user_names)])
    account_values = values[len(user_names) :]
    account = None
    if account_values[0] is not None:
        account = Account.from_db(DEFAULT_DB_ALIAS, account_names, account_values)
        Account.user.field.set_cached_value(account, user)
    User.account.related.set_cached_value(user, account)
    return user


def axes_username(request, credentials):
    """Lock out the account, whichever of its names was typed (AXES_USERNAME_CALLABLE)."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get("username")
    user = user_for_login(typed) if typed else None
    return user.get_username() if user is not None else typed
