"""The city running the system, as printed on screens and forms (set by environment)."""

from django.conf import settings


def city(request):
    return {
        "city": {
            "name": settings.CITY_NAME,
            "department": settings.CITY_DEPARTMENT,
            "address": settings.CITY_ADDRESS,
            "phone": settings.CITY_PHONE,
        }
    }
