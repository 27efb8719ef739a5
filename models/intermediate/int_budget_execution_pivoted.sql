-- Budget execution as the 情况说明 narrates it: 年初预算, 支出决算, 完成年初预算的 C% and the
-- wording 决算数大于/小于/持平年初预算数, pivoted to one row per document × subject
-- (subject_code NULL = the whole 一般公共预算财政拨款支出). A subject narrated twice keeps the
-- figures it was first narrated with; every fact stays in marts.fct_narrative_fact.
with facts as (
    select * replace (nullif(trim(replace(replace(qualifier, 'overall; ', ''), 'overall', '')), '') as qualifier)
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where metric in ('budget', 'final', 'stated_rate', 'direction')
)

select
    document_id,
    coalesce(subject_code, 'overall') as execution_key,
    subject_code,
    any_value(subject_level) as subject_level,
    arg_min(subject_name, fact_seq) as subject_name,
    {{ first_of('fact_value', "metric = 'budget'") }} as budget_value,
    {{ first_of('value_decimals', "metric = 'budget'") }} as budget_decimals,
    {{ first_of('fact_value', "metric = 'final'") }} as final_value,
    {{ first_of('value_decimals', "metric = 'final'") }} as final_decimals,
    {{ first_of('fact_value', "metric = 'stated_rate'") }} as stated_rate_value,
    {{ first_of('value_decimals', "metric = 'stated_rate'") }} as stated_rate_decimals,
    cast({{ first_of('fact_value', "metric = 'direction'") }} as integer) as stated_direction_sign,
    {{ first_of('qualifier', "metric = 'direction'") }} as direction_wording,
    string_agg(distinct qualifier, '; ' order by qualifier) filter (where metric in ('budget', 'final')) as amount_note,
    min(source_line) as source_line,
    {{ first_of('source_line', "metric = 'stated_rate'") }} as rate_source_line,
    {{ first_of('source_line', "metric = 'direction'") }} as direction_source_line,
    arg_min(span, fact_seq) as span,
    count(*) filter (where metric = 'budget') as times_narrated
from facts
group by document_id, subject_code
