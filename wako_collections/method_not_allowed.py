"""405 in Japanese: Django answers a request with a method a view does not take (a GET of a
POST-only action, a bookmarked confirmation) with an empty `HttpResponseNotAllowed`, which Chromium
shows as a bare English error page. Django has no `handler405`, so this middleware renders
`templates/errors/405.html` in its place, keeping the status and the `Allow` header."""

from django.http import HttpResponseNotAllowed
from django.shortcuts import render

METHOD_LABELS = {
    "GET": "表示（GET）",
    "POST": "送信（POST）",
    "HEAD": "HEAD",
    "PUT": "PUT",
    "DELETE": "DELETE",
}


class MethodNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            page = render(
                request,
                "errors/405.html",
                {"method": request.method, "allowed": [METHOD_LABELS.get(m, m) for m in allowed]},
                status=405,
            )
            page["Allow"] = response["Allow"]
            return page
        return response
