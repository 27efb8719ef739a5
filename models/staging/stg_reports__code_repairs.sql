-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.code_repairs, one row per raw row; columns renamed for the models where ingest/schema.py says.
{{ config(tags=['document_keyed']) }}
select
    document_id,
    table_key,
    source_line,
    code_printed,
    code as code_repaired,
    name as row_name,
    method
from {{ source('raw', 'code_repairs') }}
