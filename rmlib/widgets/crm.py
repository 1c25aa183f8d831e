"""Explorers of a CRM: the implementation pyramid's readiness, one customer's 360° view."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
from matplotlib.axes import Axes

from rmlib import plots, relationship
from rmlib.widgets._base import Explorer, _fmt, _slider, _table

__all__ = ["Customer360Explorer", "ReadinessAssessment"]


# ---------------------------------------------------------------------------
# implementation readiness
# ---------------------------------------------------------------------------


class ReadinessAssessment(Explorer):
    """Rate each level of the implementation pyramid; see what blocks progress.

    Rate every level from 0 (not started) to 5 (fully in place). A level
    counts as in place from :attr:`IN_PLACE` points, and only when every level
    below it is in place too: technology bought before the strategy is ready
    does not make a company ready. The assessment is
    :func:`rmlib.relationship.pyramid_readiness`.

    Parameters
    ----------
    levels : sequence of str
        The pyramid's levels from the base up (default
        :data:`rmlib.relationship.PYRAMID_LEVELS`).

    Examples
    --------
    >>> ex = ReadinessAssessment()
    >>> for level, rating in {"strategy": 5, "structure": 4, "business processes": 1,
    ...                       "culture": 4, "technology": 5}.items():
    ...     ex.controls[level].value = rating
    >>> ex.result["blocking"], ex.result["levels_in_place"]
    ('business processes', 2)
    """

    title = "Implementation readiness self-assessment"
    #: Rating from which a level counts as in place.
    IN_PLACE = 3
    #: Top of the rating scale.
    SCALE = 5

    def __init__(self, levels: Sequence[str] = relationship.PYRAMID_LEVELS) -> None:
        self.levels = [str(x) for x in levels]
        if not self.levels:
            raise ValueError("`levels` is empty; give the pyramid's levels from the base up.")
        controls = {
            level: _slider(widgets.IntSlider, 0, 0, self.SCALE, 1, f"{level} (0\u20135)")
            for level in self.levels
        }
        super().__init__(controls, figsize=(5.5, 4.0))

    @classmethod
    def assess(cls, ratings: Mapping[str, float]) -> dict[str, Any]:
        """:func:`rmlib.relationship.pyramid_readiness` on the explorer's scale.

        ``ratings`` lists the levels from the base up.
        """
        return relationship.pyramid_readiness(
            ratings, scale=cls.SCALE, in_place=cls.IN_PLACE, levels=None
        )

    def compute(self) -> dict[str, Any]:
        return relationship.pyramid_readiness(
            self.values(), scale=self.SCALE, in_place=self.IN_PLACE, levels=self.levels
        )

    def summary(self) -> str:
        r = self.result
        if not r:
            return ""
        block = r["blocking"] or "none"
        return f"levels in place: {r['levels_in_place']} of {len(self.levels)}\nblocking: {block}"

    def render(self, result: dict[str, Any]) -> str:
        blocking = result["blocking"]
        advice = (
            "every level is in place"
            if blocking is None
            else f"work on {blocking!r} first: the levels above it cannot pay off yet"
        )
        return _table(
            [
                (
                    "levels in place",
                    f"{result['levels_in_place']} of {len(self.levels)} ({result['overall']:.0%})",
                ),
                ("blocking level", blocking or "none"),
                ("next step", advice),
            ]
        )

    def draw(self, ax: Axes, result: dict[str, Any]) -> None:
        plots.implementation_pyramid(result["readiness"], blocking=result["blocking"], ax=ax)


class Customer360Explorer(Explorer):
    """One customer as the whole company sees them: the CRM's 360-degree view.

    Type a customer id: the panel shows the profile and account manager, the
    value class and next-best offer, the preferred channel, the reason for
    leaving (former customers) and the latest contacts and purchases — each read
    from the mini CRM by :func:`rmlib.crm.customer_360`. No figure.

    Parameters
    ----------
    db : str or Path
        A CRM built by :func:`rmlib.crm.build_crm`.
    customer_id : int
        The customer shown first.
    rows : int
        How many of the latest contacts and purchases to list.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from rmlib import crm
    >>> from rmlib.data import generate_case
    >>> db = crm.build_crm(Path(tempfile.mkdtemp()) / "crm.sqlite",
    ...                    generate_case(n_customers=50, random_state=0))
    >>> ex = Customer360Explorer(db, customer_id=1)
    >>> ex.controls["customer_id"].value = 2
    >>> ex.result["customer_id"]
    2
    """

    title = "Customer 360: what the CRM knows about one customer"

    def __init__(self, db, customer_id: int = 1, rows: int = 5) -> None:
        from rmlib import crm

        self.db = db
        if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
            raise ValueError(f"`rows` must be a whole number of at least 1; got {rows!r}.")
        self.rows = rows
        n = int(crm.run_query(db, "SELECT MAX(customer_id) AS n FROM customers")["n"].iloc[0])
        control = widgets.BoundedIntText(
            value=customer_id,
            min=1,
            max=n,
            description="customer id",
            style={"description_width": "initial"},
        )
        super().__init__({"customer_id": control}, figsize=None)

    def compute(self) -> dict[str, Any]:
        from rmlib import crm

        customer = self.controls["customer_id"].value
        view = crm.customer_360(self.db, customer)
        profile = view["profile"].iloc[0]
        segment = view["segment"].iloc[0] if len(view["segment"]) else {}
        departure = view["departure"]
        return {
            "customer_id": int(customer),
            "name": str(profile.get("name", "")),
            "segment": str(profile.get("segment", "")),
            "manager": str(profile.get("manager") or "none"),
            "value class": str(segment.get("abc_class", "")) if len(segment) else "",
            "revenue": float(segment.get("revenue", 0.0)) if len(segment) else 0.0,
            "next offer": ", ".join(view["next_offer"]["title"].astype(str)) or "none",
            "channel": ", ".join(view["channel"]["preferred_channel"].astype(str)) or "unknown",
            "left": (
                f"{departure['left_on'].iloc[0]}: {departure['reason'].iloc[0]}"
                if len(departure)
                else "no (active)"
            ),
            "contacts": len(view["contacts"]),
            "purchases": len(view["purchases"]),
            "_latest": {
                "contacts": view["contacts"].tail(self.rows),
                "purchases": view["purchases"].tail(self.rows),
            },
        }

    def summary(self) -> str:
        return "\n".join(f"{k}: {_fmt(v)}" for k, v in self.result.items() if k != "_latest")

    def render(self, result: dict[str, Any]) -> str:
        rows = [(k, _fmt(v)) for k, v in result.items() if k != "_latest"]
        latest = "".join(
            f"<p><b>Latest {name}</b></p>" + frame.to_html(index=False)
            for name, frame in result["_latest"].items()
            if len(frame)
        )
        return _table(rows) + latest
