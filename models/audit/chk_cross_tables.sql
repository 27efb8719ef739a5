-- The same figure printed in two tables must agree, XT01–XT09: 01↔02, 01↔03, 02↔04, 04↔05,
-- 05↔06, 03↔05 (when all spending is general public budget) and 04↔07/08. Every table a rule
-- reads (seeds/audit_rule_inputs) must be available (parsed, or printed empty = all zero); a
-- blank cell is zero. actual is the figure of the table under test (the summarising one: 01,
-- 04, 05's 基本支出; 03 for XT08, 02 for XT05), expected the same figure in the table it must
-- agree with. The whole-table figures compared are the seed audit_cross_figures, XT02's
-- income columns the seed audit_income_sources.
with evaluable as (
    select
        document_id,
        rule_id
    from {{ scoped_ref('int_audit_rule_status') }}
    where tables_available and starts_with(rule_id, 'XT')
),

lines as (
    select * from {{ scoped_ref('int_audit_first_cells') }}
    where row_kind = 'line'
),

totals as (
    select * from {{ scoped_ref('int_audit_first_cells') }}
    where row_kind = 'total'
),

subjects as (
    select
        document_id,
        table_key,
        subject_code,
        row_name,
        column_key,
        amount_wan,
        source_line
    from {{ scoped_ref('int_subject_rows_ranked') }}
    where dup_rank = 1
),

-- every printing of table 06's 人员经费 / 公用经费 totals
econ_totals as (
    select
        document_id,
        sum(amount_wan) as amount_wan,
        count(amount_wan) as n_printed,
        min(source_line) as source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    where table_key = 'gpb_basic_econ' and row_kind = 'econ_total'
    group by document_id
),

-- XT01 / XT04 / XT05 / XT07 / XT09: whole-table figures -----------------------------------
scalar_values as (
    select
        e.document_id,
        s.rule_id,
        s.pair_key,
        s.side,
        s.table_key,
        s.column_key,
        coalesce(case s.row_kind
            when 'line' then l.amount_wan
            when 'total' then t.amount_wan
            else x.amount_wan
        end, 0) as amount_wan,
        case s.row_kind when 'econ_total' then coalesce(x.n_printed, 0) else 1 end as n_printed,
        coalesce(case s.row_kind
            when 'line' then l.source_line
            when 'total' then t.source_line
            else x.source_line
        end, f.first_line) as source_line,
        case s.row_kind
            when 'line'
                then concat(
                    '「', coalesce(l.row_name, {{ line_label('s.table_key', 's.row_key') }}, s.row_key), '」',
                    case when s.column_key != 'amount' then {{ column_header('s.table_key', 's.column_key') }} else '' end
                )
            when 'total' then concat('「合计」', {{ column_header('s.table_key', 's.column_key') }})
            else '「人员经费合计」与「公用经费合计」之和'
        end as figure_label
    from evaluable as e
    inner join {{ ref('audit_cross_figures') }} as s on e.rule_id = s.rule_id
    left join lines as l
        on
            s.row_kind = 'line' and e.document_id = l.document_id and s.table_key = l.table_key
            and s.row_key = l.row_key and s.column_key = l.column_key
    left join totals as t
        on
            s.row_kind = 'total' and e.document_id = t.document_id and s.table_key = t.table_key
            and s.column_key = t.column_key
    left join econ_totals as x on s.row_kind = 'econ_total' and e.document_id = x.document_id
    left join {{ scoped_ref('int_audit_tables') }} as f on e.document_id = f.document_id and s.table_key = f.table_key
),

scalar_checks as (
    select
        a.document_id,
        a.rule_id,
        a.table_key,
        cast(null as varchar) as subject_code,
        a.column_key,
        a.source_line,
        a.amount_wan as actual,
        e.amount_wan as expected,
        greatest(a.n_printed, e.n_printed) as n_addends,
        concat(a.table_key, '.', a.column_key, ' ↔ ', e.table_key, '.', e.column_key) as note,
        a.figure_label as actual_label,
        e.table_key as expected_table,
        e.figure_label as expected_label,
        cast(e.source_line as varchar) as expected_lines
    from scalar_values as a
    inner join scalar_values as e
        on
            a.document_id = e.document_id and a.rule_id = e.rule_id and a.pair_key is not distinct from e.pair_key
            and e.side = 'expected'
    where a.side = 'actual'
),

-- XT02: 01 income sources ↔ 02 合计 columns -----------------------------------------------
source_checks as (
    select
        e.document_id,
        'XT02' as rule_id,
        'summary' as table_key,
        cast(null as varchar) as subject_code,
        m.column_key,
        coalesce(min(l.source_line), any_value(t.source_line), any_value(f.first_line)) as source_line,
        coalesce(sum(l.amount_wan), 0) as actual,
        coalesce(any_value(t.amount_wan), 0) as expected,
        greatest(count(l.amount_wan), 1) as n_addends,
        concat('summary.', string_agg(distinct m.line_key, '+' order by m.line_key), ' ↔ income.', m.column_key) as note,
        concat(
            -- sorted, so that an incremental and a full build word it alike
            '「', array_to_string(list_sort(list_distinct(list(
                coalesce(l.row_name, {{ line_label("'summary'", 'm.line_key') }}, m.line_key)
            ))), '」+「'), '」'
        )
            as actual_label,
        'income' as expected_table,
        concat('「合计」', {{ column_header("'income'", 'm.column_key') }}) as expected_label,
        cast(any_value(t.source_line) as varchar) as expected_lines
    from evaluable as e
    cross join {{ ref('audit_income_sources') }} as m
    left join lines as l
        on e.document_id = l.document_id and l.table_key = 'summary' and m.line_key = l.row_key
    left join totals as t
        on e.document_id = t.document_id and t.table_key = 'income' and m.column_key = t.column_key
    left join {{ scoped_ref('int_audit_tables') }} as f on e.document_id = f.document_id and f.table_key = 'summary'
    where e.rule_id = 'XT02'
    group by e.document_id, m.column_key
),

-- XT03 / XT06: 类 lines of 01 / 04 ↔ 类 rows of 03 / 05 ---------------------------------
class_pairs as (
    select
        document_id,
        rule_id,
        case rule_id when 'XT03' then 'summary' else 'fiscal_summary' end as line_table,
        case rule_id when 'XT03' then 'amount' else 'general_public_budget' end as line_column,
        case rule_id when 'XT03' then 'expenditure' else 'gpb_expenditure' end as row_table,
        case rule_id
            when 'XT03' then '01 类 ↔ 03 类 本年支出合计'
            else '04 类 一般公共预算财政拨款 ↔ 05 类 合计'
        end as note
    from evaluable
    where rule_id in ('XT03', 'XT06')
),

-- both sides in one list, then one row per 类 (a 类 printed on one side only compares with 0)
class_figures as (
    select
        p.document_id,
        p.rule_id,
        'actual' as side,
        split_part(l.row_key, ':', 3) as subject_code,
        l.row_name,
        l.amount_wan,
        l.source_line
    from class_pairs as p
    inner join lines as l
        on
            p.document_id = l.document_id and p.line_table = l.table_key
            and starts_with(l.row_key, 'expenditure:class:') and p.line_column = l.column_key
    union all
    select
        p.document_id,
        p.rule_id,
        'expected' as side,
        s.subject_code,
        s.row_name,
        s.amount_wan,
        s.source_line
    from class_pairs as p
    inner join subjects as s
        on
            p.document_id = s.document_id and p.row_table = s.table_key
            and length(s.subject_code) = 3 and s.column_key = 'total'
),

class_checks as (
    select
        f.document_id,
        f.rule_id,
        any_value(p.line_table) as table_key,
        f.subject_code,
        any_value(p.line_column) as column_key,
        coalesce(min(f.source_line) filter (where f.side = 'actual'), min(f.source_line)) as source_line,
        coalesce(sum(f.amount_wan) filter (where f.side = 'actual'), 0) as actual,
        coalesce(sum(f.amount_wan) filter (where f.side = 'expected'), 0) as expected,
        1 as n_addends,
        any_value(p.note) as note,
        concat(
            '「', f.subject_code, ' ', coalesce(min(f.row_name) filter (where f.side = 'actual'), min(f.row_name)), '」',
            case when any_value(p.line_column) != 'amount' then {{ column_header("'fiscal_summary'", 'any_value(p.line_column)') }} end
        ) as actual_label,
        any_value(p.row_table) as expected_table,
        concat(
            '「', f.subject_code, ' ', coalesce(min(f.row_name) filter (where f.side = 'expected'), min(f.row_name)), '」',
            {{ column_header('any_value(p.row_table)', "'total'") }}
        ) as expected_label,
        cast(min(f.source_line) filter (where f.side = 'expected') as varchar) as expected_lines
    from class_figures as f
    inner join class_pairs as p on f.document_id = p.document_id and f.rule_id = p.rule_id
    group by f.document_id, f.rule_id, f.subject_code
),

-- XT06 also compares 04's 本年支出合计 (general public budget column) with 05's 合计
gpb_total_checks as (
    select
        e.document_id,
        'XT06' as rule_id,
        'fiscal_summary' as table_key,
        cast(null as varchar) as subject_code,
        'general_public_budget' as column_key,
        coalesce(l.source_line, t.source_line, f.first_line) as source_line,
        coalesce(l.amount_wan, 0) as actual,
        coalesce(t.amount_wan, 0) as expected,
        1 as n_addends,
        '04 本年支出合计 一般公共预算财政拨款 ↔ 05 合计' as note,
        '「本年支出合计」一般公共预算财政拨款' as actual_label,
        'gpb_expenditure' as expected_table,
        '「合计」小计' as expected_label,
        cast(t.source_line as varchar) as expected_lines
    from evaluable as e
    left join lines as l
        on
            e.document_id = l.document_id and l.table_key = 'fiscal_summary'
            and l.row_key = 'expenditure:total_expenditure' and l.column_key = 'general_public_budget'
    left join totals as t
        on e.document_id = t.document_id and t.table_key = 'gpb_expenditure' and t.column_key = 'total'
    left join {{ scoped_ref('int_audit_tables') }} as f on e.document_id = f.document_id and f.table_key = 'fiscal_summary'
    where e.rule_id = 'XT06'
),

-- XT08: when every yuan spent is general public budget money, 03 and 05 print the same rows --
all_gpb as (
    select e.document_id
    from evaluable as e
    left join lines as s on e.document_id = s.document_id and s.table_key = 'summary'
    left join lines as q
        on
            e.document_id = q.document_id and q.table_key = 'fiscal_summary'
            and q.row_key = 'income:carryover_begin:gpb_grant'
    where e.rule_id = 'XT08'
    group by e.document_id
    having
        coalesce(sum(abs(s.amount_wan)) filter (where s.row_key in (
            'income:gov_fund_grant', 'income:soe_grant', 'income:upper_grant', 'income:business',
            'income:operating', 'income:subsidiary', 'income:other', 'income:use_non_fiscal_balance'
        )), 0) = 0
        and abs(
            coalesce(sum(s.amount_wan) filter (where s.row_key = 'income:carryover_begin'), 0)
            - coalesce(any_value(q.amount_wan), 0)
        ) <= 0.01
),

printed_rows as (
    select * from subjects
    union all by name
    select
        *,
        '合计' as subject_code
    from totals
),

gpb_only_rows as (
    select p.*
    from printed_rows as p
    inner join all_gpb as g on p.document_id = g.document_id
    where p.table_key in ('expenditure', 'gpb_expenditure') and p.column_key in ('total', 'basic', 'project')
),

-- one row per subject (合计 too) and column: 03 (actual) against 05 (expected)
gpb_only_checks as (
    select
        g.document_id,
        'XT08' as rule_id,
        'expenditure' as table_key,
        g.subject_code,
        g.column_key,
        coalesce(min(g.source_line) filter (where g.table_key = 'expenditure'), min(g.source_line)) as source_line,
        coalesce(sum(g.amount_wan) filter (where g.table_key = 'expenditure'), 0) as actual,
        coalesce(sum(g.amount_wan) filter (where g.table_key = 'gpb_expenditure'), 0) as expected,
        1 as n_addends,
        '03 ↔ 05 (all spending is general public budget)' as note,
        concat(
            '「', case when g.subject_code = '合计' then '合计' else concat(g.subject_code, ' ', min(g.row_name)) end, '」',
            {{ column_header("'expenditure'", 'g.column_key') }}
        ) as actual_label,
        'gpb_expenditure' as expected_table,
        concat(
            '「', case when g.subject_code = '合计' then '合计' else concat(g.subject_code, ' ', min(g.row_name)) end, '」',
            {{ column_header("'gpb_expenditure'", 'g.column_key') }}
        ) as expected_label,
        cast(min(g.source_line) filter (where g.table_key = 'gpb_expenditure') as varchar) as expected_lines
    from gpb_only_rows as g
    group by g.document_id, g.subject_code, g.column_key
),

unioned as (
    {{ union_by_name(['scalar_checks', 'source_checks', 'class_checks', 'gpb_total_checks', 'gpb_only_checks']) }}
)

select
    {{ check_row(
        subject_code="nullif(subject_code, '合计')", n_addends='n_addends', note='note', actual_label='actual_label',
        expected_table='expected_table', expected_label='expected_label', expected_lines='expected_lines'
    ) }}
from unioned
