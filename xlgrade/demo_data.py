"""Realistic, deterministic sample data: customers, profiles, a ledger, complaints.

A mid-size distributor: a few large customers and many small ones (sizes are heavy-tailed,
so the 80/20 view looks like a real one), deliveries with invoices and payments on the same
ledger line as 附表五 has them (some paid late, some unpaid, a few returns), subjective
scores, complaints, and the record-card profile of every customer (附表四: decision maker,
business scope, competitors, key contact ...). The same seed always gives the same data; ``n_customers`` scales it
for benchmarks (5,000 customers over 24 months is about 80,000 lines).

Plausible under the default rules (tests/test_demo_data.py): with the threshold method over
the 12-month window about a fifth of the customers are A and hold about 80 % of the sales;
customers grow, shrink or stop, so successive months have upgrades and downgrades; the
salesforce is sized by the staffing policy with about one person in seven overloaded; most
complaints are answered within their grade's deadline, some late, some never, the last
day's still open.

Size: one module on purpose. Most of it is the word lists and the draws of one coherent
fictional company; its parts share one random generator and must stay in one order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xlgrade.engine import figures, frames, grade
from xlgrade.engine.dynamics import apply_overrides
from xlgrade.engine.rules import RuleBook
from xlgrade.io.duckfigures import frame_sql
from xlgrade.schema.lists import DEFAULT_LISTS

CITIES = (
    "杭州",
    "宁波",
    "苏州",
    "南京",
    "上海",
    "广州",
    "深圳",
    "东莞",
    "佛山",
    "成都",
    "重庆",
    "武汉",
    "长沙",
    "郑州",
    "济南",
    "青岛",
    "合肥",
    "福州",
    "厦门",
    "西安",
    "天津",
    "沈阳",
    "昆明",
    "南昌",
)
WORDS = (
    "恒达",
    "华信",
    "鑫源",
    "永泰",
    "联创",
    "宏图",
    "金鼎",
    "瑞丰",
    "天成",
    "盛世",
    "宝利",
    "康华",
    "新锐",
    "顺发",
    "佳美",
    "远航",
    "中诚",
    "博雅",
    "安泰",
    "汇通",
    "嘉禾",
    "东升",
    "明阳",
    "九州",
    "百川",
    "同创",
    "兴业",
    "凯旋",
    "润泽",
    "华夏",
)
INDUSTRIES = DEFAULT_LISTS["industries"][0]
SUFFIX = {
    "医药": "医药",
    "电子": "电子科技",
    "机械": "机械设备",
    "化工": "化工",
    "食品": "食品",
    "建材": "建材",
    "纺织": "纺织",
    "物流": "物流",
    "零售": "商贸",
    "汽车配件": "汽配",
}
FORMS = ("有限公司", "有限公司", "股份有限公司", "集团有限公司")
TYPES = DEFAULT_LISTS["customer_types"][0]
SALESPEOPLE = DEFAULT_LISTS["salespeople"][0]
HANDLERS = DEFAULT_LISTS["handlers"][0]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英")
TITLES = ("总经理", "采购经理", "采购主管", "财务经理", "副总经理", "店长")
ROADS = ("人民路", "解放路", "中山路", "建设路", "和平路", "长江路", "黄河路", "科技路", "工业大道", "新华路")
# city -> region; every region is one of DEFAULT_LISTS["regions"]
REGIONS = {
    "杭州": "华东",
    "宁波": "华东",
    "苏州": "华东",
    "南京": "华东",
    "上海": "华东",
    "合肥": "华东",
    "福州": "华东",
    "厦门": "华东",
    "济南": "华东",
    "青岛": "华东",
    "南昌": "华东",
    "广州": "华南",
    "深圳": "华南",
    "东莞": "华南",
    "佛山": "华南",
    "成都": "西南",
    "重庆": "西南",
    "昆明": "西南",
    "武汉": "华中",
    "长沙": "华中",
    "郑州": "华中",
    "西安": "西北",
    "天津": "华北",
    "沈阳": "东北",
}
# Products are sold by the case (件), as the scorecard's "average monthly units" counts them.
PRODUCTS = (
    ("电芯 A18", 580.0),
    ("电芯 B21", 800.0),
    ("移动电源 P10", 1200.0),
    ("移动电源 P20", 1990.0),
    ("聚合物电池 L5", 430.0),
    ("聚合物电池 L8", 700.0),
    ("充电模组 M1", 1460.0),
    ("保护板 G2", 300.0),
)
CHANNELS = DEFAULT_LISTS["channels"][0]
SUBJECTS = (
    "到货延迟",
    "外包装破损",
    "数量短缺",
    "质量问题:容量不足",
    "发票信息错误",
    "退货处理慢",
    "价格与合同不符",
    "售后响应不及时",
    "批次混装",
    "说明书缺失",
)


@dataclass(frozen=True)
class DemoData:
    customers: pd.DataFrame  # CUSTOMERS sheet keys
    ledger: pd.DataFrame  # LEDGER sheet keys
    complaints: pd.DataFrame  # COMPLAINTS sheet keys (input columns only)
    as_of: pd.Timestamp
    profiles: pd.DataFrame  # PROFILES sheet keys, one row per customer


def generate(
    seed: int = 7,
    n_customers: int = 300,
    months: int = 24,
    as_of: str | pd.Timestamp = "2026-10-31",
    lang: str = "zh",
) -> DemoData:
    """The demo company. ``lang="en"`` gives the same draws with every value taken from a
    drop-down list (industry, region, salesperson, handler ...) in its English form, as an
    English workbook's lists offer them; names, addresses and other free text stay as typed
    (a customer's own words are data, not the workbook's language)."""
    rng = np.random.default_rng(seed)
    as_of = pd.Timestamp(as_of).normalize()
    customers = _customers(rng, n_customers)
    ledger = _fit_one_sheet(_ledger(rng, customers, months, as_of))
    grades = _grades(customers, ledger, as_of)
    complaints = _complaints(rng, customers, as_of, grades)
    profiles = _profiles(rng, customers, as_of)  # drawn after the frames above: they stay as they were
    customers["salesperson"] = _salesforce(rng, grades)  # drawn last, for the same reason
    if lang != "zh":
        customers, ledger, complaints, profiles = (
            _list_values_en(f) for f in (customers, ledger, complaints, profiles)
        )
        # the salesforce is drawn beyond the drop-down list's names: in pinyin, as the list's are
        customers["salesperson"] = customers["salesperson"].map(_romanised)
    return DemoData(customers, ledger, complaints, as_of, profiles)


_LIST_EN = {zh: en for zh_values, en_values in DEFAULT_LISTS.values() for zh, en in zip(zh_values, en_values)}


def _list_values_en(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell that is an entry of a drop-down list (DEFAULT_LISTS) in its English form."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].map(lambda v: _LIST_EN.get(v, v) if isinstance(v, str) else v)
    return out


def _romanised(name: object) -> object:
    """A drawn Chinese name in pinyin ("王伟" -> "Wang Wei", "李娜2" -> "Li Na 2"); else as it is."""
    if not isinstance(name, str) or not name or name[0] not in PINYIN:
        return name
    digits = "".join(c for c in name if c.isdigit())
    given = name[1:].rstrip("0123456789")
    parts = [PINYIN[given]] if given in PINYIN else [PINYIN.get(c, c) for c in given]
    text = f"{PINYIN[name[0]].capitalize()} {''.join(parts).capitalize()}"
    return f"{text} {digits}" if digits else text


def _person(rng: np.random.Generator) -> str:
    return SURNAMES[rng.integers(len(SURNAMES))] + GIVEN[rng.integers(len(GIVEN))]


def _customers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    rows, used = [], set()
    for i in range(n):
        industry = INDUSTRIES[rng.integers(len(INDUSTRIES))]
        for _ in range(64):
            city = CITIES[rng.integers(len(CITIES))]
            name = f"{city}{WORDS[rng.integers(len(WORDS))]}{SUFFIX[industry]}{FORMS[rng.integers(len(FORMS))]}"
            if name not in used:
                break
        else:  # the industry's names are (nearly) all taken: a numbered branch of the last one
            base, branch = name, 2
            while (name := f"{base}(第{branch}分公司)") in used:
                branch += 1
        used.add(name)
        rows.append(
            {
                "customer_id": f"KH{i + 1:04d}",
                "company": name,
                "contact": _person(rng),
                "title": TITLES[rng.integers(len(TITLES))],
                "phone": f"1{rng.integers(3, 9)}{rng.integers(0, 10)}-{rng.integers(1000, 9999)}-{rng.integers(1000, 9999)}",
                "address": f"{city}市{ROADS[rng.integers(len(ROADS))]}{rng.integers(1, 999)}号",
                "industry": industry,
                "customer_type": TYPES[rng.integers(len(TYPES))],
                "salesperson": SALESPEOPLE[rng.integers(len(SALESPEOPLE))],
                "region": REGIONS[city],
                "channel": float(rng.integers(2, 11)),
                "loyalty": float(rng.choice([3, 4, 5, 6, 7, 7.5, 8, 9, 10])),
                "prospects": float(rng.integers(2, 11)),
                "share_of_wallet": round(float(rng.uniform(0.05, 0.9)), 2),
                "upcoming_purchase": float(rng.integers(1, 60) * 5_000),
            }
        )
    df = pd.DataFrame(rows)
    # About 6 % are prospects with no orders yet: a closing probability instead.
    prospects = rng.random(n) < 0.06
    df["close_probability"] = np.where(prospects, rng.choice([0.1, 0.3, 0.5, 0.6, 0.8, 0.9], n), np.nan)
    df.loc[~prospects, "close_probability"] = np.nan
    df["manual_grade"] = None
    df["override_reason"] = None
    picks = rng.choice(n, size=max(1, n // 60), replace=False)
    df.loc[picks, "manual_grade"] = "A"
    df.loc[picks, "override_reason"] = "战略合作协议客户"
    return df


def _ledger(rng: np.random.Generator, customers: pd.DataFrame, months: int, as_of: pd.Timestamp) -> pd.DataFrame:
    n = len(customers)
    active = customers["close_probability"].isna().to_numpy()
    # Heavy tail, 80/20-like: under the 12-month window about a fifth of the customers are A
    # and hold about 80 % of the sales (amount per customer ~ size²: orders × order size).
    size = rng.lognormal(mean=0.0, sigma=1.0, size=n)
    rate = np.clip(0.03 + 0.7 * size / size.mean(), 0.08, 6.0)  # orders per month
    trend = rng.normal(0.0, 0.5, size=n)  # growing or shrinking customers
    churned = rng.random(n) < 0.08  # stopped ordering a year ago
    late_payer = rng.random(n) < 0.12
    margin = np.where(rng.random(n) < 0.04, -0.05, rng.uniform(0.06, 0.28, size=n))
    credit_days = rng.choice([30, 45, 60], size=n)

    start = (as_of - pd.DateOffset(months=months)) + pd.Timedelta(days=1)
    span = (as_of - start).days + 1
    month_pos = np.arange(months)
    lam = rate[:, None] * np.exp(trend[:, None] * (month_pos[None, :] - months / 2) / months)
    lam[~active] = 0
    lam[churned, months // 2 :] = 0
    counts = rng.poisson(lam)  # orders per customer per month
    cust_idx = np.repeat(np.repeat(np.arange(n), months), counts.ravel())
    month_of = np.repeat(np.tile(month_pos, n), counts.ravel())
    m = len(cust_idx)
    day = np.clip((month_of + rng.random(m)) * span / months, 0, span - 1).astype(int)
    dates = start + pd.to_timedelta(day, unit="D")
    order = np.lexsort((day, cust_idx))
    cust_idx, dates = cust_idx[order], dates[order]

    product = rng.integers(len(PRODUCTS), size=m)
    price = np.array([p for _, p in PRODUCTS])[product]
    quantity = np.maximum(1, np.round(rng.lognormal(np.log(3 * size[cust_idx] + 1), 0.6))).astype(float)
    amount = np.round(quantity * price, 2)
    profit = np.round(amount * margin[cust_idx], 2)
    is_return = rng.random(m) < 0.02
    amount = np.where(is_return, -np.round(amount * rng.uniform(0.1, 0.5, size=m), 2), amount)
    quantity = np.where(is_return, -np.maximum(1, np.round(quantity * 0.3)), quantity)
    profit = np.where(is_return, -np.abs(profit) * 0.3, profit).round(2)

    due = dates + pd.to_timedelta(credit_days[cust_idx], unit="D")
    delay = np.where(late_payer[cust_idx], rng.integers(5, 120, size=m), rng.integers(-20, 8, size=m))
    paid_at = due + pd.to_timedelta(delay, unit="D")
    unpaid = (paid_at > as_of) | (rng.random(m) < np.where(late_payer[cust_idx], 0.10, 0.01))
    partial = ~unpaid & (rng.random(m) < 0.05)
    paid_amount = np.where(unpaid | is_return, np.nan, np.where(partial, np.round(amount * 0.6, 2), amount))
    paid_date = pd.Series(paid_at).where(~(unpaid | is_return))
    due_series = pd.Series(due).where(rng.random(m) < 0.7)  # 30 % leave the due date blank

    ids = customers["customer_id"].to_numpy()[cust_idx]
    month_key = pd.Series(dates).dt.strftime("%Y%m").to_numpy()
    seq = pd.Series(np.ones(m, dtype=int)).groupby(month_key).cumsum().to_numpy()
    sale_no = np.char.add(np.char.add("XS", month_key.astype(str)), np.char.zfill(seq.astype(str), 4))
    contract = np.char.add("HT-", np.char.zfill((np.arange(m) // 4 + 1).astype(str), 5))
    cust_region = customers["region"].to_numpy()[cust_idx]
    ledger = pd.DataFrame(
        {
            "customer_id": ids,
            "customer_name": customers["company"].to_numpy()[cust_idx],
            "sale_no": sale_no,
            "contract_no": contract,
            "quantity": quantity,
            "date": pd.DatetimeIndex(dates).normalize(),
            "amount": amount,
            "profit": profit,
            "paid_amount": paid_amount,
            "paid_date": pd.to_datetime(paid_date).dt.normalize(),
            "due_date": pd.to_datetime(due_series).dt.normalize(),
            "product": np.array([p for p, _ in PRODUCTS])[product],
            "channel_name": np.array(CHANNELS)[rng.integers(len(CHANNELS), size=m)],
            "region": cust_region,
        }
    )
    return ledger.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)


# A round million: one Excel sheet holds 1,048,576 rows, the ledger's head and header included.
MAX_LEDGER_LINES = 1_000_000


def _fit_one_sheet(ledger: pd.DataFrame) -> pd.DataFrame:
    """The newest whole months of ``ledger`` that fit :data:`MAX_LEDGER_LINES` (a company of
    100,000 customers orders about 1.6 M lines in 24 months: it gets its last 15); a smaller
    ledger as it is. Drawn after every draw, so the other frames stay as they were."""
    if len(ledger) <= MAX_LEDGER_LINES:
        return ledger
    month = ledger["date"].dt.to_period("M")
    from_newest = month.value_counts().sort_index(ascending=False).cumsum()
    kept = from_newest.index[from_newest <= MAX_LEDGER_LINES]
    return ledger[month.isin(kept)].reset_index(drop=True)


def _grades(customers: pd.DataFrame, ledger: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """customer_id -> the grade the workbook shows as of ``as_of`` under the default rules
    (threshold ABC over the evaluation window, then the manual grades), in the customers' order."""
    fig = figures.of_ledger(frames.prepare_ledger(ledger), RuleBook(), as_of, figures.NEEDS["threshold"], frame_sql)
    computed = grade("threshold", figures=fig, customers=customers, as_of=as_of)
    graded, _ = apply_overrides(computed, customers.set_index("customer_id"))
    return graded.grades.reindex(customers["customer_id"])  # in the customers' order


def _salesforce(rng: np.random.Generator, grades: pd.Series) -> np.ndarray:
    """A salesperson for every customer, the team sized by the staffing policy (docs/rules.md
    §3.8.2, seed 003: A 1 : 1, B 1 : 2, C 1 : 3-5): key-account managers with one A customer,
    reps with two B customers or three to five C customers; about one person in seven carries
    more than the policy allows, so the summary's staffing check shows both."""
    st = RuleBook().staffing
    labels = RuleBook().abc.labels
    classes = grades.where(grades.isin(labels), labels[-1]).to_numpy()
    groups: list[list[int]] = []
    for cls, per_rep in zip(labels, (st.a_per_rep, st.b_per_rep, st.c_per_rep_max)):
        members = rng.permutation(np.flatnonzero(classes == cls))
        i = 0
        while i < len(members):
            size = int(per_rep) if cls != labels[-1] else int(rng.integers(int(st.c_per_rep_min), int(per_rep) + 1))
            if rng.random() < 0.14:  # overloaded: one customer more than the policy allows
                size += 1
            groups.append(list(members[i : i + size]))
            i += size
    names = np.empty(len(grades), dtype=object)
    for name, group in zip(_rep_names(rng, len(groups)), groups):
        names[group] = name
    return names


def _rep_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct salesperson names: surname + given name, then with a second given
    character, then numbered (a salesforce of thousands)."""
    singles = [g for g in GIVEN if len(g) == 1]
    pool = [s + g for s in SURNAMES for g in GIVEN]
    if n > len(pool):
        pool += [s + a + b for s in SURNAMES for a in singles for b in singles if a != b]
    pool = [pool[i] for i in rng.permutation(len(pool))]
    return [pool[i % len(pool)] + (str(i // len(pool) + 1) if i >= len(pool) else "") for i in range(n)]


def _complaints(
    rng: np.random.Generator, customers: pd.DataFrame, as_of: pd.Timestamp, grades: pd.Series
) -> pd.DataFrame:
    """Complaints over the last 180 days: most replied within the grade's deadline, about one
    in six replied after it (超期回复), one in ten never replied (已超期), and the ones logged
    on the last day still open (处理中)."""
    n = max(10, len(customers) // 5)
    who = rng.integers(len(customers), size=n)
    minutes = rng.integers(0, 180 * 24 * 60, size=n)
    minutes[: max(2, n // 30)] = rng.integers(0, 18 * 60, size=max(2, n // 30))  # logged on the last day
    times = (as_of + pd.Timedelta(hours=18) - pd.to_timedelta(minutes, unit="min")).floor("min")
    ids = customers["customer_id"].to_numpy()[who]
    rules = RuleBook()
    days = np.array([rules.deadline_days(g) for g in pd.Series(ids).map(grades).fillna("")], dtype=float)
    late = rng.random(n) < 0.17
    share = np.where(late, rng.uniform(1.1, 2.5, size=n), rng.uniform(0.02, 0.9, size=n))
    reply_after = pd.to_timedelta(np.round(days * share * 24 * 60), unit="min")
    replied = rng.random(n) < 0.9
    reply = pd.Series(times + reply_after).where(replied & (times + reply_after <= as_of))
    df = pd.DataFrame(
        {
            "customer_id": ids,
            "customer_name": customers["company"].to_numpy()[who],
            "complaint_time": times,
            "reply_time": pd.to_datetime(reply),
            "subject": np.array(SUBJECTS)[rng.integers(len(SUBJECTS), size=n)],
            "handler": np.array(HANDLERS)[rng.integers(len(HANDLERS), size=n)],
            "complainant": customers["contact"].to_numpy()[who],
            "replier": np.where(reply.notna(), np.array(HANDLERS)[rng.integers(len(HANDLERS), size=n)], None),
        }
    )
    df = df.sort_values("complaint_time", kind="stable").reset_index(drop=True)
    df.insert(0, "complaint_no", [f"TS{i + 1:04d}" for i in range(n)])
    return df


# ---- record-card profiles (附表四) ---------------------------------------------------------
FEMALE_GIVEN = {"芳", "娜", "敏", "静", "丽", "艳", "娟", "秀英"}
POSTCODES = {
    "杭州": "310000",
    "宁波": "315000",
    "苏州": "215000",
    "南京": "210000",
    "上海": "200000",
    "广州": "510000",
    "深圳": "518000",
    "东莞": "523000",
    "佛山": "528000",
    "成都": "610000",
    "重庆": "400000",
    "武汉": "430000",
    "长沙": "410000",
    "郑州": "450000",
    "济南": "250000",
    "青岛": "266000",
    "合肥": "230000",
    "福州": "350000",
    "厦门": "361000",
    "西安": "710000",
    "天津": "300000",
    "沈阳": "110000",
    "昆明": "650000",
    "南昌": "330000",
}
AREA_CODES = {
    "杭州": "0571",
    "宁波": "0574",
    "苏州": "0512",
    "南京": "025",
    "上海": "021",
    "广州": "020",
    "深圳": "0755",
    "东莞": "0769",
    "佛山": "0757",
    "成都": "028",
    "重庆": "023",
    "武汉": "027",
    "长沙": "0731",
    "郑州": "0371",
    "济南": "0531",
    "青岛": "0532",
    "合肥": "0551",
    "福州": "0591",
    "厦门": "0592",
    "西安": "029",
    "天津": "022",
    "沈阳": "024",
    "昆明": "0871",
    "南昌": "0791",
}
PINYIN = {
    "王": "wang",
    "李": "li",
    "张": "zhang",
    "刘": "liu",
    "陈": "chen",
    "杨": "yang",
    "黄": "huang",
    "赵": "zhao",
    "周": "zhou",
    "吴": "wu",
    "徐": "xu",
    "孙": "sun",
    "马": "ma",
    "朱": "zhu",
    "胡": "hu",
    "郭": "guo",
    "何": "he",
    "林": "lin",
    "罗": "luo",
    "高": "gao",
    "伟": "wei",
    "芳": "fang",
    "娜": "na",
    "敏": "min",
    "静": "jing",
    "丽": "li",
    "强": "qiang",
    "磊": "lei",
    "军": "jun",
    "洋": "yang",
    "勇": "yong",
    "艳": "yan",
    "杰": "jie",
    "娟": "juan",
    "涛": "tao",
    "明": "ming",
    "超": "chao",
    "秀英": "xiuying",
    "恒达": "hengda",
    "华信": "huaxin",
    "鑫源": "xinyuan",
    "永泰": "yongtai",
    "联创": "lianchuang",
    "宏图": "hongtu",
    "金鼎": "jinding",
    "瑞丰": "ruifeng",
    "天成": "tiancheng",
    "盛世": "shengshi",
    "宝利": "baoli",
    "康华": "kanghua",
    "新锐": "xinrui",
    "顺发": "shunfa",
    "佳美": "jiamei",
    "远航": "yuanhang",
    "中诚": "zhongcheng",
    "博雅": "boya",
    "安泰": "antai",
    "汇通": "huitong",
    "嘉禾": "jiahe",
    "东升": "dongsheng",
    "明阳": "mingyang",
    "九州": "jiuzhou",
    "百川": "baichuan",
    "同创": "tongchuang",
    "兴业": "xingye",
    "凯旋": "kaixuan",
    "润泽": "runze",
    "华夏": "huaxia",
}
SCOPES = {
    "医药": "中成药、化学药制剂、生物制品批发;医疗器械销售",
    "电子": "电子元器件、电池及充电设备的研发、生产与销售",
    "机械": "通用机械设备制造、销售及维修",
    "化工": "化工原料及产品(不含危险品)销售",
    "食品": "预包装食品批发与零售",
    "建材": "建筑材料、装饰材料销售",
    "纺织": "纺织品、服装及辅料生产与销售",
    "物流": "普通货运、仓储服务、供应链管理",
    "零售": "日用百货、家用电器、数码产品零售",
    "汽车配件": "汽车零部件及配件批发、零售",
}
LEADER_TITLES = ("董事长", "总经理", "执行董事", "董事长兼总经理", "总裁")
MANAGER_TITLES = ("副总经理", "采购经理", "财务总监", "销售总监", "运营经理", "技术总监")
NATURES = DEFAULT_LISTS["natures"][0]
SCALES = ("大型", "中型", "小型", "微型")
SALES_STATUS = ("稳定增长", "基本持平", "旺季增长明显", "略有下滑", "新品带动增长", "受竞争影响下滑")
POLICIES = ("年度返利 2%", "季度返点 1.5%", "现款现货", "区域独家代理", "新品首批 9 折", "无特殊政策")
PRICES = ("合同价", "市场价 95 折", "年度框架协议价", "按季度调价", "阶梯价")
TECH = ("符合 GB/T 18287-2013", "需出厂检验报告", "批次可追溯", "UN38.3 运输认证", "3C 认证", "无特殊要求")
PAYMENT = ("月结 30 天", "月结 45 天", "月结 60 天", "款到发货", "银行承兑汇票", "货到付款")
EDUCATIONS = DEFAULT_LISTS["educations"][0]
NATIVE = (
    "浙江杭州",
    "江苏南京",
    "广东梅州",
    "湖南长沙",
    "四川成都",
    "山东青岛",
    "安徽合肥",
    "福建泉州",
    "河南洛阳",
    "湖北武汉",
    "江西赣州",
    "河北保定",
)
CHARACTERS = ("稳重", "开朗", "直爽", "谨慎", "外向", "细致", "果断", "温和", "健谈")
DEPARTMENTS = {
    "总经理": "总经办",
    "副总经理": "总经办",
    "采购经理": "采购部",
    "采购主管": "采购部",
    "财务经理": "财务部",
    "店长": "门店",
}
# 职业 and a base 年均收入 (yuan) by the contact's title; income grows 8,000 a year of age over 26
OCCUPATIONS = {
    "总经理": ("企业管理", 360_000),
    "副总经理": ("企业管理", 280_000),
    "采购经理": ("采购管理", 180_000),
    "采购主管": ("采购", 120_000),
    "财务经理": ("财务管理", 170_000),
    "店长": ("零售经营", 110_000),
}
ESTATES = ("阳光花园", "锦绣家园", "翠湖苑", "金色家园", "滨江花园", "紫荆公寓", "和谐小区", "世纪新城")
HOBBIES = ("高尔夫", "钓鱼", "羽毛球", "摄影", "品茶", "书法", "旅游", "登山", "围棋", "乒乓球")
RELATIONS = (
    "本人即决策人",
    "决策层直接下属",
    "采购负责人,参与决策",
    "与总经理为亲属",
    "财务把关,影响付款",
    "技术评估,影响选型",
)


def _rival(pool: list[str], i: int, name: str) -> str:
    """The ``i``-th name of ``pool``, or the next one when that is the customer itself."""
    return pool[i] if pool[i] != name else pool[(i + 1) % len(pool)]


def _pick(rng: np.random.Generator, options):
    return options[rng.integers(len(options))]


def _gender(name: str) -> str:
    return "女" if name[1:] in FEMALE_GIVEN else "男"


def _email(name: str, company_word: str) -> str:
    return f"{PINYIN[name[0]]}{PINYIN[name[1:]]}@{PINYIN[company_word]}.com.cn"


def _profiles(rng: np.random.Generator, customers: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One record-card profile per customer, consistent with its summary row (city, contact)."""
    rows = []
    companies = customers["company"].tolist()
    # each industry's companies once (not a scan of every name per customer: 100,000 customers)
    peers = {suffix: [c for c in companies if suffix in c] for suffix in set(SUFFIX.values())}
    for cust in customers.itertuples(index=False):
        city = cust.address[:2]
        word = cust.company[2:4]
        pool = peers[SUFFIX[cust.industry]]
        pool = pool if len(pool) > 1 else companies
        leader = _person(rng)
        managers = "、".join(f"{_pick(rng, MANAGER_TITLES)} {_person(rng)}" for _ in range(rng.integers(1, 4)))
        rivals = sorted({_rival(pool, i, cust.company)[:6] for i in rng.integers(len(pool), size=2)})
        age = int(rng.integers(26, 60))
        contact = cust.contact
        rows.append(
            {
                "customer_id": cust.customer_id,
                "decision_maker": leader,
                "decision_maker_gender": _gender(leader),
                "decision_maker_title": _pick(rng, LEADER_TITLES),
                "managers": managers,
                "business_scope": SCOPES[cust.industry],
                "competitors": "、".join(rivals),
                "suppliers": f"本公司、{_pick(rng, CITIES)}{_pick(rng, WORDS)}{SUFFIX['电子']}",
                "sales_status": _pick(rng, SALES_STATUS),
                "nature": NATURES[rng.choice(len(NATURES), p=[0.12, 0.6, 0.1, 0.1, 0.08])],
                "scale": _pick(rng, SCALES),
                "policy": _pick(rng, POLICIES),
                "price": _pick(rng, PRICES),
                "usage": f"每月约 {int(rng.integers(1, 60)) * 10} 件",
                "purchase_volume": f"每季度约 {int(rng.integers(1, 60)) * 30} 件",
                "tech_requirements": _pick(rng, TECH),
                "payment_terms": _pick(rng, PAYMENT),
                "person_in_charge": _person(rng),
                "our_share": round(float(rng.uniform(0.1, 0.9)), 2),
                "person_name": contact,
                "occupation": OCCUPATIONS.get(cust.title, ("企业职员", 90_000))[0],
                "annual_income": float(OCCUPATIONS.get(cust.title, ("企业职员", 90_000))[1] + 8_000 * (age - 26)),
                "gender": _gender(contact),
                "age": age,
                "education": _pick(rng, EDUCATIONS),
                "birth_month": f"{as_of.year - age}年{int(rng.integers(1, 13))}月",
                "native_place": _pick(rng, NATIVE),
                "character": _pick(rng, CHARACTERS),
                "department_title": f"{DEPARTMENTS.get(cust.title, '采购部')} {cust.title}",
                "person_phone": f"1{rng.integers(3, 9)}{rng.integers(0, 10)}-{rng.integers(1000, 9999)}-{rng.integers(1000, 9999)}",
                "postcode": POSTCODES[city],
                "fax": f"{AREA_CODES[city]}-{rng.integers(8_000_000, 89_999_999)}",
                "email": _email(contact, word),
                "home_address": f"{city}市{_pick(rng, ESTATES)}{rng.integers(1, 30)}幢{rng.integers(1, 25)}0{rng.integers(1, 5)}室",
                "hobbies": "、".join(sorted({_pick(rng, HOBBIES) for _ in range(rng.integers(1, 3))})),
                "relation": _pick(rng, RELATIONS),
            }
        )
    return pd.DataFrame(rows)
