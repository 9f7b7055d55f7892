"""A layout check for figures: every text is inside the canvas, and no title overlaps another text."""

from __future__ import annotations

from dataclasses import dataclass

TOLERANCE_PX = 1.0


@dataclass(frozen=True)
class DrawnText:
    """One text matplotlib drew: what kind it is, what it says, and its box in pixels."""

    kind: str  # "title", "suptitle", "label", "tick", "text", "legend"
    text: str
    box: object  # matplotlib.transforms.Bbox


def _axes_texts(ax) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = [("title", t) for t in (ax.title, ax._left_title, ax._right_title)]
    found += [("label", ax.xaxis.label), ("label", ax.yaxis.label)]
    found += [("label", ax.xaxis.offsetText), ("label", ax.yaxis.offsetText)]
    for axis in (ax.xaxis, ax.yaxis):
        for tick in axis._update_ticks():  # the ticks that are drawn (inside the view), not every Tick object
            found += [("tick", tick.label1), ("tick", tick.label2)]
    found += [("text", t) for t in ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        found += [("legend", t) for t in legend.get_texts()] + [("legend", legend.get_title())]
    return found


def drawn_texts(figure) -> list[DrawnText]:
    """Every non-empty visible text of `figure` after a draw as save_figure makes it, with its pixel box."""
    from seqlab.viz.figures import settle_layout

    settle_layout(figure)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    found: list[tuple[str, object]] = []
    if figure._suptitle is not None:
        found.append(("suptitle", figure._suptitle))
    found += [("text", t) for t in figure.texts]
    for legend in figure.legends:
        found += [("legend", t) for t in legend.get_texts()]
    axes = list(figure.axes)
    axes += [child for ax in figure.axes for child in ax.child_axes if child not in axes]
    for ax in axes:
        if ax.get_visible():
            found += _axes_texts(ax)
    out, seen = [], set()
    for kind, artist in found:
        if id(artist) in seen:  # the suptitle is also one of figure.texts
            continue
        seen.add(id(artist))
        if artist.get_visible() and artist.get_text().strip():
            out.append(DrawnText(kind, artist.get_text(), artist.get_window_extent(renderer)))
    return out


def layout_problems(figure) -> list[str]:
    """What is wrong with the figure's text layout (empty when nothing is)."""
    texts = drawn_texts(figure)
    canvas = figure.bbox
    problems = []
    for item in texts:
        box = item.box
        if (box.x0 < canvas.x0 - TOLERANCE_PX or box.y0 < canvas.y0 - TOLERANCE_PX
                or box.x1 > canvas.x1 + TOLERANCE_PX or box.y1 > canvas.y1 + TOLERANCE_PX):
            problems.append(f"{item.kind} {item.text!r} falls outside the figure ({box.bounds} vs {canvas.bounds})")
    titles = [t for t in texts if t.kind in ("title", "suptitle")]
    for title in titles:
        for other in texts:
            if other is title or other.box.width == 0 or title.box.width == 0:
                continue
            if title.box.overlaps(other.box):
                overlap_w = min(title.box.x1, other.box.x1) - max(title.box.x0, other.box.x0)
                overlap_h = min(title.box.y1, other.box.y1) - max(title.box.y0, other.box.y0)
                if overlap_w > TOLERANCE_PX and overlap_h > TOLERANCE_PX:
                    problems.append(f"{title.kind} {title.text!r} overlaps {other.kind} {other.text!r}")
    return sorted(set(problems))


def assert_clean_layout(figure) -> None:
    """Fail with every problem listed when any text is outside the canvas or overlaps a title."""
    problems = layout_problems(figure)
    assert not problems, "figure layout:\n  " + "\n  ".join(problems)
