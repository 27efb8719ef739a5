-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table', tags=['seeds_only']) }}
-- The rule catalog (审计规则): one row per rule, from seeds/audit_rules.csv; a rule that grades
-- each finding says how (seeds/audit_rule_grades); severity is the highest it can give.
with grades as (
    select
        rule_id,
        string_agg(
            concat(severity, '：', condition_zh), '；'
            order by case severity when 'error' then 0 when 'warning' then 1 else 2 end
        ) as grading
    from {{ ref('audit_rule_grades') }}
    group by rule_id
)

select
    r.rule_id,
    r.category,
    r.severity,
    r.title_zh,
    r.description,
    r.formula,
    r.tolerance_name,
    case r.tolerance_name
        when 'rounding_n_addends' then '0.005·(n+1) 万元, at least 0.01'
        when 'rate_interval' then 'printed amounts ±0.005, stated rate ± half a unit of its precision'
        when 'exact' then 'none'
        else r.tolerance_name
    end as tolerance,
    r.expectation,
    g.grading
from {{ ref('audit_rules') }} as r
left join grades as g on r.rule_id = g.rule_id
