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
    {{ return(adapter.get_relation(database=target.database, schema='raw', identifier='rebuild_scope')) }}
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

{# dbt's data tests read the model they test through get_where_subquery. In an incremental build
   a test of a document-keyed model (an incremental one, or a staging view tagged document_keyed
   by ingest/schema.py) reads only the documents in raw.rebuild_scope: the other documents' rows
   are the published build's, which passed the same tests. That holds because every such test is
   decided within one document's rows: row tests (not_null, accepted_values, relationships from
   the tested rows to a table rebuilt whole), keys that include document_id, and checks.check_id,
   a hash of document_id and the rest of the key. Full builds, and tests of other models, read
   every row. #}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set scope = rebuild_scope() if execute and document_keyed(relation) else none -%}
    {%- if scope is not none -%}
        {#- a row without document_id, which no rebuild would ever replace, is always tested -#}
        {%- do conditions.append('(document_id is null or document_id in (select s.document_id from ' ~ scope ~ ' as s))') -%}
    {%- endif -%}
    {%- if conditions -%}
        {{ return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{% macro document_keyed(relation) -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.alias == relation.identifier
        and node.schema == relation.schema -%}
        {{ return(node.config.materialized == 'incremental' or 'document_keyed' in node.tags) }}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}
