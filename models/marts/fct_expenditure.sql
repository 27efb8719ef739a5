select
    r.document_id,
    r.subject_code,
    r.column_key as expense_type,
    t.fund_scope,
    r.subject_level,
    r.is_leaf,
    r.amount_wan,
    r.table_no,
    r.source_line
from {{ scoped_ref('int_subject_rows_ranked') }} as r
inner join {{ ref('layout_tables') }} as t on r.table_key = t.table_key
where
    r.dup_rank = 1
    and r.table_key in ('expenditure', 'gpb_expenditure', 'gov_fund', 'soe_capital')
    and r.column_key in ('total', 'basic', 'project', 'upper_remit', 'operating', 'subsidiary')
