"""The demo company generator (xlgrade/demo_data.py) at sizes beyond its name lists."""

from __future__ import annotations

import numpy as np

from xlgrade import demo_data


def test_more_customers_than_names_gets_numbered_branches():
    """Issue 12: `xlgrade demo --customers N` looped forever past the ~21,600 distinct names."""
    space = len(demo_data.CITIES) * len(demo_data.WORDS) * len(set(demo_data.FORMS)) * len(demo_data.INDUSTRIES)
    customers = demo_data._customers(np.random.default_rng(7), space + 500)
    names = customers["company"]
    assert names.is_unique
    branches = names[names.str.endswith("分公司)")]
    assert len(branches) >= 500
    known = set(names)
    assert all(b.split("(第")[0] in known for b in branches)  # a branch of a company that exists
