-- Generated from ingest/schema.py by `python -m ingest.schema`; do not edit.
-- raw.narrative_facts, one row per raw row; columns renamed for the models where ingest/schema.py says.
{{ config(tags=['document_keyed']) }}
select
    document_id,
    fact_seq,
    section,
    metric,
    value as fact_value,
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
