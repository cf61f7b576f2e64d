-- depends_on: {{ ref('aa_fips') }}
-- Financial information providers.
select
    fip_id,
    fip_name,
    fip_category,
    cast(onboarded_date as date) as onboarded_date
from {{ source('account_aggregator', 'aa_fips') }}
