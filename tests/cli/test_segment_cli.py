"""The chain simulate -> scenarios -> profile -> type -> report from the command line."""

import json
import subprocess
from pathlib import Path

import pandas as pd

from conftest import run_cli


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(["segment", *args], cwd=cwd, timeout=600)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_whole_chain(tmp_path: Path) -> None:
    ok(run(["simulate", "-n", "800", "-o", "survey.csv", "--truth", "truth.csv"], tmp_path))
    survey = pd.read_csv(tmp_path / "survey.csv")
    assert survey.shape == (800, 26)
    assert set(pd.read_csv(tmp_path / "truth.csv")["segment"]) == {1, 2, 3}

    card = json.loads(
        ok(
            run(
                [
                    "scenarios",
                    "survey.csv",
                    "--k",
                    "2-3",
                    "--bootstrap",
                    "2",
                    "--labels",
                    "labels.csv",
                    "--json",
                ],
                tmp_path,
            )
        )
    )
    assert {row["scenario"] for row in card["scorecard"]} >= {"lca-3", "kmeans-2", "gmm-3"}
    labels = pd.read_csv(tmp_path / "labels.csv")
    assert list(labels.columns[:2]) == ["respondent", "kmeans-2"]
    assert set(labels["lca-3"]) == {1, 2, 3}

    prof = json.loads(ok(run(["profile", "survey.csv", "--scenario", "lca-3", "--json"], tmp_path)))
    assert prof["weighting"] == "posterior"
    assert len(prof["pct_agree"]) == 3 and len(prof["pct_agree"][0]) == 26
    hard = ok(
        run(["profile", "survey.csv", "--scenario", "lca-3", "--labels", "labels.csv"], tmp_path)
    )
    assert "harde indeling" in hard and "groter dan ze zijn" in hard

    built = json.loads(
        ok(
            run(
                [
                    "type",
                    "survey.csv",
                    "--scenario",
                    "lca-3",
                    "--labels",
                    "labels.csv",
                    "--max-items",
                    "6",
                    "-o",
                    "tool.json",
                    "--json",
                ],
                tmp_path,
            )
        )
    )
    assert len(built["items"]) == 6 and 0.3 < built["cv_accuracy"] <= 1
    scored = json.loads(
        ok(
            run(
                ["type", "survey.csv", "--tool", "tool.json", "-o", "scores.csv", "--json"],
                tmp_path,
            )
        )
    )
    assert len(scored) == 800
    assert abs(sum(v for k, v in scored[0].items() if k.startswith("kans")) - 1) < 1e-3

    ok(
        run(
            ["report", "survey.csv", "--k", "2-3", "--bootstrap", "2", "-o", "rapport.html"],
            tmp_path,
        )
    )
    html = (tmp_path / "rapport.html").read_text()
    assert html.count("<svg") >= 3
    assert "Hoe groot zijn de segmenten?" in html and "Alle scenario's" in html
    # self-contained: nothing is loaded from elsewhere
    for external in ("<script", "<link", 'src="http', 'href="http', "url(http"):
        assert external not in html


def test_hu_reference_model_commands(tmp_path: Path) -> None:
    summary = json.loads(ok(run(["hu", "--json"], tmp_path)))
    assert len(summary["short_form_items"]) == 8
    assert 0.77 < summary["full_form_accuracy"] < 0.79
    (tmp_path / "antwoorden.csv").write_text("trust_1,language_2\n5,1\n1,5\n")
    rows = json.loads(ok(run(["hu", "antwoorden.csv", "--json"], tmp_path)))
    assert len(rows) == 2 and "Vertrouwende Volgers" in rows[0]


def test_errors_are_clear(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n3,x\n")
    failed = run(["profile", "bad.csv", "--scenario", "lca-3"], tmp_path)
    assert failed.returncode == 2
    assert "respondent 2 (row 3), item 'b'" in failed.stderr
    (tmp_path / "good.csv").write_text("a,b\n1,2\n3,4\n")
    wrong = run(["profile", "good.csv", "--scenario", "lca3"], tmp_path)
    assert wrong.returncode == 2 and "METHOD-K" in wrong.stderr
    unknown = run(["hu", "good.csv"], tmp_path)
    assert unknown.returncode == 2 and "no published figures" in unknown.stderr
