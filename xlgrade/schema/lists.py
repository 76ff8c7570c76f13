"""The templates' default drop-down lists (zh, en), and which of them staff may extend.

Each key is a choice name of the lists sheet (``LISTS_SHEET``) that columns refer to with
``choices=``. The values are the demo company's; a real workbook's staff edit them, and the
demo data (:mod:`xlgrade.demo_data`) draws its customers from these same lists. ``grades``
and ``scores`` are not here: they follow the rule book (see the template's lists).
"""

from __future__ import annotations

DEFAULT_LISTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "industries": (
        ("医药", "电子", "机械", "化工", "食品", "建材", "纺织", "物流", "零售", "汽车配件"),
        (
            "Pharmaceuticals",
            "Electronics",
            "Machinery",
            "Chemicals",
            "Food",
            "Building materials",
            "Textiles",
            "Logistics",
            "Retail",
            "Auto parts",
        ),
    ),
    "customer_types": (
        ("经销商", "代理商", "终端客户", "连锁企业", "零售商"),
        ("Distributor", "Agent", "End user", "Chain", "Retailer"),
    ),
    "salespeople": (
        ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇"),
        ("Zhang Wei", "Wang Fang", "Li Na", "Liu Yang", "Chen Jing", "Yang Lei", "Zhao Min", "Huang Yong"),
    ),
    "regions": (
        ("华东", "华南", "西南", "华中", "西北", "华北", "东北"),
        ("East", "South", "Southwest", "Central", "Northwest", "North", "Northeast"),
    ),
    "channels": (("直销", "分销", "电商"), ("Direct", "Distribution", "E-commerce")),
    "handlers": (
        ("客服部 周婷", "客服部 吴刚", "质量部 孙丽", "销售部 郑浩"),
        ("Service: Zhou Ting", "Service: Wu Gang", "Quality: Sun Li", "Sales: Zheng Hao"),
    ),
    "genders": (("男", "女"), ("Male", "Female")),
    "educations": (
        ("博士", "硕士", "本科", "大专", "高中", "中专"),
        ("Doctorate", "Master's", "Bachelor's", "Associate", "High school", "Vocational school"),
    ),
    "natures": (
        ("国有", "民营", "外资", "合资", "个体"),
        ("State-owned", "Private", "Foreign-owned", "Joint venture", "Sole proprietor"),
    ),
}
# Lists a staff member may extend on the fly (a warning, not a stop, for a value not in the list).
OPEN_LISTS = {"industries", "customer_types", "regions", "channels", "handlers", "educations", "natures"}
