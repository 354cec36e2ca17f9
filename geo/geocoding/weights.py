"""Every number the geocoder decides with, in one place, each with the reason for its value.

Radii (metres) are claimed uncertainties: they cover where the reported event happened, not
only the named feature ("at house 15" is its yard or pavement, "near the market" a short
walk, "on the corner" the blocks around it). Calibrated on the demo reports (an event named
by its nearest house lies within 60 m of it, by a landmark or a corner within 200 m) and
kept within the H3 res-9 edge (200.8 m), so that such reports still count in the police hot
spot analysis (clustering.binning drops reports vaguer than a cell).

The score of an answer is LEVEL_FACTOR[level] * support * ALIAS_WEIGHT[alias kind] * fuzzy
ratio (decision._score): how sure the reader is that the text names this place.
"""

from __future__ import annotations

# --- radii -----------------------------------------------------------------------------
EXACT_ADDRESS_M = 60.0  # a house number found in the gazetteer
NEAR_HOUSE_M = 30.0  # added when the house is placed from a neighbouring number
FAR_HOUSE_M = 60.0  # added when the numbers around it are far apart or on one side only
STREET_OFFSET_M = 30.0  # added to half a street's length: an event may lie off its centre line
SHARED_LOCATION_M = 25.0  # a Telegram location or a form pin: the sender's phone or click
LANDMARK_M = 200.0  # "біля ринку", "near Kiasma"
INTERSECTION_M = 200.0  # "на розі X і Y"; plus half the gap when the two lines only come close
MAX_INTERSECTION_GAP_M = 150.0  # two streets farther apart than this do not meet

# --- one name, several places ---------------------------------------------------------------
AMBIGUOUS_GAP_M = 300.0  # two gazetteer streets the text fits equally, farther apart: no pick
PLACE_GAP_M = 800.0  # pieces of one named street farther apart are two places (a street cut
# by a river, a park or the railway resumes within a few hundred metres; a namesake in
# another part of town lies farther)
AMBIGUOUS_FACTOR = 0.5  # score weight of an answer around several far-apart candidates
AMBIGUOUS_BRANCH = 0.6  # score weight of "біля АТБ" when the town has several АТБ
MAX_BRANCH_TO_STREET_M = 300.0  # "АТБ на Соборності": a branch farther away is another АТБ
CORNER_ANYWHERE = 0.9  # support weight of a corner whose two streets stand apart in the text
STREET_DISTRICT_SHARE = 0.8  # a street names its district only when this share lies in it

# --- score ---------------------------------------------------------------------------------
LEVEL_FACTOR = {
    "address": 0.97,
    "interpolated": 0.9,
    "intersection": 0.95,
    "landmark": 0.93,
    "street": 0.9,
    "district": 0.85,
}
"""Finer levels are surer: a house number or a second street confirms the name."""
ALIAS_WEIGHT = {"name": 1.0, "official_name": 1.0, "old_name": 0.97, "short": 0.95, "alt_name": 0.9, "generated": 0.95}
"""An old, short, alternative or guessed (Russian) spelling is a little less certain."""

# --- reading -------------------------------------------------------------------------------
MAX_ALIAS_WORDS = 4  # longest street name, in words
MAX_SPAN_GAP_TOKENS = 4  # a street farther from the landmark stays out of the kept span: the
# redactor keeps everything inside it, and a name written in between must not survive
FUZZY_CUTOFF_TYPE = 80.0  # one slip in a five-letter stem ("Оедська") after "вулиця"
FUZZY_CUTOFF_PREPOSITION = 88.0  # after a bare preposition a typo must be smaller
FUZZY_MARGIN = 5.0  # the best street must beat any other street by this much
FUZZY_MIN_LEN = 6  # shorter words are too easily another word
FUZZY_MIN_LEN_TYPED = 4  # "улица Тхая": after a street type even a short word is a name
INFLECT_MIN_LEN = 3  # shortest name word matched through an inflected form ("Rex" -> "Rexin")
INFLECT_STEM_CUT = 2  # letters a name word may change at its end ("katu" -> "kadu-lla")
INFLECT_CUT_MIN_PREFIX = 5  # letters kept when the end changes ("Harald" is no "Harassment")
INFLECT_MAX_ENDING = 6  # letters an inflected form may add ("-lla", "-ssa", "-n", "-ssä")
INFLECT_SHORT_NAME = 5  # a shorter name word keeps all its letters...
INFLECT_SHORT_ENDING = 3  # ...and takes a short ending only ("Oodin", not "Oodikeskus")
PROPER_NAME_MIN_LEN = 5  # stem letters of a name found first in a sentence in a case form
# ("Bulevardilla": yes; "Parking" for Park Street: no)
LANDMARK_ALIAS_WORDS = 5  # longest landmark name matched without its kind word
GENERIC_NAME_WORD = 3  # a word in this many landmark names is generic ("hotel", "kahvila")
