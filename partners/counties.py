"""Norway's counties (fylker) by number, as of 1 January 2024: the partner register's county filter.

Source: Statistics Norway (SSB), classification 104 "Standard for fylkesinndeling", version valid from
1 January 2024 (after Viken, Vestfold og Telemark, and Troms og Finnmark were split again). A municipality
number's (kommunenummer's) first two digits are its county's number, so an organisation's county is read from
its municipality number. Update this table, and SOURCE_YEAR, when the counties change again.

The names are the counties' Norwegian names; proper names, so not translated. Troms, Finnmark and Trøndelag
also have official Sámi and Kven names, which the register does not show.
"""

SOURCE_YEAR = 2024

COUNTIES: dict[str, str] = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "55": "Troms",
    "56": "Finnmark",
}


def county_choices() -> list[tuple[str, str]]:
    """(number, name) of every county, by name, for a filter's choices."""
    return sorted(COUNTIES.items(), key=lambda item: item[1])


def county_of(municipality_number: str) -> str:
    """The name of the county a municipality number belongs to; empty for no number or an unknown county."""
    return COUNTIES.get(municipality_number[:2], "") if len(municipality_number) == 4 else ""
