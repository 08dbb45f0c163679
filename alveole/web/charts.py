"""What every chart drawn on the server shares (pygal, as SVG images of their own): the site's palette and
fonts, the dark theme, no script, and the Content-Security-Policy an image needs. The insights' charts and
the projects' timeline are drawn with these, so they look alike and follow the same rules."""

from __future__ import annotations

from typing import Any

from pygal.style import Style

# The site's palette (app.css), dark enough on white for text and bars; the chart's background is
# transparent and its text mid-grey, readable on the light and the dark theme alike.
COLOURS = ("#b06f00", "#2f6db5", "#2e8540", "#9b3d8f", "#c0392b")
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif'
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#6b665c",
    foreground_strong="#6b665c",
    foreground_subtle="#c9c4ba",
    opacity=".85",
    opacity_hover=".95",
    colors=COLOURS,
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    legend_font_family=FONT,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
)
# The page's dark theme reaches an SVG image through the same media query: its text turns light.
DARK = "inline:@media (prefers-color-scheme: dark) { text { fill: #b4ada1 !important; } }"
# A chart is an image: it needs its own inline styles (pygal writes them in the file) and nothing else.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def without_scripts(tree: Any) -> Any:
    """pygal always writes its configuration in a <script>: an image never runs it, so drop it."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return tree
