"""A streaming byte filter that turns "almost JSON" into JSON.

Telegram Desktop writes control characters inside strings either raw or as ``\\xNN``;
both are invalid JSON, and a strict parser stops at the first one, losing the rest of a
possibly huge export. :class:`RepairingReader` wraps a binary file and rewrites, inside
strings only, raw control bytes and ``\\xNN`` as ``\\u00NN`` and any other invalid escape
``\\q`` as an escaped backslash. It works chunk by chunk, carrying only the "inside a
string" flag and an incomplete escape across chunks, so memory stays bounded whatever
the file size. Clean strings pass through the C regex engine untouched; Python code runs
only for the strings that need a fix.
"""

from __future__ import annotations

import re
from typing import IO

import numpy as np

from data.messages import Message, msg

CHUNK = 1 << 20

# A string body (up to and including its closing quote, or to the end of the chunk).
_BODY = re.compile(rb'(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.S)
# Everything up to the next string that needs a fix: bytes outside strings and clean,
# closed strings (no control byte, only valid escapes), consumed by the C regex engine.
_SKIP = re.compile(rb'(?:"(?:[^"\\\x00-\x1f]++|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4})*+"|[^"]++)*+')
# A string that needs a look, from its opening quote to its close or the chunk's end.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.S)
_BAD = re.compile(rb"[\x00-\x1f]|\\(?:x([0-9A-Fa-f]{2})|u[0-9A-Fa-f]{4}|([\"\\/bfnrt])|(.)|\Z)", re.S)
# What may be an escape cut by the chunk boundary: a run of backslashes, maybe "\x" or "\xH".
_TAIL = re.compile(rb"\\+(?:x[0-9A-Fa-f]?|u[0-9A-Fa-f]{0,3})?\Z")


def _fix_escape(match: re.Match[bytes]) -> bytes:
    whole = match.group(0)
    if len(whole) == 1 and whole[0] < 0x20:  # a raw control byte
        return b"\\u%04x" % whole[0]
    if match.group(1) is not None:  # \xNN
        return b"\\u00" + match.group(1).lower()
    if whole.startswith(b"\\u") or match.group(2) is not None:  # valid escape
        return whole
    # an invalid escape (\q, \u12 or a lone backslash at the end): keep it as text
    return b"\\\\" + (match.group(3) or b"")


def fix_string_body(body: bytes) -> bytes:
    """Repair one string body (without the opening quote)."""
    return _BAD.sub(_fix_escape, body)


class RepairingReader:
    """A read-only binary file-like object that yields repaired JSON bytes."""

    def __init__(self, raw: IO[bytes], chunk_size: int = CHUNK) -> None:
        self._raw = raw
        self._chunk_size = chunk_size
        self._in_string = False
        self._carry = b""
        self._buffer = b""
        self._offset = 0  # read position in _buffer (slicing a 1 MB buffer per read is slow)
        self._eof = False
        self.bytes_in = 0  # bytes consumed from the underlying file, for error messages

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or len(self._buffer) - self._offset < size):
            self._buffer = self._buffer[self._offset :] + self._next_chunk()
            self._offset = 0
        end = len(self._buffer) if size < 0 else self._offset + size
        out = self._buffer[self._offset : end]
        self._offset = min(end, len(self._buffer))
        return out

    def _next_chunk(self) -> bytes:
        data = self._raw.read(self._chunk_size)
        self.bytes_in += len(data)
        if not data:
            self._eof = True
            data, self._carry = self._carry, b""
            return self._repair(data) if data else b""
        data = self._carry + data
        cut = _escape_tail(data)
        while cut == 0:  # nothing but a possible escape yet: read on
            more = self._raw.read(self._chunk_size)
            self.bytes_in += len(more)
            if not more:
                self._eof = True
                self._carry = b""
                return self._repair(data)
            data += more
            cut = _escape_tail(data)
        data, self._carry = data[:cut], data[cut:]
        return self._repair(data)

    def _repair(self, data: bytes) -> bytes:
        clean_end = _clean_chunk_end(data, self._in_string)
        if clean_end is not None:  # nothing to fix: the bytes as they came
            self._in_string = clean_end
            return data
        return self._scanned(data)

    def _scanned(self, data: bytes) -> bytes:
        """The chunk repaired by the regex scan: strings that need a fix are rewritten."""
        out: list[bytes] = []
        pos = 0
        if self._in_string:
            body = _BODY.match(data)
            assert body is not None  # the pattern matches the empty string
            out.append(fix_string_body(body.group(0)))
            pos = body.end()
            if not _closes(body.group(0)):
                return b"".join(out)
            self._in_string = False
        while pos < len(data):
            skip = _SKIP.match(data, pos)
            assert skip is not None  # the pattern matches the empty string
            out.append(data[pos : skip.end()])
            pos = skip.end()
            if pos == len(data):
                break
            string = _STRING.match(data, pos)
            assert string is not None  # data[pos] is a quote
            out.append(b'"' + fix_string_body(string.group(0)[1:]))
            pos = string.end()
            if pos == len(data) and not _closes(string.group(0)[1:]):
                self._in_string = True
        return b"".join(out)


_VALID_ESCAPED = np.zeros(256, dtype=bool)
_VALID_ESCAPED[list(b'"\\/bfnrtu')] = True
_HEX = np.zeros(256, dtype=bool)
_HEX[list(b"0123456789abcdefABCDEF")] = True


def _clean_chunk_end(data: bytes, in_string: bool) -> bool | None:
    """Whether the chunk ends inside a string, when no string in it needs a fix; else None.

    Why: the regex scan of :meth:`RepairingReader._repair` walks every string and every
    gap between strings (~5 ms a MB, about 5 us a message); a valid chunk, nearly every
    one, is told in a few vectorised passes instead. The strings are found as the scan
    finds them, on the assumption that every backslash escapes the next byte: that is
    the scan's reading inside strings, and it is checked that no backslash lies outside
    one (there the scan reads it as a plain byte, so up to the first such backslash both
    readings agree, and it shows up). Then a chunk is clean when no control byte lies
    inside a string and every escape is valid JSON (\\u with four hex digits): the scan
    would rewrite nothing (tests/test_intake_robustness.py compares the two).
    """
    codes = np.frombuffer(data, dtype=np.uint8)
    slashes = np.flatnonzero(codes == 0x5C)
    escaped = np.zeros(len(codes) + 1, dtype=bool)
    if len(slashes):
        # in a run of backslashes the 1st, 3rd, ... escape the byte after them
        run_starts = np.r_[True, slashes[1:] != slashes[:-1] + 1]
        first_of_run = np.maximum.accumulate(np.where(run_starts, np.arange(len(slashes)), 0))
        escapers = slashes[(np.arange(len(slashes)) - first_of_run) % 2 == 0]
        if escapers[-1] + 1 >= len(codes):
            return None  # an escape cut by the chunk's end
        targets = codes[escapers + 1]
        if not _VALID_ESCAPED[targets].all():
            return None
        unicode = escapers[targets == 0x75] + 2
        if len(unicode) and (unicode[-1] + 4 > len(codes) or not _HEX[codes[unicode[:, None] + np.arange(4)]].all()):
            return None
        escaped[escapers + 1] = True
    quotes = np.flatnonzero(codes == 0x22)
    quotes = quotes[~escaped[quotes]]

    def inside(positions: np.ndarray) -> np.ndarray:
        return (np.searchsorted(quotes, positions) % 2 == 1) != in_string

    if len(slashes) and not inside(slashes).all():
        return None
    controls = np.flatnonzero(codes < 0x20)
    if len(controls) and inside(controls).any():
        return None
    return (len(quotes) % 2 == 1) != in_string


def _escape_tail(data: bytes) -> int:
    """Where an escape that the chunk boundary may have cut starts (len(data) if none).

    Only the last few bytes are searched: a regex search over a 1 MB chunk for a pattern
    anchored at its end would try every position.
    """
    match = _TAIL.search(data, max(0, len(data) - 6))
    if match is None:
        return len(data)
    start = match.start()
    while start > 0 and data[start - 1] == 0x5C:  # the whole run of backslashes
        start -= 1
    return start


def _closes(body: bytes) -> bool:
    """Whether a matched body ends with its closing quote (not an escaped one)."""
    if not body.endswith(b'"'):
        return False
    run = len(body) - 1 - len(body[:-1].rstrip(b"\\"))
    return run % 2 == 0


class TooDeep(ValueError):
    """A JSON document over a bound (nesting, string size); ``message`` is the moderator-facing reason."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


_ESCAPE = re.compile(rb"\\.", re.S)  # an escape pair: what it escapes is never structure
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_OPENING = (0x5B, 0x7B)  # [ and {


class DepthGuard:
    """A binary file-like filter that raises :class:`TooDeep` past ``max_depth`` nesting.

    Why: a JSON parser's cost grows with the square of the nesting depth (every event
    carries its whole path), so a 2.5 MB export nested thousands deep took 22 GB. Here
    the bytes are checked before any parser sees them, in linear time and in C: escape
    pairs are cut out, then everything but quotes and brackets; the pieces between
    quotes alternate outside/inside strings, and the brackets outside are summed with
    numpy. Only a string's open/closed state and a pending backslash cross chunks.
    """

    def __init__(self, raw: IO[bytes] | RepairingReader, max_depth: int, max_string_bytes: int = 16 << 20) -> None:
        self._raw = raw
        self.max_depth = max_depth
        self.max_string_bytes = max_string_bytes
        self._string_run = 0  # bytes of the string that is still open
        self._depth = 0
        self._in_string = False
        self._backslash = False  # the previous chunk ended on a lone backslash

    @property
    def bytes_in(self) -> int:
        return int(getattr(self._raw, "bytes_in", 0))

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if data:
            self._check(data)
        return data

    def _check(self, data: bytes) -> None:
        if self._backslash:
            data = b"\\" + data
        plain = _ESCAPE.sub(b"", data)
        self._backslash = plain.endswith(b"\\")
        parts = plain.translate(None, _NOT_STRUCTURE).split(b'"')
        outside = b"".join(parts[1::2] if self._in_string else parts[0::2])
        if len(parts) % 2 == 0:  # an odd number of quotes: the string state flips
            self._in_string = not self._in_string
        self._check_string(plain, quoted=len(parts) > 1)
        if not outside:
            return
        codes = np.frombuffer(outside, dtype=np.uint8)
        depths = self._depth + np.cumsum(np.where((codes == _OPENING[0]) | (codes == _OPENING[1]), 1, -1))
        if int(depths.max()) > self.max_depth:
            raise TooDeep(msg("json_too_deep", limit=self.max_depth, bound="max_json_depth", byte=self.bytes_in))
        self._depth = int(depths[-1])

    def _check_string(self, plain: bytes, *, quoted: bool) -> None:
        """Bound the string still open at the chunk's end (one huge text must not be built)."""
        if not self._in_string:
            self._string_run = 0
            return
        self._string_run = (self._string_run if not quoted else 0) + len(plain) - (plain.rfind(b'"') + 1)
        if self._string_run > self.max_string_bytes:
            limit = round(self.max_string_bytes / (1 << 20))
            raise TooDeep(msg("json_string_too_long", limit=limit, bound="max_json_string_mb", byte=self.bytes_in))
