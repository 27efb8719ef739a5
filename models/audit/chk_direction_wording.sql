-- Direction wording (DW01, DESIGN §4): 决算数大于/小于/持平年初预算数 (三公: 全年预算数) must
-- match the sign of 决算 − 预算 of the printed amounts. One row per narrated wording whose two
-- amounts are known; a wording rule has no figures (expected / actual null): a wording that
-- contradicts the amounts carries its message.
with signed as (
    select
        document_id,
        table_key,
        subject_code,
        case table_key when 'budget_execution' then 'direction' else column_key end as column_key,
        scope_label,
        budget_word,
        budget_wan,
        final_wan,
        direction_wording,
        direction_line as source_line,
        amount_line,
        sign(final_wan - budget_wan) as amount_sign,
        case stated_direction when 'more' then 1 when 'less' then -1 when 'equal' then 0 end as worded_sign
    from {{ scoped_ref('int_audit_stated_rates') }}
    where
        table_key in ('budget_execution', 'three_public')
        and stated_direction is not null and budget_wan is not null and final_wan is not null
),

-- a wording without figures of its own: no expected / actual; the message says what is wrong
described as (
    select
        *,
        case
            when amount_sign != worded_sign
                then concat(
                    '情况说明第 ', source_line, ' 行「', scope_label, '」：决算 ', format('{:.2f}', cast(final_wan as double)),
                    ' 万元', case amount_sign when 1 then ' > ' when -1 then ' < ' else ' = ' end, budget_word, ' ',
                    format('{:.2f}', cast(budget_wan as double)), ' 万元（第 ', amount_line, ' 行），文中却称决算数“',
                    direction_wording, '”', budget_word, '数'
                )
        end as message
    from signed
)

select {{ check_row("'DW01'", actual='null', expected='null', actual_table="'narrative'", message='message') }}
from described
