-- Identities inside the subject tables: row total = Σ columns (WT01, tables 02/03/05), and per
-- column parent = Σ children: each 类 = Σ its 款, each 款 = Σ its 项 (WT02 in 02/03/05, WT23 in
-- 07/08), 合计 = Σ 类 (WT03 in 02/03/05, WT23 in 07/08). One row per evaluated identity: actual
-- is the printed total (the 合计 column, the parent row), expected the sum of its parts.
with cells as (
    select
        document_id,
        table_key,
        code,
        row_kind,
        column_key,
        amount_wan,
        source_line,
        table_key in ('gov_fund', 'soe_capital') as is_fund_table,
        concat('「', case when row_kind = 'total' then '合计' else concat(code, ' ', row_name) end, '」') as row_label
    from {{ scoped_ref('stg_reports__table_cells') }}
    where
        table_key in ('income', 'expenditure', 'gpb_expenditure', 'gov_fund', 'soe_capital')
        and row_kind in ('subject', 'total')
),

row_sums as (
    select
        c.document_id,
        'WT01' as rule_id,
        c.table_key,
        coalesce(c.code, '合计') as subject_code,
        'total' as column_key,
        min(c.source_line) as source_line,
        sum(c.amount_wan) filter (where c.column_key = 'total') as actual,
        coalesce(sum(c.amount_wan) filter (where c.column_key != 'total'), 0) as expected,
        count(*) filter (where c.column_key != 'total') as n_addends,
        concat(min(c.row_label), {{ column_header('c.table_key', "'total'") }}) as actual_label,
        '其余各栏之和' as expected_label,
        cast(min(c.source_line) as varchar) as expected_lines
    from cells as c
    where not c.is_fund_table
    group by c.document_id, c.table_key, coalesce(c.code, '合计')
    having count(*) filter (where c.column_key = 'total') > 0
),

-- a parent (a 类 or 款 row, or the 合计 row) and its children in the same column; a 合计 of
-- tables 02/03/05 without any 类 compares with 0, any other parent without children is no check
parent_sums as (
    select
        p.document_id,
        case when p.is_fund_table then 'WT23' when p.row_kind = 'total' then 'WT03' else 'WT02' end as rule_id,
        p.table_key,
        case when p.row_kind = 'subject' then p.code end as subject_code,
        p.column_key,
        p.source_line,
        p.amount_wan as actual,
        case when p.row_kind = 'total' and not p.is_fund_table then coalesce(sum(c.amount_wan), 0) else sum(c.amount_wan) end
            as expected,
        case when p.is_fund_table then count(c.amount_wan) else count(c.code) end as n_addends,
        concat(p.row_label, {{ column_header('p.table_key', 'p.column_key') }}) as actual_label,
        case when p.row_kind = 'total' then '各类之和' else '下级科目之和' end as expected_label,
        {{ line_span('min(c.source_line)', 'max(c.source_line)') }} as expected_lines
    from cells as p
    left join cells as c
        on
            p.document_id = c.document_id
            and p.table_key = c.table_key
            and p.column_key = c.column_key
            and c.row_kind = 'subject'
            and (
                (p.row_kind = 'total' and length(c.code) = 3)
                or (
                    p.row_kind = 'subject'
                    and length(c.code) = case length(p.code) when 3 then 5 when 5 then 7 end
                    and starts_with(c.code, p.code)
                )
            )
    where p.row_kind = 'total' or p.code is not null
    group by
        p.document_id, p.table_key, p.code, p.row_kind, p.is_fund_table, p.column_key, p.source_line, p.amount_wan,
        p.row_label
    having count(c.code) > 0 or (p.row_kind = 'total' and not p.is_fund_table)
),

checks as (
    select * from row_sums
    union all by name
    select * from parent_sums
)

select
    {{ check_row(
        n_addends='n_addends', actual_label='actual_label', expected_lines='expected_lines',
        expected_label='expected_label'
    ) }}
from checks
