"""Phone call and home visit: a task with its script in the contact worker's queue."""

from proactief.channels.base import ChannelPlugin, ChannelSpec, TaskChannel
from proactief.domain import Contactsoort, Kanaal

__all__ = ["HUISBEZOEK", "PLUGINS", "TELEFOON"]


_TASK_TEMPLATES = {"belscript": "aanbod/belscript.txt.j2"}
_TASK_PREVIEW = {"belscript": "belscript.txt"}

TELEFOON = ChannelPlugin(
    ChannelSpec(
        kanaal=Kanaal.TELEFOON,
        contactsoort=Contactsoort.TELEFOON,
        naam="Telefoon",
        zin="een telefoontje",
        tekst="belscript",
        templates=_TASK_TEMPLATES,
        voorbeeld=_TASK_PREVIEW,
        bericht=False,
    ),
    lambda _setup: TaskChannel(Kanaal.TELEFOON),
)
HUISBEZOEK = ChannelPlugin(
    ChannelSpec(
        kanaal=Kanaal.HUISBEZOEK,
        contactsoort=Contactsoort.HUISBEZOEK,
        naam="Bezoek thuis",
        zin="een bezoek",
        tekst="belscript",
        templates=_TASK_TEMPLATES,
        voorbeeld=_TASK_PREVIEW,
        bericht=False,
    ),
    lambda _setup: TaskChannel(Kanaal.HUISBEZOEK),
)

PLUGINS = (TELEFOON, HUISBEZOEK)
