-- Every figure the 情况说明 (and the 附件 self-evaluation) states, one row per fact, with the
-- line it was read from and the sentence around it. Metric vocabulary: ingest/narrative.py METRICS.
select
    document_id,
    fact_seq,
    section,
    metric,
    fact_value,
    value_unit,
    value_decimals,
    subject_name,
    subject_code,
    subject_level,
    qualifier,
    item,
    source_line,
    span
from {{ scoped_ref('stg_reports__narrative_facts') }}
