"""The public data beside the repository, in ``../shared/``: read there, never copied in.

A test that needs it calls :func:`require`, which skips the test with the
reason where a clone has no ``shared/`` beside it; CI always has it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
"""``shared/`` beside the repository root."""


def path(*parts: str) -> Path:
    return SHARED.joinpath(*parts)


def require(*parts: str) -> Path:
    """The path of ``shared/<parts>``; skips the calling test, saying why, when it is absent."""
    where = path(*parts)
    if not where.exists():
        pytest.skip(f"public data {'/'.join(parts)} is not at {where}: it lives in shared/ beside the "
                    f"repository (the project never copies it in)")
    return where
