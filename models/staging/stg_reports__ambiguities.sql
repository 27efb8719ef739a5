-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.ambiguities, one row per raw row; columns renamed for the models where ingest/schema.py says.
{{ config(tags=['document_keyed']) }}
select
    document_id,
    table_key,
    source_line,
    raw_text,
    reason
from {{ source('raw', 'ambiguities') }}
