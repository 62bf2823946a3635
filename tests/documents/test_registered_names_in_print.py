"""Printed forms print the 氏名 and 住所 as registered: a CP932 人名用漢字 variant (塚 U+FA10, 隆 U+F9DC)
reaches the PDF as itself, in a font that has its own glyph for it."""

from datetime import date

import pytest
from fontTools.ttLib import TTFont

from documents import services
from taxpayers.importing import run_import, start_log
from taxpayers.models import Assessment, Taxpayer
from tests.documents.test_documents import pdf_text
from tests.taxpayers.conftest import PERSON_HEADER, PERSONS
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

REGISTERED_NAME = "\ufa10本 \uf9dc"  # 塚本 隆 as the 住基 system registered it
REGISTERED_ADDRESS = "埼玉県和光市本町二丁目1番6号"
FORM_FONTS = [
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
]


@pytest.mark.parametrize("path", FORM_FONTS)
def test_the_form_fonts_draw_every_cp932_compatibility_ideograph_with_its_own_glyph(path):
    cmap = TTFont(path).getBestCmap()
    compatibility = set()
    for lead in range(0x81, 0x100):
        for trail in range(0x40, 0x100):
            try:
                char = bytes([lead, trail]).decode("cp932")
            except UnicodeDecodeError:
                continue
            if len(char) == 1 and 0xF900 <= ord(char) <= 0xFAFF:
                compatibility.add(char)
    assert len(compatibility) >= 30
    for char in compatibility:
        assert ord(char) in cmap, f"U+{ord(char):04X}"
    assert cmap[0xFA10] != cmap[0x585A] and cmap[0xF9DC] != cmap[0x9686]


def test_a_notice_prints_the_registered_name_and_address_as_they_are(officer, ledger, write_csv, batch_actor):
    # the next 宛名 file, in CP932, carries the registered forms
    row = PERSONS[0].replace("和光 太郎", REGISTERED_NAME).replace("埼玉県和光市広沢1-5", REGISTERED_ADDRESS)
    path = write_csv("persons.csv", PERSON_HEADER, [row], encoding="cp932")
    run_import(
        log=start_log(kind="persons", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    taxpayer = Taxpayer.objects.get(atena_number="000000101")
    assert taxpayer.name == REGISTERED_NAME
    document = services.issue_document(
        actor=Actor.for_staff(officer, "T0001"),
        form_code="03",
        taxpayer=taxpayer,
        assessment_ids=[Assessment.objects.get(notice_number="210000101").pk],
        issued_on=date(2022, 1, 10),
        deadline=date(2022, 1, 31),
    )
    text = pdf_text(services.render_document(document))
    assert "\ufa10本\uf9dc様" in text and "塚本隆" not in text
    assert REGISTERED_ADDRESS in text
