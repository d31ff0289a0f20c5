"""Server-rendered SVG charts in GOV.UK colours: no JavaScript, printable, and each drawn
beside its data table (the table is the accessible form; the SVG is `role="img"` with a
title and a description saying so).

`bars(table, columns)` draws grouped (or stacked) vertical bars, one group per row of the
table (weeks); `hbars(table, column)` one horizontal bar per row (providers, reasons).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from carebroker.reports.tables import Table, cell_text

# GOV.UK Design System colours: blue, orange, purple, dark grey; RAG: green, orange, red.
SERIES = ("#1d70b8", "#f47738", "#4c2c92", "#505a5f", "#00703c", "#d4351c")
RAG = {"Green": "#00703c", "Amber": "#f47738", "Red": "#d4351c"}
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
FONT = 'font-family="GDS Transport, arial, sans-serif"'
_ids = itertools.count(1)


def _number(value: object) -> float:
    if isinstance(value, int | float | Decimal):
        return float(value)
    return 0.0


def _nice_top(top: float) -> float:
    if top <= 0:
        return 1.0
    step = 10 ** (len(str(int(top))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        if top <= step * factor:
            return step * factor
    return top


def _short(label: object) -> str:
    text = cell_text(label)  # dates: "2 November 2026" -> "2 Nov"
    parts = text.split()
    if len(parts) == 3 and parts[2].isdigit():
        return f"{parts[0]} {parts[1][:3]}"
    return text if len(text) <= 22 else text[:21] + "…"


def _frame(uid: str, title: str, width: int, height: int, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text put in `body` went through escape()
        f'<svg class="carebroker-chart" role="img" aria-labelledby="chart-{uid}-title '
        f'chart-{uid}-desc" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="chart-{uid}-title">{escape(title)}</title>'
        f'<desc id="chart-{uid}-desc">The same figures are in the table beside the chart.</desc>'
        + "".join(body)
        + "</svg>"
    )


def bars(
    table: Table,
    columns: Sequence[str],
    *,
    stacked: bool = False,
    colours: dict[str, str] | None = None,
) -> SafeString:
    uid = f"{table.key}-{next(_ids)}"
    width, height, left, bottom, top_pad = 640, 320, 48, 56, 40
    plot_w, plot_h = width - left - 12, height - bottom - top_pad
    index = [table.columns.index(c) for c in columns]
    groups = [[_number(row[i]) for i in index] for row in table.rows]
    peak = max((sum(g) if stacked else max(g, default=0) for g in groups), default=0)
    top = _nice_top(peak)
    body: list[str] = []
    colour = [(colours or {}).get(c, SERIES[n % len(SERIES)]) for n, c in enumerate(columns)]
    # legend
    x = left
    for name, fill in zip(columns, colour, strict=True):
        body.append(f'<rect x="{x}" y="8" width="14" height="14" fill="{fill}"/>')
        body.append(f'<text x="{x + 20}" y="20" font-size="13" fill="{TEXT}">{escape(name)}</text>')
        x += 28 + 8 * len(name)
    # grid and scale
    for step in range(5):
        value = top * step / 4
        y = top_pad + plot_h - plot_h * step / 4
        body.append(
            f'<line x1="{left}" x2="{width - 12}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        shown = f"{value:g}" if value == int(value) else f"{value:.1f}"
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="{TEXT}">{shown}</text>'
        )
    if groups:
        slot = plot_w / len(groups)
        bar_w = slot * 0.7 / (1 if stacked else len(columns))
        every = max(1, len(groups) // 10)  # at most ten labels under the axis
        for g, (row, values) in enumerate(zip(table.rows, groups, strict=True)):
            x0 = left + g * slot + slot * 0.15
            base = top_pad + plot_h
            for s, value in enumerate(values):
                h = plot_h * value / top
                bx = x0 if stacked else x0 + s * bar_w
                by = base - h
                body.append(
                    f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{colour[s]}"><title>{escape(_short(row[0]))}: '
                    f"{escape(columns[s])} {escape(cell_text(row[index[s]]))}</title></rect>"
                )
                if stacked:
                    base = by
            if g % every == 0:
                body.append(
                    f'<text x="{left + g * slot + slot / 2:.1f}" y="{height - bottom + 18}" '
                    f'font-size="12" text-anchor="middle" fill="{TEXT}">'
                    f"{escape(_short(row[0]))}</text>"
                )
    body.append(
        f'<line x1="{left}" x2="{width - 12}" y1="{top_pad + plot_h}" y2="{top_pad + plot_h}" '
        f'stroke="{TEXT}" stroke-width="2"/>'
    )
    body.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 12}" font-size="13" '
        f'text-anchor="middle" fill="{TEXT}">{escape(table.columns[0])}</text>'
    )
    return _frame(uid, table.title, width, height, body)


def hbars(table: Table, column: str, *, limit: int = 15) -> SafeString:
    uid = f"{table.key}-{next(_ids)}"
    i = table.columns.index(column)
    rows = table.rows[:limit]
    label_w, bar_room, row_h = 200, 380, 26
    width, height = label_w + bar_room + 60, 40 + row_h * max(1, len(rows))
    top = _nice_top(max((_number(r[i]) for r in rows), default=0))
    body = [f'<text x="{label_w}" y="20" font-size="13" fill="{TEXT}">{escape(column)}</text>']
    for n, row in enumerate(rows):
        y = 32 + n * row_h
        w = bar_room * _number(row[i]) / top
        body.append(
            f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end" '
            f'fill="{TEXT}">{escape(_short(row[0]))}</text>'
        )
        body.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 8}" fill="{SERIES[0]}"/>'
        )
        body.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" font-size="12" fill="{TEXT}">'
            f"{escape(cell_text(row[i]))}</text>"
        )
    return _frame(uid, table.title, width, height, body)
