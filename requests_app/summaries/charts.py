"""Charts drawn on the server as inline SVG: a list of (label, value, link) becomes what the templates draw.

No JavaScript and no chart library: templates/includes/chart_bars.html and chart_line.html draw the geometry these
functions return, each followed by the same numbers as a table (with the links to the inbox). Sizes are in the
SVG's own units (its viewBox), so the SVG scales to the width of the page; they are rounded to one decimal.
Labels are cut to fit with an ellipsis; the table after the chart has them in full.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# (label, value, link to the inbox; "" for none)
Datum = tuple[str, float, str]

FONT_SIZE = 13
# An average character's width at FONT_SIZE, generous enough for Inter and the fall-back fonts.
CHARACTER_WIDTH = 7.0


def _round(number: float) -> float:
    return round(number, 1)


def format_number(value: float, decimals: int = 0) -> str:
    """The value as the active language writes it (12 345 in bokmål, 12,345 in English)."""
    return number_format(round(value, decimals) if decimals else round(value), decimals, force_grouping=True)


def shorten(label: str, width: float) -> str:
    """The label, cut with an ellipsis if it would not fit in `width` units."""
    fits = max(int(width // CHARACTER_WIDTH), 2)
    if len(label) <= fits:
        return label
    return label[: fits - 1].rstrip() + "…"


def axis_values(maximum: float, *, steps: int = 5, whole: bool = True) -> list[float]:
    """Round tick values from 0 to at or above `maximum`, in about `steps` steps of 1, 2 or 5 × 10ⁿ.

    With nothing above zero the axis runs from 0 to 1, so that no chart divides by zero. `whole` keeps steps of at
    least 1 (for counts).
    """
    if maximum <= 0:
        return [0, 1]
    raw = maximum / steps
    if whole:
        raw = max(raw, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(factor * magnitude for factor in (1, 2, 5, 10) if factor * magnitude >= raw - 1e-9)
    count = math.ceil(maximum / step - 1e-9)
    return [round(index * step, 10) for index in range(count + 1)]


@dataclass(frozen=True)
class Tick:
    value: float
    text: str
    position: float


@dataclass(frozen=True)
class Bar:
    label: str  # in full, for the table
    text: str  # as it fits in the chart
    value: float
    value_text: str
    link: str
    y: float
    middle: float
    height: float
    width: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row, labelled on the left and with the value written after the bar."""

    id: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    bars: list[Bar]
    ticks: list[Tick]
    width: float
    height: float
    label_x: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    tick_y: float

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    @property
    def total(self) -> float:
        return sum(bar.value for bar in self.bars)


def _describe(data: Sequence[Datum], decimals: int) -> str:
    """A sentence for the chart's <desc>: how many values, and the largest."""
    if not any(value for _label, value, _link in data):
        return _("No data for this period.")
    label, value, _link = max(data, key=lambda datum: datum[1])
    return ngettext(
        "%(count)s value. The largest is %(label)s: %(value)s. The numbers are in the table after the chart.",
        "%(count)s values. The largest is %(label)s: %(value)s. The numbers are in the table after the chart.",
        len(data),
    ) % {"count": len(data), "label": label, "value": format_number(value, decimals)}


def bar_chart(
    data: Sequence[Datum],
    *,
    id: str,
    title: str,
    label_heading: str,
    value_heading: str,
    description: str = "",
    decimals: int = 0,
    width: float = 640,
    label_width: float = 260,
    value_width: float = 64,
    bar_height: float = 20,
    gap: float = 8,
) -> BarChart:
    """The geometry of a horizontal bar chart of `data`, in its order."""
    top = 8.0
    plot_left = label_width
    plot_right = width - value_width
    plot_width = plot_right - plot_left
    values = axis_values(max((value for _label, value, _link in data), default=0), whole=decimals == 0)
    axis_max = values[-1]
    bars = []
    for index, (label, value, link) in enumerate(data):
        y = top + index * (bar_height + gap)
        length = _round(plot_width * max(value, 0) / axis_max)
        bars.append(
            Bar(
                label=label,
                text=shorten(label, label_width - 12),
                value=value,
                value_text=format_number(value, decimals),
                link=link,
                y=_round(y),
                middle=_round(y + bar_height / 2),
                height=bar_height,
                width=length,
                value_x=_round(plot_left + length + 6),
            )
        )
    plot_bottom = top + len(data) * (bar_height + gap) - gap / 2
    ticks = [
        Tick(value, format_number(value, decimals), _round(plot_left + plot_width * value / axis_max))
        for value in values
    ]
    return BarChart(
        id=id,
        title=title,
        description=description or _describe(data, decimals),
        label_heading=label_heading,
        value_heading=value_heading,
        bars=bars,
        ticks=ticks,
        width=width,
        height=_round(plot_bottom + 8 + FONT_SIZE + 6),
        label_x=plot_left - 8,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=top,
        plot_bottom=_round(plot_bottom),
        tick_y=_round(plot_bottom + 8 + FONT_SIZE),
    )


@dataclass(frozen=True)
class Point:
    label: str  # in full, for the table
    axis_label: str  # written under the axis; "" for none
    value: float
    value_text: str
    link: str
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    """One line through the values, left to right, with the value axis on the left."""

    id: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    points: list[Point]
    ticks: list[Tick]
    width: float
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    label_y: float  # the baseline of the labels under the axis
    tick_x: float  # where the value axis's numbers end
    mark_y: float  # the lower end of the marks under the axis

    @property
    def is_empty(self) -> bool:
        return not any(point.value for point in self.points)

    @property
    def total(self) -> float:
        return sum(point.value for point in self.points)

    @property
    def polyline(self) -> str:
        """The points for <polyline points="…">: always with decimal points, whatever the language."""
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


def line_chart(
    data: Sequence[Datum],
    *,
    id: str,
    title: str,
    label_heading: str,
    value_heading: str,
    axis_labels: Sequence[str] | None = None,
    description: str = "",
    decimals: int = 0,
    width: float = 640,
    height: float = 260,
) -> LineChart:
    """The geometry of a line chart of `data`; `axis_labels` (the same length, "" to skip) go under the axis."""
    plot_left, plot_right = 56.0, width - 40  # room for the last label under the axis
    plot_top, plot_bottom = 12.0, height - 40
    plot_width, plot_height = plot_right - plot_left, plot_bottom - plot_top
    values = axis_values(max((value for _label, value, _link in data), default=0), whole=decimals == 0)
    axis_max = values[-1]
    labels = list(axis_labels) if axis_labels is not None else [label for label, _value, _link in data]
    points = []
    for index, (label, value, link) in enumerate(data):
        x = plot_left + (plot_width * index / (len(data) - 1) if len(data) > 1 else plot_width / 2)
        points.append(
            Point(
                label=label,
                axis_label=labels[index] if index < len(labels) else "",
                value=value,
                value_text=format_number(value, decimals),
                link=link,
                x=_round(x),
                y=_round(plot_bottom - plot_height * max(value, 0) / axis_max),
            )
        )
    ticks = [
        Tick(value, format_number(value, decimals), _round(plot_bottom - plot_height * value / axis_max))
        for value in values
    ]
    return LineChart(
        id=id,
        title=title,
        description=description or _describe(data, decimals),
        label_heading=label_heading,
        value_heading=value_heading,
        points=points,
        ticks=ticks,
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        label_y=plot_bottom + 8 + FONT_SIZE,
        tick_x=plot_left - 8,
        mark_y=plot_bottom + 5,
    )
