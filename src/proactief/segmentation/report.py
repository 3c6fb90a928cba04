"""A self-contained HTML report (Dutch) of a scenario analysis: segment sizes, profile heat
map and scenario scorecard as inline SVG charts, readable by a policy advisor."""

import io
from collections.abc import Sequence
from datetime import date
from importlib import resources

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from jinja2 import Environment, select_autoescape
from matplotlib.figure import Figure

from proactief.segmentation.instrument import hu_instrument
from proactief.segmentation.profiles import Profile
from proactief.segmentation.scenarios import METHOD_NAMES_NL, ScenarioAnalysis

__all__ = ["render_report"]

_COLOURS = ["#1f5f8b", "#e08a1e", "#3c8d5a", "#8b2f5f", "#6b6b6b", "#b3a22b"]


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _sizes_chart(shares: np.ndarray, names: Sequence[str]) -> str:
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.5 * len(shares)))
    ax.barh(list(names)[::-1], (shares * 100)[::-1], color=_COLOURS[: len(shares)][::-1])
    for i, value in enumerate((shares * 100)[::-1]):
        ax.text(value + 0.5, i, f"{value:.0f}%", va="center")
    ax.set_xlabel("aandeel van de respondenten (%)")
    ax.set_xlim(0, max(shares * 100) + 12)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def _heatmap(prof: Profile, labels: Sequence[str], names: Sequence[str]) -> str:
    d = len(prof.items)
    fig, ax = plt.subplots(figsize=(2.2 + 1.3 * len(names), 0.6 + 0.32 * d))
    image = ax.imshow(prof.pct_agree.T, cmap="Blues", vmin=0, vmax=100, aspect="auto")
    for j in range(d):
        for s in range(len(names)):
            mark = "+" if prof.marks[s, j] > 0 else ("−" if prof.marks[s, j] < 0 else "")
            value = prof.pct_agree[s, j]
            ax.text(
                s,
                j,
                f"{value:.0f}{mark}",
                ha="center",
                va="center",
                color="white" if value > 60 else "black",
                fontsize=8,
            )
    ax.set_xticks(range(len(names)), names, rotation=20, ha="right")
    ax.set_yticks(range(d), [label[:70] for label in labels], fontsize=8)
    fig.colorbar(image, ax=ax, label="% (helemaal) eens", shrink=0.5)
    return _svg(fig)


def _scorecard_chart(analysis: ScenarioAnalysis) -> str:
    fig, axes = plt.subplots(1, 2, figsize=(9, 3))
    methods = sorted({s.method for s in analysis.scenarios})
    for colour, method in zip(_COLOURS, methods, strict=False):
        rows = sorted((s for s in analysis.scenarios if s.method == method), key=lambda s: s.k)
        ks = [s.k for s in rows]
        label = METHOD_NAMES_NL.get(method, method)
        axes[0].plot(ks, [s.stability_ari for s in rows], "o-", color=colour, label=label)
        axes[1].plot(ks, [s.typing_accuracy for s in rows], "o-", color=colour, label=label)
    axes[0].axhline(0.7, color="grey", linestyle=":", linewidth=1)
    axes[0].set_title("Stabiliteit (bootstrap, ARI)")
    axes[1].set_title("Typeer-nauwkeurigheid (≤ 8 vragen)")
    for ax in axes:
        ax.set_xlabel("aantal segmenten")
        ax.set_ylim(0, 1.02)
        ax.spines[["top", "right"]].set_visible(False)
    axes[1].legend(fontsize=8, loc="lower left")
    return _svg(fig)


_TEMPLATE = resources.files("proactief.segmentation").joinpath("templates/report.html.j2")


def render_report(
    analysis: ScenarioAnalysis,
    *,
    chosen: str,
    prof: Profile,
    typing_items: Sequence[str],
    typing_accuracy: float,
    source_name: str,
    segment_names: Sequence[str] | None = None,
) -> str:
    """The report as one HTML page (no external files, no scripts)."""
    k = len(prof.shares)
    names = list(segment_names or [f"Segment {i + 1}" for i in range(k)])
    texts = {s.item_id: s.text_nl for s in hu_instrument().statements}
    labels = [texts.get(item, item) for item in prof.items]
    scorecard = analysis.scorecard()
    scenario = analysis.get(chosen)
    env = Environment(autoescape=select_autoescape(default=True))
    template = env.from_string(_TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        today=date.today().isoformat(),
        source_name=source_name,
        analysis=analysis,
        chosen=scenario,
        chosen_method=METHOD_NAMES_NL.get(scenario.method, scenario.method),
        names=names,
        shares=[float(x) for x in prof.shares],
        weighting=prof.weighting,
        rows=[
            {
                "item": item,
                "label": label,
                "cells": [
                    (
                        float(prof.pct_agree[s, j]),
                        "+" if prof.marks[s, j] > 0 else ("−" if prof.marks[s, j] < 0 else ""),
                    )
                    for s in range(k)
                ],
            }
            for j, (item, label) in enumerate(zip(prof.items, labels, strict=True))
        ],
        background={
            name: table.round(0).to_dict(orient="index") for name, table in prof.background.items()
        },
        typing_items=[texts.get(i, i) for i in typing_items],
        typing_accuracy=typing_accuracy,
        scorecard_columns=list(scorecard.columns),
        scorecard_rows=scorecard.to_dict(orient="records"),
        sizes_svg=_sizes_chart(prof.shares, names),
        heatmap_svg=_heatmap(prof, labels, names),
        scorecard_svg=_scorecard_chart(analysis),
    )
