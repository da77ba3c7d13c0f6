"""Raw HTML kept compressed, once per distinct page, so versions can be regenerated later.

xz at preset 1: on real Liputan6 pages it stores 14-20% of the size (zlib -9 left one page at
20.4%) at about 15 ms per 300 KB page. The codec is stored per row, so it can change later.
"""

from __future__ import annotations

import lzma

CODEC = "xz1"


def compress(html: str) -> bytes:
    return lzma.compress(html.encode(), preset=1)


def decompress(codec: str, content: bytes) -> str:
    if codec != CODEC:
        raise ValueError(f"unknown raw page codec {codec!r}")
    return lzma.decompress(content).decode()
