"""Joining many PDF files into one on disk, in memory that does not grow with the page count.

A batch of 60,000 letters is rendered in chunks of a few hundred documents; the printer wants one
file. pypdf's `PdfWriter` (and qpdf's) hold the whole output document until they write it — at
~24 KiB a page, 1.4 GiB for 60,000 pages. Here each chunk is read with pypdf (parsing and
serialising objects stay pypdf's), its objects are renumbered and written to the output file
straight away, and the reader is dropped; what is kept between chunks is one file offset per object
and one object number per page (8 and 4 bytes), so memory stays flat past any batch size
(tests/wako_collections/test_pdf_join.py measures it).

What the output keeps of each chunk: its pages in order (with their inherited attributes copied on,
as pypdf flattens them) and its outline (one entry per document, so the file can be split per
taxpayer), the top-level entries chained into one outline. Other catalogue entries of a chunk
(named destinations, structure tree) are not carried over: the forms use neither.
"""

from __future__ import annotations

import gc
import os
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
)

CATALOG, PAGES, OUTLINES = 1, 2, 3  # the output's own objects; chunks' objects are numbered after


class _Output:
    def __init__(self, handle: IO[bytes]):
        self.handle = handle
        self.offsets = array("Q", [0, 0, 0, 0])  # object number → byte offset (0 and the three above)
        self.pages = array("L")  # object numbers of the pages, in order
        self.outline_count = 0
        self.outline_first = 0
        self.outline_last = 0
        # The last top-level outline entry written so far is held until the next chunk's first is
        # known (its /Next points there): one small object, whatever the batch size.
        self.held: tuple[int, DictionaryObject] | None = None

    def allocate(self) -> int:
        self.offsets.append(0)
        return len(self.offsets) - 1

    def write(self, number: int, obj: Any) -> None:
        self.offsets[number] = self.handle.tell()
        self.handle.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(self.handle)
        self.handle.write(b"\nendobj\n")


class _Chunk:
    """One input file's objects, renumbered into the output as they are reached."""

    def __init__(self, reader: PdfReader, out: _Output, skip: dict[int, IndirectObject]):
        self.reader, self.out = reader, out
        self.numbers: dict[int, int] = {}  # this file's object number → the output's
        self.skip = skip  # this file's objects replaced by the output's own (its page tree, outline root)
        self.pending: list[int] = []

    def ref(self, indirect: IndirectObject) -> IndirectObject:
        if indirect.pdf is None:  # already the output's (set by this module)
            return indirect
        if indirect.idnum in self.skip:
            return self.skip[indirect.idnum]
        number = self.numbers.get(indirect.idnum)
        if number is None:
            number = self.numbers[indirect.idnum] = self.out.allocate()
            self.pending.append(indirect.idnum)
        return _output_ref(number)

    def remap(self, obj: Any) -> Any:
        if isinstance(obj, IndirectObject):
            return self.ref(obj)
        if isinstance(obj, DictionaryObject):  # streams too: their data is written as read
            for key in list(obj.keys()):
                obj[key] = self.remap(dict.__getitem__(obj, key))  # unresolved: a reference stays one
            return obj
        if isinstance(obj, ArrayObject):
            for index in range(len(obj)):
                obj[index] = self.remap(list.__getitem__(obj, index))
            return obj
        return obj

    def flush(self, held_numbers: frozenset[int] = frozenset()) -> None:
        """Writes every object reached so far (and what they reach), except `held_numbers`."""
        while self.pending:
            old = self.pending.pop()
            number = self.numbers[old]
            if number in held_numbers:
                continue
            obj = self.remap(self.reader.get_object(old))
            self.out.write(number, obj)


def _output_ref(number: int) -> IndirectObject:
    """A reference to an object of the output file (no reader behind it)."""
    return IndirectObject(number, 0, None)  # type: ignore[arg-type]


def _dictionary(obj: Any) -> DictionaryObject:
    resolved = obj.get_object()
    if not isinstance(resolved, DictionaryObject):
        raise ValueError(f"PDFの構造が読めません（辞書のはずの {type(resolved).__name__}）")
    return resolved


def _raw(dictionary: DictionaryObject, key: str) -> Any:
    return dict.get(dictionary, key)


def _append(path: Path, out: _Output) -> None:
    reader = PdfReader(path)
    root = _dictionary(reader.trailer["/Root"])
    pages_root = _raw(root, "/Pages")
    skip: dict[int, IndirectObject] = {}
    if isinstance(pages_root, IndirectObject):
        skip[pages_root.idnum] = _output_ref(PAGES)
    outlines = _raw(root, "/Outlines")
    if isinstance(outlines, IndirectObject):
        skip[outlines.idnum] = _output_ref(OUTLINES)
    chunk = _Chunk(reader, out, skip)

    for page in reader.pages:  # pypdf copies inherited /Resources, /MediaBox … onto each page
        reference = page.indirect_reference
        if reference is None:
            raise ValueError(f"{path.name}: 頁が間接参照ではありません")
        page[NameObject("/Parent")] = _output_ref(PAGES)
        out.pages.append(chunk.ref(reference).idnum)
    chunk.flush()

    if outlines is None:
        return
    entry_ref = _raw(_dictionary(outlines), "/First")
    entries: list[IndirectObject] = []
    while isinstance(entry_ref, IndirectObject):
        entries.append(entry_ref)
        entry_ref = _raw(_dictionary(entry_ref), "/Next")
    for index, entry_ref in enumerate(entries):
        entry = _dictionary(entry_ref)
        number = chunk.ref(entry_ref).idnum
        entry[NameObject("/Parent")] = _output_ref(OUTLINES)
        if index + 1 < len(entries):
            entry[NameObject("/Next")] = entries[index + 1]  # remapped when written
        if index == 0:
            if out.held is not None:
                held_number, held = out.held
                held[NameObject("/Next")] = _output_ref(number)
                out.write(held_number, held)
                entry[NameObject("/Prev")] = _output_ref(held_number)
            else:
                entry.pop("/Prev", None)
                out.outline_first = number
        else:
            entry[NameObject("/Prev")] = entries[index - 1]
        out.outline_count += 1
    last_number = chunk.ref(entries[-1]).idnum if entries else 0
    if entries:
        last = _dictionary(entries[-1])
        last.pop("/Next", None)
        chunk.remap(last)
        # written: everything reached, the entries and what they reach; held: this chunk's last entry
        chunk.flush(held_numbers=frozenset({last_number}))
        out.held = (last_number, last)
        out.outline_last = last_number
    else:
        chunk.flush()


def join_files(paths: Iterable[Path], destination: Path) -> int:
    """Writes the pages of `paths`, in order, into one PDF at `destination`; returns its page count.

    Memory: one chunk's objects at a time, plus 12 bytes per page; the output goes straight to disk.
    Raises pypdf's errors on an unreadable input; `destination` is then removed, never left half
    written."""
    try:
        with open(destination, "wb") as handle:
            handle.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
            out = _Output(handle)
            for path in paths:
                _append(Path(path), out)
                # a reader and its objects reference each other: freed only by the cyclic
                # collector, which would otherwise let a few chunks pile up first
                gc.collect()
            _finish(out)
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return len(out.pages)


def _finish(out: _Output) -> None:
    handle = out.handle
    if out.held is not None:
        out.write(*out.held)
    out.offsets[PAGES] = handle.tell()
    handle.write(f"{PAGES} 0 obj\n<< /Type /Pages /Count {len(out.pages)} /Kids [".encode())
    for index in range(0, len(out.pages), 1000):
        handle.write(" ".join(f"{n} 0 R" for n in out.pages[index : index + 1000]).encode() + b" ")
    handle.write(b"] >>\nendobj\n")
    outlines = DictionaryObject({NameObject("/Type"): NameObject("/Outlines")})
    if out.outline_count:
        outlines[NameObject("/First")] = _output_ref(out.outline_first)
        outlines[NameObject("/Last")] = _output_ref(out.outline_last)
        outlines[NameObject("/Count")] = NumberObject(out.outline_count)
    out.write(OUTLINES, outlines)
    catalog = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Catalog"),
            NameObject("/Pages"): _output_ref(PAGES),
            NameObject("/Outlines"): _output_ref(OUTLINES),
        }
    )
    out.write(CATALOG, catalog)
    start = handle.tell()
    handle.write(f"xref\n0 {len(out.offsets)}\n0000000000 65535 f \n".encode())
    for index in range(1, len(out.offsets), 1000):
        handle.write(
            b"".join(f"{offset:010d} 00000 n \n".encode() for offset in out.offsets[index : index + 1000])
        )
    handle.write(
        f"trailer\n<< /Size {len(out.offsets)} /Root {CATALOG} 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    )
    handle.flush()
    os.fsync(handle.fileno())
