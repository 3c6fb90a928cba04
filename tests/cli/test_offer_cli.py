"""`proactief offer explain` and `proactief campaign check` as a user runs them."""

import json
import os
import subprocess
from pathlib import Path

from conftest import TODAY, ddas_document, run_cli, signal

CASES = Path(__file__).resolve().parents[2] / "src" / "proactief" / "config" / "campagnes"


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(args, env, timeout=120)


def test_offer_explain_follows_the_registry(tmp_path: Path) -> None:
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    (tmp_path / "s.json").write_text(json.dumps(ddas_document([signal(ID="A")])))
    assert (
        run(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env).returncode == 0
    )
    assert run(["cases", "match", "--datum", TODAY.isoformat()], env).returncode == 0
    before = json.loads(run(["offer", "explain", "1", "--json"], env).stdout)
    assert before["basis"] == "veilige_standaard"
    assert {step["kanaal"] for step in before["ladder"]} >= {"brief", "telefoon"}
    assert run(["consent", "opt-out", "--bsn", "111222333"], env).returncode == 0
    after = json.loads(run(["offer", "explain", "1", "--json"], env).stdout)
    assert after["ladder"] == [] and after["basis"] == "voorkeur"
    missing = run(["offer", "explain", "99"], env)
    assert missing.returncode == 2 and "bestaat niet" in missing.stderr


def test_campaign_check_exit_codes(tmp_path: Path) -> None:
    env = dict(os.environ)
    allowed = run(["campaign", "check", str(CASES / "casus4_vroegsignaal.yaml")], env)
    assert allowed.returncode == 0 and "mag" in allowed.stdout
    refused = run(["campaign", "check", str(CASES / "casus3_zorgverzekeraar.yaml")], env)
    assert refused.returncode == 1 and "geweigerd" in refused.stderr
