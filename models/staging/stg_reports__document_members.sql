-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.document_members, one row per raw row; columns renamed for the models where ingest/schema.py says.
{{ config(tags=['document_keyed']) }}
select
    document_id,
    member_name,
    source_line
from {{ source('raw', 'document_members') }}
