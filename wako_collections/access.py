"""Menu permissions: the only way a view lets a user in (deny by default).

Every view except the sign-in steps is wrapped in `menu_required`; the URL × role test
(tests/test_url_role_matrix.py) proves it for every URL pattern.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied


def has_menu(user, codename: str) -> bool:
    return user.is_authenticated and user.has_perm(f"accounts.{codename}")


def menu_required(codename: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_menu(request.user, codename):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_menu = codename
        return wrapped

    return decorator


def any_menu_required(*codenames: str):
    """For a page two roles reach through different menus (the 逆連携 log: システム管理者 by 利用者管理,
    監督者 by 庁内連携データの取込); `required_menu` is the tuple, each named in the README's row."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(has_menu(request.user, codename) for codename in codenames):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_menu = codenames
        return wrapped

    return decorator


def signed_in(view):
    """For pages every verified staff member may see (home, own password); the middleware
    has already required the password, the second factor and the terminal."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.required_menu = None
    return wrapped
