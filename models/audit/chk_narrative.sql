-- Narrative (情况说明) against the tables, NT01–NT06: every narrated total (NT01), income /
-- expenditure composition amount (NT02), share (NT03), per-subject 决算 (NT04) and 三公
-- figure (NT05) is compared with the table that prints it; NT06 checks the narrative's own
-- sums (so narrative-only reports, whose tables were images, are still audited). actual is
-- the narrated figure (source_line: its line), expected the table figure, the share recomputed
-- from the amounts or the sum of the narrated parts.
with facts as (
    select * from {{ scoped_ref('stg_reports__narrative_facts') }}
),

figures as (
    select * from {{ scoped_ref('int_audit_table_figures') }}
),

available as (
    select
        document_id,
        table_key
    from {{ scoped_ref('int_audit_tables') }}
    where is_available
),

labels as (
    select
        metric,
        label_zh
    from {{ ref('audit_metric_labels') }}
),

-- first narration of each amount (a total is often restated in a later paragraph)
narrated as (
    select
        document_id,
        metric,
        coalesce(subject_code, '') as subject_code,
        coalesce(item, '') as item,
        fact_value as amount_wan,
        source_line
    from facts
    where value_unit = 'wan'
    qualify row_number() over (
        partition by document_id, metric, coalesce(subject_code, ''), coalesce(item, '') order by fact_seq
    ) = 1
),

-- table 05's subjects (合计 column, first printing)
subject_totals as (
    select * from {{ scoped_ref('int_subject_rows_ranked') }}
    where table_key = 'gpb_expenditure' and column_key = 'total' and dup_rank = 1
),

-- NT01 / NT02 / NT05: whole-document figures ------------------------------------------------
figure_checks as (
    select
        f.document_id,
        case
            when starts_with(f.metric, 'three_public_') then 'NT05'
            when starts_with(f.metric, 'income_') and f.metric != 'income_total' then 'NT02'
            when starts_with(f.metric, 'expenditure_') and f.metric != 'expenditure_total' then 'NT02'
            else 'NT01'
        end as rule_id,
        g.table_key,
        cast(null as varchar) as subject_code,
        coalesce(f.item, g.column_key) as column_key,
        f.source_line,
        g.amount_wan as expected,
        f.fact_value as actual,
        g.n_addends,
        concat(f.metric, case when f.item is not null then concat(':', f.item) else '' end, ' @', f.fact_seq) as note,
        concat('「', coalesce(l.label_zh, f.metric), coalesce('·' || il.label_zh, ''), '」') as actual_label,
        g.table_key as expected_table,
        g.figure_label as expected_label,
        {{ line_span('g.source_line', 'g.last_line') }} as expected_lines
    from facts as f
    inner join figures as g
        on
            f.document_id = g.document_id
            and f.metric = g.metric
            and coalesce(f.item, '') = coalesce(g.item, '')
    left join labels as l on f.metric = l.metric
    left join labels as il on concat('item:', f.item) = il.metric
    where f.value_unit = 'wan'
),

-- NT04: per-subject 决算 (类 structure paragraph and 类/款/项 entries) against table 05 ----
subject_checks as (
    select
        f.document_id,
        'NT04' as rule_id,
        'gpb_expenditure' as table_key,
        f.subject_code,
        'total' as column_key,
        f.source_line,
        case
            when f.subject_code is null then coalesce(g.amount_wan, 0)
            else coalesce(s.amount_wan, 0)
        end as expected,
        f.fact_value as actual,
        1 as n_addends,
        concat(
            f.metric, ' @', f.fact_seq,
            case when f.subject_code is not null and s.amount_wan is null then '; 科目未在表05列示' else '' end
        ) as note,
        case
            when f.subject_code is null then '「一般公共预算财政拨款支出」决算'
            else concat('「', f.subject_code, ' ', coalesce(f.subject_name, ''), '」决算')
        end as actual_label,
        'gpb_expenditure' as expected_table,
        case
            when f.subject_code is null then '「合计」小计'
            when s.amount_wan is null then '（未列示该科目，按 0 计）'
            else concat('「', f.subject_code, ' ', s.row_name, '」小计')
        end as expected_label,
        cast(case when f.subject_code is null then g.source_line else s.source_line end as varchar) as expected_lines
    from facts as f
    inner join available as a on f.document_id = a.document_id and a.table_key = 'gpb_expenditure'
    left join subject_totals as s on f.document_id = s.document_id and f.subject_code = s.subject_code
    left join figures as g on f.document_id = g.document_id and g.metric = 'gpb_expenditure'
    where
        f.value_unit = 'wan'
        and (
            (f.metric = 'class_expenditure' and f.subject_code is not null)
            or (f.metric = 'final' and (f.subject_code is not null or f.qualifier = 'overall'))
        )
),

-- NT03: shares, recomputed from the table amounts (the narrated amounts where the tables are
-- absent) with the interval policy of DESIGN §4; numerator and denominator: seed audit_share_bases -
shares as (
    select
        f.document_id,
        f.fact_seq,
        f.metric,
        f.subject_code,
        f.source_line,
        f.fact_value as stated,
        coalesce(f.value_decimals, 0) as decimals,
        case
            when f.subject_code is not null then concat(f.subject_code, ' ', coalesce(f.subject_name, ''), '（类）')
            else coalesce(l.label_zh, regexp_replace(f.metric, '_share$', ''))
        end as share_label,
        -- numerator: the table amount, else the narrated amount
        case
            when m.numerator_source = 'table' and m.numerator_metric = 'class_expenditure' and ga.document_id is not null
                then coalesce(st.amount_wan, 0)
            when m.numerator_source = 'table' and gn.document_id is not null then gn.amount_wan
            else nn.amount_wan
        end as numerator,
        case
            when m.numerator_source = 'table' and m.numerator_metric = 'class_expenditure' and ga.document_id is not null
                then '表'
            when m.numerator_source = 'table' and gn.document_id is not null then '表'
            when nn.amount_wan is not null then '说明'
        end as numerator_source,
        -- where the numerator is printed
        case
            when m.numerator_source = 'table' and m.numerator_metric = 'class_expenditure' and ga.document_id is not null
                then 'gpb_expenditure'
            when m.numerator_source = 'table' and gn.document_id is not null then gn.table_key
            else 'narrative'
        end as numerator_table,
        case
            when m.numerator_source = 'table' and m.numerator_metric = 'class_expenditure' and ga.document_id is not null
                then st.source_line
            when m.numerator_source = 'table' and gn.document_id is not null then gn.source_line
            else nn.source_line
        end as numerator_line,
        coalesce(gd.amount_wan, nd.amount_wan, nd2.amount_wan) as denominator,
        case
            when gd.document_id is not null then '表'
            when coalesce(nd.amount_wan, nd2.amount_wan) is not null then '说明'
        end as denominator_source
    from facts as f
    inner join {{ ref('audit_share_bases') }} as m on f.metric = m.share_metric
    left join labels as l on m.numerator_metric = l.metric
    left join figures as gn on f.document_id = gn.document_id and m.numerator_metric = gn.metric
    left join available as ga
        on f.document_id = ga.document_id and ga.table_key = 'gpb_expenditure'
    left join subject_totals as st on f.document_id = st.document_id and f.subject_code = st.subject_code
    left join narrated as nn
        on
            f.document_id = nn.document_id and m.numerator_metric = nn.metric
            and coalesce(f.subject_code, '') = nn.subject_code
    left join figures as gd on f.document_id = gd.document_id and m.denominator_metric = gd.metric
    left join narrated as nd
        on
            f.document_id = nd.document_id and nd.subject_code = '' and nd.item = ''
            and nd.metric = case
                when f.metric = 'procurement_small_micro_share' and f.qualifier = '授予中小企业合同金额'
                    then 'procurement_sme'
                else m.denominator_narrated
            end
    left join narrated as nd2
        on
            f.document_id = nd2.document_id and nd2.subject_code = '' and nd2.item = ''
            and m.denominator_narrated_2 = nd2.metric
    where f.value_unit = 'pct'
),

-- the interval the stated share may lie in (as for completion rates, macros/completion_rate.sql):
-- the recomputed one widened by half a unit of the stated precision; a share of a total of 0
-- can only be 0
share_bounds as (
    select
        *,
        0.5 * pow(10, -decimals) as half_unit,
        case when denominator > 0 then numerator / denominator * 100 end as recomputed,
        case when denominator > 0 then greatest(numerator - 0.005, 0) / (denominator + 0.005) * 100 end
            as lo,
        case when denominator > 0.005 then (numerator + 0.005) / (denominator - 0.005) * 100 end as hi
    from shares
    where numerator is not null and denominator is not null
),

share_checks as (
    select
        document_id,
        'NT03' as rule_id,
        'narrative' as table_key,
        subject_code,
        metric as column_key,
        source_line,
        stated as actual,
        round(recomputed, 2) as expected,
        coalesce(greatest(hi - recomputed, recomputed - lo), 0) + half_unit as tolerance,
        case when denominator > 0 then lo - half_unit else 0 end - {{ rate_epsilon() }} as lower_bound,
        case when denominator > 0 then coalesce(hi, lo) + half_unit else 0 end + {{ rate_epsilon() }} as upper_bound,
        -- the grade reads the gap to the recomputed share (to 0 when it has no base)
        abs(stated - coalesce(recomputed, 0)) as gap,
        stated,
        decimals,
        recomputed,
        concat(
            '占比 = ', numerator, ' ÷ ', denominator, ' × 100（分子取自', numerator_source, '，分母取自',
            denominator_source, '）@', fact_seq
        ) as note,
        concat('「', share_label, '」占比') as actual_label,
        numerator_table as expected_table,
        concat(
            '按', numerator_source, '列金额 ', cast(numerator as decimal(18, 2)), ' ÷ ', cast(denominator as decimal(18, 2)),
            case when denominator_source != numerator_source then concat('（', denominator_source, '）') else '' end,
            ' 复核为'
        ) as expected_label,
        cast(numerator_line as varchar) as expected_lines,
        case
            when lo is not null then concat('金额舍入允许 [', cast(round(lo, 3) as double), ', ', cast(round(hi, 3) as double), ']')
            else '分母为 0，占比只能为 0'
        end as bounds_text
    from share_bounds
),

share_graded as (
    select
        *,
        -- a share of a total of 0 cannot be recomputed: any other than 0 is inconsistent
        {{ interval_status('stated', 'recomputed', 'decimals', unrecomputable="'inconsistent'") }} as rate_status
    from share_checks
),

share_described as (
    select
        *,
        {{ gap_severity('rate_status', 'gap') }} as row_severity,
        concat(bounds_text, {{ gap_verdict('rate_status', 'gap') }}) as detail
    from share_graded
),

-- shares with no base anywhere: recorded as not evaluable (completeness)
share_unevaluable as (
    select
        document_id,
        'CP03' as rule_id,
        'narrative' as table_key,
        subject_code,
        concat('NT03:', metric) as column_key,
        source_line,
        concat('NT03 ', metric, ' @', fact_seq, '：分子或分母金额在表和说明中均未列示，占比无法复核') as note,
        concat(
            '情况说明第 ', source_line, ' 行「', share_label, '」占比 ', cast(stated as double),
            '%：分子或分母金额在表和说明中均未列示，占比无法复核（NT03 无法核对）'
        ) as message
    from shares
    where numerator is null or denominator is null
),

-- NT06: the narrative's own sums ----------------------------------------------------------
-- (total, part, required): a group is checked when its total and every required part are
-- narrated; optional parts not narrated count as zero. class_expenditure '*' = every 类.
narrative_sums as (
    select
        total_metric,
        coalesce(total_item, '') as total_item,
        group_kind,
        part_metric,
        coalesce(part_item, '') as part_item,
        required
    from {{ ref('audit_narrative_sums') }}
),

sum_parts as (
    select
        t.document_id,
        t.metric,
        t.item,
        t.source_line,
        t.amount_wan as total_amount,
        concat(
            coalesce(tl.label_zh, t.metric),
            case when t.item != '' then concat('·', coalesce(til.label_zh, t.item)) else '' end
        ) as total_label,
        g.group_kind,
        g.part_metric,
        g.part_item,
        g.required,
        concat(
            coalesce(pl.label_zh, g.part_metric),
            case when g.part_item not in ('', '*') then concat('·', coalesce(il.label_zh, g.part_item)) else '' end,
            case when g.part_item = '*' then '（各类）' else '' end
        ) as part_label,
        sum(p.amount_wan) as amount_wan,
        count(p.amount_wan) as n_printed,
        min(p.source_line) as first_part_line,
        max(p.source_line) as last_part_line
    from narrated as t
    inner join narrative_sums as g on t.metric = g.total_metric and t.item = g.total_item
    left join labels as pl on g.part_metric = pl.metric
    left join labels as tl on t.metric = tl.metric
    left join labels as til on concat('item:', t.item) = til.metric
    left join labels as il on concat('item:', g.part_item) = il.metric
    left join narrated as p
        on
            t.document_id = p.document_id
            and g.part_metric = p.metric
            and (
                (g.part_item = '*' and p.subject_code != '')
                or (g.part_item != '*' and g.part_item = p.item and p.subject_code = '')
            )
    where t.subject_code = ''
    group by all
),

sum_checks as (
    select
        document_id,
        'NT06' as rule_id,
        'narrative' as table_key,
        cast(null as varchar) as subject_code,
        concat(metric, case when item != '' then concat(':', item) else '' end, '=', group_kind) as column_key,
        source_line,
        total_amount as actual,
        coalesce(sum(amount_wan), 0) as expected,
        sum(n_printed) as n_addends,
        concat(
            metric, case when item != '' then concat(':', item) else '' end, ' = ',
            string_agg(
                case when n_printed > 0 then concat(part_metric, case
                    when part_item = '*' then '(各类)' when part_item != '' then concat(':', part_item)
                    else ''
                end) end,
                ' + ' order by part_metric, part_item
            )
        ) as note,
        concat('「', any_value(total_label), '」') as actual_label,
        concat(
            '所述分项（', string_agg(case when n_printed > 0 then part_label end, ' + ' order by part_metric, part_item),
            '）之和'
        ) as expected_label,
        {{ line_span('min(first_part_line)', 'max(last_part_line)') }} as expected_lines
    from sum_parts
    group by document_id, metric, item, source_line, total_amount, group_kind
    having
        sum(n_printed) > 0
        and count(*) filter (where required and n_printed = 0) = 0
),

numeric_checks as (
    {{ union_by_name(['figure_checks', 'subject_checks', 'sum_checks']) }}
),

checks as (
    select
        *,
        {{ rounding_tolerance('n_addends') }} as tolerance,
        '万元' as unit
    from numeric_checks
    union all by name
    select
        *,
        '%' as unit
    from share_described
    union all by name
    select * from share_unevaluable
)

select
    {{ check_row(
        tolerance='coalesce(tolerance, 0)', lower_bound='lower_bound', upper_bound='upper_bound',
        rate_status='rate_status', row_severity='row_severity', note='note', actual_table="'narrative'",
        actual_label='actual_label', expected_table='expected_table', expected_lines='expected_lines',
        expected_label='expected_label', unit='unit', detail='detail', message='message'
    ) }}
from checks
