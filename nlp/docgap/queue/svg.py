"""Small server-rendered SVG charts (no JavaScript, no CDN). Labels are escaped."""
from __future__ import annotations

from markupsafe import Markup, escape

COLORS = {"hold": "#b42318", "review": "#b54708", "info": "#175cd3", "value": "#344054"}


def hbar(items: list[tuple[str, float]], unit: str = "", width: int = 560, fmt: str = "{:.0f}") -> Markup:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return Markup('<p class="muted">No data yet.</p>')
    row, label_w = 22, 170
    top = max(v for _, v in items) or 1
    h = row * len(items) + 8
    parts = [f'<svg class="chart" role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}">']
    for i, (label, v) in enumerate(items):
        y = 4 + i * row
        w = (width - label_w - 70) * v / top
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="{COLORS["value"]}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{escape(fmt.format(v))}{escape(unit)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_columns(labels: list[str], series: dict[str, list[int]], width: int = 640, height: int = 220) -> Markup:
    """Columns per label (e.g. month), stacked by series (e.g. severity), with a legend."""
    if not labels:
        return Markup('<p class="muted">No data yet.</p>')
    totals = [sum(series[k][i] for k in series) for i in range(len(labels))]
    top = max(totals) or 1
    plot_h, base = height - 50, height - 30
    col = max(8, min(60, (width - 40) // max(1, len(labels)) - 6))
    parts = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, label in enumerate(labels):
        x = 30 + i * (col + 6)
        y = base
        for name, values in series.items():
            h = plot_h * values[i] / top
            if h:
                y -= h
                parts.append(f'<rect x="{x}" y="{y:.1f}" width="{col}" height="{h:.1f}" fill="{COLORS.get(name, "#667085")}">'
                             f'<title>{escape(label)} {escape(name)}: {values[i]}</title></rect>')
        parts.append(f'<text x="{x + col / 2}" y="{base + 14}" text-anchor="middle" font-size="10">{escape(label)}</text>'
                     f'<text x="{x + col / 2}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">{totals[i]}</text>')
    for j, name in enumerate(series):
        parts.append(f'<rect x="{30 + j * 90}" y="{height - 10}" width="10" height="10" fill="{COLORS.get(name, "#667085")}"/>'
                     f'<text x="{44 + j * 90}" y="{height - 1}" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
