"""Zip bombs: a zip (an .xlsx, a .docx) small on disk that unpacks to far more (issue 12
finding 1). `zip_problem` reads only the zip's directory: each member's declared unpacked
size and their total. zipfile stops unpacking a member at its declared size (and then
fails its CRC), so a member cannot unpack to more than the directory says."""

from __future__ import annotations

import io
import zipfile

MAX_MEMBER_UNPACKED = 256 * 1024 * 1024
MAX_UNPACKED = 512 * 1024 * 1024
MAX_MEMBERS = 1_000


def zip_problem(
    raw: bytes,
    name: str,
    *,
    member_max: int = MAX_MEMBER_UNPACKED,
    total_max: int = MAX_UNPACKED,
) -> str | None:
    """What is wrong with the zip `raw` (named `name` in the message), or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError):
        return f"{name}: not a readable zip file"
    with archive:
        members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        return f"{name}: {len(members):,} parts is more than a document has"
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > member_max:
            return (
                f"{name}: {info.filename} unpacks to {info.file_size:,} bytes, more than "
                f"an import takes ({member_max:,}); the file is refused"
            )
    if total > total_max:
        return (
            f"{name}: the file unpacks to {total:,} bytes, more than an import takes "
            f"({total_max:,}); the file is refused"
        )
    return None
