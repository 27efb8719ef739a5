select
    source_file,
    content_sha256,
    size_bytes,
    status as file_status,
    document_id,
    loaded_at
from {{ source('raw', 'source_files') }}
