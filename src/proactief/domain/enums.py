"""The national DDAS v1.2 vocabulary (VNG Realisatie, 'Data delen voor Armoede en Schulden').

Values are copied verbatim from ``json_schema_Uitwisselmodel.json`` ($defs/Enum*); a test
checks they stay equal to the schema, so a new schema version cannot drift in silently.
"""

from enum import StrEnum


class Signaalpartner(StrEnum):
    """Kind of creditor that sends a vroegsignaal (EnumSignaalpartner)."""

    BELASTINGDIENST = "Belastingdienst"
    CAK_EIGEN_BIJDRAGE = "CAK Eigen bijdrage"
    CAK_ZORGVERZEKERINGEN = "CAK Zorgverzekeringen"
    DIENST_TOESLAGEN = "Dienst Toeslagen"
    DUO = "DUO"
    ENERGIE = "Energie"
    HUUR = "Huur"
    HYPOTHEEK = "Hypotheek"
    OVERIGE = "Overige"
    WATER = "Water"
    ZORG = "Zorg"


_PARTNER_NL = {
    "Belastingdienst": "de Belastingdienst",
    "CAK Eigen bijdrage": "het CAK (eigen bijdrage)",
    "CAK Zorgverzekeringen": "het CAK (zorgverzekering)",
    "Dienst Toeslagen": "Dienst Toeslagen",
    "DUO": "DUO",
    "Energie": "uw energieleverancier",
    "Huur": "uw verhuurder",
    "Hypotheek": "uw hypotheekverstrekker",
    "Overige": "een organisatie waar u een rekening heeft",
    "Water": "uw drinkwaterbedrijf",
    "Zorg": "uw zorgverzekeraar",
}


_PARTNER_TEAM = {
    "Belastingdienst": "Belastingdienst",
    "CAK Eigen bijdrage": "CAK (eigen bijdrage)",
    "CAK Zorgverzekeringen": "CAK (zorgverzekering)",
    "Dienst Toeslagen": "Dienst Toeslagen",
    "DUO": "DUO",
    "Energie": "Energieleverancier",
    "Huur": "Verhuurder",
    "Hypotheek": "Hypotheekverstrekker",
    "Overige": "Overige schuldeiser",
    "Water": "Drinkwaterbedrijf",
    "Zorg": "Zorgverzekeraar",
}


def signaalpartner_team(partner: "Signaalpartner | str") -> str:
    """How the team's pages name the partner (not the resident's 'uw ...').

    >>> signaalpartner_team("Huur")
    'Verhuurder'
    """
    return _PARTNER_TEAM.get(str(partner), str(partner))


def signaalpartner_nl(partner: "Signaalpartner | str") -> str:
    """How a letter names the partner, in plain Dutch.

    >>> signaalpartner_nl("Zorg")
    'uw zorgverzekeraar'
    """
    return _PARTNER_NL[str(partner)]


class Contactsoort(StrEnum):
    """Kind of contact attempt (EnumContactsoort)."""

    ADMINISTRATIEF = "Administratief"
    AFSPRAAK_OP_LOCATIE = "Afspraak op locatie"
    BRIEF = "Brief"
    HUISBEZOEK = "Huisbezoek"
    KAARTJE = "Kaartje"
    MAIL = "Mail"
    ONBEKEND = "Onbekend"
    OVERIGE = "Overige"
    SMS_WHATSAPP = "SMS/Whatsapp"
    TELEFOON = "Telefoon"


class Dagdeel(StrEnum):
    """Part of day of a contact attempt (EnumDagdeel)."""

    OCHTEND = "Ochtend"
    MIDDAG = "Middag"
    AVOND = "Avond"


class Signaalstatus(StrEnum):
    """Status of a single signal (EnumSignaalstatus)."""

    INWONER_AL_BEKEND_BIJ_SCHULDHULPVERLENING = "Inwoner al bekend bij schuldhulpverlening"
    INWONER_IS_OVERLEDEN = "Inwoner is overleden"
    NIET_OPGEPAKT_ANDERE_REDEN = "Niet opgepakt: andere reden"
    NIET_OPGEPAKT_HERHAALDE_MELDING = "Niet opgepakt: herhaalde melding"
    NIET_OPGEPAKT_ONTERECHT_SIGNAAL = "Niet opgepakt: onterecht signaal"
    NOG_NIET_OPGEPAKT = "Nog niet opgepakt"
    OPGEPAKT = "Opgepakt"
    GEEN_INWONER = "Persoon is geen inwoner (meer) in de gemeente"


class Eindresultaat(StrEnum):
    """End result of a vroegsignaalzaak (EnumEindresultaat)."""

    BUDGETADVIES_QUICK_FIX = "(Budget)advies en/of quick fix"
    DEFINITIEF_GEEN_CONTACT = "Definitief geen contact kunnen krijgen"
    GEEN_REACTIE_NA_EERDER_CONTACT = "Geen reactie na eerder contact"
    INWONER_AL_BEKEND_BIJ_SCHULDHULPVERLENING = "Inwoner al bekend bij schuldhulpverlening"
    INWONER_HEEFT_ANDER_TRAJECT = "Inwoner heeft al een ander lopend traject"
    INWONER_HEEFT_ZELF_BETAALD = "Inwoner heeft zelf al betaald/betalingsregeling getroffen"
    INWONER_IS_OVERLEDEN = "Inwoner is overleden"
    INWONER_REGELT_HET_ZELF = "Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering"
    NIET_OPGEPAKT_ANDERE_REDEN = "Niet opgepakt: andere reden"
    NIET_OPGEPAKT_HERHAALDE_MELDING = "Niet opgepakt: herhaalde melding"
    NIET_OPGEPAKT_ONTERECHT_SIGNAAL = "Niet opgepakt: onterecht signaal"
    GEEN_INWONER = "Persoon is geen inwoner (meer) in de gemeente"
    VERVOLGHULP = "Vervolghulp en/of verwijzing"
    VERVOLGHULP_FINANCIEEL = "Vervolghulp en/of verwijzing financieel"
    VERVOLGHULP_NIET_FINANCIEEL = "Vervolghulp en/of verwijzing niet financieel"
    VERWIJZING_ZONDER_TUSSENKOMST = "Verwijzing zonder tussenkomst inwoner"


class Geslacht(StrEnum):
    """Sex as recorded in the BRP ($defs/geslacht)."""

    MAN = "Man"
    VROUW = "Vrouw"
    ONBEKEND = "Onbekend"
    LEEG = "Leeg"


def signaalstatus_for_case(
    *, eindresultaat: "Eindresultaat | None", opgepakt: bool
) -> Signaalstatus:
    """Derive the status of a signal from the state of its case.

    A signal's status follows its case (DDAS: the signal status is reported per signal,
    the end result per case). End results that also exist as a signal status carry over;
    any other end result means the case was picked up.

    >>> signaalstatus_for_case(eindresultaat=None, opgepakt=False)
    <Signaalstatus.NOG_NIET_OPGEPAKT: 'Nog niet opgepakt'>
    >>> signaalstatus_for_case(eindresultaat=Eindresultaat.NIET_OPGEPAKT_HERHAALDE_MELDING,
    ...                        opgepakt=False).value
    'Niet opgepakt: herhaalde melding'
    """
    if eindresultaat is not None:
        try:
            return Signaalstatus(eindresultaat.value)
        except ValueError:
            return Signaalstatus.OPGEPAKT
    return Signaalstatus.OPGEPAKT if opgepakt else Signaalstatus.NOG_NIET_OPGEPAKT
