-- Every budget line a report states a completion rate or a direction wording for, in one shape
-- for the completion-rate (CR) and direction-wording (DW) rules: per subject and the whole
-- 一般公共预算 (fct_budget_execution), 三公 items (fct_three_public), projects
-- (fct_project_performance) and the 整体绩效自评's whole budget and project total (narrated,
-- pivoted here). scope_rule is the CR rule of the line; column_key says which line of the table;
-- source_line is the stated rate's line, amount_line the amounts', direction_line the wording's.
with overall_facts as (
    select
        *,
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
            {{ first_of('fact_value', "metric in ('unit_overall_budget', 'unit_overall_project_budget')") }} as decimal(18, 2)
        ) as budget_wan,
        cast(
            {{ first_of('fact_value', "metric in ('unit_overall_final', 'unit_overall_project_actual')") }} as decimal(18, 2)
        ) as final_wan,
        {{ first_of('fact_value', "metric in ('unit_overall_rate', 'unit_overall_project_rate')") }}
            as stated_rate_value,
        {{ first_of('value_decimals', "metric in ('unit_overall_rate', 'unit_overall_project_rate')") }}
            as stated_rate_decimals,
        min(source_line) as source_line,
        {{ first_of('source_line', "metric in ('unit_overall_rate', 'unit_overall_project_rate')") }}
            as rate_source_line
    from overall_facts
    group by document_id, kind, scope_word
),

-- the marts' rows as they are, tagged with the table of the report they describe
rates as (
    select
        *,
        'budget_execution' as table_key
    from {{ scoped_ref('fct_budget_execution') }}
    union all by name
    select
        *,
        'three_public' as table_key
    from {{ scoped_ref('fct_three_public') }}
    union all by name
    select
        * rename (actual_wan as final_wan),
        'project_performance' as table_key
    from {{ scoped_ref('fct_project_performance') }}
    union all by name
    select
        * rename (stated_rate_value as stated_rate_pct),
        'unit_overall' as table_key,
        {{ rate_status('budget_wan', 'final_wan', 'stated_rate_value', 'stated_rate_decimals') }} as rate_status
    from overall
)

select
    document_id,
    case table_key
        when 'budget_execution' then case when subject_code is null then 'CR02' else 'CR01' end
        when 'three_public' then 'CR03'
        when 'project_performance' then 'CR04'
        else 'CR07'
    end as scope_rule,
    table_key,
    subject_code,
    case table_key
        when 'budget_execution' then 'stated_rate'
        when 'three_public' then item
        when 'project_performance' then concat(project_seq, ':', project_name)
        else concat(kind, ':', scope_word)
    end as column_key,
    case table_key
        when 'budget_execution'
            then case
                when subject_code is null then '一般公共预算财政拨款支出'
                else concat(subject_name, '（', subject_code, '）')
            end
        when 'three_public' then item_zh
        when 'project_performance' then concat('项目“', project_name, '”')
        else concat(
            case scope_word when '本级' then '单位（本级）' else '部门' end,
            case kind when 'overall' then '整体预算' else '整体项目' end
        )
    end as scope_label,
    case table_key
        when 'three_public' then '全年预算'
        when 'project_performance' then '预算数'
        when 'unit_overall' then case kind when 'overall' then '预算' else '项目预算资金' end
        else '年初预算'
    end as budget_word,
    case table_key
        when 'project_performance' then '执行数'
        when 'unit_overall' then case kind when 'overall' then '决算支出' else '项目实际支出' end
        else '决算'
    end as final_word,
    budget_wan,
    final_wan,
    cast(stated_rate_pct as decimal(18, 4)) as stated_rate,
    stated_rate_decimals,
    rate_status,
    coalesce(rate_source_line, source_line) as source_line,
    source_line as amount_line,
    -- where the amounts are printed: table 09 for 三公 read from it, else the narrative
    case when table_key = 'three_public' and value_source = 'table_09' then 'three_public' else 'narrative' end
        as amount_table,
    stated_direction,
    direction_wording,
    coalesce(direction_source_line, source_line) as direction_line
from rates
