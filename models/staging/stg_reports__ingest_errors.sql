-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.ingest_errors, one row per raw row; columns renamed for the models where ingest/schema.py says.
select
    source_file,
    document_id,
    stage,
    reason,
    line,
    fatal,
    recorded_at
from {{ source('raw', 'ingest_errors') }}
