"""Demo rows for seed 000's 顾客档案分析表: the demo distributor's own small beauty store.

A dozen card holders of one store, with the staff who sold their cards and who serve them,
a treatment card each ("6∕15": 15 sessions bought, 6 left), the month's spending and visits
and the last visit, so the demo workbook shows the form filled and the monthly job's
spending levels, visit classes and follow-up hints. Its own random generator (``seed``):
the draws of :mod:`xlgrade.demo_data` are not touched, and the same seed gives the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlgrade.sessions import Sessions, format_sessions

STORE = "杭州佳美美容体验店"
MANAGER = "周丽"
STAFF = ("王芳", "李娜", "陈静", "刘婷")
CLIENTS = (
    "赵敏",
    "孙悦",
    "钱晓燕",
    "吴倩",
    "郑雅琴",
    "冯丹",
    "何欣",
    "许静怡",
    "沈慧",
    "韩梅",
    "杨柳",
    "朱琳",
)
TREATMENTS = (("面部补水护理", 480.0), ("肩颈舒缓理疗", 360.0), ("背部精油SPA", 580.0), ("眼部抗皱护理", 420.0))
NEEDS = ("希望增加晚间预约", "皮肤偏干,关注补水", "对价格敏感", "", "", "想尝试新项目", "")


@dataclass(frozen=True)
class StoreDemo:
    head: dict[str, Any]  # the form's head: store, manager, compiled (STORE_CLIENTS.fields keys)
    clients: pd.DataFrame  # STORE_CLIENTS input column keys


def generate(seed: int = 11, as_of: str | pd.Timestamp = "2026-10-31") -> StoreDemo:
    rng = np.random.default_rng(seed)
    as_of = pd.Timestamp(as_of).normalize()
    rows = []
    for name in CLIENTS:
        treatment, price = TREATMENTS[rng.integers(len(TREATMENTS))]
        bought = int(rng.choice([10, 12, 15, 20]))
        visits = int(rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 6]))
        left = int(rng.integers(0, bought - visits + 1))  # the month's visits used sessions
        away = int(rng.integers(1, 20)) if visits else int(rng.integers(31, 75))
        rows.append(
            {
                "holder": name,
                "card_seller": STAFF[rng.integers(len(STAFF))],
                "staff": STAFF[rng.integers(len(STAFF))],
                "treatment": treatment,
                "sessions": format_sessions(Sessions(left, bought)),
                "spend": float(visits * price + rng.choice([0, 0, 200, 680, 1280])),
                "visits": visits,
                "last_visit": as_of - pd.Timedelta(days=away),
                "needs": NEEDS[rng.integers(len(NEEDS))] or None,
            }
        )
    head = {"store": STORE, "manager": MANAGER, "compiled": as_of}
    return StoreDemo(head, pd.DataFrame(rows))
