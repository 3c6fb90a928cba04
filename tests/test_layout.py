"""tests/ mirrors src/proactief/: every package has its folder of tests."""

from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "proactief"


def test_every_package_has_its_tests_folder() -> None:
    packages = {p.parent.name for p in SRC.glob("*/__init__.py")} - {"data"}
    here = Path(__file__).resolve().parent
    missing = sorted(p for p in packages if not any((here / p).glob("test_*.py")))
    assert missing == [], f"no tests/<package>/test_*.py for {missing}"
