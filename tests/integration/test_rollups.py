"""dim_unit.department_unit_id: units roll up to their department (issue 15 item 6).

洪山 2022 is a department report (部门决算) listing two units (编制范围): 武汉市洪山区企业服务中心
(本级) and 武汉市洪山区驻武钢地区综合服务管理办公室; 洪山 2023 is the 本级 unit report of the first.
"""

from __future__ import annotations

HONGSHAN = "武汉市洪山区企业服务中心"
WUGANG = "武汉市洪山区驻武钢地区综合服务管理办公室"


def _units(wh) -> dict[str, tuple]:
    rows = wh.execute("select unit_name, unit_id, department_unit_id, department_source, has_department_report, "
                      "has_unit_report from marts.dim_unit").fetchall()
    return {r[0]: r[1:] for r in rows}


def test_department_and_its_own_unit_report_share_the_roll_up(wh) -> None:
    units = _units(wh)
    unit_id, department, source, has_dept, has_unit = units[HONGSHAN]
    assert (department, source, has_dept, has_unit) == (unit_id, "own_department_report", True, True)
    docs = wh.execute("select fiscal_year, report_scope, u.department_unit_id from marts.dim_document d "
                      "join marts.dim_unit u using (unit_id) where d.unit_name = ? order by 1", [HONGSHAN]).fetchall()
    assert docs == [(2022, "department", unit_id), (2023, "unit", unit_id)]


def test_listed_unit_without_a_report_rolls_up_to_its_department(wh) -> None:
    units = _units(wh)
    assert units[WUGANG][1:] == (units[HONGSHAN][0], "department_member_list", False, False)


def test_every_unit_rolls_up_to_a_unit_of_the_dimension(wh) -> None:
    orphans = wh.execute("select count(*) from marts.dim_unit u where department_unit_id not in "
                         "(select unit_id from marts.dim_unit)").fetchone()
    assert orphans == (0,)
    # a BI roll-up: reports grouped by the department they roll up to
    per_department = dict(wh.execute("""
        select dep.unit_name, count(*) from marts.dim_document d
        join marts.dim_unit u using (unit_id) join marts.dim_unit dep on dep.unit_id = u.department_unit_id
        where d.is_current group by 1""").fetchall())
    assert per_department == {HONGSHAN: 2, "武汉市江汉区企业服务中心": 1, "武汉市硚口区企业服务中心": 1}
