"""The fast column widths (:func:`widths.widest`, :func:`widths.text_width` by character classes,
texts skipped once they cannot be wider) give exactly the widths of measuring every value
character by character (:func:`widths._chars`), on varied values."""

from __future__ import annotations

import math
import random

import pytest

from xlgrade.schema import model
from xlgrade.workbook import widths

KINDS = [
    model.TEXT,
    model.ID,
    model.GRADE,
    model.MONEY,
    model.AMOUNT,
    model.INTEGER,
    model.NUMBER,
    model.SHARE,
    model.SCORE,
    model.ORDINAL,
    model.DATE,
    model.DATETIME,
    "text",
    "money",
    "int",
    "share",
    "date",
    "grade",
]
_CHARS = "0123456789,.%-:+ abcXYZ_\t/()¥华为客户甲乙丙ｶﾞＡＢ１２\n#@é"


def _old_width(value, kind, bold=False):
    text = widths.shown(value, kind)
    return float(max((widths._chars(line, bold) for line in text.split("\n")), default=0))


def _distinct(values):
    """Each distinct (type, value) once, the first of equal ones (0.0 then -0.0: 0.0), as widest's set keeps them."""
    out = {}
    for v in values:
        try:
            out.setdefault((type(v), v), v)
        except TypeError:
            out[id(v)] = v
    return list(out.values())


def _values(rng: random.Random, n: int) -> list:
    out: list = []
    for _ in range(n):
        pick = rng.random()
        if pick < 0.35:
            out.append("".join(rng.choice(_CHARS) for _ in range(rng.randint(0, 30))))
        elif pick < 0.55:
            out.append(rng.choice([1, -1, 1e-3, 1e6]) * rng.uniform(-1e7, 1e7))
        elif pick < 0.65:
            out.append(rng.randint(-(10**12), 10**12))
        elif pick < 0.7:
            out.append(rng.choice([None, float("nan"), float("inf"), -float("inf"), -0.0, 0.0, 0]))
        elif pick < 0.75:
            out.append(rng.choice([True, False]))
        elif pick < 0.8:
            out.append(rng.choice(["#N/A", "#DIV/0!", "#VALUE!", "", " ", "\n", "甲\n乙乙乙", "合计"]))
        elif pick < 0.85:
            out.append(rng.choice([1e15, -1e15, 123456789012.345, -0.004, 0.005, 0.125, 45000.5]))
        else:
            out.append(f"C{rng.randint(0, 99999):05d}")
    return out


@pytest.mark.parametrize("seed", range(8))
def test_text_width_and_widest_equal_measuring_every_character(seed):
    rng = random.Random(seed)
    values = _values(rng, 400)
    for kind in KINDS:
        for v in values:
            for bold in (False, True):
                assert widths.text_width(v, kind, bold) == _old_width(v, kind, bold), (v, kind, bold)
        floats = [v for v in values if type(v) is float or v is None]
        samples = [values, values[:7], [v for v in values if isinstance(v, str) or v is None]]
        samples += [[v for v in values if not isinstance(v, str)], floats, [0.0, -0.0, 1.5], [-0.0, 0.0, 2.0]]
        samples += [[-0.0, 5.0], [0.0, None], [float("nan")], [math.inf, 3.0, -0.0], floats[:3] + [-0.0] + floats]
        for sample in samples:
            want = max((_old_width(v, kind) for v in _distinct(sample)), default=0.0)
            assert widths.widest(kind, sample) == want, kind
            assert widths.widest(kind, iter(sample)) == want, kind
            every = max((_old_width(v, kind) for v in sample), default=0.0)
            assert widths.widest(kind, sample, each=True) == every, (kind, sample[:5])
            assert widths.column_width(kind, sample, 8.0, "表头") == widths.column_width(
                kind, list(sample), 8.0, "表头"
            )


def test_widest_skips_texts_that_cannot_be_wider_but_not_a_wider_short_one():
    # a long Latin text is narrower than a shorter CJK one: the CJK one is still measured
    values = ["a" * 20, "客户" * 7, "bb"]
    assert widths.widest(model.TEXT, values) == max(_old_width(v, model.TEXT) for v in values) == 28.0
    assert widths.widest(model.TEXT, [[1, 2], "abc"]) == max(
        _old_width([1, 2], model.TEXT), _old_width("abc", model.TEXT)
    )
    assert widths.widest(model.TEXT, []) == 0.0
    assert not math.isnan(widths.widest(model.MONEY, [float("nan"), None]))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", [model.NUMBER, model.TEXT, "grade"])
def test_decimals_measure_only_the_largest_numbers(seed, kind, monkeypatch):
    rng = random.Random(seed)
    values = [
        rng.choice(
            [
                round(rng.uniform(-1e6, 1e6), rng.randint(0, 3)),
                rng.choice([9.995, -9.995, 999.999, 1000.0, 0.5, 0.0, 0.01, 10.1, -999.9949, 123456.1]),
                float(rng.randint(-(10**9), 10**9)),
                None,
                float("nan"),
            ]
        )
        for _ in range(3000)
    ]
    want = max((_old_width(v, kind) for v in _distinct(values)), default=0.0)
    measured = []
    text_width = widths.text_width
    monkeypatch.setattr(
        widths, "text_width", lambda v, k=model.TEXT, b=False: measured.append(v) or text_width(v, k, b)
    )
    assert widths.widest(kind, values) == want
    assert widths.widest(kind, values, each=True) == want  # no negative zero: each is the same
    assert 0 < len(measured) < 60  # not each of the distinct numbers
    measured.clear()
    for sample in ([1.5, -0.0, 3.0], [2.0, math.inf]):  # a negative zero or an infinity: each measured
        assert widths.widest(kind, sample) == max(_old_width(v, kind) for v in _distinct(sample))
