"""Layout of the counter's payment panel (收费): search, account card, bills, history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets import named

# Panel action and its key, in the order of the buttons.
PAY_ACTIONS: tuple[tuple[str, str], ...] = (
    ("pay", "F12"),
    ("fees", "Ctrl+G"),
    ("reprint", "Ctrl+P"),
    ("void", "Ctrl+D"),
    ("refund", "Ctrl+R"),
    ("closing", "Ctrl+E"),
)
SEARCH_KEY = "Ctrl+F"

BILL_COLUMNS = 7  # ✓ period, usage, amount, paid, late fee, due, due date → see pay_render
HISTORY_COLUMNS = 6


def _table(name: str, columns: int) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setTabKeyNavigation(False)
    return table


class PaymentView:
    """The widgets of the payment panel; `PaymentPanel` fills and drives them."""

    def __init__(self, root: QWidget) -> None:
        outer = QVBoxLayout(root)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)

        self.caption = named(QLabel(), "PanelCaption")
        outer.addWidget(self.caption)
        search_row = QHBoxLayout()
        self.search = named(QLineEdit(), "AccountSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(200)
        search_row.addWidget(self.search, 1)
        self.search_button = named(QPushButton(), "SearchButton")
        self.search_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        search_row.addWidget(self.search_button)
        outer.addLayout(search_row)

        self.results = named(QListWidget(), "AccountResults")
        self.results.setMaximumHeight(150)
        self.results.hide()
        outer.addWidget(self.results)

        card = named(QFrame(), "AccountCard")
        grid = QGridLayout(card)
        grid.setContentsMargins(12, 8, 12, 8)
        grid.setHorizontalSpacing(18)
        self.holder = named(QLabel(), "AccountHolder")
        self.account_type = named(QLabel(), "AccountType")
        self.address = named(QLabel(), "AccountAddress")
        self.address.setWordWrap(True)
        self.phone = named(QLabel(), "AccountPhone")
        self.credit = named(QLabel(), "AccountCredit")
        self.credit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self.holder, 0, 0)
        grid.addWidget(self.account_type, 0, 1)
        grid.addWidget(self.credit, 0, 2)
        grid.addWidget(self.address, 1, 0, 1, 2)
        grid.addWidget(self.phone, 1, 2)
        grid.setColumnStretch(0, 3)
        self.card = card
        outer.addWidget(card)

        self.bills_caption = named(QLabel(), "PanelCaption")
        outer.addWidget(self.bills_caption)
        self.bills = _table("BillsTable", BILL_COLUMNS + 1)
        self.bills.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )  # the tick box: as narrow as it is
        outer.addWidget(self.bills, 4)
        self.total = named(QLabel(), "PayTotal")
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        outer.addWidget(self.total)

        self.history_caption = named(QLabel(), "PanelCaption")
        outer.addWidget(self.history_caption)
        self.history = _table("HistoryTable", HISTORY_COLUMNS)
        outer.addWidget(self.history, 2)
        self.bills.setMinimumHeight(180)
        self.history.setMinimumHeight(110)

        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        for name, _key in PAY_ACTIONS:
            button = named(QPushButton(), "PayButton")
            button.setProperty("action", name)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys belong to the shortcuts
            button.setMinimumHeight(52)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            buttons.addWidget(button)
            self.buttons[name] = button
        outer.addLayout(buttons)
