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
    allowed = run(["campaign", "check", str(CASES / "casus1_inkomensdaling.yaml")], env)
    assert allowed.returncode == 0 and "mag." in allowed.stdout
    conditional = run(["campaign", "check", str(CASES / "casus4_vroegsignaal.yaml")], env)
    assert conditional.returncode == 3 and "onder voorwaarden" in conditional.stdout
    refused = run(["campaign", "check", str(CASES / "casus3_zorgverzekeraar.yaml")], env)
    assert refused.returncode == 1 and "geweigerd" in refused.stderr


def case_env(tmp_path: Path) -> dict[str, str]:
    """A data folder with one open case (number 1), as a user makes it."""
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    (tmp_path / "s.json").write_text(json.dumps(ddas_document([signal(ID="A")])))
    assert (
        run(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env).returncode == 0
    )
    assert run(["cases", "match", "--datum", TODAY.isoformat()], env).returncode == 0
    return env


def test_offer_check_holds_a_municipalitys_own_text_against_the_case(tmp_path: Path) -> None:
    env = case_env(tmp_path)
    preview = tmp_path / "voorbeeld"
    made = run(["offer", "preview", "1", "-o", str(preview), "--datum", "2026-07-01"], env)
    assert made.returncode == 0, made.stderr
    # the shipped letter, as text, passes for the case it was made for
    good = preview / "email.txt"
    text = good.read_text(encoding="utf-8").replace("VOORBEELD", "KENMERK")
    good.write_text(text, encoding="utf-8")
    ok = run(["offer", "check", str(good), "--zaak", "1", "--datum", "2026-07-01"], env)
    assert ok.returncode == 0, ok.stderr
    assert "in orde" in ok.stdout
    # the old untrue sentences: each refused with the sentence and the reason
    bad = tmp_path / "eigen.txt"
    bad.write_text(
        text.replace(
            "Dit is vrijwillig.",
            "Dit is vrijwillig. Als u niets doet, gebeurt er niets. "
            "Er komt geen aantekening in uw dossier. U krijgt een vaste medewerker.",
        ),
        encoding="utf-8",
    )
    refused = run(["offer", "check", str(bad), "--zaak", "1", "--datum", "2026-07-01"], env)
    assert refused.returncode == 1
    out = " ".join(refused.stderr.split())
    for sentence in (
        "Als u niets doet, gebeurt er niets.",
        "Er komt geen aantekening in uw dossier.",
        "U krijgt een vaste medewerker.",
    ):
        assert sentence in out, out
    assert "de zaak heeft geen eigenaar" in out
    missing = run(["offer", "check", str(bad), "--zaak", "99"], env)
    assert missing.returncode == 2 and "bestaat niet" in missing.stderr


def test_owner_by_hand_and_no_from_the_command_line(tmp_path: Path) -> None:
    env = case_env(tmp_path)
    env["PROACTIEF_NIEUW_WACHTWOORD"] = "paard batterij nietje correct"
    added = run(["users", "add", "sanne", "--naam", "Sanne Jansen"], env)
    assert added.returncode == 0, added.stderr
    assert run(["cases", "assign", "1", "sanne"], env).returncode == 0
    explained = run(["offer", "preview", "1", "-o", str(tmp_path / "p")], env)
    assert explained.returncode == 0
    letter = (tmp_path / "p" / "email.txt").read_text(encoding="utf-8")
    assert "Uw vaste contactpersoon is Sanne Jansen." in letter
    assert run(["cases", "assign", "1", "niemand"], env).returncode == 2
    # the letter goes out with its reference; a worker checks it when the resident calls
    env["PROACTIEF_CONTACT_DIRECTORY"] = "fake"
    sent = run(["offer", "send", "1"], env)
    assert sent.returncode == 0, sent.stderr
    [letter] = (tmp_path / "d" / "uitgaand").rglob("brief-zaak1-stap1-*.pdf")
    kenmerk = letter.stem.removeprefix("brief-")
    checked = run(["offer", "verify", kenmerk], env)
    assert checked.returncode == 0 and "Echt: zaak 1, stap 1, brief" in checked.stdout
    forged = run(["offer", "verify", "zaak1-stap1-deadbeef"], env)
    assert forged.returncode == 1 and "kennen wij niet" in forged.stderr
    # 'why' says what the letter said: the same facts, the owner by name
    why = run(["why", "1"], env)
    assert why.returncode == 0, why.stderr
    assert "Welke gegevens gebruikten wij, en van wie?" in why.stdout
    assert "Uw vaste contactpersoon is Sanne Jansen." in why.stdout
    assert kenmerk in why.stdout
    declined = run(["offer", "decline", "1"], env)
    assert declined.returncode == 0, declined.stderr
    assert "Inwoner regelt het zelf" in declined.stdout
    again = run(["offer", "decline", "1"], env)
    assert again.returncode == 2 and "afgesloten" in again.stderr


def test_a_code_by_hand_says_its_last_day_and_opens_the_residents_page(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import create_engine

    from proactief.accounts.resident_codes import redeem_code
    from proactief.channels.wording import dag

    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), PROACTIEF_CODE_DAGEN="10")
    env.pop("PROACTIEF_DATABASE_URL", None)
    (tmp_path / "s.json").write_text(json.dumps(ddas_document([signal(ID="A")])))
    assert (
        run(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env).returncode == 0
    )
    assert run(["cases", "match", "--datum", TODAY.isoformat()], env).returncode == 0
    made = run(["code", "1"], env)
    assert made.returncode == 0, made.stderr
    last_day = dag(datetime.now(UTC).date() + timedelta(days=10))
    assert f"werkt tot en met {last_day}" in " ".join(made.stdout.split())
    code = made.stdout.split(": ", 1)[1].split()[0]
    engine = create_engine(f"sqlite:///{tmp_path / 'd' / 'proactief.db'}")
    with engine.begin() as conn:
        assert redeem_code(conn=conn, code=code).startswith("b")
