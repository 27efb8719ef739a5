-- 人员经费与公用经费 (personnel vs public costs of 基本支出, table 06), per unit and year.
select
    d.unit_name,
    d.fiscal_year,
    sum(f.amount_wan) filter (where f.cost_group = 'personnel') as personnel_wan,
    sum(f.amount_wan) filter (where f.cost_group = 'public') as public_wan
from marts.fct_basic_expenditure_econ as f
inner join marts.dim_document as d on f.document_id = d.document_id
where f.econ_level = 'class' and d.is_current
group by all
order by d.unit_name, d.fiscal_year
