"""The channel plug-ins: the built-ins (letter, e-mail, SMS, phone, home visit) and those
installed packages declare under the entry-point group ``proactief.channels``.

A municipality replaces how a channel is carried out (its own SMS gateway, a Berichtenbox
for letters) with a plug-in of its own name, chosen in ``PROACTIEF_CHANNELS``
(``{"sms": "gemeente_sms"}``); the messages, their checks and the resident's page stay
those of the channel's spec. A new kind of channel is a plug-in module with its
``ChannelSpec`` and its templates, plus its name in ``domain.Kanaal`` (docs/plugins.md).
"""

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from proactief.channels.base import (
    Channel,
    ChannelPlugin,
    ChannelSetup,
    ChannelSpec,
)
from proactief.domain import Kanaal
from proactief.plugins import GROUPS, PluginError, Registry

__all__ = ["all_specs", "channel_plugins", "make_channels", "spec_of"]


def _builtins() -> dict[str, ChannelPlugin]:
    """Every ``PLUGINS`` tuple in a module of this package (named by their kanaal) and
    every ``NAMED_PLUGINS`` mapping (another way to carry out a kanaal, by its own name,
    e.g. ``notify_email``): a channel module added here is found without being listed
    anywhere."""
    found: dict[str, ChannelPlugin] = {}
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        loaded = importlib.import_module(f"proactief.channels.{module.name}")
        for plugin in getattr(loaded, "PLUGINS", ()):
            found[plugin.spec.kanaal.value] = plugin
        found.update(getattr(loaded, "NAMED_PLUGINS", {}))
    return found


channel_plugins: Registry[ChannelPlugin] = Registry(GROUPS["channels"], _builtins())
"""Channel plug-ins by name; a built-in's name is its kanaal."""


@cache
def spec_of(kanaal: Kanaal) -> ChannelSpec:
    """What Proactief knows of ``kanaal``: the built-in's spec, else that of the installed
    plug-in for this kanaal."""
    if kanaal.value in channel_plugins.builtins:
        return channel_plugins.builtins[kanaal.value].spec
    for name in channel_plugins.names():
        plugin = channel_plugins.get(name)
        if plugin.spec.kanaal == kanaal:
            return plugin.spec
    raise PluginError(GROUPS["channels"], kanaal.value, "no plug-in for this kanaal", [])


def all_specs() -> list[ChannelSpec]:
    """The spec of every channel, in the order of ``Kanaal``."""
    return [spec_of(k) for k in Kanaal]


def make_channels(
    setup: ChannelSetup, chosen: Mapping[str, str] | None = None
) -> dict[Kanaal, Channel]:
    """One channel per kanaal: the plug-in named in ``chosen`` (kanaal -> plug-in name),
    else the built-in.

    Raises:
        PluginError: a chosen plug-in is not installed, or serves another kanaal.
    """
    chosen = dict(chosen or {})
    unknown = set(chosen) - {k.value for k in Kanaal}
    if unknown:
        raise PluginError(
            GROUPS["channels"],
            ", ".join(sorted(unknown)),
            "no such kanaal",
            [k.value for k in Kanaal],
        )
    out: dict[Kanaal, Channel] = {}
    for kanaal in Kanaal:
        name = chosen.get(kanaal.value, kanaal.value)
        plugin = channel_plugins.get(name)
        if plugin.spec.kanaal != kanaal:
            raise PluginError(
                GROUPS["channels"],
                name,
                f"serves {plugin.spec.kanaal}, not {kanaal}",
                channel_plugins.names(),
            )
        out[kanaal] = plugin.make(setup)
    return out
