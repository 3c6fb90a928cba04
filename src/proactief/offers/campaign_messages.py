"""The messages a campaign sends, rendered before anything is sent: one set per tone, from
the same account, templates and message checker as a real campaign case (what
``campaign plan`` shows and what the campaign check holds against the checker)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from proactief.channels.letter import render_pdf
from proactief.domain import Berichtsoort, RegelingStatus, Toon
from proactief.domain.account import OfferAccount
from proactief.domain.records import EntitlementRecord
from proactief.offers.account import Afzender, build_account
from proactief.offers.approach import CaseSummary, EntitlementSummary, choose_approach
from proactief.offers.checks import Problem, check_rendered
from proactief.offers.messages import Rendered, render_messages

if TYPE_CHECKING:
    from proactief.offers.campaigns import Campaign

__all__ = [
    "CampaignPreview",
    "campaign_messages",
    "campaign_previews",
    "sample_rows",
    "write_campaign_preview",
]

SAMPLE_CODE = "VOORBEELD-CODE"
SAMPLE_KENMERK = "VOORBEELD"


@dataclass(frozen=True)
class CampaignPreview:
    """One tone's messages of a campaign, their account, and what the checker found."""

    toon: Toon
    account: OfferAccount
    berichten: dict[str, Rendered]
    problemen: tuple[tuple[str, Problem], ...]
    """(channel, problem) for every message."""


def sample_rows(
    regelingen: Sequence[str], statussen: Sequence[str], bedrag_vanaf: float
) -> list[EntitlementRecord]:
    """A household as the selection describes it (each regulation at the selection's
    minimum, no scan values): for checking the wording when no scan is at hand."""
    status = statussen[0]
    cents = max(round(bedrag_vanaf * 100), 100) if status == "recht_niet_ontvangen" else None
    return [
        EntitlementRecord(
            id=0,
            household_id="VOORBEELD",
            jaar=0,
            regeling=r,
            status=RegelingStatus(status),
            bedrag_centen=cents,
            regels_hash="",
            invoer=None,
            gescand_op=datetime.now(UTC),
        )
        for r in regelingen
    ]


def campaign_messages(
    naam: str,
    rows: Sequence[EntitlementRecord],
    *,
    afzender: Afzender,
    datum: date,
    apk: bool = False,
) -> list[CampaignPreview]:
    """Every channel's first message of the campaign for a household with these scan
    rows, in every tone, each checked by the message checker."""
    offer = choose_approach(
        case=CaseSummary(case_id=None, vandaag=datum, soort=Berichtsoort.REGELING),
        entitlements=[
            EntitlementSummary(
                r.regeling, r.status, None if r.bedrag_centen is None else r.bedrag_centen / 100
            )
            for r in rows
        ],
    )
    previews = []
    for toon in Toon:
        account = build_account(
            offer=replace(offer, toon=toon),
            regelingen=rows,
            organisaties=afzender.naam,
            afzender=afzender,
            datum=datum,
            stap=0,
            kenmerk=SAMPLE_KENMERK,
            eigenaar=None,
            goed=None,
            ontvanger="inwoner",
            code=True,
            code_tot=datum + timedelta(days=afzender.code_dagen),
            case_id=None,
            campagne=naam,
            apk=apk,
        )
        rendered = render_messages(account, toon=toon, code=SAMPLE_CODE)
        problems = tuple(
            (kanaal, p)
            for kanaal, message in rendered.items()
            for p in check_rendered(kanaal, message.inhoud, account, message.onderwerp)
        )
        previews.append(CampaignPreview(toon, account, rendered, problems))
    return previews


def campaign_previews(
    campaign: "Campaign", *, afzender: Afzender, datum: date
) -> list[CampaignPreview]:
    """Every tone's first messages of a campaign with a selection, for a household as the
    selection describes it (the selection's minimum amount; no real household's data)."""
    if campaign.selectie is None:
        raise ValueError("de campagne noemt geen 'selectie' / the campaign has no selection")
    return campaign_messages(
        campaign.naam,
        sample_rows(
            campaign.selectie.regelingen,
            campaign.selectie.statussen,
            campaign.selectie.bedrag_vanaf,
        ),
        afzender=afzender,
        datum=datum,
        apk=campaign.soort == "apk",
    )


def write_campaign_preview(
    previews: Sequence[CampaignPreview], folder: Path, files: dict[str, str]
) -> list[Path]:
    """Each tone's messages into ``folder/<toon>/`` (the letter also as PDF); the
    folders written. ``files``: the file name of each rendered part."""
    written = []
    for preview in previews:
        target = folder / preview.toon.value
        target.mkdir(parents=True, exist_ok=True)
        for kanaal, message in preview.berichten.items():
            (target / files[kanaal]).write_text(message.inhoud, encoding="utf-8")
        (target / "brief.pdf").write_bytes(render_pdf(preview.berichten["brief"].inhoud))
        written.append(target)
    return written
