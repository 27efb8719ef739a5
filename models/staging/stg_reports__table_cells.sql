-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.table_cells, one row per raw row; columns renamed for the models where ingest/schema.py says.
{{ config(tags=['document_keyed']) }}
select
    document_id,
    table_key,
    table_no,
    source_line,
    raw_text,
    row_kind,
    code_printed,
    code,
    name as row_name,
    side,
    line_no,
    column_key,
    amount_wan,
    page_no,
    row_no,
    col_no,
    cell_box
from {{ source('raw', 'table_cells') }}
