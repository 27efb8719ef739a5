select
    document_id,
    source_file,
    content_sha256,
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
    parser_version,
    loaded_at
from {{ source('raw', 'documents') }}
