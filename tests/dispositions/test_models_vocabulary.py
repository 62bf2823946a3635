from dispositions.models import FULLY_EXEMPT_POSTPONEMENT_CATEGORIES, DispositionCategory


def test_the_fully_exempt_postponements_are_disaster_illness_and_their_like():
    # 地方税法第15条の9第1項: 徴収の猶予 under 第15条第1項第1号・第2号 (and 第5号 for facts like them)
    assert {
        DispositionCategory.POSTPONED_DISASTER,
        DispositionCategory.POSTPONED_ILLNESS,
        DispositionCategory.POSTPONED_LIKE_DISASTER,
    } == FULLY_EXEMPT_POSTPONEMENT_CATEGORIES


def test_the_codes_the_exemptions_read_without_importing_dispositions_are_its_codes():
    from dispositions.models import CancellationCategory, DispositionCode
    from taxpayers import exemptions

    assert exemptions.SUSPENSION_CODE == DispositionCode.SUSPENSION
    assert exemptions.ERROR_CANCELLATION == CancellationCategory.ERROR
    assert set(exemptions.POSTPONEMENT_CODES) == {
        DispositionCode.COLLECTION_POSTPONED,
        DispositionCode.SALE_POSTPONED,
    }
