"""Joining chunk PDFs into one file: pages and outline kept in order, memory flat in the page count."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from tests.documents.test_documents import pdf_text
from wako_collections.pdf import render_html
from wako_collections.pdf_join import join_files

PAGES_PER_CHUNK = 20


@pytest.fixture(scope="module")
def chunk(tmp_path_factory) -> Path:
    """A chunk as a batch renders it: one page per document, one outline entry (bookmark) each."""
    sections = "".join(
        f'<h1 style="break-before: page">文書 {n:03d}</h1><p>宛名番号 {n:09d} 様</p>'
        for n in range(PAGES_PER_CHUNK)
    )
    path = tmp_path_factory.mktemp("chunks") / "chunk.pdf"
    path.write_bytes(render_html(f"<html lang='ja'><body>{sections}</body></html>"))
    return path


def test_the_joined_file_has_every_page_in_order_and_one_outline_entry_per_document(chunk, tmp_path):
    joined = tmp_path / "joined.pdf"
    assert join_files([chunk] * 3, joined) == 3 * PAGES_PER_CHUNK
    reader = PdfReader(joined, strict=True)
    assert len(reader.pages) == 3 * PAGES_PER_CHUNK
    assert [entry.title for entry in reader.outline] == [f"文書 {n:03d}" for n in range(PAGES_PER_CHUNK)] * 3
    assert [reader.get_destination_page_number(entry) for entry in reader.outline] == list(range(60))
    writer = PdfWriter()
    writer.add_page(reader.pages[59])
    last = io.BytesIO()
    writer.write(last)
    assert f"宛名番号{PAGES_PER_CHUNK - 1:09d}" in pdf_text(last.getvalue())


def test_an_unreadable_chunk_leaves_no_half_written_file(chunk, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot a pdf")
    with pytest.raises(Exception):  # noqa: B017  (pypdf's own error for a damaged file)
        join_files([chunk, broken], tmp_path / "joined.pdf")
    assert not (tmp_path / "joined.pdf").exists()


GROWTH = """
import json, sys
from pathlib import Path
from wako_collections.pdf_join import join_files
chunk, copies, out = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
join_files([chunk], out)  # warm up: imports, first-use allocations
before = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
pages = join_files([chunk] * copies, out)
# VmHWM: this program's own peak (getrusage would report the forking parent's size)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"pages": pages, "growth_kib": peak - before}))
"""


def peak_growth_kib(chunk: Path, copies: int, out: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", GROWTH, str(chunk), str(copies), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    result = json.loads(done.stdout)
    assert result["pages"] == copies * PAGES_PER_CHUNK
    return result["growth_kib"]


def test_memory_does_not_grow_with_the_number_of_pages(chunk, tmp_path):
    """10× the pages, the same memory: holding the pages (pypdf's PdfWriter, ~24 KiB a page of a
    real letter) adds ~22 MiB here; streamed, it stays within 0.5 MiB. A fresh process each, so that peaks are its own."""
    small = peak_growth_kib(chunk, 5, tmp_path / "small.pdf")  # 100 pages
    large = peak_growth_kib(chunk, 50, tmp_path / "large.pdf")  # 1,000 pages
    assert large < small + 2 * 1024, (small, large)
    print(f"peak growth: 100 pages {small} KiB, 1,000 pages {large} KiB")
    assert (tmp_path / "large.pdf").stat().st_size > 9 * (tmp_path / "small.pdf").stat().st_size


def test_a_join_of_50000_documents_stays_within_a_few_mib(chunk, tmp_path):
    """Issue 21: a batch's join of 50,000 one-page documents (2,500 chunk files of 20) in a fresh
    process. What it keeps is an offset per object and an object number per page, a few dozen bytes
    a page: 3.5 MiB measured (55 s), where holding the pages (~24 KiB each) would take over 1 GiB."""
    documents = 50_000
    growth = peak_growth_kib(chunk, documents // PAGES_PER_CHUNK, tmp_path / "batch.pdf")
    print(f"peak growth joining {documents:,} documents: {growth:,} KiB")
    assert growth < 16 * 1024, growth  # 16 MiB: under 330 bytes a document


def test_single_documents_reuse_this_threads_font_configuration(monkeypatch):
    """The fonts are loaded once per process thread, not again for every PDF (issue 21)."""
    import threading

    import weasyprint

    from wako_collections import pdf

    used = []
    original = weasyprint.HTML.write_pdf

    def write_pdf(self, *args, **kwargs):
        used.append(kwargs.get("font_config"))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", write_pdf)
    first = pdf.render_html("<p>一</p>")
    pdf.render_html("<p>二</p>")
    assert first.startswith(b"%PDF")
    assert used[0] is not None and used[0] is used[1]
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_configuration()))
    thread.start()
    thread.join()
    assert other[0] is not used[0]


def test_the_forms_stylesheet_is_parsed_once_and_styles_every_form(monkeypatch):
    """forms.css is parsed once per thread (not fetched and parsed for every document, issue 21)
    and applied to single forms and to a chunk alike: its @page rules print 「n／N頁」 and the
    document's id at each page's foot. No form template links a stylesheet of its own."""
    import weasyprint

    from wako_collections import pdf

    parsed = []
    original = weasyprint.CSS.__init__

    def counting_init(self, *args, **kwargs):
        parsed.append(kwargs.get("filename") or kwargs.get("url") or args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.CSS, "__init__", counting_init)
    monkeypatch.setattr(pdf._fonts, "stylesheet", None)
    page = '<section class="doc" data-page-id="文書番号 X-{n}"><p>本文{n}</p></section>'
    single = pdf.render_html(page.format(n=1))
    many = pdf.render_many([page.format(n=2), page.format(n=3)])
    assert len(parsed) == 1, parsed
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(single)).pages]
    texts += [p.extract_text() for p in PdfReader(io.BytesIO(many)).pages]
    flat = ["".join(t.split()) for t in texts]
    for n, text in zip((1, 2, 3), flat, strict=True):
        assert f"文書番号X-{n}" in text and "1／1頁" in text, text
    templates = Path(__file__).resolve().parents[2] / "templates" / "forms"
    linked = [
        t.name for t in templates.glob("*.html") if "<link" in t.read_text() or "<style" in t.read_text()
    ]
    assert not linked
