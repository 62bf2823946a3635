"""The codes printed on a 納付書: the convenience-store GS1-128 barcode and a QR code.

The barcode follows GS1 Japan「GS1-128による標準料金代理収納ガイドライン」(一般財団法人流通システム
開発センター), the 44-digit fixed layout read by every convenience store's POS:

    (91)  AI 2 digits — 料金代理収納 uses "91"
    M×6   請求書発行企業コード (the GS1 company prefix without the leading 4, or 9 + the old
          5-digit maker code) — setting CONVENIENCE_COMPANY_CODE
    E×21  自由使用欄 — here the document number and the 宛名番号
    S×1   再発行区分 (how many times re-issued, 0–9)
    Y×6   支払期限日 YYMMDD
    F×1   印紙フラグ — 0: public money needs no revenue stamp (印紙税法 別表第三の非課税文書)
    P×6   支払金額 in yen (so at most 999,999; stores accept up to 300,000 yen per slip)
    C×1   チェックデジット — modulus 10, weights 3 and 1 from the right, over all 43 digits
          before it, the AI included.

The symbol itself is Code 128 with FNC1 after the start character (GS1-128), drawn by
python-barcode; the QR code (qrcode) carries the same digits with the document number so that a
counter terminal or a smartphone can read the payment reference.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date

import qrcode
from barcode.codex import Gs1_128

AI = "91"
STORE_LIMIT = 300_000  # ガイドライン: コンビニ収納は1枚30万円以下
FIELD_MAX = 999_999  # the amount field has six digits


class BarcodeError(ValueError):
    pass


def check_digit(digits: str) -> int:
    """Modulus 10, weight 3·1: the rightmost digit weighs 3, the next 1, and so on."""
    if not digits.isdigit():
        raise BarcodeError("数字以外が含まれています。")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


@dataclass(frozen=True)
class ConvenienceBarcode:
    company_code: str
    reference: str
    reissue_count: int
    due: date
    amount: int
    stamp_flag: int = 0

    def digits(self) -> str:
        if len(self.company_code) != 6 or not self.company_code.isdigit():
            raise BarcodeError("請求書発行企業コードは6桁の数字です。")
        if len(self.reference) > 21 or not self.reference.isdigit():
            raise BarcodeError("自由使用欄は21桁以内の数字です。")
        if not 0 <= self.amount <= FIELD_MAX:
            raise BarcodeError("支払金額が6桁に収まりません。")
        body = (
            f"{AI}{self.company_code}{self.reference:0>21}{min(self.reissue_count, 9)}"
            f"{self.due:%y%m%d}{self.stamp_flag}{self.amount:06d}"
        )
        return body + str(check_digit(body))


def human_readable(digits: str) -> str:
    """The text printed under the bars, grouped as the guideline shows it."""
    return f"({digits[:2]}){digits[2:8]}-{digits[8:29]}-{digits[29]}-{digits[30:36]}-{digits[36]}-{digits[37:43]}-{digits[43]}"


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


# The symbol's geometry in modules of 0.2 mm: a quiet zone of 15 modules (3 mm) either side, bars
# 50 modules (10 mm) high with 5 (1 mm) of white above and below.
BARCODE_MODULE_MM = 0.2
BARCODE_QUIET_MODULES = 15
BARCODE_BAR_MODULES = 50
BARCODE_MARGIN_MODULES = 5


def barcode_svg(digits: str) -> str:
    """A data: URI of the GS1-128 symbol (0.2 mm modules: 58 mm of bars, within the 60 mm
    scanners the guideline names): python-barcode's modules (`Gs1_128.build`), drawn as one path
    with a rectangle per bar on a white ground — the bars python-barcode's SVGWriter draws as a
    <rect> each (about 80 elements WeasyPrint styled and drew one by one on every 納付書 PDF)."""
    (modules,) = Gs1_128(digits).build()
    width = len(modules) + 2 * BARCODE_QUIET_MODULES
    height = BARCODE_BAR_MODULES + 2 * BARCODE_MARGIN_MODULES
    bars = "".join(
        f"M{BARCODE_QUIET_MODULES + start},{BARCODE_MARGIN_MODULES}h{length}v{BARCODE_BAR_MODULES}h-{length}z"
        for start, length in _runs(modules)
    )
    # No viewBox, as python-barcode's: the symbol keeps its size in mm whatever box the form gives
    # the image (forms.css: 64 × 10 mm), so a module stays 0.2 mm. Without one a user unit is a CSS
    # pixel (1/96 in); the path, in modules, is scaled to mm by its transform.
    return _data_uri(
        (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<svg width="{width * BARCODE_MODULE_MM:.3f}mm"'
            f' height="{height * BARCODE_MODULE_MM:.3f}mm" version="1.1" xmlns="http://www.w3.org/2000/svg">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<path fill="black" transform="scale({BARCODE_MODULE_MM * 96 / 25.4:.6f})" d="{bars}"/></svg>'
        ).encode()
    )


def _runs(modules: str) -> list[tuple[int, int]]:
    """(start, length) of each run of "1" (a bar) in a module string."""
    runs, start = [], None
    for index, module in enumerate(modules + "0"):
        if module == "1" and start is None:
            start = index
        elif module != "1" and start is not None:
            runs.append((start, index - start))
            start = None
    return runs


QR_BORDER = 2  # quiet zone, in modules


def qr_svg(text: str) -> str:
    """A data: URI of the QR code of `text` (error correction M, the smallest version that holds
    it, a quiet zone of QR_BORDER modules): one SVG unit and 1 mm per module, as qrcode's
    SvgPathImage drew it. Each row's run of dark modules is one rectangle of the path (qrcode drew
    a square per module, about twice the path WeasyPrint has to parse and fill on every 納付書
    PDF); the filled area is the same modules."""
    code = qrcode.QRCode(border=QR_BORDER)
    code.add_data(text)
    code.make(fit=True)
    rows = code.get_matrix()  # quiet zone included
    size = len(rows)
    return _data_uri(
        (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<svg width="{size}mm" height="{size}mm" version="1.1"'
            f' viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg">'
            f'<path d="{"".join(qr_runs(rows))}"/></svg>'
        ).encode()
    )


def qr_runs(rows: list[list[bool]]) -> list[str]:
    """The path commands of a module matrix: one closed rectangle per horizontal run of dark
    modules, `M{x},{y}h{width}v1h-{width}z`, in row order."""
    return [
        f"M{start},{y}h{length}v1h-{length}z"
        for y, row in enumerate(rows)
        for start, length in _runs("".join("1" if dark else "0" for dark in row))
    ]
