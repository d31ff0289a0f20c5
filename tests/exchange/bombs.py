"""Zip and spreadsheet bombs built in the test: small on disk, huge unpacked.

A member of a few hundred megabytes of one repeated byte is written as one deflate block
repeated (each ends with a full flush, so every copy is the same bytes); the zip is
written by hand (`zipfile` cannot take ready-made compressed data), with the real CRC and
sizes, so a reader that trusts the zip finds nothing wrong until it has unpacked it all.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import openpyxl

MIB = 1 << 20


def deflated_repeat(prefix: bytes, unit: bytes, mib: int, suffix: bytes) -> tuple[bytes, int, int]:
    """(raw deflate, crc32, unpacked size) of prefix, `mib` MiB of `unit` repeated, suffix."""
    chunk = unit * (MIB // len(unit))
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = squeeze.compress(prefix) + squeeze.flush(zlib.Z_FULL_FLUSH)
    block = squeeze.compress(chunk) + squeeze.flush(zlib.Z_FULL_FLUSH)
    again = squeeze.compress(chunk) + squeeze.flush(zlib.Z_FULL_FLUSH)
    assert block == again  # a full flush resets the window: every MiB is the same bytes
    tail = squeeze.compress(suffix) + squeeze.flush()
    crc = zlib.crc32(prefix)
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    return head + block * mib + tail, crc, len(prefix) + mib * len(chunk) + len(suffix)


def write_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip of (name, data, crc, unpacked size, method) members; data already compressed."""
    out = io.BytesIO()
    central = []
    for name, data, crc, size, method in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )
        )
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(
        struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            len(central),
            len(central),
            out.tell() - start,
            start,
            0,
        )
    )
    return out.getvalue()


def workbook_members(rows: list[list[object]]) -> list[tuple[str, bytes, int, int, int]]:
    """The members of a real small .xlsx (openpyxl), stored, ready to swap one for a bomb."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    members = []
    with zipfile.ZipFile(buffer) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            members.append((info.filename, data, zlib.crc32(data), len(data), 0))
    return members


def xlsx_with(name: str, data: bytes, crc: int, size: int, *, rows=None) -> bytes:
    """A small real workbook whose member `name` is replaced (or added) by a deflated one."""
    members = [m for m in workbook_members(rows or [["name"], ["Alder"]]) if m[0] != name]
    return write_zip([*members, (name, data, crc, size, zipfile.ZIP_DEFLATED)])


SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'


def shared_string_bomb(mib: int) -> bytes:
    """An .xlsx whose one shared string is `mib` MiB of 'A' (the issue's 1 MB -> 1 GiB file)."""
    data, crc, size = deflated_repeat(SST, b"A", mib, b"</t></si></sst>")
    members = workbook_members([["name"], ["Alder"]])
    # openpyxl only reads sharedStrings.xml when the content types name it.
    kept = []
    for n, d, c, s, m in members:
        if n == "[Content_Types].xml" and b"sharedStrings" not in d:
            d = d.replace(b"</Types>", _SST_TYPE + b"</Types>")
            c, s = zlib.crc32(d), len(d)
        if n != "xl/sharedStrings.xml":
            kept.append((n, d, c, s, m))
    members = kept
    return write_zip([*members, ("xl/sharedStrings.xml", data, crc, size, zipfile.ZIP_DEFLATED)])


_SST_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)

SHEET_HEAD = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c t="inlineStr"><is><t>name</t></is></c></row><row r="2">'
)


def wide_row_bomb(mib: int) -> bytes:
    """An .xlsx whose second row is `mib` MiB of empty cells `<c/>` (262,144 a MiB): a few
    kilobytes on disk, far more cells in one row than any sheet we read."""
    data, crc, size = deflated_repeat(SHEET_HEAD, b"<c/>", mib, b"</row></sheetData></worksheet>")
    return xlsx_with("xl/worksheets/sheet1.xml", data, crc, size)


def entity_bomb() -> bytes:
    """An .xlsx whose sheet declares nested entities (billion laughs)."""
    lol = (
        b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )
    sheet = (
        b'<?xml version="1.0"?>'
        + lol
        + SHEET_HEAD.replace(b'<row r="2">', b"")
        + b'<row r="2"><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    return xlsx_with(
        "xl/worksheets/sheet1.xml", zlib.compress(sheet)[2:-4], zlib.crc32(sheet), len(sheet)
    )
