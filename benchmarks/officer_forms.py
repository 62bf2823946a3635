"""What a simulated officer reads off a page to fill in a form, shared by the load run's officers
(benchmarks/locustfile.py, in locust's process: no Django here) and the per-request CPU harness
(benchmarks/request_cpu.py), so that both post the same forms."""

from __future__ import annotations

import re
from datetime import date, timedelta

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ASSESSMENT = re.compile(r'name="assessments" value="(\d+)"')


def payment_slip(page: str, today: date) -> dict | None:
    """The 納付書の発行 form for up to three of the installments `page` offers, issued `today`
    and payable within 14 days; None when the page offers none."""
    installments = ASSESSMENT.findall(page)
    if not installments:
        return None
    return {
        "form_code": "01",
        "issued_on": today.isoformat(),
        "deadline": (today + timedelta(days=14)).isoformat(),
        "assessments": installments[:3],
    }
