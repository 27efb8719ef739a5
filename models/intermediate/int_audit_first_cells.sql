-- The whole-table figures of each document, first printing only (a line printed twice is a
-- code_quality matter): the lines of the two-sided summary tables 01/04 (row_key side:line_key,
-- e.g. income:total_income, expenditure:class:201), the 合计 rows (row_key ''), the 人员经费 /
-- 公用经费 totals of table 06 (row_key personnel / public) and the 三公 items of table 09
-- (row_key ''; the column says budget:vehicle …). One row per document × table × row × column.
with cells as (
    select
        document_id,
        table_key,
        row_kind,
        case
            when row_kind = 'line' then concat(side, ':', code)
            when row_kind = 'econ_total' then code
            else ''
        end as row_key,
        column_key,
        amount_wan,
        source_line,
        row_name
    from {{ scoped_ref('stg_reports__table_cells') }}
    where row_kind in ('line', 'total', 'econ_total', 'item')
)

select *
from cells
qualify row_number() over (
    partition by document_id, table_key, row_kind, row_key, column_key order by source_line
) = 1
