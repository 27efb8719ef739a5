-- Cross-year, CY01–CY02. A report states the change on the previous year (增加/减少 X 万元,
-- 增长/下降 Y%). CY01: the implied previous-year figure (current − change) against what that
-- unit's previous-year report in the warehouse prints (same unit_id and scope; else the other
-- scope, graded info with a note, since a department report consolidates member units — but a
-- unit-scope report's 支出合计 / 收、支总计 is compared at full grade with its unit's own (本级)
-- 决算支出 when the previous department report's 整体绩效自评 states it). CY02:
-- the stated growth rate against change ÷ (current − change), with the interval policy of
-- DESIGN §4. No previous report → no CY01 row (not a finding).
with documents as (
    select
        document_id,
        unit_id,
        fiscal_year,
        report_scope,
        is_current
    from {{ scoped_ref('dim_document') }}
),

facts as (
    select * from {{ scoped_ref('stg_reports__narrative_facts') }}
),

labels as (
    select
        metric as label_metric,
        label_zh
    from {{ ref('audit_metric_labels') }}
),

-- the figure a change refers to: same metric and item, the narration just before the change
changes as (
    select
        c.document_id,
        c.fact_seq,
        c.source_line,
        c.value_decimals,
        regexp_replace(c.metric, '_change$', '') as base_metric,
        c.item,
        case
            when c.qualifier like '%减少%' and c.qualifier not like '%增加%' then -abs(c.fact_value)
            when c.qualifier like '%增加%' and c.qualifier not like '%减少%' then abs(c.fact_value)
            else c.fact_value
        end as change_wan,
        c.qualifier
    from facts as c
    where ends_with(c.metric, '_change') and c.value_unit = 'wan'
),

current_values as (
    select
        c.*,
        v.fact_value as current_wan,
        v.fact_seq as current_seq
    from changes as c
    inner join facts as v
        on
            c.document_id = v.document_id
            and v.metric = case c.base_metric
                when 'three_public' then 'three_public_final'
                else c.base_metric
            end
            and coalesce(c.item, '') = coalesce(v.item, '')
            and c.fact_seq > v.fact_seq
            and v.value_unit = 'wan'
    qualify row_number() over (partition by c.document_id, c.fact_seq order by v.fact_seq desc) = 1
),

-- a printed previous-year figure (<metric>_previous) replaces current − change
stated_previous as (
    select
        v.document_id,
        v.fact_seq,
        v.base_metric,
        v.item,
        v.source_line,
        v.current_wan,
        v.change_wan,
        coalesce(p.fact_value, v.current_wan - v.change_wan) as previous_wan,
        p.fact_value is not null as previous_printed
    from current_values as v
    left join facts as p
        on
            v.document_id = p.document_id
            and p.metric = concat(v.base_metric, '_previous')
            and coalesce(v.item, '') = coalesce(p.item, '')
            and p.value_unit = 'wan'
),

previous_reports as (
    select
        d.document_id,
        p.document_id as previous_document_id,
        d.report_scope as current_scope,
        p.report_scope as previous_scope,
        p.fiscal_year as previous_year,
        p.report_scope = d.report_scope as same_scope
    from documents as d
    inner join documents as p on d.unit_id = p.unit_id and p.fiscal_year = d.fiscal_year - 1
    -- same scope first, then the current version of that report
    qualify row_number() over (
        partition by d.document_id order by (p.report_scope = d.report_scope) desc, p.is_current desc, p.document_id asc
    ) = 1
),

members as (
    select
        document_id,
        count(*) as n_members
    from {{ scoped_ref('stg_reports__document_members') }}
    group by document_id
),

-- the unit's own (本级) 决算支出 a department report's 整体绩效自评 states (004's 附件: 单位整体
-- … 决算支出 1035.08 万元), the previous-year figure of that unit's own unit-scope report
own_unit_final as (
    select
        document_id,
        fact_value,
        section,
        source_line
    from facts
    where metric = 'unit_overall_final' and qualifier like '本级%' and value_unit = 'wan'
    qualify row_number() over (partition by document_id order by fact_seq) = 1
),

-- what the previous report prints for the same figure: the 本级 决算支出 (above) for a
-- unit-scope report's totals after a department report, else its narrative, else its tables
previous_figures as (
    select
        r.document_id,
        s.fact_seq,
        coalesce(o.fact_value, pf.fact_value, tf.amount_wan) as printed_wan,
        case
            when o.fact_value is not null then concat(case o.section when 'annex' then '附件' else '说明' end, '·本级决算支出')
            when pf.fact_value is not null then '说明'
            when tf.amount_wan is not null then '表'
        end as printed_in,
        o.fact_value is not null as own_unit,
        case
            when o.fact_value is not null then o.source_line
            when pf.fact_value is not null then pf.source_line
            else tf.source_line
        end as printed_line
    from stated_previous as s
    inner join previous_reports as r on s.document_id = r.document_id
    left join own_unit_final as o
        on
            r.previous_document_id = o.document_id
            and r.current_scope = 'unit'
            and r.previous_scope = 'department'
            and s.base_metric in ('expenditure_total', 'total_income_expenditure')
    left join facts as pf
        on
            r.previous_document_id = pf.document_id
            and pf.metric = case s.base_metric when 'three_public' then 'three_public_final' else s.base_metric end
            and coalesce(s.item, '') = coalesce(pf.item, '')
            and pf.value_unit = 'wan'
    left join {{ scoped_ref('int_audit_table_figures') }} as tf
        on
            r.previous_document_id = tf.document_id
            and tf.metric = case s.base_metric when 'three_public' then 'three_public_final' else s.base_metric end
            and coalesce(s.item, '') = coalesce(tf.item, '')
    qualify row_number() over (partition by r.document_id, s.fact_seq order by pf.fact_seq) = 1
),

cy01 as (
    select
        s.document_id,
        'CY01' as rule_id,
        'narrative' as table_key,
        concat(s.base_metric, case when s.item is not null then concat(':', s.item) else '' end) as column_key,
        s.source_line,
        s.previous_wan as actual,
        p.printed_wan as expected,
        -- current and change printed (or the previous figure itself), against one printed figure
        {{ rounding_tolerance('case when s.previous_printed then 1 else 2 end') }} as tolerance,
        case
            -- 收、支总计 also holds 年末结转和结余, so it may differ from 决算支出 without an error
            when p.own_unit then case when s.base_metric = 'total_income_expenditure' then 'info' end
            when not r.same_scope then 'info'
        end as row_severity,
        concat(
            '上年数 = ', s.current_wan, case when s.previous_printed then '（说明列示上年数）' else concat(
                ' − ', s.change_wan
            ) end, '；上年报告 ', r.previous_document_id, '（', p.printed_in, '）',
            case
                when not r.same_scope and not p.own_unit
                    then concat(
                        '；口径不同：上年仅有', case r.previous_scope when 'department' then '部门' else '单位' end,
                        '决算', case when m.n_members > 1 then concat('（含 ', m.n_members, ' 个单位）') else '' end,
                        '，差异不一定是错误'
                    )
                else ''
            end, ' @', s.fact_seq
        ) as note,
        concat(
            '所述上年「', coalesce(l.label_zh, s.base_metric), coalesce('·' || il.label_zh, ''), '」',
            case
                when not s.previous_printed
                    then concat(
                        '（', cast(s.current_wan as decimal(18, 2)), ' − ', cast(s.change_wan as decimal(18, 2)), '）'
                    )
                else ''
            end
        ) as actual_label,
        'previous_report' as expected_table,
        concat(
            r.previous_year, ' 年度', case r.previous_scope when 'department' then '部门' else '单位' end, '决算（',
            p.printed_in, coalesce(concat('，第 ', p.printed_line, ' 行'), ''), '）列示'
        ) as expected_label,
        case
            when p.own_unit and s.base_metric = 'total_income_expenditure'
                then '收、支总计含年末结转和结余，可与决算支出不同'
            when not r.same_scope and not p.own_unit
                then concat(
                    '口径不同（上年仅有', case r.previous_scope when 'department' then '部门' else '单位' end,
                    '决算', case when m.n_members > 1 then concat('，含 ', m.n_members, ' 个单位') else '' end,
                    '），差异不一定是错误'
                )
        end as detail
    from stated_previous as s
    inner join previous_reports as r on s.document_id = r.document_id
    inner join previous_figures as p on s.document_id = p.document_id and s.fact_seq = p.fact_seq
    left join members as m on r.previous_document_id = m.document_id
    left join labels as l on s.base_metric = l.label_metric
    left join labels as il on concat('item:', s.item) = il.label_metric
    where p.printed_wan is not null
),

-- CY02: stated growth % against the stated change and current figure
rates as (
    select
        r.document_id,
        r.fact_seq,
        r.source_line,
        r.metric,
        coalesce(r.value_decimals, 0) as decimals,
        case
            when r.qualifier like '%下降%' and r.qualifier not like '%增长%' then -abs(r.fact_value)
            when r.qualifier like '%增长%' and r.qualifier not like '%下降%' then abs(r.fact_value)
            else r.fact_value
        end as stated_pct,
        s.change_wan,
        s.previous_wan,
        s.source_line as change_line,
        concat(coalesce(l.label_zh, s.base_metric), coalesce('·' || il.label_zh, '')) as metric_label
    from facts as r
    inner join stated_previous as s
        on
            r.document_id = s.document_id
            and regexp_replace(r.metric, '_change_pct$', '') = s.base_metric
            and coalesce(r.item, '') = coalesce(s.item, '')
            and r.fact_seq > s.fact_seq
    left join labels as l on s.base_metric = l.label_metric
    left join labels as il on concat('item:', s.item) = il.label_metric
    where ends_with(r.metric, '_change_pct') and r.value_unit = 'pct'
    qualify row_number() over (partition by r.document_id, r.fact_seq order by s.fact_seq desc) = 1
),

rate_bounds as (
    select
        *,
        0.5 * pow(10, -decimals) as half_unit,
        case when previous_wan > 0 then change_wan / previous_wan * 100 end as recomputed,
        -- change and current are printed (±0.005 each): previous moves with both
        case
            when previous_wan > 0.01 then
                least(
                    (change_wan - 0.005) / (previous_wan + 0.01), (change_wan - 0.005) / (previous_wan - 0.01)
                ) * 100
        end as lo,
        case
            when previous_wan > 0.01 then
                greatest(
                    (change_wan + 0.005) / (previous_wan - 0.01), (change_wan + 0.005) / (previous_wan + 0.01)
                ) * 100
        end as hi
    from rates
),

cy02 as (
    select
        document_id,
        'CY02' as rule_id,
        'narrative' as table_key,
        metric as column_key,
        source_line,
        stated_pct as actual,
        round(recomputed, 2) as expected,
        coalesce(greatest(hi - recomputed, recomputed - lo), 0) + half_unit as tolerance,
        case when change_wan = 0 and stated_pct = 0 then 0 else lo - half_unit end - {{ rate_epsilon() }} as lower_bound,
        case when change_wan = 0 and stated_pct = 0 then 0 else hi + half_unit end + {{ rate_epsilon() }} as upper_bound,
        -- the grade reads the gap to the recomputed rate (to 0 when it has none)
        abs(cast(stated_pct as decimal(18, 4)) - cast(coalesce(recomputed, 0) as decimal(18, 4))) as gap,
        concat(
            '增长率 = ', change_wan, ' ÷ ', previous_wan, ' × 100',
            case when recomputed is null then '；上年数为 0 或负数，增长率无定义' else '' end, ' @', fact_seq
        ) as note,
        concat('所述「', metric_label, '」增长率') as actual_label,
        concat(
            '按增减额 ', cast(change_wan as decimal(18, 2)), ' ÷ 上年数 ', cast(previous_wan as decimal(18, 2)), ' 复核为'
        ) as expected_label,
        cast(change_line as varchar) as expected_lines,
        case
            when recomputed is null then '上年数为 0 或负数，所述增长率无法复核'
            when lo is not null then concat('金额舍入允许 [', cast(round(lo, 3) as double), ', ', cast(round(hi, 3) as double), ']')
        end as bounds_text,
        stated_pct,
        decimals,
        recomputed
    from rate_bounds
),

cy02_graded as (
    select
        *,
        {{ interval_status('stated_pct', 'recomputed', 'decimals') }} as rate_status
    from cy02
),

checks as (
    select
        *,
        '万元' as unit
    from cy01
    union all by name
    select
        *,
        {{ gap_severity('rate_status', 'gap') }} as row_severity,
        concat_ws('', bounds_text, {{ gap_verdict('rate_status', 'gap') }}) as detail,
        '%' as unit
    from cy02_graded
)

select
    {{ check_row(
        subject_code='null', tolerance='tolerance', lower_bound='lower_bound', upper_bound='upper_bound',
        rate_status='rate_status', row_severity='row_severity', note='note', actual_label='actual_label',
        expected_table='expected_table', expected_lines='expected_lines', expected_label='expected_label',
        unit='unit', detail='detail'
    ) }}
from checks
