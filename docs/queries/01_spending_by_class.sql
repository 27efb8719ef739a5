-- 按类汇总支出 (spending by 功能分类 类, per unit and year).
-- Sums leaf rows and rolls them up through dim_function_subject, so it equals the
-- report's own 类 rows; fund_scope 'all' is table 03 (支出决算表).
select
    d.unit_name,
    d.fiscal_year,
    s.class_code,
    c.subject_name as class_name,
    sum(e.amount_wan) as total_wan
from marts.fct_expenditure as e
inner join marts.dim_document as d on e.document_id = d.document_id
inner join marts.dim_function_subject as s on e.subject_code = s.subject_code
inner join marts.dim_function_subject as c on s.class_code = c.subject_code
where e.fund_scope = 'all' and e.expense_type = 'total' and e.is_leaf and d.is_current
group by all
order by d.unit_name, d.fiscal_year, s.class_code
