"""`proactief evaluate`: the dashboard's tables on the command line, as CSV files and as
one HTML report with charts, for a period."""

import json
import os
from pathlib import Path

from conftest import TODAY, ddas_document, run_cli, signal
from proactief.evaluation.tables import TABLES


def test_evaluate_prints_writes_csv_and_a_report(tmp_path: Path) -> None:
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"))
    env.pop("PROACTIEF_DATABASE_URL", None)
    (tmp_path / "s.json").write_text(
        json.dumps(
            ddas_document(
                [signal(ID="A"), signal(ID="B", client={"burgerservicenummer": "123456782"})]
            )
        )
    )
    intake = run_cli(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env)
    assert intake.returncode == 0
    assert run_cli(["cases", "match", "--datum", TODAY.isoformat()], env).returncode == 0
    done = run_cli(
        ["evaluate", "--csv", str(tmp_path / "csv"), "--html", str(tmp_path / "r.html")], env
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    assert "Signalen 2 → Opgepakt 0" in flat and "Geld na een aanbod" in flat
    files = {p.name for p in (tmp_path / "csv").iterdir()}
    assert files == {f"{t}.csv" for t in TABLES}
    herkomst = (tmp_path / "csv" / "herkomst.csv").read_text(encoding="utf-8").splitlines()
    assert herkomst == [
        "naam,zaken,bereikt,geaccepteerd,geholpen,dagen_tot_bereikt",
        "signalen,2,0,0,0,",
    ]
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert report.count("<img") >= 3 and "data:image/png;base64," in report
    assert "geen gegevens van personen" in report
    # a period without the cases counts nothing
    later = run_cli(["evaluate", "--van", "2030-01-01", "--csv", str(tmp_path / "later")], env)
    lines = (tmp_path / "later" / "herkomst.csv").read_text(encoding="utf-8").splitlines()
    assert later.returncode == 0 and lines == [
        "naam,zaken,bereikt,geaccepteerd,geholpen,dagen_tot_bereikt"
    ]
    wrong = run_cli(["evaluate", "--van", "gisteren"], env)
    assert wrong.returncode == 2 and "JJJJ-MM-DD" in wrong.stderr
