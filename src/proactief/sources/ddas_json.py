"""DDAS-shaped JSON: ``{"leveringen": [{"vroegsignalen": [...]}, ...]}`` (DDAS v1.2)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from proactief.sources.base import IntakeFileError, RawRecord


class DdasJsonSource:
    """Reads the vroegsignalen of every levering in a DDAS v1.2 JSON file."""

    name: ClassVar[str] = "ddas-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def __init__(self) -> None:
        self._cache: tuple[Path, list[object]] | None = None

    def _leveringen(self, path: Path) -> list[object]:
        if self._cache is not None and self._cache[0] == path:
            return self._cache[1]
        try:
            with path.open("rb") as handle:
                document = json.load(handle)
        except OSError as exc:
            raise IntakeFileError(path, f"cannot open the file ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise IntakeFileError(path, "the file is not UTF-8 text") from exc
        except json.JSONDecodeError as exc:
            raise IntakeFileError(
                path, f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from exc
        if not isinstance(document, dict) or not isinstance(document.get("leveringen"), list):
            raise IntakeFileError(
                path, 'expected a JSON object with a list "leveringen" (DDAS v1.2 Uitwisselmodel)'
            )
        leveringen: list[object] = document["leveringen"]
        self._cache = (path, leveringen)
        return leveringen

    def count(self, path: Path) -> int | None:
        return sum(
            len(lev.get("vroegsignalen") or [])
            for lev in self._leveringen(path)
            if isinstance(lev, dict) and isinstance(lev.get("vroegsignalen") or [], list)
        )

    def read(self, path: Path) -> Iterator[RawRecord]:
        leveringen = self._leveringen(path)
        for li, levering in enumerate(leveringen):
            signals = levering.get("vroegsignalen") if isinstance(levering, dict) else None
            if signals is None:
                continue
            if not isinstance(signals, list):
                yield RawRecord(
                    position=f"leveringen[{li}].vroegsignalen",
                    data={"__not_an_object__": True},
                    raw=json.dumps(signals, ensure_ascii=False)[:2000],
                )
                continue
            for si, item in enumerate(signals):
                position = f"leveringen[{li}].vroegsignalen[{si}]"
                if isinstance(item, dict):
                    yield RawRecord(position=position, data=item)
                else:
                    yield RawRecord(
                        position=position,
                        data={"__not_an_object__": True},
                        raw=json.dumps(item, ensure_ascii=False),
                    )
        self._cache = None
