select
    document_id,
    econ_code,
    cost_group,
    econ_level,
    is_leaf,
    amount_wan,
    table_no,
    source_line
from {{ scoped_ref('int_econ_rows_ranked') }}
where dup_rank = 1
