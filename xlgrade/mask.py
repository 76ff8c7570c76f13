"""Masking personal values for a copy that leaves the company (DOMAIN.md §6): pure functions.

What it owns: how one value of each *masking kind* looks in a masked copy, and finding those
values again anywhere in a text (:class:`Secrets`). Which columns are personal, and of which
kind, is declared once on the columns (``Column.mask`` in :mod:`xlgrade.schema.model`, set in
:mod:`xlgrade.schema.sheets`); the export (:mod:`xlgrade.workbook.masked`) applies these
functions to those columns. No file I/O, no spreadsheet library.

Rules (one function per kind, :data:`MASKERS`):

- ``name`` (:func:`mask_name`): the surname stays, every other character becomes ``*``:
  张三 → 张*, 张三丰 → 张**, 欧阳锋 → 欧阳* (compound surnames, :data:`COMPOUND_SURNAMES`);
  a Latin name keeps each word's initial: John Smith → J*** S***. Several names in one cell
  (separated by 、 , ; / or spaces between CJK names) are masked one by one.
- ``phone`` (:func:`mask_phone`): every phone number in the text is masked, the rest of the
  text stays: a mobile keeps its first 3 and last 4 digits (138****5678, a +86 prefix kept),
  a landline its area code and last 4 digits (010-****5678), an extension is dropped; a
  number of fewer than 7 digits is all ``*``; a text with no number in it is ``***``.
- ``email`` (:func:`mask_email`): the first character of the local part, ``***``, then the
  domain: a***@example.com.
- ``address`` (:func:`mask_address`): cut after the district (区 / 县 / 旗 / a county-level
  市), else after the city, else after the province, then ``***``; an English address keeps
  the parts from the first one naming a district, county or city, digits removed; an address
  with none of these is ``***``.
- ``id`` (:func:`mask_id`): an ID-like code (身份证号, card or member number): 15+ characters
  keep the first 6 and last 4, 8+ the first 2 and last 2, a shorter one its first character.
- ``hidden`` (:func:`mask_hidden`): the value itself says too much (age, birth month, native
  place, hobbies ...): ``***``.

Blank values (None, NaN, "", spaces) stay blank; a non-string value (a phone typed as a
number, an age) is masked as its text (an integer-valued float without ``.0``).

:class:`Secrets` holds the original values of the *identifying* kinds (every kind but
``hidden``, whose values — 男, 35, 本科 — are also ordinary words) and finds or replaces them
in any text, so no masked name survives in a shared string, a comment, a defined name, the
document properties or a pivot cache.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping

NAME, PHONE, EMAIL, ADDRESS, ID, HIDDEN = "name", "phone", "email", "address", "id", "hidden"
KINDS = (NAME, PHONE, EMAIL, ADDRESS, ID, HIDDEN)
IDENTIFYING = frozenset(KINDS) - {HIDDEN}
STARS = "***"

# 复姓: the surnames of two characters (the common ones of 百家姓 and today's registers)
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 西门 南宫 独孤 "
    "呼延 万俟 闻人 赫连 澹台 公冶 宗政 濮阳 太叔 申屠 仲孙 钟离 鲜于 闾丘 东郭 百里 第五 "
    "拓跋 完颜 叱干 段干 左丘 梁丘 公羊 谷梁 淳于 单于 亓官 司寇 巫马 公西 漆雕 乐正 壤驷 "
    "公良 夹谷 宰父 微生 羊舌".split()
)
_NAME_SEPARATORS = re.compile(r"\s*[、,,;;/|]\s*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
# a phone number: optional +country, digits with spaces, dashes, dots or brackets between them
_PHONE = re.compile(r"(?<![\dA-Za-z])(\+\d{1,3}[\s\-]?)?(\(?\d[\d\s\-().]{4,}\d)(?![\dA-Za-z])")
_EMAIL = re.compile(r"([^\s@<>,;,;]+)@([^\s@<>,;,;]+\.[^\s@<>,;,;]+)")
_PROVINCE = r"(?:[^省市区县旗]{2,7}?(?:省|自治区|特别行政区))"
_CITY = r"(?:[^省市区县旗]{1,8}?(?:市|自治州|地区|盟))"
_DISTRICT = r"(?:[^省市区县旗]{1,8}?(?:区|县|旗|市))"
_ADDRESS = re.compile(rf"^(?P<p>{_PROVINCE})?(?P<c>{_CITY})?(?P<d>{_DISTRICT})?")
_ALNUM = "[A-Za-z0-9]"
_EN_LEVEL = re.compile(r"\b(district|county|city|province|prefecture|borough)\b", re.I)


def blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_text(value: object) -> str:
    """The text of a cell value as a person typed it (13812345678.0 → 13812345678)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _one_name(name: str) -> str:
    if _CJK.search(name):
        surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]
        return surname + "*" * max(len(name) - len(surname), 1) if len(name) > 1 else "*"
    words = _LATIN_WORD.findall(name)
    return " ".join(w[0] + STARS for w in words) if words else STARS


def mask_name(value: object) -> object:
    if blank(value):
        return value
    text = as_text(value)
    out, pos = [], 0
    for m in _NAME_SEPARATORS.finditer(text):
        out += [_names_in(text[pos : m.start()]), m.group(0)]
        pos = m.end()
    out.append(_names_in(text[pos:]))
    return "".join(out)


def _names_in(part: str) -> str:
    """One name, or CJK names separated by spaces (王伟 李娜), masked."""
    if not part:
        return part
    if _CJK.search(part):
        return " ".join(_one_name(p) for p in part.split())
    return _one_name(part)


def _mask_number(prefix: str | None, body: str) -> str:
    digits = re.sub(r"\D", "", body)
    country = (prefix or "").strip()
    if country:
        country += " "
    if len(digits) < 7:
        return "*" * len(digits)
    if digits.startswith("86") and len(digits) == 13 and digits[2] == "1":  # 8613812345678
        country, digits = "+86 ", digits[2:]
    if len(digits) == 11 and digits[0] == "1":  # a mainland mobile
        return f"{country}{digits[:3]}****{digits[-4:]}"
    if digits[0] != "0":  # no area code
        return f"{country}****{digits[-4:]}"
    groups = [g for g in re.split(r"[\s\-().]+", body) if g]
    if len(groups) > 1 and groups[0].startswith("0") and 3 <= len(groups[0]) <= 4:
        area = groups[0]
    else:  # 010 and 02x have 3 digits, the others 4
        area = digits[:3] if digits[1] in "12" else digits[:4]
    local = digits[len(area) :]
    if len(groups) > 2 and len(groups[-1]) <= 5 and len(local) - len(groups[-1]) >= 7:  # an extension
        local = local[: -len(groups[-1])]
    return f"{country}{area}-****{local[-4:]}"


def mask_phone(value: object) -> object:
    if blank(value):
        return value
    text = as_text(value)
    masked = _PHONE.sub(lambda m: _mask_number(m.group(1), m.group(2)), text)
    return masked if masked != text else "*" * len(text) if text.isdigit() else STARS


def mask_email(value: object) -> object:
    if blank(value):
        return value
    text = as_text(value)
    masked = _EMAIL.sub(lambda m: f"{m.group(1)[0]}{STARS}@{m.group(2)}", text)
    return masked if masked != text else STARS


def mask_address(value: object) -> object:
    if blank(value):
        return value
    text = as_text(value)
    if _CJK.search(text):
        m = _ADDRESS.match(text)
        kept = m.group(0) if m else ""
        return kept + STARS if kept != text else text
    parts = [p.strip() for p in text.split(",")]
    for i, part in enumerate(parts):
        if _EN_LEVEL.search(part):
            kept = ", ".join(p for p in (re.sub(r"\d+", "", q).strip(" -#.") for q in parts[i:]) if p)
            return f"{STARS}, {kept}"
    return STARS


def mask_id(value: object) -> object:
    if blank(value):
        return value
    text = as_text(value)
    n = len(text)
    if n >= 15:
        return text[:6] + "*" * (n - 10) + text[-4:]
    if n >= 8:
        return text[:2] + "*" * (n - 4) + text[-2:]
    return text[:1] + "*" * max(n - 1, 2)


def mask_hidden(value: object) -> object:
    return value if blank(value) else STARS


MASKERS: Mapping[str, Callable[[object], object]] = {
    NAME: mask_name,
    PHONE: mask_phone,
    EMAIL: mask_email,
    ADDRESS: mask_address,
    ID: mask_id,
    HIDDEN: mask_hidden,
}


def mask(kind: str, value: object) -> object:
    """``value`` as a masked copy shows it (a column of masking kind ``kind``)."""
    return MASKERS[kind](value)


# ---- finding the originals again -------------------------------------------------------------
def _trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation of ``words`` as a prefix tree (fast on long texts with many words)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return f"(?:{body})?"
        return body

    return build(trie)


class Secrets:
    """The original values of identifying columns, each with its masked form.

    ``add(kind, value)`` records a value (blank, ``hidden``, values of fewer than two
    characters and numbers of fewer than 7 digits are not recorded: they are not identifying); :meth:`find` and :meth:`replace`
    work on plain text, longest value first, and a value that starts or ends with a Latin
    letter or digit only matches as a whole word ("Li" is not found in "Lists")."""

    def __init__(self) -> None:
        self.masked: dict[str, str] = {}
        self._compiled: dict[Callable[[str], str], tuple[re.Pattern[str], dict[str, str]]] = {}

    def add(self, kind: str, value: object) -> None:
        if kind not in IDENTIFYING or blank(value):
            return
        text = as_text(value)
        shown = mask(kind, text)
        if len(text) < 2 or shown == text:  # nothing hidden: not a secret
            return
        if text.isdigit() and len(text) < 7:  # a postcode: the same digits are amounts and counts
            return
        self.masked.setdefault(text, str(shown))
        self._compiled.clear()

    def __len__(self) -> int:
        return len(self.masked)

    def __bool__(self) -> bool:
        return bool(self.masked)

    def _compile(self, encode: Callable[[str], str]) -> tuple[re.Pattern[str], dict[str, str]]:
        if encode not in self._compiled:
            shown = {encode(k): encode(v) for k, v in self.masked.items()}
            body = _trie_pattern(sorted(shown, key=len, reverse=True)) or r"(?!x)x"
            # a value starting (ending) with a Latin letter or digit starts (ends) a word
            pattern = re.compile(rf"(?:(?<!{_ALNUM})|(?!{_ALNUM}))(?:{body})(?:(?!{_ALNUM})|(?<!{_ALNUM}))")
            self._compiled[encode] = (pattern, shown)
        return self._compiled[encode]

    def pattern(self, encode: Callable[[str], str] = str) -> re.Pattern[str]:
        """The regex finding every value as ``encode`` writes it (XML escaping, for instance)."""
        return self._compile(encode)[0]

    def find(self, text: str, encode: Callable[[str], str] = str) -> list[str]:
        return [m.group(0) for m in self.pattern(encode).finditer(text)]

    def replace(self, text: str, encode: Callable[[str], str] = str) -> str:
        """``text`` with each value (as ``encode`` writes it) replaced by its masked form (likewise)."""
        pattern, shown = self._compile(encode)
        return pattern.sub(lambda m: shown[m.group(0)], text)


__all__ = [
    "ADDRESS",
    "EMAIL",
    "HIDDEN",
    "ID",
    "IDENTIFYING",
    "KINDS",
    "MASKERS",
    "NAME",
    "PHONE",
    "Secrets",
    "mask",
    "mask_address",
    "mask_email",
    "mask_hidden",
    "mask_id",
    "mask_name",
    "mask_phone",
]
