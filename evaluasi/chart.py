"""A server-rendered SVG bar chart of a distribution against its guidance (no JS, CSP-safe)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from evaluasi import rules

WARNA = {
    rules.SANGAT_BAIK: "#16a34a",
    rules.BAIK: "#0284c7",
    rules.BUTUH_PERBAIKAN: "#ca8a04",
    rules.KURANG: "#ea580c",
    rules.SANGAT_KURANG: "#dc2626",
}


def svg_distribusi(
    counts: dict[str, int], pedoman: rules.Pedoman | None, judul: str = ""
) -> SafeString:
    """Bars: the actual share per predikat; grey bands behind them: the guidance range."""
    w, h, left, top, bottom = 540, 230, 44, 14, 46
    plot_h = h - top - bottom
    col = (w - left - 10) / len(rules.PREDIKAT)
    total = sum(counts.values())

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="grafik" role="img" '
        f'aria-label="Distribusi predikat {escape(judul)}">'
    ]
    for pct in (0, 25, 50, 75, 100):
        yy = y(pct / 100)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{w - 10}" y2="{yy:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" font-size="10" text-anchor="end" fill="#6b7280">{pct}%</text>'
        )
    for i, kode in enumerate(rules.PREDIKAT):
        x = left + i * col
        if pedoman is not None:
            lo, hi = pedoman.rentang[kode]
            if lo == 0 and hi == 0:
                parts.append(
                    f'<text x="{x + col / 2:.1f}" y="{y(0.5):.1f}" font-size="10" '
                    f'text-anchor="middle" fill="#991b1b">tidak boleh ada</text>'
                )
            elif lo > 0 or hi < 1:  # "may be there" ([0, 100%]) draws no band
                parts.append(
                    f'<rect x="{x + 6:.1f}" y="{y(float(hi)):.1f}" width="{col - 12:.1f}" '
                    f'height="{max(y(float(lo)) - y(float(hi)), 1):.1f}" fill="#e0e7ef" '
                    f'stroke="#94a3b8" stroke-dasharray="3 2"><title>Pedoman {escape(rules.PREDIKAT_LABEL[kode])}</title></rect>'
                )
        n = counts.get(kode, 0)
        share = n / total if total else 0
        bar_h = plot_h * share
        parts.append(
            f'<rect x="{x + col * 0.28:.1f}" y="{y(share):.1f}" width="{col * 0.44:.1f}" '
            f'height="{bar_h:.1f}" fill="{WARNA[kode]}"><title>{escape(rules.PREDIKAT_LABEL[kode])}: '
            f"{n} ({rules.persen(n, total)})</title></rect>"
        )
        parts.append(
            f'<text x="{x + col / 2:.1f}" y="{y(share) - 4:.1f}" font-size="11" text-anchor="middle" '
            f'fill="#111827">{n}</text>'
        )
        label = rules.PREDIKAT_LABEL[kode]
        words = label.split(" ")
        for j, word in enumerate(words):
            parts.append(
                f'<text x="{x + col / 2:.1f}" y="{h - bottom + 16 + j * 12}" font-size="10.5" '
                f'text-anchor="middle" fill="#374151">{escape(word)}</text>'
            )
    if not total:
        parts.append(
            f'<text x="{(w + left) / 2:.1f}" y="{y(0.6):.1f}" font-size="13" text-anchor="middle" '
            f'fill="#6b7280">Belum ada evaluasi dengan predikat pada jendela ini</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  built from escaped parts and numbers only
