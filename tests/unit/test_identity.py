"""Document identity comes from the content, never the file name."""

from __future__ import annotations

import pytest

from ingest.identity import read_identity, read_member_units
from ingest.records import ParseError
from tests.conftest import sample_lines


@pytest.mark.parametrize(("key", "unit", "year", "scope"), [
    ("000", "武汉市洪山区企业服务中心", 2023, "unit"),  # 本级 / 单位决算
    ("001", "武汉市硚口区企业服务中心", 2024, "department"),
    ("002", "武汉市江汉区企业服务中心", 2020, "department"),  # title wraps over two lines
    ("004", "武汉市洪山区企业服务中心", 2022, "department"),
])
def test_identity_of_samples(key, unit, year, scope):
    ident = read_identity(sample_lines(key))
    assert (ident.unit_name, ident.fiscal_year, ident.report_scope) == (unit, year, scope)
    assert (ident.city, ident.province) == ("武汉市", "湖北省")
    assert ident.district and ident.district in unit


def test_department_members_listed():
    members = read_member_units(sample_lines("004"))
    assert [m for m, _ in members] == ["武汉市洪山区企业服务中心", "武汉市洪山区驻武钢地区综合服务管理办公室"]


def test_not_a_report():
    with pytest.raises(ParseError, match="no report title"):
        read_identity(["hello", "this is a shopping list", "milk 2.50"])
