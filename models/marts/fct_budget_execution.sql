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
    {{ rate_columns('budget_wan', 'final_wan', with_direction=true) }},
    amount_note,
    source_line,
    rate_source_line,
    direction_source_line,
    span
from pivoted
