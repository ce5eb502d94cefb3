"""Words for invented load data: organisations, people, topics and the sentences inquiries are made of.

Everything here is made up for load tests (`manage.py generate_load_data`). Names of real public bodies are used as
organisations that typically contact the centre; people and texts are fictional.
"""

from dataclasses import dataclass

# Every generated e-mail address is at this reserved domain (RFC 2606): it is also how generated data is recognised.
GENERATED_DOMAIN = "load.example"

# Norwegian municipalities with their municipality numbers (kommunenummer, 2024): the first two digits are the county.
NORWEGIAN_MUNICIPALITIES = [
    ("Oslo kommune", "0301"),
    ("Stavanger kommune", "1103"),
    ("Haugesund kommune", "1106"),
    ("Sandnes kommune", "1108"),
    ("Sola kommune", "1124"),
    ("Kristiansund kommune", "1505"),
    ("Molde kommune", "1506"),
    ("Ålesund kommune", "1508"),
    ("Bodø kommune", "1804"),
    ("Narvik kommune", "1806"),
    ("Rana kommune", "1833"),
    ("Halden kommune", "3101"),
    ("Moss kommune", "3103"),
    ("Sarpsborg kommune", "3105"),
    ("Fredrikstad kommune", "3107"),
    ("Bærum kommune", "3201"),
    ("Asker kommune", "3203"),
    ("Lillestrøm kommune", "3205"),
    ("Nordre Follo kommune", "3207"),
    ("Drammen kommune", "3301"),
    ("Kongsberg kommune", "3303"),
    ("Hamar kommune", "3403"),
    ("Lillehammer kommune", "3405"),
    ("Gjøvik kommune", "3407"),
    ("Horten kommune", "3901"),
    ("Tønsberg kommune", "3905"),
    ("Sandefjord kommune", "3907"),
    ("Larvik kommune", "3909"),
    ("Porsgrunn kommune", "4001"),
    ("Skien kommune", "4003"),
    ("Grimstad kommune", "4202"),
    ("Arendal kommune", "4203"),
    ("Kristiansand kommune", "4204"),
    ("Bergen kommune", "4601"),
    ("Stord kommune", "4614"),
    ("Voss kommune", "4621"),
    ("Røros kommune", "5025"),
    ("Melhus kommune", "5028"),
    ("Malvik kommune", "5031"),
    ("Stjørdal kommune", "5035"),
    ("Levanger kommune", "5037"),
    ("Verdal kommune", "5038"),
    ("Steinkjer kommune", "5006"),
    ("Namsos kommune", "5007"),
    ("Orkland kommune", "5059"),
    ("Tromsø kommune", "5501"),
    ("Harstad kommune", "5503"),
    ("Hammerfest kommune", "5601"),
    ("Alta kommune", "5603"),
    ("Vadsø kommune", "5607"),
]

FOREIGN_MUNICIPALITIES = [
    ("Aarhus Kommune", "DK"),
    ("Københavns Kommune", "DK"),
    ("Odense Kommune", "DK"),
    ("City of Tampere", "FI"),
    ("City of Espoo", "FI"),
    ("City of Turku", "FI"),
    ("Göteborgs Stad", "SE"),
    ("Malmö stad", "SE"),
    ("Umeå kommun", "SE"),
    ("Uppsala kommun", "SE"),
    ("Reykjavíkurborg", "IS"),
    ("Bundesstadt Bonn", "DE"),
    ("Stadt Freiburg im Breisgau", "DE"),
    ("Freie und Hansestadt Hamburg", "DE"),
    ("Ajuntament de València", "ES"),
    ("Ajuntament de Barcelona", "ES"),
    ("Gemeente Utrecht", "NL"),
    ("Gemeente Eindhoven", "NL"),
    ("Stad Gent", "BE"),
    ("Stad Leuven", "BE"),
    ("Ville de Grenoble", "FR"),
    ("Métropole de Lyon", "FR"),
    ("Tallinna Linnavalitsus", "EE"),
    ("Rīgas valstspilsētas pašvaldība", "LV"),
    ("Glasgow City Council", "GB"),
    ("Bristol City Council", "GB"),
    ("Prefeitura de Curitiba", "BR"),
    ("Nairobi City County", "KE"),
    ("Kyoto City", "JP"),
    ("City of Cape Town", "ZA"),
]

# fmt: off
COUNTIES = [
    "Trøndelag fylkeskommune", "Vestland fylkeskommune", "Rogaland fylkeskommune", "Nordland fylkeskommune",
    "Innlandet fylkeskommune", "Agder fylkeskommune", "Møre og Romsdal fylkeskommune", "Troms fylkeskommune",
    "Finnmark fylkeskommune", "Akershus fylkeskommune", "Østfold fylkeskommune", "Buskerud fylkeskommune",
    "Vestfold fylkeskommune", "Telemark fylkeskommune",
]
# fmt: on

# (name, kind, country): bodies that typically contact the centre; generated ones are added to these.
NAMED_ORGANISATIONS = [
    ("NTNU", "research", "NO"),
    ("SINTEF", "research", "NO"),
    ("Nord universitet", "research", "NO"),
    ("Universitetet i Bergen", "research", "NO"),
    ("UiT Norges arktiske universitet", "research", "NO"),
    ("Norsk institutt for naturforskning (NINA)", "research", "NO"),
    ("Transportøkonomisk institutt", "research", "NO"),
    ("NILU", "research", "NO"),
    ("Chalmers tekniska högskola", "research", "SE"),
    ("KTH Royal Institute of Technology", "research", "SE"),
    ("Aalto University", "research", "FI"),
    ("TU Delft", "research", "NL"),
    ("Danmarks Tekniske Universitet", "research", "DK"),
    ("ETH Zürich", "research", "CH"),
    ("AtB AS", "company", "NO"),
    ("Volue ASA", "company", "NO"),
    ("Norsk Gjenvinning AS", "company", "NO"),
    ("Trønderenergi AS", "company", "NO"),
    ("Statkraft AS", "company", "NO"),
    ("Equinor ASA", "company", "NO"),
    ("Sweco Norge AS", "company", "NO"),
    ("Multiconsult ASA", "company", "NO"),
    ("SpareBank 1 SMN", "financial", "NO"),
    ("DNB Bank ASA", "financial", "NO"),
    ("KLP", "financial", "NO"),
    ("Storebrand ASA", "financial", "NO"),
    ("Kommunalbanken AS", "financial", "NO"),
    ("European Investment Bank", "financial", "LU"),
    ("Nordic Investment Bank", "financial", "FI"),
    ("Innovasjon Norge", "public_agency", "NO"),
    ("Enova SF", "public_agency", "NO"),
    ("KS – Kommunesektorens organisasjon", "public_agency", "NO"),
    ("Husbanken", "public_agency", "NO"),
    ("Statens vegvesen", "public_agency", "NO"),
    ("Miljødirektoratet", "public_agency", "NO"),
    ("Norges forskningsråd", "public_agency", "NO"),
    ("Digitaliseringsdirektoratet", "public_agency", "NO"),
    ("Statsforvalteren i Trøndelag", "public_agency", "NO"),
    ("Helsedirektoratet", "public_agency", "NO"),
    ("ZERO", "ngo", "NO"),
    ("Bellona", "ngo", "NO"),
    ("Naturvernforbundet", "ngo", "NO"),
    ("Framtiden i våre hender", "ngo", "NO"),
    ("Røde Kors Trondheim", "ngo", "NO"),
    ("Kirkens Bymisjon Trondheim", "ngo", "NO"),
    ("Plan International Norge", "ngo", "NO"),
    ("WWF Verdens naturfond", "ngo", "NO"),
    ("ICLEI Europe", "ngo", "DE"),
    ("Eurocities", "ngo", "BE"),
    ("UN-Habitat", "international", "KE"),
    ("UNECE", "international", "CH"),
    ("UNDP", "international", "US"),
    ("UNEP", "international", "KE"),
    ("UNICEF", "international", "US"),
    ("WHO Regional Office for Europe", "international", "DK"),
    ("OECD", "international", "FR"),
    ("Nordic Council of Ministers", "international", "DK"),
    ("ITU – U4SSC", "international", "CH"),
    ("UN Global Compact", "international", "US"),
    ("Trondheim Havn IKS", "other", "NO"),
    ("Studentsamskipnaden i Trondheim (Sit)", "other", "NO"),
    ("Olavsfestdagene", "other", "NO"),
    ("Trondheim Makerspace", "other", "NO"),
    ("Rosenborg Ballklub", "other", "NO"),
]

# Generated organisation names: a stem and a field, then the legal form of the country.
# fmt: off
NAME_STEMS = [
    "Nord", "Fjord", "Grønn", "Tinde", "Lys", "Nidar", "Trond", "Bakke", "Havbris", "Berg", "Elv", "Skog", "Vind",
    "Polar", "Aurora", "Midt", "Kyst", "Brygge", "Solstrand", "Nidelv", "Fosen", "Gauldal", "Stjørna", "Leira", "Hav",
    "Isbre", "Lav", "Mose", "Furu", "Bjørk", "Kvarts", "Glimmer", "Smaragd", "Spire", "Kilde", "Bølge", "Fyr",
    "Varde", "Nordlys", "Midnatt",
]
# fmt: on
# fmt: off
NAME_FIELDS = [
    "Energi", "Mobilitet", "Bygg", "Data", "Teknologi", "Konsult", "Analyse", "Innovasjon", "Miljø", "Solutions",
    "Labs", "Sirkulær", "Vann", "Helse", "Læring", "Mat", "Transport", "Eiendom", "Design", "Robotikk", "Sensor",
    "Kraft", "Logistikk", "Media", "Kapital",
]
# fmt: on
# fmt: off
NAME_REGIONS = [
    "", "", "", "Midt", "Nord", "Vest", "Norge", "Trøndelag", "Norden", "Group",
]
# fmt: on
# fmt: off
LEGAL_FORMS = {
    "NO": "AS", "SE": "AB", "DK": "ApS", "FI": "Oy", "DE": "GmbH", "NL": "B.V.", "GB": "Ltd", "US": "Inc.",
    "ES": "S.L.", "FR": "SAS", "KE": "Ltd", "BR": "Ltda.", "IN": "Pvt Ltd", "JP": "K.K.", "EE": "OÜ",
}
# fmt: on
NGO_PATTERNS = [
    "{stem}{field_lower}-foreningen",
    "Stiftelsen {stem} {field}",
    "{stem} {field} Network",
    "Forum for {topic}",
]
RESEARCH_PATTERNS = [
    "Senter for {topic}",
    "{stem} forskningsinstitutt",
    "{stem} Research Centre",
    "Institutt for {topic}",
]
OTHER_PATTERNS = ["{stem} {field} SA", "{stem}huset", "{stem} borettslag", "{stem} {field}klynge"]
FINANCIAL_PATTERNS = ["{stem} Sparebank", "{stem} Kapital AS", "{stem} Invest AS", "{stem} {field} Fond"]
# fmt: off
GENERATED_COUNTRIES = [
    ("NO", 76), ("SE", 5), ("DK", 4), ("FI", 3), ("DE", 3), ("NL", 2), ("GB", 2), ("ES", 1), ("FR", 1), ("US", 1),
    ("KE", 1), ("BR", 1),
]
# fmt: on

# fmt: off
FIRST_NAMES_NB = [
    "Ingrid", "Ole", "Siri", "Mats", "Hanne", "Kjetil", "Liv", "Anne", "Thomas", "Marte", "Jonas", "Eva", "Per",
    "Nina", "Rune", "Trine", "Geir", "Sofie", "Kari", "Lars", "Ida", "Magnus", "Emma", "Henrik", "Nora", "Sindre",
    "Maja", "Eirik", "Hilde", "Tor", "Silje", "Aksel", "Astrid", "Håkon", "Marit", "Øystein", "Frida", "Bjørn",
]
# fmt: on
# fmt: off
LAST_NAMES_NB = [
    "Berg", "Tveit", "Johansen", "Eriksen", "Moe", "Aune", "Nygård", "Solberg", "Vik", "Ryan", "Holm", "Lund",
    "Hagen", "Aas", "Dahl", "Sæther", "Bakken", "Ness", "Hansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
    "Kristiansen", "Jensen", "Karlsen", "Haugen", "Strand", "Lie", "Brekke", "Rønning", "Grønli",
]
# fmt: on
# fmt: off
FIRST_NAMES_EN = [
    "Mette", "Juha", "Elin", "Katrin", "Lucía", "David", "Clara", "Marc", "Sarah", "James", "Anna", "Pieter",
    "Sophie", "Lukas", "Amara", "Kenji", "Ana", "Liam", "Fatima", "Jens", "Aino", "Mikael",
]
# fmt: on
# fmt: off
LAST_NAMES_EN = [
    "Kjær", "Virtanen", "Lindqvist", "Weber", "Martínez", "Mwangi", "Fischer", "Dubois", "Smith", "de Vries",
    "Müller", "Okafor", "Tanaka", "Silva", "Murphy", "Haddad", "Nielsen", "Korhonen", "Andersson", "Rossi",
]
# fmt: on
# fmt: off
ROLES_NB = [
    "Rådgiver", "Seniorrådgiver", "Prosjektleder", "Daglig leder", "Forsker", "Fagsjef", "Klimarådgiver",
    "Kommunalsjef", "Innovasjonsleder", "Bærekraftssjef", "Avdelingsleder", "Spesialrådgiver",
]
# fmt: on
# fmt: off
ROLES_EN = [
    "Project manager", "Programme officer", "Head of partnerships", "Sustainability manager", "Researcher",
    "Director", "Policy advisor", "Smart city lead", "Coordinator",
]
# fmt: on

# fmt: off
STAFF_NAMES = [
    "Amina Haugen", "Sondre Vik", "Kristin Lyng", "Ahmed Yusuf", "Tone Aasen", "Petter Holm", "Linn Hoel",
    "Vegard Sandvik", "Ragnhild Stene", "Ivar Rønning", "Mari Fossum", "Khalid Omar", "Guro Dyrdal", "Arne Viken",
    "Hege Moen", "Jørgen Lorentzen", "Camilla Wold", "Erlend Bye", "Randi Hovde", "Simen Lauvås", "Benedicte Krogh",
    "Fredrik Ulvin", "Sunniva Reitan", "Tarjei Bolstad", "Oda Storli",
]
# fmt: on

# fmt: off
PLACES = [
    "Brattøra", "Sluppen", "Lade", "Heimdal", "Byåsen", "Nyhavna", "Tiller", "Ranheim", "Moholt", "Ila", "Lerkendal",
    "Midtbyen", "Saupstad", "Kolstad", "Nardo", "Strinda",
]
# fmt: on
# fmt: off
EVENTS = [
    "Arendalsuka", "Nordic Edge", "Zerokonferansen", "Smart City Expo World Congress", "World Urban Forum",
    "Kommunalpolitisk toppmøte", "Trondheim Tech Port-dagene", "HLPF i New York",
]
# fmt: on


@dataclass(frozen=True)
class Topic:
    """What an inquiry is about, in both languages, with the SDGs and the unit it usually belongs to."""

    nb: str
    en: str
    goals: tuple[int, ...]
    targets: tuple[str, ...]
    unit: str


TOPICS = [
    Topic("mobilitet og nullvekstmålet", "mobility and the zero-growth goal", (11, 9), ("11.2", "9.1"), "bym"),
    Topic("klimabudsjett", "climate budgets", (13, 11), ("13.2",), "bym"),
    Topic("energieffektivisering i bygg", "energy efficiency in buildings", (7, 13), ("7.3",), "bym"),
    Topic("sirkulærøkonomi", "the circular economy", (12, 11), ("12.5",), "naering"),
    Topic("skolemat", "school meals", (2, 4), ("2.1",), "oppvekst"),
    Topic("velferdsteknologi", "welfare technology", (3, 10), ("3.8",), "helse"),
    Topic("overvannshåndtering", "stormwater management", (6, 11, 13), ("11.5", "13.1"), "bym"),
    Topic("digitale tvillinger", "digital twins", (9, 11), ("9.c",), "naering"),
    Topic("folkehelse", "public health", (3,), ("3.4",), "helse"),
    Topic("bærekraftig reiseliv", "sustainable tourism", (8, 12), ("8.9",), "naering"),
    Topic("luftkvalitet", "air quality", (11, 3), ("11.6", "3.9"), "bym"),
    Topic("innbyggermedvirkning", "citizen participation", (16, 11), ("16.7", "11.3"), "bym"),
    Topic("grønn finansiering", "green finance", (13, 17), ("13.a", "17.3"), "naering"),
    Topic("ungdomsmedvirkning", "youth participation", (16, 4), ("16.7",), "oppvekst"),
    Topic("solenergi på kommunale tak", "solar power on municipal roofs", (7,), ("7.2",), "bym"),
    Topic("matsvinn", "food waste", (12, 2), ("12.3",), "naering"),
    Topic("inkludering i arbeidslivet", "inclusion in working life", (10, 8), ("10.2", "8.5"), "helse"),
    Topic("bærekraftsrapportering", "SDG reporting", (17, 16), ("17.18",), "naering"),
    Topic("naturmangfold i byen", "urban biodiversity", (15, 11), ("15.5", "11.7"), "bym"),
    Topic("utslippsfrie byggeplasser", "zero-emission construction sites", (9, 13), ("9.4",), "bym"),
    Topic("vannforsyning", "water supply", (6,), ("6.1", "6.4"), "bym"),
    Topic("likestilling", "gender equality", (5,), ("5.5",), "helse"),
    Topic("barnefattigdom", "child poverty", (1, 10), ("1.2",), "helse"),
    Topic("havrommet og fjorden", "the ocean and the fjord", (14,), ("14.1",), "naering"),
    Topic("smartby-løsninger", "smart city solutions", (11, 9, 17), ("11.3", "17.17"), "naering"),
    Topic(
        "utdanning for bærekraftig utvikling", "education for sustainable development", (4,), ("4.7", "4.a"), "oppvekst"
    ),
    Topic("rimelige boliger", "affordable housing", (11, 1), ("11.1",), "bym"),
    Topic("gründere og entreprenørskap", "start-ups and entrepreneurship", (8, 9), ("8.3", "9.5"), "naering"),
    Topic("frivillige lokale gjennomganger (VLR)", "Voluntary Local Reviews", (17, 11), ("17.9", "11.a"), "naering"),
]

# Titles by inquiry type: {topic}, {place} and {event} are filled in.
TITLES = {
    "partnership": (
        ["Samarbeid om {topic}", "Partnerskap om {topic} på {place}", "Felles prosjekt om {topic}"],
        ["Partnership on {topic}", "Joint project on {topic}", "Collaboration on {topic} in Trondheim"],
    ),
    "knowledge_exchange": (
        ["Studietur om {topic}", "Erfaringsutveksling om {topic}", "Besøk om {topic}"],
        ["Study visit on {topic}", "Exchange of experience on {topic}", "Webinar on {topic}"],
    ),
    "research": (
        ["Forskningssamarbeid om {topic}", "Forskningsprosjekt: {topic}", "Kommunepartner til studie av {topic}"],
        ["Research collaboration on {topic}", "Research project on {topic}", "City partner for a study of {topic}"],
    ),
    "funding": (
        ["Finansiering av {topic}", "Grønne lån til {topic}", "Støtteprogram for {topic}"],
        ["Funding for {topic}", "Investment in {topic}", "Framework loan for {topic}"],
    ),
    "pilot": (
        ["Pilot med {topic} på {place}", "Testområde for {topic}", "Utprøving av {topic} på {place}"],
        ["Pilot on {topic} at {place}", "Test bed for {topic}", "Trial of {topic} at {place}"],
    ),
    "event": (
        ["Innlegg om {topic} på {event}", "Foredrag om {topic}", "Invitasjon til panel om {topic}"],
        ["Speaker on {topic} at {event}", "Keynote on {topic}", "Panel invitation: {topic}"],
    ),
    "data_request": (
        ["Data om {topic}", "Spørsmål om tall for {topic}", "Innsyn i data om {topic}"],
        ["Data on {topic}", "Figures on {topic}", "Request for data on {topic}"],
    ),
    "other": (
        ["Henvendelse om {topic}", "Spørsmål om {topic}", "Idé om {topic}"],
        ["Question about {topic}", "Inquiry about {topic}", "An idea on {topic}"],
    ),
}

OPENINGS = (
    [
        "{org} ønsker å samarbeide med Trondheim kommune om {topic}.",
        "Vi i {org} har fulgt FN-senterets arbeid med {topic} med stor interesse.",
        "{org} tar kontakt fordi vi planlegger et prosjekt om {topic}.",
        "Vi skriver på vegne av {org} om {topic}.",
    ],
    [
        "{org} would like to work with the City of Trondheim on {topic}.",
        "At {org} we have followed the centre's work on {topic} with great interest.",
        "{org} is getting in touch because we are planning a project on {topic}.",
        "We are writing on behalf of {org} about {topic}.",
    ],
)
MIDDLES = (
    [
        "Vi har gode erfaringer fra tilsvarende arbeid og vil gjerne lære av Trondheims løsninger.",
        "Prosjektet skal gå over {months} måneder, og vi ser for oss en arbeidsgruppe med {people} deltakere.",
        "Målet er å redusere utslippene og samtidig gi innbyggerne bedre tjenester.",
        "Vi ser særlig på området rundt {place}, der det allerede skjer mye.",
        "Dette er en del av vår strategi for bærekraftig utvikling fram mot 2030.",
        "Vi har søkt midler fra Forskningsrådet og trenger en kommunepartner innen fristen.",
        "Resultatene vil bli delt åpent med andre kommuner i nettverket.",
        "Vi kan stille med egne ressurser, både fagfolk og noe finansiering.",
        "Det er viktig for oss at barn og unge blir hørt i arbeidet.",
        "Vi ønsker et første møte i løpet av de neste ukene.",
    ],
    [
        "We have good experience from similar work and would like to learn from Trondheim's solutions.",
        "The project would run for {months} months, with a working group of about {people} people.",
        "The aim is to cut emissions while giving residents better services.",
        "We are looking in particular at the area around {place}, where a lot is already happening.",
        "This is part of our strategy for sustainable development towards 2030.",
        "We have applied for EU funding and need a city partner before the deadline.",
        "The results will be shared openly with other cities in the network.",
        "We can contribute our own resources, both experts and some funding.",
        "It matters to us that children and young people are heard in this work.",
        "We would like a first meeting in the coming weeks.",
    ],
)
CLOSINGS = (
    ["Ta gjerne kontakt om dere har spørsmål.", "Vi ser fram til å høre fra dere.", "Med vennlig hilsen"],
    ["Please let us know if you have any questions.", "We look forward to hearing from you.", "Kind regards"],
)

NOTES = [
    "Tatt opp på enhetsmøtet; vi ser på kapasitet.",
    "Har snakket med partneren på telefon. De sender mer informasjon.",
    "Bør ses i sammenheng med klimaplanen.",
    "Fagpersonen er på ferie til neste uke.",
    "Ser lovende ut; foreslår et møte med kommunedirektøren.",
    "Sjekket med økonomi: ingen midler i år.",
]
REPLIES_TO_PARTNER = [
    "Takk for henvendelsen. Vi ser på den og kommer tilbake til dere.",
    "Thank you for your inquiry. We are looking into it and will get back to you.",
    "Vi har sendt henvendelsen videre til riktig enhet.",
]
INFORMATION_REQUESTS = [
    "Kan dere si litt mer om tidsplan og hvem som deltar fra dere?",
    "Could you tell us more about the timeline and who would take part on your side?",
    "Har dere et budsjett for prosjektet?",
]
PARTNER_REPLIES = [
    "Takk for svar. Vi planlegger oppstart i høst, med tre personer fra oss.",
    "Thank you. We plan to start in the autumn, with three people from our side.",
    "Budsjettet er foreløpig, men vi legger ved en skisse.",
]
INTERIM_REPLIES = [
    "Vi trenger litt mer tid og gir dere svar innen tre uker.",
    "We need a little more time and will answer within three weeks.",
]
OUTCOME_SUMMARIES = {
    "agreement": "Intensjonsavtale signert; arbeidsgruppe etablert.",
    "joint_project": "Felles prosjekt startet med oppstartsmøte.",
    "pilot": "Pilot avtalt for ett år, med evaluering underveis.",
    "referred": "Henvist videre; de har bedre forutsetninger.",
    "knowledge_shared": "Møte holdt og erfaringer delt.",
    "declined": "Vi har dessverre ikke kapasitet til dette nå.",
    "not_our_remit": "Dette ligger utenfor kommunens ansvarsområde.",
    "no_reply": "Ikke hørt fra partneren etter flere purringer.",
    "withdrawn": "Partneren trakk henvendelsen.",
}
FOLLOW_UP_RESULTS = [
    "Arbeidsgruppen har møttes fire ganger; første delrapport er klar.",
    "Piloten er i drift og brukes daglig.",
    "Prosjektet er forsinket fordi finansieringen kom senere enn ventet.",
    "Samarbeidet er avsluttet med en felles sluttrapport.",
]
REFERRAL_DETAILS = ["Stavanger kommune", "Bergen kommune", "Kristiansand kommune", "Bodø kommune"]
DECLINE_REASONS_BY_UNIT = "Dette passer bedre hos en annen enhet; foreslår ny vurdering."
