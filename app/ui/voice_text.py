"""The spoken call, per voice language: "请A零一二号到三号窗口办理" / "Number A 0 1 2, ...".

These are speech scripts for one fixed language each (the display speaks every language
of `ui.voice_languages`, whatever the screen language is), so they are not `tr()` strings:
a translator must not turn the Chinese announcement into English. Ticket digits are spoken
one by one (零一二, "0 1 2") so "A012" is never heard as "A twelve"; the counter number is
read as a number (十二号窗口, "counter 12").
"""

from __future__ import annotations

ZH_DIGITS = "零一二三四五六七八九"


def voice_language(language: str) -> str:
    """'zh_CN', 'zh', 'cmn' -> 'zh_CN'; 'en', 'en_GB' -> 'en_US' unless a region is given."""
    lang = language.replace("-", "_")
    if lang.lower().startswith(("zh", "cmn")):
        return "zh_CN"
    if lang.lower() == "en":
        return "en_US"
    return lang


def zh_counter_number(n: int) -> str:
    """Chinese reading of a counter number: 3 -> 三, 10 -> 十, 12 -> 十二, 23 -> 二十三."""
    if n < 0:
        return str(n)
    if n < 10:
        return ZH_DIGITS[n]
    if n < 100:
        tens, units = divmod(n, 10)
        head = "" if tens == 1 else ZH_DIGITS[tens]
        return head + "十" + (ZH_DIGITS[units] if units else "")
    return "".join(ZH_DIGITS[int(d)] for d in str(n))


def _split(number: str) -> tuple[str, str]:
    letters = "".join(ch for ch in number if not ch.isdigit())
    digits = "".join(ch for ch in number if ch.isdigit())
    return letters.upper(), digits


def zh_ticket(number: str) -> str:
    """'A012' -> 'A 零 一 二' (a short pause between symbols helps the synthesiser)."""
    letters, digits = _split(number)
    parts = [*letters, *(ZH_DIGITS[int(d)] for d in digits)]
    return " ".join(parts)


def en_ticket(number: str) -> str:
    """'A012' -> 'A 0 1 2'."""
    letters, digits = _split(number)
    return " ".join([*letters, *digits])


def call_text(number: str, counter: int, language: str) -> str:
    """What the display says for one call, in `language`."""
    lang = voice_language(language)
    if lang == "zh_CN":
        return f"请 {zh_ticket(number)} 号 到 {zh_counter_number(counter)} 号窗口 办理"
    return f"Number {en_ticket(number)}, please go to counter {counter}"
