"""``proactief segment ...``: the segmentation toolkit on the command line.

Every command takes a CSV of numeric answers (one row per respondent, one column per item,
column names free). Commands that print a table also accept ``--json``.
"""

import json
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from proactief.cli.common import console, err
from proactief.cli.common import fail as _fail

# NumPy, pandas, scikit-learn and matplotlib load only when a segment command runs, so
# that the other commands start fast.
if TYPE_CHECKING:
    import numpy as np

    from proactief.segmentation.scenarios import ScenarioAnalysis
    from proactief.segmentation.survey import SurveyData

DEFAULT_METHODS = "kmeans,gmm,lca"

segment_app = typer.Typer(
    help="Segmentatie: het HU-model, synthetische enquêtes, scenario's, profielen, "
    "typeer-hulpmiddel en rapport.",
    no_args_is_help=True,
)


def _emit_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1, default=_default) + "\n")


def _default(value: object) -> object:
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _load(file: Path, id_column: str | None, background: str | None) -> "SurveyData":
    from proactief.segmentation import SurveyError, load_survey

    try:
        return load_survey(
            file,
            id_column=id_column,
            background=[c.strip() for c in background.split(",")] if background else (),
            scale=None,
        )
    except SurveyError as exc:
        raise _fail(str(exc)) from exc


def _labels_for(
    survey: "SurveyData", scenario: str, labels_file: Path | None, seed: int
) -> "tuple[np.ndarray, np.ndarray | None]":
    import pandas as pd

    from proactief.segmentation.scenarios import fit_scenario, parse_scenario

    try:
        parse_scenario(scenario)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    if labels_file is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fit_scenario(survey.answers, scenario, seed=seed)
    frame = pd.read_csv(labels_file)
    if scenario not in frame.columns:
        raise _fail(
            f"{labels_file}: no column {scenario!r}; columns: {', '.join(map(str, frame.columns))}"
        )
    if len(frame) != survey.n:
        raise _fail(f"{labels_file}: {len(frame)} rows, but the answers have {survey.n}")
    return frame[scenario].to_numpy(dtype=int) - 1, None


ID = Annotated[str | None, typer.Option("--id-column", help="Kolom met respondentnummers.")]
BACKGROUND = Annotated[
    str | None, typer.Option(help="Achtergrondkolommen, met komma's (geen vragen).")
]
JSON = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON (voor scripts).")]
SEED = Annotated[int, typer.Option(help="Startwaarde van het toeval.")]


@segment_app.command()
def simulate(
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV met de antwoorden.")],
    n: Annotated[int, typer.Option("-n", min=1, help="Aantal respondenten.")] = 1000,
    mode: Annotated[
        str, typer.Option(help="independent (eens/oneens) of likert (1-5).")
    ] = "independent",
    correlation: Annotated[
        float, typer.Option(help="Samenhang binnen een segment (alleen likert), 0 tot 1.")
    ] = 0.0,
    truth: Annotated[
        Path | None, typer.Option(help="CSV met het echte segment van iedere respondent.")
    ] = None,
    seed: SEED = 0,
    as_json: JSON = False,
) -> None:
    """Maak een synthetische enquête volgens de gepubliceerde HU-tabel."""
    import numpy as np
    import pandas as pd

    from proactief.segmentation import generate_survey, hu_instrument

    try:
        survey = generate_survey(n, mode=mode, correlation=correlation, seed=seed)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    pd.DataFrame(survey.answers.astype(int), columns=list(survey.items)).to_csv(output, index=False)
    if truth is not None:
        pd.DataFrame({"segment": survey.segments + 1}).to_csv(truth, index=False)
    inst = hu_instrument()
    agree = survey.answers >= (4 if mode == "likert" else 1)
    rows = []
    for s, segment in enumerate(inst.segments):
        members = survey.segments == s
        rates = agree[members].mean(axis=0) * 100
        rows.append(
            {
                "segment": segment.name_nl,
                "aandeel": float(members.mean()),
                "gepubliceerd_aandeel": segment.share,
                "max_afwijking_pp": float(
                    np.abs(rates - inst.agree_probabilities()[s] * 100).max()
                ),
            }
        )
    if as_json:
        _emit_json({"output": str(output), "n": n, "mode": mode, "segments": rows})
        return
    table = Table("segment", "aandeel", "gepubliceerd", "grootste afwijking per uitspraak")
    for row in rows:
        table.add_row(
            str(row["segment"]),
            f"{row['aandeel']:.1%}",
            f"{row['gepubliceerd_aandeel']:.0%}",
            f"{row['max_afwijking_pp']:.1f} procentpunt",
        )
    console.print(table)
    console.print(f"{n} respondenten ({mode}) geschreven naar {output}")


def _run(
    survey: "SurveyData", methods: str, k: str, bootstrap: int, seed: int, quiet: bool
) -> "ScenarioAnalysis":
    from proactief.segmentation import run_scenarios

    try:
        low, _, high = k.partition("-")
        ks = list(range(int(low), int(high or low) + 1))
    except ValueError as exc:
        raise _fail(f"--k {k!r} is not a range like 2-6") from exc
    method_list = [m.strip() for m in methods.split(",") if m.strip()]
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
    )
    with progress, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        task = progress.add_task("Scenario's", total=len(method_list) * len(ks))
        try:
            return run_scenarios(
                survey.answers,
                survey.items,
                methods=method_list,
                ks=ks,
                n_bootstrap=bootstrap,
                seed=seed,
                on_done=lambda _name: progress.advance(task),
            )
        except ValueError as exc:
            raise _fail(str(exc)) from exc


METHODS_OPT = Annotated[str, typer.Option(help="Methoden: kmeans, gmm, lca, ward (komma's).")]
K_OPT = Annotated[str, typer.Option("--k", help="Aantal segmenten, bijv. 2-6.")]
BOOT_OPT = Annotated[int, typer.Option(min=0, help="Aantal bootstrap-herhalingen.")]


@segment_app.command()
def scenarios(
    file: Annotated[Path, typer.Argument(help="CSV met antwoorden.")],
    methods: METHODS_OPT = DEFAULT_METHODS,
    k: K_OPT = "2-6",
    bootstrap: BOOT_OPT = 20,
    labels: Annotated[
        Path | None, typer.Option(help="Schrijf het segment per respondent per scenario.")
    ] = None,
    id_column: ID = None,
    background: BACKGROUND = None,
    seed: SEED = 0,
    as_json: JSON = False,
) -> None:
    """Vergelijk scenario's (methode x aantal segmenten) met een scorekaart."""
    import pandas as pd

    survey = _load(file, id_column, background)
    analysis = _run(survey, methods, k, bootstrap, seed, quiet=as_json)
    if labels is not None:
        frame = pd.DataFrame({"respondent": survey.respondent_ids})
        for s in analysis.scenarios:
            frame[s.name] = s.labels + 1
        frame.to_csv(labels, index=False)
    card = analysis.scorecard()
    if as_json:
        _emit_json(
            {
                "recommended": analysis.recommended,
                "message": analysis.message,
                "n": analysis.n,
                "scorecard": card.to_dict(orient="records"),
            }
        )
        return
    table = Table(title=f"Scenario's — {file.name} ({survey.n} respondenten)")
    for column in (
        "scenario",
        "BIC",
        "stabiel",
        "jaccard",
        "silh.",
        "herkenbaar",
        "kleinste",
        "typeren",
        "oordeel",
    ):
        table.add_column(column)
    for row in card.to_dict(orient="records"):
        table.add_row(
            ("★ " if row["aanbevolen"] else "") + row["scenario"],
            "—" if pd.isna(row["BIC"]) else f"{row['BIC']:.0f}",
            f"{row['stabiliteit_ARI']:.2f}",
            f"{row['jaccard_min']:.2f}",
            f"{row['silhouette']:.3f}",
            row["segmenten_herkenbaar"],
            f"{row['kleinste_segment']:.0%}",
            f"{row['typeer_nauwkeurigheid']:.0%}",
            "voldoet" if row["ondersteund"] else "nee",
        )
    console.print(table)
    for row in card.to_dict(orient="records"):
        if row["opmerking"]:
            console.print(f"  {row['scenario']}: {row['opmerking']}")
    console.print(
        "stabiel = gemiddelde ARI over bootstrap-herhalingen; jaccard = slechtst terugkerend "
        "segment; typeren = gekruisvalideerde nauwkeurigheid met ≤ 8 vragen."
    )
    console.print(f"[bold]{analysis.message}[/]")
    if labels is not None:
        console.print(f"Segment per respondent per scenario: {labels}")


@segment_app.command("profile")
def profile_cmd(
    file: Annotated[Path, typer.Argument(help="CSV met antwoorden.")],
    scenario: Annotated[str, typer.Option(help="Scenario, bijv. lca-3.")],
    labels: Annotated[
        Path | None,
        typer.Option(help="Segmenten uit 'scenarios --labels' (anders opnieuw geschat)."),
    ] = None,
    id_column: ID = None,
    background: BACKGROUND = None,
    agree_from: Annotated[
        float | None, typer.Option(help="Vanaf dit antwoord telt 'eens' (standaard 4; 0/1: 1).")
    ] = None,
    seed: SEED = 0,
    as_json: JSON = False,
) -> None:
    """Toon het profiel: % eens per uitspraak per segment, met de > 0,1 SD-markeringen."""

    from proactief.segmentation import profile
    from proactief.segmentation.scenarios import default_agree_from

    survey = _load(file, id_column, background)
    hard, posteriors = _labels_for(survey, scenario, labels, seed)
    threshold = default_agree_from(survey.answers, agree_from)
    prof = profile(
        survey.answers,
        survey.items,
        labels=hard,
        posteriors=posteriors,
        agree_from=threshold,
        background=survey.background if background else None,
    )
    names = [f"segment {i + 1}" for i in range(len(prof.shares))]
    if as_json:
        _emit_json(
            {
                "scenario": scenario,
                "weighting": prof.weighting,
                "shares": prof.shares,
                "items": list(prof.items),
                "pct_agree": prof.pct_agree.round(1),
                "marks": prof.marks,
                "background": {
                    k: v.round(1).to_dict(orient="index") for k, v in prof.background.items()
                },
            }
        )
        return
    table = Table(
        title=f"Profiel {scenario} "
        f"({'kansgewogen' if posteriors is not None else 'harde indeling'})"
    )
    table.add_column("uitspraak")
    for name, share in zip(names, prof.shares, strict=True):
        table.add_column(f"{name} ({share:.0%})", justify="right")
    frame = prof.as_frame(names)
    for item, row in frame.iterrows():
        table.add_row(str(item), *row.tolist())
    console.print(table)
    console.print("+ / -: meer dan 0,1 standaardafwijking boven / onder beide andere segmenten.")
    if posteriors is None:
        console.print("Let op: bij een harde indeling lijken de verschillen groter dan ze zijn.")
    for variable, tab in prof.background.items():
        console.print(f"\n[bold]{variable}[/] (% per segment)")
        console.print(tab.round(0).to_string())


@segment_app.command("type")
def type_cmd(
    file: Annotated[Path, typer.Argument(help="CSV met antwoorden.")],
    scenario: Annotated[
        str | None, typer.Option(help="Bouw een hulpmiddel voor dit scenario, bijv. lca-3.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Bouwen: JSON-bestand; scoren: CSV.")
    ] = None,
    tool: Annotated[
        Path | None, typer.Option(help="Scoor nieuwe respondenten met dit JSON-bestand.")
    ] = None,
    labels: Annotated[Path | None, typer.Option(help="Segmenten uit 'scenarios --labels'.")] = None,
    max_items: Annotated[int, typer.Option(min=1, help="Hooguit zoveel vragen.")] = 8,
    id_column: ID = None,
    seed: SEED = 0,
    as_json: JSON = False,
) -> None:
    """Bouw een kort typeer-hulpmiddel (--scenario) of scoor respondenten (--tool)."""
    import numpy as np
    import pandas as pd

    from proactief.segmentation import TypingTool, TypingToolFileError, hu_instrument

    survey = _load(file, id_column, None)
    if tool is not None:
        try:
            fitted, meta = TypingTool.load(tool)
        except TypingToolFileError as exc:
            raise _fail(str(exc)) from exc
        missing = [i for i in meta["items"] if i not in survey.items]
        if missing:
            raise _fail(f"{file}: the tool needs the item(s) {', '.join(missing)}")
        X = np.full((survey.n, len(meta["all_items"])), np.nan)
        for j, item in enumerate(meta["all_items"]):
            if item in survey.items:
                X[:, j] = survey.answers[:, survey.items.index(item)]
        probabilities = fitted.predict_proba(X)
        columns = [f"kans_segment_{c + 1}" for c in fitted.classes_]
        frame = pd.DataFrame(probabilities.round(4), columns=columns)
        frame.insert(0, "respondent", survey.respondent_ids)
        if output is not None:
            frame.to_csv(output, index=False)
        if as_json:
            _emit_json(frame.to_dict(orient="records"))
            return
        console.print(frame.head(20).to_string(index=False))
        console.print(
            f"{survey.n} respondenten gescoord met {tool.name} ({meta['scenario']}). "
            "Dit zijn kansen, geen vaststaand segment." + (f" Alles in {output}." if output else "")
        )
        return
    if scenario is None:
        raise _fail("give --scenario to build a tool, or --tool to score respondents")
    hard, _ = _labels_for(survey, scenario, labels, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = TypingTool(max_items=min(max_items, len(survey.items)), random_state=seed).fit(
            survey.answers, hard
        )
    items = [survey.items[j] for j in built.selected_]
    if output is not None:
        built.save(output, items=survey.items, scenario=scenario)
    result = {
        "scenario": scenario,
        "items": items,
        "cv_accuracy": built.cv_accuracy_,
        "output": str(output) if output else None,
    }
    if as_json:
        _emit_json(result)
        return
    texts = {s.item_id: s.text_nl for s in hu_instrument().statements}
    table = Table("#", "vraag", "tekst", title=f"Typeer-hulpmiddel voor {scenario}")
    for number, item in enumerate(items, start=1):
        table.add_row(str(number), item, texts.get(item, ""))
    console.print(table)
    console.print(
        f"Gekruisvalideerde nauwkeurigheid: {built.cv_accuracy_:.1%} met {len(items)} vragen."
        + (f" Opgeslagen in {output}." if output else "")
    )


@segment_app.command()
def hu(
    file: Annotated[
        Path | None, typer.Argument(help="CSV met antwoorden op HU-uitspraken (optioneel).")
    ] = None,
    max_items: Annotated[int, typer.Option(min=1, max=16, help="Lengte korte vorm.")] = 8,
    agree_from: Annotated[
        float, typer.Option(help="Vanaf dit antwoord telt 'eens' (1-5 schaal: 4; 0/1: 1).")
    ] = 4,
    id_column: ID = None,
    as_json: JSON = False,
) -> None:
    """Het HU-referentiemodel: nauwkeurigheid, korte vorm, of kansen voor antwoorden."""
    import pandas as pd

    from proactief.segmentation import hu_instrument, hu_short_form, posteriors_for_items

    inst = hu_instrument()
    names = [s.name_nl for s in inst.segments]
    if file is None:
        short = hu_short_form(max_items)
        data = {
            "full_form_items": len(inst.published),
            "full_form_accuracy": short.full_accuracy,
            "short_form_items": list(short.items),
            "short_form_accuracy": short.accuracy,
            "chance_accuracy": short.chance_accuracy,
        }
        if as_json:
            _emit_json(data)
            return
        console.print(
            f"Alle {len(inst.published)} uitspraken: {short.full_accuracy:.1%} goed ingedeeld "
            f"(verwacht, simulatie). Korte vorm met {len(short.items)} uitspraken: "
            f"{short.accuracy:.1%} (exact). Altijd het grootste segment noemen: "
            f"{short.chance_accuracy:.0%}."
        )
        table = Table("#", "uitspraak", title="Korte vorm")
        for number, item in enumerate(short.items, start=1):
            table.add_row(str(number), inst.statement(item).text_nl)
        console.print(table)
        console.print("Toon altijd de kansen, nooit alleen een segment.")
        return
    survey = _load(file, id_column, None)
    try:
        posteriors = posteriors_for_items(survey.answers, survey.items, agree_from=agree_from)
    except (KeyError, ValueError) as exc:
        raise _fail(str(exc.args[0])) from exc
    frame = pd.DataFrame(posteriors.round(4), columns=names)
    frame.insert(0, "respondent", survey.respondent_ids)
    if as_json:
        _emit_json(frame.to_dict(orient="records"))
        return
    console.print(frame.head(20).to_string(index=False))
    console.print(f"{survey.n} respondenten; kansen per segment (HU-model, eigen antwoorden).")


@segment_app.command()
def report(
    file: Annotated[Path, typer.Argument(help="CSV met antwoorden.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML-bestand.")],
    scenario: Annotated[
        str | None, typer.Option(help="Toon dit scenario (standaard: de aanbeveling).")
    ] = None,
    methods: METHODS_OPT = DEFAULT_METHODS,
    k: K_OPT = "2-6",
    bootstrap: BOOT_OPT = 20,
    id_column: ID = None,
    background: BACKGROUND = None,
    seed: SEED = 0,
) -> None:
    """Schrijf een zelfstandig HTML-rapport met grafieken, in het Nederlands."""
    from proactief.segmentation import profile, render_report

    survey = _load(file, id_column, background)
    analysis = _run(survey, methods, k, bootstrap, seed, quiet=False)
    chosen = scenario or analysis.recommended or analysis.best().name
    try:
        chosen_scenario = analysis.get(chosen)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from exc
    prof = profile(
        survey.answers,
        survey.items,
        labels=chosen_scenario.labels,
        posteriors=chosen_scenario.posteriors,
        agree_from=analysis.agree_from,
        background=survey.background if background else None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        html = render_report(
            analysis,
            chosen=chosen,
            prof=prof,
            typing_items=chosen_scenario.typing_items,
            typing_accuracy=chosen_scenario.typing_accuracy,
            source_name=file.name,
        )
    output.write_text(html, encoding="utf-8")
    console.print(analysis.message)
    console.print(f"Rapport ({chosen}) geschreven naar {output}")
