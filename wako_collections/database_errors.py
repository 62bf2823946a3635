"""A request that failed because the database could not be reached is answered 503 with the
Japanese page, in every mode. With DEBUG on, Django answers an uncaught exception with its English
debug page before `handler500` is consulted; this middleware sits outermost and replaces that
answer when the failure was the database's (PostgreSQL out of connections, restarting, the
connection lost). Other errors keep Django's handling: the debug page in development, 500.html in
production."""

import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template import loader

DATABASE_ERRORS = (OperationalError, InterfaceError)
_MARK = "_wako_database_unavailable"


def unavailable_response() -> HttpResponse:
    """No context processors and no database: the page must render while the database is down."""
    response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
    response["Retry-After"] = "5"
    return response


@receiver(got_request_exception)
def _note_database_error(sender, request=None, **kwargs):
    # Django sends this while handling the exception, wherever it was raised (a view or an inner
    # middleware such as the session's), before the debug page or handler500 is made.
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        setattr(request, _MARK, True)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_ERRORS:  # raised past every inner handler (the test client re-raises)
            return unavailable_response()
        if response.status_code == 500 and getattr(request, _MARK, False):
            return unavailable_response()
        return response
