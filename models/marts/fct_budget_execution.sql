-- 一般公共预算财政拨款支出 budget execution per subject (and for the whole budget), with the
-- completion rate recomputed from the printed amounts and judged by the DESIGN §4 interval
-- policy (macros/completion_rate.sql).
with pivoted as (
    select
        *,
        cast(budget_value as decimal(18, 2)) as budget_wan,
        cast(final_value as decimal(18, 2)) as final_wan
    from {{ scoped_ref('int_budget_execution_pivoted') }}
)

select
    document_id,
    execution_key,
    subject_code,
    subject_level,
    subject_name,
    budget_wan,
    final_wan,
    cast(stated_rate_value as decimal(9, 2)) as stated_rate_pct,
    stated_rate_decimals,
    {{ rate_pct(rate_recomputed('budget_wan', 'final_wan')) }} as recomputed_rate_pct,
    {{ rate_pct(rate_gap('budget_wan', 'final_wan', 'stated_rate_value', 'stated_rate_decimals')) }} as rate_gap_pct,
    {{ rate_status('budget_wan', 'final_wan', 'stated_rate_value', 'stated_rate_decimals') }} as rate_status,
    case stated_direction_sign when 1 then 'more' when -1 then 'less' when 0 then 'equal' end as stated_direction,
    direction_wording,
    amount_note,
    source_line,
    rate_source_line,
    direction_source_line,
    span
from pivoted
