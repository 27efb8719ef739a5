-- 完成率与金额不符 (stated rates that the printed amounts do not allow), current reports only:
-- the 一般公共预算 and its subjects (fct_budget_execution), 三公 items (fct_three_public),
-- project 执行率 (fct_project_performance), and the 整体绩效自评's whole budget and project total,
-- recomputed here from fct_narrative_fact with the policy's tolerance (DESIGN §4): each amount
-- ±0.005 万元, the stated rate ± half a unit of its printed precision. `truncated` is a rate cut
-- instead of rounded; `zero_budget_with_rate` states a rate for a 年初预算 of 0.
with overall_facts as (
    select
        document_id,
        fact_seq,
        metric,
        fact_value,
        value_decimals,
        source_line,
        trim(split_part(qualifier, ';', 1)) as scope_word,
        case when metric like 'unit_overall_project_%' then '整体项目执行率' else '整体预算完成率' end as item
    from marts.fct_narrative_fact
    where metric like 'unit_overall_%' and metric != 'unit_overall_project_count'
),

overall as (
    select
        document_id,
        concat(item, '（', scope_word, '）') as item,
        cast(arg_min(fact_value, fact_seq) filter (where metric like '%budget') as decimal(18, 2)) as budget_wan,
        cast(arg_min(fact_value, fact_seq) filter (where metric similar to '.*(final|actual)') as decimal(18, 2))
            as final_wan,
        cast(arg_min(fact_value, fact_seq) filter (where metric like '%rate') as decimal(9, 2)) as stated_rate_pct,
        arg_min(value_decimals, fact_seq) filter (where metric like '%rate') as stated_decimals,
        arg_min(source_line, fact_seq) filter (where metric like '%rate') as source_line
    from overall_facts
    group by all
),

overall_checked as (
    select
        *,
        cast(round(100 * final_wan / nullif(budget_wan, 0), 2) as decimal(9, 2)) as recomputed_rate_pct,
        case
            when budget_wan = 0 then 'zero_budget_with_rate'
            -- the intervals the printed rate and the printed amounts allow do not meet
            when stated_rate_pct + 0.5 / 10 ** stated_decimals <= 100 * (final_wan - 0.005) / (budget_wan + 0.005)
                or stated_rate_pct - 0.5 / 10 ** stated_decimals > 100 * (final_wan + 0.005) / (budget_wan - 0.005)
                then 'inconsistent'
            else 'consistent'
        end as rate_status
    from overall
    where stated_rate_pct is not null and budget_wan is not null and final_wan is not null
),

rates as (
    select
        document_id,
        '预算执行' as source,
        case when subject_code is null then '一般公共预算财政拨款支出（整体）'
            else concat(subject_code, ' ', subject_name) end as item,
        budget_wan,
        final_wan,
        stated_rate_pct,
        recomputed_rate_pct,
        rate_status,
        rate_source_line as source_line
    from marts.fct_budget_execution
    union all
    select
        document_id,
        '三公经费',
        item_zh,
        budget_wan,
        final_wan,
        stated_rate_pct,
        recomputed_rate_pct,
        rate_status,
        rate_source_line
    from marts.fct_three_public
    union all
    select
        document_id,
        '项目绩效',
        project_name,
        budget_wan,
        actual_wan,
        stated_rate_pct,
        recomputed_rate_pct,
        rate_status,
        rate_source_line
    from marts.fct_project_performance
    union all
    select
        document_id,
        '整体绩效',
        item,
        budget_wan,
        final_wan,
        stated_rate_pct,
        recomputed_rate_pct,
        rate_status,
        source_line
    from overall_checked
)

select
    d.unit_name,
    d.fiscal_year,
    r.source,
    r.item,
    r.budget_wan,
    r.final_wan,
    r.stated_rate_pct,
    r.recomputed_rate_pct,
    cast(r.stated_rate_pct - r.recomputed_rate_pct as decimal(9, 2)) as gap_pct,
    r.rate_status,
    r.source_line
from rates as r
inner join marts.dim_document as d on r.document_id = d.document_id
where d.is_current and r.rate_status not in ('consistent', 'not_stated', 'not_evaluable')
order by abs(r.stated_rate_pct - r.recomputed_rate_pct) desc nulls last, d.unit_name, d.fiscal_year, r.source_line
