"""Small SVG bar charts drawn on the server (no script, no outside requests; presentation
attributes only, so the page's Content-Security-Policy needs no inline styles)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#2a5d9f"


def yen_label(value: int) -> str:
    return f"{value / 10_000:,.0f}万円" if abs(value) >= 100_000 else f"{value:,}円"


def column_chart(
    points: list[tuple[str, int]], *, title: str, width: int = 720, height: int = 220
) -> SafeString:
    """Vertical bars, one per (label, yen) point, labelled under and above each bar."""
    top = max((value for _, value in points), default=0) or 1
    slot = width / max(len(points), 1)
    plot = height - 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(points):
        bar = plot * value / top
        x = i * slot + slot * 0.15
        y = 20 + plot - bar
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bar:.1f}" fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" font-size="10" text-anchor="middle">'
            f"{escape(yen_label(value))}</text>"
        )
        parts.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{height - 12}" font-size="11" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every label and value escaped above)


def bar_chart(points: list[tuple[str, int]], *, title: str, width: int = 720) -> SafeString:
    """Horizontal bars: label on the left, amount on the right."""
    row = 26
    height = row * len(points) + 10
    top = max((value for _, value in points), default=0) or 1
    left, right = 110, 120
    span = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(points):
        y = 5 + i * row
        parts.append(
            f'<text x="{left - 8}" y="{y + 17}" font-size="12" text-anchor="end">{escape(label)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{span * value / top:.1f}" height="{row - 8}" fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{left + span * value / top + 6:.1f}" y="{y + 17}" font-size="12">{escape(f"{value:,}円")}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
