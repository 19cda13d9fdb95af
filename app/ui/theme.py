"""The look: one application stylesheet and a font list with a CJK fallback.

Windows are styled by object name in resources/style/halldesk.qss (the kiosk and the
counter light, the hall display dark and high-contrast). The font list puts the platform's
Chinese UI font first (Microsoft YaHei on Windows, PingFang on macOS, Noto Sans CJK or
WenQuanYi Zen Hei on Linux), so Chinese never falls back to boxes.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.resources import style_path

log = logging.getLogger(__name__)

CJK_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
)


def ui_families() -> list[str]:
    """Installed families of the fallback list, in order (a sans-serif last)."""
    installed = set(QFontDatabase.families())
    found = [f for f in CJK_FAMILIES if f in installed]
    return [*found, "sans-serif"]


def ui_font(pixel_size: int | None = None, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(ui_families())
    if pixel_size:
        font.setPixelSize(pixel_size)
    font.setBold(bold)
    return font


def stylesheet() -> str:
    path = style_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("stylesheet %s unreadable: %s", path, exc)
        return ""


def apply_theme(app: QApplication) -> None:
    app.setFont(ui_font(15))
    app.setStyleSheet(stylesheet())


def set_pixel_size(widget: QWidget, pixels: int, *, bold: bool | None = None) -> None:
    """Resize a widget's font (the display scales its text with the screen)."""
    font = widget.font()
    font.setFamilies(ui_families())
    font.setPixelSize(max(8, int(pixels)))
    if bold is not None:
        font.setBold(bold)
    widget.setFont(font)


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property used in a selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()
