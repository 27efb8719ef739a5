select
    source_file,
    document_id,
    stage,
    reason,
    line,
    fatal,
    recorded_at
from {{ source('raw', 'ingest_errors') }}
