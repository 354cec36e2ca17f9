"""E-mails, links and social handles in report text, however they are disguised.

Why: residents hide addresses from spam bots ("ivan(at)gmail.com", "olena собака ukr
крапка net") and name their accounts without an "@" ("в інсті vasya.voz"), which the
plain patterns miss. Finders return ``(start, end, kind)`` spans; data.text.redact replaces
them everywhere, kept place spans included.
"""

from __future__ import annotations

import re

from data.text.vocabulary import EMAIL_PATTERN, HANDLE_PATTERN

Span = tuple[int, int, str]

EMAIL_RE = re.compile(EMAIL_PATTERN)
LINK_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog|facebook\.com|fb\.com|"
    r"instagram\.com|m\.facebook\.com|tiktok\.com|x\.com|twitter\.com)/[\w+\-./?=&%@]+",
    re.IGNORECASE,
)
HANDLE_RE = re.compile(HANDLE_PATTERN)

# --- disguised e-mails ----------------------------------------------------------------------

_AT_WORDS = r"at|a|а|собака|собачка|равлик"
_DOT_WORDS = r"dot|точка|крапка"
_AT = (
    rf"\s*(?:@|\(\s*(?:{_AT_WORDS})\s*\)|\[\s*(?:{_AT_WORDS})\s*\]|\{{\s*(?:{_AT_WORDS})\s*\}}|<\s*(?:{_AT_WORDS})\s*>)\s*"
    r"|\s+(?:at|AT|собака|собачка|равлик)\s+"
)
_DOT = (
    rf"\s?\.\s?|\s*(?:\(\s*(?:{_DOT_WORDS})\s*\)|\[\s*(?:{_DOT_WORDS})\s*\]|\{{\s*(?:{_DOT_WORDS})\s*\}})\s*"
    rf"|\s+(?:{_DOT_WORDS}|DOT)\s+"
)
# Providers and top-level domains residents spell in Cyrillic ("гмейл крапка ком").
_CYRILLIC_LABELS = "гмейл|гмеіл|гмаил|гмаїл|джимейл|джімейл|укрнет|укр|ком|нет|юа|уа|ру|мета|яху|аутлук"
_LABEL = rf"(?:[A-Za-z0-9][A-Za-z0-9-]*|(?i:{_CYRILLIC_LABELS})(?![\w]))"
_PROVIDERS = r"(?i:gmail|ukr|yahoo|outlook|hotmail|icloud|meta|i\.ua|гмейл|гмаил|укрнет)"
_LOCAL = rf"(?<![\w.+@-])[A-Za-z0-9][A-Za-z0-9._%+\-]*(?:(?:{_DOT})[A-Za-z0-9][A-Za-z0-9._%+\-]*)*"
DISGUISED_EMAIL_RE = re.compile(rf"{_LOCAL}(?:{_AT})(?:{_LABEL}(?:(?:{_DOT}){_LABEL})+|{_PROVIDERS}(?![\w]))")
# One cheap scan of the lower-cased text first: most reports hold no hint at all, and
# the full patterns cost several times more.
_LATIN_RE = re.compile("[A-Za-z]")
_EMAIL_HINT_RE = re.compile(r"@|at|\(a|\[a|\{a|<a|\(а|\[а|собак|собач|равлик")  # literals: fast to scan

# --- handles next to a network's name ------------------------------------------------------

_NETWORK = (
    r"(?:інст|инст|insta|телеграм|телега|телезі|телеге|тг|tg\b|telegram|тікто|тикто|тик\W?то|тік\W?то|tik\W?tok|"
    r"фейсбу|фб\b|facebook|fb\b|твіттер|твиттер|twitter|threads|тредс|ютуб|youtube|снеп|snapchat|вк\b|vk\b|"
    r"(?:нік|ник)(?:ом|а|у|е|і)?\b|юзернейм|username|логін|логин)\w*"
)
_HANDLE = r"(?=[A-Za-z0-9_.]*[A-Za-z])[A-Za-z0-9_][A-Za-z0-9_.]{1,31}(?<!\.)"
# Up to four words in between ("мій нік у телеграмі — ...", "в інсті є фото ...").
_GAP = r"(?:[\s:,\-—–«»\"']+[А-ЯЁЄІЇҐа-яёєіїґ'’ʼ]+){0,4}[\s:,\-—–«»\"']+"
_AFTER_NETWORK_RE = re.compile(rf"(?i)(?<![\w]){_NETWORK}{_GAP}(?<![@\w])({_HANDLE})(?![\w@])")
_BEFORE_NETWORK_RE = re.compile(rf"(?i)(?<![\w@.])({_HANDLE})(?![\w@])\s+(?:в|у|на|in|on)\s+{_NETWORK}")
_NETWORK_HINT_RE = re.compile(  # literals only: a scan for them skips most characters at once
    r"інст|инст|insta|телег|телез|telegram|тікто|тикто|тик-то|тік-то|tiktok|tik tok|фейсбу|facebook|твіт|твит|"
    r"twitter|threads|тредс|ютуб|youtube|снеп|snapchat| тг| tg| фб| fb| вк| vk| нік| ник|юзернейм|username|логін|логин"
)


def contact_spans(text: str) -> list[Span]:
    """E-mails (plain and disguised), links to social networks, @handles and bare
    handles next to a network's name."""
    spans: list[Span] = []
    if not _LATIN_RE.search(text):  # every address and handle has a Latin letter
        return spans
    low = " " + text.lower()
    if _EMAIL_HINT_RE.search(low):
        spans += [(*m.span(), "email") for m in EMAIL_RE.finditer(text)]
        spans += [(*m.span(), "email") for m in DISGUISED_EMAIL_RE.finditer(text)]
    if "/" in text:
        spans += [(*m.span(), "handle") for m in LINK_RE.finditer(text)]
    if "@" in text:
        spans += [(*m.span(), "handle") for m in HANDLE_RE.finditer(text)]
    if _NETWORK_HINT_RE.search(low):
        spans += [(*m.span(1), "handle") for m in _AFTER_NETWORK_RE.finditer(text)]
        spans += [(*m.span(1), "handle") for m in _BEFORE_NETWORK_RE.finditer(text)]
    return spans
