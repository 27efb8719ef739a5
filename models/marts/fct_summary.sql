-- Lines of the two-sided summary tables 01 (收入支出决算总表) and 04 (财政拨款收入支出决算总表),
-- keyed by label (line_key), because 行次 numbers drift between years.
select
    document_id,
    table_key,
    side,
    code as line_key,
    column_key,
    line_no,
    row_name as line_label,
    amount_wan,
    source_line
from {{ scoped_ref('stg_reports__table_cells') }}
where row_kind = 'line'
qualify row_number() over (
    partition by document_id, table_key, side, code, column_key order by source_line
) = 1
