-- Identities inside tables 02/03/05: row total = Σ columns (WT01), parent = Σ children
-- (WT02), 合计 = Σ 类 (WT03). One row per evaluated identity.
with cells as (
    select
        document_id,
        table_key,
        code,
        row_kind,
        column_key,
        amount_wan,
        source_line
    from {{ scoped_ref('stg_reports__table_cells') }}
    where table_key in ('income', 'expenditure', 'gpb_expenditure') and row_kind in ('subject', 'total')
),

row_sums as (
    select
        document_id,
        table_key,
        coalesce(code, '合计') as subject_code,
        min(source_line) as source_line,
        sum(amount_wan) filter (where column_key = 'total') as expected,
        coalesce(sum(amount_wan) filter (where column_key != 'total'), 0) as actual,
        count(*) filter (where column_key != 'total') as n_addends
    from cells
    group by document_id, table_key, coalesce(code, '合计')
    having count(*) filter (where column_key = 'total') > 0
),

subjects as (
    select * from cells
    where row_kind = 'subject' and code is not null
),

parent_sums as (
    select
        p.document_id,
        p.table_key,
        p.code as subject_code,
        p.column_key,
        p.source_line,
        p.amount_wan as expected,
        sum(c.amount_wan) as actual,
        count(c.code) as n_addends
    from subjects as p
    inner join subjects as c
        on
            p.document_id = c.document_id
            and p.table_key = c.table_key
            and p.column_key = c.column_key
            and length(c.code) = case length(p.code) when 3 then 5 when 5 then 7 end
            and starts_with(c.code, p.code)
    group by all
),

total_sums as (
    select
        t.document_id,
        t.table_key,
        t.column_key,
        t.source_line,
        t.amount_wan as expected,
        coalesce(sum(c.amount_wan), 0) as actual,
        count(c.code) as n_addends
    from cells as t
    left join subjects as c
        on
            t.document_id = c.document_id
            and t.table_key = c.table_key
            and t.column_key = c.column_key
            and length(c.code) = 3
    where t.row_kind = 'total'
    group by all
)

select
    document_id,
    'WT01' as rule_id,
    table_key,
    subject_code,
    'total' as column_key,
    source_line,
    cast(expected as decimal(18, 4)) as expected,
    cast(actual as decimal(18, 4)) as actual,
    {{ rounding_tolerance('n_addends') }} as tolerance
from row_sums
union all
select
    document_id,
    'WT02' as rule_id,
    table_key,
    subject_code,
    column_key,
    source_line,
    expected,
    actual,
    {{ rounding_tolerance('n_addends') }} as tolerance
from parent_sums
union all
select
    document_id,
    'WT03' as rule_id,
    table_key,
    null as subject_code,
    column_key,
    source_line,
    expected,
    actual,
    {{ rounding_tolerance('n_addends') }} as tolerance
from total_sums
