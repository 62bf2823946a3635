"""The ReportLab experiment (benchmarks/reportlab_notice.py, issue 21) still draws a 催告書: one page,
its text extractable (the IPAex fonts embedded with their Unicode map), the amounts and the 和暦
dates of the content printed, the page identified with n／N."""

import re
import shutil
import subprocess
from datetime import date

from benchmarks.documents import notice_content
from benchmarks.reportlab_notice import render_notices


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return out


def test_the_experiment_draws_a_notice_with_its_amounts_on_one_page():
    content = notice_content(3, date(2026, 11, 27), date(2026, 12, 11))
    pdf = render_notices([content])
    text = pdf_text(pdf)
    flat = re.sub(r"\s+", "", text)

    assert text.count("\f") == 1  # one page
    assert "催告書" in flat
    assert "令和8年12月11日までに納付してください" in flat
    assert f"文書番号{content['number']}1／1頁" in flat
    amounts = set(re.findall(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?![\d,])", text))
    for row in content["rows"]:
        assert f"{row['principal']:,}" in amounts
        assert f"{row['total']:,}" in amounts
    assert f"{content['totals']['total']:,}" in amounts


def test_each_document_of_a_batch_is_numbered_on_its_own():
    contents = [notice_content(i, date(2026, 11, 27), date(2026, 12, 11)) for i in range(3)]
    pages = [
        re.sub(r"\s+", "", page) for page in pdf_text(render_notices(contents)).split("\f") if page.strip()
    ]

    assert len(pages) == 3
    for content, page in zip(contents, pages, strict=True):
        assert f"宛名番号{content['recipient']['atena_number']}" in page
        assert f"文書番号{content['number']}1／1頁" in page
