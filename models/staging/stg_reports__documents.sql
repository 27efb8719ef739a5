-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.documents, one row per raw row; columns renamed for the models where ingest/schema.py says.
{{ config(tags=['document_keyed']) }}
select
    document_id,
    source_file,
    content_sha256,
    text_sha256,
    published_on,
    published_line,
    layout,
    unit_id,
    unit_name,
    fiscal_year,
    report_scope,
    district,
    city,
    province,
    encoding,
    line_count,
    title_line,
    parser_version,
    version_rank,
    is_current,
    loaded_at
from {{ source('raw', 'documents') }}
