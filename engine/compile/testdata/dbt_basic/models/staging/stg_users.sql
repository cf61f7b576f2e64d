select id as user_id, email from {{ source('raw', 'users') }}
