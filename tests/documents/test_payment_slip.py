"""納付書: the GS1-128 convenience-store code against the layout's worked examples, and the slip."""

from datetime import date

import pytest

from documents import payment_codes, services
from documents.models import Document
from taxpayers.models import Assessment, Taxpayer
from tests.documents.test_documents import pdf_text
from wako_collections.actors import Actor

# Worked examples of the 44-digit layout (「GS1-128による標準料金代理収納ガイドライン」の例, as
# reproduced beside a public implementation's check-digit routine): (91) + 請求書発行企業コード +
# 自由使用欄 + 再発行区分 + 支払期限 + 印紙フラグ + 金額 → check digit 3 for both.
WORKED_EXAMPLES = [
    ("9191234501234567890123456789010103310123000", 3),
    ("9194238617895391785393569273010307311031290", 3),
]


@pytest.mark.parametrize(("body", "expected"), WORKED_EXAMPLES)
def test_the_check_digit_matches_the_layouts_worked_examples(body, expected):
    assert len(body) == 43
    assert payment_codes.check_digit(body) == expected


def test_the_check_digit_counts_the_ai_and_weighs_the_rightmost_digit_three():
    # A change in the AI or in the last amount digit must change the check digit.
    body = WORKED_EXAMPLES[0][0]
    assert payment_codes.check_digit("92" + body[2:]) != 3
    assert payment_codes.check_digit(body[:-1] + "1") == (3 - 3) % 10  # one more in a weight-3 place


def test_the_barcode_digits_follow_the_44_digit_layout():
    code = payment_codes.ConvenienceBarcode(
        company_code="912345",
        reference="2026000042000000101",
        reissue_count=1,
        due=date(2026, 12, 25),
        amount=37_600,
    )
    digits = code.digits()
    assert len(digits) == 44 and digits.startswith("91912345")
    assert digits[8:29] == "002026000042000000101"
    assert digits[29] == "1" and digits[30:36] == "261225" and digits[36] == "0" and digits[37:43] == "037600"
    assert int(digits[43]) == payment_codes.check_digit(digits[:43])


def test_bad_barcode_input_is_refused_in_japanese():
    with pytest.raises(payment_codes.BarcodeError, match="6桁"):
        payment_codes.ConvenienceBarcode("12345", "1", 0, date(2026, 1, 1), 100).digits()
    with pytest.raises(payment_codes.BarcodeError, match="6桁"):
        payment_codes.ConvenienceBarcode("912345", "1", 0, date(2026, 1, 1), 1_000_000).digits()


def test_the_symbol_is_gs1_128_code_c_with_fnc1():
    from barcode.codex import Gs1_128

    modules = Gs1_128(WORKED_EXAMPLES[0][0] + "3").build()[0]
    assert modules.startswith("1101001110011110101110")  # START C, then FNC1
    assert len(modules) == 11 + 11 + 22 * 11 + 11 + 13  # 22 digit pairs, symbol check, stop


def slip(officer, deadline=date(2022, 1, 31)):
    return services.issue_document(
        actor=Actor.for_staff(officer, "T0001"),
        form_code="01",
        taxpayer=Taxpayer.objects.get(atena_number="000000101"),
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        issued_on=date(2022, 1, 10),
        deadline=deadline,
    )


@pytest.mark.django_db
def test_a_payment_slip_has_three_parts_amounts_to_the_deadline_and_a_valid_barcode(officer, ledger):
    document = slip(officer)
    text = pdf_text(services.render_document(document))
    for part in ("領収証書", "納付書", "領収済通知書"):
        assert part in text
    assert "和光太郎様" in text and "令和4年1月31日" in text and "37,600円" in text
    digits = document.content["slip"]["barcode"]
    assert len(digits) == 44 and int(digits[-1]) == payment_codes.check_digit(digits[:-1])
    assert digits[30:36] == "220131" and digits[37:43] == "037600"
    assert document.number[1:] in digits[8:29]
    assert not document.is_legal_notice


@pytest.mark.django_db
def test_a_reissued_slip_counts_up_its_reissue_digit_and_gets_a_new_reference(officer, ledger):
    original = slip(officer)
    again = services.reissue_document(actor=Actor.for_staff(officer, "T0001"), document=original)
    old, new = original.content["slip"]["barcode"], again.content["slip"]["barcode"]
    assert new[29] == "1" and old[29] == "0" and new[8:29] != old[8:29]
    assert Document.objects.get(number=again.number).reissue_of == original


@pytest.mark.django_db
def test_a_slip_over_the_store_limit_prints_no_barcode(officer, ledger, settings, monkeypatch):
    monkeypatch.setattr(payment_codes, "STORE_LIMIT", 10_000)
    document = slip(officer)
    assert document.content["slip"]["barcode"] == ""
    assert "コンビニエンスストアでは納付できません" in pdf_text(services.render_document(document))


def _svg(uri: str) -> str:
    import base64

    return base64.b64decode(uri.removeprefix("data:image/svg+xml;base64,")).decode()


def _dark_cells(path: str) -> set[tuple[int, int]]:
    """The unit squares a path of axis-aligned rectangles fills: qrcode's `M2,2H3V3H2z` squares or
    payment_codes' `M2,2h7v1h-7z` runs."""
    import re

    cells = set()
    for x, y, width in re.findall(r"M(\d+),(\d+)H(\d+)V\d+H\d+z", path):
        cells |= {(column, int(y)) for column in range(int(x), int(width))}
    for x, y, width in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\d+z", path):
        cells |= {(column, int(y)) for column in range(int(x), int(x) + int(width))}
    return cells


@pytest.mark.parametrize("text", ["91" + "1" * 44 + " D2026000035", "9" * 44, "D1"])
def test_the_qr_code_fills_the_same_modules_as_qrcodes_own_image_with_a_shorter_path(text):
    import io
    import re

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    out = io.BytesIO()
    image.save(out)
    theirs, ours = out.getvalue().decode(), _svg(payment_codes.qr_svg(text))

    def path(svg):
        return re.search(r' d="([^"]+)"', svg).group(1)

    def frame(svg):
        return re.search(r"<svg ([^>]*)>", svg).group(1).split()

    assert _dark_cells(path(ours)) == _dark_cells(path(theirs)) != set()
    assert sorted(a for a in frame(ours) if a.startswith(("width", "height", "viewBox", "0"))) == sorted(
        a for a in frame(theirs) if a.startswith(("width", "height", "viewBox", "0"))
    )
    assert path(ours).count("M") < path(theirs).count("M") * 0.7


def test_qr_runs_make_one_rectangle_per_run_of_dark_modules():
    rows = [[False, True, True, False, True], [True, True, True, True, True], [False] * 5]
    assert payment_codes.qr_runs(rows) == ["M1,0h2v1h-2z", "M4,0h1v1h-1z", "M0,1h5v1h-5z"]


@pytest.mark.parametrize("digits", [WORKED_EXAMPLES[0][0] + "3", "91" + "0" * 42, "91" + "9" * 42])
def test_the_barcode_draws_python_barcodes_bars_as_one_path(digits):
    """The same bars at the same places (0.2 mm modules, 3 mm quiet zones) and the same size as
    python-barcode's SVGWriter draws with a <rect> each."""
    import io
    import re

    from barcode.codex import Gs1_128
    from barcode.writer import SVGWriter

    out = io.BytesIO()
    Gs1_128(digits, writer=SVGWriter()).write(
        out, options={"module_width": 0.2, "module_height": 10, "quiet_zone": 3, "write_text": False}
    )
    theirs, ours = out.getvalue().decode(), _svg(payment_codes.barcode_svg(digits))
    their_bars = [
        (round(float(x) / 0.2), round(float(width) / 0.2))
        for x, width in re.findall(
            r'<rect x="([\d.]+)mm" y="1.000mm" width="([\d.]+)mm" height="10.000mm"', theirs
        )
    ]
    our_bars = [(int(x), int(width)) for x, width in re.findall(r"M(\d+),5h(\d+)v50h-\d+z", ours)]
    assert our_bars == their_bars != []
    size = r'<svg [^>]*width="([\d.]+mm)" height="([\d.]+mm)"'
    assert re.search(size, ours, re.S).groups() == re.search(size, theirs, re.S).groups()
    assert ours.count("<rect") == 1 and ours.count("<path") == 1
    # drawn at its own size like theirs (no viewBox: the form's 64 × 10 mm box does not scale it)
    assert "viewBox" not in ours and "viewBox" not in theirs
    assert 'transform="scale(0.755906)"' in ours  # a module of 0.2 mm in CSS pixels (96 per inch)
