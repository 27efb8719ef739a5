-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.document_lines, one row per raw row; columns renamed for the models where ingest/schema.py says.
{{ config(tags=['document_keyed']) }}
select
    document_id,
    line_no as source_line,
    page_no as source_page,
    text as line_text
from {{ source('raw', 'document_lines') }}
