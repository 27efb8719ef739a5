-- Every figure the 情况说明 (and the 附件 self-evaluation) states, one row per fact, with the
-- line it was read from and the sentence around it. Metric vocabulary: ingest/narrative.py METRICS.
-- every staging column but the PDF page; the contract (_narrative.yml) pins the column list, so a
-- column added to staging fails the build here instead of reaching the mart unnoticed
select * exclude (source_page)
from {{ scoped_ref('stg_reports__narrative_facts') }}
