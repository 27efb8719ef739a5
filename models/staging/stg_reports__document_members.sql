select
    document_id,
    member_name,
    source_line
from {{ source('raw', 'document_members') }}
