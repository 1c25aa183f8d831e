"""The explorers' base class and the small helpers their result panels share.

:class:`Explorer` builds the controls, the result panel, the figure and the
static fallback described in :mod:`rmlib.widgets`; every explorer subclasses it.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["Explorer"]

_STATIC_NOTE = (
    "This interactive explorer needs a running Jupyter kernel "
    "(JupyterLab 4 with ipywidgets 8). Open the notebook in JupyterLab and run "
    "it to use the controls."
)


def _fmt(value: Any) -> str:
    """A setting or result as text: 4 significant digits, whole numbers from 1,000 up.

    >>> [_fmt(v) for v in (33117.4, 514.25, 0.4631, 1234567.0, 5, float("nan"))]
    ['33,117', '514.2', '0.4631', '1,234,567', '5', 'nan']
    """
    if isinstance(value, float):
        if math.isfinite(value) and abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:,.4g}"
    return str(value)


class Explorer(widgets.VBox):
    """Base class: controls, a result panel, an optional figure, a static fallback.

    Subclasses set :attr:`title`, build their controls, and implement
    :meth:`compute` (numbers from the analytics, returned as a dict),
    :meth:`render` (HTML for the result panel) and, with a figure,
    :meth:`draw` (plots onto :attr:`ax`).

    Parameters
    ----------
    controls : dict
        Named input widgets; each is observed and triggers :meth:`update`.
    figsize : tuple, optional
        Size of the explorer's figure in inches; ``None`` for no figure.
    """

    title = "Explorer"

    def __init__(
        self,
        controls: Mapping[str, widgets.Widget],
        *,
        figsize: tuple[float, float] | None = (6.5, 4.0),
    ) -> None:
        self.controls: dict[str, widgets.Widget] = dict(controls)
        self.output = widgets.HTML()
        self.result: dict[str, Any] = {}
        #: The library's message when the current settings cannot be computed, else None.
        self.error: str | None = None
        self.figure: Figure | None = None
        self.ax: Axes | None = None
        self.image: widgets.Image | None = None
        children: list[widgets.Widget] = [widgets.HTML(f"<b>{html.escape(self.title)}</b>")]
        children += list(self.controls.values())
        children.append(self.output)
        if figsize is not None:
            self.figure = Figure(figsize=figsize, layout="constrained")
            self.ax = self.figure.add_subplot()
            self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
            children.append(self.image)
        super().__init__(children=children)
        for control in self.controls.values():
            control.observe(self.update, names="value")
        self.update()

    # -- to be provided by subclasses ----------------------------------------
    def compute(self) -> dict[str, Any]:
        """Numbers for the current control values (from the analytics)."""
        raise NotImplementedError

    def render(self, result: dict[str, Any]) -> str:
        """HTML for the result panel."""
        rows = "".join(
            f"<tr><td>{html.escape(str(k))}</td><td>{html.escape(_fmt(v))}</td></tr>"
            for k, v in result.items()
        )
        return f"<table>{rows}</table>"

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        """Draw the figure for ``result`` on ``ax`` (already cleared)."""

    # -- machinery ----------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Current value of every control, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def update(self, change: Any = None) -> None:
        """Recompute, re-render the result panel and redraw the figure."""
        try:
            self.result = self.compute()
        except (ValueError, TypeError) as exc:
            # Show the library's own message instead of a traceback in the widget.
            self.result = {}
            self.error = str(exc)
            self.output.value = (
                f"<p style='color:#D55E00'><b>Cannot compute:</b> {html.escape(str(exc))}</p>"
            )
            if self.image is not None:
                # No chart of earlier settings beside the message: it would show numbers
                # that no longer match the controls.
                self.image.value = b""
            return
        self.error = None
        self.output.value = self.render(self.result)
        if self.ax is not None and self.figure is not None and self.image is not None:
            # Start from a clean figure: some plots add twin axes or colour bars.
            self.figure.clear()
            self.ax = self.figure.add_subplot()
            self.draw(self.ax, self.result)
            buf = io.BytesIO()
            self.figure.savefig(buf, format="png", dpi=80)
            self.image.value = buf.getvalue()

    def summary(self) -> str:
        """The current result as plain text, one ``name: value`` per line."""
        return "\n".join(f"{k}: {_fmt(v)}" for k, v in self.result.items())

    def static_text(self) -> str:
        """What a viewer without widget support shows (``text/plain``)."""
        settings = ", ".join(f"{k}={_fmt(v)}" for k, v in self.values().items())
        return (
            f"{self.title} (interactive explorer)\n{_STATIC_NOTE}\n"
            f"Settings: {settings}\nResult:\n"
            + (f"Cannot compute: {self.error}" if self.error else self.summary())
        )

    def static_html(self) -> str:
        """What a static HTML page shows instead of the widget (``text/html``)."""
        settings = "".join(
            f"<li>{html.escape(k)} = {html.escape(_fmt(v))}</li>" for k, v in self.values().items()
        )
        return (
            f"<div class='rmlib-explorer-static'><p><b>{html.escape(self.title)}</b> "
            f"(interactive explorer)</p><p><i>{html.escape(_STATIC_NOTE)}</i></p>"
            f"<p>Settings:</p><ul>{settings}</ul><p>Result:</p>{self.output.value}"
            f"{self._static_figure()}</div>"
        )

    def _static_figure(self) -> str:
        """The current chart as an inline PNG, or nothing (no figure, or no valid settings)."""
        if self.image is None or not self.image.value:
            return ""
        png = base64.b64encode(self.image.value).decode("ascii")
        return f"<img alt='{html.escape(self.title)}' src='data:image/png;base64,{png}'/>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # JupyterLab ranks the widget view above text/html, so it shows the live
        # widget; static viewers skip the widget view and show these fallbacks.
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = self.static_text()
        data["text/html"] = self.static_html()
        return data


# ---------------------------------------------------------------------------
# small formatting helpers for the result panels
# ---------------------------------------------------------------------------


def _rub(x: float) -> str:
    return f"{x:,.0f}".replace(",", "\u2009") + " roubles"


def _table(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><td style='padding-right:1em'>{html.escape(k)}</td><td><b>{html.escape(v)}</b></td></tr>"
        for k, v in rows
    )
    return f"<table>{body}</table>"


def _slider(cls: type, value: float, lo: float, hi: float, step: float, label: str, **kw: Any):
    """A labelled slider that reports only when released (``continuous_update=False``)."""
    return cls(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=label,
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="28em"),
        **kw,
    )


def _log_slider(value: float, lo_exp: float, hi_exp: float, label: str) -> widgets.FloatLogSlider:
    """A slider over 10**lo_exp .. 10**hi_exp in steps of a tenth of a decade."""
    return _slider(
        widgets.FloatLogSlider, value, lo_exp, hi_exp, 0.1, label, base=10, readout_format=",.0f"
    )
