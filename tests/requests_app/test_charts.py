"""The chart helpers (requests_app/summaries/charts.py) and the templates that draw them as SVG."""

import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import SimpleTestCase
from django.utils import translation

from requests_app.summaries.charts import axis_values, bar_chart, line_chart, shorten

pytestmark = pytest.mark.usefixtures("in_english")

HEADINGS: dict[str, Any] = {"label_heading": "Type", "value_heading": "Inquiries"}


class AxisTests(SimpleTestCase):
    def test_round_steps_of_one_two_or_five(self) -> None:
        self.assertEqual(axis_values(7), [0, 2, 4, 6, 8])
        self.assertEqual(axis_values(100), [0, 20, 40, 60, 80, 100])
        self.assertEqual(axis_values(101), [0, 50, 100, 150])
        self.assertEqual(axis_values(750_000), [0, 200_000, 400_000, 600_000, 800_000])

    def test_counts_step_by_whole_numbers(self) -> None:
        self.assertEqual(axis_values(1), [0, 1])
        self.assertEqual(axis_values(3), [0, 1, 2, 3])

    def test_fractions_when_asked(self) -> None:
        self.assertEqual(axis_values(0.9, whole=False), [0, 0.2, 0.4, 0.6, 0.8, 1.0])

    def test_nothing_above_zero_still_has_an_axis(self) -> None:
        self.assertEqual(axis_values(0), [0, 1])
        self.assertEqual(axis_values(-3), [0, 1])


class BarChartTests(SimpleTestCase):
    def test_geometry(self) -> None:
        chart = bar_chart([("A", 4, "/a"), ("B", 2, "/b"), ("C", 0, "")], id="c", title="Title", **HEADINGS)
        # Labels take 260 units, the values 64: 316 units for the bars, and the axis runs from 0 to 4.
        self.assertEqual((chart.plot_left, chart.plot_right, chart.width), (260, 576, 640))
        self.assertEqual([bar.width for bar in chart.bars], [316, 158, 0])
        self.assertEqual([bar.y for bar in chart.bars], [8, 36, 64])
        self.assertEqual([bar.middle for bar in chart.bars], [18, 46, 74])
        self.assertEqual([bar.value_x for bar in chart.bars], [582, 424, 266])
        self.assertEqual([(tick.text, tick.position) for tick in chart.ticks],
                         [("0", 260), ("1", 339), ("2", 418), ("3", 497), ("4", 576)])  # fmt: skip
        self.assertEqual((chart.plot_bottom, chart.tick_y, chart.height), (88, 109, 115))
        self.assertEqual(chart.total, 6)
        self.assertFalse(chart.is_empty)
        self.assertEqual(
            chart.description, "3 values. The largest is A: 4. The numbers are in the table after the chart."
        )

    def test_all_zero_draws_no_bars_and_divides_by_nothing(self) -> None:
        chart = bar_chart([("A", 0, "/a"), ("B", 0, "/b")], id="c", title="Title", **HEADINGS)
        self.assertTrue(chart.is_empty)
        self.assertEqual([bar.width for bar in chart.bars], [0, 0])
        self.assertEqual([tick.text for tick in chart.ticks], ["0", "1"])
        self.assertEqual(chart.description, "No data for this period.")
        self.assertTrue(bar_chart([], id="c", title="Title", **HEADINGS).is_empty)

    def test_long_labels_are_cut_to_fit_and_kept_whole_for_the_table(self) -> None:
        label = "An organisation with a very long name that goes on and on, Trondheim"
        chart = bar_chart([(label, 3, "/x")], id="c", title="Title", **HEADINGS)
        bar = chart.bars[0]
        self.assertEqual(bar.label, label)
        self.assertTrue(bar.text.endswith("…"))
        self.assertTrue(label.startswith(bar.text[:-1]))
        self.assertLessEqual(len(bar.text) * 7, chart.plot_left - 12 + 7)
        self.assertEqual(shorten("Short", 100), "Short")
        self.assertEqual(shorten("Exactly ten", 77), "Exactly ten")
        self.assertEqual(shorten("Exactly ten", 70), "Exactly t…")

    def test_values_are_written_in_the_language(self) -> None:
        with translation.override("nb"):
            chart = bar_chart([("A", 12345, "")], id="c", title="Title", **HEADINGS)
        self.assertEqual(chart.bars[0].value_text, "12\xa0345")
        with translation.override("en"):
            self.assertEqual(bar_chart([("A", 12345, "")], id="c", title="T", **HEADINGS).bars[0].value_text, "12,345")


class LineChartTests(SimpleTestCase):
    def test_geometry(self) -> None:
        chart = line_chart([("Jan", 0, "/1"), ("Feb", 5, "/2"), ("Mar", 10, "/3")], id="t", title="T", **HEADINGS)
        self.assertEqual([(point.x, point.y) for point in chart.points], [(56, 220), (328, 116), (600, 12)])
        self.assertEqual(chart.polyline, "56.0,220.0 328.0,116.0 600.0,12.0")
        self.assertEqual([tick.value for tick in chart.ticks], [0, 2, 4, 6, 8, 10])
        self.assertEqual(chart.ticks[1].position, 178.4)
        self.assertEqual([point.axis_label for point in chart.points], ["Jan", "Feb", "Mar"])

    def test_one_point_is_in_the_middle_and_zeros_lie_on_the_axis(self) -> None:
        chart = line_chart([("Jan", 0, "")], id="t", title="T", **HEADINGS)
        self.assertEqual((chart.points[0].x, chart.points[0].y), (328, 220))
        self.assertTrue(chart.is_empty)

    def test_axis_labels_can_skip_points(self) -> None:
        chart = line_chart([("a", 1, ""), ("b", 2, "")], id="t", title="T", axis_labels=["", "B"], **HEADINGS)
        self.assertEqual([point.axis_label for point in chart.points], ["", "B"])


class TemplateTests(SimpleTestCase):
    def render_bars(self, data: list[tuple[str, float, str]]) -> str:
        chart = bar_chart(data, id="chart-x", title="Inquiries by type", **HEADINGS)
        return render_to_string("includes/chart_bars.html", {"chart": chart})

    def test_the_svg_is_one_named_and_described_image(self) -> None:
        html = self.render_bars([("Research", 3, "/en/staff/?inquiry_type=research"), ("Event", 1, "")])
        self.assertIn('role="img"', html)
        self.assertIn('aria-labelledby="chart-x-title"', html)
        self.assertIn('aria-describedby="chart-x-desc"', html)
        self.assertIn('<title id="chart-x-title">Inquiries by type</title>', html)
        self.assertIn('<desc id="chart-x-desc">2 values. The largest is Research: 3.', html)
        self.assertNotIn("style=", html)
        self.assertNotIn("<script", html)

    def test_every_bar_is_labelled_with_text_and_the_table_has_the_same_numbers(self) -> None:
        html = self.render_bars([("Research", 3, "/en/staff/?inquiry_type=research"), ("Event", 1, "")])
        self.assertEqual(re.findall(r'class="chart__label"[^>]*>([^<]+)<', html), ["Research", "Event"])
        self.assertEqual(re.findall(r'class="chart__value"[^>]*>([^<]+)<', html), ["3", "1"])
        self.assertInHTML("<caption id='chart-x-caption'>Inquiries by type</caption>", html)
        self.assertInHTML('<tr><th scope="col">Type</th><th scope="col" class="number">Inquiries</th></tr>', html)
        self.assertInHTML(
            '<tr><th scope="row">Research</th><td class="number">'
            '<a class="ds-link" href="/en/staff/?inquiry_type=research">3</a></td></tr>',
            html,
        )
        self.assertInHTML('<tr><th scope="row">Event</th><td class="number">1</td></tr>', html)

    def test_an_empty_chart_says_so_and_still_has_its_table(self) -> None:
        html = self.render_bars([("Research", 0, "/x")])
        self.assertNotIn("<svg", html)
        self.assertIn("No data for this period.", html)
        self.assertInHTML(
            '<tr><th scope="row">Research</th><td class="number"><a class="ds-link" href="/x">0</a></td></tr>', html
        )

    def test_geometry_keeps_decimal_points_in_bokmal(self) -> None:
        with translation.override("nb"):
            html = self.render_bars([("A", 3, ""), ("B", 1, "")])
            line = render_to_string(
                "includes/chart_line.html",
                {"chart": line_chart([("a", 1, ""), ("b", 3, ""), ("c", 2, "")], id="t", title="T", **HEADINGS)},
            )
        self.assertIn('width="105.3"', html)  # 316 / 3
        self.assertNotRegex(html + line, r'="-?\d+,\d')
        self.assertIn('points="56.0,150.7 328.0,12.0 600.0,81.3"', line)

    def test_the_line_chart_marks_each_point_and_tabulates_it(self) -> None:
        chart = line_chart([("January 2026", 2, "/jan"), ("February 2026", 0, "/feb")], id="t", title="Per month",
                           axis_labels=["Jan 2026", ""], **HEADINGS)  # fmt: skip
        html = render_to_string("includes/chart_line.html", {"chart": chart})
        self.assertIn('role="img"', html)
        self.assertIn('<title id="t-title">Per month</title>', html)
        self.assertEqual(html.count('<circle class="chart__point"'), 2)
        self.assertEqual(re.findall(r'text-anchor="middle">([^<]+)<', html), ["Jan 2026"])
        self.assertInHTML(
            '<tr><th scope="row">February 2026</th><td class="number"><a class="ds-link" href="/feb">0</a></td></tr>',
            html,
        )
