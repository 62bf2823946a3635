"""Collections officers at their terminals, for the load run (`benchmarks/load.py` starts locust
with this file; it is not run on its own).

Each simulated officer signs in as their own staff account (password, then TOTP), then works:
searches, opens taxpayers and their 収納状況照会, reads the case page (カルテ), records a contact now and
then and, rarely, issues a 納付書 and opens its PDF, with 1–5 s of thought between steps.
Every request is written as one JSON line to WAKO_LOAD_LOG; load.py computes the figures from
that file (and, for the fault run, when each failure happened).
"""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import date, timedelta
from pathlib import Path

import urllib3
from django_otp.oath import totp
from locust import HttpUser, between, events, task

from benchmarks.officer_forms import CSRF, payment_slip

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the run's own self-signed certificate

PLAN = json.loads(Path(os.environ["WAKO_LOAD_PLAN"]).read_text(encoding="utf-8"))
LOG = Path(os.environ["WAKO_LOAD_LOG"]).open("a", encoding="utf-8", buffering=1)  # noqa: SIM115 - open for the run
ACCOUNTS = itertools.cycle(PLAN["staff"])
SEQUENCE = itertools.count(1)

DATABASE_PAGE = "database-unavailable"  # templates/errors/503.html


@events.request.add_listener
def write_line(request_type, name, response_time, response, exception, start_time, context, **_):
    status = response.status_code if response is not None else 0
    text = ""
    if exception is not None and response is not None and "html" in response.headers.get("Content-Type", ""):
        text = response.text
    LOG.write(
        json.dumps(
            {
                "t": start_time,
                "name": name,
                "kind": context.get("kind", "page"),
                "ms": response_time,
                "status": status,
                "ok": exception is None,
                "error": "" if exception is None else str(exception)[:200],
                "own_error_page": DATABASE_PAGE in text,
                "marker": context.get("marker", ""),
            },
            ensure_ascii=False,
        )
        + "\n"
    )


class Officer(HttpUser):
    wait_time = between(1, 5)

    def on_start(self):
        self.client.verify = False
        self.account = next(ACCOUNTS)
        self.rng = random.Random()  # noqa: S311 - choosing what to look at, not a secret
        self.sign_in()

    # --- helpers -------------------------------------------------------------------------
    def fetch(self, path, name, *, kind="page", expect="", params=None, **context):
        """GET, counted as failed unless it is the page asked for (not, when signed in, the login page)."""
        with self.client.get(
            path,
            params=params,
            name=name,
            catch_response=True,
            context={"kind": kind, **context},
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/accounts/login/" in response.url and kind != "login":
                response.failure("signed out")
            elif expect and expect not in response.text:
                response.failure(f"{expect!r} not on the page")
            else:
                response.success()
            return response

    def submit(self, path, data, name, *, form_page="", kind="write", expect_redirect_to="", **context):
        """POST a form shown on `form_page` (default: `path`) with its CSRF token, as the browser
        would (Referer included). `data` may be a function of the form page's HTML (None: nothing
        to send)."""
        form_page = form_page or path
        page = self.fetch(form_page, name + "（画面）", kind=kind)
        token = CSRF.search(page.text or "") if page.status_code == 200 else None
        values = data(page.text) if callable(data) and token else data
        if token is None or values is None:
            return None, page
        with self.client.post(
            path,
            data={**values, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": self.host + form_page},
            name=name,
            catch_response=True,
            allow_redirects=False,
            context={"kind": kind, **context},
        ) as response:
            if response.status_code != 302 or expect_redirect_to not in response.headers.get("Location", ""):
                response.failure(f"HTTP {response.status_code} {response.headers.get('Location', '')}")
            else:
                response.success()
            return response, page

    def sign_in(self):
        response, _ = self.submit(
            "/accounts/login/",
            {"staff_number": self.account["staff_number"], "password": self.account["password"]},
            "ログイン（パスワード）",
            kind="login",
            expect_redirect_to="/accounts/login/verify/",
        )
        if response is None or response.status_code != 302:
            return
        code = totp(bytes.fromhex(self.account["totp_key"]))
        self.submit(
            "/accounts/login/verify/",
            {"token": f"{code:06d}"},
            "ログイン（ワンタイムパスワード）",
            kind="login",
            expect_redirect_to="/",
        )

    def taxpayer(self) -> dict:
        return self.rng.choice(PLAN["taxpayers"])

    # --- the work ------------------------------------------------------------------------
    @task(8)
    def search(self):
        person = self.taxpayer()
        query = self.rng.choice(
            [
                {"name": person["name"]},
                {"name": person["kana_surname"], "address": person["address_part"]},
                {"address": person["address_part"]},
                {"phone": person["phone"]},
                {"birth_date": person["birth_date"]},
                {"notice_number": self.rng.choice(PLAN["notice_numbers"])},
            ]
        )
        self.fetch("/taxpayers/", "検索", params=query, expect="検索")

    @task(8)
    def taxpayer_page(self):
        atena = self.taxpayer()["atena_number"]
        self.fetch(f"/taxpayers/{atena}/", "宛名・収納状況照会", expect=atena)

    @task(4)
    def ledger_as_of(self):
        atena = self.rng.choice(PLAN["delinquent"])
        as_of = date.today() + timedelta(days=self.rng.randint(0, 60))
        self.fetch(
            f"/taxpayers/{atena}/",
            "収納状況照会（未納のみ・基準日指定）",
            params={"outstanding_only": "on", "as_of": as_of.isoformat()},
            expect=atena,
        )

    @task(4)
    def case(self):
        atena = self.rng.choice(PLAN["delinquent"])
        self.fetch(f"/cases/{atena}/", "カルテ", expect=atena)

    @task(2)
    def record_contact(self):
        atena = self.rng.choice(PLAN["delinquent"])
        marker = f"負荷試験 {PLAN['run']} {self.account['staff_number']}-{next(SEQUENCE)}"
        self.submit(
            f"/negotiations/cases/{atena}/records/",
            {**PLAN["contact"], "content": f"電話で納付を催告。{marker}"},
            "交渉記録の入力",
            form_page=f"/negotiations/cases/{atena}/",
            expect_redirect_to=f"/cases/{atena}/",
            marker=marker,
        )

    @task(1)
    def payment_slip(self):
        atena = self.rng.choice(PLAN["delinquent"])
        today = date.today()
        response, _ = self.submit(
            f"/documents/cases/{atena}/new/",
            lambda page: payment_slip(page, today),
            "納付書の発行",
            expect_redirect_to="/documents/",
        )
        if response is not None and "/documents/" in response.headers.get("Location", ""):
            self.fetch(response.headers["Location"].rstrip("/") + "/pdf/", "PDF（納付書）", kind="pdf")
