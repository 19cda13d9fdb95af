"""Voice calling on the hall display: one announcement at a time, never cut off.

`VoiceCaller.announce("A012", 3)` queues one utterance per voice language. The queue
hands the next utterance to the speech engine only when the previous one has finished,
so a second call waits for the first (QTextToSpeech.say() alone would cut it off).

Speech runs in its own thread (`_EngineWorker`): speech-dispatcher's client connects
synchronously and can hang when the sound server is stuck, and the hall display must never
freeze for it. The engine is QtTextToSpeech ('speechd' preferred on Linux, Qt's default
elsewhere; tests use 'mock'; `HALLDESK_TTS_ENGINE` overrides). An utterance whose language
has no voice in the engine, or an engine that fails or stops answering, falls back to the
`espeak-ng` command run with QProcess; both work without a network. A watchdog ends an
utterance that never reports its end, so a stuck engine cannot block later calls.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QLocale, QObject, QProcess, QStandardPaths, QThread, QTimer, Signal, Slot
from PySide6.QtTextToSpeech import QTextToSpeech

from app.ui.qtcompat import disconnect, emit
from app.ui.voice_text import call_text, voice_language

log = logging.getLogger(__name__)

# {voice} and {text} are filled in per utterance.
ESPEAK_COMMAND = ("espeak-ng", "-v", "{voice}", "-s", "140", "{text}")
ESPEAK_VOICES = {"zh": "cmn", "en": "en-us"}
ENGINE_START_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Utterance:
    uid: int
    text: str
    language: str


def pick_engine(requested: str | None = None) -> str:
    """The QtTextToSpeech engine to use: '' is Qt's default, 'none' disables it."""
    wanted = requested or os.environ.get("HALLDESK_TTS_ENGINE", "").strip()
    available = QTextToSpeech.availableEngines()
    if wanted:
        if wanted == "none" or wanted in available:
            return wanted
        log.warning("speech engine %r not available (have %s)", wanted, available)
    if sys.platform.startswith("linux") and "speechd" in available:
        return "speechd"
    return "" if available else "none"


class _EngineWorker(QObject):
    """Owns the QTextToSpeech object, in the voice thread.

    Signals:
        started_up(bool): the engine was created (True) or is unusable (False).
        utterance_ended(int, str): uid and outcome: 'spoken', 'no_voice' or 'error'.
    """

    started_up = Signal(bool)
    utterance_ended = Signal(int, str)

    def __init__(self, engine: str) -> None:
        super().__init__()
        self._engine_name = engine
        self._tts: QTextToSpeech | None = None
        self._uid: int | None = None
        self._seen_speaking = False
        self._listening = False  # stateChanged is connected to _on_state

    @Slot()
    def start(self) -> None:
        if self._engine_name == "none":
            emit(self.started_up, False)
            return
        self._tts = QTextToSpeech(self._engine_name, self)
        if self._tts.state() == QTextToSpeech.State.Error:
            log.warning("speech engine failed: %s", self._tts.errorString())
            emit(self.started_up, False)
            return
        self._tts.stateChanged.connect(self._on_state)
        self._listening = True
        emit(self.started_up, True)

    @Slot(int, str, str)
    def speak(self, uid: int, text: str, language: str) -> None:
        tts = self._tts
        if tts is None or tts.state() == QTextToSpeech.State.Error:
            emit(self.utterance_ended, uid, "error")
            return
        locale = self._locale_for(tts, language)
        if locale is None:
            emit(self.utterance_ended, uid, "no_voice")
            return
        if tts.locale() != locale:
            tts.setLocale(locale)
        self._uid = uid
        self._seen_speaking = False
        tts.say(text)

    @Slot()
    def stop_speaking(self) -> None:
        self._uid = None
        if self._tts is not None and self._tts.state() == QTextToSpeech.State.Speaking:
            self._tts.stop()

    @Slot()
    def close(self) -> None:
        self.stop_speaking()
        # An engine in error at start was never connected; disconnecting it anyway made
        # libpyside warn "Failed to disconnect" at every exit on a PC without speechd.
        if self._tts is not None and self._listening:
            disconnect(self._tts.stateChanged, self._on_state)
            self._listening = False
        self.deleteLater()  # the engine is our child; deleted in this thread at its end
        QThread.currentThread().quit()

    @staticmethod
    def _locale_for(tts: QTextToSpeech, language: str) -> QLocale | None:
        wanted = QLocale(language)
        locales = tts.availableLocales()
        for loc in locales:
            if loc.name() == wanted.name():
                return loc
        return next((loc for loc in locales if loc.language() == wanted.language()), None)

    def _on_state(self, state: QTextToSpeech.State) -> None:
        if self._uid is None:
            return
        if state == QTextToSpeech.State.Speaking:
            self._seen_speaking = True
        elif state == QTextToSpeech.State.Error or (
            state == QTextToSpeech.State.Ready and self._seen_speaking
        ):
            uid, self._uid = self._uid, None
            outcome = "error" if state == QTextToSpeech.State.Error else "spoken"
            emit(self.utterance_ended, uid, outcome)


class VoiceCaller(QObject):
    """Queues spoken calls and plays them one after another.

    Signals:
        started(int, str): an utterance began (uid, text).
        finished(int, str): an utterance ended, spoken or given up (uid, text).
        drained(): the queue ran empty.
        speak_requested(int, str, str), stop_requested(), close_requested(): internal,
            to the engine worker in the voice thread.
    """

    started = Signal(int, str)
    finished = Signal(int, str)
    drained = Signal()
    speak_requested = Signal(int, str, str)
    stop_requested = Signal()
    close_requested = Signal()

    def __init__(
        self,
        languages: Sequence[str] = ("zh_CN", "en_US"),
        *,
        engine: str | None = None,
        fallback_command: Sequence[str] | None = ESPEAK_COMMAND,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.languages = tuple(voice_language(lang) for lang in languages)
        self._queue: deque[Utterance] = deque()
        self._current: Utterance | None = None
        self._next_uid = 1
        self._muted = False
        self._closed = False
        self._engine_ok: bool | None = None
        self._fallback = self._usable_fallback(fallback_command)
        self._process: QProcess | None = None
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._on_watchdog)
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.timeout.connect(lambda: self._on_engine_started(False))

        self.engine_name = pick_engine(engine)
        self._thread = QThread()
        self._thread.setObjectName("halldesk-voice")
        self._worker = _EngineWorker(self.engine_name)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.start)
        self._worker.started_up.connect(self._on_engine_started)
        self._worker.utterance_ended.connect(self._on_engine_ended)
        self.speak_requested.connect(self._worker.speak)
        self.stop_requested.connect(self._worker.stop_speaking)
        self.close_requested.connect(self._worker.close)
        self._thread.start()
        self._start_timer.start(ENGINE_START_TIMEOUT_MS)

    # ------------------------------------------------------------------ public
    @property
    def muted(self) -> bool:
        return self._muted

    @property
    def engine_ready(self) -> bool | None:
        """True: QtTextToSpeech works; False: fallback only; None: still starting."""
        return self._engine_ok

    @property
    def current(self) -> Utterance | None:
        return self._current

    @property
    def pending(self) -> tuple[Utterance, ...]:
        return tuple(self._queue)

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._queue)

    def set_muted(self, muted: bool) -> None:
        """Muting drops what is queued and stops what is being said."""
        self._muted = muted
        if muted:
            self._queue.clear()
            if self._current is not None:
                self._abort_current()

    def announce(self, number: str, counter: int) -> list[Utterance]:
        """Queue the call of `number` to `counter` in every voice language."""
        return [
            u
            for lang in self.languages
            if (u := self.say(call_text(number, counter, lang), lang)) is not None
        ]

    def say(self, text: str, language: str) -> Utterance | None:
        if self._muted or self._closed or not text.strip():
            return None
        utterance = Utterance(self._next_uid, text, voice_language(language))
        self._next_uid += 1
        self._queue.append(utterance)
        self._next()
        return utterance

    def shutdown(self) -> None:
        """Stop speaking and join the voice thread (called before the display dies)."""
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        self._watchdog.stop()
        self._start_timer.stop()
        self._kill_process()
        emit(self.close_requested)
        if not self._thread.wait(3000):
            log.error("speech engine does not stop; terminating its thread")
            self._thread.terminate()
            self._thread.wait(1000)
        self._current = None

    # ------------------------------------------------------------------ queue
    def _next(self) -> None:
        if self._current is not None or not self._queue or self._closed:
            return
        if self._engine_ok is None:
            return  # the engine is starting; `_on_engine_started` continues
        utterance = self._queue.popleft()
        self._current = utterance
        emit(self.started, utterance.uid, utterance.text)
        self._watchdog.start(self._timeout_ms(utterance))
        if self._engine_ok:
            emit(self.speak_requested, utterance.uid, utterance.text, utterance.language)
        else:
            self._run_fallback(utterance)

    def _complete(self, uid: int) -> None:
        current = self._current
        if current is None or current.uid != uid:
            return
        self._watchdog.stop()
        self._current = None
        emit(self.finished, current.uid, current.text)
        if self._queue:
            self._next()
        else:
            emit(self.drained)

    def _abort_current(self) -> None:
        current = self._current
        if current is None:
            return
        emit(self.stop_requested)
        self._kill_process()
        self._complete(current.uid)

    @staticmethod
    def _timeout_ms(utterance: Utterance) -> int:
        return min(30_000, 4_000 + 300 * len(utterance.text))

    # ------------------------------------------------------------------ engine
    def _on_engine_started(self, ok: bool) -> None:
        if self._engine_ok is not None:
            return
        self._start_timer.stop()
        self._engine_ok = ok
        if not ok:
            log.info("speech engine %r unusable; using %s", self.engine_name, self._fallback)
        self._next()

    def _on_engine_ended(self, uid: int, outcome: str) -> None:
        current = self._current
        if current is None or current.uid != uid:
            return
        if outcome == "spoken":
            self._complete(uid)
            return
        if outcome == "error":
            log.warning("speech engine error; falling back for later calls too")
            self._engine_ok = False
        self._run_fallback(current)

    def _on_watchdog(self) -> None:
        current = self._current
        if current is None:
            return
        log.warning("utterance %d did not finish in time: %s", current.uid, current.text)
        if self._process is None and self._engine_ok:
            self._engine_ok = False  # the engine stopped answering: do not wait on it again
        self._abort_current()

    # ------------------------------------------------------------------ fallback
    @staticmethod
    def _usable_fallback(command: Sequence[str] | None) -> tuple[str, ...] | None:
        if not command:
            return None
        program = command[0]
        if os.path.isabs(program) or QStandardPaths.findExecutable(program):
            return tuple(command)
        log.info("fallback speech command %r not installed", program)
        return None

    def _run_fallback(self, utterance: Utterance) -> None:
        if self._fallback is None:
            log.info("no voice for %s; call not spoken: %s", utterance.language, utterance.text)
            self._complete(utterance.uid)
            return
        voice = ESPEAK_VOICES.get(utterance.language[:2], utterance.language[:2])
        args = [a.format(voice=voice, text=utterance.text) for a in self._fallback]
        process = QProcess(self)
        process.setStandardOutputFile(QProcess.nullDevice())
        process.setStandardErrorFile(QProcess.nullDevice())
        uid = utterance.uid
        process.finished.connect(lambda *_: self._on_process_ended(process, uid))
        process.errorOccurred.connect(lambda err: self._on_process_error(process, uid, err))
        self._process = process
        process.start(args[0], args[1:])

    def _on_process_ended(self, process: QProcess, uid: int) -> None:
        if self._process is process:
            self._process = None
        process.deleteLater()
        self._complete(uid)

    def _on_process_error(self, process: QProcess, uid: int, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            log.warning("cannot start %s", process.program())
            self._on_process_ended(process, uid)

    def _kill_process(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.kill()
            process.waitForFinished(1000)
