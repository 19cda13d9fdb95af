"""The manager's dashboard, laid out and filled in: no database, no desk calls.

`ManagerView` holds the widgets (figures at the top, services, counters, alerts, the
stations' link); `render(view, board, language)` fills them from one `Dashboard`. A figure
past its limit is drawn red (the `level` property the style sheet colours), within it
green where a target exists.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.desks.manager import Dashboard
from app.services.monitoring.live import CounterNow, ServiceNow
from app.services.monitoring.live_alerts import AlertNow
from app.ui.manager_charts import ChartsPanel
from app.ui.manager_conflicts import conflicts_text
from app.ui.messages import pause_reason_text
from app.ui.theme import repolish
from app.ui.widgets import hall_zone, named

SATISFACTION_TARGET = 0.98  # the plans' monthly target
RED, GREEN = QColor("#c62828"), QColor("#2e7d32")


translate = QCoreApplication.translate


def mmss(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _table(headers: list[str], name: str) -> QTableWidget:
    table = named(QTableWidget(0, len(headers)), name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _card(title: str, name: str) -> tuple[QFrame, QLabel]:
    frame = named(QFrame(), "ManagerCard")
    box = QVBoxLayout(frame)
    caption = QLabel(title)
    caption.setObjectName("ManagerCardTitle")
    value = named(QLabel("—"), name)
    value.setProperty("card", True)
    box.addWidget(caption)
    box.addWidget(value)
    return frame, value


class ManagerView:
    def __init__(self, root: QWidget) -> None:
        layout = QVBoxLayout(root)
        self.title = named(QLabel(), "ManagerTitle")
        layout.addWidget(self.title)
        self.login_row = QWidget()
        self.login = QHBoxLayout(self.login_row)
        layout.addWidget(self.login_row)
        self.body = named(QWidget(), "ManagerBody")
        body = QVBoxLayout(self.body)
        cards = QGridLayout()
        self.cards: dict[str, QLabel] = {}
        for n, (key, title) in enumerate(
            (
                ("waiting", translate("ManagerWindow", "Waiting now")),
                ("satisfaction", translate("ManagerWindow", "Satisfaction today")),
                ("alerts", translate("ManagerWindow", "Alerts to acknowledge")),
                ("devices", translate("ManagerWindow", "Devices offline")),
                ("sync", translate("ManagerWindow", "Link to the centre")),
            )
        ):
            frame, value = _card(title, f"Card_{key}")
            self.cards[key] = value
            cards.addWidget(frame, 0, n)
        body.addLayout(cards)
        body.addWidget(QLabel(translate("ManagerWindow", "Services")))
        self.services = _table(
            [
                translate("ManagerWindow", "Service"),
                translate("ManagerWindow", "Waiting"),
                translate("ManagerWindow", "Longest wait"),
                translate("ManagerWindow", "Average wait today"),
                translate("ManagerWindow", "Served today"),
                translate("ManagerWindow", "A new ticket waits"),
                translate("ManagerWindow", "Limits (wait / handling / queue)"),
            ],
            "ManagerServices",
        )
        self.services.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        body.addWidget(self.services)
        self.limits = named(
            QPushButton(translate("ManagerWindow", "Limits of the chosen service…")),
            "ManagerLimits",
        )
        body.addWidget(self.limits, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(QLabel(translate("ManagerWindow", "Counters")))
        self.counters = _table(
            [
                translate("ManagerWindow", "Counter"),
                translate("ManagerWindow", "State"),
                translate("ManagerWindow", "Clerk"),
                translate("ManagerWindow", "Customer"),
                translate("ManagerWindow", "For"),
                translate("ManagerWindow", "Idle today"),
            ],
            "ManagerCounters",
        )
        self.counters.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        body.addWidget(self.counters)
        body.addWidget(QLabel(translate("ManagerWindow", "Alerts today")))
        self.alerts = _table(
            [
                translate("ManagerWindow", "Time"),
                translate("ManagerWindow", "Alert"),
                translate("ManagerWindow", "Where"),
                translate("ManagerWindow", "What"),
                translate("ManagerWindow", "State"),
            ],
            "ManagerAlerts",
        )
        body.addWidget(self.alerts, 2)
        actions = QHBoxLayout()
        self.acknowledge = named(
            QPushButton(translate("ManagerWindow", "Acknowledge… (Ctrl+K)")), "ManagerAcknowledge"
        )
        self.details = named(
            QPushButton(translate("ManagerWindow", "Details… (Enter)")), "ManagerDetails"
        )
        actions.addWidget(self.acknowledge)
        actions.addWidget(self.details)
        actions.addStretch(1)
        body.addLayout(actions)
        self.stations = named(QLabel(), "ManagerStations")
        self.stations.setWordWrap(True)
        body.addWidget(self.stations)
        self.conflicts = named(QLabel(), "ManagerConflicts")
        body.addWidget(self.conflicts)
        self.charts = ChartsPanel()
        self.tabs = named(QTabWidget(), "ManagerTabs")
        self.tabs.addTab(self.body, translate("ManagerWindow", "The hall now"))
        self.tabs.addTab(self.charts, translate("ManagerWindow", "Day charts"))
        layout.addWidget(self.tabs, 1)
        self.status = named(QLabel(), "ManagerStatus")
        layout.addWidget(self.status)


def _item(
    text: str, *, red: bool = False, green: bool = False, data: object = None
) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if red:
        item.setForeground(RED)
    elif green:
        item.setForeground(GREEN)
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def _fill(table: QTableWidget, rows: list[list[QTableWidgetItem]]) -> None:
    selected = table.currentRow()
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, item in enumerate(row):
            table.setItem(r, c, item)
    if 0 <= selected < len(rows):
        table.selectRow(selected)


def _service_row(s: ServiceNow, language: str) -> list[QTableWidgetItem]:
    limits = f"{s.wait_limit_s // 60} / {s.handling_limit_s // 60} min"
    limits += f" / {s.queue_limit}" if s.queue_limit else " / —"
    return [
        _item(s.name(language), data=s.code),
        _item(str(s.waiting), red=s.over_queue_limit),
        _item(mmss(s.longest_wait_s), red=s.over_wait_limit),
        _item(mmss(s.avg_wait_today_s), red=s.avg_wait_today_s > s.wait_limit_s),
        _item(str(s.served_today)),
        _item(mmss(s.estimate_s)),
        _item(limits),
    ]


def state_text(c: CounterNow) -> str:
    return {
        "closed": translate("ManagerWindow", "closed"),
        "idle": translate("ManagerWindow", "open, free"),
        "paused": translate("ManagerWindow", "paused"),
        "called": translate("ManagerWindow", "calling"),
        "serving": translate("ManagerWindow", "serving"),
    }.get(c.state, c.state)


def _counter_row(c: CounterNow, now: datetime) -> list[QTableWidgetItem]:
    over = c.over_handling_limit_at
    state = state_text(c)
    if c.state == "paused" and c.pause_reason:
        state = f"{state}: {pause_reason_text(c.pause_reason)}"
    clerk = f"{c.clerk_name} ({c.clerk_job})" if c.clerk_job else ""
    return [
        _item(str(c.number), data=c.number),
        _item(state, red=c.state == "paused"),
        _item(clerk),
        _item(c.ticket),
        _item(mmss(c.elapsed_s(now)) if c.since else "", red=over is not None and over <= now),
        _item(mmss(c.idle_today_s)),
    ]


def kind_text(kind: str) -> str:
    texts = {
        "dissatisfied": translate("ManagerWindow", "Dissatisfied customer"),
        "wait_over": translate("ManagerWindow", "Wait over the limit"),
        "handling_over": translate("ManagerWindow", "Handling over the limit"),
        "queue_long": translate("ManagerWindow", "Queue over the limit"),
        "centre_offline": translate("ManagerWindow", "Centre unreachable"),
        "device_offline": translate("ManagerWindow", "Device offline"),
        "device_online": translate("ManagerWindow", "Device back online"),
        "device_fault": translate("ManagerWindow", "Device fault"),
        "paper_low": translate("ManagerWindow", "Paper low"),
        "paper_out": translate("ManagerWindow", "Paper out"),
        "print_failed": translate("ManagerWindow", "Printing failed"),
    }
    return texts.get(kind, kind)


def alert_state(a: AlertNow) -> str:
    if a.acknowledged_by is not None:
        return (
            translate("ManagerWindow", "acknowledged: {note}").format(note=a.note)
            if a.note
            else translate("ManagerWindow", "acknowledged")
        )
    if a.cleared_by_system:
        return translate("ManagerWindow", "over, to acknowledge")
    return translate("ManagerWindow", "open")


def where_text(a: AlertNow, names: dict[str, str]) -> str:
    """Where an alert is: a service by its name, a counter, a device, a station."""
    kind, _, rest = a.source.partition(" ")
    if kind == "service" and rest in names:
        return names[rest]
    if kind == "counter" and rest.isdigit():
        return translate("ManagerWindow", "Counter {n}").format(n=rest)
    if kind == "station":
        return translate("ManagerWindow", "Station {name}").format(name=rest)
    if a.counter_number is not None and not a.source:
        return translate("ManagerWindow", "Counter {n}").format(n=a.counter_number)
    return a.source


def what_text(a: AlertNow) -> str:
    """What happened, in the manager's language where the alert's figures are known."""
    value, limit = a.value, a.threshold
    if a.kind == "dissatisfied" and a.rating is not None:
        return translate("ManagerWindow", "{ticket} rated: {rating}").format(
            ticket=a.ticket_number, rating=rating_text(a.rating)
        )
    if value is not None and limit is not None:
        if a.kind == "wait_over":
            return translate("ManagerWindow", "waited {value} min, limit {limit} min").format(
                value=value, limit=limit
            )
        if a.kind == "handling_over":
            return translate(
                "ManagerWindow", "{ticket} at the counter {value} min, limit {limit} min"
            ).format(ticket=a.ticket_number, value=value, limit=limit)
        if a.kind == "queue_long":
            return translate("ManagerWindow", "{value} waiting, limit {limit}").format(
                value=value, limit=limit
            )
    return a.message


def rating_text(rating: int) -> str:
    texts = (
        translate("ManagerWindow", "very satisfied"),
        translate("ManagerWindow", "satisfied"),
        translate("ManagerWindow", "fair"),
        translate("ManagerWindow", "dissatisfied"),
        translate("ManagerWindow", "very dissatisfied"),
    )
    return texts[rating] if 0 <= rating < len(texts) else str(rating)


def _alert_row(a: AlertNow, zone: tzinfo, names: dict[str, str]) -> list[QTableWidgetItem]:
    waiting = a.acknowledged_by is None
    return [
        _item(a.created_at.astimezone(zone).strftime("%H:%M:%S"), data=str(a.id)),
        _item(kind_text(a.kind), red=waiting and a.severity == "high"),
        _item(where_text(a, names)),
        _item(what_text(a)),
        _item(alert_state(a), red=waiting and a.open),
    ]


def to_acknowledge(board: Dashboard) -> list[AlertNow]:
    return [a for a in board.hall.alerts_today if a.acknowledged_by is None]


def render(view: ManagerView, board: Dashboard, language: str) -> None:
    hall, zone = board.hall, hall_zone(board.info.timezone)
    name = board.info.name_zh if language.startswith("zh") else board.info.name_en
    view.title.setText(translate("ManagerWindow", "{hall} — the hall now").format(hall=name))
    waiting = sum(s.waiting for s in hall.services)
    view.cards["waiting"].setText(str(waiting))
    rate = hall.satisfaction
    sat = view.cards["satisfaction"]
    if rate is None:
        sat.setText(translate("ManagerWindow", "no rating yet"))
        level = ""
    else:
        sat.setText(
            translate("ManagerWindow", "{rate} % of {rated}").format(
                rate=f"{rate * 100:.1f}", rated=hall.rated_today
            )
        )
        level = "good" if rate >= SATISFACTION_TARGET else "bad"
    _level(sat, level)
    open_alerts = to_acknowledge(board)
    view.cards["alerts"].setText(str(len(open_alerts)))
    _level(view.cards["alerts"], "bad" if open_alerts else "good")
    offline = hall.devices_offline
    paper = hall.paper_short
    devices = str(len(offline))
    if paper:
        devices += " · " + translate("ManagerWindow", "paper: {n}").format(n=len(paper))
    view.cards["devices"].setText(devices)
    _level(view.cards["devices"], "bad" if offline or paper else "good")
    view.cards["sync"].setText(_sync_text(board, zone))
    _level(view.cards["sync"], "bad" if board.sync is not None and not board.sync.online else "")
    _fill(view.services, [_service_row(s, language) for s in hall.services])
    _fill(view.counters, [_counter_row(c, hall.taken_at) for c in hall.counters])
    names = {s.code: s.name(language) for s in hall.services}
    _fill(view.alerts, [_alert_row(a, zone, names) for a in hall.alerts_today])
    view.conflicts.setText(conflicts_text(board.conflicts, zone))
    view.conflicts.setVisible(bool(board.conflicts))
    late = board.late_stations()
    if late:
        view.stations.setText(
            translate("ManagerWindow", "Stations not synced for over 5 minutes: {names}").format(
                names=", ".join(f"{s.station} ({s.seen_at.astimezone(zone):%H:%M})" for s in late)
            )
        )
    else:
        view.stations.setText(
            translate("ManagerWindow", "{n} stations of this hall sync with the centre.").format(
                n=len(board.stations)
            )
            if board.stations
            else ""
        )


def _sync_text(board: Dashboard, zone: tzinfo) -> str:
    sync = board.sync
    if sync is None:
        return translate("ManagerWindow", "direct")
    if sync.online:
        return translate("ManagerWindow", "online, {n} to send").format(n=sync.outbox)
    since = sync.offline_since.astimezone(zone).strftime("%H:%M") if sync.offline_since else "?"
    return translate("ManagerWindow", "offline since {time}, {n} to send").format(
        time=since, n=sync.outbox
    )


def _level(label: QLabel, level: str) -> None:
    if label.property("level") != level:
        label.setProperty("level", level)
        repolish(label)
