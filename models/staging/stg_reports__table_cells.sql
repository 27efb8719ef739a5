select
    document_id,
    table_key,
    table_no,
    source_line,
    raw_text,
    row_kind,
    code_printed,
    code,
    name as row_name,
    side,
    line_no,
    column_key,
    cast(amount_wan as decimal(18, 2)) as amount_wan,
    page_no,
    row_no,
    col_no,
    cell_box
from {{ source('raw', 'table_cells') }}
