"""郵便番号 as staff type it: `351-0114` was stored as `351-011` (the box's maxlength of 7 cut it).
Every spelling of a 7-digit code normalises to its 7 digits, in the form and in the import;
anything else is refused in Japanese, never cut."""

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from dispositions.forms import InquiryTargetForm
from taxpayers.csv_layouts import CellError, postal_code
from wako_collections.formfields import PostalCodeField

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SEPARATORS = ["-", "－", "ー", "−", "‐", "ｰ", " ", "\u3000", ""]

code = st.text(alphabet="0123456789", min_size=7, max_size=7)


@st.composite
def typed(draw):
    """A 7-digit code the way a person types it: 〒 or not, full-width or not, any hyphen or none."""
    digits = draw(code)
    text = digits[:3] + draw(st.sampled_from(SEPARATORS)) + digits[3:]
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if draw(st.booleans()):
        text = "〒" + text
    return digits, text


@given(typed())
def test_every_spelling_of_a_code_is_kept_whole(example):
    digits, text = example
    assert PostalCodeField(required=False).clean(text) == digits
    assert postal_code(text) == digits


@pytest.mark.parametrize(
    "text", ["351-0114", "３５１－０１１４", "〒351-0114", "351ー0114", "3510114", "351 0114"]
)
def test_the_reported_code_and_its_variants(text):
    assert PostalCodeField().clean(text) == "3510114"


@given(st.text(alphabet="0123456789-", max_size=12).filter(lambda t: len(t.replace("-", "")) != 7))
def test_a_code_of_the_wrong_length_is_refused_not_cut(text):
    field = PostalCodeField(required=False)
    if not text.replace("-", ""):
        assert field.clean(text) == ""
        return
    with pytest.raises(forms.ValidationError, match="郵便番号は数字7桁"):
        field.clean(text)
    with pytest.raises(CellError):
        postal_code(text)


def test_the_inquiry_target_form_takes_a_hyphenated_code_and_shows_it_hyphenated():
    field = InquiryTargetForm().fields["postal_code"]
    assert int(field.widget.attrs["maxlength"]) >= len("〒３５１－０１１４")
    assert field.prepare_value("3510114") == "351-0114"
