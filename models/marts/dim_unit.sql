-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table') }}
-- A unit is anyone with a report, or named in a department report's list of units (编制范围 /
-- 单位构成). department_unit_id rolls a unit up to its department so BI tools can sum units:
-- a unit with a department report is its own department; a unit listed by a department report
-- belongs to that department (the latest year's list wins); else it is its own roll-up.
with docs as (
    select * from {{ ref('stg_reports__documents') }}
),

members as (
    select
        d.unit_id as department_unit_id,
        d.fiscal_year,
        m.member_name,
        -- the same key the loader gives a unit (ingest.loader.unit_id_for)
        'u' || left(sha1(m.member_name), 10) as member_unit_id
    from {{ ref('stg_reports__document_members') }} as m
    inner join docs as d on m.document_id = d.document_id
    where d.report_scope = 'department'
),

member_lists as (
    select
        department_unit_id as unit_id,
        count(distinct member_name) as member_unit_count,
        string_agg(distinct member_name, '；' order by member_name) as member_units
    from members
    group by department_unit_id
),

membership as (
    -- the department whose latest list names the unit (a department is not its own member); of
    -- two departments listing it in one year, the first by id (arg_max would take either, and
    -- an incremental and a fresh build of one corpus differed on 49 of 5,600 synthetic units)
    select
        member_unit_id as unit_id,
        first(department_unit_id order by fiscal_year desc, department_unit_id asc) as department_unit_id,
        arg_max(member_name, fiscal_year) as member_name
    from members
    where member_unit_id <> department_unit_id
    group by member_unit_id
),

reported as (
    select
        unit_id,
        any_value(unit_name) as unit_name,
        any_value(district) as district,
        any_value(city) as city,
        any_value(province) as province,
        bool_or(report_scope = 'department') as has_department_report,
        bool_or(report_scope = 'unit') as has_unit_report,
        min(fiscal_year) as first_year,
        max(fiscal_year) as last_year
    from docs
    group by unit_id
),

listed_only as (
    -- named in a department's list but without a report of its own: a row so that roll-ups see it
    select
        s.unit_id,
        s.member_name as unit_name,
        dep.district,
        dep.city,
        dep.province,
        false as has_department_report,
        false as has_unit_report,
        cast(null as integer) as first_year,
        cast(null as integer) as last_year
    from membership as s
    inner join reported as dep on s.department_unit_id = dep.unit_id
    where s.unit_id not in (select r.unit_id from reported as r)
),

units as (
    select * from reported
    union all
    select * from listed_only
)

select
    u.unit_id,
    u.unit_name,
    u.district,
    u.city,
    u.province,
    case
        when u.has_department_report then u.unit_id
        else coalesce(s.department_unit_id, u.unit_id)
    end as department_unit_id,
    case
        when u.has_department_report then 'own_department_report'
        when s.department_unit_id is not null then 'department_member_list'
        else 'none'
    end as department_source,
    u.has_department_report,
    u.has_unit_report,
    coalesce(l.member_unit_count, 0) as member_unit_count,
    l.member_units,
    u.first_year,
    u.last_year
from units as u
left join membership as s on u.unit_id = s.unit_id
left join member_lists as l on u.unit_id = l.unit_id
