"""The dashboard's charts of one business day (QtCharts): arrivals and served per hour,
the day's arrivals against the same weekday's average, the wait distribution, and
satisfaction by clerk and by service. Filled from one `DayCharts`; no database work.
"""

from __future__ import annotations

import math

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QCoreApplication, QDate, QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QDateEdit, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.services.monitoring.charts import DayCharts
from app.services.monitoring.figures import Satisfaction
from app.ui.widgets import named

translate = QCoreApplication.translate
BLUE, GREEN, ORANGE = (QColor(c) for c in ("#1565c0", "#2e7d32", "#ef6c00"))


def _view(name: str) -> QChartView:
    view = named(QChartView(), name)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return view


class ChartsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ChartsPanel")
        box = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(translate("ManagerWindow", "Business day")))
        self.day = named(QDateEdit(), "ChartsDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        top.addWidget(self.day)
        self.summary = named(QLabel(), "ChartsSummary")
        top.addWidget(self.summary, 1)
        box.addLayout(top)
        grid = QGridLayout()
        self.hours = _view("ChartHours")
        self.usual = _view("ChartUsual")
        self.waits = _view("ChartWaits")
        self.clerks = _view("ChartClerks")
        self.services = _view("ChartServices")
        grid.addWidget(self.hours, 0, 0)
        grid.addWidget(self.usual, 0, 1)
        grid.addWidget(self.waits, 1, 0)
        grid.addWidget(self.clerks, 1, 1)
        grid.addWidget(self.services, 2, 0, 1, 2)
        box.addLayout(grid, 1)

    def show_day(self, data: DayCharts, language: str) -> None:
        report = data.report
        self.day.blockSignals(True)
        self.day.setDate(QDate(data.day.year, data.day.month, data.day.day))
        self.day.blockSignals(False)
        t = report.totals
        self.summary.setText(
            translate(
                "ManagerWindow", "{issued} issued, {served} served, {no_shows} no-shows"
            ).format(issued=t.issued, served=t.served, no_shows=t.no_shows)
        )
        hours = sorted({h.hour for h in report.hours} | set(data.usual_arrivals)) or [9]
        labels = [f"{h:02d}" for h in hours]
        arrivals = {h.hour: h.arrivals for h in report.hours}
        served = {h.hour: h.served for h in report.hours}
        self.hours.setChart(
            _bars(
                translate("ManagerWindow", "Arrivals and served per hour"),
                labels,
                [
                    (
                        translate("ManagerWindow", "Arrivals"),
                        BLUE,
                        [arrivals.get(h, 0) for h in hours],
                    ),
                    (
                        translate("ManagerWindow", "Served"),
                        GREEN,
                        [served.get(h, 0) for h in hours],
                    ),
                ],
            )
        )
        self.usual.setChart(self._usual(data, hours, labels, arrivals))
        buckets = report.wait_distribution
        self.waits.setChart(
            _bars(
                translate("ManagerWindow", "Waits (minutes)"),
                [
                    f"{b.from_min}-{b.to_min}" if b.to_min is not None else f"{b.from_min}+"
                    for b in buckets
                ],
                [(translate("ManagerWindow", "Customers"), BLUE, [b.legs for b in buckets])],
            )
        )
        clerks = [c for c in report.clerks if c.satisfaction.rated]
        self.clerks.setChart(
            _percent_bars(
                translate("ManagerWindow", "Satisfaction by clerk (%)"),
                [_rated(f"{c.name} ({c.counter})", c.satisfaction) for c in clerks],
                [c.satisfaction.pct or 0.0 for c in clerks],
            )
        )
        services = [s for s in data.by_service if s.satisfaction.rated]
        self.services.setChart(
            _percent_bars(
                translate("ManagerWindow", "Satisfaction by service (%)"),
                [_rated(s.name(language), s.satisfaction) for s in services],
                [s.satisfaction.pct or 0.0 for s in services],
            )
        )

    def _usual(
        self, data: DayCharts, hours: list[int], labels: list[str], arrivals: dict[int, int]
    ) -> QChart:
        title = (
            translate("ManagerWindow", "Arrivals against the same weekday ({weeks} weeks)").format(
                weeks=data.weeks
            )
            if data.weeks
            else translate("ManagerWindow", "Arrivals (no earlier same weekday to compare)")
        )
        chart = _chart(title)
        axis_x, axis_y = QBarCategoryAxis(), QValueAxis()
        axis_x.append(labels)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        top = 1.0
        this_day = [float(arrivals.get(h, 0)) for h in hours]
        lines = [(translate("ManagerWindow", "This day"), BLUE, this_day)]
        if data.weeks:  # nothing to compare with: no "usual" line at zero
            usual = [data.usual_arrivals.get(h, 0.0) for h in hours]
            lines.append((translate("ManagerWindow", "Usual"), ORANGE, usual))
        for name, colour, values in lines:
            line = QLineSeries()
            line.setName(name)
            line.setColor(colour)
            for i, v in enumerate(values):
                line.append(QPointF(i, v))
            top = max(top, *values)
            chart.addSeries(line)
            line.attachAxis(axis_x)
            line.attachAxis(axis_y)
        _count_axis(axis_y, top)
        return chart


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


def _bars(title: str, labels: list[str], sets: list[tuple[str, QColor, list[int]]]) -> QChart:
    chart = _chart(title)
    series = QBarSeries()
    top = 1
    for name, colour, values in sets:
        bar = QBarSet(name)
        bar.setColor(colour)
        bar.append([float(v) for v in values])
        series.append(bar)
        top = max(top, *values) if values else top
    chart.addSeries(series)
    axis_x, axis_y = QBarCategoryAxis(), QValueAxis()
    axis_x.append(labels)
    _count_axis(axis_y, top)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_x)
    series.attachAxis(axis_y)
    chart.legend().setVisible(len(sets) > 1)
    return chart


def _count_axis(axis: QValueAxis, top: float) -> None:
    """A count axis from 0 with whole-number ticks."""
    ceiling = max(1, math.ceil(top))
    if ceiling <= 5:
        axis.setRange(0, ceiling)
        axis.setTickCount(ceiling + 1)
    else:
        axis.setRange(0, ceiling)
        axis.applyNiceNumbers()
    axis.setLabelFormat("%d")


def _rated(label: str, satisfaction: Satisfaction) -> str:
    return f"{label} · {satisfaction.pct or 0:.0f}% / {satisfaction.rated}"


def _percent_bars(title: str, labels: list[str], values: list[float]) -> QChart:
    chart = _chart(title)
    series = QHorizontalBarSeries()
    bar = QBarSet(translate("ManagerWindow", "Satisfied"))
    bar.setColor(GREEN)
    bar.append(values)
    series.append(bar)
    series.setLabelsVisible(True)
    chart.addSeries(series)
    axis_y, axis_x = QBarCategoryAxis(), QValueAxis()
    axis_y.append(labels or [""])
    axis_x.setRange(0, 100)
    axis_x.setLabelFormat("%d")
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_y)
    series.attachAxis(axis_x)
    chart.legend().setVisible(False)
    return chart
