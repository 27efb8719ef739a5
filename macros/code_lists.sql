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

{# A code dimension (dim_function_subject, dim_econ_class): the code list (seed 'function_subjects'
   or 'econ_classes', columns <name>_code, <name>_level, <name>_name, source) plus every code the
   reports print that the list lacks (in_code_list = false; the audit reports those as
   code_quality findings, named by their first spelling), each with its 类 (the first three
   digits). The call's body adds the dimension's own columns; it reads the code's row as c and
   may look codes up in `codes`. #}
{% macro code_dimension(seed, coded_rows_model, name) -%}
    with listed as (
        select
            {{ name }}_code,
            {{ name }}_level,
            {{ name }}_name,
            source as row_source,
            true as in_code_list
        from {{ ref(seed) }}
    ),

    seen as (
        select
            {{ name }}_code,
            any_value({{ name }}_level) as {{ name }}_level,
            min(row_name) as {{ name }}_name,
            'report' as row_source,
            false as in_code_list
        from {{ ref(coded_rows_model) }}
        where {{ name }}_code not in (select l.{{ name }}_code from listed as l)
        group by {{ name }}_code
    ),

    codes as (
        select * from listed
        union all
        select * from seen
    )

    select
        c.{{ name }}_code,
        c.{{ name }}_level,
        c.{{ name }}_name,
        left(c.{{ name }}_code, 3) as class_code,
        cls.{{ name }}_name as class_name,
        {{ caller() }}
        c.in_code_list,
        c.row_source as code_source
    from codes as c
    left join codes as cls on left(c.{{ name }}_code, 3) = cls.{{ name }}_code
{%- endmacro %}
