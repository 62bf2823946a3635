"""The log of who viewed which taxpayer (Part III: 権限のない者による不正使用への対策).

Called by every view and document that shows a taxpayer's data, before the response is built;
if the row cannot be written the exception propagates and the page is not shown."""

from taxpayers.individual_numbers import redact
from taxpayers.models import TaxpayerAccess

# 画面 of an export's row (exports/views.py writes it, audit/findings.py flags a large one)
EXPORT_PAGE_PREFIX = "データ出力"


def record_access(request, *, page: str, atena_numbers, detail: str = "") -> TaxpayerAccess:
    return TaxpayerAccess.objects.create(
        staff_number=request.user.staff_number,
        terminal_number=request.terminal.terminal_number,
        page=page,
        atena_numbers=list(atena_numbers),
        detail=redact(detail)[:200],  # a reason typed by staff may hold a 個人番号
    )
