select
    document_id,
    line_no as source_line,
    page_no as source_page,
    text as line_text
from {{ source('raw', 'document_lines') }}
