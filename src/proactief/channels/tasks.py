"""Phone call and home visit: a task with its script in the contact worker's queue."""

from proactief.channels.base import ChannelPlugin, ChannelSpec, TaskChannel
from proactief.domain import Contactsoort, Kanaal

__all__ = ["HUISBEZOEK", "PLUGINS", "TELEFOON"]


def _task(kanaal: Kanaal, contactsoort: Contactsoort, naam: str, zin: str) -> ChannelPlugin:
    """A task channel: the phone script is its text; the worker registers the attempt."""
    spec = ChannelSpec(
        kanaal=kanaal,
        contactsoort=contactsoort,
        naam=naam,
        zin=zin,
        tekst="belscript",
        templates={"belscript": "aanbod/belscript.txt.j2"},
        voorbeeld={"belscript": "belscript.txt"},
        bericht=False,
    )
    return ChannelPlugin(spec, lambda _setup: TaskChannel(kanaal))


TELEFOON = _task(Kanaal.TELEFOON, Contactsoort.TELEFOON, "Telefoon", "een telefoontje")
HUISBEZOEK = _task(Kanaal.HUISBEZOEK, Contactsoort.HUISBEZOEK, "Bezoek thuis", "een bezoek")
PLUGINS = (TELEFOON, HUISBEZOEK)
