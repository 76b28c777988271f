"""Charts, drawn on the server as SVG by pygal: no JavaScript, nothing to load in the browser.

Every chart stands beside the table it is drawn from, and that table is the accessible
alternative: the SVG is marked as an image labelled by its title, and readers of the table
miss nothing the chart shows. The colours are NHS.UK palette colours with at least 4.5:1
contrast on white, so bars and lines meet WCAG 2.2 AA for non-text contrast (3:1) and the
text on them for text contrast. Nothing here draws a shape by hand.
"""

import base64

import pygal
from django.utils.html import format_html
from pygal.etree import etree
from pygal.style import Style

#: NHS blue, green, purple, dark red, pink, dark grey: each 4.5:1 or more on white.
SERIES_COLOURS = ("#005eb8", "#007f3b", "#330072", "#8a1538", "#7c2855", "#425563")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#212b32",
    foreground_strong="#212b32",
    foreground_subtle="#4c6272",
    opacity="1",
    opacity_hover="1",
    colors=SERIES_COLOURS,
    # Values are printed inside the bars: white on every series colour is 4.5:1 or more.
    value_colors=("#ffffff",) * len(SERIES_COLOURS),
    font_family="Frutiger W01, Arial, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
    value_label_font_size=14,
    legend_font_size=14,
    title_font_size=16,
    tooltip_font_size=14,
)

COMMON = {
    "style": STYLE,
    "js": [],  # no scripts: tooltips need them, and the table says everything anyway
    "disable_xml_declaration": True,
    "explicit_size": False,
    "truncate_label": -1,
    "truncate_legend": -1,
    "print_values": False,
    "show_y_guides": True,
    "margin": 8,
}


def _render(chart, label):
    tree = chart.render_tree()
    # pygal always embeds its settings in a <script> for its optional tooltips; a page
    # without scripts (and a strict Content-Security-Policy) has no use for it.
    for parent in tree.iter():
        for child in [node for node in parent if str(node.tag).endswith("script")]:
            parent.remove(child)
    svg = etree_to_text(tree)
    if not svg.startswith("<?xml") and "xmlns=" not in svg.split(">", 1)[0]:
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    # Served as an image: pygal styles its SVG with inline <style>, which the site's
    # Content-Security-Policy forbids in the page but not inside an image. The image is
    # named by its title; screen readers announce it and move on to the table.
    encoded = base64.b64encode(svg.encode()).decode()
    return format_html(
        '<img class="app-chart__image" src="data:image/svg+xml;base64,{}" alt="{}">',
        encoded,
        label,
    )


def etree_to_text(tree):
    return etree.tostring(tree, encoding="unicode")


def _count_axis(chart, series):
    """Counts start at nought and step in whole numbers (no "1.5 organisations")."""
    values = [v for values in series for v in values if v is not None]
    top = max(values, default=0)
    step = max(1, -(-int(top) // 8))
    chart.y_labels = list(range(0, int(top) + step + 1, step))
    chart.value_formatter = lambda value: f"{value:,.0f}" if value is not None else ""


def bar_chart(title, labels, values, *, horizontal=True, width=640):
    """One series of counts, one bar per label (horizontal: long labels stay readable)."""
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(160, 40 + 34 * len(labels)) if horizontal else 320
    chart = chart_class(
        width=width,
        height=height,
        show_legend=False,
        title=None,
        print_values=True,
        **{key: value for key, value in COMMON.items() if key != "print_values"},
    )
    chart.x_labels = [str(label) for label in labels]
    values = [int(value) if value is not None else None for value in values]
    _count_axis(chart, [values])
    chart.add(title, values)
    return _render(chart, title)


def line_chart(title, x_labels, series, *, width=640, height=320):
    """Counts over time: one line per series ({name: [values]}), x labels such as years."""
    chart = pygal.Line(
        width=width,
        height=height,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        x_label_rotation=0 if len(x_labels) <= 12 else 45,
        show_minor_x_labels=len(x_labels) <= 12,
        x_labels_major_every=max(1, len(x_labels) // 12),
        **COMMON,
    )
    chart.x_labels = [str(label) for label in x_labels]
    _count_axis(chart, series.values())
    for name, values in series.items():
        chart.add(str(name), list(values))
    return _render(chart, title)


def stacked_bar_chart(title, labels, series, *, horizontal=True, width=640):
    """Parts of a whole per label: {series name: [value per label]}."""
    chart_class = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    height = max(200, 80 + 34 * len(labels)) if horizontal else 320
    chart = chart_class(
        width=width, height=height, show_legend=True, legend_at_bottom=True, **COMMON
    )
    chart.x_labels = [str(label) for label in labels]
    totals = [sum(v or 0 for v in column) for column in zip(*series.values(), strict=True)]
    _count_axis(chart, [totals])
    for name, values in series.items():
        chart.add(str(name), list(values))
    return _render(chart, title)
