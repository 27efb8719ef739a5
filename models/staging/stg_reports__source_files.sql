-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.source_files, one row per raw row; columns renamed for the models where ingest/schema.py says.
select
    source_file,
    content_sha256,
    size_bytes,
    status as file_status,
    document_id,
    loaded_at
from {{ source('raw', 'source_files') }}
