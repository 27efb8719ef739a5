-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table') }}
with listed as (
    select
        econ_code,
        econ_level,
        econ_name,
        source as row_source,
        true as in_code_list
    from {{ ref('econ_classes') }}
),

seen as (
    select
        econ_code,
        any_value(econ_level) as econ_level,
        min(row_name) as econ_name,
        'report' as row_source,
        false as in_code_list
    from {{ ref('int_econ_rows_ranked') }}
    where econ_code not in (select l.econ_code from listed as l)
    group by econ_code
),

codes as (
    select * from listed
    union all
    select * from seen
)

select
    c.econ_code,
    c.econ_level,
    c.econ_name,
    left(c.econ_code, 3) as class_code,
    cls.econ_name as class_name,
    case when left(c.econ_code, 3) in ('301', '303') then 'personnel' else 'public' end as cost_group,
    c.in_code_list,
    c.row_source as code_source
from codes as c
left join codes as cls on left(c.econ_code, 3) = cls.econ_code
