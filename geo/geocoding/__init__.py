"""Find the place in a resident's message and turn it into a point with an honest level.

Residents do not write addresses: they write "на Московській біля 5-ї школи", "угол
Пушкинской и Соборности", "Маріупольська 15а". The geocoder reads such text against the
gazetteer (docs/CONTRACTS.md) and answers with a `Match`: a point, the level of what was
understood (address > intersection > landmark > street > district > none), a score and an
uncertainty radius in metres, the names it understood and the character span of the place
in the original text (the redactor keeps that span and redacts names elsewhere).

How it reads (each step exists because residents write that way):
1. `geo.normalize`: case, apostrophes, Latin look-alikes, then per-word match keys
   (folded uk/ru spelling, lemmas, stems), so inflection, Russian spelling and KMU Latin
   meet the gazetteer aliases.
2. Exact lookup of 1-4 word spans in an alias index built once per gazetteer: every name
   in every language, old_name, alt_name, official_name, short_name, loc_name, a surname-only short form of
   person names ("Урмана"), swapped word order ("Олега Кошового") and a Russian guess.
   E-mails, links, handles and phone numbers are blanked first ("lysenko97@..." is no
   "Лисенка 97"). Homonyms are told apart by the written type ("провулку Тихого") and by
   grammatical gender ("на Молодіжному" is the microdistrict, "на Молодіжній" the street).
3. Context decides whether a span is a place: a street-type word, a house number, a place
   preposition ("на", "по", "возле"), an intersection word or a capital letter inside a
   sentence. Names that are ordinary words ("Щаслива родина", "вкрали болгарку") and dates
   that share an old street name ("1 травня пройшов суботник") need it; dates need a
   street-type word or a house number.
4. Typos: rapidfuzz on stems and whole folded words, only where a street name must stand
   (after a street-type word, a place preposition, an intersection word, or before a house
   number), and only when one street clearly wins.
5. Landmarks: kind words ("школа", "ЗОШ", "ринок", "автовокзал", "лікарня", "парк X") with
   a number or a name, brands alone ("біля АТБ"); institutions (police, council, hospital)
   need a relative word or a locative, because "поліція не реагує" and "звернулись в
   поліцію" are not places. A chain with several branches takes the branch on the named
   street, else the first one with a low score, the branches' spread as uncertainty and
   every branch in `Match.candidates`.
6. Geometry in metres (the configured metric CRS): exact address point, else interpolation along the
   street by house number and parity, intersection of two lines (or their nearest points),
   landmark point, street middle, microdistrict centroid.
7. Honest uncertainty: the radius covers where the reported event is, not just the named
   feature; a name that fits places far apart (namesakes in two parts of town, chain
   branches) is resolved by the house number or the crossing street, else answered around
   all of them at a coarser level with `Match.candidates`, never as a confident pick.

Real extracts of any language: names are matched in every language tag of the extract;
words of languages no dictionary here knows are matched through their inflected forms
(`inflect`: Finnish "Aleksanterinkadulla" for Aleksanterinkatu); a name word carrying a
street type learned from the extract ("-katu", "-gatan", geo.street_types) names a street
by itself; landmarks are found by their own names anywhere in the text ("Kiasman edessä").

A shared Telegram location or a form pin is the sender's own point: it wins over the text
(level "address", score 1.0, 25 m); the names read from the text are still reported.

Speed (issue 25): what each step asks about a word (its match keys, whether a name, a
landmark kind or a brand can start with it) is read once per distinct word and index
(`inflect.word_info`), and each step visits only the words those answers let through;
answer points and street middles are remembered per index. Every memo is bounded.
bench/geocode_equal.py checks that all answers on ~21,000 texts stay as recorded and
tests/test_geocoder_gates.py that each shortcut skips only work that finds nothing.

Modules, in reading order: `weights` (every number, documented), `words` (vocabularies),
`index` (the gazetteer as lookup tables), `inflect`, `text` (tokens), `houses`, `names`,
`landmarks`, `geometry` (metres), `decision` (the answer), `match` (its type).
"""

from __future__ import annotations

from geo.geocoding.decision import geocode, geocode_lines, geocode_many
from geo.geocoding.index import build_index, get_index, name_key
from geo.geocoding.match import Match

__all__ = ["Match", "build_index", "geocode", "geocode_lines", "geocode_many", "get_index", "name_key"]
