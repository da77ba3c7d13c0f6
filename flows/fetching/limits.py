"""Response bodies, read under a size cap (parsers.encodings turns them into text).

The cap holds on the decoded size, so a gzip bomb that is small on the wire stops at the cap. We
decompress ourselves from the raw stream rather than use `aiter_bytes()`: httpx inflates each
network chunk in one call, and one 64 KiB chunk of a gzip bomb came out as 67 MB (measured),
thirteen times the 5 MB cap, per concurrent request. Here every zlib call is told how much it may
produce (`max_length`), so memory never exceeds the cap. Only gzip and deflate are offered to
servers (`ACCEPT_ENCODING`), so nothing else should come back; anything else is refused.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

ACCEPT_ENCODING = "gzip, deflate"


class TooLarge(Exception):
    """The body passed the byte cap; `read_bytes` says how far we got before stopping."""

    def __init__(self, limit: int, read_bytes: int, declared: bool = False) -> None:
        how = "declared Content-Length" if declared else "body"
        super().__init__(f"{how} larger than the {limit}-byte cap (stopped at {read_bytes})")
        self.limit = limit
        self.read_bytes = read_bytes


class BadEncoding(Exception):
    """A Content-Encoding we did not offer, or a compressed body that does not inflate."""


def _decompressor(content_encoding: str) -> zlib._Decompress | None:
    """A zlib inflater for the response's Content-Encoding; None for an uncompressed body."""
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return None
    if codings in (["gzip"], ["x-gzip"]):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if codings == ["deflate"]:
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise BadEncoding(f"Content-Encoding {content_encoding!r} was not offered")


async def _inflate(
    raw: AsyncIterator[bytes], inflater: zlib._Decompress, max_bytes: int
) -> AsyncIterator[bytes]:
    """Inflate chunk by chunk, never producing more than one byte past the cap in one call."""
    produced = 0
    try:
        async for chunk in raw:
            data = chunk
            while data and not inflater.eof:
                out = inflater.decompress(data, max_bytes - produced + 1)
                produced += len(out)
                yield out
                if produced > max_bytes:
                    return
                data = inflater.unconsumed_tail
        yield inflater.flush()
    except zlib.error as exc:
        raise BadEncoding(f"compressed body does not inflate: {exc}") from exc


async def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body of a streamed response, or TooLarge as soon as it passes `max_bytes`.

    Both the bytes on the wire and the bytes after decompression are capped.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(max_bytes, 0, declared=True)
    inflater = _decompressor(response.headers.get("content-encoding", ""))
    raw = response.aiter_raw()
    body = raw if inflater is None else _inflate(raw, inflater, max_bytes)
    chunks: list[bytes] = []
    total = 0
    async for chunk in body:
        total += len(chunk)
        if total > max_bytes or response.num_bytes_downloaded > max_bytes:
            raise TooLarge(max_bytes, max(total, response.num_bytes_downloaded))
        chunks.append(chunk)
    return b"".join(chunks)
