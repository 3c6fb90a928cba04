"""Write one letter per tone into docs/offers.md (between its two marker lines), as the
demo previewed it.

Run after `scripts/demo.sh` (or `proactief demo`):

    .venv/bin/python scripts/letters_per_tone.py [proactief-data]

It takes, per tone, the demo's preview of one case's offer (the e-mail text; the letter
PDF has the same sentences) and writes it with the account it was rendered from. Nothing
is made up here: the texts are the demo's files.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "offers.md"
BEGIN = "<!-- brieven-per-toon: begin (scripts/letters_per_tone.py) -->"
END = "<!-- brieven-per-toon: eind -->"


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "proactief-data"
    previews = data / "demo" / "berichten"
    if not previews.is_dir():
        print(f"{previews} bestaat niet: draai eerst scripts/demo.sh", file=sys.stderr)
        return 2
    parts = [
        BEGIN,
        "",
        "Written by `scripts/letters_per_tone.py` from the files of a demo run "
        "(`scripts/demo.sh`); not edited by hand. Each is the e-mail text of one case's "
        "offer in that tone, rendered from its account (below each letter: the facts it "
        "was allowed to state). The letter PDF carries the same sentences under the "
        "address block. Previews carry the reference `VOORBEELD`; a message that goes "
        "out carries its own.",
        "",
    ]
    for folder in sorted(previews.iterdir()):
        tone = folder.name.split("-zaak")[0]
        account = json.loads((folder / "verantwoording.json").read_text(encoding="utf-8"))
        text = (folder / "email.txt").read_text(encoding="utf-8").strip()
        facts = {
            "bronnen": sorted({g["bron"] for g in account["gegevens"]}),
            "regelingen": [r["naam"] for r in account["regelingen"]],
            "vervolg": [f"{s['datum']} {s['kanaal']}" for s in account["vervolg"]],
            "eigenaar": account["contact"]["eigenaar"],
        }
        parts += [
            f"#### {tone}",
            "",
            "```text",
            text,
            "```",
            "",
            f"Account: {json.dumps(facts, ensure_ascii=False)}",
            "",
        ]
    parts.append(END)
    doc = OUT.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        print(f"{OUT}: de markeringen {BEGIN} en {END} ontbreken", file=sys.stderr)
        return 2
    head, rest = doc.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    OUT.write_text(head + "\n".join(parts) + tail, encoding="utf-8")
    print(f"{OUT} geschreven ({len(list(previews.iterdir()))} tonen)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
