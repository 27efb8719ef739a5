-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.table_presence, one row per raw row; columns renamed for the models where ingest/schema.py says.
{{ config(tags=['document_keyed']) }}
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
