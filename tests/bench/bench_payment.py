"""Payment benchmark (issue 8): a counter payment committed, and its receipt as PDF.

    .venv/bin/python tests/bench/bench_payment.py [--json] [--payments N] [--profile]
                                                  [--no-sqlite] [--no-postgres]

PostgreSQL: the server of `HALLDESK_BENCH_DATABASE_URL` (its user may create databases),
else a throw-away cluster (tests/pg_server.py). SQLite: a fresh file, WAL,
`synchronous=FULL`, `BEGIN IMMEDIATE`, as `app.models.db.Database` configures it.

In each database (migrated by `build_core`, a hall made by `ensure_demo_hall` with its demo
book: 2,000 accounts, each with twelve unpaid monthly bills, eleven of them overdue, and
the late-fee rules), demo clerk 1001 logs in and, N times (default 300), each round on
accounts not paid before, one thread:

- **pay**: `PaymentService.pay` of what the account owes (`owed`, read before and not
  timed, as the clerk reads it on the screen), in cash, tendered rounded up to 100 yuan:
  one write unit of work (locks, what is owed, allocation over the twelve bills, receipt
  number, the payment, its allocations, the receipt print and the audit row);
- **receipt PDF**: `render_pdf(payment_service.receipt_doc(result), "roll80")` of that
  payment (the 80 mm roll the counter printers use);
- **pay + PDF**: both on another account, one after the other, as the counter does them.

Baselines, timed in the same rounds so that a change of the machine's load weighs on both:

- **bare INSERT**: one row into `payments` (the same columns, a receipt number of its own)
  in a transaction of its own, through the same engine (SQLAlchemy Core, `BEGIN
  IMMEDIATE` on SQLite) and driver;
- **bare PDF**: a reportlab page of the receipt's size with one line of Helvetica and the
  receipt's QR code (`reportlab.graphics.barcode.qr`), rendered to bytes.

A fresh interpreter times the first-call costs apart (reportlab's import, registering the
receipt's CJK TrueType font, the first PDFs). `--profile` prints cProfile's top functions
of the pay and PDF rounds to stderr.

Goal: median of pay + PDF under 50 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import math
import os
import pickle
import pstats
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
from keyring.backends.null import Keyring as NullKeyring  # noqa: E402
from reportlab.graphics.barcode.qr import QrCodeWidget  # noqa: E402
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel  # noqa: E402
from reportlab.graphics.renderPDF import draw as draw_drawing  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from sqlalchemy import Table, select  # noqa: E402

from app.bootstrap import Core, build_core  # noqa: E402
from app.models import CustomerAccount, Hall, Payment  # noqa: E402
from app.services.billing.dto import PaymentResult  # noqa: E402
from app.services.billing.receipt_check import qr_payload  # noqa: E402
from app.services.billing.receipt_doc import ReceiptDoc  # noqa: E402
from app.services.billing.receipt_pdf import PaperSize, render_pdf  # noqa: E402
from app.services.security.actor import Actor  # noqa: E402
from app.services.simulation.demo_accounts import DEMO_ACCOUNTS, account_number  # noqa: E402
from app.services.simulation.demo_hall import DEMO_PASSWORD, ensure_demo_hall  # noqa: E402
from app.settings import DatabaseSettings, Settings  # noqa: E402
from tests.bench import benchlib as lib  # noqa: E402

HALL = "PAYB"
PAPER: PaperSize = "roll80"
PREFIX = "BENCH1"  # the receipt series of the payments
BARE_PREFIX = "BARE1"  # the bare INSERTs' receipt numbers
CLERK = "1001"
COUNTER = 1
WARM = 5  # rounds before the timed ones (first calls, caches); their own accounts
KEY = b"halldesk-bench-receipt-key-32by!"
PAYMENTS = cast(Table, Payment.__table__)
_MEDIABOX = re.compile(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)")


# ---------------------------------------------------------------- the bare baselines
def bare_pdf(text: str, payload: str, width: float, height: float, *, path: bool = False) -> bytes:
    """A page of `width` x `height` points: one line of Helvetica and the QR code of
    `payload` (level M, 32 mm), drawn by reportlab's `QrCodeWidget`, or with `path` by
    reportlab's encoder and one path of the dark runs."""
    margin, side = 4 * mm, 32 * mm
    out = io.BytesIO()
    c = Canvas(out, pagesize=(width, height), pageCompression=1, invariant=1)
    c.setFont("Helvetica", 8)
    c.drawString(margin, height - margin - 8, text)
    x = (width - side) / 2
    if path:
        qr = QRCode(None, QRErrorCorrectLevel.M)
        qr.addData(payload)
        qr.make()
        box = side / (qr.getModuleCount() + 8)
        runs = c.beginPath()
        for r, row in enumerate(qr.modules):
            col = 0
            for dark, run in groupby(bool(m) for m in row):
                n = len(list(run))
                if dark:
                    runs.rect(x + (col + 4) * box, margin + side - (r + 5) * box, n * box, box)
                col += n
        c.drawPath(runs, stroke=0, fill=1)
    else:
        widget = QrCodeWidget(payload, barLevel="M", barBorder=4)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
        drawing.add(widget)
        draw_drawing(drawing, c, x, margin)
    c.showPage()
    c.save()
    return out.getvalue()


def page_size(pdf: bytes) -> tuple[float, float]:
    found = _MEDIABOX.search(pdf)
    if found is None:
        raise ValueError("no /MediaBox in the receipt PDF")
    return float(found.group(1)), float(found.group(2))


class BareInsert:
    """One `payments` row in a transaction of its own, through the same engine."""

    def __init__(self, core: Core, actor: Actor) -> None:
        self._engine = core.db.engine
        self._actor = actor
        with core.db.read() as s:
            self._hall_id = s.scalars(select(Hall.id).where(Hall.code == HALL)).one()
        self._n = 0

    def __call__(self, account_id: uuid.UUID, amount_fen: int) -> None:
        self._n += 1
        tendered = math.ceil(amount_fen / 10_000) * 10_000
        row = {
            "id": uuid.uuid4(),
            "hall_id": self._hall_id,
            "station": self._actor.station[:64],
            "counter_number": COUNTER,
            "staff_id": self._actor.id,
            "ticket_id": None,
            "account_id": account_id,
            "method": "cash",
            "amount_fen": amount_fen,
            "tendered_fen": tendered,
            "change_fen": tendered - amount_fen,
            "reference": "",
            "receipt_number": f"{BARE_PREFIX}-{self._n:08d}",
            "created_at": datetime.now(UTC),
        }
        with self._engine.begin() as c:
            c.execute(PAYMENTS.insert(), row)


# ---------------------------------------------------------------- timing
class Clocked:
    """Latencies of named steps, and cProfile of the HallDesk steps when asked."""

    def __init__(self, profile: bool) -> None:
        self.took: dict[str, list[float]] = {}
        self.profiles: dict[str, cProfile.Profile] = {}
        self._profile = profile

    @contextmanager
    def step(self, name: str, *, profiled: bool = False) -> Iterator[None]:
        prof = None
        if self._profile and profiled:
            prof = self.profiles.setdefault(name, cProfile.Profile())
            prof.enable()
        start = time.perf_counter()
        try:
            yield
        finally:
            took = time.perf_counter() - start
            if prof is not None:
                prof.disable()
            self.took.setdefault(name, []).append(took)

    def figures(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for name, took in self.took.items():
            lat = asdict(lib.Latency.of(took, sum(took)))
            lat["p90_ms"] = round(lib.percentile(sorted(t * 1000 for t in took), 90), 2)
            out[name] = lat
        return out


RATIOS = (  # (HallDesk step, a baseline)
    ("pay", "bare_insert"),
    ("pdf", "bare_pdf"),
    ("pdf", "bare_pdf_path"),
    ("pay_pdf", "bare_insert_pdf"),
)


def bench_database(
    url: str, args: argparse.Namespace, log: Callable[[str], None]
) -> tuple[dict[str, object], ReceiptDoc]:
    """The figures on the database of `url`, and a receipt for the cold-start run."""
    need = 2 * (args.payments + WARM)  # two accounts a round: (a) and (c)
    settings = Settings(database=DatabaseSettings(url=url))
    core = build_core(settings, environ={}, receipt_key=KEY, pool_size=2)
    try:
        start = time.perf_counter()
        ensure_demo_hall(core.db, code=HALL, accounts=max(DEMO_ACCOUNTS, need))
        seeded_s = time.perf_counter() - start
        log(f"demo hall and its book in {seeded_s:.1f} s")
        clerk = core.auth.login(CLERK, DEMO_PASSWORD)
        billing = core.billing
        bare_insert = BareInsert(core, clerk)
        with core.db.read() as s:
            ids: dict[str, uuid.UUID] = {
                number: account_id
                for number, account_id in s.execute(
                    select(CustomerAccount.account_number, CustomerAccount.id)
                ).all()
            }
        today = core.clock.now().date()
        numbers = iter([account_number(n) for n in range(1, need + 1)])
        clock = Clocked(args.profile)
        first: dict[str, float] = {}
        bills: list[int] = []
        sizes: list[int] = []
        doc: ReceiptDoc | None = None

        def owed(number: str) -> tuple[Decimal, Decimal]:
            """What the account owes (the amount paid) and the cash tendered."""
            with clock.step("owed"):
                o = billing.owed(HALL, number, today)
            bills.append(len(o.bills))
            return o.total_due, Decimal(math.ceil(o.total_due / 100) * 100)

        def pay(number: str, amount: Decimal, tendered: Decimal) -> PaymentResult:
            return billing.pay(
                clerk,
                HALL,
                number,
                amount,
                "cash",
                tendered=tendered,
                counter_number=COUNTER,
                station_prefix=PREFIX,
            )

        def pdf(result: PaymentResult) -> bytes:
            return render_pdf(billing.receipt_doc(result), PAPER)

        log(f"{WARM} rounds to warm up, then {args.payments}")
        for i in range(WARM + args.payments):
            if i == WARM:
                first = {k: round(v[0] * 1000, 2) for k, v in clock.took.items()}
                clock = Clocked(args.profile)
                bills.clear()
                sizes.clear()
            # (a) the commit alone, then a bare INSERT
            number = next(numbers)
            amount, tendered = owed(number)
            with clock.step("pay", profiled=True):
                result = pay(number, amount, tendered)
            with clock.step("bare_insert"):
                bare_insert(ids[number], int(amount * 100))
            # (b) the receipt of that payment alone, then a bare page of its size
            with clock.step("pdf", profiled=True):
                out = pdf(result)
            sizes.append(len(out))
            doc = billing.receipt_doc(result)
            payload = qr_payload(doc)
            width, height = page_size(out)
            with clock.step("bare_pdf"):
                bare_pdf(doc.number, payload, width, height)
            with clock.step("bare_pdf_path"):
                bare_pdf(doc.number, payload, width, height, path=True)
            # (c) both on another account, as the counter does them, then both bare
            number = next(numbers)
            amount, tendered = owed(number)
            with clock.step("pay_pdf"):
                pdf(pay(number, amount, tendered))
            with clock.step("bare_insert_pdf"):
                bare_insert(ids[number], int(amount * 100))
                bare_pdf(doc.number, payload, width, height)
        assert doc is not None
        figures = clock.figures()
        result_: dict[str, object] = {
            "seed_s": round(seeded_s, 2),
            "payments": args.payments,
            "bills_per_payment": round(sum(bills) / len(bills), 1),
            "pdf_kb": round(sum(sizes) / len(sizes) / 1024, 1),
            "first_ms": first,
            **figures,
            "ratios": {
                f"{step}/{base}": {
                    "p50": round(figures[step]["p50_ms"] / figures[base]["p50_ms"], 2),
                    "p99": round(figures[step]["p99_ms"] / figures[base]["p99_ms"], 2),
                }
                for step, base in RATIOS
            },
        }
        if args.profile:
            for name, prof in clock.profiles.items():
                text = io.StringIO()
                pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(30)
                print(
                    f"---- {url.split(':', maxsplit=1)[0]} {name}\n{text.getvalue()}",
                    file=sys.stderr,
                )
        return result_, doc
    finally:
        core.close()


# ---------------------------------------------------------------- first calls
COLD = """
import io, json, pickle, sys, time
t0 = time.perf_counter()
from app.services.billing import receipt_pdf
t1 = time.perf_counter()
receipt_pdf.cjk_font()
t2 = time.perf_counter()
doc = pickle.loads(sys.stdin.buffer.read())
from tests.bench.bench_payment import bare_pdf, page_size
from app.services.billing.receipt_check import qr_payload
took = {"import_ms": t1 - t0, "font_ms": t2 - t1}
for name, op in (
    ("pdf_first_ms", lambda: receipt_pdf.render_pdf(doc, "roll80")),
    ("pdf_second_ms", lambda: receipt_pdf.render_pdf(doc, "roll80")),
    ("bare_first_ms", lambda: bare_pdf(doc.number, qr_payload(doc), 226.77, 600.0)),
    ("bare_second_ms", lambda: bare_pdf(doc.number, qr_payload(doc), 226.77, 600.0)),
):
    start = time.perf_counter()
    op()
    took[name] = time.perf_counter() - start
print(json.dumps({k: round(v * 1000, 1) for k, v in took.items()}))
"""


def cold_start(doc: ReceiptDoc) -> dict[str, float]:
    """A fresh interpreter: reportlab's import, the CJK font's registration, the first and
    second receipt PDF, the first and second bare page (ms)."""
    run = subprocess.run(
        [sys.executable, "-c", COLD],
        input=pickle.dumps(doc),
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    return cast(dict[str, float], json.loads(run.stdout))


# ---------------------------------------------------------------- report
NAMES = {
    "pay": "(a) pay: the commit",
    "bare_insert": "bare INSERT, one transaction",
    "pdf": "(b) receipt PDF, 80 mm",
    "bare_pdf": "bare PDF: a line and QrCodeWidget",
    "bare_pdf_path": "bare PDF: a line and the QR as one path",
    "pay_pdf": "(c) pay + receipt PDF",
    "bare_insert_pdf": "bare INSERT + bare PDF (widget)",
    "owed": "owed (read before paying, information)",
}
BACKENDS = ("sqlite", "postgresql")


def table(report: dict[str, Any]) -> str:
    runs = [(b, report[b]) for b in BACKENDS if isinstance(report.get(b), dict)]
    lines = ["| step | database | p50 ms | p90 ms | p99 ms | max ms |"]
    lines.append("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, title in NAMES.items():
        for backend, r in runs:
            f = r[name]
            lines.append(
                f"| {title} | {backend} | {f['p50_ms']} | {f['p90_ms']} | {f['p99_ms']}"
                f" | {f['max_ms']} |"
            )
    lines += ["", "| HallDesk / baseline | database | p50 | p99 |", "| --- | --- | ---: | ---: |"]
    for key in (f"{step}/{base}" for step, base in RATIOS):
        for backend, r in runs:
            ratio = r["ratios"][key]
            lines.append(f"| {key} | {backend} | × {ratio['p50']} | × {ratio['p99']} |")
    lines.append("")
    for backend, r in runs:
        lines.append(
            f"{backend}: first calls (ms) {r['first_ms']}; {r['bills_per_payment']}"
            f" bills a payment, PDF {r['pdf_kb']} kB; hall seeded in {r['seed_s']} s"
        )
    if "cold" in report:
        lines.append(f"fresh interpreter (ms): {report['cold']}")
    lines.append(
        f"load: {report['machine']['load_1min']} at the start, {report['load_1min_end']} at the end"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--payments", type=int, default=300, help="timed rounds (N)")
    p.add_argument("--profile", action="store_true", help="cProfile of pay and PDF to stderr")
    p.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    p.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL run")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    keyring.set_keyring(NullKeyring())

    def log(msg: str) -> None:
        print(f"  .. {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

    report: dict[str, Any] = {"machine": lib.machine(), "paper": PAPER}
    doc: ReceiptDoc | None = None
    if not args.no_sqlite:
        log("SQLite")
        with lib.fresh_sqlite_database() as url:
            report["sqlite"], doc = bench_database(url, args, log)
    if not args.no_postgres:
        log("PostgreSQL")
        with lib.postgres_admin_url() as admin, lib.fresh_postgres_database(admin) as url:
            report["postgresql"], doc = bench_database(url, args, log)
    if doc is not None:
        log("first calls in a fresh interpreter")
        report["cold"] = cold_start(doc)
    report["load_1min_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
