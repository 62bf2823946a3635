"""Every page at 1280 px, as each role: sign in as the officer, the supervisor, the read-only
viewer and the administrator, open every GET URL of the URL × role table
(tests/test_url_role_matrix.py, with its objects) that the role may see, and fail on

- horizontal overflow of the page (document scrollWidth > clientWidth);
- a table wider than its box that is not in a scroll box (a table scrolls within itself or its
  wrapper, never the page);
- a raw code in a table cell: a cell whose whole text is a one- or two-digit number under a header
  that names a code set (科目, 区分, コード, 種別, 経路, 事由, 状態, 種類) — the name belongs there.

One browser and one session per role, reused for every page; PDFs, CSVs and other
non-HTML answers are skipped. Screenshots of failing pages go to test-artifacts/e2e/<test>/.
"""

import pytest
from django.urls import reverse

from tests.test_url_role_matrix import MATRIX, objects  # noqa: F401  (the matrix's objects fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = ["officer", "supervisor", "read_only", "administrator"]

CODE_HEADER = r"科目|区分|コード|種別|経路|事由|状態|種類"

CHECK = """
(codeHeader) => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    problems.push(`ページが横にはみ出しています（${root.scrollWidth}px > ${root.clientWidth}px）`);
  }
  const scrolls = (element) => {
    for (let el = element; el && el !== document.body; el = el.parentElement) {
      const overflow = getComputedStyle(el).overflowX;
      if (overflow === "auto" || overflow === "scroll") return true;
    }
    return false;
  };
  const headerPattern = new RegExp(codeHeader);
  for (const table of document.querySelectorAll("main table")) {
    const box = table.parentElement;
    const width = Math.max(table.getBoundingClientRect().width, table.scrollWidth);
    if (width > box.clientWidth + 1 && !scrolls(table)) {
      problems.push(`表が枠より広く、スクロールもできません（${width}px > ${box.clientWidth}px）`);
    }
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.innerText.trim());
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, index) => {
        const header = headers[index] || "";
        const text = cell.innerText.trim();
        if (headerPattern.test(header) && /^[0-9]{1,2}$/.test(text)) {
          problems.push(`「${header}」の欄にコード「${text}」がそのまま表示されています`);
        }
      });
    }
  }
  return problems;
}
"""


def test_every_page_fits_at_1280_px_and_shows_names_not_codes(
    steps,
    officer,
    supervisor,
    read_only,
    administrator,
    objects,  # noqa: F811
):
    from playwright.sync_api import Error as PlaywrightError

    staff = {
        "officer": officer,
        "supervisor": supervisor,
        "read_only": read_only,
        "administrator": administrator,
    }
    page = steps.page
    assert page.viewport_size["width"] == 1280
    failures, visited = [], {}
    for role in ROLES:
        steps.sign_in(staff[role])
        assert page.locator("nav.menu a").count() > 0, f"{role}: メニューがありません"
        visited[role] = 0
        for url_name, (kwargs_builder, expected) in sorted(MATRIX.items()):
            if expected[role] != 200 or url_name == "accounts:logout":
                continue
            url = reverse(url_name, kwargs=kwargs_builder(objects) if kwargs_builder else None)
            try:
                response = page.goto(steps.base_url + url)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a PDF or CSV sent as an attachment
                raise
            if response is None or "text/html" not in response.headers.get("content-type", ""):
                continue  # a PDF, a CSV, a script
            visited[role] += 1
            problems = page.evaluate(CHECK, CODE_HEADER)
            if response.status != 200:
                problems.append(f"HTTP {response.status}")
            if problems:
                steps.shot(f"{role}-{url_name.replace(':', '-')}")
                failures.append(f"{role} {url}: " + " / ".join(problems))
        page.context.clear_cookies()  # the next role signs in afresh
    assert all(count > 0 for count in visited.values()), visited
    assert not failures, "\n".join(failures)
