"""Which regulations there are and where each one's files live.

The built-in regulations are folders in ``regelingen/`` (``rules.py``, ``parameters.yaml``,
``tests.yaml``). A municipality adds its own (a local minima scheme, say) by installing a
package that declares its rules module in the entry-point group ``proactief.regelingen``::

    [project.entry-points."proactief.regelingen"]
    energietoeslag = "gemeente_minima.energietoeslag.rules"

with ``parameters.yaml`` (every amount with its source) beside that module. The engine then
evaluates, explains and scans it like a built-in; a built-in name cannot be taken over.
"""

from pathlib import Path
from types import ModuleType

from proactief.plugins import GROUPS, PluginError, Registry

__all__ = [
    "BUILTIN_REGELINGEN",
    "REGELINGEN_DIR",
    "folder_of",
    "installed_regelingen",
    "regeling_names",
    "rules_module_name",
]

REGELINGEN_DIR = Path(__file__).resolve().parent / "regelingen"

BUILTIN_REGELINGEN = (
    "zorgtoeslag",
    "kindgebonden_budget",
    "huurtoeslag",
    "kwijtschelding",
    "bijzondere_bijstand",
    "individuele_inkomenstoeslag",
)
"""The regulations shipped with Proactief, in the order reports show them."""

installed_regelingen: Registry[ModuleType] = Registry(
    GROUPS["regelingen"],
    builtins={
        name: ModuleType(f"proactief.entitlements.regelingen.{name}.rules")
        for name in BUILTIN_REGELINGEN
    },
)
"""Every regulation's rules module by name. A built-in is an unimported stand-in that
carries its module's import path, so that looking regulations up never imports the rules
(they import the engine); an installed one is the module its entry point names."""


def regeling_names() -> tuple[str, ...]:
    """Every regulation: the built-ins, then the installed ones."""
    return tuple(installed_regelingen.names())


def rules_module_name(regeling: str) -> str:
    """The import path of a regulation's rules module.

    Raises:
        PluginError: no regulation has that name, or its module cannot be found.
    """
    return installed_regelingen.get(regeling).__name__


def folder_of(name: str) -> Path:
    """The folder holding a regulation's (or a parameter set's) ``parameters.yaml``: in
    ``regelingen/`` for the built-ins and the shared sets (e.g. ``bijstandsnorm``), else
    beside the installed regulation's rules module."""
    own = REGELINGEN_DIR / name
    if own.is_dir():
        return own
    try:
        module = installed_regelingen.get(name)
    except PluginError:
        return own  # not installed either: loading says which file is missing
    return Path(module.__file__ or "").resolve().parent
