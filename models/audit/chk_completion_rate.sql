-- Completion rates (完成率, DESIGN §4): one row per stated rate — per subject (CR01), the whole
-- 一般公共预算 (CR02), 三公 items (CR03), project 执行率 (CR04), the 整体绩效自评's whole budget
-- and project total (CR07) — plus every line with 年初预算 = 0 (CR05: it must not state a
-- rate). A stated rate whose 年初预算 or 决算 is missing cannot be recomputed and is recorded as
-- such (CR06, completeness). expected = the stated rate, actual = the rate recomputed from the
-- printed amounts; rate_status and row_severity come from macros/completion_rate.sql.
with overall_facts as (
    select
        document_id,
        fact_seq,
        metric,
        fact_value,
        value_decimals,
        source_line,
        case when metric like 'unit_overall_project_%' then 'projects' else 'overall' end as kind,
        -- 本级 (the unit itself) or 部门; a unit note (元 read as 万元) may follow after ';'
        trim(split_part(qualifier, ';', 1)) as scope_word
    from {{ scoped_ref('stg_reports__narrative_facts') }}
    where metric in (
        'unit_overall_budget', 'unit_overall_final', 'unit_overall_rate',
        'unit_overall_project_budget', 'unit_overall_project_actual', 'unit_overall_project_rate'
    )
),

-- one row per document × kind × scope; a figure narrated twice keeps its first mention
overall as (
    select
        document_id,
        kind,
        scope_word,
        cast(
            arg_min(fact_value, fact_seq) filter (where metric in ('unit_overall_budget', 'unit_overall_project_budget'))
            as decimal(18, 2)
        ) as budget_wan,
        cast(
            arg_min(fact_value, fact_seq) filter (where metric in ('unit_overall_final', 'unit_overall_project_actual'))
            as decimal(18, 2)
        ) as final_wan,
        arg_min(fact_value, fact_seq) filter (where metric in ('unit_overall_rate', 'unit_overall_project_rate'))
            as stated_rate_value,
        arg_min(value_decimals, fact_seq) filter (where metric in ('unit_overall_rate', 'unit_overall_project_rate'))
            as stated_rate_decimals,
        min(source_line) as source_line,
        arg_min(source_line, fact_seq) filter (where metric in ('unit_overall_rate', 'unit_overall_project_rate'))
            as rate_source_line
    from overall_facts
    group by document_id, kind, scope_word
),

rates as (
    select
        document_id,
        case when subject_code is null then 'CR02' else 'CR01' end as scope_rule,
        'budget_execution' as table_key,
        subject_code,
        'stated_rate' as column_key,
        case
            when subject_code is null then '一般公共预算财政拨款支出'
            else concat(subject_name, '（', subject_code, '）')
        end as scope_label,
        '年初预算' as budget_word,
        '决算' as final_word,
        budget_wan,
        final_wan,
        cast(stated_rate_pct as decimal(18, 4)) as stated_rate,
        stated_rate_decimals,
        rate_status,
        coalesce(rate_source_line, source_line) as source_line
    from {{ scoped_ref('fct_budget_execution') }}
    union all
    select
        document_id,
        'CR03' as scope_rule,
        'three_public' as table_key,
        null as subject_code,
        item as column_key,
        item_zh as scope_label,
        '全年预算' as budget_word,
        '决算' as final_word,
        budget_wan,
        final_wan,
        cast(stated_rate_pct as decimal(18, 4)) as stated_rate,
        stated_rate_decimals,
        rate_status,
        coalesce(rate_source_line, source_line) as source_line
    from {{ scoped_ref('fct_three_public') }}
    union all
    select
        document_id,
        'CR04' as scope_rule,
        'project_performance' as table_key,
        null as subject_code,
        concat(project_seq, ':', project_name) as column_key,
        concat('项目“', project_name, '”') as scope_label,
        '预算数' as budget_word,
        '执行数' as final_word,
        budget_wan,
        actual_wan as final_wan,
        cast(stated_rate_pct as decimal(18, 4)) as stated_rate,
        stated_rate_decimals,
        rate_status,
        coalesce(rate_source_line, source_line) as source_line
    from {{ scoped_ref('fct_project_performance') }}
    union all
    select
        document_id,
        'CR07' as scope_rule,
        'unit_overall' as table_key,
        null as subject_code,
        concat(kind, ':', scope_word) as column_key,
        concat(
            case scope_word when '本级' then '单位（本级）' else '部门' end,
            case kind when 'overall' then '整体预算' else '整体项目' end
        ) as scope_label,
        case kind when 'overall' then '预算' else '项目预算资金' end as budget_word,
        case kind when 'overall' then '决算支出' else '项目实际支出' end as final_word,
        budget_wan,
        final_wan,
        cast(stated_rate_value as decimal(18, 4)) as stated_rate,
        stated_rate_decimals,
        {{ rate_status('budget_wan', 'final_wan', 'stated_rate_value', 'stated_rate_decimals') }} as rate_status,
        coalesce(rate_source_line, source_line) as source_line
    from overall
),

checked as (
    select
        *,
        case
            when budget_wan = 0 then 'CR05'
            when rate_status = 'not_evaluable' then 'CR06'
            else scope_rule
        end as rule_id,
        {{ rate_recomputed('budget_wan', 'final_wan') }} as rate_point,
        {{ rate_low('budget_wan', 'final_wan') }} as rate_lo,
        {{ rate_high('budget_wan', 'final_wan') }} as rate_hi,
        {{ rate_stated_low('stated_rate', 'stated_rate_decimals') }} as stated_lo,
        {{ rate_stated_high('stated_rate', 'stated_rate_decimals') }} as stated_hi,
        {{ rate_gap('budget_wan', 'final_wan', 'stated_rate', 'stated_rate_decimals') }} as rate_gap
    from rates
    where stated_rate is not null or budget_wan = 0
)

select
    document_id,
    rule_id,
    table_key,
    subject_code,
    column_key,
    source_line,
    stated_rate as expected,
    cast(round(rate_point, 4) as decimal(18, 4)) as actual,
    cast(
        round({{ rate_stated_halfunit('stated_rate_decimals') }} + greatest(rate_hi - rate_point, rate_point - rate_lo), 4)
        as decimal(18, 4)
    ) as tolerance,
    rate_status,
    {{ rate_severity('rate_status', 'rate_gap', 'final_wan', 'stated_rate') }} as row_severity,
    concat(
        scope_label, '：', budget_word, coalesce(format(' {:.2f} 万元', cast(budget_wan as double)), '未列示'), '，',
        final_word, coalesce(format(' {:.2f} 万元', cast(final_wan as double)), '未列示'),
        case
            when stated_rate is not null
                then format(
                    '，列示完成率 {:.{}f}%（按列示精度覆盖 [{:.{}f}, {:.{}f})）', cast(stated_rate as double), stated_rate_decimals,
                    stated_lo, stated_rate_decimals + 1, stated_hi, stated_rate_decimals + 1
                )
            else '，未列示完成率'
        end,
        case
            when rate_point is not null
                then format('，复核为 {:.2f}%（金额舍入允许 [{:.3f}, {:.3f}]）', rate_point, rate_lo, rate_hi)
            else ''
        end,
        '：',
        case rate_status
            when 'consistent' then '一致'
            when 'truncated' then '列示值为复核值截尾（非四舍五入）'
            when 'inconsistent' then format('不一致，超出允许区间 {:.2f} 个百分点', rate_gap)
            when 'zero_budget_with_rate' then '年初预算为 0，却列示完成率'
            when 'not_evaluable' then '缺少' || budget_word || '或' || final_word || '，无法复核完成率'
            when 'not_stated' then '年初预算为 0，未列示完成率'
        end
    ) as note
from checked
