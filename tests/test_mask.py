"""The masking functions of a shared copy (xlgrade.mask) and the columns that declare them."""

from __future__ import annotations

import math

import pytest

from xlgrade import mask
from xlgrade.mask import Secrets, mask_address, mask_email, mask_hidden, mask_id, mask_name, mask_phone
from xlgrade.schema.model import Column, Sheet
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, HISTORY, PROFILES, SHEETS


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳锋", "欧阳*"),
        ("欧阳娜娜", "欧阳**"),
        ("司马相如", "司马**"),
        ("欧阳", "欧*"),  # only a compound surname: its first character is the surname
        ("张", "*"),
        ("John Smith", "J*** S***"),
        ("王伟、李娜", "王*、李*"),
        ("王伟 李娜", "王* 李*"),
        ("  李娜 ", "李*"),
    ],
)
def test_names_keep_the_surname(value, shown):
    assert mask_name(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("8613812345678", "+86 138****5678"),
        (13812345678.0, "138****5678"),  # typed as a number
        (13812345678, "138****5678"),
        ("010-12345678", "010-****5678"),
        ("(010)12345678", "010-****5678"),
        ("0755-8888 6666", "0755-****6666"),
        ("0571-88886666", "0571-****6666"),
        ("021-12345678-123", "021-****5678"),  # the extension is dropped
        ("010-1234-5678", "010-****5678"),  # groups of four are not an extension
        ("87654321", "****4321"),  # no area code
        ("手机 13812345678 / 座机 0571-88886666", "手机 138****5678 / 座机 0571-****6666"),
        ("12345", "*****"),
    ],
)
def test_phones_keep_prefix_and_last_four(value, shown):
    assert mask_phone(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("abc@x.com", "a***@x.com"),
        ("zhang.san@example.com.cn", "z***@example.com.cn"),
        ("not an address", "***"),
    ],
)
def test_emails(value, shown):
    assert mask_email(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("广东省深圳市南山区科技园路1号", "广东省深圳市南山区***"),
        ("北京市海淀区中关村大街1号", "北京市海淀区***"),
        ("杭州市人民路123号", "杭州市***"),  # no district: cut after the city
        ("浙江省杭州市西湖区", "浙江省杭州市西湖区"),  # nothing below the district to hide
        ("人民路123号", "***"),
        ("12 Park Road, Haidian District, Beijing 100080", "***, Haidian District, Beijing"),
        ("12 Park Road", "***"),
    ],
)
def test_addresses_are_cut_to_the_district(value, shown):
    assert mask_address(value) == shown


def test_ids_and_hidden_fields():
    assert mask_id("110101199003071234") == "110101********1234"
    assert mask_id("ABC12345") == "AB****45"
    assert mask_id("518057") == "5*****"
    assert mask_hidden("高尔夫") == mask_hidden(35) == mask_hidden(35.0) == "***"


@pytest.mark.parametrize("kind", mask.KINDS)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_blanks_stay_blank(kind, value):
    assert mask.mask(kind, value) == value


@pytest.mark.parametrize("kind", mask.KINDS)
def test_nan_stays_blank_and_no_original_survives(kind):
    assert math.isnan(mask.mask(kind, float("nan")))
    for value in ("王小明", "13812345678", "wang@x.com", "杭州市人民路123号", "110101199003071234", 35):
        assert str(mask.mask(kind, value)) != str(value)


def test_secrets_find_whole_words_and_skip_what_is_not_identifying():
    s = Secrets()
    for kind, value in (
        (mask.NAME, "王伟"),
        (mask.NAME, "王伟伟"),
        (mask.NAME, "Li"),
        (mask.PHONE, "13812345678"),
        (mask.HIDDEN, "男"),  # an ordinary word as well
        (mask.ID, "518057"),  # a postcode: the same digits are amounts
        (mask.ADDRESS, "浙江省杭州市西湖区"),  # nothing hidden
        (mask.NAME, "张"),
    ):
        s.add(kind, value)
    assert sorted(s.masked) == ["13812345678", "Li", "王伟", "王伟伟"]
    text = "王伟伟与王伟; Lists Li; 13812345678 x138123456789 男 518057"
    assert s.replace(text) == "王**与王*; Lists L***; 138****5678 x138123456789 男 518057"
    assert s.find("客户 王伟伟") == ["王伟伟"]
    assert s.replace("A&amp;B 王伟", lambda t: t.replace("&", "&amp;")) == "A&amp;B 王*"


def test_the_personal_columns_are_declared_on_the_columns():
    assert {c.key for c in CUSTOMERS.personal} == {"contact", "phone", "address"}
    assert {c.key: c.mask for c in COMPLAINTS.personal} == {"complainant": mask.NAME}
    person = {"person_name", "gender", "age", "education", "birth_month", "native_place", "person_phone"}
    assert person <= {c.key for c in PROFILES.personal}
    assert PROFILES.column("email").mask == mask.EMAIL
    assert PROFILES.column("home_address").mask == mask.ADDRESS
    assert not HISTORY.personal  # History keeps grades, nothing personal
    for sheet in SHEETS.values():
        for col in sheet.personal:
            assert col.mask in mask.KINDS
    assert not CUSTOMERS.column("company").personal and not CUSTOMERS.column("customer_id").personal


def test_an_unknown_masking_kind_is_refused():
    with pytest.raises(ValueError, match="masking kind"):
        Column("x", "x", "x", mask="secret")
    assert Sheet("s", "s", "s", columns=(Column("a", "a", "a", mask="name"),)).personal[0].key == "a"
