-- The same figure printed in two tables must agree, XT01–XT09: 01↔02, 01↔03, 02↔04, 04↔05,
-- 05↔06, 03↔05 (when all spending is general public budget) and 04↔07/08. Both tables must
-- be available (parsed, or printed empty = all zero); a blank cell is zero. expected is the
-- first table's figure, actual the second's.
with available as (
    select
        document_id,
        table_key
    from {{ scoped_ref('stg_reports__table_presence') }}
    where status in ('parsed', 'empty')
),

pairs (rule_id, left_table, right_table) as (
    values
    ('XT01', 'summary', 'income'),
    ('XT02', 'summary', 'income'),
    ('XT03', 'summary', 'expenditure'),
    ('XT04', 'summary', 'expenditure'),
    ('XT05', 'income', 'fiscal_summary'),
    ('XT06', 'fiscal_summary', 'gpb_expenditure'),
    ('XT07', 'gpb_expenditure', 'gpb_basic_econ'),
    ('XT08', 'expenditure', 'gpb_expenditure'),
    ('XT09', 'fiscal_summary', 'gov_fund'),
    ('XT09', 'fiscal_summary', 'soe_capital')
),

evaluable as (
    select
        l.document_id,
        p.rule_id,
        p.left_table,
        p.right_table
    from pairs as p
    inner join available as l on p.left_table = l.table_key
    inner join available as r on p.right_table = r.table_key and l.document_id = r.document_id
),

table_first_line as (
    select
        document_id,
        table_key,
        min(source_line) as source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    group by document_id, table_key
),

lines as (
    select
        document_id,
        table_key,
        concat(side, ':', code) as line_key,
        column_key,
        amount_wan,
        source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    where row_kind = 'line'
    qualify row_number() over (
        partition by document_id, table_key, side, code, column_key order by source_line
    ) = 1
),

totals as (
    select
        document_id,
        table_key,
        column_key,
        amount_wan,
        source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    where row_kind = 'total'
    qualify row_number() over (partition by document_id, table_key, column_key order by source_line) = 1
),

subjects as (
    select
        document_id,
        table_key,
        subject_code,
        column_key,
        amount_wan,
        source_line
    from {{ scoped_ref('int_subject_rows_ranked') }}
    where dup_rank = 1
),

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
scalar_specs (rule_id, pair_key, side, table_key, kind, figure_key, column_key) as (
    values
    ('XT01', '', 'l', 'summary', 'line', 'income:total_income', 'amount'),
    ('XT01', '', 'r', 'income', 'total', '', 'total'),
    ('XT04', '', 'l', 'summary', 'line', 'expenditure:total_expenditure', 'amount'),
    ('XT04', '', 'r', 'expenditure', 'total', '', 'total'),
    ('XT05', '', 'l', 'income', 'total', '', 'fiscal_grant'),
    ('XT05', '', 'r', 'fiscal_summary', 'line', 'income:total_income', 'amount'),
    ('XT07', '', 'l', 'gpb_expenditure', 'total', '', 'basic'),
    ('XT07', '', 'r', 'gpb_basic_econ', 'econ_total', '', 'amount'),
    ('XT09', 'gov_fund', 'l', 'fiscal_summary', 'line', 'expenditure:total_expenditure', 'government_fund'),
    ('XT09', 'gov_fund', 'r', 'gov_fund', 'total', '', 'total'),
    ('XT09', 'soe_capital', 'l', 'fiscal_summary', 'line', 'expenditure:total_expenditure', 'state_capital'),
    ('XT09', 'soe_capital', 'r', 'soe_capital', 'total', '', 'total')
),

scalar_values as (
    select
        e.document_id,
        s.rule_id,
        s.pair_key,
        s.side,
        s.table_key,
        s.column_key,
        coalesce(case s.kind
            when 'line' then l.amount_wan
            when 'total' then t.amount_wan
            else x.amount_wan
        end, 0) as amount_wan,
        case s.kind when 'econ_total' then coalesce(x.n_printed, 0) else 1 end as n_printed,
        coalesce(case s.kind
            when 'line' then l.source_line
            when 'total' then t.source_line
            else x.source_line
        end, f.source_line) as source_line
    from evaluable as e
    inner join scalar_specs as s
        on e.rule_id = s.rule_id and (s.pair_key = '' or e.right_table = s.pair_key)
    left join lines as l
        on
            s.kind = 'line' and e.document_id = l.document_id and s.table_key = l.table_key
            and s.figure_key = l.line_key and s.column_key = l.column_key
    left join totals as t
        on
            s.kind = 'total' and e.document_id = t.document_id and s.table_key = t.table_key
            and s.column_key = t.column_key
    left join econ_totals as x on s.kind = 'econ_total' and e.document_id = x.document_id
    left join table_first_line as f on e.document_id = f.document_id and s.table_key = f.table_key
),

scalar_checks as (
    select
        l.document_id,
        l.rule_id,
        l.table_key,
        cast(null as varchar) as subject_code,
        l.column_key,
        l.source_line,
        l.amount_wan as expected,
        r.amount_wan as actual,
        greatest(l.n_printed, r.n_printed) as n_addends,
        concat(l.table_key, '.', l.column_key, ' ↔ ', r.table_key, '.', r.column_key) as note
    from scalar_values as l
    inner join scalar_values as r
        on
            l.document_id = r.document_id and l.rule_id = r.rule_id and l.pair_key = r.pair_key
            and r.side = 'r'
    where l.side = 'l'
),

-- XT02: 01 income sources ↔ 02 合计 columns -----------------------------------------------
source_map (line_key, column_key) as (
    values
    ('income:gpb_grant', 'fiscal_grant'),
    ('income:gov_fund_grant', 'fiscal_grant'),
    ('income:soe_grant', 'fiscal_grant'),
    ('income:upper_grant', 'upper_grant'),
    ('income:business', 'business'),
    ('income:operating', 'operating'),
    ('income:subsidiary', 'subsidiary'),
    ('income:other', 'other')
),

source_checks as (
    select
        e.document_id,
        'XT02' as rule_id,
        'summary' as table_key,
        cast(null as varchar) as subject_code,
        m.column_key,
        coalesce(min(l.source_line), any_value(t.source_line), any_value(f.source_line)) as source_line,
        coalesce(sum(l.amount_wan), 0) as expected,
        coalesce(any_value(t.amount_wan), 0) as actual,
        greatest(count(l.amount_wan), 1) as n_addends,
        concat('summary.', string_agg(distinct m.line_key, '+' order by m.line_key), ' ↔ income.', m.column_key) as note
    from evaluable as e
    cross join source_map as m
    left join lines as l
        on e.document_id = l.document_id and l.table_key = 'summary' and m.line_key = l.line_key
    left join totals as t
        on e.document_id = t.document_id and t.table_key = 'income' and m.column_key = t.column_key
    left join table_first_line as f on e.document_id = f.document_id and f.table_key = 'summary'
    where e.rule_id = 'XT02'
    group by e.document_id, m.column_key
),

-- XT03 / XT06: 类 lines of 01 / 04 ↔ 类 rows of 03 / 05 ---------------------------------
class_lines as (
    select
        e.document_id,
        e.rule_id,
        split_part(l.line_key, ':', 3) as subject_code,
        l.amount_wan,
        l.source_line
    from evaluable as e
    inner join lines as l
        on
            e.document_id = l.document_id
            and e.left_table = l.table_key
            and starts_with(l.line_key, 'expenditure:class:')
            and l.column_key = case e.rule_id when 'XT03' then 'amount' else 'general_public_budget' end
    where e.rule_id in ('XT03', 'XT06')
),

class_rows as (
    select
        e.document_id,
        e.rule_id,
        s.subject_code,
        s.amount_wan,
        s.source_line
    from evaluable as e
    inner join subjects as s
        on
            e.document_id = s.document_id and e.right_table = s.table_key
            and length(s.subject_code) = 3 and s.column_key = 'total'
    where e.rule_id in ('XT03', 'XT06')
),

class_checks as (
    select
        coalesce(l.document_id, r.document_id) as document_id,
        coalesce(l.rule_id, r.rule_id) as rule_id,
        case coalesce(l.rule_id, r.rule_id) when 'XT03' then 'summary' else 'fiscal_summary' end as table_key,
        coalesce(l.subject_code, r.subject_code) as subject_code,
        case coalesce(l.rule_id, r.rule_id) when 'XT03' then 'amount' else 'general_public_budget' end
            as column_key,
        coalesce(l.source_line, r.source_line) as source_line,
        coalesce(l.amount_wan, 0) as expected,
        coalesce(r.amount_wan, 0) as actual,
        1 as n_addends,
        case coalesce(l.rule_id, r.rule_id)
            when 'XT03' then '01 类 ↔ 03 类 本年支出合计'
            else '04 类 一般公共预算财政拨款 ↔ 05 类 合计'
        end as note
    from class_lines as l
    full outer join class_rows as r
        on l.document_id = r.document_id and l.rule_id = r.rule_id and l.subject_code = r.subject_code
),

-- XT06 also compares 04's 本年支出合计 (general public budget column) with 05's 合计
gpb_total_checks as (
    select
        e.document_id,
        'XT06' as rule_id,
        'fiscal_summary' as table_key,
        cast(null as varchar) as subject_code,
        'general_public_budget' as column_key,
        coalesce(l.source_line, t.source_line, f.source_line) as source_line,
        coalesce(l.amount_wan, 0) as expected,
        coalesce(t.amount_wan, 0) as actual,
        1 as n_addends,
        '04 本年支出合计 一般公共预算财政拨款 ↔ 05 合计' as note
    from evaluable as e
    left join lines as l
        on
            e.document_id = l.document_id and l.table_key = 'fiscal_summary'
            and l.line_key = 'expenditure:total_expenditure' and l.column_key = 'general_public_budget'
    left join totals as t
        on e.document_id = t.document_id and t.table_key = 'gpb_expenditure' and t.column_key = 'total'
    left join table_first_line as f on e.document_id = f.document_id and f.table_key = 'fiscal_summary'
    where e.rule_id = 'XT06'
),

-- XT08: when every yuan spent is general public budget money, 03 and 05 print the same rows --
all_gpb as (
    select e.document_id
    from evaluable as e
    inner join available as a on e.document_id = a.document_id and a.table_key = 'summary'
    inner join available as b on e.document_id = b.document_id and b.table_key = 'fiscal_summary'
    left join lines as s on e.document_id = s.document_id and s.table_key = 'summary'
    left join lines as q
        on
            e.document_id = q.document_id and q.table_key = 'fiscal_summary'
            and q.line_key = 'income:carryover_begin:gpb_grant'
    where e.rule_id = 'XT08'
    group by e.document_id
    having
        coalesce(sum(abs(s.amount_wan)) filter (where s.line_key in (
            'income:gov_fund_grant', 'income:soe_grant', 'income:upper_grant', 'income:business',
            'income:operating', 'income:subsidiary', 'income:other', 'income:use_non_fiscal_balance'
        )), 0) = 0
        and abs(
            coalesce(sum(s.amount_wan) filter (where s.line_key = 'income:carryover_begin'), 0)
            - coalesce(any_value(q.amount_wan), 0)
        ) <= 0.01
),

gpb_only_rows as (
    select
        s.document_id,
        s.table_key,
        s.subject_code,
        s.column_key,
        s.amount_wan,
        s.source_line
    from subjects as s
    inner join all_gpb as g on s.document_id = g.document_id
    where s.table_key in ('expenditure', 'gpb_expenditure') and s.column_key in ('total', 'basic', 'project')
    union all
    select
        t.document_id,
        t.table_key,
        '合计' as subject_code,
        t.column_key,
        t.amount_wan,
        t.source_line
    from totals as t
    inner join all_gpb as g on t.document_id = g.document_id
    where t.table_key in ('expenditure', 'gpb_expenditure') and t.column_key in ('total', 'basic', 'project')
),

gpb_only_03 as (
    select * from gpb_only_rows
    where table_key = 'expenditure'
),

gpb_only_05 as (
    select * from gpb_only_rows
    where table_key = 'gpb_expenditure'
),

gpb_only_checks as (
    select
        coalesce(l.document_id, r.document_id) as document_id,
        'XT08' as rule_id,
        'expenditure' as table_key,
        coalesce(l.subject_code, r.subject_code) as subject_code,
        coalesce(l.column_key, r.column_key) as column_key,
        coalesce(l.source_line, r.source_line) as source_line,
        coalesce(l.amount_wan, 0) as expected,
        coalesce(r.amount_wan, 0) as actual,
        1 as n_addends,
        '03 ↔ 05 (all spending is general public budget)' as note
    from gpb_only_03 as l
    full outer join gpb_only_05 as r
        on
            l.document_id = r.document_id and l.subject_code = r.subject_code
            and l.column_key = r.column_key
),

unioned as (
    select * from scalar_checks
    union all
    select * from source_checks
    union all
    select * from class_checks
    union all
    select * from gpb_total_checks
    union all
    select * from gpb_only_checks
)

select
    document_id,
    rule_id,
    table_key,
    nullif(subject_code, '合计') as subject_code,
    column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_addends') }} as tolerance,
    note
from unioned
