"""Statistics that cannot re-identify anyone: the cell key method, per calendar month.

Method (the Australian Bureau of Statistics' cell key method, as in its TableBuilder):
every episode has a secret *record key*, a keyed hash of its id; a cell's key is the sum
of its episodes' record keys, and the cell's count is perturbed by noise drawn from that
cell key alone. So the same set of episodes always gets the same noise, whichever
question produced the cell: asking again, or through another dimension, another period
or another order, gives the same answer, and answers cannot be averaged into the truth.
The noise is two-sided geometric (the discrete Laplace of differential privacy) with
EPSILON, unbounded, so no difference of answers is ever certain; perturbed counts under
SUPPRESS_BELOW are not published at all.

Cells are counted per calendar month and never summed across months by the hub, so
overlapping periods (January to March minus January to February) have nothing to subtract:
both answers hold the same January and February cells, and March stands alone.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import uuid
from collections.abc import Iterable

EPSILON = 0.5  # noise scale: alpha = e^-epsilon; a standard deviation of about 2.8
_ALPHA = math.exp(-EPSILON)
_KEY_BITS = 64
_MODULUS = 1 << _KEY_BITS
SUPPRESS_BELOW = 5


def record_key(secret: bytes, episode_id: uuid.UUID) -> int:
    digest = hmac.new(secret, episode_id.bytes, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def cell_key(record_keys: Iterable[int]) -> float:
    """In (0, 1): the sum of the record keys, modulo 2^64, scaled."""
    return ((sum(record_keys) % _MODULUS) + 0.5) / _MODULUS


def noise(u: float) -> int:
    """Two-sided geometric noise, by inverting its distribution at `u` in (0, 1):
    P(k) = (1 - a) / (1 + a) * a^|k|."""
    zero = (1 - _ALPHA) / (1 + _ALPHA)
    if u < zero:
        return 0
    v = (u - zero) / (1 - zero)  # uniform in (0, 1): which tail, and how far
    sign = 1 if v < 0.5 else -1
    w = (v % 0.5) * 2
    return sign * (1 + math.floor(math.log1p(-w) / math.log(_ALPHA)))


def published(record_keys: list[int]) -> int | None:
    """The cell's perturbed count, or None when it is not to be published."""
    count = len(record_keys) + noise(cell_key(record_keys))
    return count if count >= SUPPRESS_BELOW else None
