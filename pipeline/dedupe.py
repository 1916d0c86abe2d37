"""Same release, many sites: near-duplicate detection and draft → final links.

A State Council notice is reprinted by the ministry and by provinces with a
different page header, a 来源 line and sometimes a short preface.  MinHash
over character shingles estimates the Jaccard similarity of two texts and
survives such edits; locality-sensitive bands (stored as indexed rows) give
candidates by lookup instead of comparing every pair.  Shingle hashes use
crc32, not ``hash()``, because fingerprints must agree across processes.

A signature is ``bytes``: PERMUTATIONS little-endian uint64, the very value
stored in ``Document.signature``, so storing and comparing need no conversion.
It is computed by ``pipeline._textprep.minhash`` (C) when the extension is
built; numpy is then never imported, which saves every process that stores
releases ~11 MB of RSS.  ``_minhash_numpy`` is the reference and the fallback
(extension not built, or text the C path declines) and gives the same bytes.
"""

from __future__ import annotations

import operator
import re
import zlib
from array import array
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Union

try:  # optional C extension (pipeline/_textprep.c); an older build may lack minhash
    from pipeline import _textprep
except ImportError:  # pragma: no cover - an install without a C compiler
    _textprep = None  # type: ignore[assignment]  # the optional-module idiom

if TYPE_CHECKING:
    import numpy as np

SHINGLE = 4
PERMUTATIONS = 64
BANDS = 16  # 16 bands × 4 rows: pairs at Jaccard 0.7 collide in some band with p ≈ 0.98
ROWS = PERMUTATIONS // BANDS
THRESHOLD = 0.7
_PRIME = (1 << 61) - 1
_SIG_BYTES = PERMUTATIONS * 8
# The hash family, fixed forever because fingerprints are stored and compared
# later.  These are np.random.default_rng(20240131).integers(1, 2**61-1, 64) and
# then .integers(0, 2**61-1, 64), written out so that computing a fingerprint
# does not import numpy; tests/pipeline/test_dedupe_c.py regenerates and compares.
_A = (
    0x0C1964E64B403317,
    0x1C1BC9DC14D52990,
    0x1C2AB3F7B87DC451,
    0x0D7616C8F3F1358F,
    0x1521DF9868D41C9B,
    0x12C46D5A5903A468,
    0x1FD6EE1E4E8AFC62,
    0x0EEE5A42FE5F5322,
    0x055650409D578547,
    0x128254887B5C65D7,
    0x0D9F58D43BA29F40,
    0x0A8252551B67B1B5,
    0x117437B15796D74F,
    0x1B3391BF6EA99233,
    0x191052BD4A7A8322,
    0x0B577B2A565C8B2C,
    0x02470B0DCD807DF9,
    0x063A037C387D5182,
    0x1A7021EFD796CE65,
    0x06936F5ADD9F22CB,
    0x1C9B1888CA7D45B9,
    0x02FCE577169E3FBA,
    0x156158FA7EAB17C7,
    0x199AD56A63A6D0FD,
    0x1FC7316552127E64,
    0x1055BB5CFA6E8CE8,
    0x0C4239C57E009247,
    0x1A0C6DB14C7958DC,
    0x12DEDBE8A11F5CE6,
    0x1072BFD3197D3212,
    0x1040F618038EA761,
    0x09528E6F29D8B1A6,
    0x1D7CB42D6333F22E,
    0x1DC2CF692B76FC2A,
    0x0FC2D632FCCB4B33,
    0x13C01E18DCF5CE46,
    0x0D9F1F44E71A971B,
    0x05C62EB644936364,
    0x1167E65CA9C5C89D,
    0x1889F735BE5DCDB4,
    0x02F29527684365E4,
    0x0DE6CAD95D4B4946,
    0x1235C1ECFF3A7C43,
    0x194FB748D93BE4C5,
    0x1C9DBFFBB0C6C6A6,
    0x147DFCC9266B09AD,
    0x1FCC125C85B36BDB,
    0x1F774D6EBE43BF96,
    0x13C3FD9D21A3B38B,
    0x1602C0A57B7F2FCF,
    0x1D209A4720DF7879,
    0x1BFEE58484ED7CF4,
    0x0D5E2ED3F5F13DFA,
    0x18663A73F14B406C,
    0x1F4B7F1A1870D6DD,
    0x0183D81E84C4567C,
    0x1588927AA389CB6F,
    0x1B64BF05412BD008,
    0x1D8EE7645321343B,
    0x1C29B51311F3BE3C,
    0x02106FD909B74C7B,
    0x13AED134342E3426,
    0x0953691240CF4439,
    0x01A1CD0EC2DF5B91,
)
_B = (
    0x14788066CB89487D,
    0x1CA0FE348A5E5D5A,
    0x052A4A04AFF1F84E,
    0x041BB0086E845ADA,
    0x1182E7713F89D36F,
    0x0B1368AD2122CB82,
    0x1357B261CD4605CD,
    0x084BE5DC0EFC2E0D,
    0x1F436074EEAFDFBE,
    0x10FC139FC9726EE4,
    0x0424BA00880F618B,
    0x00F9293AD71EC073,
    0x1A56B0D96DFB6E49,
    0x016DF53314C0D0C8,
    0x10777D68F64AAB05,
    0x0651B79A49D800B5,
    0x1822EBB847ECEA1B,
    0x0F8AC1FD449A973C,
    0x12E76F59D60BC254,
    0x1B13D8BEF6BF1017,
    0x02106478374CA502,
    0x070AE37BD70C6031,
    0x1C24E0A778B8963D,
    0x1EBD5A9832C639C1,
    0x0B80CD83478893C5,
    0x0BEAAA9124713B65,
    0x07445F77FEC86A53,
    0x1F182621AC40998C,
    0x08FF4C8D2880FEAA,
    0x1A1F67574053AA66,
    0x01CE5FB43CA00B3E,
    0x0CE0473D645049A3,
    0x022FC813EC006063,
    0x1119B9BE412147A4,
    0x1397F8E4AA542AC6,
    0x1683277B4487B185,
    0x059EFAD0D2A00595,
    0x0D12CEEEE3A1D874,
    0x1AB97964EF477A07,
    0x07E268260C7D6058,
    0x171F4AB3189C066B,
    0x1DF38592B0E8F36B,
    0x051B8D1C19ACFCC4,
    0x118EF537FC525131,
    0x0D43C6EEE36F3490,
    0x1969391A7C35CFD2,
    0x1E774D0942F5D137,
    0x1B35D8ABAE4123BD,
    0x13A134454C9CF2D8,
    0x0DD379A784C4B74C,
    0x16DE8011D1E09810,
    0x0633DA465BCF82BD,
    0x1E7308F2D79DF213,
    0x08F744FD979105E7,
    0x1B4F88B2A4A0FDFC,
    0x08C6AA4AB51FA159,
    0x16686B35F9ED9E5F,
    0x16A75B811C210F87,
    0x11E96B0387F92B8B,
    0x16CC3A8BF397DCCC,
    0x05ED685FC78EDF7A,
    0x19E80D91B1DE331E,
    0x1FF14EF9E76D0E8F,
    0x0FEBFCBFFA40D5FD,
)
_PARAMS = array("Q", _A + _B).tobytes()  # the layout _textprep.minhash reads: n multipliers, then n offsets
_DRAFT = re.compile(r"[（(【\[]?\s*(二次征求意见稿|公开征求意见稿|修订征求意见稿|征求意见稿|送审稿|草案|讨论稿)\s*[）)】\]]?")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)

Signature = bytes
SignatureLike = Union[bytes, bytearray, memoryview, "array[int]", "np.ndarray"]


def _c_minhash():
    """The C function, looked up per call so tests can take the extension away."""
    return getattr(_textprep, "minhash", None)


def shingles(text: str) -> set[int]:
    """crc32 of each distinct SHINGLE-character substring of the punctuation-free text.

    A text shorter than one shingle is its own single shingle (even when empty),
    so every text has a signature.
    """
    flat = _PUNCT.sub("", text)
    grams = {flat[i : i + SHINGLE] for i in range(max(1, len(flat) - SHINGLE + 1))}
    # map() keeps the per-shingle loop in C (a generator expression was a third of minhash's time); same hashes.
    return set(map(zlib.crc32, map(str.encode, grams)))


def minhash(text: str) -> Signature:
    """PERMUTATIONS minimum hash values of the text's character shingles, as stored bytes."""
    fn = _c_minhash()
    if fn is not None:
        sig = fn(_PUNCT.sub("", text), _PARAMS)
        if sig is not None:  # None: a lone surrogate; the reference raises str.encode's error
            return sig
    return _minhash_numpy(text)


@lru_cache(maxsize=1)
def _numpy_params() -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    return np.array(_A, dtype=np.uint64), np.array(_B, dtype=np.uint64)


def _minhash_numpy(text: str) -> Signature:
    """The original numpy MinHash: the reference for the C path and its fallback.

    numpy is imported here, not at module level, so that the common path never loads it.
    """
    import numpy as np

    a, b = _numpy_params()
    h = np.fromiter(shingles(text), dtype=np.uint64)
    # (a*h + b) mod p with 61-bit values; the product can wrap in uint64, which only
    # permutes differently and keeps the estimate unbiased for our purpose.
    vals = (a[:, None] * h[None, :] + b[:, None]) % np.uint64(_PRIME)
    return vals.min(axis=1).astype("<u8").tobytes()


def _as_bytes(signature: SignatureLike) -> bytes:
    """Signature bytes from bytes or any uint64 buffer (array('Q'), an old numpy signature).

    Buffers are taken in native order, which is little-endian on every host we
    run, exactly what numpy's ``tobytes()`` gave the code that stored the old values.
    """
    data = signature if isinstance(signature, bytes) else memoryview(signature).cast("B").tobytes()  # type: ignore[arg-type]  # numpy's stubs omit the buffer protocol
    if len(data) != _SIG_BYTES:
        raise ValueError(f"a signature is {_SIG_BYTES} bytes, got {len(data)}")
    return data


def similarity(a: SignatureLike, b: SignatureLike) -> float:
    """Estimated Jaccard similarity of two MinHash signatures: the share of equal values."""
    wa = memoryview(_as_bytes(a)).cast("Q")
    wb = memoryview(_as_bytes(b)).cast("Q")
    return sum(map(operator.eq, wa, wb)) / PERMUTATIONS


def band_keys(signature: SignatureLike) -> list[int]:
    """One signed 63-bit key per band, to store in an indexed column."""
    data = _as_bytes(signature)
    step = ROWS * 8
    return [zlib.crc32(data[band * step : (band + 1) * step]) | (band << 32) for band in range(BANDS)]


def signature_bytes(signature: SignatureLike) -> bytes:
    """The value stored in ``Document.signature`` (a signature already is it)."""
    return _as_bytes(signature)


def signature_from_bytes(data: bytes) -> Signature:
    """A stored signature, checked, ready for ``similarity`` and ``band_keys``."""
    return _as_bytes(data)


@dataclass(frozen=True)
class DraftInfo:
    """Whether a title is a draft for comment, and the title with the draft marker removed."""

    is_draft: bool
    base_title: str


def draft_info(title: str) -> DraftInfo:
    compact = re.sub(r"\s+", "", title)
    base = _DRAFT.sub("", compact)
    return DraftInfo(base != compact, base)


def _core(title: str) -> str:
    t = re.sub(r"\s+", "", title)
    t = re.sub(r"^(.*?)关于印发", "", t)
    t = re.sub(r"的通知$", "", t)
    return t.strip("《》")


def titles_match(draft_base: str, final_title: str) -> bool:
    """A final version keeps the draft's title, give or take an issuer prefix or 关于印发《…》的通知 wrapper."""
    final = re.sub(r"\s+", "", final_title)
    if draft_info(final).is_draft or not draft_base:
        return False
    return draft_base in final or _core(draft_base) == _core(final)
