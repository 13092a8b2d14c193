"""Log in with a username or an email address."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


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
        # The account comes in the same query: every page for a signed-in reader asks whether
        # their email is confirmed (accounts.models.needs_confirmation).
        user = (
            get_user_model()._default_manager.select_related("account").filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


def axes_username(request, credentials):
    """Lock out the account, whichever of its names was typed (AXES_USERNAME_CALLABLE)."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get("username")
    user = user_for_login(typed) if typed else None
    return user.get_username() if user is not None else typed
