-- Budget execution as the 情况说明 narrates it: 年初预算, 支出决算, 完成年初预算的 C% and the
-- wording 决算数大于/小于/持平年初预算数, pivoted to one row per document × subject
-- (subject_code NULL = the whole 一般公共预算财政拨款支出). A subject narrated twice keeps the
-- figures it was first narrated with; every fact stays in marts.fct_narrative_fact.
with facts as (
    select
        document_id,
        fact_seq,
        metric,
        fact_value,
        value_decimals,
        subject_name,
        subject_code,
        subject_level,
        nullif(trim(replace(replace(qualifier, 'overall; ', ''), 'overall', '')), '') as qualifier,
        source_line,
        span
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where metric in ('budget', 'final', 'stated_rate', 'direction')
)

select
    document_id,
    coalesce(subject_code, 'overall') as execution_key,
    subject_code,
    any_value(subject_level) as subject_level,
    arg_min(subject_name, fact_seq) as subject_name,
    arg_min(fact_value, fact_seq) filter (where metric = 'budget') as budget_value,
    arg_min(value_decimals, fact_seq) filter (where metric = 'budget') as budget_decimals,
    arg_min(fact_value, fact_seq) filter (where metric = 'final') as final_value,
    arg_min(value_decimals, fact_seq) filter (where metric = 'final') as final_decimals,
    arg_min(fact_value, fact_seq) filter (where metric = 'stated_rate') as stated_rate_value,
    arg_min(value_decimals, fact_seq) filter (where metric = 'stated_rate') as stated_rate_decimals,
    cast(arg_min(fact_value, fact_seq) filter (where metric = 'direction') as integer) as stated_direction_sign,
    arg_min(qualifier, fact_seq) filter (where metric = 'direction') as direction_wording,
    string_agg(distinct qualifier, '; ') filter (where metric in ('budget', 'final')) as amount_note,
    min(source_line) as source_line,
    arg_min(source_line, fact_seq) filter (where metric = 'stated_rate') as rate_source_line,
    arg_min(source_line, fact_seq) filter (where metric = 'direction') as direction_source_line,
    arg_min(span, fact_seq) as span,
    count(*) filter (where metric = 'budget') as times_narrated
from facts
group by document_id, subject_code
