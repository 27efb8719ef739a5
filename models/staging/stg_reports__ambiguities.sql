select
    document_id,
    table_key,
    source_line,
    raw_text,
    reason
from {{ source('raw', 'ambiguities') }}
