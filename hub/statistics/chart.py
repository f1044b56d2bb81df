"""The county board's charts: published cells drawn as SVG, server-side, by pygal.

Only cells `service.cells` publishes (perturbed, small ones left out) reach the drawing,
so a chart discloses exactly what the numbers beside it do. The SVG carries no script:
pygal's tooltip JavaScript (fetched from a CDN by default) is switched off, and the
console shows the drawing as an image.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from datetime import date

import pygal
from pygal.style import Style

from hub.statistics.models import Cell

# pygal appends a legacy import hook for its map plugins (find_module only) to
# sys.meta_path, where every failed import elsewhere meets it and warns; the hub draws no
# maps, so it goes
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "pygal"]

# the console's palette: distinguishable for common colour blindness (Okabe-Ito)
_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1b1f23",
    foreground_strong="#1b1f23",
    foreground_subtle="#505a64",
    font_family="system-ui, sans-serif",
    colors=("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"),
)


def stacked_by_month(
    cells: Sequence[Cell], title: str, labels: Mapping[str, str], months: Sequence[str]
) -> str:
    """Stacked bars: one bar per month, one series per value of the cells' one dimension,
    values named by `labels` where it names them."""
    chart = pygal.StackedBar(
        style=_STYLE,
        js=[],
        title=title,
        width=800,
        height=400,
        legend_at_bottom=True,
        x_label_rotation=30 if len(months) > 12 else 0,
        print_values=False,
        no_data_text="-",
        disable_xml_declaration=True,
    )
    chart.x_labels = list(months)
    by_value: dict[str, dict[str, int]] = {}
    for cell in cells:
        value = cell.values[0][1]
        by_value.setdefault(value, {})[cell.period] = cell.count
    for value in sorted(by_value, key=lambda v: labels.get(v, v)):
        chart.add(labels.get(value, value), [by_value[value].get(m) for m in months])
    # pygal writes its settings into a <script> even with no script to read them
    return _SCRIPT.sub("", str(chart.render(is_unicode=True)))


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


def months_between(start: date, end: date) -> list[str]:
    """Every calendar month from `start` to `end`, as YYYY-MM."""
    found, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
