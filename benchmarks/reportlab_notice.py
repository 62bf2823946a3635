"""Experiment (issue 21): the 催告書 drawn with ReportLab instead of WeasyPrint — not wired into the
app. The same content dict as templates/forms/notice.html receives (documents/content.py), the same
IPAex fonts and, as near as ReportLab's platypus allows, the layout of static/forms/forms.css: A4,
margins 14/16/16/16 mm, the recipient box, the issuer on the right, the title, the body, the table
of installments with fixed column widths, the note, the contact block and 「n／N頁」 at the foot of
every page of each document (a batch: many documents in one PDF, each numbered on its own, one
outline entry per document).

    WAKO_ENV=development .venv/bin/python -m benchmarks.reportlab_notice [--documents 500] [--block 50]

measures pages per second of both renderers in one process over the same documents (alternating
blocks: WeasyPrint's batch path `render_combined`, then this, block after block), the growth of the
process's resident memory by each, and writes page 1 of each, with long names and addresses and
異体字, as PDFs and 150 dpi PNGs (pdftoppm) for comparison side by side.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wako_collections.settings")
os.environ.setdefault("WAKO_ENV", "development")

import django

django.setup()

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_RIGHT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas as pdf_canvas  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

MINCHO, GOTHIC = "IPAexMincho", "IPAexGothic"
FONT_FILES = {
    MINCHO: "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    GOTHIC: "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
}
# @page margins, and the body's own 8 px (6 pt) of WeasyPrint's default style sheet
PAGE_TOP, PAGE_BOTTOM, INSET = 14 * mm, 16 * mm, 6
TOP, RIGHT, BOTTOM, LEFT = PAGE_TOP + INSET, 16 * mm + INSET, PAGE_BOTTOM + INSET, 16 * mm + INSET
WIDTH = A4[0] - LEFT - RIGHT
COLUMNS = (16, 10, 14, 6, 16, 10, 8, 10, 10)  # per cent, as forms.css's table.rows
HEADINGS = (
    "科目",
    "年度",
    "通知書番号",
    "期別",
    "納期限",
    "本税（円）",
    "督促手数料（円）",
    "延滞金（円）",
    "計（円）",
)


def register_fonts() -> None:
    for name, path in FONT_FILES.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path))


def style(name: str, **options) -> ParagraphStyle:
    size = options.pop("fontSize", 10.5)
    return ParagraphStyle(
        name,
        fontName=options.pop("fontName", MINCHO),
        fontSize=size,
        leading=options.pop("leading", size * 1.6),
        wordWrap="CJK",
        **options,
    )


BODY = style("body")
RECIPIENT = style("recipient", fontSize=11)
NAME = style("name", fontSize=13, spaceBefore=3 * mm)
ISSUER = style("issuer", fontSize=9.5, alignment=TA_RIGHT)
TITLE = style("title", fontName=GOTHIC, fontSize=18, alignment=TA_CENTER)
CELL = style("cell", fontSize=8.5)
HEAD = style("head", fontName=GOTHIC, fontSize=8.5)
MONEY = style("money", fontSize=8.5, alignment=TA_RIGHT)
SMALL = style("small", fontSize=8.5)


def yen(value) -> str:
    return "" if value in (None, "") else f"{int(value):,}"


def text(value) -> str:
    return escape(str(value))


class DocumentStart(Flowable):
    """Zero-size mark: the pages from here on belong to the document `label` (its page counter,
    its outline entry)."""

    def __init__(self, label: str, key: str):
        super().__init__()
        self.label, self.key = label, key
        self.width = self.height = 0

    def draw(self):
        self.canv.document_label = self.label
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.label, self.key, level=0)


class NumberedCanvas(pdf_canvas.Canvas):
    """Holds every page until the end, then writes 「<label>　n／N頁」 at the foot of each, N the
    pages of that page's document (forms.css's @bottom-center)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages: list[dict] = []
        self.document_label = ""

    def showPage(self):
        self.pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        counts: dict[str, int] = {}
        for page in self.pages:
            counts[page["document_label"]] = counts.get(page["document_label"], 0) + 1
        seen: dict[str, int] = {}
        for page in self.pages:
            label = page["document_label"]
            seen[label] = seen.get(label, 0) + 1
            self.__dict__.update(page)
            self.setFont(GOTHIC, 7.5)
            self.drawCentredString(A4[0] / 2, PAGE_BOTTOM / 2, f"{label}　{seen[label]}／{counts[label]}頁")
            super().showPage()
        super().save()


def page_label(d: dict) -> str:
    atena = d["recipient"].get("atena_number")
    return (f"宛名番号 {atena}　" if atena else "") + f"{d['form']}　文書番号 {d['number']}"


def header(d: dict) -> list:
    person = d["recipient"]
    lines = []
    if person.get("postal_code"):
        code = person["postal_code"]
        lines.append(Paragraph(f"〒{text(code[:3])}-{text(code[3:])}", RECIPIENT))
    lines.append(Paragraph(text(person["address"]), RECIPIENT))
    lines.append(Paragraph(f"{text(person['name'])} {text(person.get('honorific') or '様')}", NAME))
    if person.get("atena_number"):
        lines.append(Paragraph(f"宛名番号 {text(person['atena_number'])}", RECIPIENT))
    # width: 95mm is the content box (CSS content-box), padding outside it; min-height 30mm likewise
    box = Table([[lines]], colWidths=[101 * mm], minRowHeights=[36 * mm])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.3, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 3 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
            ]
        )
    )
    reissue = f"（再発行 元 {text(d['reissue_of'])}）" if d.get("reissue_of") else ""
    issuer = Paragraph(
        f"文書番号 {text(d['number'])}{reissue}<br/>{text(d['issued_on'])}<br/><br/>{text(d['city']['name'])}長",
        ISSUER,
    )
    top = Table([[box, issuer]], colWidths=[101 * mm, WIDTH - 101 * mm])
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                *(
                    (side, (0, 0), (-1, -1), 0)
                    for side in ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
                ),
            ]
        )
    )
    spaced = "&nbsp;".join(text(d["form"]))  # letter-spacing .4em
    return [top, Spacer(0, 4 * mm), Paragraph(spaced, TITLE), Spacer(0, 5 * mm)]


def body(d: dict) -> Paragraph:
    deadline = text(d["deadline"])
    if d["form_code"] == "05":
        words = (
            f"差押予告: {deadline}までに下記の全額を納付されない場合、地方税法の定めにより、"
            "預貯金・給与・不動産などの財産を差し押さえます。"
        )
    elif d["form_code"] == "04":
        words = (
            f"これまで再三納付をお願いしてきましたが、いまだに納付が確認できません。{deadline}までに"
            "下記の全額を納付してください。期限までに納付がない場合は、滞納処分を行います。"
        )
    else:
        words = (
            f"下記の{text(d.get('tax_words') or '市税等')}が未納となっています。{deadline}までに納付してください。"
            "納付が難しい事情がある場合は、期限までに必ずご相談ください。"
        )
    return Paragraph(words, BODY)


def rows_table(d: dict) -> Table:
    data = [[Paragraph(heading, HEAD) for heading in HEADINGS]]
    spans = []
    for row in d["rows"]:
        data.append(
            [
                Paragraph(text(row["subject"]), CELL),
                Paragraph(text(row["year"]), CELL),
                Paragraph(text(row["notice_number"]), CELL),
                Paragraph(f"第{row['period']}期", CELL),
                Paragraph(text(row["due_date"]), CELL),
                *(Paragraph(yen(row[key]), MONEY) for key in ("principal", "fee", "late_charge", "total")),
            ]
        )
        for relief in row.get("reliefs", ()):
            period = f" {text(relief['period'])}" if relief.get("period") else ""
            spans.append(len(data))
            data.append(
                [
                    Paragraph(text(relief["title"]) + period, CELL),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    Paragraph(f"免除額 {yen(relief['amount'])}", MONEY),
                    "",
                ]
            )
    totals = d["totals"]
    data.append(
        [
            Paragraph("<b>合計</b>", CELL),
            "",
            "",
            "",
            "",
            *(
                Paragraph(f"<b>{yen(totals[key])}</b>", MONEY)
                for key in ("principal", "fee", "late_charge", "total")
            ),
        ]
    )
    table = Table(data, colWidths=[WIDTH * share / 100 for share in COLUMNS], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),  # a table cell's default in CSS
                ("LEFTPADDING", (0, 0), (-1, -1), 1.2 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1.2 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 1 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1 * mm),
                ("SPAN", (0, -1), (4, -1)),
                *(("SPAN", (0, line), (6, line)) for line in spans),
            ]
        )
    )
    return table


def contact(d: dict) -> Table:
    city = d["city"]
    number = f"　（文書番号 {text(d['number'])} をお知らせください）" if d.get("number") else ""
    words = (
        f'<font name="{GOTHIC}">お問い合わせ先</font>&nbsp;&nbsp;&nbsp;{text(city["name"])} {text(city["department"])}'
        f"　{text(city['address'])}　電話 {text(city['phone'])}{number}"
    )
    block = Table([[Paragraph(words, SMALL)]], colWidths=[WIDTH])
    block.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, 0), (-1, 0), 0.4, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5 * mm),
            ]
        )
    )
    return block


def story(d: dict, key: str) -> list:
    note = (
        f"延滞金は{text(d['deadline'])}までに納付された場合の額で、納付の日によって変わります。"
        "既に納付された場合は、行き違いですのでご容赦ください。"
    )
    return [
        DocumentStart(page_label(d), key),
        *header(d),
        Spacer(0, 4 * mm),
        body(d),
        Spacer(0, 4 * mm),
        rows_table(d),
        Spacer(0, 4 * mm),
        Paragraph(note, SMALL),
        Spacer(0, 4 * mm),
        contact(d),
    ]


def render_notices(contents: list[dict]) -> bytes:
    """The 催告書 of `contents` in one PDF, each starting on a new page and numbered on its own."""
    register_fonts()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title="催告書",
    )
    frame = Frame(
        LEFT,
        BOTTOM,
        WIDTH,
        A4[1] - TOP - BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame])])
    flowables: list = []
    for n, d in enumerate(contents):
        if n:
            flowables.append(PageBreak())
        flowables += story(d, f"doc{n}")
    doc.build(flowables, canvasmaker=NumberedCanvas)
    return out.getvalue()


# --- the measure -------------------------------------------------------------------------------


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def samples_with_hard_cases(issued_on: date, deadline: date) -> list[dict]:
    """Page-1 samples: an ordinary letter, then long names and addresses and 異体字 (髙, 﨑, 邉, 齋,
    and 𠮷, which IPAex lacks)."""
    from benchmarks.documents import notice_content

    ordinary = notice_content(3, issued_on, deadline)
    hard = notice_content(7, issued_on, deadline)
    hard["recipient"] = {
        **hard["recipient"],
        "name": "髙橋 﨑子（旧姓 渡邉）𠮷田 齋藤 株式会社和光総合不動産管理サービス 代表取締役",
        "address": "埼玉県和光市西大和団地3-12-405 西大和団地ハイツ第二号棟南側エントランス奥 髙﨑方 長い方書の続き",
    }
    hard["rows"][0]["notice_number"] = "20230000003123456789"  # 20 digits: wraps inside its cell
    return [ordinary, hard]


def measure(*, documents: int = 500, block: int = 50, out: Path | None = None) -> dict:
    from benchmarks.documents import notice_content
    from documents.services import render_combined

    register_fonts()
    issued_on = date(2026, 11, 27)
    deadline = issued_on + timedelta(days=14)
    contents = [notice_content(i, issued_on, deadline) for i in range(documents)]
    render_combined(contents[:2])  # warm up both: fonts, templates
    render_notices(contents[:2])
    rss = {"start": resident_mib()}
    seconds = {"weasyprint": 0.0, "reportlab": 0.0}
    pages = {"weasyprint": 0, "reportlab": 0}
    growth = {"weasyprint": 0.0, "reportlab": 0.0}
    sizes = {"weasyprint": 0, "reportlab": 0}
    from pypdf import PdfReader

    for start in range(0, documents, block):
        part = contents[start : start + block]
        for name, render in (("weasyprint", render_combined), ("reportlab", render_notices)):
            before = resident_mib()
            started = time.perf_counter()
            pdf = render(part)
            seconds[name] += time.perf_counter() - started
            growth[name] = max(growth[name], resident_mib() - before)
            pages[name] += len(PdfReader(io.BytesIO(pdf)).pages)
            sizes[name] += len(pdf)
    result = {
        "documents": documents,
        "block": block,
        "pages": pages,
        "seconds": seconds,
        "pages_per_second": {name: pages[name] / seconds[name] for name in seconds},
        "speed_up": (pages["reportlab"] / seconds["reportlab"])
        / (pages["weasyprint"] / seconds["weasyprint"]),
        "kib_per_page": {name: sizes[name] / pages[name] / 1024 for name in sizes},
        "rss_start_mib": rss["start"],
        "rss_end_mib": resident_mib(),
        "peak_mib": peak_mib(),
        "largest_block_growth_mib": growth,
    }
    if out:
        out.mkdir(parents=True, exist_ok=True)
        samples = samples_with_hard_cases(issued_on, deadline)
        for name, render in (("weasyprint", render_combined), ("reportlab", render_notices)):
            for n, sample in enumerate(samples):
                path = out / f"{name}-{n}.pdf"
                path.write_bytes(render([sample]))
                subprocess.run(
                    [
                        "pdftoppm",
                        "-r",
                        "150",
                        "-f",
                        "1",
                        "-l",
                        "1",
                        "-png",
                        str(path),
                        str(path.with_suffix("")),
                    ],
                    check=True,
                )
    return result


def peak_alone(renderer: str, documents: int) -> dict:
    """One renderer alone in a fresh process over `documents` (in chunks of 250, as a batch):
    its own peak resident size (VmHWM)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.reportlab_notice",
            "--alone",
            renderer,
            "--documents",
            str(documents),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def alone(renderer: str, documents: int) -> None:
    from benchmarks.documents import notice_content
    from documents.services import render_combined

    issued_on = date(2026, 11, 27)
    contents = [notice_content(i, issued_on, issued_on + timedelta(days=14)) for i in range(documents)]
    render = render_combined if renderer == "weasyprint" else render_notices
    before = resident_mib()
    started = time.perf_counter()
    for start in range(0, documents, 250):
        render(contents[start : start + 250])
    print(
        json.dumps(
            {
                "renderer": renderer,
                "seconds": time.perf_counter() - started,
                "before_mib": before,
                "peak_mib": peak_mib(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--block", type=int, default=50)
    parser.add_argument("--out", type=Path, default=None, help="folder for page-1 PDFs and 150 dpi PNGs")
    parser.add_argument("--alone", choices=("weasyprint", "reportlab"), default=None)
    parser.add_argument("--alone-documents", type=int, default=250, help="documents of each peak-memory run")
    args = parser.parse_args()
    if args.alone:
        alone(args.alone, args.documents)
        return
    result = measure(documents=args.documents, block=args.block, out=args.out)
    result["alone"] = {name: peak_alone(name, args.alone_documents) for name in ("weasyprint", "reportlab")}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
