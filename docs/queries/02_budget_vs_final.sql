-- 年初预算与决算 (budget vs final by subject), from the narrative's 完成年初预算 sentences.
-- subject_code NULL is the whole 一般公共预算财政拨款支出.
select
    d.unit_name,
    d.fiscal_year,
    coalesce(b.subject_code, '(整体)') as subject,
    s.subject_name,
    b.budget_wan,
    b.final_wan,
    b.final_wan - b.budget_wan as over_budget_wan,
    b.stated_rate_pct,
    b.recomputed_rate_pct
from marts.fct_budget_execution as b
inner join marts.dim_document as d on b.document_id = d.document_id
left join marts.dim_function_subject as s on b.subject_code = s.subject_code
where d.is_current
order by d.unit_name, d.fiscal_year, b.subject_code nulls first
