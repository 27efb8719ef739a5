-- Direction wording (DW01, DESIGN §4): 决算数大于/小于/持平年初预算数 (三公: 全年预算数) must
-- match the sign of 决算 − 预算 of the printed amounts. One row per narrated wording whose two
-- amounts are known; expected = sign(决算 − 预算), actual = the sign the wording states.
with worded as (
    select
        document_id,
        'budget_execution' as table_key,
        subject_code,
        'direction' as column_key,
        case
            when subject_code is null then '一般公共预算财政拨款支出'
            else concat(subject_name, '（', subject_code, '）')
        end as scope_label,
        '年初预算' as budget_word,
        budget_wan,
        final_wan,
        stated_direction,
        direction_wording,
        coalesce(direction_source_line, source_line) as source_line
    from {{ scoped_ref('fct_budget_execution') }}
    union all
    select
        document_id,
        'three_public' as table_key,
        null as subject_code,
        item as column_key,
        item_zh as scope_label,
        '全年预算' as budget_word,
        budget_wan,
        final_wan,
        stated_direction,
        direction_wording,
        coalesce(direction_source_line, source_line) as source_line
    from {{ scoped_ref('fct_three_public') }}
),

signed as (
    select
        *,
        sign(final_wan - budget_wan) as amount_sign,
        case stated_direction when 'more' then 1 when 'less' then -1 when 'equal' then 0 end as worded_sign
    from worded
    where stated_direction is not null and budget_wan is not null and final_wan is not null
)

select
    document_id,
    'DW01' as rule_id,
    table_key,
    subject_code,
    column_key,
    source_line,
    cast(amount_sign as decimal(18, 4)) as expected,
    cast(worded_sign as decimal(18, 4)) as actual,
    cast(0 as decimal(18, 4)) as tolerance,
    concat(
        scope_label, '：决算 ', format('{:.2f}', cast(final_wan as double)), ' 万元',
        case amount_sign when 1 then ' > ' when -1 then ' < ' else ' = ' end,
        budget_word, ' ', format('{:.2f}', cast(budget_wan as double)), ' 万元，文中称决算数“', direction_wording, '”',
        budget_word, '数',
        case when amount_sign = worded_sign then '：一致' else '：措辞与金额方向不符' end
    ) as note
from signed
