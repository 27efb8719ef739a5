-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table') }}
-- The 支出功能分类 code list plus any code a report prints that the list lacks
-- (in_code_list = false; the audit reports those as code_quality findings).
with listed as (
    select
        subject_code,
        subject_level,
        subject_name,
        source as row_source,
        true as in_code_list
    from {{ ref('function_subjects') }}
),

seen as (
    select
        subject_code,
        any_value(subject_level) as subject_level,
        min(row_name) as subject_name,
        'report' as row_source,
        false as in_code_list
    from {{ ref('int_subject_rows_ranked') }}
    where subject_code not in (select l.subject_code from listed as l)
    group by subject_code
),

codes as (
    select * from listed
    union all
    select * from seen
)

select
    c.subject_code,
    c.subject_level,
    c.subject_name,
    left(c.subject_code, 3) as class_code,
    cls.subject_name as class_name,
    case when length(c.subject_code) >= 5 then left(c.subject_code, 5) end as section_code,
    sec.subject_name as section_name,
    c.in_code_list,
    c.row_source as code_source
from codes as c
left join codes as cls on left(c.subject_code, 3) = cls.subject_code
left join codes as sec on length(c.subject_code) >= 5 and left(c.subject_code, 5) = sec.subject_code
