"""The applicable bijstandsnorm per household (Participatiewet art. 21-22), shared by the
regulations that build on it (kwijtschelding, bijzondere bijstand, individuele
inkomenstoeslag)."""

import numpy as np

from proactief.entitlements.engine import Params


def bijstandsnorm_per_maand(h: dict[str, np.ndarray], p: Params) -> np.ndarray:
    """Norm per month: single or couple, before or after the AOW age."""
    partner = h["toeslagpartner"] > 0
    aow = h["leeftijd_aanvrager"] >= p("aow_leeftijd")
    return np.asarray(
        np.where(
            partner,
            np.where(aow, p("norm_gehuwden_aow"), p("norm_gehuwden")),
            np.where(aow, p("norm_alleenstaand_aow"), p("norm_alleenstaand")),
        )
    )
