-- 完成率与金额不符的单位 (units whose stated completion rates disagree with their own amounts).
select
    d.unit_name,
    d.fiscal_year,
    coalesce(b.subject_code, '(整体)') as subject,
    b.budget_wan,
    b.final_wan,
    b.stated_rate_pct,
    b.recomputed_rate_pct,
    b.rate_status
from marts.fct_budget_execution as b
inner join marts.dim_document as d on b.document_id = d.document_id
where b.rate_status not in ('consistent', 'not_stated')
order by abs(b.stated_rate_pct - b.recomputed_rate_pct) desc nulls last
