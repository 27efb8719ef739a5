-- 功能分类 rows of tables 02/03/05/07/08 with their level and leaf flag. A code printed
-- twice in one table keeps its first row; the audit reports the duplicate.
with coded as (
    {{ coded_rows(
        'subject', scope=['document_id', 'table_key'], rank_by=['document_id', 'table_key', 'code', 'column_key']
    ) }}
)

select
    document_id,
    table_key,
    table_no,
    code as subject_code,
    code_printed,
    row_name,
    column_key,
    amount_wan,
    source_line,
    case length(code) when 3 then 'class' when 5 then 'section' else 'item' end as subject_level,
    is_leaf,
    dup_rank
from coded
