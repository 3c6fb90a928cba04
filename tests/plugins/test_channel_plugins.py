"""Channel plug-ins: each channel declares what the rest of Proactief knows of it, and an
installed plug-in can carry out a kanaal instead of the built-in."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import install_distribution
from proactief.channels import (
    ChannelSetup,
    Envelope,
    all_specs,
    channel_plugins,
    make_channels,
    spec_of,
)
from proactief.domain import ContactDetails, Contactsoort, Kanaal
from proactief.offers.messages import CHANNEL_TEMPLATES
from proactief.offers.outreach import PREVIEW_FILES
from proactief.plugins import PluginError

GATEWAY = """
from proactief.channels import ChannelPlugin, Delivery, spec_of
from proactief.domain import Kanaal

SENT = []


class Gateway:
    kanaal = Kanaal.SMS

    def deliver(self, envelope):
        SENT.append(envelope.tekst)
        return Delivery("afgeleverd", Kanaal.SMS, "gateway:" + envelope.referentie)


PLUGIN = ChannelPlugin(spec_of(Kanaal.SMS), lambda setup: Gateway())
"""


BUILTIN = (Kanaal.BRIEF, Kanaal.EMAIL, Kanaal.SMS, Kanaal.TELEFOON, Kanaal.HUISBEZOEK)


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    (tmp_path / "gemeente_sms.py").write_text(GATEWAY, encoding="utf-8")
    install_distribution(
        tmp_path, "gemeente-sms", "[proactief.channels]\ngemeente_sms = gemeente_sms:PLUGIN\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    channel_plugins.refresh()
    yield
    channel_plugins.refresh()


def test_every_kanaal_has_a_spec_in_the_ddas_vocabulary() -> None:
    assert [s.kanaal for s in all_specs()] == list(Kanaal)
    assert {k: spec_of(k).contactsoort for k in BUILTIN} == {
        Kanaal.BRIEF: Contactsoort.BRIEF,
        Kanaal.EMAIL: Contactsoort.MAIL,
        Kanaal.SMS: Contactsoort.SMS_WHATSAPP,
        Kanaal.TELEFOON: Contactsoort.TELEFOON,
        Kanaal.HUISBEZOEK: Contactsoort.HUISBEZOEK,
    }


def test_messages_and_previews_come_from_the_specs() -> None:
    """Each spec's parts are rendered and previewed; a one-time code never goes by SMS."""
    for spec in all_specs():
        assert spec.tekst in CHANNEL_TEMPLATES and spec.tekst in PREVIEW_FILES
        assert spec.html is None or spec.html in CHANNEL_TEMPLATES
    assert not spec_of(Kanaal.SMS).code
    assert {k for k in BUILTIN if not spec_of(k).bericht} == {Kanaal.TELEFOON, Kanaal.HUISBEZOEK}


def test_an_installed_plugin_carries_out_the_kanaal_it_is_chosen_for(
    gateway: None, tmp_path: Path
) -> None:
    chans = make_channels(ChannelSetup(tmp_path), {"sms": "gemeente_sms"})
    envelope = Envelope(
        referentie="zaak1-stap1",
        kanaal=Kanaal.SMS,
        ontvanger=ContactDetails(naam="inwoner", email=None, telefoon="0612345678", adres=()),
        afzender="Gemeente Voorbeeld",
        onderwerp="",
        tekst="Bel ons.",
    )
    delivery = chans[Kanaal.SMS].deliver(envelope)
    assert (delivery.status, delivery.detail) == ("afgeleverd", "gateway:zaak1-stap1")
    assert not (tmp_path / "sms").exists()  # the built-in SMS folder was not used
    assert type(chans[Kanaal.BRIEF]).__name__ == "LetterChannel"


def test_a_plugin_for_another_kanaal_is_refused(gateway: None, tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="serves sms, not email"):
        make_channels(ChannelSetup(tmp_path), {"email": "gemeente_sms"})
