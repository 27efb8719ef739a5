select
    document_id,
    table_key,
    source_line,
    code_printed,
    code as code_repaired,
    name as row_name,
    method
from {{ source('raw', 'code_repairs') }}
