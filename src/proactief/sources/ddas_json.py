"""DDAS-shaped JSON: ``{"leveringen": [{"vroegsignalen": [...]}, ...]}`` (DDAS v1.2).

Read as a stream (ijson), so memory does not grow with the file: one signal at a time.
``count`` walks the whole file first and checks its structure, so a broken or misspelled
file is refused with its position before anything of it is stored: an unknown key (a
misspelled ``vroegSignalen``), a list that is ``null`` or a string, invalid JSON or a byte
that is not UTF-8.
"""

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import ijson

from proactief.sources.base import IntakeFileError, RawRecord

_SIGNALS = "leveringen.item.vroegsignalen"
_SIGNAL = "leveringen.item.vroegsignalen.item"
_STARTS = {"start_map", "start_array"}
_ENDS = {"end_map", "end_array"}


_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def _parser_for(path: Path) -> Any:
    """The fast C parser, or the exact pure-Python one (about 15 times slower) for a file
    the C parser would misread: it silently turns a lone surrogate escape (``\\ud800``)
    into '?', which would store a changed signal ID, and it refuses the whole file for one
    integer beyond 64 bits. The Python parser keeps both, and validation quarantines the
    one record. (Searched with plain byte searches: a regular expression for 19 digits
    tries every digit of the file and took most of a second for 23 MB.)"""
    tail = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            window = tail + block
            if b"\\u" in window and _SURROGATE.search(window):
                return ijson.get_backend("python")
            if _LONG_NUMBER in window.translate(_DIGITS_AS_ZERO):
                return ijson.get_backend("python")
            tail = block[-20:]
    return ijson


@cache
def _allowed_keys() -> tuple[frozenset[str], frozenset[str]]:
    """The keys the DDAS v1.2 schema allows at the top and in a levering."""
    text = (resources.files("proactief") / "data" / "ddas_uitwisselmodel_v1.2.json").read_text(
        encoding="utf-8"
    )
    schema = json.loads(text)
    levering = schema["properties"]["leveringen"]["items"]["properties"]
    return frozenset(schema["properties"]), frozenset(levering)


def _kind(event: str) -> str:
    return {
        "start_map": "an object",
        "start_array": "a list",
        "null": "null",
        "string": "text",
        "number": "a number",
        "integer": "a number",
        "double": "a number",
        "boolean": "true/false",
    }.get(event, event)


def _unknown_key(value: object, allowed: frozenset[str], levering: int | None) -> str:
    expected = ", ".join(sorted(allowed))
    if levering is None:
        return f"unknown key '{value}' at the top of the file; expected {expected}"
    return f"leveringen[{levering}]: unknown key '{value}'; expected {expected}"


def _broken(path: Path, where: str, exc: Exception) -> IntakeFileError:
    """The file is not JSON (or not UTF-8) after ``where``, or cannot be read."""
    if isinstance(exc, OSError):
        return IntakeFileError(path, f"cannot read the file ({exc.strerror})")
    # the parser's first line only: the rest quotes the file, which may hold a BSN
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return IntakeFileError(
        path, f"not valid JSON (or not UTF-8) after {where}: {_locate(path, reason)}"
    )


_LOCATE_LIMIT = 64 << 20
"""Up to this size a broken file is read once more, whole, to name line and column."""


def _locate(path: Path, reason: str) -> str:
    """Line and column of the error, from the standard parser (which says where, but
    holds the whole file in memory: only for files up to ``_LOCATE_LIMIT``)."""
    try:
        if path.stat().st_size > _LOCATE_LIMIT:
            return reason
        data = path.read_bytes()
        json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        return f"line {line}, column {column}: a byte that is not UTF-8"
    except json.JSONDecodeError as exc:
        return f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except (OSError, RecursionError):
        return reason
    return reason


def _record(position: str, item: object) -> RawRecord:
    if isinstance(item, dict):
        return RawRecord(position=position, data=item)
    return RawRecord(
        position=position,
        data={"__not_an_object__": True},
        raw=json.dumps(item, ensure_ascii=False, default=str),
    )


def _signature(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class DdasJsonSource:
    """Reads the vroegsignalen of every levering in a DDAS v1.2 JSON file.

    Two passes: :meth:`count` walks the parser's events to check the structure and to
    learn how many signals each levering holds; :meth:`read` then lets ijson's C code
    build every signal (several times faster than building them event by event in
    Python) and gives each its position from those counts."""

    name: ClassVar[str] = "ddas-json"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def __init__(self) -> None:
        self._layout: tuple[Path, tuple[int, int, int], Any, list[int]] | None = None

    def __getstate__(self) -> dict[str, object]:
        """Picklable, for intake's reading process: the parser (a module) goes by name,
        so the counts of :meth:`count` go along and the file is not walked twice."""
        layout = self._layout
        if layout is None:
            return {"_layout": None}
        return {"_layout": (*layout[:2], "c" if layout[2] is ijson else "python", layout[3])}

    def __setstate__(self, state: dict[str, Any]) -> None:
        layout = state["_layout"]
        if layout is not None:
            parser = ijson if layout[2] == "c" else ijson.get_backend("python")
            layout = (layout[0], layout[1], parser, layout[3])
        self._layout = layout

    def count(self, path: Path) -> int:
        """The number of signals; checks the whole file's structure first.

        Raises:
            IntakeFileError: unreadable, not JSON, not UTF-8, or not the DDAS shape, with
                the position where it goes wrong.
        """
        return sum(self._scan(path)[1])

    def _scan(self, path: Path) -> tuple[Any, list[int]]:
        """The parser this file needs, and how many signals each levering holds (from
        :meth:`count`'s walk while the file is unchanged; else walked now)."""
        try:
            signature = _signature(path)
            parser = None
            if self._layout is None or self._layout[:2] != (path, signature):
                parser = _parser_for(path)
        except OSError as exc:
            raise IntakeFileError(path, f"cannot open the file ({exc.strerror})") from exc
        if parser is None and self._layout is not None:
            return self._layout[2], self._layout[3]
        counts = self._count_signals(path, parser)
        self._layout = (path, signature, parser, counts)
        return parser, counts

    def _count_signals(self, path: Path, parser: Any) -> list[int]:
        """Check the file's structure and count each levering's signals, from the parser's
        plain events: the checks of :meth:`_walk`, without building anything or naming
        each event's path (this pass sees every event of the file, so it is kept lean)."""
        top_keys, levering_keys = _allowed_keys()
        counts: list[int] = []
        li = si = -1
        where = "the start of the file"
        # 0: before the top value; 1: in the top object; 2: in "leveringen"; 3: in a
        # levering; 4: in its "vroegsignalen"; 5: after the top value
        state = 0
        key: object = None
        skip = 0  # inside a value this pass does not look into (a signal, another field)
        has_leveringen = False

        def refuse(problem: str) -> IntakeFileError:
            return IntakeFileError(path, f"{problem} (DDAS v1.2 Uitwisselmodel)")

        try:
            handle = path.open("rb")
        except OSError as exc:
            raise IntakeFileError(path, f"cannot open the file ({exc.strerror})") from exc
        with handle:
            try:
                for event, value in parser.basic_parse(handle, use_float=True):
                    if skip:
                        if event in _STARTS:
                            skip += 1
                        elif event in _ENDS:
                            skip -= 1
                        continue
                    if state == 4:
                        if event == "end_array":
                            state = 3
                            continue
                        si += 1
                        counts[li] += 1
                        where = f"leveringen[{li}].vroegsignalen[{si}]"
                        if event in _STARTS:
                            skip = 1
                    elif state == 3:
                        if event == "map_key":
                            if value not in levering_keys:
                                raise refuse(_unknown_key(value, levering_keys, li))
                            key = value
                        elif event == "end_map":
                            state = 2
                        elif key == "vroegsignalen":
                            if event != "start_array":
                                raise refuse(
                                    f"leveringen[{li}].vroegsignalen is {_kind(event)}, "
                                    "expected a list"
                                )
                            state = 4
                        elif event in _STARTS:
                            skip = 1
                    elif state == 2:
                        if event == "start_map":
                            li += 1
                            si = -1
                            counts.append(0)
                            where = f"leveringen[{li}]"
                            state = 3
                        elif event == "end_array":
                            state = 1
                        else:
                            raise refuse(
                                f"leveringen[{li + 1}] is {_kind(event)}, expected an object"
                            )
                    elif state == 1:
                        if event == "map_key":
                            if value not in top_keys:
                                raise refuse(_unknown_key(value, top_keys, None))
                            key = value
                        elif event == "end_map":
                            state = 5
                        elif key == "leveringen":
                            if event != "start_array":
                                raise refuse(f'"leveringen" is {_kind(event)}, expected a list')
                            has_leveringen = True
                            state = 2
                        elif event in _STARTS:
                            skip = 1
                    elif state == 0:
                        if event != "start_map":
                            raise refuse(
                                f"the file holds {_kind(event)}, expected a JSON object with a "
                                'list "leveringen"'
                            )
                        state = 1
            except (ijson.JSONError, UnicodeDecodeError, OSError) as exc:
                raise _broken(path, where, exc) from exc
        if not has_leveringen:
            raise refuse('expected a JSON object with a list "leveringen"')
        return counts

    def read(self, path: Path) -> Iterator[RawRecord]:
        parser, counts = self._scan(path)
        if parser is not ijson:  # the exact parser: build event by event, as it reads
            for position, item in self._walk(path, parser=parser):
                yield _record(position, item)
            return
        with path.open("rb") as handle:
            items = ijson.items(handle, _SIGNAL, use_float=True)
            for levering, n in enumerate(counts):
                for index in range(n):
                    try:
                        item = next(items)
                    except (StopIteration, ijson.JSONError, UnicodeDecodeError) as exc:
                        # the file changed between the two passes
                        raise IntakeFileError(
                            path, f"the file changed while it was read ({type(exc).__name__})"
                        ) from exc
                    yield _record(f"leveringen[{levering}].vroegsignalen[{index}]", item)

    def _walk(self, path: Path, *, parser: Any) -> Iterator[tuple[str, object]]:
        """(position, signal) for every item of every levering's vroegsignalen, built event
        by event with the structure checked on the way: the read of a file that needs the
        exact parser."""
        top_keys, levering_keys = _allowed_keys()
        li = -1
        si = -1
        where = "the start of the file"
        builder = ijson.ObjectBuilder()
        depth = 0
        has_leveringen = False
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise IntakeFileError(path, f"cannot open the file ({exc.strerror})") from exc

        def refuse(problem: str) -> IntakeFileError:
            return IntakeFileError(path, f"{problem} (DDAS v1.2 Uitwisselmodel)")

        with handle:
            events = parser.parse(handle, use_float=True)
            try:
                for prefix, event, value in events:
                    if depth:  # inside one signal
                        builder.event(event, value)
                        if event in _STARTS:
                            depth += 1
                        elif event in _ENDS:
                            depth -= 1
                        if depth == 0:
                            yield where, builder.value
                        continue
                    if prefix == _SIGNAL:
                        si += 1
                        where = f"leveringen[{li}].vroegsignalen[{si}]"
                        if event in _STARTS:
                            depth = 1
                            builder = ijson.ObjectBuilder()
                            builder.event(event, value)
                        else:  # a scalar where a signal should be: a record to reject
                            yield where, value
                    elif prefix == "" and event == "start_map":
                        continue
                    elif prefix == "" and event == "map_key":
                        if value not in top_keys:
                            raise refuse(_unknown_key(value, top_keys, None))
                    elif prefix == "" and event not in _ENDS:
                        raise refuse(
                            f"the file holds {_kind(event)}, expected a JSON object with a "
                            'list "leveringen"'
                        )
                    elif prefix == "leveringen" and event == "start_array":
                        has_leveringen = True
                    elif prefix == "leveringen" and event != "end_array":
                        raise refuse(f'"leveringen" is {_kind(event)}, expected a list')
                    elif prefix == "leveringen.item" and event == "start_map":
                        li += 1
                        si = -1
                        where = f"leveringen[{li}]"
                    elif prefix == "leveringen.item" and event == "map_key":
                        if value not in levering_keys:
                            raise refuse(_unknown_key(value, levering_keys, li))
                    elif prefix == "leveringen.item" and event not in _ENDS:
                        raise refuse(f"leveringen[{li + 1}] is {_kind(event)}, expected an object")
                    elif prefix == _SIGNALS and event not in ("start_array", "end_array"):
                        raise refuse(
                            f"leveringen[{li}].vroegsignalen is {_kind(event)}, expected a list"
                        )
                    elif prefix == "" and event == "end_map":
                        continue
            except (ijson.JSONError, UnicodeDecodeError, OSError) as exc:
                raise _broken(path, where, exc) from exc
        if not has_leveringen:
            raise refuse('expected a JSON object with a list "leveringen"')
