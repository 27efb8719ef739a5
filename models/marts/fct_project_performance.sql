-- 项目绩效自评: each project's 预算数, 执行数 and stated 执行率 (完成预算 %), one row per
-- document × project in the order the report narrates them; the rate is judged by the same
-- interval policy as the general budget (macros/completion_rate.sql).
with facts as (
    select
        *,
        -- a project name narrated twice in one report stays two projects
        row_number() over (partition by document_id, item, metric order by fact_seq) as occurrence
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where metric in ('project_budget', 'project_actual', 'project_rate') and item is not null
),

projects as (
    select
        document_id,
        item as project_name,
        occurrence,
        min(fact_seq) as first_fact,
        cast(arg_min(fact_value, fact_seq) filter (where metric = 'project_budget') as decimal(18, 2)) as budget_wan,
        cast(arg_min(fact_value, fact_seq) filter (where metric = 'project_actual') as decimal(18, 2)) as actual_wan,
        arg_min(fact_value, fact_seq) filter (where metric = 'project_rate') as stated_rate_value,
        arg_min(value_decimals, fact_seq) filter (where metric = 'project_rate') as stated_rate_decimals,
        string_agg(distinct qualifier, '; ') filter (where metric in ('project_budget', 'project_actual')) as amount_note,
        min(source_line) as source_line,
        arg_min(source_line, fact_seq) filter (where metric = 'project_rate') as rate_source_line
    from facts
    group by document_id, item, occurrence
)

select
    document_id,
    cast(row_number() over (partition by document_id order by first_fact) as integer) as project_seq,
    project_name,
    budget_wan,
    actual_wan,
    {{ rate_columns('budget_wan', 'actual_wan') }},
    amount_note,
    source_line,
    rate_source_line
from projects
