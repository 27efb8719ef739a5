-- Identities inside the subject tables: row total = Σ columns (WT01, tables 02/03/05), and per
-- column parent = Σ children: each 类 = Σ its 款, each 款 = Σ its 项 (WT02 in 02/03/05, WT23 in
-- 07/08), 合计 = Σ 类 (WT03 in 02/03/05, WT23 in 07/08). One row per evaluated identity.
with cells as (
    select
        document_id,
        table_key,
        code,
        row_kind,
        column_key,
        amount_wan,
        source_line,
        table_key in ('gov_fund', 'soe_capital') as is_fund_table
    from {{ scoped_ref('stg_reports__table_cells') }}
    where
        table_key in ('income', 'expenditure', 'gpb_expenditure', 'gov_fund', 'soe_capital')
        and row_kind in ('subject', 'total')
),

row_sums as (
    select
        document_id,
        'WT01' as rule_id,
        table_key,
        coalesce(code, '合计') as subject_code,
        'total' as column_key,
        min(source_line) as source_line,
        sum(amount_wan) filter (where column_key = 'total') as expected,
        coalesce(sum(amount_wan) filter (where column_key != 'total'), 0) as actual,
        count(*) filter (where column_key != 'total') as n_addends
    from cells
    where not is_fund_table
    group by document_id, table_key, coalesce(code, '合计')
    having count(*) filter (where column_key = 'total') > 0
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
        p.amount_wan as expected,
        case when p.row_kind = 'total' and not p.is_fund_table then coalesce(sum(c.amount_wan), 0) else sum(c.amount_wan) end
            as actual,
        case when p.is_fund_table then count(c.amount_wan) else count(c.code) end as n_addends
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
    group by p.document_id, p.table_key, p.code, p.row_kind, p.is_fund_table, p.column_key, p.source_line, p.amount_wan
    having count(c.code) > 0 or (p.row_kind = 'total' and not p.is_fund_table)
),

checks as (
    select * from row_sums
    union all by name
    select * from parent_sums
)

select {{ check_row(n_addends='n_addends') }}
from checks
