-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table') }}
select
    d.document_id,
    d.unit_id,
    d.unit_name,
    d.fiscal_year,
    d.report_scope,
    d.layout,
    d.source_file,
    d.content_sha256,
    d.district,
    d.city,
    d.province,
    d.encoding,
    d.line_count,
    d.published_on,
    d.version_rank,
    d.is_current,
    (
        select count(*) from {{ ref('stg_reports__table_presence') }} as p
        where p.document_id = d.document_id and p.status in ('parsed', 'empty')
    ) as tables_parsed,
    d.loaded_at
from {{ ref('stg_reports__documents') }} as d
