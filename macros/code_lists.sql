{# The coded rows of the tables (row_kind 'subject': 功能分类, 'econ': 经济分类), one row per cell
   with dup_rank (1 = the code's first printing within `rank_by`) and is_leaf (no longer code
   under it within `scope`): int_subject_rows_ranked and int_econ_rows_ranked differ only in
   those keys. #}
{% macro coded_rows(row_kind, scope, rank_by) -%}
    with cells as (
        select *
        from {{ scoped_ref('stg_reports__table_cells') }}
        where row_kind = '{{ row_kind }}' and code is not null
    ),

    ranked as (
        select
            *,
            row_number() over (partition by {{ rank_by | join(', ') }} order by source_line) as dup_rank
        from cells
    ),

    parents as (
        select distinct
            {%- for key in scope %}
            p.{{ key }},
            {%- endfor %}
            p.code
        from cells as p
        inner join cells as c
            on
                {%- for key in scope %}
                p.{{ key }} = c.{{ key }} and
                {%- endfor %}
                length(c.code) > length(p.code)
                and starts_with(c.code, p.code)
    )

    select
        r.*,
        p.code is null as is_leaf
    from ranked as r
    left join parents as p
        on
            {%- for key in scope %}
            r.{{ key }} = p.{{ key }} and
            {%- endfor %}
            r.code = p.code
{%- endmacro %}
