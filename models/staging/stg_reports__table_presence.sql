select
    document_id,
    table_key,
    table_no,
    title,
    status,
    source_line,
    note,
    page_no
from {{ source('raw', 'table_presence') }}
