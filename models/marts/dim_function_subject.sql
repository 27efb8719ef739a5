-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table') }}
-- The 支出功能分类 code list plus any code a report prints that the list lacks; codes are
-- unique, so a 款 code names at most one section.
{% call code_dimension('function_subjects', 'int_subject_rows_ranked', 'subject') %}
    case when length(c.subject_code) >= 5 then left(c.subject_code, 5) end as section_code,
    (
        select sec.subject_name from codes as sec
        where length(c.subject_code) >= 5 and left(c.subject_code, 5) = sec.subject_code
    ) as section_name,
{% endcall %}
