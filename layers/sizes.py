"""Sizes as Lambda counts them: the sum of the files' sizes (not `du`, which counts allocated blocks)."""

from __future__ import annotations

import os
from pathlib import Path

#: Lambda's limit on a function's code plus all its layers, unzipped.
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024


def tree_size(folder: Path) -> int:
    """Bytes of every regular file under `folder` (a hard link counts in full: it is unzipped in full)."""
    total = 0
    for directory, _subdirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                total += os.path.getsize(path)
    return total
