-- A run's verdicts as a partition too, built beside the checks and attached whole.
--
-- The roll-up wrote a verdict for every entity of the run (154,000 rows a national run) after the
-- checks, in the computing transaction: about 1 s with nothing beside it. Nearly all of those rows
-- are the verdict of an entity no check found anything about. Like verdicts.check_results (0013)
-- and verdicts.run_entities (0016), verdicts.run_verdicts is now partitioned by run (LIST run_id):
-- a worker writes, while the checks run, every entity's verdict as the roll-up gives it when
-- nothing is found; after the checks the roll-up computes again only the entities with a finding
-- (and those of a kind no veto check judged in full) and writes them over those rows; the
-- computing transaction attaches the table, dropping the run's earlier one
-- (sql/verdicts/rollup_quarterly_verdicts.sql, govmon/verdicts/compute.py). Its partitions live in
-- verdicts_parts: cr<run_id>_<attempt>_verdicts; runs that existed before this migration keep
-- theirs in cr<run_id>_m_verdicts.
--
-- The views over run_verdicts, and the views over those, are made again from their own definitions
-- over the partitioned table.

do $$
declare
    v record;
    run record;
begin
    create temp table views_over_run_verdicts on commit drop as
    with recursive deps (oid, depth) as (
        select 'verdicts.run_verdicts'::regclass::oid, 0
        union
        select r.ev_class, deps.depth + 1
        from deps
        join pg_depend as d on d.refobjid = deps.oid and d.classid = 'pg_rewrite'::regclass
        join pg_rewrite as r on r.oid = d.objid
        where r.ev_class <> deps.oid
    )
    -- a view deeper than every view it reads: made again shallowest first, dropped deepest first
    select oid::regclass::text as name, pg_get_viewdef(oid) as definition, max(depth) as depth
    from deps
    where depth > 0
    group by oid;

    for v in select * from views_over_run_verdicts order by depth desc, name loop
        execute format('drop view %s', v.name);
    end loop;

    alter table verdicts.run_verdicts rename to run_verdicts_unpartitioned;  -- its keys' names are taken anew
    alter table verdicts.run_verdicts_unpartitioned
        rename constraint run_verdicts_pkey to run_verdicts_unpartitioned_pkey;

    create table verdicts.run_verdicts (
        like verdicts.run_verdicts_unpartitioned including defaults including constraints including indexes
    ) partition by list (run_id);

    for run in select distinct run_id from verdicts.run_verdicts_unpartitioned order by run_id loop
        execute format('create table verdicts_parts.%I partition of verdicts.run_verdicts for values in (%s)',
                       'cr' || run.run_id || '_m_verdicts', run.run_id);
    end loop;
    insert into verdicts.run_verdicts select * from verdicts.run_verdicts_unpartitioned;
    drop table verdicts.run_verdicts_unpartitioned;

    for v in select * from views_over_run_verdicts order by depth, name loop
        execute format('create view %s as %s', v.name, v.definition);
    end loop;
end;
$$;

-- Deleting a run deletes its rows: its partitions are dropped (check results, registry snapshot,
-- verdicts), its checks' rows deleted.
create or replace function verdicts.delete_run_rows() returns trigger
language plpgsql as $$
declare
    part regclass;
begin
    for part in select p.partition
                from gone_runs g
                cross join lateral (select * from verdicts.run_partitions(g.run_id)
                                    union all
                                    select * from verdicts.run_partitions(g.run_id, 'verdicts.run_entities')
                                    union all
                                    select * from verdicts.run_partitions(g.run_id, 'verdicts.run_verdicts')) p
                where p.level = 1 loop
        execute format('drop table %s', part);
    end loop;
    delete from verdicts.run_checks c using gone_runs g where c.run_id = g.run_id;
    return null;
end;
$$;
