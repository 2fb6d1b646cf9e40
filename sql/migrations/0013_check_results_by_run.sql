-- A run's check results as partitions, written beside the run and swapped in whole.
--
-- verdicts.check_results is partitioned by run (LIST run_id); each run's partition is partitioned
-- by check (LIST check_name). govmon.verdicts.compute builds every check's leaf concurrently, each
-- on its own connection: rows, then the primary key in one sorted build. The
-- computing transaction only attaches them (no row is copied: at national scale the copy of
-- 784,000 rows, index entry by index entry, took longer than most checks), and, when it computes a
-- run again, drops the run's earlier partition in the same transaction. Readers see the earlier
-- results or the new ones, never a mix.
--
-- Partitions live in schema verdicts_parts: cr<run_id>_<attempt> (the run) and
-- cr<run_id>_<attempt>_<nnn> (its checks). Runs that existed before this migration keep their rows
-- in one plain partition each, cr<run_id>_m.
--
-- verdicts.run_checks: what each check of a run yielded, with whether it judged every entity the
-- run judged (covers_all). The roll-up reads it to know, without counting 784,000 rows, that no
-- entity was left without a veto input.

create schema if not exists verdicts_parts;

create table if not exists verdicts.run_checks (
    run_id      bigint not null,
    check_name  text not null,
    indicator   text not null,
    entity_type text not null check (entity_type in ('site', 'account')),
    rows        integer not null,
    covers_all  boolean not null,  -- a row for every entity of its type in verdicts.run_entities
    seconds     numeric,           -- how long the check took
    primary key (run_id, check_name)
);

do $$
declare
    view_sql text := pg_get_viewdef('marts.fct_account_update_age'::regclass);
    run record;
begin
    -- the one view over check_results is recreated over the partitioned table, as it was
    drop view marts.fct_account_update_age;
    alter table verdicts.check_results rename to check_results_unpartitioned;  -- its key's name is taken anew
    alter table verdicts.check_results_unpartitioned
        rename constraint check_results_pkey to check_results_unpartitioned_pkey;

    create table verdicts.check_results (
        like verdicts.check_results_unpartitioned including defaults including constraints including indexes
    ) partition by list (run_id);

    for run in select distinct run_id from verdicts.check_results_unpartitioned order by run_id loop
        execute format('create table verdicts_parts.%I partition of verdicts.check_results for values in (%s)',
                       'cr' || run.run_id || '_m', run.run_id);
    end loop;
    insert into verdicts.check_results select * from verdicts.check_results_unpartitioned;
    drop table verdicts.check_results_unpartitioned;

    insert into verdicts.run_checks (run_id, check_name, indicator, entity_type, rows, covers_all)
    select c.run_id, c.check_name, c.indicator, c.entity_type, c.rows,
           c.rows = (select count(*) from verdicts.run_entities e
                     where e.run_id = c.run_id and e.entity_type = c.entity_type)
    from (select run_id, check_name, min(indicator) as indicator, min(entity_type) as entity_type, count(*) as rows
          from verdicts.check_results group by run_id, check_name) as c;

    execute 'create view marts.fct_account_update_age as ' || view_sql;
end;
$$;

-- The partitions of a run, children first: the checks' leaves, then the run's own partition.
create or replace function verdicts.run_partitions(p_run_id bigint)
returns table (partition regclass, level integer)
language sql stable as $$
    select t.relid, t.level
    from pg_partition_tree('verdicts.check_results'::regclass) as t
    join pg_class as c on c.oid = t.relid
    where t.level > 0
      and starts_with(c.relname::text, 'cr' || p_run_id || '_')
    order by t.level desc
$$;

-- Deleting a run deletes its rows: its partitions are dropped, the other tables' rows deleted.
create or replace function verdicts.delete_run_rows() returns trigger
language plpgsql as $$
declare
    part regclass;
begin
    delete from verdicts.run_verdicts v using gone_runs g where v.run_id = g.run_id;
    for part in select p.partition from gone_runs g cross join lateral verdicts.run_partitions(g.run_id) p
                where p.level = 1 loop
        execute format('drop table %s', part);
    end loop;
    delete from verdicts.run_checks c using gone_runs g where c.run_id = g.run_id;
    delete from verdicts.run_entities e using gone_runs g where e.run_id = g.run_id;
    return null;
end;
$$;
