"""A hall report as JSON, CSV or XLSX bytes (the PDF is `report_pdf`). CPU only, no I/O.

JSON: `HallReport.to_dict()`, the simulator's names.

CSV, for programs: one file, one value a line, four columns `section,key,field,value`,
UTF-8 with a byte order mark (so that Excel reads the Chinese names right):
- `report` (key empty): hall, hall_name_zh, hall_name_en, timezone, from, to, taken_at
- `totals`, `satisfaction`, `complaints`, `payments` (key empty): their figures
- `service` (key: the service code), `clerk` (key: counter/job number, "3/1003"),
  `hour` (key: the hall's clock hour, "09"), `wait` (key: minutes, "5-10", "60+"),
  `day` (key: the date), `kpi` (key: "satisfaction", "complaints_handled",
  "avg_wait/PAY")
Fields are the JSON's; a missing value (a rate with nothing to rate) is empty.

XLSX, for people: a sheet per section (Summary, Services, Clerks, Hours, Waits, Days,
KPIs) with a header row, the KPI verdicts filled green or red.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from app.services.monitoring.figures import HallReport

META = ("hall", "hall_name_zh", "hall_name_en", "timezone", "from", "to", "taken_at")
BLOCKS = ("totals", "satisfaction", "complaints", "payments")
GREEN_FILL = "C6EFCE"
RED_FILL = "FFC7CE"


def to_json(report: HallReport) -> bytes:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2).encode() + b"\n"


def _wait_key(b: dict[str, Any]) -> str:
    return f"{b['from_min']}+" if b["to_min"] is None else f"{b['from_min']}-{b['to_min']}"


def _kpi_key(k: dict[str, Any]) -> str:
    return f"{k['kpi']}/{k['service']}" if k["service"] else str(k["kpi"])


# section name in the CSV, key of the list in the JSON, how a row is keyed
LISTS = (
    ("service", "services", lambda r: r["code"]),
    ("clerk", "clerks", lambda r: f"{r['counter']}/{r['job_number']}"),
    ("hour", "hours", lambda r: f"{r['hour']:02d}"),
    ("wait", "wait_distribution", _wait_key),
    ("day", "days", lambda r: r["day"]),
    ("kpi", "kpis", _kpi_key),
)


def csv_rows(report: HallReport) -> Iterator[tuple[str, str, str, Any]]:
    data = report.to_dict()
    for name in META:
        yield "report", "", name, data[name]
    for block in BLOCKS:
        for field, value in data[block].items():
            yield block, "", field, value
    for section, key, keyed in LISTS:
        for row in data[key]:
            k = keyed(row)
            for field, value in row.items():
                yield section, k, field, value


def to_csv(report: HallReport) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(("section", "key", "field", "value"))
    for section, key, field, value in csv_rows(report):
        w.writerow((section, key, field, "" if value is None else value))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report: HallReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    data = report.to_dict()
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    summary.append(("section", "field", "value"))
    for name in META:
        summary.append(("report", name, data[name]))
    for block in BLOCKS:
        for field, value in data[block].items():
            summary.append((block, field, value))
    titles = {
        "services": "Services",
        "clerks": "Clerks",
        "hours": "Hours",
        "wait_distribution": "Waits",
        "days": "Days",
        "kpis": "KPIs",
    }
    fills = {
        v: PatternFill("solid", fgColor=c) for v, c in (("green", GREEN_FILL), ("red", RED_FILL))
    }
    for key, title in titles.items():
        ws = wb.create_sheet(title)
        rows = data[key]
        if not rows:
            continue
        header = list(rows[0])
        ws.append(header)
        for row in rows:
            ws.append([row[h] for h in header])
            verdict = row.get("verdict")
            if verdict in fills:
                ws.cell(ws.max_row, header.index("verdict") + 1).fill = fills[verdict]
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
