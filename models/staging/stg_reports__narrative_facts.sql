select
    document_id,
    fact_seq,
    section,
    metric,
    cast(value as decimal(18, 4)) as fact_value,
    unit as value_unit,
    value_decimals,
    subject_name,
    subject_code,
    subject_level,
    qualifier,
    item,
    source_line,
    span,
    source_page
from {{ source('raw', 'narrative_facts') }}
