select
    document_id,
    subject_code,
    column_key as income_source,
    subject_level,
    is_leaf,
    amount_wan,
    table_no,
    source_line
from {{ scoped_ref('int_subject_rows_ranked') }}
where dup_rank = 1 and table_key = 'income'
