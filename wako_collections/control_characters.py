"""Control characters in a URL path: no 宛名番号, 処分番号 or 文書番号 holds one, and PostgreSQL
refuses a NUL in any text it is asked to compare, so a path with one is answered 400 here, before
a view looks a record up by it (or the terminal check logs the path). The query string is left to
the forms that read it, which refuse a NUL with a message of their own."""

import re

from django.http import HttpResponseBadRequest

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
REFUSED = "URL に使えない文字（制御文字）が含まれています。メニューやリンクから開き直してください。"


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if CONTROL.search(request.path_info):
            return HttpResponseBadRequest(REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
