"""The daily or monthly hall report as an A4 PDF (reportlab): summary, KPIs in green or
red, services, charts of arrivals and served per hour and of the wait distribution, the
clerks' performance and, over several days, a line per day.

Labels are Chinese with the English after them, as on the receipts; the text is set in
the receipts' embedded CJK font (`billing.receipt_pdf.cjk_font`). CPU only: meant for
the PDF pool or the command line, never the GUI thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from app.services.billing.receipt_pdf import cjk_font
from app.services.monitoring.figures import HallReport, Kpi, Stats, Verdict

GREEN = colors.HexColor("#C6EFCE")
RED = colors.HexColor("#FFC7CE")
GREY = colors.HexColor("#E7E6E6")
ARRIVALS_COLOUR = colors.HexColor("#4472C4")
SERVED_COLOUR = colors.HexColor("#70AD47")
VERDICT_TEXT = {
    Verdict.GREEN: "达标 met",
    Verdict.RED: "未达标 missed",
    Verdict.NO_DATA: "无数据 -",
}
VERDICT_FILL = {Verdict.GREEN: GREEN, Verdict.RED: RED, Verdict.NO_DATA: GREY}
KPI_NAMES = {
    "satisfaction": "满意率 Satisfaction",
    "complaints_handled": "投诉处理率 Complaints handled",
    "avg_wait": "平均等候 Avg wait",
}
WIDTH = A4[0] - 30 * mm


def mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def hmm(seconds: float) -> str:
    m = round(seconds / 60)
    return f"{m // 60}:{m % 60:02d}"


def yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _kpi_value(k: Kpi) -> tuple[str, str]:
    if k.kpi == "avg_wait":
        return ("-" if k.value is None else mmss(k.value)), f"< {mmss(k.target)}"
    op = "≥" if k.kpi == "satisfaction" else "="
    return pct(k.value), f"{op} {k.target:g}%"


class _Styles:
    def __init__(self, font: str) -> None:
        self.font = font
        self.title = ParagraphStyle("title", fontName=font, fontSize=16, leading=20)
        self.head = ParagraphStyle(
            "head", fontName=font, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        )
        self.body = ParagraphStyle("body", fontName=font, fontSize=8.5, leading=11)

    def table(self, rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None) -> Table:
        t = Table([[str(c) for c in r] for r in rows], colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font),
                    ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                    ("LEADING", (0, 0), (-1, -1), 9),
                    ("BACKGROUND", (0, 0), (-1, 0), GREY),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return t


def _summary(r: HallReport) -> list[list[str]]:
    t, sat, p = r.totals, r.satisfaction, r.payments
    left = [
        ("取号 Issued", t.issued),
        ("办结 Served", t.served),
        ("过号 No-shows", t.no_shows),
        ("转办 Transferred", t.transferred),
        ("等候中 Waiting", t.waiting),
        ("平均等候 Avg wait", mmss(t.avg_wait_s)),
        ("最长等候 Longest wait", mmss(t.max_wait_s)),
    ]
    right = [
        ("平均办理 Avg service", mmss(t.avg_service_s)),
        ("超时等候 Over threshold", t.over_threshold),
        ("满意率 Satisfaction", f"{pct(sat.pct)} ({sat.satisfied}/{sat.rated})"),
        ("未评价 Not rated", sat.not_rated),
        ("投诉 Complaints", f"{r.complaints.handled}/{r.complaints.count}"),
        ("收费笔数 Payments", p.count),
        ("实收 Collected (元)", f"{yuan(p.collected_fen)} (作废 voids {p.voids})"),
    ]
    return [[a, str(x), b, str(y)] for (a, x), (b, y) in zip(left, right, strict=True)]


def _kpi_table(st: _Styles, r: HallReport) -> Table:
    rows: list[list[str]] = [["指标 KPI", "业务 Service", "实际 Actual", "目标 Target", "结论"]]
    for k in r.kpis:
        actual, target = _kpi_value(k)
        rows.append([KPI_NAMES[k.kpi], k.service, actual, target, VERDICT_TEXT[k.verdict]])
    t = st.table(rows, [55 * mm, 30 * mm, 30 * mm, 30 * mm, 30 * mm])
    for i, k in enumerate(r.kpis, start=1):
        t.setStyle([("BACKGROUND", (4, i), (4, i), VERDICT_FILL[k.verdict])])
    return t


def _stats_row(s: Stats) -> list[str]:
    return [
        str(s.issued),
        str(s.transferred_in),
        str(s.served),
        str(s.no_shows),
        str(s.transferred),
        str(s.waiting),
        mmss(s.avg_wait_s),
        mmss(s.max_wait_s),
        str(s.over_threshold),
        mmss(s.avg_service_s),
    ]


STATS_HEAD = ["取号\nissued", "转入\n+trf", "办结\nserved", "过号\nno-show", "转出\ntrf"]
STATS_HEAD += ["等候\nwaiting", "平均等候\navg wait", "最长\nlongest", "超时\n>limit"]
STATS_HEAD += ["平均办理\navg svc"]


def _services(st: _Styles, r: HallReport) -> Table:
    rows = [["业务 Service", *STATS_HEAD]]
    rows += [[f"{s.code} {s.name_zh}", *_stats_row(s.stats)] for s in r.services]
    rows.append(["合计 All", *_stats_row(r.totals)])
    return st.table(rows, [36 * mm] + [14.4 * mm] * 10)


def _clerks(st: _Styles, r: HallReport) -> Table:
    rows = [
        ["窗口\ncounter", "工号 姓名\nclerk", "办结\nserved", "过号\nno-show", "平均办理\navg svc"]
        + ["登录\nlogged in", "暂停\npaused", "空闲\nidle", "满意率\nsatisfied", "评价\nrated"]
        + ["未评价\nnot rated", "收费\npayments", "每小时\nper hour", "作废\nvoids"]
    ]
    for c in r.clerks:
        s = c.satisfaction
        rows.append(
            [
                str(c.counter),
                f"{c.job_number} {c.name}",
                str(c.served),
                str(c.no_shows),
                mmss(c.avg_service_s),
                hmm(c.logged_in_s),
                hmm(c.paused_s),
                hmm(c.idle_s),
                pct(s.pct),
                str(s.rated),
                str(s.not_rated),
                str(c.payments),
                f"{c.payments_per_hour:.1f}",
                str(c.voids),
            ]
        )
    return st.table(rows, [12 * mm, 24 * mm] + [12 * mm] * 12)


def _bars(
    st: _Styles,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], colors.Color]],
) -> Drawing:
    d = Drawing(WIDTH, 62 * mm)
    d.add(String(0, 58 * mm, title, fontName=st.font, fontSize=9))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, WIDTH - 45 * mm, 42 * mm
    # no hour with an arrival (an empty period): one empty slot, not a chart with no data
    chart.data = [list(values) or [0] for _, values, _ in series]
    chart.categoryAxis.categoryNames = list(labels) or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.barSpacing = 1
    for i, (_, _, colour) in enumerate(series):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = WIDTH - 30 * mm, 48 * mm
    legend.fontName, legend.fontSize = st.font, 7
    legend.colorNamePairs = [(colour, name) for name, _, colour in series]
    d.add(legend)
    return d


def _days(st: _Styles, r: HallReport) -> Table:
    rows = [["日期 Day", *STATS_HEAD]]
    rows += [[d.day.isoformat(), *_stats_row(d.stats)] for d in r.days]
    return st.table(rows, [36 * mm] + [14.4 * mm] * 10)


def render_report_pdf(report: HallReport, *, font_path: Path | None = None) -> bytes:
    """The report as PDF bytes (A4 portrait)."""
    st = _Styles(cjk_font(font_path))
    r = report
    p = r.period
    span = p.first.isoformat() if p.days == 1 else f"{p.first} – {p.last}"
    kind = (
        "日报 Daily report"
        if p.days == 1
        else "月报 Monthly report"
        if p.days > 27
        else "报表 Report"
    )
    story: list[Any] = [
        Paragraph(f"{r.hall_name_zh} 服务{kind}", st.title),
        Paragraph(
            f"{r.hall_name_en} ({r.hall}) · {span} · {r.timezone} · "
            f"生成 taken {r.taken_at:%Y-%m-%d %H:%M} UTC",
            st.body,
        ),
        Paragraph("概况 Summary", st.head),
        st.table([["项目", "数值 value", "项目", "数值 value"], *_summary(r)]),
        Paragraph("考核指标 KPIs", st.head),
        _kpi_table(st, r),
        Paragraph("各业务 Services", st.head),
        _services(st, r),
        Paragraph("图表 Charts", st.head),
        _bars(
            st,
            "每小时取号与办结 Arrivals and served per hour",
            [f"{h.hour:02d}" for h in r.hours],
            [
                ("取号 arrivals", [h.arrivals for h in r.hours], ARRIVALS_COLOUR),
                ("办结 served", [h.served for h in r.hours], SERVED_COLOUR),
            ],
        ),
        _bars(
            st,
            "等候时间分布 Wait distribution (分钟 minutes)",
            [
                f"{b.from_min}-{b.to_min}" if b.to_min is not None else f"{b.from_min}+"
                for b in r.wait_distribution
            ],
            [("人次 legs", [b.legs for b in r.wait_distribution], ARRIVALS_COLOUR)],
        ),
        Paragraph("窗口人员绩效 Clerk performance", st.head),
        _clerks(st, r) if r.clerks else Paragraph("无 none", st.body),
    ]
    if p.days > 1:
        story += [Paragraph("每日 By day", st.head), _days(st, r)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{r.hall} {span}",
        author="HallDesk",
        invariant=1,
    )
    doc.build(story)
    return out.getvalue()
