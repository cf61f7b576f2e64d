{{ config(enabled=false) }}
select '{{ also_nope }}' as x
