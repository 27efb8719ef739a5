-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table') }}
with docs as (
    select * from {{ ref('stg_reports__documents') }}
),

members as (
    select
        d.unit_id,
        count(distinct m.member_name) as member_unit_count,
        string_agg(distinct m.member_name, '；' order by m.member_name) as member_units
    from {{ ref('stg_reports__document_members') }} as m
    inner join docs as d on m.document_id = d.document_id
    group by d.unit_id
)

select
    d.unit_id,
    any_value(d.unit_name) as unit_name,
    any_value(d.district) as district,
    any_value(d.city) as city,
    any_value(d.province) as province,
    bool_or(d.report_scope = 'department') as has_department_report,
    bool_or(d.report_scope = 'unit') as has_unit_report,
    coalesce(any_value(m.member_unit_count), 0) as member_unit_count,
    any_value(m.member_units) as member_units,
    min(d.fiscal_year) as first_year,
    max(d.fiscal_year) as last_year
from docs as d
left join members as m on d.unit_id = m.unit_id
group by d.unit_id
