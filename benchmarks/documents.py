"""Batch PDF throughput: 10,000 one-page 催告書 rendered the way a batch renders them (chunks of
many documents, each laid out on its own so that its pages are numbered n／N of its own, with the
fonts loaded once per chunk, the pages joined into one PDF) next to rendering each document
separately with `render_pdf`, in the same run; part of `python -m benchmarks`.

    WAKO_ENV=development .venv/bin/python -m benchmarks.documents [--documents 10000] [--single-sample 300]

No database is needed: the contents are built like the batch builds them (taxpayer, installments,
amounts, 和暦 dates), with synthetic names and numbers. One-by-one throughput is measured on a
sample (rendering all 10,000 separately would take most of an hour) and compared per page.
Peak memory is sampled every 50 ms from /proc: the resident size of this process plus every
rendering process at the same moment (getrusage would count, for each spawned renderer, the
parent's size at the instant it forked). `python -m benchmarks` runs this part in a fresh
process so that earlier parts' memory is not counted.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wako_collections.settings")
os.environ.setdefault("WAKO_ENV", "development")

import django

django.setup()

from django.conf import settings  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from documents import catalogue, content, rendering  # noqa: E402
from documents.models import FormCode  # noqa: E402
from wako_collections import pdf_join  # noqa: E402
from wako_collections.eras import fiscal_year_label, format_date  # noqa: E402
from wako_collections.pdf import render_pdf  # noqa: E402

SURNAMES = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "翔", "由美", "大輔", "恵"]
DISTRICTS = ["広沢", "本町", "白子", "新倉", "下新倉", "中央", "南", "丸山台", "諏訪", "西大和団地"]


def notice_content(i: int, issued_on: date, deadline: date) -> dict:
    rows = []
    for k in range(1 + i % 4):
        principal = 12_000 + (i * 37 + k * 1_000) % 90_000
        late = (principal // 1_000) * 1_000 * 87 // 1_000 // 100 * 100
        rows.append(
            {
                "subject": [
                    "個人市県民税（普通徴収）",
                    "固定資産税・都市計画税",
                    "国民健康保険税",
                    "軽自動車税（種別割）",
                ][k],
                "year": fiscal_year_label(2023 + k % 3),
                "notice_number": f"{2023 + k % 3}{i:07d}",
                "period": 1 + k,
                "due_date": format_date(date(2023 + k % 3, 6, 30)),
                "principal": principal,
                "fee": 0,
                "late_charge": late,
                "total": principal + late,
            }
        )
    return {
        **content.header(FormCode.NOTICE_GENERAL, issued_on, deadline),
        "number": f"D{issued_on.year}{i + 1:06d}",
        "recipient": {
            "name": f"{SURNAMES[i % 10]} {GIVEN[(i // 10) % 10]}",
            "postal_code": "3510192",
            "address": f"埼玉県和光市{DISTRICTS[i % 10]}{1 + i % 5}-{1 + i % 30}-{1 + i % 20}",
            "atena_number": f"{i + 1:09d}",
        },
        "rows": rows,
        "totals": content.totals(rows),
    }


def resident_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:  # the process ended between listing and reading
        pass
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found + [grandchild for child in found for grandchild in children(child)]


class PeakMemory(threading.Thread):
    """The largest total resident size of this process and its descendants, sampled."""

    def __init__(self, every: float = 0.05):
        super().__init__(daemon=True)
        self.every, self.stopped = every, threading.Event()
        self.total = self.main = self.renderer = 0.0

    def run(self):
        me = os.getpid()
        while not self.stopped.wait(self.every):
            main, others = resident_mib(me), [resident_mib(pid) for pid in children(me)]
            self.main, self.renderer = max(self.main, main), max([self.renderer, *others])
            self.total = max(self.total, main + sum(others))


def chunked(contents: list[dict], size: int) -> list[list[dict]]:
    return [contents[s : s + size] for s in range(0, len(contents), size)]


def measure(
    *,
    documents: int = 10_000,
    single_sample: int = 300,
    one_process_sample: int = 500,
    processes: int = 0,
    join_pages: int = 60_000,
) -> dict:
    """Three renderings of the same kind of letter, each as pages per second:
    * one by one, one process (`render_pdf` per document: what a batch would be without chunks);
    * as a batch, one process (chunks of DOCUMENT_BATCH_CHUNK on a sample): one process against
      one process, the speed-up that chunking itself gives;
    * as a batch, DOCUMENT_RENDER_PROCESSES renderers, every document, chunks written to files and
      joined on disk the way `documents.batches` does (the speed-up of chunking and of the cores).
    Then the join alone, twice in fresh processes over the same chunk files repeated to
    `join_pages` pages: streamed (wako_collections/pdf_join.py) and held in memory (pypdf's
    PdfWriter, the join this replaced), each with its time and peak resident size."""
    issued_on = date(2026, 11, 27)
    contents = [notice_content(i, issued_on, issued_on + timedelta(days=14)) for i in range(documents)]
    template = catalogue.spec(FormCode.NOTICE_GENERAL).template

    render_pdf(template, {"d": contents[0]})  # warm up fonts and templates for both paths
    started = time.perf_counter()
    single_sample = min(single_sample, documents)
    for c in contents[:single_sample]:
        render_pdf(template, {"d": c})
    single = time.perf_counter() - started

    chunk = settings.DOCUMENT_BATCH_CHUNK
    one_process_sample = min(one_process_sample, documents)
    started = time.perf_counter()
    one_pages = sum(
        len(PdfReader(io.BytesIO(part)).pages)
        for part in rendering.render_chunks(
            chunked(contents[:one_process_sample], chunk), processes=1, should_stop=lambda: False
        )
    )
    one_process = time.perf_counter() - started

    processes = processes or settings.DOCUMENT_RENDER_PROCESSES
    base = Path(settings.MEDIA_ROOT) / "work"  # where batches put their chunks (not a tmpfs)
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-batch-", dir=base) as work:
        folder = Path(work)
        memory = PeakMemory()
        memory.start()
        started = time.perf_counter()
        paths = []
        for part in rendering.render_chunks(
            chunked(contents, chunk), processes=processes, should_stop=lambda: False
        ):
            paths.append(folder / f"chunk-{len(paths):06d}.pdf")
            paths[-1].write_bytes(part)
        pages = pdf_join.join_files(paths, folder / "joined.pdf")
        batch = time.perf_counter() - started
        memory.stopped.set()
        memory.join()
        pdf_bytes = (folder / "joined.pdf").stat().st_size
        (folder / "joined.pdf").unlink()
        repeat = max(1, -(-join_pages // pages))  # the chunk files repeated to at least join_pages
        listing = folder / "chunks.txt"
        listing.write_text("\n".join(str(p) for p in paths * repeat))
        streamed = join_in_fresh_process("streamed", listing, folder / "streamed.pdf")
        held = join_in_fresh_process("held", listing, folder / "held.pdf")
    return {
        "documents": documents,
        "chunk": chunk,
        "processes": processes,
        "single_sample": single_sample,
        "single_seconds": single,
        "single_rate": single_sample / single,
        "one_process_sample": one_process_sample,
        "one_process_seconds": one_process,
        "one_process_rate": one_pages / one_process,
        "batch_seconds": batch,
        "pages": pages,
        "batch_rate": pages / batch,
        "pdf_mib": pdf_bytes / 2**20,
        "peak_total_mib": memory.total,
        "main_mib": memory.main,
        "renderer_mib": memory.renderer,
        "join_streamed": streamed,
        "join_held": held,
    }


JOIN = """
import io, json, sys, time
from pathlib import Path
paths = Path(sys.argv[2]).read_text().split("\\n")
out = Path(sys.argv[3])
before = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:"))
started = time.perf_counter()
if sys.argv[1] == "streamed":
    from wako_collections.pdf_join import join_files
    pages = join_files([Path(p) for p in paths], out)
else:
    from pypdf import PdfWriter
    writer = PdfWriter()
    for p in paths:
        writer.append(p)
    with open(out, "wb") as handle:
        writer.write(handle)
    pages = len(writer.pages)
seconds = time.perf_counter() - started
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"pages": pages, "seconds": seconds, "before_mib": before / 1024, "peak_mib": peak / 1024,
                  "mib": out.stat().st_size / 2**20}))
out.unlink()
"""


def join_in_fresh_process(how: str, listing: Path, out: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", JOIN, how, str(listing), str(out)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode:  # e.g. killed for want of memory: reported, not hidden
        return {"failed": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:200]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--single-sample", type=int, default=300)
    parser.add_argument("--one-process-sample", type=int, default=500)
    parser.add_argument("--processes", type=int, default=0, help="default: DOCUMENT_RENDER_PROCESSES")
    parser.add_argument("--join-pages", type=int, default=60_000, help="pages of the join-alone measure")
    args = parser.parse_args()
    result = measure(
        documents=args.documents,
        single_sample=args.single_sample,
        one_process_sample=args.one_process_sample,
        processes=args.processes,
        join_pages=args.join_pages,
    )
    print(json.dumps(result))  # the last line: read by `python -m benchmarks`


if __name__ == "__main__":
    main()
