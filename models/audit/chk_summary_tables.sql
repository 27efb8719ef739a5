-- Identities inside the two-sided summary tables 01 (收入支出决算总表) and 04 (财政拨款收入支出
-- 决算总表), WT04–WT16. Lines are keyed by label (side:row_key, e.g. income:total_income,
-- expenditure:class:201), never by 行次. A blank line is zero. One row per evaluated identity:
-- actual is the printed total line, expected the sum of the lines it totals.
-- The line sums (total line = Σ part lines, per column) are the seed audit_line_sums; the
-- three fund columns of table 04 the seed audit_fund_columns.
with tables as (
    select * from {{ scoped_ref('int_audit_tables') }}
    where is_available and table_key in ('summary', 'fiscal_summary')
),

lines as (
    select * from {{ scoped_ref('int_audit_first_cells') }}
    where row_kind = 'line' and table_key in ('summary', 'fiscal_summary')
),

-- Column-wise identities: total line = Σ part lines (exact key, or every key under a prefix).
spec as (
    select
        rule_id,
        table_key,
        unnest(string_split(column_keys, '|')) as column_key,
        total_key,
        part_key,
        match_kind,
        parts_zh
    from {{ ref('audit_line_sums') }}
),

identities as (
    select distinct
        t.document_id,
        s.rule_id,
        s.table_key,
        s.column_key,
        s.total_key,
        s.parts_zh
    from tables as t
    inner join spec as s on t.table_key = s.table_key
),

addends as (
    select
        i.document_id,
        i.rule_id,
        i.column_key,
        sum(l.amount_wan) as expected,
        count(l.amount_wan) as n_addends,
        min(l.source_line) as first_part_line,
        max(l.source_line) as last_part_line
    from identities as i
    inner join spec as s
        on i.rule_id = s.rule_id and i.total_key = s.total_key and i.column_key = s.column_key
    inner join lines as l
        on
            i.document_id = l.document_id
            and i.table_key = l.table_key
            and i.column_key = l.column_key
            and (
                (s.match_kind = 'eq' and s.part_key = l.row_key)
                or (s.match_kind = 'prefix' and starts_with(l.row_key, s.part_key))
            )
    group by i.document_id, i.rule_id, i.column_key
),

-- actual: the total line as printed; expected: the sum of its parts
column_identities as (
    select
        i.document_id,
        i.rule_id,
        i.table_key,
        i.column_key,
        coalesce(e.source_line, t.first_line) as source_line,
        coalesce(e.amount_wan, 0) as actual,
        coalesce(a.expected, 0) as expected,
        coalesce(a.n_addends, 0) as n_addends,
        i.total_key,
        concat(
            '「', coalesce(e.row_name, {{ line_label('i.table_key', 'i.total_key') }}, i.total_key), '」',
            case when i.column_key != 'amount' then {{ column_header("'fiscal_summary'", 'i.column_key') }} else '' end
        ) as actual_label,
        i.parts_zh as expected_label,
        {{ line_span('a.first_part_line', 'a.last_part_line') }} as expected_lines
    from identities as i
    left join lines as e
        on
            i.document_id = e.document_id
            and i.table_key = e.table_key
            and i.column_key = e.column_key
            and i.total_key = e.row_key
    left join addends as a
        on i.document_id = a.document_id and i.rule_id = a.rule_id and i.column_key = a.column_key
    left join tables as t on i.document_id = t.document_id and i.table_key = t.table_key
),

-- WT12: table 04, every expenditure line: 小计 = 一般公共预算 + 政府性基金 + 国有资本经营
fiscal_rows as (
    select
        l.document_id,
        l.row_key,
        min(l.source_line) as source_line,
        coalesce(sum(l.amount_wan) filter (where l.column_key = 'subtotal'), 0) as actual,
        coalesce(sum(l.amount_wan) filter (where l.column_key != 'subtotal'), 0) as expected,
        count(l.amount_wan) filter (where l.column_key != 'subtotal') as n_addends,
        concat('「', min(l.row_name), '」支出小计') as actual_label
    from lines as l
    inner join tables as t on l.document_id = t.document_id and l.table_key = t.table_key
    where l.table_key = 'fiscal_summary' and starts_with(l.row_key, 'expenditure:')
    group by l.document_id, l.row_key
),

fiscal_lines as (
    select
        t.document_id,
        t.first_line,
        l.row_key,
        l.column_key,
        l.amount_wan,
        l.source_line,
        l.row_name
    from tables as t
    left join lines as l on t.document_id = l.document_id and t.table_key = l.table_key
    where t.table_key = 'fiscal_summary'
),

-- WT15: table 04's income 总计 (column amount) against its expenditure 总计 (小计)
fiscal_values as (
    select
        document_id,
        max(first_line) as first_line,
        coalesce(sum(amount_wan) filter (where row_key = 'income:grand_total'), 0) as income_grand,
        min(source_line) filter (where row_key = 'income:grand_total') as income_grand_line,
        coalesce(sum(amount_wan) filter (
            where row_key = 'expenditure:grand_total' and column_key = 'subtotal'
        ), 0) as expenditure_grand,
        min(source_line) filter (where row_key = 'expenditure:grand_total' and column_key = 'subtotal')
            as expenditure_grand_line
    from fiscal_lines
    group by document_id
),

-- WT16: per fund, 本年收入 + 年初结转和结余 (income side) = 本年支出 + 年末结转和结余 (its column)
fund_balance as (
    select
        l.document_id,
        f.column_key,
        coalesce(min(l.source_line) filter (where l.row_key = f.grant_key), max(l.first_line)) as source_line,
        coalesce(sum(l.amount_wan) filter (where l.row_key in (f.grant_key, f.carryover_begin_key)), 0) as actual,
        coalesce(sum(l.amount_wan) filter (
            where
            l.column_key = f.column_key
            and l.row_key in ('expenditure:total_expenditure', 'expenditure:carryover_end')
        ), 0) as expected,
        {{ line_span(
            "min(l.source_line) filter (where l.column_key = f.column_key and l.row_key in "
            ~ "('expenditure:total_expenditure', 'expenditure:carryover_end'))",
            "max(l.source_line) filter (where l.column_key = f.column_key and l.row_key in "
            ~ "('expenditure:total_expenditure', 'expenditure:carryover_end'))"
        ) }} as expected_lines,
        count(l.amount_wan) filter (
            where
            l.row_key in (f.grant_key, f.carryover_begin_key)
            or (
                l.column_key = f.column_key
                and l.row_key in ('expenditure:total_expenditure', 'expenditure:carryover_end')
            )
        ) as n_printed
    from fiscal_lines as l
    cross join {{ ref('audit_fund_columns') }} as f
    group by l.document_id, f.column_key
),

checks as (
    select
        *,
        total_key as note
    from column_identities
    union all by name
    select
        *,
        'WT12' as rule_id,
        'fiscal_summary' as table_key,
        case when starts_with(row_key, 'expenditure:class:') then split_part(row_key, ':', 3) end as subject_code,
        'subtotal' as column_key,
        row_key as note,
        '三类资金之和' as expected_label,
        cast(source_line as varchar) as expected_lines
    from fiscal_rows
    union all by name
    select
        document_id,
        'WT15' as rule_id,
        'fiscal_summary' as table_key,
        'subtotal' as column_key,
        coalesce(income_grand_line, first_line) as source_line,
        income_grand as actual,
        expenditure_grand as expected,
        1 as n_addends,
        'income:grand_total = expenditure:grand_total' as note,
        '收入方「总计」' as actual_label,
        '支出方「总计」小计' as expected_label,
        cast(expenditure_grand_line as varchar) as expected_lines
    from fiscal_values
    union all by name
    select
        *,
        'WT16' as rule_id,
        'fiscal_summary' as table_key,
        -- both sides are sums of two printed lines
        greatest(n_printed - 1, 1) as n_addends,
        concat('本年收入 + 年初结转和结余 = 本年支出 + 年末结转和结余 (', column_key, ')') as note,
        concat({{ column_header("'fiscal_summary'", 'b.column_key') }}, '：收入方 本年收入 + 年初结转和结余') as actual_label,
        '支出方 本年支出合计 + 年末结转和结余' as expected_label
    from fund_balance as b
)

select
    {{ check_row(
        n_addends='n_addends', note='note', actual_label='actual_label', expected_lines='expected_lines',
        expected_label='expected_label'
    ) }}
from checks
