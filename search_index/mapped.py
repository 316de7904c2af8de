"""Reading a segment's files from its memory map, without copying them.

Whoosh maps a segment (one compound file) into memory, then copies every file it opens from
it (postings, the terms table, stored fields, columns) into a BytesIO: a searcher on a kind
held its whole segments as anonymous memory, and the search page, which opens all seven
kinds, took a web process past 1 GiB on the large demo. Here an opened file reads straight
from the map: a page of the index is read when a query touches it, shared by every process
on the host (the page cache), and the kernel may drop it again. Reading the same bytes
gives the same results.
"""
from __future__ import annotations

import io

from whoosh.filedb import compound
from whoosh.filedb.structfile import BufferFile

__all__ = ["MappedFile"]


class _ViewReader:
    """A read-only, seekable file over a memoryview (what BytesIO offers readers)."""

    __slots__ = ("_pos", "_view")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(start + size,
                                                                     len(self._view))
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._pos + size,
                                                                     len(self._view))
        pos = self._pos
        while pos < end:
            chunk = self._view[pos:min(pos + 4096, end)].tobytes()
            newline = chunk.find(b"\n")
            if newline != -1:
                end = pos + newline + 1
                break
            pos += len(chunk)
        return self.read(end - self._pos)

    def __iter__(self):
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._pos

    def write(self, data) -> int:
        raise io.UnsupportedOperation("a segment's files are read-only")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass  # the map belongs to the segment's storage, which closes it


class MappedFile(BufferFile):
    """Whoosh's BufferFile over part of a segment's map, reading it in place."""

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _ViewReader(buf)

    def subset(self, position, length, name=None):
        return MappedFile(self._buf[position:position + length], name=name or self._name)


def install() -> None:
    """Whoosh's compound storage opens its files as MappedFile (once per process)."""
    compound.BufferFile = MappedFile
