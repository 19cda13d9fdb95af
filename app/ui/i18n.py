"""Translations: `.ts` sources in resources/i18n, `.qm` built on demand, never committed.

Source strings are English; `halldesk_zh_CN.ts` is the complete Simplified Chinese
translation and `halldesk_en.ts` gives the English plural forms. At start the `.qm` of the
chosen language is taken from next to the `.ts` (an installer build puts it there) or from
the user cache folder, and rebuilt there with `lrelease` whenever it is missing or older
than its `.ts`. Qt's own strings (dialog buttons) come from Qt's `qtbase_*.qm`.

Developers refresh the `.ts` files after changing UI strings with
`python -m app.ui.i18n update` (runs `lupdate` over app/ui, keeps existing translations).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.ui.resources import i18n_dir

log = logging.getLogger(__name__)

APP_NAME = "HallDesk"
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGES = ("zh_CN", "en")


def normalise_language(language: str) -> str:
    """'zh', 'zh_CN', 'zh-Hans' -> 'zh_CN'; 'en', 'en_US' -> 'en'; unknown -> zh_CN."""
    lang = language.replace("-", "_").strip()
    if lang.lower().startswith("zh"):
        return "zh_CN"
    if lang.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def ts_path(language: str) -> Path:
    return i18n_dir() / f"halldesk_{normalise_language(language)}.ts"


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "i18n"


def _pyside_tool(name: str) -> str | None:
    """A Qt Linguist tool shipped inside the PySide6 wheel, else one on the PATH."""
    import PySide6

    exe = name + (".exe" if sys.platform == "win32" else "")
    bundled = Path(PySide6.__file__).resolve().parent / exe
    if bundled.exists():
        return str(bundled)
    return shutil.which(f"pyside6-{name}") or shutil.which(name)


def _fresh(qm: Path, ts: Path) -> bool:
    return qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime


def qm_path(language: str, cache_dir: Path | None = None) -> Path | None:
    """The compiled translation for `language`, building it if missing or stale."""
    ts = ts_path(language)
    if not ts.exists():
        log.warning("no translation source %s", ts)
        return None
    shipped = ts.with_suffix(".qm")
    if _fresh(shipped, ts):
        return shipped
    cache = cache_dir or default_cache_dir()
    target = cache / shipped.name
    if _fresh(target, ts):
        return target
    lrelease = _pyside_tool("lrelease")
    if lrelease is None:
        log.warning("lrelease not found; the UI stays in English")
        return target if target.exists() else None
    cache.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp.qm")
    try:
        subprocess.run(
            [lrelease, "-silent", str(ts), "-qm", str(tmp)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        os.replace(tmp, target)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot build %s: %s", target, exc)
        tmp.unlink(missing_ok=True)
        return target if target.exists() else None
    return target


class Translations:
    """The translators installed on the application; `remove()` takes them off again."""

    def __init__(self, app: QCoreApplication, language: str) -> None:
        self.language = normalise_language(language)
        self._app = app
        self._translators: list[QTranslator] = []
        self._previous_locale = QLocale()

    def install(self, cache_dir: Path | None = None) -> bool:
        """Install HallDesk's and Qt's translations; False if HallDesk's is missing."""
        ok = False
        qm = qm_path(self.language, cache_dir)
        if qm is not None:
            own = QTranslator(self._app)
            if own.load(str(qm)):
                self._app.installTranslator(own)
                self._translators.append(own)
                ok = True
            else:
                log.warning("cannot load %s", qm)
        qt = QTranslator(self._app)
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt.load(QLocale(self.language), "qtbase", "_", qt_dir):
            self._app.installTranslator(qt)
            self._translators.append(qt)
        QLocale.setDefault(QLocale(self.language if self.language != "en" else "en_US"))
        return ok

    def remove(self) -> None:
        for translator in self._translators:
            self._app.removeTranslator(translator)
        self._translators.clear()
        QLocale.setDefault(self._previous_locale)


def install_translations(
    app: QCoreApplication, language: str, cache_dir: Path | None = None
) -> Translations:
    translations = Translations(app, language)
    translations.install(cache_dir)
    return translations


def update_ts(languages: tuple[str, ...] = LANGUAGES) -> None:
    """Re-extract the tr() strings of app/ui into the .ts files (translations are kept)."""
    lupdate = _pyside_tool("lupdate")
    if lupdate is None:
        raise SystemExit("lupdate not found (pip install pyside6-essentials)")
    source = Path(__file__).resolve().parent
    for language in languages:
        subprocess.run(
            [
                lupdate,
                "-extensions",
                "py",
                "-locations",
                "none",
                "-no-obsolete",
                "-target-language",
                language,
                str(source),
                "-ts",
                str(ts_path(language)),
            ],
            check=True,
        )


if __name__ == "__main__":  # pragma: no cover - developer tool
    if sys.argv[1:] == ["update"]:
        update_ts()
    else:
        print("usage: python -m app.ui.i18n update")
