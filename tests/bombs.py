"""Hostile files, made small on disk and in memory (streamed): used by tests/test_hostile_files.py
and bench/hostile_files.py. Each is what issue 13 found, or the same trick at a chosen size."""
from __future__ import annotations

import io
import struct
import zipfile

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       'package/2006/content-types"><Default Extension="rels" ContentType="application/'
       'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
       '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
       'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
       '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       'spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_BOOK = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="http://'
         'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
         'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
              'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
              '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
              'Target="worksheets/sheet1.xml"/></Relationships>')
_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>'
_TAIL = "</sheetData></worksheet>"


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(sheet_parts, extra: dict[str, bytes] | None = None) -> bytes:
    """An .xlsx whose sheet1.xml is the bytes of `sheet_parts` (an iterable of bytes, written
    streaming: a sheet of gigabytes costs a few MB here)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def dimension_bomb() -> bytes:
    """Issue 13, item 1: two cells, A1 and XFD1048576 (about 1.5 KB): python-calamine
    allocates 1,048,576 x 16,384 cells (512 GiB) and aborts the process."""
    return workbook([(_HEAD + '<row r="1">' + cell("A1", "会社名") + "</row>"
                      + '<row r="1048576">' + cell("XFD1048576", "x") + "</row>" + _TAIL)
                     .encode()])


def zip_bomb(sheet_bytes: int) -> bytes:
    """An .xlsx whose sheet inflates to about `sheet_bytes` (the same cell again and again:
    about 1,000 to 1 in the zip)."""
    row = ('<row r="2">' + cell("A2", "株式会社テスト") + "</row>").encode()
    block = row * ((1 << 20) // len(row) + 1)

    def parts():
        yield (_HEAD + '<row r="1">' + cell("A1", "会社名") + "</row>").encode()
        written = 0
        while written < sheet_bytes:
            yield block
            written += len(block)
        yield _TAIL.encode()

    return workbook(parts())


def huge_cell_xlsx(chars: int) -> bytes:
    """An .xlsx with one cell of `chars` characters (a shared string: issue 13 put a 420 MB
    cell into import_batches from a 0.41 MB file)."""
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="2" uniqueCount="2">'
           f"<si><t>会社名</t></si><si><t>").encode() + b"a" * chars + b"</t></si></sst>"
    sheet = (_HEAD + '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
             '<row r="2"><c r="A2" t="s"><v>1</v></c></row>' + _TAIL).encode()
    data = workbook([sheet], extra={"xl/sharedStrings.xml": sst})
    return data


def lying_directory(real_bytes: int = 2 << 20, declared: int = 1000) -> bytes:
    """A zip whose directory says a member is `declared` bytes while it inflates to
    `real_bytes`: readers that trust the directory are fooled."""
    data = bytearray(zip_bomb(real_bytes))
    name = b"xl/worksheets/sheet1.xml"
    # local header: size fields at 18 (compressed) / 22 (uncompressed); zip64 puts 0xFFFFFFFF
    # there and the sizes in an extra field, so patch whichever holds them
    for signature, size_at, extra_len_at, name_len_at, head_len in (
            (b"PK\x03\x04", 22, 28, 26, 30), (b"PK\x01\x02", 24, 30, 28, 46)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            start = at + 4
            name_len = struct.unpack_from("<H", data, at + name_len_at)[0]
            if bytes(data[at + head_len:at + head_len + name_len]) != name:
                continue
            if struct.unpack_from("<I", data, at + size_at)[0] == 0xFFFFFFFF:
                extra_at = at + head_len + name_len
                extra_len = struct.unpack_from("<H", data, at + extra_len_at)[0]
                pos = extra_at
                while pos < extra_at + extra_len:
                    tag, length = struct.unpack_from("<HH", data, pos)
                    if tag == 1:
                        struct.pack_into("<Q", data, pos + 4, declared)  # uncompressed first
                    pos += 4 + length
            else:
                struct.pack_into("<I", data, at + size_at, declared)
    return bytes(data)


def csv_with_cell(chars: int) -> bytes:
    return ("会社名,備考\n株式会社テスト," + "a" * chars + "\n").encode()


def folded_vcard(size: int, prop: str = "NOTE", width: int = 1) -> bytes:
    """A vCard whose one property is folded into `size` bytes of lines of `width` characters
    (the unfolding in issue 13 was quadratic: 2 MB took 32 s, 8 MB more than 300 s)."""
    line = b"\r\n " + b"y" * width
    return (b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Yamada;Taro\r\nFN:Taro Yamada\r\n"
            + prop.encode() + b":x" + line * (size // len(line)) + b"\r\nEND:VCARD\r\n")


def billion_laughs(padding: int = 5000) -> bytes:
    """The UN list's XML with nested entities (a few KB expand to gigabytes), declared after
    `padding` bytes of comment so that a look at the first 4 KB does not see them."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!-- {"x" * padding} --><!DOCTYPE CONSOLIDATED_LIST '
            f'[{entities}]><CONSOLIDATED_LIST dateGenerated="2024-05-01"><INDIVIDUALS>'
            "<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&lol9;</FIRST_NAME>"
            "<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS>"
            "<ENTITIES/></CONSOLIDATED_LIST>").encode()


def huge_inline_cell_xlsx(chars: int) -> bytes:
    """Like huge_cell_xlsx, but the cell is an inline string written streaming: a cell of
    hundreds of MB costs a few MB to make."""
    block = b"a" * (1 << 20)

    def parts():
        yield (_HEAD + '<row r="1">' + cell("A1", "会社名") + "</row>"
               + '<row r="2"><c r="A2" t="inlineStr"><is><t>').encode()
        left = chars
        while left > 0:
            yield block[:min(left, len(block))]
            left -= len(block)
        yield ("</t></is></c></row>" + _TAIL).encode()

    return workbook(parts())
