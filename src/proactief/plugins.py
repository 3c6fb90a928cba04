"""One typed plug-in registry for sources, channels, contact-detail providers and regulations.

Each kind of plug-in has a ``Registry`` with the built-in plug-ins and an entry-point group
(``importlib.metadata``), so a municipality adds a plug-in by installing a package that
declares, in its own ``pyproject.toml``::

    [project.entry-points."proactief.contact_directories"]
    kcc = "gemeente_kcc:KccDirectory"

and choosing it in the settings (``PROACTIEF_CONTACT_DIRECTORY=kcc``), without editing
Proactief. A built-in name cannot be taken over by an entry point: a plug-in that wants to
replace a built-in takes its own name and is chosen in the settings.
"""

from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Generic, TypeVar

__all__ = ["GROUPS", "PluginError", "Registry"]

T = TypeVar("T")

GROUPS = {
    "sources": "proactief.sources",
    "channels": "proactief.channels",
    "contact_directories": "proactief.contact_directories",
    "regelingen": "proactief.regelingen",
}
"""The entry-point group of every kind of plug-in."""


class PluginError(LookupError):
    """A plug-in that is not there or cannot be loaded; the message names the group, the
    name and the plug-ins that are there."""

    def __init__(self, group: str, name: str, problem: str, known: list[str]) -> None:
        self.group = group
        self.name = name
        super().__init__(
            f"plug-in '{name}' ({group}): {problem}; "
            f"available: {', '.join(known) if known else '(none)'}"
        )


@dataclass
class Registry(Generic[T]):
    """Plug-ins of one kind, by name: the built-ins given here, then those installed
    packages declare in the entry-point ``group``. Entry points are read at the first
    lookup, and a plug-in's module is imported only when it is asked for."""

    group: str
    builtins: dict[str, T] = field(default_factory=dict)
    _installed: dict[str, EntryPoint] | None = field(default=None, init=False, repr=False)

    def _entry_points(self) -> dict[str, EntryPoint]:
        if self._installed is None:
            self._installed = {
                ep.name: ep for ep in entry_points(group=self.group) if ep.name not in self.builtins
            }
        return self._installed

    def names(self) -> list[str]:
        """Every plug-in's name: the built-ins first, then the installed ones."""
        return [*self.builtins, *sorted(self._entry_points())]

    def refresh(self) -> None:
        """Read the installed entry points again at the next lookup (after installing a
        package into a running process, as the tests do)."""
        self._installed = None

    def get(self, name: str) -> T:
        """The plug-in ``name``: the object its entry point names (usually a class).

        Raises:
            PluginError: no plug-in has that name, or its module cannot be imported.
        """
        if name in self.builtins:
            return self.builtins[name]
        entry = self._entry_points().get(name)
        if entry is None:
            raise PluginError(self.group, name, "not installed", self.names())
        try:
            loaded: T = entry.load()
        except (ImportError, AttributeError) as exc:
            raise PluginError(
                self.group, name, f"cannot be loaded from {entry.value} ({exc})", self.names()
            ) from exc
        return loaded
