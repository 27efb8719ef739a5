{# Incremental rebuilds (juesuan/build.py, docs/scale.md): the build lists in raw.rebuild_scope
   every document whose rows may differ from the published warehouse's (all documents of a unit
   with a new, changed or removed report). A document-keyed model then deletes those documents'
   rows and appends them again from inputs read through scoped_ref; a full build (no table yet)
   reads everything. Without raw.rebuild_scope (dbt run by hand on a published file) every
   document is in scope. raw.rebuild_scope is not a dbt source: it exists only during an
   incremental build, and unit tests would have to mock it.
   RULE for new models and audit rules: a document's rows may depend only on documents of the
   same unit (cross-year rules do) and on seeds. Anything comparing across units must widen
   the scope in juesuan/incremental.py, or incremental builds leave its rows stale. #}
{% macro rebuild_scope() -%}
    {{ return(adapter.get_relation(database=this.database, schema='raw', identifier='rebuild_scope')) }}
{%- endmacro %}

{% macro scoped_ref(model_name) -%}
    {%- set scope = rebuild_scope() if is_incremental() else none -%}
    {%- if scope is not none -%}
        (select * from {{ ref(model_name) }} where document_id in (select s.document_id from {{ scope }} as s))
    {%- else -%}
        {{ ref(model_name) }}
    {%- endif -%}
{%- endmacro %}

{% macro clear_rebuild_scope() -%}
    {%- if is_incremental() -%}
        {%- set scope = rebuild_scope() -%}
        delete from {{ this }}
        {%- if scope is not none %} where document_id in (select s.document_id from {{ scope }} as s){% endif %}
    {%- endif -%}
{%- endmacro %}
