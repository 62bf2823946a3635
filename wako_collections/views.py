from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import requires_csrf_token

from jobs.status import failed_jobs
from wako_collections.access import signed_in
from wako_collections.today import todays_work


@signed_in
def home(request):
    """今日の仕事 (wako_collections/today.py): counts, each linking to its list, for the menus the
    user holds. No taxpayer is named on it, so it writes no access-log row."""
    failed = failed_jobs()
    work = todays_work(request.user, today=timezone.localdate(), failed_jobs=failed)
    return render(request, "home.html", {"failed_jobs": failed, "work": work})


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    """No context processors: the database may be what failed. When it is (the server restarting,
    the connection lost, no connection left), staff are told so with 503 and a retry hint: the
    transaction in progress was rolled back. (A view's earlier transaction, committed before the
    connection dropped, stays: the page asks staff to check before entering a record again.)
    wako_collections/database_errors.py gives the same answer when DEBUG is on."""
    import sys

    from django.http import HttpResponse
    from django.template import loader

    from wako_collections.database_errors import DATABASE_ERRORS, unavailable_response

    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return unavailable_response()
    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
