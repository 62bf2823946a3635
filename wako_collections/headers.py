"""Response headers that Django's SecurityMiddleware does not set."""


class NoStoreMiddleware:
    """Pages hold personal data: no browser or proxy may keep a copy (static files are served
    earlier, by WhiteNoise, and stay cacheable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response
