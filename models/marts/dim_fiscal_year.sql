-- draws on every document and is small: rebuilt whole by every build, incremental or not
{{ config(materialized='table') }}
select distinct
    fiscal_year,
    -- 2020 reports number tables 表1–表9 with 三公 as 表7; later ones use 公开01–09表.
    case when fiscal_year <= 2020 then 'legacy_2020' else 'standard' end as table_numbering
from {{ ref('stg_reports__documents') }}
