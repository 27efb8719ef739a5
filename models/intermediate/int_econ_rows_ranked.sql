-- 经济分类 rows of table 06 with level, cost group and leaf flag.
with coded as (
    {{ coded_rows('econ', scope=['document_id'], rank_by=['document_id', 'code']) }}
)

select
    document_id,
    table_no,
    code as econ_code,
    code_printed,
    row_name,
    amount_wan,
    source_line,
    case length(code) when 3 then 'class' else 'section' end as econ_level,
    -- 人员经费 = 工资福利支出 (301) + 对个人和家庭的补助 (303); everything else is 公用经费.
    case when left(code, 3) in ('301', '303') then 'personnel' else 'public' end as cost_group,
    is_leaf,
    dup_rank
from coded
