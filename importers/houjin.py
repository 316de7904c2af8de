"""Japan's corporate-number register as the National Tax Agency publishes it (国税庁
法人番号公表サイト: 全件データ and 差分データ, CSV in Unicode (UTF-8) or Shift_JIS (CP932), no
header row, 30 columns in the order of the published resource definition, 「データダウンロード
リソース定義書」). A file is read as a stream, a line at a time: a prefecture's file of a
million rows takes the memory of one line plus the rows the caller asks for (`wanted`).

Every line is checked (its encoding, its 30 columns, the corporate number's check digit), so a
bad file is refused as a whole, naming the line, before anything is written. Bytes in, plain
rows out: this module knows nothing of Flask or the ORM.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

#: The published columns (the Web-API's field names), in file order.
COLUMNS = (
    "sequenceNumber", "corporateNumber", "process", "correct", "updateDate", "changeDate",
    "name", "nameImageId", "kind", "prefectureName", "cityName", "streetNumber",
    "addressImageId", "prefectureCode", "cityCode", "postCode", "addressOutside",
    "addressOutsideImageId", "closeDate", "closeCause", "successorCorporateNumber",
    "changeCause", "assignmentDate", "latest", "enName", "enPrefectureName", "enCityName",
    "enAddressOutside", "furigana", "hihyoji",
)
_AT = {name: n for n, name in enumerate(COLUMNS)}
#: The reason a corporation was closed (閉鎖事由).
CLOSE_CAUSES = {"01": "清算の結了等", "11": "合併による解散等", "21": "登記官による閉鎖",
                "31": "その他の清算の結了等"}
#: What a row records (処理区分); 99 (削除) withdraws a number assigned in error.
PROCESSES = {"01": "新規", "11": "商号又は名称の変更", "12": "国内所在地の変更",
             "13": "国外所在地の変更", "21": "登記記録の閉鎖等", "22": "登記記録の復活等",
             "71": "吸収合併", "72": "吸収合併無効", "81": "商号の登記の抹消", "99": "削除"}
#: A row is well under 2 KB (names up to 150 characters, addresses up to 300); a longer line
#: is not the register's.
MAX_LINE_BYTES = 16 * 1024
#: The national full file is about 1.5 GB; a zip member inflating past this is refused.
MAX_FILE_BYTES = 8 * 1024 ** 3
_SNIFF_BYTES = 256 * 1024


class RegisterFileError(ValueError):
    """The file is not the register's; line is 1-based (0: the file as a whole)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.message = message


@dataclass(slots=True)
class RegisterRow:
    """One row of the register, as the fields this project uses."""

    line: int
    sequence: int
    number: str
    process: str
    update_date: date
    name: str
    furigana: str
    en_name: str
    prefecture: str
    city: str
    street: str
    postcode: str
    address_outside: str
    close_date: date | None
    close_cause: str
    successor: str
    latest: bool
    hidden: bool

    @property
    def address(self) -> str:
        """The head office as one line: 東京都千代田区永田町１丁目１０－１ (or abroad)."""
        return (self.prefecture + self.city + self.street) or self.address_outside

    @property
    def postal_code(self) -> str:
        """〒 1000014 -> 100-0014."""
        code = self.postcode
        return f"{code[:3]}-{code[3:]}" if len(code) == 7 and code.isdigit() else code


#: Two digits of the 12 after the check digit, weighted 2 and 1 (their places from the right
#: are even and odd): the check sum adds six of these.
_PAIRS = {f"{a}{b}": 2 * a + b for a in range(10) for b in range(10)}


def check_digit_ok(number: str) -> bool:
    """13 digits whose first is 9 - (the other 12 weighted 1, 2, 1, 2 ... from the right) % 9."""
    if len(number) != 13 or not number.isdigit() or not number.isascii():
        return False
    p = _PAIRS
    total = (p[number[1:3]] + p[number[3:5]] + p[number[5:7]] + p[number[7:9]]
             + p[number[9:11]] + p[number[11:13]])
    return ord(number[0]) - 48 == 9 - total % 9


def _date(value: str, line: int, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RegisterFileError(line, f"{column} “{value[:20]}” is not a date (YYYY-MM-DD).") \
            from None


def sniff_encoding(head: bytes) -> str:
    """utf-8 (the "Unicode" files) or cp932 (the Shift_JIS ones), from the file's first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        raise RegisterFileError(head[:head.index(b"\x00")].count(b"\n") + 1, (
            "the file is UTF-16 or binary; the register publishes UTF-8 and Shift_JIS (CP932) "
            "CSV files."))
    reach = {}
    for encoding in ("utf-8", "cp932"):  # the one that reads further (UTF-8 on a tie)
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            reach[encoding] = len(head)
        except UnicodeDecodeError as err:
            reach[encoding] = err.start
    best = max(reach, key=lambda e: (reach[e], e == "utf-8"))
    if b"\n" not in head[:reach[best]] and reach[best] < len(head):
        raise RegisterFileError(1, "the file is neither UTF-8 nor Shift_JIS (CP932); download "
                                "the register's CSV again.")
    return best


class RegisterReader:
    """Iterate over a register file's rows; `wanted`: only rows of these corporate numbers are
    built (every line is still checked). After the loop: lines read, rows seen, encoding."""

    def __init__(self, stream: IO[bytes], *, wanted: Container[str] | None = None) -> None:
        self.stream = stream if isinstance(stream, io.BufferedReader) else \
            io.BufferedReader(stream, buffer_size=1024 * 1024)  # type: ignore[arg-type]
        self.wanted = wanted
        self.lines = 0
        self.rows = 0
        self.bytes = 0
        self.encoding = sniff_encoding(self.stream.peek(_SNIFF_BYTES)[:_SNIFF_BYTES])

    def _text_lines(self) -> Iterator[str]:
        readline, encoding = self.stream.readline, self.encoding
        label = "UTF-8" if encoding.startswith("utf") else "Shift_JIS (CP932)"
        while True:
            raw = readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self.lines += 1
            self.bytes += len(raw)
            if len(raw) > MAX_LINE_BYTES:
                raise RegisterFileError(self.lines, f"the line is longer than "
                                        f"{MAX_LINE_BYTES // 1024} KB: not a register row.")
            if self.bytes > MAX_FILE_BYTES:
                raise RegisterFileError(self.lines, "the file is larger than the whole national "
                                        "register; refused.")
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as err:
                raise RegisterFileError(self.lines, f"byte {err.start + 1} is not {label}, the "
                                        f"encoding the file began in (a file mixing encodings "
                                        f"or a damaged download).") from None

    def __iter__(self) -> Iterator[RegisterRow]:
        wanted, at_number = self.wanted, _AT["corporateNumber"]
        reader = csv.reader(self._text_lines(), strict=True)
        width = len(COLUMNS)
        try:
            for cells in reader:
                if len(cells) != width:
                    if not cells or cells == [""]:
                        continue
                    if self.lines == 1 and len(cells) == 4:
                        continue  # the Web-API's first line: update date, count, divisions
                    raise RegisterFileError(reader.line_num, f"{len(cells)} columns where the "
                                            f"register has {width}.")
                number = cells[at_number]
                if not check_digit_ok(number):
                    raise RegisterFileError(reader.line_num, f"corporate number "
                                            f"“{number[:20]}” has no valid check digit.")
                self.rows += 1
                if wanted is None or number in wanted:
                    yield self._row(cells, reader.line_num)
        except csv.Error as err:
            raise RegisterFileError(self.lines, f"not readable as CSV ({err}).") from None

    @staticmethod
    def _row(c: list[str], line: int) -> RegisterRow:
        update = _date(c[4], line, "updateDate")
        if update is None:
            raise RegisterFileError(line, "updateDate is empty.")
        successor = c[20]
        if successor and not check_digit_ok(successor):
            raise RegisterFileError(line, f"successorCorporateNumber “{successor[:20]}” has no "
                                    "valid check digit.")
        cause = c[19]
        if cause and cause not in CLOSE_CAUSES:
            raise RegisterFileError(line, f"closeCause “{cause[:5]}” is not one of "
                                    f"{', '.join(CLOSE_CAUSES)}.")
        return RegisterRow(
            line=line, sequence=int(c[0]) if c[0].isdigit() else 0, number=c[1],
            process=c[2], update_date=update, name=c[6].strip(), furigana=c[28].strip(),
            en_name=c[24].strip(), prefecture=c[9].strip(), city=c[10].strip(),
            street=c[11].strip(), postcode=c[15].strip(), address_outside=c[16].strip(),
            close_date=_date(c[18], line, "closeDate"), close_cause=cause, successor=successor,
            latest=c[23] != "0", hidden=c[29] == "1",
        )


@contextmanager
def open_register(path: Path) -> Iterator[IO[bytes]]:
    """The CSV inside a downloaded zip (its one .csv member; the .asc signature is skipped),
    or the CSV itself."""
    with open(path, "rb") as raw:
        if not zipfile.is_zipfile(raw):
            raw.seek(0)
            yield raw
            return
        raw.seek(0)
        try:
            archive = zipfile.ZipFile(raw)
        except zipfile.BadZipFile as err:
            raise RegisterFileError(0, f"{path.name} is a damaged zip ({err}).") from None
        with archive:
            members = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
            if len(members) != 1:
                raise RegisterFileError(0, f"{path.name} holds {len(members)} CSV files; the "
                                        "register's zip holds one.")
            with archive.open(members[0]) as member:
                yield member
